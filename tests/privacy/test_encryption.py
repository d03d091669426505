"""Identity fields encrypted at rest, read transparently, rotated by identity_reencrypt (issue 9)."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.urls import reverse

from complaints.fields import IdentityKeyMissing
from complaints.models import Report
from tests.factories import ReportFactory, staff
from tests.privacy.conftest import (
    IDENTITY,
    database_text,
    fernet_key,
    file_by_api,
    file_by_form,
    identity_values,
)

ENCRYPTED = ["reporter_name", "reporter_address", "reporter_phone", "reporter_email", "reporter_nik"]


def test_a_report_filed_through_the_api_leaves_no_identity_in_clear_in_its_row(client, db, raw_report_row):
    created = file_by_api(client)
    report = Report.objects.get(tracking_code=created["tracking_code"])
    row = raw_report_row(report.pk)
    text = repr(row)
    for value in identity_values():
        assert value not in text
    # Not vacuous: the row is there and the tokens are the identity, as the code reads it.
    assert row["tracking_code"] == created["tracking_code"]
    assert all(row[name].startswith("gAAAAA") for name in ENCRYPTED)
    assert {name: getattr(report, name) for name in ENCRYPTED} == IDENTITY


def test_no_table_holds_a_reporters_identity_after_filing_by_api_and_form(client, db):
    file_by_api(client)
    other = {
        **IDENTITY,
        "reporter_name": "Bambang Sutrisno Wijoyo",
        "reporter_email": "bambang.w@example.net",
    }
    code = file_by_form(client, other)
    dump = database_text()
    assert code in dump and "Camat berfoto bersama" in dump  # the dump does hold the reports
    for value in {*identity_values(), *identity_values(other), "0812 3456 7890"}:
        assert value not in dump


def test_code_reads_plain_text_and_the_form_refills_it(client, db):
    created = file_by_api(client)
    report = Report.objects.get(tracking_code=created["tracking_code"])
    assert report.reporter_name == IDENTITY["reporter_name"]
    assert Report.objects.filter(reporter_email="").count() == 0  # blank stays comparable
    report.reporter_address = "Jl. Baru 1"
    report.save(update_fields=["reporter_address"])
    report.refresh_from_db()
    assert report.reporter_address == "Jl. Baru 1"


def test_identity_fields_cannot_be_searched(db):
    ReportFactory()
    with pytest.raises(FieldError):
        list(Report.objects.filter(reporter_name__icontains="Siti"))
    with pytest.raises(FieldError, match="encrypted"):
        list(Report.objects.filter(reporter_name="Siti Aminah"))
    assert Report.objects.filter(reporter_nik="").count() == 1


def test_the_admin_search_does_not_look_at_reporter_names(client, db):
    from django.contrib.auth.models import User

    report = ReportFactory(reporter_name="Sulistyowati Handayani")
    User.objects.create_superuser("root", "root@posko.test", "posko-test-password-1")
    client.login(username="root", password="posko-test-password-1")
    url = reverse("admin:complaints_report_changelist")
    assert report.tracking_code in client.get(url, {"q": report.tracking_code}).content.decode()
    response = client.get(url, {"q": "Sulistyowati"})
    assert response.status_code == 200 and report.tracking_code not in response.content.decode()


def test_data_written_under_the_old_key_reads_after_rotation_and_moves_to_the_new_key(
    client, db, settings, raw_report_row
):
    old, new = fernet_key(), fernet_key()
    settings.POSKO_IDENTITY_KEYS = [old]
    pks = [Report.objects.get(tracking_code=file_by_api(client)["tracking_code"]).pk for _ in range(3)]
    token = raw_report_row(pks[0])["reporter_name"]
    assert Fernet(old).decrypt(token.encode()).decode() == IDENTITY["reporter_name"]

    settings.POSKO_IDENTITY_KEYS = [new, old]  # rotation: the new key first, the old one still reads
    assert Report.objects.get(pk=pks[0]).reporter_name == IDENTITY["reporter_name"]
    call_command("identity_reencrypt", batch_size=2)
    for pk in pks:
        row = raw_report_row(pk)
        for name in ENCRYPTED:
            assert Fernet(new).decrypt(row[name].encode()).decode() == IDENTITY[name]
            with pytest.raises(InvalidToken):
                Fernet(old).decrypt(row[name].encode())

    settings.POSKO_IDENTITY_KEYS = [new]  # the old key is retired: everything still reads
    assert [Report.objects.get(pk=pk).reporter_nik for pk in pks] == [IDENTITY["reporter_nik"]] * 3


def test_reencryption_survives_an_interruption_and_a_second_run_finishes(client, db, settings, monkeypatch):
    old, new = fernet_key(), fernet_key()
    settings.POSKO_IDENTITY_KEYS = [old]
    pks = sorted(Report.objects.get(tracking_code=file_by_api(client)["tracking_code"]).pk for _ in range(3))
    settings.POSKO_IDENTITY_KEYS = [new, old]
    from complaints.services import identity

    writes = {"n": 0}
    real_rekey = identity._rekey

    def failing_rekey(*args, **kwargs):
        writes["n"] += 1
        if writes["n"] == 2:
            raise RuntimeError("interrupted")
        return real_rekey(*args, **kwargs)

    monkeypatch.setattr(identity, "_rekey", failing_rekey)
    with pytest.raises(RuntimeError):
        call_command("identity_reencrypt", batch_size=1)
    monkeypatch.setattr(identity, "_rekey", real_rekey)

    from complaints.services.identity import identity_reencrypt

    counts = identity_reencrypt(batch_size=1)["complaints.Report"]
    assert counts == {"updated": 2, "current": 1}  # the first batch had committed before the interruption
    settings.POSKO_IDENTITY_KEYS = [new]
    assert {Report.objects.get(pk=pk).reporter_name for pk in pks} == {IDENTITY["reporter_name"]}


def test_a_key_removed_too_early_is_a_clear_error(client, db, settings):
    created = file_by_api(client)
    settings.POSKO_IDENTITY_KEYS = [fernet_key()]
    with pytest.raises(IdentityKeyMissing, match="POSKO_IDENTITY_KEYS"):
        Report.objects.get(tracking_code=created["tracking_code"])


def test_the_case_page_shows_the_identity_masked_and_the_reveal_gives_plaintext(client, db):
    report = ReportFactory(reporter_name="Kartini Rahayu", reporter_nik="3574015203880007")
    officer = staff("officer", "staf")
    client.force_login(officer)
    page = client.get(reverse("staff:case", args=[report.pk])).content.decode()
    assert 'id="masked-reporter">••••' in page and "Kartini" not in page and "3574015203880007" not in page
    from complaints.services import workflow

    shown = workflow.identity_reveal(report=report, user=officer, reason="Undangan klarifikasi pelapor")
    assert shown["name"] == "Kartini Rahayu" and shown["nik"] == "3574015203880007"
