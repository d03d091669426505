"""Staff pages of the exports (/staf/ekspor/): asking for a case bundle, a case file or a recap; following its
progress (the page refreshes itself without JavaScript, htmx polls with it); downloading it as an attachment
behind the same permission and jurisdiction checks; and the public export keys under /.well-known/."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe

from complaints.selectors import cases as case_selectors
from complaints.services import access
from evidence.custody import MIN_REASON
from evidence.views import _file_response
from exports import keys, selectors, services
from exports.models import Export, ExportKey

CONTENT_TYPES = {
    Export.Kind.BUNDLE: "application/zip",
    Export.Kind.PDF: "application/pdf",
    Export.Kind.CSV: "text/csv; charset=utf-8",
    Export.Kind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
REASON_HELP = _("Why does this leave the portal, and for whom? For example: referral of the case to BKN.")
FILTER_NAMES = list(case_selectors.QueueFilters.__dataclass_fields__)


def _client(request) -> dict:
    return {
        "client_address": request.META.get("REMOTE_ADDR") or None,
        "user_agent": request.headers.get("User-Agent", ""),
        "language": (translation.get_language() or "id")[:2],
    }


class CaseExportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What"),
        choices=[(Export.Kind.BUNDLE, _("Signed bundle (ZIP)")), (Export.Kind.PDF, _("Case file (PDF)"))],
    )
    reason = forms.CharField(
        label=_("Reason"),
        min_length=MIN_REASON,
        max_length=500,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    include_identity = forms.BooleanField(
        required=False, label=_("Include the reporter's identity (logged as a reveal)")
    )


class RecapExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Format"), choices=[("xlsx", "XLSX"), ("csv", "CSV")])
    reason = forms.CharField(label=_("Reason"), min_length=MIN_REASON, max_length=500, help_text=REASON_HELP)


def _staff_or_404(request) -> None:
    if not access.role_of(request.user):
        raise Http404


def _get_export_for_user(request, pk) -> Export:
    """404 when the export is missing or this user may not see it (STYLE.md practice 2)."""
    _staff_or_404(request)
    export = selectors.export_for_user(request.user, pk)
    if export is None:
        raise Http404
    return export


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_export_create(request, pk: int):
    """The case page's export form posts here. Errors come back on a page of their own, with what was typed."""
    _staff_or_404(request)
    report = case_selectors.case_for_user(request.user, pk)
    if report is None:
        raise Http404
    if not services.can_export_case(request.user):
        raise PermissionDenied
    form = CaseExportForm(request.POST or None, initial={"kind": request.GET.get("kind", "bundle")})
    if request.method == "POST" and form.is_valid():
        try:
            export = services.export_request_case(
                user=request.user,
                report=report,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                include_identity=form.cleaned_data["include_identity"],
                **_client(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("exports:detail", pk=export.pk)
    return render(
        request,
        "exports/case_form.html",
        {"report": report, "form": form, "can_identity": services.can_include_identity(request.user)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def recap_export_create(request):
    """A recap of the queue with the filters it was showing (they come along as hidden fields)."""
    _staff_or_404(request)
    if not services.can_export_recap(request.user):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    filters = {k: source.get(k) for k in FILTER_NAMES if source.get(k) not in (None, "")}
    form = RecapExportForm(request.POST or None, initial={"kind": source.get("kind", "xlsx")})
    if request.method == "POST" and form.is_valid():
        try:
            export = services.export_request_recap(
                user=request.user,
                kind=form.cleaned_data["kind"],
                filters=filters,
                reason=form.cleaned_data["reason"],
                **_client(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("exports:detail", pk=export.pk)
    return render(
        request,
        "exports/recap_form.html",
        {"form": form, "filters": filters},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_safe
def export_detail(request, pk):
    """The export's page. While it is being built: a refresh every few seconds without JavaScript, htmx
    polling of the status fragment with it."""
    export = _get_export_for_user(request, pk)
    template = "exports/_status.html" if request.headers.get("HX-Request") else "exports/detail.html"
    return render(request, template, {"export": export})


@login_required
@require_safe
def export_list(request):
    _staff_or_404(request)
    return render(request, "exports/list.html", {"exports": selectors.exports_of_user(request.user)[:50]})


@login_required
@require_safe
def export_download(request, pk):
    """The file, as an attachment, while it has not expired; a case export handed out is on the timeline."""
    export = _get_export_for_user(request, pk)
    if not export.downloadable:
        raise Http404
    return export_file_response(request, export)


def export_file_response(request, export: Export):
    """The export's file as an attachment, for the page and the API. A GET hands it out and records that; a
    HEAD (answered from the same view: posko.middleware, and DRF) gets the headers only, never a presigned
    URL, and records nothing."""
    handed_over = request.method == "GET"
    response = _file_response(
        export.file,
        content_type=CONTENT_TYPES[export.kind],
        attachment=True,
        filename=export.filename,
        private_cache=False,
        hand_over=handed_over,
    )
    if handed_over:
        services.export_downloaded(export=export, user=request.user)
    return response


# --- Public: the keys that sign bundles -----------------------------------------------------------------------


@require_safe
@cache_control(public=True, max_age=300)
def public_key(request):
    """The current export key (PEM): what `openssl pkeyutl -verify -pubin -inkey` needs."""
    key = keys.signing_key()
    keys.key_record(key)
    return HttpResponse(key.public_pem, content_type="application/x-pem-file; charset=utf-8")


@require_safe
@cache_control(public=True, max_age=300)
def public_keys(request):
    """Every key that ever signed a bundle, with the period it was used in, and the current one."""
    current = keys.signing_key()
    keys.key_record(current)
    rows = [
        {
            "sha256": k.fingerprint,
            "public_key_pem": k.public_key_pem,
            "first_seen": k.created_at.isoformat(),
            "first_used": k.first_used_at.isoformat() if k.first_used_at else None,
            "last_used": k.last_used_at.isoformat() if k.last_used_at else None,
            "current": k.fingerprint == current.fingerprint,
        }
        for k in ExportKey.objects.order_by("created_at")
    ]
    return JsonResponse(
        {"algorithm": "Ed25519", "fingerprint": "SHA-256 of the DER SubjectPublicKeyInfo", "keys": rows},
        json_dumps_params={"indent": 2},
    )
