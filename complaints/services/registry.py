"""The registry of reported civil servants: the same person across reports, by NIP or by name and agency."""

import re

from django.db import IntegrityError, transaction

from complaints.models import Accused, Person


def person_key(name: str, agency: str) -> str:
    squeeze = lambda text: re.sub(r"\s+", " ", (text or "").strip().lower())  # noqa: E731
    return f"{squeeze(name)}|{squeeze(agency)}"[:330]


def person_resolve(accused: Accused) -> Person:
    """The registry entry for a terlapor, created when new. A NIP wins; without one, name and agency."""
    key = person_key(accused.name, accused.agency)
    person = None
    if accused.nip:
        person = Person.objects.filter(nip=accused.nip).first()
    if person is None and not accused.nip:
        person = Person.objects.filter(key=key, nip__isnull=True).first() or Person.objects.filter(key=key).first()
    if person is None:
        try:
            with transaction.atomic():
                person = Person.objects.create(nip=accused.nip or None, name=accused.name, agency=accused.agency,
                                               key=key)
        except IntegrityError:  # the same NIP registered a moment ago by another request
            person = Person.objects.get(nip=accused.nip)
    if accused.person_id != person.pk:
        accused.person = person
        accused.save(update_fields=["person"])
    return person


def report_search_text(report) -> str:
    """The words full-text search looks at: terlapor names, positions and agencies, places, chronology."""
    parts = [report.incident_place, report.chronology, report.witnesses]
    for accused in report.accused.all():
        parts += [accused.name, accused.position, accused.agency, accused.nip]
    return " ".join(p for p in parts if p)[:20000]
