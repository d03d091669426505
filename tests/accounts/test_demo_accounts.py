"""bin/run's demo accounts come enrolled, all with the one TOTP secret the README prints, so the embedded
portal signs in as production does."""

import base64

from django.contrib.auth.models import User
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from complaints.services.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET


def test_seed_demo_enrols_every_demo_account_with_the_readme_secret(client, db):
    call_command("seed_demo", reports=0)
    assert DEMO_TOTP_SECRET == "POSKODEMOPOSKODEMOPOSKODEMOPOSKO"  # the README prints this one
    key = base64.b32decode(DEMO_TOTP_SECRET).hex()
    for username in ("admin", "koordinator", "staf", "relawan"):
        device = TOTPDevice.objects.get(user__username=username)
        assert device.confirmed and device.key == key
    flags = {u.username: u.is_staff for u in User.objects.all()}
    assert flags == {"admin": True, "koordinator": False, "staf": False, "relawan": False}
    assert not User.objects.filter(is_superuser=True).exists()

    # A person types the secret into an authenticator app and signs in with its code.
    code = f"{TOTP(base64.b32decode(DEMO_TOTP_SECRET)).token():06d}"
    step = client.post("/staf/masuk/", {"username": "koordinator", "password": DEMO_PASSWORD})
    assert step["Location"] == "/staf/masuk/kode/"
    assert client.post("/staf/masuk/kode/", {"code": code})["Location"] == "/staf/"
    assert client.get("/staf/").status_code == 200
    admin = type(client)()
    admin.post("/staf/masuk/", {"username": "admin", "password": DEMO_PASSWORD})
    assert admin.post("/staf/masuk/kode/", {"code": code})["Location"] == "/admin/"  # its own device
    assert admin.get("/admin/").status_code == 200


def test_seed_demo_enrols_demo_accounts_made_before_and_keeps_a_real_authenticator(db):
    User.objects.create_user("staf", "staf@posko.local", DEMO_PASSWORD)
    relawan = User.objects.create_user("relawan", "relawan@posko.local", DEMO_PASSWORD)
    own = TOTPDevice.objects.create(user=relawan, name="authenticator", confirmed=True)
    call_command("seed_demo", reports=0)
    assert TOTPDevice.objects.get(user__username="staf").key == base64.b32decode(DEMO_TOTP_SECRET).hex()
    assert list(TOTPDevice.objects.filter(user=relawan)) == [own]
