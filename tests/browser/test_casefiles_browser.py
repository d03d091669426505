"""The documents of a case as people handle them in headless Chromium: the reporter finds the registration
notice on /lacak/ and downloads it (with JavaScript and without); the officer schedules a clarification,
issues an invitation, corrects it and attaches the signed scan from the case page."""

import datetime as dt
import hashlib
import io

import pypdf
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from casefiles.models import Letter, SignedScan
from complaints.models import Report
from tests.casefiles.conftest import defaults_ensure, office_make
from tests.factories import staff, valid_api_data

pytestmark = pytest.mark.browser


def pdf_words(data: bytes) -> str:
    return "".join(
        "".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages).split()
    )


def lacak(page, url, receipt) -> None:
    page.goto(url + "/lacak/")
    page.fill("#id_tracking_code", receipt["tracking_code"])
    page.fill("#id_pin", receipt["pin"])
    page.click("form button.btn-primary")
    page.wait_for_selector("#report-status")


def move(page, to_status):
    page.select_option("#id_transition_to_status", to_status)
    page.click("#do-transition")
    page.wait_for_selector(f"#case-status[data-status={to_status}]")


def test_the_reporter_downloads_the_registration_notice_from_lacak(
    client, desk, browser, live_server, tmp_path
):
    """GIVEN a reporter who gave an e-mail address and an office for Kota Probolinggo
    WHEN a volunteer registers the report (hands it on to Bawaslu)
    THEN the reporter's e-mail says only that there is news, and on /lacak/ (after code and PIN, with or
    without JavaScript) the reporter sees the case number and downloads the notice letter naming it."""
    defaults_ensure()
    office_make()
    staff("relawan", "relawan", ["35"])
    response = client.post(reverse("api:report_create"), valid_api_data(reporter_email="siti@example.org"))
    assert response.status_code == 201, response.content
    receipt = response.json()
    report = Report.objects.get(tracking_code=receipt["tracking_code"])

    volunteer = desk("relawan")
    volunteer.goto(live_server.url + reverse("staff:case", args=[report.pk]))
    move(volunteer, "triage")
    move(volunteer, "investigation")
    report.refresh_from_db()
    notice = Letter.objects.get(report=report, kind=Letter.Kind.NOTICE_REGISTERED)
    [message] = [m for m in mail.outbox if m.to == ["siti@example.org"]]
    assert report.case_number not in message.body and "kabar" in message.body

    reporter = desk()
    lacak(reporter, live_server.url, receipt)
    assert reporter.inner_text("#case-number") == report.case_number
    with reporter.expect_download() as caught:
        reporter.click(".notice-download")
    saved = tmp_path / "pemberitahuan.pdf"
    caught.value.save_as(saved)
    data = saved.read_bytes()
    assert hashlib.sha256(data).hexdigest() == notice.sha256
    assert "".join(report.case_number.split()) in pdf_words(data)
    reporter.set_viewport_size({"width": 360, "height": 740})
    reporter.screenshot(path=str(tmp_path / "lacak-360.png"), full_page=True)

    # Without JavaScript the page and the download work the same.
    context = browser.new_context(java_script_enabled=False, locale="id-ID")
    try:
        plain = context.new_page()
        lacak(plain, live_server.url, receipt)
        assert report.case_number in plain.inner_text("#case-news")
        with plain.expect_download() as caught:
            plain.click(".notice-download")
        assert caught.value.suggested_filename.endswith(".pdf")
    finally:
        context.close()


def test_the_officer_issues_corrects_and_files_the_signed_scan(desk, live_server, tmp_path):
    defaults_ensure()
    office_make()
    relawan = staff("relawan", "relawan", ["35"])
    staff("petugas", "staf", ["35.74"])
    from tests.casefiles.conftest import registered_case

    report = registered_case({"relawan": relawan})
    officer = desk("petugas")
    officer.goto(live_server.url + reverse("staff:case", args=[report.pk]))
    move(officer, "clarification")
    when = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT09:30")
    officer.fill("#schedule-form input[name=scheduled_for]", when)
    officer.fill("#schedule-form input[name=place]", "Ruang Sidang Bawaslu Kota Probolinggo")
    officer.click("#schedule-form button")
    officer.wait_for_selector(".minutes-form")

    # An invitation to a witness, from the documents card.
    officer.click("#issue-letter summary")
    officer.select_option("#issue-form select[name=kind]", "undangan")
    officer.select_option("#issue-form select[name=recipient_role]", "witness")
    officer.select_option("#issue-form select[name=clarification]", index=1)
    officer.fill("#issue-form input[name=recipient_name]", "Pak RT Suyono")
    officer.fill("#issue-form textarea[name=recipient_detail]", "Ketua RT 03 Kanigaran")
    officer.click("#issue-letter-button")
    officer.wait_for_selector("#letters .letter-row")
    letter = Letter.objects.get(report=report, kind=Letter.Kind.INVITATION)
    assert letter.number in officer.inner_text("#letters")
    officer.screenshot(path=str(tmp_path / "documents.png"), full_page=True)
    with officer.expect_download() as caught:
        officer.click(f"#letters tr[data-id='{letter.pk}'] .letter-download")
    saved = tmp_path / "undangan.pdf"
    caught.value.save_as(saved)
    words = pdf_words(saved.read_bytes())
    assert "PakRTSuyono" in words and "RuangSidangBawasluKotaProbolinggo" in words

    # A correction: a second version with the same number; the first stays listed as superseded.
    officer.click(f"#letters tr[data-id='{letter.pk}'] details summary")
    officer.fill(f"#letters tr[data-id='{letter.pk}'] input[name=reason]", "Nama saksi dilengkapi.")
    officer.click(f"#letters tr[data-id='{letter.pk}'] .correct-form button")
    officer.wait_for_selector("#letters tr[data-version='2']")
    assert "digantikan" in officer.inner_text(f"#letters tr[data-id='{letter.pk}']")

    # The signed paper comes back scanned.
    scan = tmp_path / "undangan-ttd.pdf"
    scan.write_bytes(b"%PDF-1.4 undangan yang sudah ditandatangani")
    officer.click("#upload-scan summary")
    officer.select_option(
        "#scan-form select[name=form_model]", label="Undangan klarifikasi (bertanda tangan)"
    )
    officer.set_input_files("#scan-form input[type=file]", str(scan))
    officer.click("#upload-scan-button")
    officer.wait_for_selector("#scans .scan-row")
    stored = SignedScan.objects.get(report=report)
    assert stored.sha256 == hashlib.sha256(scan.read_bytes()).hexdigest()
