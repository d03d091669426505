"""Finding reports by a reporter's identity, through the keyed hashes only (issue 9): the identity columns are
encrypted and cannot be searched. Callers check the reveal permission before asking."""

from django.db.models import Q, QuerySet

from complaints.fields import identity_hashes, normalize_email, normalize_nik, normalize_phone
from complaints.models import Report


def reports_by_reporter(*, nik: str = "", email: str = "", phone: str = "", queryset=None) -> QuerySet:
    """Reports whose reporter gave this NIK, e-mail or phone (any of those given), under every key of
    POSKO_IDENTITY_HASH_KEYS, so rows not yet re-keyed after a rotation are found too. Nothing given: none."""
    condition = Q()
    for column, hashes in (
        ("reporter_nik_hash", identity_hashes("nik", normalize_nik(nik))),
        ("reporter_email_hash", identity_hashes("email", normalize_email(email))),
        ("reporter_phone_hash", identity_hashes("phone", normalize_phone(phone))),
    ):
        if hashes:
            condition |= Q(**{f"{column}__in": hashes})
    base = Report.objects.all() if queryset is None else queryset
    return base.filter(condition) if condition else base.none()


def reports_by_same_reporter(report: Report, queryset=None) -> QuerySet:
    """Other reports by the reporter of `report`, matched by NIK (the one identifier that is the person's)."""
    if not report.reporter_nik:
        return Report.objects.none()
    return reports_by_reporter(nik=report.reporter_nik, queryset=queryset).exclude(pk=report.pk)
