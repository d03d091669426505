"""What browser tests share: signing in through the staff sign-in page, as a person does."""

import re

from tests.factories import STAFF_PASSWORD


def staff_sign_in(page, base_url: str, username: str, password: str = STAFF_PASSWORD) -> None:
    """Sign in at /staf/masuk/ by typing the user name and password and pressing the button; returns on the
    staff queue. Every browser test signs in through here, so a change to signing in changes one place."""
    page.goto(base_url + "/staf/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button.btn-primary")
    page.wait_for_url(re.compile(r"/staf/$"))
