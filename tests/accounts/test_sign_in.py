"""Signing in through the real pages: password, then the authenticator's code; enrolment on the first
sign-in; recovery codes; a safe `next`; a session verified by nothing is not trusted."""

import base64
import datetime as dt
import re
import time

from django.contrib.auth.models import User
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SignInEvent
from tests.accounts.conftest import english, password_step, sign_in, text
from tests.factories import staff, totp_code, totp_device_for


def test_it_signs_in_with_password_then_code(client, people, settings):
    """GIVEN an enrolled officer WHEN they give their password THEN they are not signed in yet; a wrong code
    is refused and recorded; the right one signs them in, verified by their authenticator."""
    officer = people["staf"]
    step = password_step(client, "staf")
    assert step.status_code == 302 and step["Location"] == "/staf/masuk/kode/"
    assert client.get("/staf/").status_code == 302  # the password alone opens nothing
    good = totp_code(totp_device_for(officer))
    wrong = client.post("/staf/masuk/kode/", {"code": "000000" if good != "000000" else "111111"})
    assert wrong.status_code == 400 and "tidak benar" in text(wrong)
    assert SignInEvent.objects.filter(user=officer, outcome="bad_code").count() == 1
    # django-otp slows wrong codes down (by default 1 s, 2 s, 4 s …; a minute here, so that a slow machine
    # cannot outwait it): right away even the right code waits.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    throttled = client.post("/staf/masuk/kode/", {"code": totp_code(totp_device_for(officer))})
    assert throttled.status_code == 400 and "Coba lagi setelah" in text(throttled)
    _move_throttle_clock()
    done = client.post("/staf/masuk/kode/", {"code": totp_code(totp_device_for(officer))})
    assert done.status_code == 302 and done["Location"] == "/staf/"
    assert client.get("/staf/").status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == totp_device_for(officer).persistent_id
    assert SignInEvent.objects.filter(user=officer, outcome="success").count() == 1


def _move_throttle_clock():
    """As if the back-off after a wrong code had passed (the clock is moved, not waited for)."""
    past = timezone.now() - dt.timedelta(minutes=5)
    TOTPDevice.objects.update(throttling_failure_timestamp=past)
    StaticDevice.objects.update(throttling_failure_timestamp=past)


def test_a_code_is_not_accepted_twice(client, people):
    device = totp_device_for(people["staf"])
    code = totp_code(device)
    password_step(client, "staf")
    assert client.post("/staf/masuk/kode/", {"code": code}).status_code == 302
    other = type(client)()
    password_step(other, "staf")
    assert other.post("/staf/masuk/kode/", {"code": code}).status_code == 400


def test_a_wrong_password_never_reaches_the_code(client, people):
    response = password_step(client, "staf", "not-the-password-at-all")
    assert response.status_code == 200 and "/staf/masuk/kode/" not in response.get("Location", "")
    assert client.get("/staf/masuk/kode/").status_code == 302  # back to the start
    assert SignInEvent.objects.get(user=people["staf"]).outcome == "bad_password"


def test_the_second_step_waits_only_a_few_minutes(client, people, settings):
    password_step(client, "staf")
    session = client.session
    session["accounts_pending"]["at"] = time.time() - settings.POSKO_2FA_PENDING_SECONDS - 1
    session.save()
    response = client.post("/staf/masuk/kode/", {"code": totp_code(totp_device_for(people["staf"]))})
    assert response.status_code == 302 and response["Location"] == "/staf/masuk/"
    assert client.get("/staf/").status_code == 302


def test_the_first_sign_in_enrols_an_authenticator_and_gives_recovery_codes(client, db):
    """GIVEN a new officer without an authenticator WHEN they sign in THEN they see a QR code drawn on the
    server and the secret as text; a code from that secret confirms it and shows ten recovery codes once,
    each of which later signs in once."""
    newcomer = staff("baru", "staf", ["35.74"], enrolled=False)
    step = password_step(client, "baru")
    assert step["Location"] == "/staf/masuk/daftar-kode/"
    page = client.get("/staf/masuk/daftar-kode/")
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "<?xml" not in body
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', body).group(1).replace(" ", "")
    again = client.get("/staf/masuk/daftar-kode/").content.decode()
    assert secret in again.replace(" ", "")  # a reload keeps the same secret
    assert client.post("/staf/masuk/daftar-kode/", {"code": "12345"}).status_code == 400
    _move_throttle_clock()
    totp = TOTP(base64.b32decode(secret))
    done = client.post("/staf/masuk/daftar-kode/", {"code": f"{totp.token():06d}"})
    assert done.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=newcomer).confirmed
    assert client.get("/staf/").status_code == 200
    client.post("/staf/keluar/")
    assert client.get("/staf/").status_code == 302

    password_step(client, "baru")
    assert client.post("/staf/masuk/kode/", {"code": codes[0]}).status_code == 302
    assert client.get("/staf/").status_code == 200
    client.post("/staf/keluar/")
    password_step(client, "baru")
    assert client.post("/staf/masuk/kode/", {"code": codes[0]}).status_code == 400  # used up
    _move_throttle_clock()
    assert client.post("/staf/masuk/kode/", {"code": codes[1].upper()}).status_code == 302


def test_enrolment_is_not_offered_to_someone_already_enrolled(client, people):
    password_step(client, "staf")
    assert client.get("/staf/masuk/daftar-kode/")["Location"] == "/staf/masuk/kode/"
    assert not TOTPDevice.objects.filter(user=people["staf"], confirmed=False).exists()


def test_next_is_followed_only_inside_the_site(client, people):
    assert sign_in(client, people["staf"], next_url="/staf/akun/")["Location"] == "/staf/akun/"
    other = type(client)()
    assert sign_in(other, people["koordinator"], next_url="https://evil.example/")["Location"] == "/staf/"
    third = type(client)()
    assert sign_in(third, people["relawan"], next_url="//evil.example/x")["Location"] == "/staf/"


def test_admins_land_in_the_admin(client, people):
    assert sign_in(client, people["admin"])["Location"] == "/admin/"


def test_a_session_signed_in_without_the_second_factor_is_not_trusted(client, people):
    client.force_login(people["staf"])
    assert client.get("/staf/").status_code == 200
    session = client.session
    del session[DEVICE_ID_SESSION_KEY]
    session.save()
    assert client.get("/staf/").status_code == 302


def test_a_lost_phone_is_reset_by_the_admin_and_sessions_verified_by_it_stop(client, people):
    client.force_login(people["staf"])
    admin = type(client)()
    admin.force_login(people["admin"])
    response = admin.post(
        "/admin/auth/user/",
        {"action": "reset_second_factor", "_selected_action": [people["staf"].pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=people["staf"]).exists()
    assert client.get("/staf/").status_code == 302
    assert password_step(type(client)(), "staf")["Location"] == "/staf/masuk/daftar-kode/"


def test_pages_speak_english_on_request(client, people):
    english(client)
    assert "Staff sign-in" in text(client.get("/staf/masuk/"))
    password_step(client, "staf")
    assert "Sign-in code" in text(client.get("/staf/masuk/kode/"))


def test_an_inactive_user_cannot_sign_in(client, people):
    User.objects.filter(pk=people["staf"].pk).update(is_active=False)
    assert password_step(client, "staf").status_code == 200
    assert client.get("/staf/masuk/kode/").status_code == 302  # the right password, still refused
