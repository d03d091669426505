"""Public pages: home, the report form, the receipt, tracking, and the region picker fragment. Thin doors
into forms, selectors and services."""

from django import forms
from django.conf import settings
from django.contrib import messages as django_messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_safe

from complaints import deadlines, receipts, selectors, widgets
from complaints.models import Message, Report
from complaints.selectors import cases as case_selectors
from complaints.services import workflow
from complaints.services.tracking import TrackingThrottled, client_address, report_track, throttled_message
from complaints.status_text import status_meaning
from complaints.timezones import report_zone
from evidence.uploadhandlers import skipped_uploads

_RECEIPTS = "posko_receipts"


def home(request):
    return render(request, "complaints/home.html", {"elections": selectors.election_list()})


def report_receipt(request, code: str):
    """The receipt (Tanda Bukti Penyampaian Laporan). Only the browser that filed the report sees it; the PIN
    is shown on the first view only."""
    receipts = request.session.get(_RECEIPTS, {})
    if code not in receipts:
        raise Http404
    pin = receipts[code]
    if pin:
        receipts[code] = None
        request.session[_RECEIPTS] = receipts
    report = selectors.report_for_tracking_by_code(code)
    return render(request, "complaints/receipt.html", {**_receipt_context(report), "pin": pin})


def _receipt_context(report) -> dict:
    language = (get_language() or "id")[:2]
    clock = deadlines.case_clock(report)
    return {
        "report": report,
        "region_path": selectors.region_path(report.incident_region),
        "status_meaning": status_meaning(report.status),
        "categories": [c.label(language) for c in report.categories.all()],
        "next_steps": receipts.next_steps(report, clock),
        "zone": report_zone(report),
    }


def report_receipt_pdf(request, code: str):
    """The receipt as a PDF (Typst), for the browser that filed the report. It carries the PIN only when
    downloaded within POSKO_RECEIPT_PIN_MINUTES of sending."""
    from complaints.report_views import receipt_pin_for_pdf

    if code not in request.session.get(_RECEIPTS, {}):
        raise Http404
    report = selectors.report_for_tracking_by_code(code)
    pdf = receipts.receipt_pdf(_receipt_context(report), pin=receipt_pin_for_pdf(request, code))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tanda-bukti-{code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@sensitive_post_parameters()
@sensitive_variables()
@require_http_methods(["GET", "HEAD", "POST"])
def report_track_view(request):
    context = {"code": "", "failed": False, "throttled": False}
    status = 200
    if request.method == "POST":
        code = request.POST.get("tracking_code", "")[:40]
        pin = request.POST.get("pin", "")[:12]
        context["code"] = code
        try:
            result = report_track(tracking_code=code, pin=pin, client=client_address(request))
        except TrackingThrottled as exc:
            context.update(throttled=True, throttled_message=throttled_message(exc.until))
            response = render(request, "complaints/track.html", context, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        if result.report is None:
            context["failed"] = True
            status = 400
        else:
            request.session[_TRACKED] = {"id": result.report.pk, "at": timezone.now().timestamp()}
            return _track_result(request, result.report)
    return render(request, "complaints/track.html", context, status=status)


_TRACKED = "posko_tracked"
_TRACKED_SECONDS = 30 * 60


def _tracked_report(request):
    """The report this browser proved it may see (code and PIN) in the last half hour, or None."""
    tracked = request.session.get(_TRACKED) or {}
    if not tracked or timezone.now().timestamp() - tracked.get("at", 0) > _TRACKED_SECONDS:
        return None
    return selectors.report_for_tracking(tracked["id"])


def _question_pending(messages_for_reporter) -> bool:
    """Whether staff's last word was a question the reporter has not answered yet."""
    for message in reversed(messages_for_reporter):
        if message.direction == Message.Direction.FROM_REPORTER:
            return False
        if message.is_question:
            return True
    return False


def _track_result(request, report, *, answer_form=None, status=200):
    case = case_selectors.tracking_view_of(report)
    messages_for_reporter = list(Message.objects.filter(report=report).order_by("created_at"))
    return render(
        request,
        "complaints/track_result.html",
        {
            "report": report,
            "case": case,
            "status_meaning": status_meaning(case.status),
            "evidence": list(report.evidence.all()),
            "messages_for_reporter": messages_for_reporter,
            # The reporter may write for as long as their report is open (issue 10): an answer to a question, or
            # more information and evidence on their own.
            "can_answer": report.status in Report.OPEN,
            "question_pending": _question_pending(messages_for_reporter),
            "zone": report_zone(report),
            "answer_form": answer_form or AnswerForm(),
        },
        status=status,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your answer"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = forms.FileField(
        label=gettext_lazy("More evidence (optional)"), required=False, widget=MultipleFileInput()
    )


@sensitive_post_parameters()
@require_http_methods(["POST"])
def report_answer(request):
    """The reporter answers a question from staff, with text and files, from the tracking page."""
    report = _tracked_report(request)
    if report is None:
        return redirect("complaints:track")
    form = AnswerForm(request.POST)
    files = request.FILES.getlist("files")
    skipped = skipped_uploads(request)
    if skipped or len(files) > settings.POSKO_MAX_FILES:
        form.is_valid()
        form.add_error("files", _("A file is too large or there are too many files: nothing was sent."))
        return _track_result(request, report, answer_form=form, status=400)
    if form.is_valid():
        try:
            workflow.message_answer(report=report, body=form.cleaned_data["body"], files=files)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            django_messages.success(request, _("Thank you: your answer was sent."))
            return _track_result(request, selectors.report_for_tracking(report.pk))
    return _track_result(request, report, answer_form=form, status=400)


@require_safe
def region_picker(request):
    """The picker re-rendered for a choice (htmx). `name` is the field, `levels` how deep it goes."""
    name = request.GET.get("name", "")
    if name not in {"incident_region"} and not (name.startswith("accused-") and name.endswith("-region")):
        raise Http404
    levels = 4 if name == "incident_region" else 2
    data = request.GET
    value = widgets.RegionPickerWidget(levels=levels).value_from_datadict(data, None, name)
    return render(request, "complaints/region_picker.html", widgets.picker_context(name, value, levels))
