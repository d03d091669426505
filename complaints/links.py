"""The portal's own address, for links in e-mails (resume links, invitations, notices to staff)."""

from django.conf import settings

# What bin/run serves; production sets POSKO_SITE_URL.
_EMBEDDED = "http://127.0.0.1:8000"


def site_url(request=None) -> str:
    """POSKO_SITE_URL when set; otherwise the address the current request came to, or the embedded default
    when there is no request (a task). No trailing slash."""
    if settings.POSKO_SITE_URL:
        return settings.POSKO_SITE_URL.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return _EMBEDDED
