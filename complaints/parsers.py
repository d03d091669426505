"""The API's JSON parser: what PostgreSQL cannot store, or what no endpoint takes, is refused with a 400 that
says so, before any view runs (issue 9 item 7, "no 5xx on any input").

- NUL characters (`\\u0000`): PostgreSQL text cannot hold them; a lookup or a save with one raised a 500.
- Lone surrogates (`\\ud800`): valid JSON escapes but not Unicode text; encoding them for the database failed.
- A body that is not a JSON object (a string, a number, a list): every endpoint reads named fields."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def text_problem(value) -> str:
    """Why a parsed value cannot be taken as text (a message for the client), or "" when it can."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                return _("The request contains a NUL character (\\u0000), which no field accepts.")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return _("The request contains text that is not valid Unicode (a lone surrogate).")
    return ""


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError(_("The request body must be a JSON object."))
        problem = text_problem(data)
        if problem:
            raise ParseError(problem)
        return data
