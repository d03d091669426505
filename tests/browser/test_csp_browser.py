"""The Content-Security-Policy holds in a real browser (issue 9, item 5): headless Chromium reports no violation
(no blocked inline script or style, no blocked resource) on the report form's steps, the tracking page, the
staff queue, a case page, the statistics and the API docs."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints.models import Report
from tests.browser.test_report_browser import about_you, go_on, what_happened
from tests.factories import jpeg_bytes, staff, valid_api_data

pytestmark = pytest.mark.browser

# Runs in every page before the page's own scripts (Playwright injects it; the page's policy does not apply).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Violations:
    """Collects violations from the page (its event) and from Chromium's console, page after page."""

    def __init__(self, page):
        self.page, self.seen = page, []
        page.context.add_init_script(LISTEN)
        page.on(
            "console",
            lambda msg: self.seen.append(msg.text) if "Content Security Policy" in msg.text else None,
        )

    def check(self, where: str) -> None:
        self.page.wait_for_load_state("load")
        found = self.seen + self.page.evaluate("window.__cspViolations || []")
        assert found == [], f"{where}: {found}"
        # The listener is there: a violation would have been seen (an inline script is refused here).
        assert self.page.evaluate("Array.isArray(window.__cspViolations)"), where


def test_the_policy_is_in_force_and_the_listener_sees_a_violation(desk, live_server):
    page = desk()
    watch = Violations(page)
    page.goto(live_server.url + "/lacak/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.ran") is None
    assert any("script-src" in v for v in page.evaluate("window.__cspViolations"))
    watch.seen.clear()


def test_no_violation_on_the_citizens_pages(desk, live_server, client):
    page = desk(width=360, height=740)
    watch = Violations(page)
    url = live_server.url
    page.goto(url + "/")
    watch.check("home")
    page.goto(url + "/lapor/")
    watch.check("about you")
    about_you(page)
    go_on(page, r"/lapor/terlapor/$")
    watch.check("terlapor")
    page.fill("#id_accused-0-name", "Budi Santoso")
    page.click("#add-accused")  # a row added by the script
    page.wait_for_selector("#id_accused-1-name")
    page.click("#accused-1 .remove-accused")
    page.wait_for_selector("#id_accused-1-name", state="detached")
    go_on(page, r"/lapor/kejadian/$")
    watch.check("what happened")
    what_happened(page, js=True)
    go_on(page, r"/lapor/bukti/$")
    watch.check("evidence")
    page.fill("#id_links-0-url", "https://www.facebook.com/camat/posts/1")
    go_on(page, r"/lapor/periksa/$")
    watch.check("check")
    page.click("#submit-report")
    page.wait_for_url(re.compile(r"/lapor/terima/"))
    watch.check("receipt")
    code = page.inner_text("#tracking-code").strip()
    pin = page.inner_text("#tracking-pin").strip()
    page.goto(url + "/lacak/")
    watch.check("tracking")
    page.fill("#id_tracking_code", code)
    page.fill("#id_pin", pin)
    page.click("form button.btn-primary")
    page.wait_for_selector("#report-status")
    watch.check("tracking result")
    page.goto(url + "/statistik/")
    watch.check("public statistics")
    page.goto(url + "/api/docs/")
    page.wait_for_selector(".swagger-ui .info")
    watch.check("API docs")


def test_no_violation_on_the_staff_pages(desk, live_server, client):
    response = client.post(
        reverse("api:report_create"),
        valid_api_data(files=[SimpleUploadedFile("foto.jpg", jpeg_bytes(), "image/jpeg")], links=[]),
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get(tracking_code=response.json()["tracking_code"])
    staff("koordinator", "koordinator", ["35"])
    page = desk("koordinator")
    watch = Violations(page)
    url = live_server.url
    page.goto(url + "/staf/")
    watch.check("queue")
    page.goto(url + f"/staf/kasus/{report.pk}/")
    page.wait_for_selector("#chronology")
    watch.check("case")
    page.goto(url + "/staf/statistik/")
    watch.check("staff statistics")
    page.goto(url + "/staf/audit/")
    page.wait_for_selector("#audit-filters")
    watch.check("audit trail")
