"""What browser tests share: signing in through the staff sign-in pages, as a person does."""

import re

from tests.factories import STAFF_PASSWORD, totp_code


def staff_sign_in(page, base_url: str, username: str, password: str = STAFF_PASSWORD) -> None:
    """Sign in at /staf/masuk/ by typing the user name and password, then the code the user's authenticator
    shows (computed from their device in the test database), pressing the buttons; returns on the staff
    queue (the admin's home, /admin/, for the Admin role). Every browser test signs in through here, so a change to signing in changes one place."""
    from django.contrib.auth.models import User

    from tests.factories import totp_device_for

    page.goto(base_url + "/staf/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form button.btn-primary")
    page.wait_for_url(re.compile(r"/staf/masuk/kode/$"))
    page.fill("#id_code", totp_code(totp_device_for(User.objects.get(username=username))))
    page.click("form button.btn-primary")
    page.wait_for_url(re.compile(r"/(staf|admin)/$"))
