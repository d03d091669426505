"""The bot check in headless Chromium (issue 9 item 4): with JavaScript on, the ALTCHA widget solves the
challenge in the browser (in its worker, under a strict Content-Security-Policy without 'unsafe-inline') and
the report is filed verified; with JavaScript off the report is filed all the same, unverified."""

import re

import pytest

from complaints.models import Report
from tests.browser.test_report_browser import about_you, context, go_on, what_happened

pytestmark = pytest.mark.browser


def _with_strict_csp(page) -> list[str]:
    """Collect the browser's Content-Security-Policy complaints. The policy is the project's own (django-csp,
    posko/settings.py: no inline script or style, no eval, workers and fetches from the site only), so the
    widget is proven to work under what is deployed; each page's header is checked to be that strict."""
    complaints: list[str] = []

    def seen(response):
        if response.request.resource_type == "document":
            policy = response.headers.get("content-security-policy", "")
            if "script-src 'self'" not in policy or "unsafe-inline" in policy or "unsafe-eval" in policy:
                complaints.append(f"{response.url}: weak or missing policy {policy!r}")

    page.on("response", seen)
    page.on(
        "console",
        lambda msg: (
            complaints.append(f"{page.url}: {msg.text}") if "Content Security Policy" in msg.text else None
        ),
    )
    return complaints


def _to_check_page(page, url: str, *, js: bool) -> None:
    page.goto(url + "/lapor/")
    about_you(page)
    go_on(page, r"/lapor/terlapor/$")
    page.fill("#id_accused-0-name", "Budi Santoso")
    go_on(page, r"/lapor/kejadian/$")
    what_happened(page, js=js)
    go_on(page, r"/lapor/bukti/$")
    go_on(page, r"/lapor/periksa/$")


def _sent(page) -> Report:
    page.click("#submit-report")
    page.wait_for_url(re.compile(r"/lapor/terima/"))
    return Report.objects.get(tracking_code=page.inner_text("#tracking-code").strip())


def test_with_javascript_the_widget_solves_the_challenge_and_the_report_is_verified(
    browser, live_server, ref_data
):
    ctx, page = context(browser, js=True)
    complaints = _with_strict_csp(page)
    _to_check_page(page, live_server.url, js=True)
    # The widget starts at once and solves the proof of work in its worker.
    page.wait_for_selector("altcha-widget [data-state='verified']", timeout=60000)
    assert page.locator("input[name=altcha]").input_value()  # the payload the form will post
    # The honeypot is not for people: one clipped pixel on screen, absent from what screen readers are given.
    box = page.locator("#id_website").locator("xpath=..").bounding_box()  # its clipping wrapper
    assert box["width"] <= 1 and box["height"] <= 1
    assert page.get_by_role("textbox", name="Biarkan kolom ini kosong").count() == 0
    report = _sent(page)
    assert report.bot_check == Report.BotCheck.VERIFIED
    assert report.events.order_by("at", "id").first().data == {"bot_check": "solved"}
    # Nothing was refused by the policy on the check page (the widget's scripts, worker, stylesheet, challenge
    # fetch, and the page's own markup), and no script, worker or fetch anywhere on the way.
    refused = [
        c
        for c in complaints
        if "/lapor/periksa/" in c or re.search(r"script-src|worker-src|connect-src|weak or missing policy", c)
    ]
    assert refused == [], refused
    ctx.close()


def test_without_javascript_the_report_is_filed_unverified(browser, live_server, ref_data):
    ctx, page = context(browser, js=False)
    _to_check_page(page, live_server.url, js=False)
    # The page says why there is no check, and that the report will be received all the same.
    assert "tetap diterima" in page.inner_text("#bot-check")
    report = _sent(page)
    assert report.bot_check == Report.BotCheck.UNVERIFIED
    assert report.events.order_by("at", "id").first().data == {"bot_check": "missing"}
    ctx.close()


def test_send_pressed_before_the_check_is_done_waits_for_it(browser, live_server, ref_data):
    """The browser itself would stop a form whose widget is still working (its checkbox is required then):
    static/js/bot-check.js holds the press and sends once the check is done, so one press files the report."""
    ctx, page = context(browser, js=True)
    _to_check_page(page, live_server.url, js=True)
    report = _sent(page)  # at once, without waiting for the widget
    assert report.bot_check == Report.BotCheck.VERIFIED
    ctx.close()
