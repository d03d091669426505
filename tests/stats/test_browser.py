"""The statistics pages as people use them, in headless Chromium on a 360-px phone: a coordinator drills down
and downloads a table; a citizen reads the public figures with JavaScript off."""

import re
from pathlib import Path

import pytest

from tests.browser.helpers import staff_sign_in
from tests.factories import staff
from tests.stats.conftest import case, wib

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_coordinator_drills_down_and_downloads_a_table_on_a_phone(phone_page, live_server):
    staff("koordinator", "koordinator", ["35"])
    for i in range(4):
        case(created=wib(2024, 10, 1 + i, 9), first_move=wib(2024, 10, 1 + i, 11))
    case(created=wib(2024, 10, 2, 9), region="35.13.01")
    case(created=wib(2024, 10, 2, 9), region="31.71.01")  # Jakarta: not theirs
    page = phone_page
    staff_sign_in(page, live_server.url, "koordinator")
    page.click("text=Statistik")
    page.wait_for_url(re.compile(r"/staf/statistik/$"))
    assert page.inner_text("#stats-headline").split()[0] == "5"
    assert no_sideways_scroll(page)
    # The charts' text stays readable on a phone.
    label = page.locator('svg[data-chart="status"] text').first.bounding_box()
    assert label["height"] >= 11
    page.click('table[data-table="region"] >> text=Kota Probolinggo')
    page.wait_for_url(re.compile(r"region=35\.74"))
    assert "Kota Probolinggo" in page.inner_text("nav .breadcrumb")
    assert page.inner_text("#stats-headline").split()[0] == "4"
    with page.expect_download() as download:
        page.click("#region a:has-text('CSV')")
    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert body.splitlines()[0].startswith("code,") and "35.74.04" in body


def test_a_citizen_reads_the_public_figures_without_javascript(browser, live_server, ref_data):
    for i in range(6):
        case(created=wib(2024, 10, 1 + i, 9))
        case(created=wib(2024, 2, 1 + i, 9), election="pemilu-2024")
    case(created=wib(2024, 10, 2, 9), region="31.71.01")
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="id-ID"
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        page.click("footer >> text=Statistik")
        page.wait_for_url(re.compile(r"/statistik/$"))
        row = page.locator('table[data-table="province"] tr', has_text="Daerah Khusus Ibukota Jakarta")
        assert "< 5" in row.inner_text()
        # Jawa Timur's Pilkada count is hidden with Jakarta's: its bar shows the Pemilu reports, "> 6".
        assert "Jawa Timur: > 6" in page.locator('svg[data-chart="province"] g title').first.text_content()
        assert no_sideways_scroll(page)
        response = page.request.get(live_server.url + "/statistik/data.json")
        assert response.ok and response.json()["threshold"] == 5
    finally:
        context.close()
