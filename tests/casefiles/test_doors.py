"""Every door of the documents with the people at it: the officer of the case's region (allowed), a volunteer
of the same province (less right), an officer of another province and someone not signed in (outsiders)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casefiles.models import FormModel, Letter, SignedScan
from casefiles.services.letters import letter_issue
from casefiles.services.scans import scan_upload
from complaints.models import ReportEvent
from tests.casefiles.conftest import clarified, registered_case
from tests.conftest import media_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(people, office):
    report = registered_case(people)
    session = clarified(report, people)
    letter = letter_issue(
        report=report,
        user=people["staf"],
        kind=Letter.Kind.INVITATION,
        recipient_role="terlapor",
        accused_id=report.accused.get().pk,
        clarification=session,
    )
    scan = scan_upload(
        report=report,
        user=people["staf"],
        form_model=FormModel.objects.get(slug="berita-acara-klarifikasi"),
        upload=SimpleUploadedFile("ba.pdf", b"%PDF-1.4 berita acara bertanda tangan", "application/pdf"),
    )
    return {"report": report, "session": session, "letter": letter, "scan": scan}


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


def doors(case):
    pk, letter, scan = case["report"].pk, case["letter"], case["scan"]
    return {
        "issue": ("post", reverse("staff:letter_issue", args=[pk]), {"kind": "pemberitahuan_registrasi"}),
        "correct": (
            "post",
            reverse("staff:letter_correct", args=[pk, letter.pk]),
            {"reason": "Tempat klarifikasi berubah."},
        ),
        "upload": (
            "post",
            reverse("staff:scan_upload", args=[pk]),
            {
                "form_model": FormModel.objects.get(slug="lainnya").pk,
                "file": SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png"),
            },
        ),
        "letter": ("get", reverse("staff:letter_download", args=[pk, letter.pk]), None),
        "scan": ("get", reverse("staff:scan_download", args=[pk, scan.pk]), None),
    }


def knock(client, door):
    method, url, data = door
    return client.post(url, data) if method == "post" else client.get(url)


@pytest.mark.parametrize("door", ["issue", "correct", "upload", "letter", "scan"])
@pytest.mark.parametrize(
    "who, expected", [("staf", {302, 200}), ("relawan", {403}), ("outsider", {404}), (None, {302})]
)
def test_every_door_with_every_person(client, people, case, door, who, expected):
    letters, scans = Letter.objects.count(), SignedScan.objects.count()
    response = knock(as_user(client, people.get(who)), doors(case)[door])
    assert response.status_code in expected
    if who is None:
        assert response.url.startswith(reverse("staff:login"))
    changed = (Letter.objects.count(), SignedScan.objects.count()) != (letters, scans)
    assert changed == (who == "staf" and door in ("issue", "correct", "upload"))


def test_a_download_is_an_attachment_recorded_on_the_timeline(client, people, case):
    response = as_user(client, people["staf"]).get(doors(case)["letter"][1])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == case["letter"].file.open("rb").read()
    event = ReportEvent.objects.get(report=case["report"], data__action="letter_downloaded")
    assert event.actor == people["staf"] and event.data["sha256"] == case["letter"].sha256


def test_the_case_page_shows_documents_to_staff_and_not_to_volunteers(client, people, case):
    url = reverse("staff:case", args=[case["report"].pk])
    page = as_user(client, people["staf"]).get(url).content.decode()
    assert 'id="documents"' in page and case["letter"].number in page and 'id="issue-form"' in page
    client.logout()
    page = as_user(client, people["relawan"]).get(url).content.decode()
    assert 'id="documents"' not in page
    assert 'id="letters"' not in page and 'id="issue-form"' not in page


def test_a_refused_letter_says_why_and_keeps_what_was_typed(client, people, case):
    response = as_user(client, people["staf"]).post(
        reverse("staff:letter_issue", args=[case["report"].pk]),
        {
            "kind": "undangan",
            "recipient_role": "witness",
            "recipient_name": "",
            "recipient_detail": "Jl. Mawar 3",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Pilih sesi klarifikasi" in page and "Jl. Mawar 3" in page
    assert Letter.objects.count() == 1


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"MZ\x90\x00 not a scan", "scan.pdf", "Hanya pindaian PDF, JPEG atau PNG"),
        (b"", "kosong.pdf", "kosong"),
        (b"%PDF-1.4 " + b"0" * 3000, "besar.pdf", "lebih dari"),
    ],
)
def test_a_refused_scan_says_why_and_stores_nothing(client, people, case, settings, content, name, message):
    settings.POSKO_SCAN_MAX_BYTES = 2000
    files_before = media_files(settings.MEDIA_ROOT)
    response = as_user(client, people["staf"]).post(
        reverse("staff:scan_upload", args=[case["report"].pk]),
        {
            "form_model": FormModel.objects.get(slug="lainnya").pk,
            "title": "BA yang ditandatangani",
            "file": SimpleUploadedFile(name, content, "application/pdf"),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "BA yang ditandatangani" in page
    assert SignedScan.objects.count() == 1
    assert media_files(settings.MEDIA_ROOT) == files_before
