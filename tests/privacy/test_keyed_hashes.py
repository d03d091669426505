"""The same NIK (e-mail, phone) across reports is found by its keyed hash, never by the encrypted column."""

from django.core.management import call_command
from django.urls import reverse

from complaints.fields import identity_hash
from complaints.models import Report
from complaints.selectors.identity import reports_by_reporter, reports_by_same_reporter
from tests.factories import valid_api_data
from tests.privacy.conftest import IDENTITY, file_by_api, file_by_form, secret_key


def _report(created) -> Report:
    return Report.objects.get(
        tracking_code=created["tracking_code"] if isinstance(created, dict) else created
    )


def test_the_same_nik_across_two_reports_is_found_by_its_keyed_hash(client, db):
    first = _report(file_by_api(client))
    # Typed differently on the form (spaces), by another name: the NIK is what ties them.
    second = _report(
        file_by_form(
            client, {**IDENTITY, "reporter_name": "W. Kusuma", "reporter_nik": "3574 0152 0388 0007"}
        )
    )
    stranger = _report(file_by_api(client, {**IDENTITY, "reporter_nik": "3574014107900003"}))
    assert first.reporter_nik_hash == second.reporter_nik_hash != stranger.reporter_nik_hash
    assert set(reports_by_reporter(nik="3574015203880007")) == {first, second}
    assert list(reports_by_same_reporter(first)) == [second]
    assert list(reports_by_reporter(nik="")) == []


def test_email_and_phone_are_found_whatever_their_spelling(client, db):
    report = _report(file_by_api(client))
    assert list(reports_by_reporter(email="  Wulan.Kusuma@EXAMPLE.net ")) == [report]
    assert list(reports_by_reporter(phone="+62 813-9988-7766")) == [report]
    assert list(reports_by_reporter(phone="081399887767")) == []


def test_the_hash_changes_with_its_key_and_rows_are_found_throughout_a_rotation(client, db, settings):
    old, new = secret_key(), secret_key()
    settings.POSKO_IDENTITY_HASH_KEYS = [old]
    report = _report(file_by_api(client))
    assert report.reporter_nik_hash == identity_hash("nik", IDENTITY["reporter_nik"], old)
    assert identity_hash("nik", IDENTITY["reporter_nik"], new) != report.reporter_nik_hash

    settings.POSKO_IDENTITY_HASH_KEYS = [new, old]
    assert list(reports_by_reporter(nik=IDENTITY["reporter_nik"])) == [report]  # found under the old key
    call_command("identity_reencrypt")
    report.refresh_from_db()
    assert report.reporter_nik_hash == identity_hash("nik", IDENTITY["reporter_nik"], new)
    assert report.reporter_email_hash == identity_hash("email", IDENTITY["reporter_email"], new)
    settings.POSKO_IDENTITY_HASH_KEYS = [new]
    assert list(reports_by_reporter(nik=IDENTITY["reporter_nik"])) == [report]


def test_an_anonymous_report_has_no_hashes(client, db):
    created = client.post(reverse("api:report_create"), valid_api_data(anonymous="true")).json()
    report = _report(created)
    assert report.reporter_nik_hash == report.reporter_email_hash == report.reporter_phone_hash == ""
