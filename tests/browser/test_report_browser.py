"""What a reporter does on a phone, in headless Chromium."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from complaints.models import Report
from evidence.models import Evidence
from tests.factories import jpeg_bytes

pytestmark = pytest.mark.browser


def fill_valid(page, *, nik="3574014107900003"):
    today = timezone.localdate()
    page.select_option("#id_election", "pilkada-2024")
    page.check("#id_anonymous_0")
    page.fill("#id_reporter_name", "Siti Aminah")
    page.fill("#id_reporter_address", "Jl. Suroyo 12, Kota Probolinggo")
    page.fill("#id_reporter_phone", "0812 3456 7890")
    page.fill("#id_reporter_nik", nik)
    page.check("input[name=reporter_type][value=voter]")
    page.fill("#id_accused-0-name", "Budi Santoso")
    page.fill("#id_accused-0-position", "Camat Kanigaran")
    page.fill("#id_incident_date", (today - dt.timedelta(days=2)).isoformat())
    page.fill("#id_known_date", (today - dt.timedelta(days=1)).isoformat())
    # The region picker reloads itself (htmx) after each choice.
    page.select_option("#id_incident_region_l1", "35")
    page.wait_for_selector("#id_incident_region_l2 option[value='35.74']", state="attached")
    page.select_option("#id_incident_region_l2", "35.74")
    page.wait_for_selector("#id_incident_region_l3 option[value='35.74.04']", state="attached")
    page.select_option("#id_incident_region_l3", "35.74.04")
    page.wait_for_selector("#id_incident_region_l3 option[value='35.74.04'][selected]", state="attached")
    page.fill("#id_incident_place", "Kantor Kecamatan Kanigaran")
    page.check("input[name=categories][value=etik-foto-bersama]")
    page.fill(
        "#id_chronology", "Camat berfoto bersama calon wali kota dengan simbol dua jari di kantor kecamatan."
    )


def test_a_reporter_files_and_tracks_a_report_on_a_phone(phone_page, live_server, tmp_path):
    page = phone_page
    photo = tmp_path / "foto_camat.jpg"
    photo.write_bytes(jpeg_bytes(640, 480))
    page.goto(live_server.url + "/lapor/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on a phone
    fill_valid(page)
    page.set_input_files("#id_evidence-0-file", str(photo))
    page.fill("#id_evidence-0-caption", "Foto di kantor")
    page.fill("#id_links-0-url", "https://www.instagram.com/p/C1abcDEF/?igshid=xyz")
    page.click("#submit-report")
    page.wait_for_url(re.compile(r"/lapor/terima/"))
    code = page.inner_text("#tracking-code").strip()
    pin = page.inner_text("#tracking-pin").strip()
    assert re.fullmatch(r"PSK-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code) and re.fullmatch(r"\d{6}", pin)
    report = Report.objects.get(tracking_code=code)
    assert report.evidence.count() == 2
    assert report.evidence.get(kind="photo").original_name == "foto_camat.jpg"

    page.goto(live_server.url + "/lacak/")
    page.fill("#id_tracking_code", code.lower())
    page.fill("#id_pin", pin)
    page.click("button.btn-primary")
    page.wait_for_selector("#report-status")
    assert page.get_attribute("#report-status", "data-status") == "submitted"
    statuses = page.eval_on_selector_all(".evidence-item", "els => els.map(e => e.dataset.status)")
    assert statuses == ["ready", "ready"]


def test_invalid_input_keeps_typed_data_and_uploaded_files(phone_page, live_server, tmp_path):
    page = phone_page
    photo = tmp_path / "bukti.jpg"
    photo.write_bytes(jpeg_bytes(320, 240))
    page.goto(live_server.url + "/lapor/")
    fill_valid(page, nik="12345")
    page.set_input_files("#id_evidence-0-file", str(photo))
    page.click("#submit-report")
    page.wait_for_selector("#form-errors")
    # Everything typed is still there, the bad NIK is pointed out, and the photo is kept.
    assert page.input_value("#id_reporter_name") == "Siti Aminah"
    assert "Camat berfoto" in page.input_value("#id_chronology")
    assert page.input_value("#id_incident_region_l3") == "35.74.04"
    assert page.is_checked("input[name=categories][value=etik-foto-bersama]")
    assert page.locator("#id_reporter_nik.is-invalid").count() == 1
    assert "bukti.jpg" in page.inner_text(".staged-file")
    assert Report.objects.count() == 0

    page.fill("#id_reporter_nik", "3574014107900003")
    page.click("#submit-report")
    page.wait_for_url(re.compile(r"/lapor/terima/"))
    item = Evidence.objects.get(kind="photo")
    assert item.original_name == "bukti.jpg" and item.file.read() == photo.read_bytes()


def test_the_form_works_without_javascript(browser, live_server, ref_data, tmp_path):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + "/lapor/")
    page.select_option("#id_incident_region_l1", "35")
    page.click(
        "text=" + page.inner_text(".region-picker button").strip()
    )  # the no-JS 'load next level' button
    page.wait_for_selector("#id_incident_region_l2 option[value='35.74']", state="attached")
    assert page.locator("#form-errors").count() == 0
    context.close()
