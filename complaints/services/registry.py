"""The registry of reported civil servants: the same person across reports, by NIP or by name and agency."""

import re

from django.db import IntegrityError, transaction

from complaints.models import Accused, Person


def person_key(name: str, agency: str) -> str:
    squeeze = lambda text: re.sub(r"\s+", " ", (text or "").strip().lower())  # noqa: E731
    return f"{squeeze(name)}|{squeeze(agency)}"[:330]


def person_for(*, nip: str, name: str, agency: str) -> Person:
    """The registry entry for a terlapor, created when new. A NIP wins; without one, name and agency."""
    key = person_key(name, agency)
    if nip:
        person = Person.objects.filter(nip=nip).first()
    else:
        person = Person.objects.filter(key=key).order_by("nip").first()
    if person is not None:
        return person
    if not nip:
        # Only the NIP is unique: without one nothing can conflict, and no savepoint is needed (two queries
        # fewer on every report naming someone new).
        return Person.objects.create(nip=None, name=name, agency=agency, key=key)
    try:
        with transaction.atomic():
            return Person.objects.create(nip=nip, name=name, agency=agency, key=key)
    except IntegrityError:  # the same NIP registered a moment ago by another request
        return Person.objects.get(nip=nip)


def person_resolve(accused: Accused) -> Person:
    """Link an existing terlapor row to its registry entry."""
    person = person_for(nip=accused.nip, name=accused.name, agency=accused.agency)
    if accused.person_id != person.pk:
        accused.person = person
        accused.save(update_fields=["person"])
    return person


def search_text_for(report, accused) -> str:
    """The words full-text search looks at: terlapor names, positions and agencies, places, chronology."""
    parts = [report.incident_place, report.chronology, report.witnesses]
    for person in accused:
        parts += [person.name, person.position, person.agency, person.nip]
    return " ".join(p for p in parts if p)[:20000]


def report_search_text(report) -> str:
    return search_text_for(report, report.accused.all())
