"""The tracking PIN's HMAC has its own key ring; rotating it keeps old PINs working (issue 9)."""

import hashlib
import hmac

from django.urls import reverse

from complaints.models import Report
from complaints.services import codes
from tests.factories import ReportFactory
from tests.privacy.conftest import file_by_api, secret_key

TRACK = reverse("api:report_track")


def _track(client, code, pin, address="192.0.2.10"):
    return client.post(
        TRACK, {"tracking_code": code, "pin": pin}, content_type="application/json", REMOTE_ADDR=address
    )


def test_the_pin_hash_uses_the_pin_key_not_secret_key(client, db, settings):
    key = secret_key()
    settings.POSKO_PIN_KEYS = [key]
    created = file_by_api(client)
    report = Report.objects.get(tracking_code=created["tracking_code"])
    expected = hmac.new(
        key.encode(), f"{report.pin_salt}:{created['pin']}".encode(), hashlib.sha256
    ).hexdigest()
    assert report.pin_hash == expected and report.pin_key == codes.pin_key_id(key)
    settings.SECRET_KEY = "another-secret-key-entirely-" + secret_key()
    assert _track(client, created["tracking_code"], created["pin"]).status_code == 200


def test_old_pins_still_work_after_the_pin_key_rotates(client, db, settings):
    old, new = secret_key(), secret_key()
    settings.POSKO_PIN_KEYS = [old]
    created = file_by_api(client)
    settings.POSKO_PIN_KEYS = [new, old]
    fresh = file_by_api(client)
    assert Report.objects.get(tracking_code=fresh["tracking_code"]).pin_key == codes.pin_key_id(new)
    assert _track(client, created["tracking_code"], "000000").status_code == 404
    assert _track(client, created["tracking_code"], created["pin"]).status_code == 200
    # Used once, the old PIN was hashed again under the new key: the old key can now be retired.
    report = Report.objects.get(tracking_code=created["tracking_code"])
    assert report.pin_key == codes.pin_key_id(new)
    settings.POSKO_PIN_KEYS = [new]
    assert _track(client, created["tracking_code"], created["pin"]).status_code == 200
    assert _track(client, fresh["tracking_code"], fresh["pin"]).status_code == 200


def test_a_pin_whose_key_was_retired_no_longer_matches(client, db, settings):
    old, new = secret_key(), secret_key()
    settings.POSKO_PIN_KEYS = [old]
    created = file_by_api(client)
    settings.POSKO_PIN_KEYS = [new]
    assert _track(client, created["tracking_code"], created["pin"]).status_code == 404


def test_pins_made_with_secret_key_before_the_pin_keys_still_work_and_move_to_the_new_key(
    client, db, settings
):
    report = ReportFactory(pin_key="")
    legacy = hmac.new(settings.SECRET_KEY.encode(), f"{report.pin_salt}:123456".encode(), hashlib.sha256)
    Report.objects.filter(pk=report.pk).update(pin_hash=legacy.hexdigest())
    assert _track(client, report.tracking_code, "123456").status_code == 200
    report.refresh_from_db()
    assert report.pin_key == codes.pin_key_current() and report.pin_hash != legacy.hexdigest()
    assert _track(client, report.tracking_code, "123456").status_code == 200


def test_the_reencrypt_command_reports_which_pin_keys_are_in_use(db, settings, capsys):
    from django.core.management import call_command

    ReportFactory(pin_key="")
    ReportFactory()
    call_command("identity_reencrypt")
    out = capsys.readouterr().out
    assert f"tracking PINs under key {codes.pin_key_current()}: 1" in out
    assert "tracking PINs under key SECRET_KEY (filed before the PIN keys): 1" in out
