"""Telling the reporter (issue 8, item 3): when a case is registered, decided, referred or closed, a notice
(pemberitahuan) addressed to the reporter is issued automatically, shown on /lacak/ behind the tracking code and
PIN, and announced by an e-mail that says only that there is news. Anonymous reporters get no letter (there is
nobody to address), but /lacak/ still shows the status."""

import logging

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from casefiles.models import Letter
from casefiles.selectors import notice_key
from casefiles.services.letters import letter_issue
from complaints.models import Report, ReportEvent

log = logging.getLogger(__name__)
S = Report.Status
K = Letter.Kind


def notice_kind(event: ReportEvent) -> str | None:
    """Which notice a move calls for: registration (→ investigation), the decision (the case leaves
    assessment: referred to an agency, or closed), the outcome (closed after the agency answered)."""
    if event.to_status == S.INVESTIGATION:
        return K.NOTICE_REGISTERED
    if event.from_status == S.ASSESSMENT and event.to_status in (S.REFERRED, S.CLOSED):
        return K.NOTICE_DECISION
    if event.from_status == S.REFERRED and event.to_status == S.CLOSED:
        return K.NOTICE_OUTCOME
    return None


def notice_for_event(*, report_id: int, event_id: int) -> Letter | None:
    """Issue the notice for one move of a case and announce it by e-mail. Safe to run twice: the notice is
    keyed by the move's event, and the e-mail is claimed on the letter before it is sent."""
    event = ReportEvent.objects.filter(
        pk=event_id, report_id=report_id, kind=ReportEvent.Kind.TRANSITION
    ).first()
    kind = notice_kind(event) if event else None
    if event is None or kind is None:
        return None
    report = Report.objects.select_related("election", "incident_region").get(pk=report_id)
    if report.anonymous or not report.reporter_name.strip():
        return None
    try:
        letter = letter_issue(report=report, user=None, kind=kind, event_key=notice_key(event))
    except ValidationError as exc:
        # No office or text configured for the region: the move stands and /lacak/ shows it; an admin must
        # configure the office for notices to follow.
        log.warning("no notice for report %s, event %s: %s", report_id, event_id, " ".join(exc.messages))
        return None
    notice_email(letter=letter, report=report)
    return letter


def notice_email(*, letter: Letter, report: Report) -> bool:
    """Tell the reporter there is news, once per notice, without any detail of the case."""
    if not report.reporter_email or report.anonymous:
        return False
    # Claim first: two runs of the task must not send two e-mails.
    if not Letter.objects.filter(pk=letter.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
        return False
    context = {"code": report.tracking_code}
    with translation.override(report.language or "id"):
        send_mail(
            subject=render_to_string("emails/reporter_notice_subject.txt", context).strip(),
            message=render_to_string("emails/reporter_notice.txt", context),
            from_email=None,
            recipient_list=[report.reporter_email],
            html_message=render_to_string("emails/reporter_notice.html", context),
            fail_silently=True,
        )
    return True
