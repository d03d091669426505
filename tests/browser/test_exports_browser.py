"""An officer exports a case bundle and a recap from the staff pages, in headless Chromium, with a real Celery
worker building them: the export page follows the build (htmx with JavaScript, a self-refreshing page
without), and both files download with the bytes the portal recorded."""

import csv
import hashlib
import io
import re
import zipfile

import pytest
from django.contrib.auth.models import User

from exports.models import Export
from tests.browser.helpers import staff_sign_in
from tests.exports.conftest import _export_key, export_key_file, export_worker, people  # noqa: F401 (fixtures)
from tests.exports.helpers import rich_case

pytestmark = [pytest.mark.browser, pytest.mark.worker]
REASON = "Diteruskan ke BKN sebagai lampiran rekomendasi"


def downloaded(page, selector: str) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    path = info.value.path()
    with open(path, "rb") as fh:
        return fh.read()


def wait_done(page) -> None:
    page.wait_for_selector('#export-status[data-status="done"]', timeout=120_000)


def test_an_officer_exports_a_bundle_and_a_recap_and_downloads_both(export_worker, desk, live_server, people):  # noqa: F811
    case = rich_case(people, letters=False)
    page = desk("petugas")

    # The bundle, from the case page.
    page.goto(f"{live_server.url}/staf/kasus/{case.pk}/")
    page.fill("#export-reason", REASON)
    page.click("#case-export-button")
    page.wait_for_url(re.compile(r"/staf/ekspor/[0-9a-f-]+/$"))
    status = page.locator("#export-status")
    assert status.get_attribute("data-status") in ("pending", "running", "done")
    wait_done(page)  # htmx polls the status fragment until the worker is done
    assert "berkas" in page.locator("#export-progress").inner_text()
    bundle = Export.objects.get(kind="bundle")
    data = downloaded(page, "#export-download")
    assert hashlib.sha256(data).hexdigest() == bundle.sha256 == page.locator("#export-sha256").inner_text()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert any(n.endswith("/SHA256SUMS.sig") for n in names) and any(
        n.endswith("/berkas-perkara.pdf") for n in names
    )

    # The recap, from the queue with its filter.
    page.goto(f"{live_server.url}/staf/?status=open")
    page.click("#recap-export summary")
    page.select_option("#recap-kind", "csv")
    page.fill("#recap-reason", "Rekap bulanan untuk kantor provinsi")
    page.click("#recap-export-button")
    page.wait_for_url(re.compile(r"/staf/ekspor/[0-9a-f-]+/$"))
    wait_done(page)
    recap = Export.objects.get(kind="csv")
    assert recap.filters == {"status": "open"}
    data = downloaded(page, "#export-download")
    assert hashlib.sha256(data).hexdigest() == recap.sha256
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert data.startswith(b"\xef\xbb\xbf") and [r[1] for r in rows[1:]] == [case.tracking_code]


def test_without_javascript_the_export_page_refreshes_itself_until_the_file_is_ready(
    export_worker,  # noqa: F811
    browser,
    live_server,
    people,  # noqa: F811
):
    rich_case(people, letters=False)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.set_default_timeout(20000)
        staff_sign_in(page, live_server.url, "petugas")
        page.goto(live_server.url + "/staf/")
        page.click("#recap-export summary")
        page.fill("#recap-reason", "Rekap mingguan untuk rapat pleno")
        page.click("#recap-export-button")  # XLSX, the default
        page.wait_for_url(re.compile(r"/staf/ekspor/[0-9a-f-]+/$"))
        wait_done(page)  # only the page's own refresh can bring this: no script runs
        recap = Export.objects.get(kind="xlsx")
        assert recap.requested_by == User.objects.get(username="petugas")
        data = downloaded(page, "#export-download")
        assert hashlib.sha256(data).hexdigest() == recap.sha256 and data.startswith(b"PK")
    finally:
        context.close()
