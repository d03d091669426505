"""Lockout (django-axes with a handler of ours): per user name after 10 wrong passwords in the window, per
address only after many more, answered with 429 and when to try again."""

import datetime as dt

from axes.models import AccessAttempt
from django.utils import timezone

from accounts.models import SignInEvent
from tests.accounts.conftest import password_step, sign_in, text


def test_ten_wrong_passwords_lock_the_name_not_the_office(client, people, settings):
    """GIVEN an officer and a colleague at the same address WHEN 10 wrong passwords are typed for the officer
    THEN the officer's name answers 429 with the time to try again, even with the right password, while the
    colleague signs in normally; once the window has passed the officer signs in."""
    for attempt in range(1, 10):
        response = password_step(client, "staf", f"wrong-password-{attempt}")
        assert response.status_code == 200, attempt  # the form again, with its error
    tenth = password_step(client, "staf", "wrong-password-10")
    assert tenth.status_code == 429
    right = password_step(client, "staf")
    assert right.status_code == 429 and int(right["Retry-After"]) > 800
    page = text(right)
    assert "Coba lagi setelah" in page or "Try again after" in page
    until = timezone.localtime(timezone.now() + dt.timedelta(seconds=settings.POSKO_SIGNIN_WINDOW_SECONDS))
    assert until.strftime("%H:%M") in page or (until - dt.timedelta(minutes=1)).strftime("%H:%M") in page
    assert client.get("/staf/masuk/kode/").status_code == 302  # no second step was opened

    colleague = type(client)()  # same address (127.0.0.1)
    assert sign_in(colleague, people["koordinator"]).status_code == 302
    assert colleague.get("/staf/").status_code == 200

    outcomes = list(SignInEvent.objects.filter(user=people["staf"]).values_list("outcome", flat=True))
    assert outcomes.count("bad_password") == 9 and outcomes.count("locked_out") == 2

    # The window passes (the clock is moved, not waited for).
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(seconds=901))
    assert sign_in(client, people["staf"]).status_code == 302
    assert client.get("/staf/").status_code == 200


def test_the_lockout_page_is_in_english_on_request(client, people):
    client.cookies["django_language"] = "en"
    for attempt in range(10):
        password_step(client, "staf", f"wrong-{attempt}")
    response = password_step(client, "staf")
    assert response.status_code == 429 and "Try again after" in text(response)


def test_an_address_is_locked_only_after_many_more_failures(client, people, settings):
    """Guessing across many names from one address stops at the per-address limit (lowered here to 5 so
    the test stays short), for every name at that address; another address is unaffected."""
    settings.POSKO_SIGNIN_MAX_FAILURES_PER_ADDRESS = 5
    for name in ("ani", "budi", "citra", "dodi"):
        assert password_step(client, name, "guess", REMOTE_ADDR="10.9.8.7").status_code == 200
    assert password_step(client, "eko", "guess", REMOTE_ADDR="10.9.8.7").status_code == 429
    assert password_step(client, "koordinator", REMOTE_ADDR="10.9.8.7").status_code == 429
    elsewhere = type(client)()
    assert sign_in(elsewhere, people["koordinator"], REMOTE_ADDR="10.1.1.1").status_code == 302


def test_a_success_clears_the_names_failures_but_not_the_addresss(client, people, settings):
    for attempt in range(5):
        password_step(client, "staf", f"wrong-{attempt}")
    assert sign_in(client, people["staf"]).status_code == 302
    assert not AccessAttempt.objects.filter(username="staf").exists()
    assert AccessAttempt.objects.filter(ip_address="127.0.0.1").count() == 0  # its rows were this name's
    for attempt in range(3):
        password_step(type(client)(), "nobody", f"wrong-{attempt}")
    sign_in(type(client)(), people["koordinator"])
    assert AccessAttempt.objects.get(username="nobody").failures_since_start == 3
