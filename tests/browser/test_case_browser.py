"""A case from report to closing, as the people involved do it in headless Chromium."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from complaints.models import Report
from tests.factories import jpeg_bytes, staff, valid_api_data

pytestmark = pytest.mark.browser


def file_report(client, photo: bytes, name: str) -> dict:
    response = client.post(
        reverse("api:report_create"),
        valid_api_data(
            reporter_email="siti@example.org", files=[SimpleUploadedFile(name, photo, "image/jpeg")], links=[]
        ),
    )
    assert response.status_code == 201, response.content
    return response.json()


def lacak(page, url, receipt) -> str:
    page.goto(url + "/lacak/")
    page.fill("#id_tracking_code", receipt["tracking_code"])
    page.fill("#id_pin", receipt["pin"])
    page.click("form button.btn-primary")
    page.wait_for_selector("#report-status")
    return page.get_attribute("#report-status", "data-status")


class Counter:
    """Counts what a person does at the desk: form submissions (POSTs from the staff pages) and full page loads
    (a new document in the tab; an htmx update in place is not one). Counting starts when `on` is set."""

    def __init__(self):
        self.on, self.submissions, self.loads = False, 0, 0

    def watch(self, page):
        # Both counted from the requests the page makes, in the order it makes them: a full page load is a GET
        # of a new document in the tab (a redirect after a form's POST included); htmx's requests are not
        # documents. (The "load" event, counted before, arrived late or not at all on a busy machine.)
        def request(req):
            if not self.on:
                return
            if req.method == "POST" and "/staf/" in req.url:
                self.submissions += 1
            elif req.method == "GET" and req.resource_type == "document" and req.frame == page.main_frame:
                self.loads += 1

        page.on("request", request)
        return page


def post(page, button):
    """Press a form's button on a page without JavaScript and wait for the page the redirect leads to."""
    with page.expect_navigation():
        page.click(button)


def move(page, to_status, note=""):
    page.select_option("#id_transition_to_status", to_status)
    if note:
        page.fill("#transition-form textarea[name=note]", note)
    page.click("#do-transition")
    page.wait_for_selector(f"#case-status[data-status={to_status}]")


def test_from_report_to_closed_case(client, desk, live_server, tmp_path):
    """GIVEN a report with a photo and a second report of the same photo
    WHEN a volunteer asks the reporter a question, merges the duplicate and hands the case on,
    AND an officer takes it through penelusuran, klarifikasi (with minutes), kajian and referral to BKN,
    a coordinator approves the referral from the approvals inbox and the officer records BKN's outcome and
    closes it,
    THEN the reporter sees every status change on /lacak/ and could answer the question with a file,
    AND from triage to referral the staff needed at most 10 form submissions, the case page updating in place
    (the figures are printed for the README)."""
    staff("relawan", "relawan", ["35"])
    staff("petugas", "staf", ["35.74"])
    staff("ketua", "koordinator", ["35.74"])
    photo = jpeg_bytes(640, 480, (120, 30, 60))
    receipt = file_report(client, photo, "camat.jpg")
    duplicate = file_report(client, photo, "IMG_0042.jpg")
    report = Report.objects.get(tracking_code=receipt["tracking_code"])
    url = live_server.url
    reporter = desk()
    assert lacak(reporter, url, receipt) == "submitted"
    counted = Counter()

    # The volunteer starts triage and asks for more.
    volunteer = counted.watch(desk("relawan"))
    assert receipt["tracking_code"] in volunteer.inner_text("#queue")
    counted.on = True
    volunteer.click(f"#queue tr[data-id='{report.pk}'] a")
    volunteer.wait_for_selector("#case-status")
    move(volunteer, "triage")
    assert lacak(reporter, url, receipt) == "triage"
    volunteer.fill("#message-form textarea[name=body]", "Mohon kirim foto yang menunjukkan wajah terlapor.")
    volunteer.check("#message-form input[name=question]")
    volunteer.click("#message-form button")
    volunteer.wait_for_selector("#case-status[data-status=needs_info]")

    # The reporter reads the question and answers with a file.
    assert lacak(reporter, url, receipt) == "needs_info"
    assert "wajah terlapor" in reporter.inner_text("#reporter-messages")
    answer = tmp_path / "wajah.jpg"
    answer.write_bytes(jpeg_bytes(320, 240, (10, 200, 10)))
    reporter.fill("#answer-form textarea", "Ini foto dari dekat.")
    reporter.set_input_files("#answer-form input[type=file]", str(answer))
    reporter.click("#send-answer")
    reporter.wait_for_selector("#report-status[data-status=triage]")
    assert report.evidence.filter(original_name="wajah.jpg").exists()

    # Back at the desk: the answer is there, marked new; merge the duplicate (same photo) and hand the case on.
    volunteer.reload()
    assert "Ini foto dari dekat." in volunteer.inner_text("#messages")
    assert volunteer.locator("#new-answer-mark").count() == 1
    assert duplicate["tracking_code"] in volunteer.inner_text("#duplicates")
    volunteer.click("#duplicates form[action$='/absorb/'] button")
    volunteer.wait_for_selector(".alert-success")
    assert Report.objects.get(tracking_code=duplicate["tracking_code"]).status == "merged"
    move(volunteer, "investigation")
    assert lacak(reporter, url, receipt) == "investigation"
    assert lacak(reporter, url, duplicate) == "investigation"  # the merged report follows the case
    case_url = volunteer.url

    # The officer: penelusuran → klarifikasi (scheduling opens it) with minutes → kajian (opens it) → referral.
    officer = counted.watch(desk("petugas"))
    officer.goto(case_url)
    assert re.match(r"001/LP/PL/Kota/35\.74/[IVX]+/\d{4}", officer.inner_text("#case-title"))
    when = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    officer.fill("#schedule-form input[name=scheduled_for]", when)
    officer.fill("#schedule-form input[name=place]", "Kantor Bawaslu Kota Probolinggo")
    officer.click("#schedule-form button")
    officer.wait_for_selector("#case-status[data-status=clarification]")
    officer.wait_for_selector(".minutes-form")
    assert lacak(reporter, url, receipt) == "clarification"
    minutes_file = tmp_path / "berita-acara.pdf"
    minutes_file.write_bytes(b"%PDF-1.4 berita acara klarifikasi")
    officer.fill(".minutes-form textarea", "Terlapor hadir dan mengakui berfoto dengan calon.")
    officer.set_input_files(".minutes-form input[type=file]", str(minutes_file))
    officer.click(".minutes-form button")
    officer.wait_for_selector(".clarification-item em")
    officer.fill("#assessment-form textarea[name=findings]", "Terbukti berfoto dengan simbol jari calon.")
    officer.fill("#assessment-form input[name=legal_basis]", "SKB 2/2022; PP 94/2021 Pasal 5 huruf n")
    officer.select_option("#assessment-form select[name=decision]", "other_law")
    officer.click("#assessment-form button")
    officer.wait_for_selector("#referral-form")
    assert officer.get_attribute("#case-status", "data-status") == "assessment"
    assert lacak(reporter, url, receipt) == "assessment"
    assert "Badan Kepegawaian Negara" in officer.inner_text("#referral-form")
    assert officer.input_value("#assessment-form select[name=decision]") == "other_law"  # the saved decision
    officer.fill("#referral-form input[name=letter_number]", "045/PP.01.02/K.JI-22/12/2024")
    officer.click("#referral-form button")
    officer.wait_for_selector("#referral")
    assert "referred" not in [
        o.get_attribute("value") for o in officer.query_selector_all("#id_transition_to_status option")
    ]

    # The coordinator finds it in the approvals inbox and approves the referral.
    coordinator = counted.watch(desk("ketua"))
    coordinator.goto(url + "/staf/persetujuan/")
    assert coordinator.inner_text("#approvals-count") == "1"
    coordinator.click(f"#approvals tr[data-id='{report.pk}'] a")
    coordinator.click("#do-approve")
    coordinator.wait_for_selector("#case-status[data-status=referred]")
    assert coordinator.inner_text("#approvals-count") == "0"
    counted.on = False
    print(
        f"\nCase path from triage to referral, JavaScript on: {counted.submissions} form submissions, "
        f"{counted.loads} full page loads"
    )
    assert counted.submissions <= 10
    # Loads: the volunteer's case page and its reload for the answer, the officer's case page, the
    # coordinator's inbox and case page; every action updated the page in place.
    assert counted.loads <= 5
    assert lacak(reporter, url, receipt) == "referred"

    # BKN answers; the officer records it and closes the case.
    officer.reload()
    officer.select_option("#outcome-form select[name=outcome]", "sanctioned")
    officer.select_option("#outcome-form select[name=sanction]", "moral")
    officer.fill("#outcome-form input[name=note]", "Surat BKN: pernyataan secara terbuka")
    officer.click("#outcome-form button")
    officer.wait_for_selector("#outcome-saved")
    move(officer, "closed", "Sanksi moral oleh BKN.")
    assert lacak(reporter, url, receipt) == "closed"
    kinds = list(report.events.values_list("kind", flat=True))
    for kind in ("transition", "message", "answer", "merge", "clarification", "assessment", "referral"):
        assert kind in kinds


def test_the_case_path_works_without_javascript(client, desk, live_server, tmp_path):
    """GIVEN staff whose browsers run no JavaScript
    WHEN they take a case from triage to an approved referral with the same forms
    THEN every form posts and comes back to the case (POST, redirect, GET) and the case ends referred."""
    staff("relawan", "relawan", ["35"])
    staff("petugas", "staf", ["35.74"])
    staff("ketua", "koordinator", ["35.74"])
    receipt = file_report(client, jpeg_bytes(320, 240, (90, 90, 200)), "foto.jpg")
    report = Report.objects.get(tracking_code=receipt["tracking_code"])
    counted = Counter()
    volunteer = counted.watch(desk("relawan", javascript=False))
    counted.on = True
    volunteer.click(f"#queue tr[data-id='{report.pk}'] a")
    move(volunteer, "triage")
    move(volunteer, "investigation")
    officer = counted.watch(desk("petugas", javascript=False))
    officer.goto(volunteer.url)
    officer.fill("#schedule-form input[name=scheduled_for]", "2026-12-01T10:00")
    officer.fill("#schedule-form input[name=place]", "Kantor Bawaslu Kota Probolinggo")
    post(officer, "#schedule-form button")
    officer.wait_for_selector("#case-status[data-status=clarification]")
    officer.fill(".minutes-form textarea", "Terlapor hadir.")
    post(officer, ".minutes-form button")
    officer.wait_for_selector(".clarification-item em")
    officer.fill("#assessment-form textarea[name=findings]", "Terbukti.")
    officer.select_option("#assessment-form select[name=decision]", "other_law")
    post(officer, "#assessment-form button")
    officer.wait_for_selector("#referral-form")
    officer.fill("#referral-form input[name=letter_number]", "046/PP.01.02/2024")
    post(officer, "#referral-form button")
    officer.wait_for_selector("#referral")
    coordinator = counted.watch(desk("ketua", javascript=False))
    coordinator.goto(live_server.url + "/staf/persetujuan/")
    coordinator.click(f"#approvals tr[data-id='{report.pk}'] a")
    post(coordinator, "#do-approve")
    coordinator.wait_for_selector("#case-status[data-status=referred]")
    counted.on = False
    print(
        f"\nCase path from triage to referral, JavaScript off: {counted.submissions} form submissions, "
        f"{counted.loads} full page loads"
    )
    assert Report.objects.get(pk=report.pk).status == "referred"
    assert counted.submissions <= 10
    assert counted.loads == counted.submissions + 4  # each post comes back with one load; 4 pages opened
