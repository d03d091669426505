"""Who may see evidence. Every evidence view starts with `evidence_for_user`.

Django permissions say what kind of access a user has: `evidence.view_evidence` for item pages, viewing copies
and thumbnails; `evidence.view_original` in addition for originals and link archives, whose every access is
written to the chain of custody. Which reports a user may see at all (their jurisdiction) is decided by the
function named in POSKO_REPORT_VISIBLE, so this app never imports the complaints app (STYLE.md layers)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.module_loading import import_string

from evidence.models import Evidence, LinkCapture


def can_view(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm("evidence.view_evidence"))


def can_open_originals(user) -> bool:
    return can_view(user) and user.has_perm("evidence.view_original")


def evidence_for_user(request, pk, *, original: bool = False) -> Evidence:
    """The item, or 404 when it does not exist or the user may not see evidence at all; PermissionDenied when
    they may see viewing copies but asked for an original."""
    if not can_view(request.user):
        raise Http404
    try:
        item = Evidence.objects.select_related("report").get(pk=pk)
    except (Evidence.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if not report_visible(request.user, item.report_id):
        raise Http404
    if original and not can_open_originals(request.user):
        raise PermissionDenied
    return item


def capture_for_user(request, pk) -> LinkCapture:
    if not can_view(request.user):
        raise Http404
    try:
        capture = LinkCapture.objects.select_related("evidence").get(pk=pk)
    except (LinkCapture.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if not report_visible(request.user, capture.evidence.report_id):
        raise Http404
    return capture


def report_visible(user, report_id) -> bool:
    return import_string(settings.POSKO_REPORT_VISIBLE)(user, report_id)
