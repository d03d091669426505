"""The documents card of the case page and the news on /lacak/, as inclusion tags: each page that shows them
includes one template of this app and nothing else changes there."""

from django import template

from casefiles.forms import LetterCorrectForm, LetterIssueForm, ScanUploadForm
from casefiles.selectors import case_documents, reporter_news
from casefiles.services.letters import can_issue
from casefiles.services.scans import can_upload
from complaints.services import workflow

register = template.Library()


@register.inclusion_tag("casefiles/_documents_card.html", takes_context=True)
def case_documents_card(context, report):
    """Letters and signed scans of a case, with the forms to add them; nothing for users who may not see them
    (volunteers: letters name the reporter)."""
    user = context["request"].user
    if not user.has_perm("casefiles.view_letter"):
        return {"visible": False}
    agency = workflow.referral_agency_for(report, report.created_at.date())
    return {
        "visible": True,
        "report": report,
        **case_documents(report),
        "can_issue": can_issue(user),
        "can_upload": can_upload(user),
        "issue_form": LetterIssueForm(report=report, agency_today=agency),
        "scan_form": ScanUploadForm(report=report),
        "correct_form": LetterCorrectForm(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("casefiles/_tracking_news.html")
def tracking_news(report, case):
    """For /lacak/ (after code and PIN): the case number and each piece of news with its notice letter."""
    return {"report": report, "case": case, "news": reporter_news(report, case)}
