import re

from django.urls import reverse

from tests.factories import ReportFactory

URL = reverse("complaints:track")


def test_the_tracking_page_shows_status_meaning_and_evidence(client, db):
    report = ReportFactory()
    report.evidence.create(kind="link", url="https://x.com/a/status/1", status="ready")
    response = client.post(URL, {"tracking_code": report.tracking_code, "pin": "123456"})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-status="submitted"' in text and response.context["status_meaning"] in text
    assert 'data-status="ready"' in text


def test_a_wrong_pin_and_a_wrong_code_get_the_same_answer(client, db):
    report = ReportFactory()
    wrong_pin = client.post(URL, {"tracking_code": report.tracking_code, "pin": "654321"})
    wrong_code = client.post(URL, {"tracking_code": "PSK-0000-0000-0000", "pin": "123456"})
    assert wrong_pin.status_code == wrong_code.status_code == 400

    def page(response, code):
        return re.sub(
            r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode().replace(code, "X")
        )

    assert page(wrong_pin, report.tracking_code) == page(wrong_code, "PSK-0000-0000-0000")


def test_the_tracking_page_is_throttled(client, db, settings):
    settings.POSKO_TRACK_MAX_FAILURES = 2
    report = ReportFactory()
    for _ in range(2):
        client.post(URL, {"tracking_code": report.tracking_code, "pin": "000000"})
    response = client.post(URL, {"tracking_code": report.tracking_code, "pin": "123456"})
    assert response.status_code == 429
