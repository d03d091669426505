"""Browser fixtures: a desk of browser contexts, one per person, signed in the way a person signs in."""

import pytest

from tests.browser.helpers import staff_sign_in


@pytest.fixture
def desk(browser, live_server, ref_data):
    """`desk("petugas")` opens a desktop-sized browser signed in as that staff user (made with
    tests.factories.staff); `desk()` opens one for a citizen. Contexts close after the test."""
    contexts = []

    def open_as(username=None, *, width=1280, height=900, javascript=True):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="id-ID", java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20000)
        if username:
            staff_sign_in(page, live_server.url, username)
        return page

    yield open_as
    for context in contexts:
        context.close()
