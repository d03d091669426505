"""The audit trail page (/staf/audit/, issue 9): coordinators read who revealed identities, opened originals and
exported in their jurisdiction, by person, case and date; nobody else reads it, and nobody reads another
jurisdiction's."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Region
from complaints.services import workflow
from evidence.models import CustodyEvent, Evidence
from exports.models import Export
from tests.factories import ReportFactory, staff

pytestmark = pytest.mark.django_db
URL = "/staf/audit/"


@pytest.fixture
def trail():
    """A case in Kota Probolinggo (Jawa Timur, 35) and one in Jakarta Pusat (31), each with a reveal, an
    original opened and an export asked for; and a recap of each province's queue."""
    east, jakarta = staff("petugas_jatim", "staf", ["35.74"]), staff("petugas_dki", "staf", ["31.71"])
    here = ReportFactory(reporter_email="siti@example.org")
    there = ReportFactory(incident_region=Region.objects.filter(code__startswith="31.71.").first())
    for report, officer, reason in (
        (here, east, "Perlu menghubungi pelapor."),
        (there, jakarta, "Klarifikasi saksi DKI."),
    ):
        workflow.identity_reveal(report=report, user=officer, reason=reason)
        item = Evidence.objects.create(
            report=report, kind="photo", original_name=f"foto-{report.pk}.jpg", size=3
        )
        CustodyEvent.objects.create(
            evidence=item, actor=officer, action="download_original", reason=f"Unduh asli {report.pk}."
        )
        Export.objects.create(
            kind="pdf", report=report, requested_by=officer, reason=f"Berkas kasus {report.pk}."
        )
    Export.objects.create(kind="csv", requested_by=east, reason="Rekap Jatim.", scope=["35.74"])
    Export.objects.create(kind="csv", requested_by=jakarta, reason="Rekap DKI.", scope=["31.71"])
    return {"here": here, "there": there, "east": east, "jakarta": jakarta}


def _rows(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_coordinator_reads_the_trail_of_their_jurisdiction(client, trail):
    client.force_login(staff("koordinator_jatim", "koordinator", ["35"]))
    page = _rows(client.get(URL))
    for seen in (
        "Perlu menghubungi pelapor.",
        f"Unduh asli {trail['here'].pk}.",
        f"Berkas kasus {trail['here'].pk}.",
        "Rekap Jatim.",
    ):
        assert seen in page
    for unseen in ("Klarifikasi saksi DKI.", f"Unduh asli {trail['there'].pk}.", "Rekap DKI.", "petugas_dki"):
        assert unseen not in page
    assert 'id="nav-audit"' in page
    # A reveal is listed by who, when and why, never with what it revealed.
    here = trail["here"]
    for identity in (here.reporter_email, here.reporter_name, here.reporter_nik, here.reporter_phone):
        assert not identity or identity not in client.get(URL).content.decode()
    assert here.reporter_email == "siti@example.org" and here.reporter_name


def test_filters_by_person_case_and_dates(client, trail):
    client.force_login(staff("koordinator_jatim", "koordinator", ["35"]))
    other = ReportFactory()
    workflow.identity_reveal(
        report=other, user=staff("petugas2", "staf", ["35.74"]), reason="Alasan petugas kedua."
    )
    by_person = _rows(client.get(URL, {"person": "petugas2"}))
    assert "Alasan petugas kedua." in by_person and "Perlu menghubungi pelapor." not in by_person
    by_case = _rows(client.get(URL, {"case": trail["here"].tracking_code}))
    assert "Perlu menghubungi pelapor." in by_case and "Alasan petugas kedua." not in by_case
    assert "Rekap Jatim." not in by_case  # a recap belongs to no case
    today = timezone.localdate()
    assert "Perlu menghubungi pelapor." in _rows(client.get(URL, {"since": today, "until": today}))
    yesterday = today - dt.timedelta(days=1)
    assert 'id="audit-empty"' in _rows(client.get(URL, {"until": yesterday}))
    # Another jurisdiction's case named outright is still not shown.
    assert "Klarifikasi saksi DKI." not in _rows(client.get(URL, {"case": trail["there"].tracking_code}))
    # A case by its id; digits Python knows but int() does not, and ids no database holds: empty, not 500.
    assert "Perlu menghubungi pelapor." in _rows(client.get(URL, {"case": str(trail["here"].pk)}))
    for odd in ("²", "٣", "99999999999999999999999"):
        response = client.get(URL, {"case": odd})
        assert response.status_code == 200 and 'id="audit-empty"' in response.content.decode()


def test_officers_and_volunteers_are_refused(client, trail):
    for user in (trail["east"], staff("relawan", "relawan", ["35.74"])):
        client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 403
        assert "Perlu menghubungi pelapor." not in response.content.decode()
        assert 'id="nav-audit"' not in client.get(reverse("staff:home")).content.decode()


def test_a_coordinator_of_another_province_sees_nothing_of_this_one(client, trail):
    client.force_login(staff("koordinator_dki", "koordinator", ["31"]))
    page = _rows(client.get(URL))
    assert "Klarifikasi saksi DKI." in page and "Rekap DKI." in page
    for unseen in (
        "Perlu menghubungi pelapor.",
        f"Unduh asli {trail['here'].pk}.",
        "Rekap Jatim.",
        trail["here"].tracking_code,
        "petugas_jatim",
    ):
        assert unseen not in page


def test_anonymous_visitors_are_sent_to_sign_in(client, trail):
    response = client.get(URL)
    assert response.status_code == 302 and "/staf/masuk/" in response["Location"]


def test_the_admin_reads_every_jurisdiction(client, trail):
    client.force_login(staff("admin_posko", "admin", []))
    page = _rows(client.get(URL))
    assert "Perlu menghubungi pelapor." in page and "Klarifikasi saksi DKI." in page


def test_the_query_count_does_not_grow_with_the_trail(client, trail, django_assert_max_num_queries):
    client.force_login(staff("koordinator_jatim", "koordinator", ["35"]))
    client.get(URL)
    for n in range(15):
        workflow.identity_reveal(report=trail["here"], user=trail["east"], reason=f"Alasan nomor {n:02d}.")
    with django_assert_max_num_queries(20):
        assert "Alasan nomor 14." in _rows(client.get(URL))
