"""Letters of the procedure: numbering, storage, versions, who they may go to, which office issues them, and
how they go into a bundle."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casefiles.models import FormModel, Letter, LetterCounter, LetterTemplate
from casefiles.selectors import bundle_documents, office_for_report
from casefiles.services.letters import letter_correct, letter_issue
from casefiles.services.scans import scan_upload
from complaints.models import ReportEvent
from tests.casefiles.conftest import clarified, office_make, registered_case
from tests.casefiles.helpers import pdf_text, squeeze

pytestmark = pytest.mark.django_db


def invitation(report, people, session, **kwargs):
    return letter_issue(
        report=report,
        user=people["staf"],
        kind=Letter.Kind.INVITATION,
        recipient_role="terlapor",
        accused_id=report.accused.get().pk,
        clarification=session,
        **kwargs,
    )


def stored_bytes(letter) -> bytes:
    with letter.file.open("rb") as fh:
        return fh.read()


def test_an_invitation_is_numbered_stored_hashed_and_recorded(people, office):
    report = registered_case(people)
    session = clarified(report, people)
    letter = invitation(report, people, session)
    year = letter.issued_at.year
    assert letter.number.startswith("001/PP.01.02/K.JI-22/") and letter.number.endswith(f"/{year}")
    assert letter.file.name == f"letters/{report.pk}/{letter.pk}.pdf"
    data = stored_bytes(letter)
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == letter.sha256
    assert letter.size == len(data)
    text = squeeze(pdf_text(data))
    for expected in (
        letter.number,
        "Budi Santoso",
        "Camat Kanigaran",
        session.place,
        report.case_number,
        "Yth.",
    ):
        assert squeeze(expected) in text
    event = ReportEvent.objects.get(report=report, kind="export", data__action="letter_issued")
    assert event.actor == people["staf"] and event.data["sha256"] == letter.sha256


def test_numbers_follow_each_other_per_office_and_start_again_each_year(people, office):
    report = registered_case(people)
    session = clarified(report, people)
    last_year = timezone.localdate().year - 1
    LetterCounter.objects.create(office=office, year=last_year, last=57)
    numbers = [invitation(report, people, session).sequence for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert LetterCounter.objects.get(office=office, year=last_year).last == 57
    # Another office (Kabupaten Probolinggo) keeps its own count.
    office_make(
        region="35.13",
        name_line2="Kabupaten Probolinggo",
        short_name="Bawaslu Kab. Probolinggo",
        code="K.JI-13",
    )
    other = registered_case(people, incident_region_id="35.13.01", regency_code="35.13", province_code="35")
    notice = letter_issue(report=other, user=people["staf"], kind=Letter.Kind.NOTICE_REGISTERED)
    assert notice.sequence == 1 and notice.office.code == "K.JI-13"


def test_a_correction_is_a_new_version_and_the_old_pdf_is_unchanged(people, office):
    report = registered_case(people)
    session = clarified(report, people)
    first = invitation(report, people, session)
    before = stored_bytes(first)
    report.accused.update(position="Sekretaris Camat Kanigaran")
    second = letter_correct(letter=first, user=people["staf"], reason="Jabatan terlapor salah ketik.")
    assert (second.number, second.sequence, second.version) == (first.number, first.sequence, 2)
    assert second.supersedes == first and second.file.name != first.file.name
    first.refresh_from_db()
    assert stored_bytes(first) == before and hashlib.sha256(before).hexdigest() == first.sha256
    assert "SekretarisCamatKanigaran" in squeeze(pdf_text(stored_bytes(second)))
    assert "versi2" in squeeze(pdf_text(stored_bytes(second)))
    with pytest.raises(ValidationError, match="sudah dikoreksi"):
        letter_correct(letter=first, user=people["staf"], reason="Koreksi atas versi lama.")
    third = letter_correct(letter=second, user=people["staf"], reason="Tempat klarifikasi berubah.")
    assert third.version == 3
    # Corrections take no new number.
    assert LetterCounter.objects.get(office=office).last == 1


def test_who_a_letter_can_go_to(people, office):
    anonymous = registered_case(people, anonymous=True)
    with pytest.raises(ValidationError, match="anonim"):
        letter_issue(report=anonymous, user=people["staf"], kind=Letter.Kind.NOTICE_REGISTERED)
    report = registered_case(people)
    with pytest.raises(ValidationError, match="sesi klarifikasi"):
        letter_issue(
            report=report, user=people["staf"], kind=Letter.Kind.INVITATION, recipient_role="terlapor"
        )
    session = clarified(report, people)
    with pytest.raises(ValidationError, match="nama saksi"):
        letter_issue(
            report=report,
            user=people["staf"],
            kind=Letter.Kind.INVITATION,
            recipient_role="witness",
            clarification=session,
        )
    witness = letter_issue(
        report=report,
        user=people["staf"],
        kind=Letter.Kind.INVITATION,
        recipient_role="witness",
        recipient_name="Pak RT Suyono",
        clarification=session,
    )
    assert witness.recipient_name == "Pak RT Suyono"
    with pytest.raises(ValidationError, match="kajian"):
        letter_issue(
            report=report, user=people["staf"], kind=Letter.Kind.REFERRAL, agency="Badan Kepegawaian Negara"
        )
    with pytest.raises(PermissionDenied):
        letter_issue(report=report, user=people["relawan"], kind=Letter.Kind.NOTICE_REGISTERED)
    assert Letter.objects.count() == 1


def test_the_most_specific_office_issues_the_letters(people, db):
    report = registered_case(people)
    assert office_for_report(report) is None
    with pytest.raises(ValidationError, match="Belum ada kantor"):
        letter_issue(report=report, user=people["staf"], kind=Letter.Kind.NOTICE_REGISTERED)
    national = office_make(region=None, name_line2="Republik Indonesia", short_name="Bawaslu RI", code="RI")
    assert office_for_report(report) == national
    province = office_make(
        region="35", name_line2="Provinsi Jawa Timur", short_name="Bawaslu Jatim", code="JI"
    )
    assert office_for_report(report) == province
    city = office_make(region="35.74")
    assert office_for_report(report) == city
    city.active = False
    city.save()
    assert office_for_report(report) == province


def test_an_office_text_replaces_the_default_for_its_letters(people, office):
    report = registered_case(people)
    LetterTemplate.objects.create(
        kind=Letter.Kind.NOTICE_REGISTERED,
        office=office,
        subject="Registrasi {case_number}",
        body="Laporan Saudara {reporter} teregistrasi sebagai {case_number} di {office_short}.",
        form_model="FORMULIR MODEL B.X",
    )
    letter = letter_issue(report=report, user=people["staf"], kind=Letter.Kind.NOTICE_REGISTERED)
    text = squeeze(pdf_text(stored_bytes(letter)))
    assert squeeze(f"Laporan Saudara Siti Aminah Rahmawati teregistrasi sebagai {report.case_number}") in text
    assert "FORMULIRMODELB.X" in text
    assert letter.subject == f"Registrasi {report.case_number}"


def test_letters_are_pdf_a_and_print_user_text_literally(people, office):
    report = registered_case(people)
    report.accused.update(name="Budi #set text(size: 40pt) ] $x$")
    session = clarified(report, people)
    letter = invitation(report, people, session)
    data = stored_bytes(letter)
    assert squeeze("Budi #set text(size: 40pt) ] $x$") in squeeze(pdf_text(data))
    assert b"<pdfaid:part>2</pdfaid:part>" in data or b"pdfaid:part" in data


def test_bundle_documents_lists_every_letter_version_and_scan(people, office):
    report = registered_case(people)
    session = clarified(report, people)
    first = invitation(report, people, session)
    second = letter_correct(letter=first, user=people["staf"], reason="Jabatan terlapor salah ketik.")
    notice = letter_issue(report=report, user=None, kind=Letter.Kind.NOTICE_REGISTERED)
    scan = scan_upload(
        report=report,
        user=people["staf"],
        form_model=FormModel.objects.get(slug="model-b-1"),
        upload=SimpleUploadedFile("ttd.pdf", b"%PDF-1.4 ditandatangani", "application/pdf"),
        title="Formulir laporan bertanda tangan",
    )
    documents = bundle_documents(report)
    assert [d.path for d in documents] == [
        "surat/001-undangan-klarifikasi-v1.pdf",
        "surat/001-undangan-klarifikasi-v2.pdf",
        "surat/002-pemberitahuan-registrasi-v1.pdf",
        "pindaian/001-model-b-1.pdf",
    ]
    assert [d.kind for d in documents] == ["letter", "letter", "letter", "signed_scan"]
    for document, source in zip(documents, [first, second, notice, scan], strict=True):
        with document.file.open("rb") as fh:
            content = fh.read()
        assert hashlib.sha256(content).hexdigest() == document.sha256 == source.sha256
        assert document.size == len(content)
    assert "versi 2" in documents[1].label and first.number in documents[1].label
    assert "Model B.1" in documents[3].label


def test_a_referral_letter_goes_to_the_receiving_agency(client, people, office):
    """From the case page with no addressee typed: the agency of the day for the case (BKN since 24 Aug 2024)."""
    from django.urls import reverse

    from tests.casefiles.conftest import assessed

    report = registered_case(people)
    clarified(report, people)
    assessed(report, people)
    client.force_login(people["staf"])
    response = client.post(reverse("staff:letter_issue", args=[report.pk]), {"kind": "penerusan"})
    assert response.status_code == 302
    letter = Letter.objects.get(report=report, kind=Letter.Kind.REFERRAL)
    assert letter.recipient_role == "agency" and "Badan Kepegawaian Negara" in letter.recipient_name
    text = squeeze(pdf_text(stored_bytes(letter)))
    for expected in ("Badan Kepegawaian Negara", "Budi Santoso", report.case_number, "1 (satu) berkas"):
        assert squeeze(expected) in text
