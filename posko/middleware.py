"""Language choice: pages speak Indonesian unless the visitor chose English with the switch (a cookie);
the API also honours the Accept-Language header its clients send on purpose."""

import errno
import logging
import sys

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext
from django.views import defaults

unavailable_log = logging.getLogger("posko.unavailable")

_SUPPORTED = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in _SUPPORTED and request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
        if language not in _SUPPORTED:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch = response.headers.get("Vary", "")
        if "Cookie" not in patch:
            response.headers["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        translation.deactivate()
        return response


# --- Hostile input (issue 9 item 7): NUL characters are a 400 before any view looks them up ---------------------
class HostileInputMiddleware:
    """PostgreSQL text cannot hold a NUL character: a tracking code, a region code or a search with one in the
    address (or in a plain form post) made the lookup raise, a 500. Refuse it here with the ordinary 400 page
    (JSON under /api/). Multipart bodies are not read here (the upload views choose their upload handlers
    before the body is parsed); their text fields go through forms, whose CharFields refuse NUL themselves.
    Lone surrogates cannot arrive this way: Django decodes addresses and form bodies with replacement
    characters. JSON bodies are checked by complaints.parsers.StrictJSONParser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or self._has_nul(request.GET) or self._has_nul(self._form(request)):
            from complaints.error_views import bad_request

            return bad_request(request)
        return self.get_response(request)

    @staticmethod
    def _form(request):
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
            return request.POST
        return None

    @staticmethod
    def _has_nul(data) -> bool:
        if not data:
            return False
        return any("\x00" in key or any("\x00" in v for v in data.getlist(key)) for key in data)


# --- Faults (issue 11): a database that is down or a full disk is a 503 with Retry-After, not a 500 ---------------
_FULL = {errno.ENOSPC, errno.EDQUOT}


def unavailable_cause(exc: BaseException | None) -> str:
    """'database', 'storage_full' or 'storage' when the error means a part the portal needs is down or full
    (the request may succeed later), '' otherwise. Follows the chain of causes (a storage error wrapped by a
    library)."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )
    from django.db import InterfaceError, OperationalError

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OperationalError | InterfaceError):
            return "database"
        if isinstance(exc, OSError) and exc.errno in _FULL:
            return "storage_full"
        if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
            return "storage"
        if (
            isinstance(exc, ClientError)
            and exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
        ):
            return "storage"
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return ""


def unavailable_response(request, cause: str) -> HttpResponse:
    """JSON for the API, a plain page (no database, no session) for everything else; both say when to retry."""
    unavailable_log.error(
        "service unavailable (%s) on %s %s", cause, request.method, request.path, exc_info=True
    )
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": gettext(
                    "The service is briefly unavailable and nothing was saved. Please try again shortly."
                ),
                "code": "service_unavailable",
            },
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(settings.POSKO_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    """Turns a view's database or storage outage (OperationalError/InterfaceError, ENOSPC, an unreachable
    object store) into a 503 with Retry-After: the API answers JSON, pages a plain 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        cause = unavailable_cause(exception)
        return unavailable_response(request, cause) if cause else None


def server_error(request):
    """handler500: an outage met outside a view (in a middleware, e.g. loading the session) is a 503 too."""
    cause = unavailable_cause(sys.exc_info()[1])
    if cause:
        return unavailable_response(request, cause)
    return defaults.server_error(request)


# --- Security headers (issue 9, item 5; docs/integrity.md) ----------------------------------------------------
class SecurityHeadersMiddleware:
    """Adds Permissions-Policy (Django has no setting for it), and answers HEAD without a body: the view runs
    as for GET, so HEAD gives GET's status and headers, but nothing is read or sent after them (a streamed
    download is left unread and closed with the response), whatever the server in front does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.POSKO_PERMISSIONS_POLICY)
        if request.method == "HEAD":
            if response.streaming:
                # Unread: the file stays among the response's resource closers, which the server's close()
                # runs when the request ends. Closing here would send request_finished before the outer
                # middleware are done (it closes the database connection under them).
                response.streaming_content = []
            else:
                response.content = b""
        return response
