"""The staff search box: what people quote on the phone jumps straight to the case, everything else is searched.

Exact lookups, always within the user's jurisdiction (a case elsewhere is not found, so the box cannot tell that
it exists): a case number (`002/LP/PL/Kab/35.74/III/2024`, any case), a tracking code (`PSK-7KQ4-M9XD-2HTR`,
with or without dashes, any case, O and I read as 0 and 1), an 18-digit NIP (the terlapor's page, or their case
when they have one)."""

import re
from dataclasses import dataclass, field

from complaints.models import Person, Report
from complaints.selectors.cases import person_cases
from complaints.services import codes
from complaints.services.access import reports_for_user

CASE_NUMBER = re.compile(r"^\d{1,5}/(LP|TM)/PL/[A-Z]+/\d{2}(\.\d{2})?/[IVX]+/\d{4}$", re.IGNORECASE)


@dataclass
class Lookup:
    case: Report | None = None
    person: Person | None = None
    cases: list = field(default_factory=list)


def staff_lookup(user, text: str) -> Lookup:
    """The case or terlapor that `text` names exactly, or an empty Lookup (then the caller searches words)."""
    text = " ".join((text or "").split())[:200]
    if not text:
        return Lookup()
    visible = reports_for_user(user)
    compact = text.replace(" ", "")
    if CASE_NUMBER.match(compact):
        report = visible.filter(case_number__iexact=compact).only("id").first()
        if report is not None:
            return Lookup(case=report)
    code = codes.tracking_code_normalize(text)
    if code:
        report = visible.filter(tracking_code=code).only("id").first()
        if report is not None:
            return Lookup(case=report)
    digits = re.sub(r"[\s.\-]", "", text)
    if len(digits) == 18 and digits.isdigit():
        person = Person.objects.filter(nip=digits).first()
        cases = list(person_cases(user, person)) if person else []
        if len(cases) == 1:
            return Lookup(case=cases[0], person=person, cases=cases)
        if cases:
            return Lookup(person=person, cases=cases)
    return Lookup()
