"""Doors to the documents of a case: issuing and correcting letters, attaching signed scans, downloading both
(staff, behind the case page's jurisdiction check and this app's permissions), and the reporter's download of
their notices on /lacak/ (behind the tracking code and PIN). Thin: forms validate, services act."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from casefiles.forms import LetterCorrectForm, LetterIssueForm, ScanUploadForm
from casefiles.models import Letter, SignedScan
from casefiles.selectors import case_documents, safe_filename
from casefiles.services.letters import can_issue, document_downloaded, letter_correct, letter_issue
from casefiles.services.scans import can_upload, scan_upload
from complaints.models import Clarification, Report
from complaints.services import access, workflow
from evidence.uploadhandlers import skipped_uploads

# Served documents never run in the browser: attachment, no sniffing, sandboxed.
SANDBOX_CSP = "default-src 'none'; sandbox"


def _get_case_for_user(request, pk) -> Report:
    """The case page's check (STYLE.md practice 2): 404 when the case is missing, outside the user's
    jurisdiction, or the user has no staff role."""
    if not access.role_of(request.user):
        raise Http404
    report = access.reports_for_user(request.user).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def _attachment(field_file, *, content_type: str, filename: str):
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=filename)
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _documents_page(request, report, *, issue_form=None, scan_form=None, correct_form=None, status=400):
    """The documents of a case on a page of their own, shown when a form came back with errors: what the user
    typed is kept, the error is said next to it."""
    agency = workflow.referral_agency_for(report, report.created_at.date())
    return render(
        request,
        "casefiles/documents.html",
        {
            "report": report,
            **case_documents(report),
            "issue_form": issue_form or LetterIssueForm(report=report, agency_today=agency),
            "scan_form": scan_form or ScanUploadForm(report=report),
            "correct_form": correct_form,
            "can_issue": can_issue(request.user),
            "can_upload": can_upload(request.user),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def letter_issue_view(request, pk: int):
    report = _get_case_for_user(request, pk)
    if not can_issue(request.user):
        raise PermissionDenied
    if request.method in ("GET", "HEAD"):
        return _documents_page(request, report, status=200)
    form = LetterIssueForm(request.POST, report=report)
    if form.is_valid():
        data = form.cleaned_data
        clarification = (
            Clarification.objects.filter(report=report, pk=data["clarification"]).first()
            if data["clarification"]
            else None
        )
        try:
            letter = letter_issue(
                report=report,
                user=request.user,
                kind=data["kind"],
                recipient_role=data["recipient_role"],
                recipient_name=data["recipient_name"],
                recipient_detail=data["recipient_detail"],
                accused_id=int(data["accused"]) if data["accused"] else None,
                clarification=clarification,
                # Only a referral names an agency; other letters say the referral's own, if any.
                agency=(data["recipient_name"] or _default_agency(report))
                if data["kind"] == Letter.Kind.REFERRAL
                else "",
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Letter %(number)s issued.") % {"number": letter.number})
            return redirect(reverse("staff:case", args=[report.pk]) + "#documents")
    return _documents_page(request, report, issue_form=form)


def _default_agency(report: Report) -> str:
    try:
        return report.referral.agency.name
    except Exception:  # no referral recorded yet: the agency of the day for this case
        agency = workflow.referral_agency_for(report, report.created_at.date())
        return agency.name if agency else ""


@login_required
@require_POST
def letter_correct_view(request, pk: int, letter_id):
    report = _get_case_for_user(request, pk)
    if not can_issue(request.user):
        raise PermissionDenied
    letter = get_object_or_404(Letter, pk=letter_id, report=report)
    form = LetterCorrectForm(request.POST)
    if form.is_valid():
        try:
            new = letter_correct(letter=letter, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Correction issued: %(letter)s.") % {"letter": new})
            return redirect(reverse("staff:case", args=[report.pk]) + "#documents")
    form.letter = letter
    return _documents_page(request, report, correct_form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scan_upload_view(request, pk: int):
    report = _get_case_for_user(request, pk)
    if not can_upload(request.user):
        raise PermissionDenied
    if request.method in ("GET", "HEAD"):
        return _documents_page(request, report, status=200)
    form = ScanUploadForm(request.POST, request.FILES, report=report)
    if skipped_uploads(request):
        form.is_valid()
        form.add_error("file", _("The file is too large: nothing was stored."))
    elif form.is_valid():
        data = form.cleaned_data
        letter = Letter.objects.filter(report=report, pk=data["letter"]).first() if data["letter"] else None
        try:
            scan_upload(
                report=report,
                user=request.user,
                form_model=data["form_model"],
                upload=data["file"],
                title=data["title"],
                letter=letter,
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(request, _("Signed scan attached."))
            return redirect(reverse("staff:case", args=[report.pk]) + "#documents")
    return _documents_page(request, report, scan_form=form)


@login_required
@require_safe
def letter_download(request, pk: int, letter_id):
    report = _get_case_for_user(request, pk)
    if not request.user.has_perm("casefiles.view_letter"):
        raise PermissionDenied
    letter = get_object_or_404(Letter, pk=letter_id, report=report)
    response = _attachment(
        letter.file, content_type="application/pdf", filename=safe_filename(f"surat-{letter}.pdf")
    )
    if request.method == "GET":  # a HEAD hands nothing out (posko.middleware): nothing to record
        document_downloaded(report=report, user=request.user, document=letter, kind="letter")
    return response


@login_required
@require_safe
def scan_download(request, pk: int, scan_id):
    report = _get_case_for_user(request, pk)
    if not request.user.has_perm("casefiles.view_signedscan"):
        raise PermissionDenied
    scan = get_object_or_404(SignedScan, pk=scan_id, report=report)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        scan.content_type, "bin"
    )
    response = _attachment(
        scan.file, content_type=scan.content_type, filename=safe_filename(f"pindaian-{scan.pk}.{extension}")
    )
    if request.method == "GET":
        document_downloaded(report=report, user=request.user, document=scan, kind="scan")
    return response


@require_safe
def reporter_letter_download(request, letter_id):
    """A reporter downloads a letter addressed to them, after proving code and PIN on /lacak/ (the same session
    proof the answer form uses). Anyone else: 404, whatever the letter's id."""
    from complaints.views import _tracked_report

    report = _tracked_report(request)
    if report is None:
        raise Http404
    letter = get_object_or_404(
        Letter, pk=letter_id, report_id=report.pk, recipient_role=Letter.Recipient.REPORTER
    )
    return _attachment(
        letter.file, content_type="application/pdf", filename=safe_filename(f"surat-{letter}.pdf")
    )
