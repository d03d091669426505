"""Language choice: pages speak Indonesian unless the visitor chose English with the switch (a cookie);
the API also honours the Accept-Language header its clients send on purpose."""

from django.conf import settings
from django.utils import translation

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
