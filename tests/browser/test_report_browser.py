"""What a reporter does on a phone, in headless Chromium: the report form step by step with JavaScript off and
on, adding and removing rows, fixing a mistake from the error summary, a resumed upload, the location warning,
the receipt PDF, and an accessibility check (axe-core) of every public page."""

import datetime as dt
import hashlib
import io
import os
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from complaints.models import Report
from evidence.models import ResumableUpload, StagedUpload
from tests.browser.axe import axe_violations
from tests.factories import jpeg_bytes
from tests.samples import jpeg_with_exif

pytestmark = pytest.mark.browser


def assert_accessible(page, name: str) -> None:
    """axe-core (vendored from npm, never from a CDN) finds no serious or critical issue on the page, every
    rule included, WCAG 2.2's target size too."""
    bad = [(v["id"], v["impact"], v["nodes"][:3]) for v in axe_violations(page, all_rules=True)]
    assert bad == [], f"{name}: {bad}"


def context(browser, *, js: bool):
    ctx = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=js,
        has_touch=js,
        locale="id-ID",
        java_script_enabled=js,
    )
    page = ctx.new_page()
    page.set_default_timeout(20000)
    return ctx, page


def about_you(page, *, name="Siti Aminah"):
    page.check("#id_anonymous_0")
    page.fill("#id_reporter_name", name)
    page.fill("#id_reporter_address", "Jl. Suroyo 12, Kota Probolinggo")
    page.fill("#id_reporter_phone", "0812 3456 7890")
    page.fill("#id_reporter_nik", "3574014107900003")
    page.check("input[name=reporter_type][value=voter]")


def what_happened(page, *, js: bool):
    today = timezone.localdate()
    page.select_option("#id_election", "pilkada-2024")
    page.fill("#id_incident_date", (today - dt.timedelta(days=2)).isoformat())
    page.fill("#id_known_date", (today - dt.timedelta(days=1)).isoformat())
    page.select_option("#id_incident_region_l1", "35")
    if not js:  # the picker's "load the next level" button, a real submit button
        page.click(".region-picker button")
    page.wait_for_selector("#id_incident_region_l2 option[value='35.74']", state="attached")
    page.select_option("#id_incident_region_l2", "35.74")
    if not js:
        page.click(".region-picker button")
    page.wait_for_selector("#id_incident_region_l3 option[value='35.74.04']", state="attached")
    page.fill("#id_incident_place", "Kantor Kecamatan Kanigaran")
    page.check("input[name=categories][value=etik-foto-bersama]")
    page.fill(
        "#id_chronology", "Camat berfoto bersama calon wali kota dengan simbol dua jari di kantor kecamatan."
    )


def go_on(page, url_part: str):
    page.click("#continue")
    page.wait_for_url(re.compile(url_part))


def receipt_pdf_text(page) -> str:
    with page.expect_download() as info:
        page.click("#receipt-pdf")
    with open(info.value.path(), "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return "\n".join(p.extract_text() for p in reader.pages)


def test_a_report_filed_step_by_step_without_javascript(browser, live_server, ref_data, tmp_path):
    """GIVEN a phone with JavaScript off
    WHEN the reporter makes a mistake, follows the error summary's link, adds and removes a terlapor, a file
    and a link, and sends the report
    THEN every button worked as a plain form post, the report is filed with what was kept, and the receipt
    PDF carries the tracking code, the PIN and what happens next."""
    ctx, page = context(browser, js=False)
    url = live_server.url
    photo, other = tmp_path / "foto_camat.jpg", tmp_path / "salah.jpg"
    photo.write_bytes(jpeg_bytes(640, 480))
    other.write_bytes(jpeg_bytes(320, 240, (0, 90, 0)))

    page.goto(url + "/lapor/")
    about_you(page, name="")
    page.click("#continue")
    page.wait_for_selector("#error-summary")
    page.click("#error-summary a[href='#id_reporter_name']")
    assert page.evaluate("document.activeElement.id") == "id_reporter_name"
    page.fill("#id_reporter_name", "Siti Aminah")
    go_on(page, r"/lapor/terlapor/$")

    page.fill("#id_accused-0-name", "Orang Salah")
    page.click("#add-accused")
    page.fill("#id_accused-1-name", "Budi Santoso")
    page.fill("#id_accused-1-position", "Camat Kanigaran")
    page.click("#accused-0 .remove-accused")
    assert page.input_value("#id_accused-0-name") == "Budi Santoso"
    assert page.locator(".accused-form").count() == 1
    go_on(page, r"/lapor/kejadian/$")

    what_happened(page, js=False)
    go_on(page, r"/lapor/bukti/$")

    page.set_input_files("#id_files", [str(other)])
    page.click("#upload-files")
    page.wait_for_selector(".kept-file[data-name='salah.jpg']")
    page.click(".kept-file[data-name='salah.jpg'] .remove-file")
    page.wait_for_selector(".kept-file", state="detached")
    page.set_input_files("#id_files", [str(photo)])
    page.fill("#id_new_caption", "Foto di kantor")
    page.click("#upload-files")
    page.wait_for_selector(".kept-file[data-name='foto_camat.jpg']")
    page.fill("#id_links-0-url", "https://example.org/salah")
    page.click("#add-link")
    page.fill("#id_links-1-url", "https://www.instagram.com/p/C1abcDEF/?igshid=xyz")
    page.click("#link-0 .remove-link")
    assert page.input_value("#id_links-0-url").startswith("https://www.instagram.com/")
    go_on(page, r"/lapor/periksa/$")

    text = page.inner_text("main")
    assert "Budi Santoso" in text and "Orang Salah" not in text and "foto_camat.jpg" in text
    assert "salah.jpg" not in text and "example.org" not in text
    page.click("#submit-report")
    page.wait_for_url(re.compile(r"/lapor/terima/"))
    code = page.inner_text("#tracking-code").strip()
    pin = page.inner_text("#tracking-pin").strip()
    report = Report.objects.get(tracking_code=code)
    assert [a.name for a in report.accused.all()] == ["Budi Santoso"]
    files = list(report.evidence.exclude(kind="link"))
    assert [(f.original_name, f.caption) for f in files] == [("foto_camat.jpg", "Foto di kantor")]
    assert files[0].file.read() == photo.read_bytes()
    assert list(report.evidence.filter(kind="link").values_list("url", flat=True)) == [
        "https://www.instagram.com/p/C1abcDEF/?igshid=xyz"
    ]
    pdf = receipt_pdf_text(page)
    assert code in pdf and pin in pdf
    assert "TANDA BUKTI PENYAMPAIAN LAPORAN" in pdf and "Apa yang terjadi selanjutnya" in pdf
    assert timezone.localtime(report.created_at).strftime("%Y") in pdf
    ctx.close()


def test_a_report_filed_with_javascript_and_an_upload_resumed_after_the_connection_dropped(
    phone_page, live_server, settings, tmp_path
):
    """GIVEN a phone with JavaScript on, sending a video in 64 KB pieces
    WHEN the connection drops in the middle of the file and the reporter presses "try again"
    THEN the upload goes on from where the server stopped (not from the start), the kept file's bytes and
    hash are the video's, and the report is filed; every public page passes axe-core."""
    settings.POSKO_UPLOAD_CHUNK_BYTES = 64 * 1024
    page, url = phone_page, live_server.url
    video = tmp_path / "rekaman.mp4"
    content = os.urandom(600 * 1024)
    video.write_bytes(content)

    page.goto(url + "/")
    assert_accessible(page, "home")
    page.goto(url + "/lapor/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    assert_accessible(page, "about you")
    page.check("#id_anonymous_0")
    page.click("#continue")
    page.wait_for_selector("#error-summary")
    # The summary has the focus, and each link takes the focus to its field.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert_accessible(page, "about you, with errors")
    page.click("#error-summary a[href='#id_reporter_address']")
    assert page.evaluate("document.activeElement.id") == "id_reporter_address"
    about_you(page)
    go_on(page, r"/lapor/terlapor/$")
    assert_accessible(page, "terlapor")
    page.fill("#id_accused-0-name", "Budi Santoso")
    page.click("#add-accused")
    page.wait_for_selector("#id_accused-1-name")
    page.click("#accused-1 .remove-accused")
    page.wait_for_selector("#id_accused-1-name", state="detached")
    go_on(page, r"/lapor/kejadian/$")
    assert_accessible(page, "what happened")
    what_happened(page, js=True)
    go_on(page, r"/lapor/bukti/$")
    assert_accessible(page, "evidence")

    patches: list[int] = []
    cut = {"on": False, "after": 3}

    def route(route):
        request = route.request
        if request.method == "PATCH":
            offset = int(request.headers.get("upload-offset", "-1"))
            patches.append(offset)
            if cut["on"] or len(patches) > cut["after"]:
                cut["on"] = True
                return route.abort("connectionreset")
        return route.continue_()

    page.route("**/lapor/unggah/**", route)
    page.set_input_files("#id_files", str(video))
    page.wait_for_selector(".upload-retry", timeout=60000)
    assert page.locator(".upload-item .upload-error[role=alert]").is_visible()
    upload = ResumableUpload.objects.get()
    kept_offset = upload.offset
    assert 0 < kept_offset < len(content)  # stopped mid-file, with the first pieces stored
    cut["on"], cut["after"] = False, 10**6
    resumed_from = len(patches)
    page.click(".upload-retry")
    page.wait_for_selector(".kept-file[data-name='rekaman.mp4']", timeout=60000)
    # The first piece sent after "try again" started at the stored offset, not at 0.
    assert patches[resumed_from] == kept_offset
    staged = StagedUpload.objects.get()
    with staged.file.open("rb") as fh:
        stored = fh.read()
    assert len(stored) == len(content)
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(content).hexdigest()
    assert_accessible(page, "evidence, with a kept file")

    page.click("#add-link")
    page.wait_for_selector("#id_links-1-url")
    page.fill("#id_links-1-url", "https://www.facebook.com/camat/posts/1")
    page.click("#link-0 .remove-link")
    page.wait_for_selector("#id_links-1-url", state="detached")
    go_on(page, r"/lapor/periksa/$")
    assert_accessible(page, "check your answers")
    page.click("#submit-report")
    page.wait_for_url(re.compile(r"/lapor/terima/"))
    assert_accessible(page, "receipt")
    code = page.inner_text("#tracking-code").strip()
    pin = page.inner_text("#tracking-pin").strip()
    report = Report.objects.get(tracking_code=code)
    item = report.evidence.get(original_name="rekaman.mp4")
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    pdf = receipt_pdf_text(page)
    assert code in pdf and pin in pdf

    page.goto(url + "/lacak/")
    assert_accessible(page, "tracking")
    page.fill("#id_tracking_code", code.lower())
    page.fill("#id_pin", pin)
    page.click("form button.btn-primary")
    page.wait_for_selector("#report-status")
    assert_accessible(page, "tracking result")


def test_a_file_too_large_is_refused_before_anything_is_sent(phone_page, live_server, tmp_path):
    page = phone_page
    big = tmp_path / "video_besar.mp4"
    with open(big, "wb") as fh:
        fh.truncate(110 * 1024 * 1024)  # 110 MB (sparse): over the 100 MB limit
    page.goto(live_server.url + "/lapor/")
    about_you(page)
    go_on(page, r"/lapor/terlapor/$")
    page.goto(live_server.url + "/lapor/bukti/")
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method != "GET" else None)
    page.set_input_files("#id_files", str(big))
    error = page.locator(".upload-refused .upload-error")
    error.wait_for()
    assert "video_besar.mp4" in error.inner_text() and "100 MB" in error.inner_text()
    page.wait_for_timeout(500)
    assert sent == []
    assert StagedUpload.objects.count() == 0 and ResumableUpload.objects.count() == 0


def _to_evidence_with_a_located_photo(page, url, photo, *, js: bool):
    page.goto(url + "/lapor/")
    about_you(page)
    go_on(page, r"/lapor/terlapor/$")
    page.fill("#id_accused-0-name", "Budi Santoso")
    go_on(page, r"/lapor/kejadian/$")
    what_happened(page, js=js)
    go_on(page, r"/lapor/bukti/$")
    page.set_input_files("#id_files", str(photo))
    if not js:
        page.click("#upload-files")
    page.wait_for_selector(".location-warning")


def test_a_reporter_warned_about_a_photos_location_removes_it(phone_page, live_server, tmp_path):
    page = phone_page
    photo = tmp_path / "di_rumah.jpg"
    photo.write_bytes(jpeg_with_exif())
    _to_evidence_with_a_located_photo(page, live_server.url, photo, js=True)
    warning = page.inner_text(".location-warning")
    assert "lokasi" in warning and "Petugas Bawaslu" in warning
    assert_accessible(page, "evidence, location warning")
    # Going on without choosing is not possible: the summary points at the file.
    page.click("#continue")
    page.wait_for_selector("#error-summary")
    page.click(".location-warning .remove-located")
    page.wait_for_selector(".kept-file", state="detached")
    assert StagedUpload.objects.count() == 0
    go_on(page, r"/lapor/periksa/$")
    page.click("#submit-report")
    page.wait_for_url(re.compile(r"/lapor/terima/"))
    assert not Report.objects.get().evidence.exclude(kind="link").exists()


def test_a_reporter_warned_about_a_photos_location_sends_it_anyway(browser, live_server, ref_data, tmp_path):
    ctx, page = context(browser, js=False)
    photo = tmp_path / "di_kantor.jpg"
    photo.write_bytes(jpeg_with_exif())
    _to_evidence_with_a_located_photo(page, live_server.url, photo, js=False)
    page.click(".location-warning .keep-location")
    page.wait_for_selector(".location-warning.alert-secondary")
    go_on(page, r"/lapor/periksa/$")
    assert "dengan lokasi" in page.inner_text("#check-evidence")
    page.click("#submit-report")
    page.wait_for_url(re.compile(r"/lapor/terima/"))
    item = Report.objects.get().evidence.get(original_name="di_kantor.jpg")
    # Staff get the place from the pipeline's metadata; the reporter chose to send it.
    assert item.metadata["gps"]["latitude"] == pytest.approx(-7.7543, abs=1e-3)
    ctx.close()
