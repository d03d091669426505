"""Signing in with the second factor and ending a session, in headless Chromium, as a person does."""

import base64
import re

import pytest
from django_otp.oath import TOTP

from tests.browser.helpers import staff_sign_in
from tests.factories import STAFF_PASSWORD, staff

pytestmark = pytest.mark.browser


def test_first_sign_in_enrols_then_signs_in_with_a_code_without_javascript(browser, live_server, ref_data):
    """GIVEN a new officer WHEN they sign in for the first time (no JavaScript) THEN they scan or type the
    secret, confirm with a code, keep their recovery codes and land on the queue; the next sign-in asks for a
    code only."""
    staff("petugas", "staf", ["35.74"], enrolled=False)
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        page.goto(live_server.url + "/staf/masuk/")
        page.fill("#id_username", "petugas")
        page.fill("#id_password", STAFF_PASSWORD)
        page.click("#sign-in-form button")
        page.wait_for_url(re.compile(r"/staf/masuk/daftar-kode/$"))
        assert page.locator("#qr svg").count() == 1
        secret = page.inner_text("#totp-secret").replace(" ", "")
        good = f"{TOTP(base64.b32decode(secret)).token():06d}"
        page.fill("#id_code", "000000" if good != "000000" else "111111")
        page.click("#enrol-form button")
        assert (
            page.locator("#id_code").count() == 1 and page.locator(".invalid-feedback, .is-invalid").count()
        )
        page.fill("#id_code", f"{TOTP(base64.b32decode(secret)).token():06d}")
        page.click("#enrol-form button")
        assert page.locator("#recovery-codes li").count() == 10
        page.click("#continue")
        page.wait_for_url(re.compile(r"/staf/$"))
        assert page.locator("#queue").count() == 1
        page.click("text=Keluar")
        staff_sign_in(page, live_server.url, "petugas")
        assert page.locator("#queue").count() == 1
    finally:
        context.close()


def test_ending_another_session_signs_that_browser_out(desk):
    """GIVEN an officer signed in on a laptop and on a phone WHEN on the laptop they end the phone's session
    on their account page THEN the phone's next page is the sign-in."""
    staff("staf-akun", "staf", ["35.74"])
    laptop = desk("staf-akun")
    phone = desk("staf-akun", width=360, height=740)
    laptop.goto(laptop.url.replace("/staf/", "/staf/akun/"))
    rows = laptop.locator("#sessions .session-row")
    assert rows.count() == 2
    assert laptop.locator('#sessions .session-row[data-current="1"]').count() == 1
    laptop.locator("#sessions .end-session").click()
    laptop.wait_for_load_state()
    assert laptop.locator("#sessions .session-row").count() == 1
    phone.reload()
    assert "/staf/masuk/" in phone.url and phone.locator("#id_username").count() == 1
    laptop.goto(laptop.url.split("/staf/")[0] + "/staf/")
    assert laptop.locator("#queue").count() == 1  # the laptop stays signed in
