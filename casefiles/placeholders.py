"""Named placeholders in text an admin edits (letter bodies, subjects, numbering patterns): which names exist,
checking a text before it is saved, and filling it in. Only plain names are accepted (`{case_number}`, with an
optional format such as `{seq:03d}`): no attribute or index look-ups, so a template can never reach into the
objects behind the values."""

import string

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What a letter's subject and body may say. Every letter is filled with all of them; a value the case does not
# have yet (no referral, no session) prints as "-".
LETTER_PLACEHOLDERS = {
    "case_number": gettext_lazy("case number, e.g. 001/LP/PL/Kota/35.74/XI/2024"),
    "letter_number": gettext_lazy("this letter's own number"),
    "date": gettext_lazy("the letter's date, e.g. 20 November 2024"),
    "place": gettext_lazy("the office's town, as in the place and date line"),
    "office": gettext_lazy("the office's full name"),
    "office_short": gettext_lazy("the office's short name"),
    "signatory": gettext_lazy("who signs"),
    "signatory_position": gettext_lazy("the signatory's position"),
    "recipient": gettext_lazy("the addressee's name"),
    "reporter": gettext_lazy("the reporter's name (Pelapor when anonymous)"),
    "terlapor": gettext_lazy("the terlapor's names"),
    "terlapor_position": gettext_lazy("the terlapor's positions"),
    "terlapor_agency": gettext_lazy("the terlapor's agencies"),
    "received_date": gettext_lazy("when the report was received"),
    "registered_date": gettext_lazy("when the case was registered"),
    "incident_date": gettext_lazy("when the incident happened"),
    "incident_place": gettext_lazy("where it happened"),
    "region": gettext_lazy("the incident's region, e.g. Kanigaran, Kota Probolinggo, Jawa Timur"),
    "categories": gettext_lazy("the violation categories"),
    "election": gettext_lazy("the election"),
    "status": gettext_lazy("the case's status"),
    "decision": gettext_lazy("the assessment's decision"),
    "agency": gettext_lazy("the receiving agency"),
    "referral_date": gettext_lazy("when the referral was sent"),
    "outcome": gettext_lazy("the agency's outcome"),
    "session_date": gettext_lazy("the clarification session's day and date"),
    "session_time": gettext_lazy("the clarification session's time"),
    "session_place": gettext_lazy("the clarification session's place"),
}

# What a numbering pattern may use, e.g. {seq:03d}/{type_code}/{office_code}/{month_roman}/{year}.
NUMBER_PLACEHOLDERS = {
    "seq": gettext_lazy("the letter's sequence in the office and year (1, 2, 3, ...)"),
    "year": gettext_lazy("the year, e.g. 2024"),
    "month": gettext_lazy("the month as a number"),
    "month_roman": gettext_lazy("the month in Roman numerals, e.g. XI"),
    "day": gettext_lazy("the day of the month"),
    "type_code": gettext_lazy("the letter type's classification code, e.g. PP.01.02"),
    "office_code": gettext_lazy("the office's code, e.g. K.JI-22"),
}
_NUMBER_SAMPLE = {
    "seq": 7,
    "year": 2024,
    "month": 11,
    "month_roman": "XI",
    "day": 20,
    "type_code": "PP.01.02",
    "office_code": "K.JI-22",
}


def _names(text: str) -> list[str]:
    try:
        return [
            field for _literal, field, _spec, _conv in string.Formatter().parse(text) if field is not None
        ]
    except ValueError:
        raise ValidationError(
            _("A brace does not open or close a placeholder. Write {{ or }} for a brace printed as is."),
            code="braces",
        ) from None


def _unknown_check(text: str, allowed) -> None:
    unknown = sorted({n for n in _names(text) if n not in allowed})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder(s): %(unknown)s. Allowed: %(allowed)s.")
            % {
                "unknown": ", ".join("{" + n + "}" for n in unknown),
                "allowed": ", ".join("{" + n + "}" for n in allowed),
            },
            code="unknown_placeholder",
        )


def _format(text: str, values: dict) -> str:
    try:
        return text.format_map(values)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValidationError(
            _("A placeholder's format does not fit its value: %(error)s") % {"error": exc}, code="format"
        ) from None


def placeholder_check(text: str, allowed, *, sample: dict | None = None) -> None:
    """Refuse a text that names a placeholder outside `allowed`, has a stray brace, or a format that does not
    fit its value. The message names the culprits and lists what is allowed."""
    _unknown_check(text, allowed)
    _format(text, sample or dict.fromkeys(allowed, "x"))


def number_pattern_check(pattern: str) -> None:
    placeholder_check(pattern, NUMBER_PLACEHOLDERS, sample=_NUMBER_SAMPLE)
    if "seq" not in _names(pattern):
        raise ValidationError(
            _("The numbering pattern must contain {seq}, or every letter would get the same number."),
            code="no_sequence",
        )


def placeholder_fill(text: str, values: dict, allowed) -> str:
    """Fill a checked text. Checked again here: a row changed behind the admin's back must not reach into
    anything either (only the allowed plain names are looked up)."""
    _unknown_check(text, allowed)
    return _format(text, values)


def _help(allowed) -> str:
    return "; ".join(f"{{{name}}}: {label}" for name, label in allowed.items())


# Lazy: model fields use it as help text, which must not be translated while the models load.
placeholder_help = lazy(_help, str)
