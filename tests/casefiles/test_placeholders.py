"""Texts an admin edits: placeholders are checked when saved, in the model and in the admin."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from casefiles.models import Letter, LetterTemplate, Office
from casefiles.placeholders import LETTER_PLACEHOLDERS, placeholder_check, placeholder_fill
from tests.casefiles.conftest import office_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser("root", "root@posko.test", "posko-test-password-1")
    client.force_login(user)
    return client


def template(**fields) -> LetterTemplate:
    values = {
        "kind": Letter.Kind.INVITATION,
        "office": None,
        "subject": "Undangan",
        "body": "Nomor {case_number}.",
    }
    values.update(fields)
    return LetterTemplate(**values)


@pytest.mark.parametrize(
    "body, message",
    [
        ("Kepada {nama_terlapor}", "{nama_terlapor}"),
        ("Perkara {case_number.__class__}", "{case_number.__class__}"),
        ("Perkara {case_number[0]}", "{case_number[0]}"),
        ("Kurung { tak tertutup", "kurung kurawal"),
        ("Tanggal {date:%d}", "format"),
        ("Kosong {}", "{}"),
    ],
)
def test_a_template_with_a_bad_placeholder_is_refused(body, message):
    with pytest.raises(ValidationError) as refused:
        template(office=None, kind=Letter.Kind.NOTICE_OUTCOME, body=body).full_clean(exclude=["office"])
    assert message in " ".join(refused.value.message_dict["body"])


def test_a_template_with_known_placeholders_and_literal_braces_is_accepted():
    body = "Perkara {case_number} di {region}, {{bukan isian}}. Sesi {session_date} pukul {session_time}."
    template(kind=Letter.Kind.NOTICE_DECISION, body=body, subject="Perihal {case_number}").full_clean(
        validate_constraints=False
    )
    filled = placeholder_fill(body, dict.fromkeys(LETTER_PLACEHOLDERS, "X"), LETTER_PLACEHOLDERS)
    assert filled == "Perkara X di X, {bukan isian}. Sesi X pukul X."


def test_a_numbering_pattern_needs_known_placeholders_and_the_sequence():
    office = office_make()
    for pattern, message in [
        ("{seq:03d}/{tahun}", "{tahun}"),
        ("PP.01.02/{year}", "{seq}"),
        ("{seq:03x}/{month_roman:d}", "format"),
    ]:
        office.number_pattern = pattern
        with pytest.raises(ValidationError) as refused:
            office.full_clean()
        assert message in " ".join(refused.value.message_dict["number_pattern"])


def test_placeholder_check_names_what_is_allowed():
    with pytest.raises(ValidationError) as refused:
        placeholder_check("{terlapor_nip}", LETTER_PLACEHOLDERS)
    assert "{terlapor}" in refused.value.messages[0] and "{terlapor_nip}" in refused.value.messages[0]


def test_the_admin_refuses_an_unknown_placeholder_and_saves_nothing(admin_client):
    url = reverse("admin:casefiles_lettertemplate_add")
    data = {
        "kind": Letter.Kind.NOTICE_OUTCOME,
        "office": "",
        "form_model": "",
        "type_code": "PP.01.02",
        "subject": "Hasil {case_number}",
        "nature": "Biasa",
        "attachment": "-",
        "body": "Hasil untuk {pelapor_nama}.",
        "copies_to": "",
    }
    before = LetterTemplate.objects.count()
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "{pelapor_nama}" in response.content.decode()
    assert LetterTemplate.objects.count() == before
    # The same text with a known placeholder is saved (for an office: the default one exists already).
    office = office_make()
    data.update(body="Hasil untuk {reporter}.", office=str(office.pk))
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert LetterTemplate.objects.filter(office=office, body="Hasil untuk {reporter}.").exists()


def test_the_admin_refuses_a_numbering_pattern_with_an_unknown_placeholder(admin_client):
    office = office_make()
    url = reverse("admin:casefiles_office_change", args=[office.pk])
    form = {
        field: getattr(office, field) or ""
        for field in (
            "name",
            "name_line2",
            "short_name",
            "code",
            "address",
            "phone",
            "email",
            "website",
            "city",
        )
    }
    form.update(
        region=office.region_id,
        signatory_name=office.signatory_name,
        signatory_position=office.signatory_position,
        number_pattern="{seq:03d}/{kode_surat}/{year}",
        active="on",
    )
    response = admin_client.post(url, form)
    assert response.status_code == 200 and "{kode_surat}" in response.content.decode()
    assert Office.objects.get(pk=office.pk).number_pattern != "{seq:03d}/{kode_surat}/{year}"


def test_letters_scans_and_counters_are_read_only_in_the_admin(admin_client, people):
    from casefiles.services.letters import letter_issue
    from tests.casefiles.conftest import registered_case

    office_make()
    report = registered_case(people)
    letter = letter_issue(report=report, user=people["staf"], kind=Letter.Kind.NOTICE_REGISTERED)
    assert admin_client.get(reverse("admin:casefiles_letter_add")).status_code == 403
    assert admin_client.get(reverse("admin:casefiles_signedscan_add")).status_code == 403
    assert admin_client.get(reverse("admin:casefiles_lettercounter_add")).status_code == 403
    change = reverse("admin:casefiles_letter_change", args=[letter.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert report.reporter_name not in page.content.decode()  # the recipient (the reporter) is not shown
    assert admin_client.post(change, {"number": "999"}).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:casefiles_letter_delete", args=[letter.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Letter.objects.get(pk=letter.pk).number == letter.number
