"""Chain of custody: writing the record of who opened which original, when and why."""

from django.utils.translation import gettext_lazy as _

from evidence.models import CustodyEvent, Evidence

MIN_REASON = 10
REASON_HELP = _("Why do you open the original? For example: checking the photo's details for the kajian.")


def custody_record(*, request, item: Evidence, action: str, reason: str, sha256: str = "") -> CustodyEvent:
    """Append one custody event. Called before the file is handed out, so a download never goes unrecorded."""
    return CustodyEvent.objects.create(
        evidence=item,
        actor=request.user,
        action=action,
        reason=reason.strip()[:500],
        client_address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.headers.get("User-Agent", "")[:300],
        sha256=sha256,
    )
