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
    """By permission alone: `is_staff` is the admin's door (issue 9), not a sign of case work."""
    return bool(user.is_active and user.has_perm("evidence.view_evidence"))


def can_open_originals(user) -> bool:
    return can_view(user) and user.has_perm("evidence.view_original")


def can_see_location(user) -> bool:
    """Where a photo or video was taken is often where the reporter stood. Its coordinates are shown to those
    who may open originals (which carry them in their metadata anyway); everyone else sees only that a location
    was recorded."""
    return can_open_originals(user)


LOCATION_KEYS = ("gps", "location")


def metadata_masked(metadata: dict | None) -> dict:
    """Metadata with recorded coordinates replaced by {"recorded": true}."""
    masked = dict(metadata or {})
    for key in LOCATION_KEYS:
        if masked.get(key):
            masked[key] = {"recorded": True}
    return masked


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
