"""Staff access to evidence: three people for each door (allowed, less privileged colleague, outsider)."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from evidence.models import CustodyEvent
from tests import samples
from tests.evidence.helpers import attach, process
from tests.factories import ReportFactory, staff

# Every test here runs on a local folder and on the S3 server.
pytestmark = pytest.mark.usefixtures("store")


@pytest.fixture
def item(db, store):
    return process(attach(ReportFactory(), samples.jpeg_with_exif(), "IMG_1.jpg", "image/jpeg"))


@pytest.fixture
def people(db):
    """The report lies in Kota Probolinggo (35.74): an officer and a volunteer there, an officer of Jakarta."""
    return {
        "officer": staff("officer", "staf", ["35.74"]),
        "volunteer": staff("volunteer", "relawan", ["35"]),
        "outsider": staff("outsider", "staf", ["31"]),
        "citizen": User.objects.create_user("citizen", password="pw-12345-x"),
    }


def as_(client, people, who):
    client.force_login(people[who])
    return client


def test_the_staff_report_page_lists_evidence_with_metadata_and_previews(client, people, item):
    page = as_(client, people, "volunteer").get(reverse("staff:report_evidence", args=[item.report_id]))
    assert page.status_code == 200
    text = page.content.decode()
    assert item.sha256 in text and "SM-A546E" in text
    # Where the photo was taken is where the reporter may have stood: a volunteer sees only that it was recorded.
    assert "-7.7543" not in text and "113.2159" not in text and "lokasi tercatat" in text
    assert reverse("staff:evidence_thumb", args=[item.pk]) in text
    assert reverse("staff:evidence_original", args=[item.pk]) not in text  # no original for a volunteer
    officer = as_(client, people, "officer").get(reverse("staff:report_evidence", args=[item.report_id]))
    assert "-7.7543, 113.2159" in officer.content.decode()


@pytest.mark.parametrize(
    ("who", "status"), [("officer", 200), ("volunteer", 200), ("outsider", 404), ("citizen", 404)]
)
def test_viewing_copies_are_for_staff_who_may_see_evidence(client, people, item, who, status):
    response = as_(client, people, who).get(reverse("staff:evidence_view", args=[item.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert "sandbox" in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline")
        assert b"Exif" not in b"".join(response.streaming_content)


def test_anonymous_visitors_are_sent_to_sign_in(client, item):
    response = client.get(reverse("staff:evidence_view", args=[item.pk]))
    assert response.status_code == 302 and reverse("staff:login") in response["Location"]


@pytest.mark.parametrize(
    ("who", "status"), [("officer", 200), ("volunteer", 403), ("outsider", 404), ("citizen", 404)]
)
def test_originals_need_the_original_permission(client, people, item, who, status):
    assert (
        as_(client, people, who).get(reverse("staff:evidence_original", args=[item.pk])).status_code == status
    )


def test_an_original_is_sent_as_an_attachment_after_a_reason_and_recorded(client, people, item, store):
    c = as_(client, people, "officer")
    url = reverse("staff:evidence_original", args=[item.pk])
    refused = c.post(url, {"reason": "no"})
    assert refused.status_code == 400 and CustodyEvent.objects.count() == 0
    response = c.post(url, {"reason": "Memeriksa metadata foto untuk kajian awal"}, HTTP_USER_AGENT="pytest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert (
        response["Content-Disposition"].startswith("attachment")
        and "IMG_1.jpg" in response["Content-Disposition"]
    )
    assert "sandbox" in response["Content-Security-Policy"] and response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content)
    assert body == store.read(item.file.name)
    assert response["Content-Length"] == str(len(body))
    event = CustodyEvent.objects.get()
    assert (event.actor.username, event.action, event.evidence_id) == (
        "officer",
        "download_original",
        item.pk,
    )
    assert (
        event.reason.startswith("Memeriksa") and event.sha256 == item.sha256 and event.user_agent == "pytest"
    )


def test_a_quarantined_item_has_no_preview_but_its_original_can_be_downloaded(client, people, db):
    content, declared = samples.hostile_set()["bukti.jpg"]
    item = process(attach(ReportFactory(), content, "bukti.jpg", declared))
    assert item.quarantined
    c = as_(client, people, "officer")
    assert c.get(reverse("staff:evidence_view", args=[item.pk])).status_code == 404
    page = c.get(reverse("staff:report_evidence", args=[item.report_id])).content.decode()
    assert "Quarantined" in page or "Karantina" in page or "karantina" in page
    response = c.post(
        reverse("staff:evidence_original", args=[item.pk]), {"reason": "Memeriksa berkas mencurigakan"}
    )
    assert (
        response["Content-Type"] == "application/octet-stream"
        and "attachment" in response["Content-Disposition"]
    )


def test_the_staff_pages_are_closed_to_outsiders(client, people, item):
    code = item.report.tracking_code
    queue = as_(client, people, "volunteer").get(reverse("staff:home")).content.decode()
    assert code in queue
    queue = as_(client, people, "outsider").get(reverse("staff:home")).content.decode()
    assert code not in queue  # another jurisdiction's queue
    assert as_(client, people, "citizen").get(reverse("staff:home")).status_code == 404
    for who, status in (("volunteer", 200), ("outsider", 404), ("citizen", 404)):
        response = as_(client, people, who).get(reverse("staff:report_evidence", args=[item.report_id]))
        assert response.status_code == status


def test_the_reporter_never_sees_metadata(client, db):
    from tests.factories import valid_api_data

    created = client.post(reverse("api:report_create"), valid_api_data(links=[])).json()
    tracked = client.post(
        reverse("api:report_track"), created, content_type="application/json"
    ).content.decode()
    assert "gps" not in tracked and "metadata" not in tracked and "sha256" not in tracked
