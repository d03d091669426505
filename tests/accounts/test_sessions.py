"""Sessions end after the idle limit and the absolute limit; a user sees their sign-ins and sessions and ends
their own (only); passwords are reset by e-mail and follow Django's validators with 12 characters at least."""

import datetime as dt
import re
import time

from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone

from accounts.models import SignedInSession
from tests.accounts.conftest import english, password_step, sign_in, text


def test_a_session_ends_after_an_hour_idle(client, people, settings):
    """GIVEN a signed-in officer WHEN no request comes for longer than the idle limit THEN the next one is sent
    to sign in. Each request moves the expiry on; the clock is moved by setting the expiry back."""
    assert settings.SESSION_COOKIE_AGE == 3600 and settings.SESSION_SAVE_EVERY_REQUEST
    sign_in(client, people["staf"])
    assert client.get("/staf/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    left = (session.expire_date - timezone.now()).total_seconds()
    assert 3500 < left <= 3600  # an hour from the last request
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/staf/")
    assert response.status_code == 302 and response["Location"].startswith("/staf/masuk/")


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client, people, settings):
    assert settings.POSKO_SESSION_MAX_SECONDS == 12 * 3600
    sign_in(client, people["staf"])
    session = client.session
    session["accounts_signed_in_at"] = time.time() - 12 * 3600 - 1
    session.save()
    response = client.get("/staf/")
    assert response.status_code == 302 and response["Location"].startswith("/staf/masuk/")
    assert client.get("/staf/").status_code == 302


def test_the_account_page_lists_sign_ins_and_sessions(client, people):
    password_step(
        client, "staf", "a-wrong-password", HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
    )
    sign_in(
        client,
        people["staf"],
        REMOTE_ADDR="10.20.30.40",
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
    )
    page = text(english(client).get("/staf/akun/"))
    assert "Recent sign-ins" in page and "Wrong password" in page and "Signed in" in page
    assert "10.20.30.40" in page and "Chrome 120" in page and "Firefox 128" in page
    assert "this browser" in page


def test_a_user_ends_their_other_session_and_that_browser_is_signed_out(client, people):
    laptop, phone = client, type(client)()
    sign_in(laptop, people["staf"])
    sign_in(phone, people["staf"], HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Chrome/121.0 Mobile")
    assert phone.get("/staf/").status_code == 200
    phone_record = SignedInSession.objects.get(session_key=phone.session.session_key)
    response = laptop.post(f"/staf/akun/sesi/{phone_record.pk}/akhiri/")
    assert response.status_code == 302
    assert phone.get("/staf/").status_code == 302  # signed out
    assert laptop.get("/staf/").status_code == 200  # still in
    assert list(SignedInSession.objects.filter(user=people["staf"])) == [
        SignedInSession.objects.get(session_key=laptop.session.session_key)
    ]


def test_a_user_cannot_end_someone_elses_session(client, people):
    other = type(client)()
    sign_in(other, people["koordinator"])
    theirs = SignedInSession.objects.get(user=people["koordinator"])
    sign_in(client, people["staf"])
    client.post(f"/staf/akun/sesi/{theirs.pk}/akhiri/")
    assert other.get("/staf/").status_code == 200
    assert f"akun/sesi/{theirs.pk}/" not in client.get("/staf/akun/").content.decode()


def test_ending_all_other_sessions(client, people):
    sign_in(client, people["staf"])
    others = [type(client)() for _ in range(2)]
    for other in others:
        other.force_login(people["staf"])
    client.post("/staf/akun/sesi/akhiri-lainnya/")
    assert [c.get("/staf/").status_code for c in others] == [302, 302]
    assert client.get("/staf/").status_code == 200


def test_signing_out_forgets_the_session(client, people):
    sign_in(client, people["staf"])
    client.post("/staf/keluar/")
    assert not SignedInSession.objects.filter(user=people["staf"]).exists()


def test_a_password_is_reset_by_email(client, people):
    """GIVEN an officer who forgot their password WHEN they ask for a reset THEN a link comes by e-mail
    (Indonesian by default), a short password is refused, a good one is set; the second factor is still asked
    for, the old password no longer works, and sessions signed in before are ended."""
    before = type(client)()
    sign_in(before, people["staf"])
    response = client.post("/staf/sandi/lupa/", {"email": "staf@posko.test"})
    assert response.status_code == 302 and response["Location"] == "/staf/sandi/lupa/terkirim/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["staf@posko.test"]
    message = mail.outbox[0]
    assert "Atur ulang" in message.subject or "atur ulang" in message.subject.lower()
    link = re.search(r"https?://[^/\s]+(/staf/sandi/atur/\S+/)", message.body).group(1)
    assert link in message.alternatives[0][0]
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    short = client.post(set_url, {"new_password1": "pendek-123", "new_password2": "pendek-123"})
    assert short.status_code == 200 and "12" in text(short)
    done = client.post(
        set_url, {"new_password1": "sandi-baru-yang-panjang", "new_password2": "sandi-baru-yang-panjang"}
    )
    assert done.status_code == 302 and done["Location"] == "/staf/sandi/atur/selesai/"
    assert before.get("/staf/").status_code == 302
    assert password_step(type(client)(), "staf").status_code == 200  # the old password fails
    fresh = type(client)()
    assert sign_in(fresh, people["staf"], password="sandi-baru-yang-panjang").status_code == 302
    assert client.get(link, follow=True).context["validlink"] is False  # used once


def test_the_reset_mail_is_in_english_on_request_and_silent_for_strangers(client, people):
    english(client).post("/staf/sandi/lupa/", {"email": "staf@posko.test"})
    assert "reset your password" in mail.outbox[0].subject and "within one hour" in mail.outbox[0].body
    client.post("/staf/sandi/lupa/", {"email": "nobody@example.org"})
    assert len(mail.outbox) == 1


def test_a_password_change_follows_the_validators(client, people):
    sign_in(client, people["staf"])
    data = {
        "old_password": "posko-test-password-1",
        "new_password1": "short-pass1",
        "new_password2": "short-pass1",
    }
    refused = english(client).post("/staf/akun/sandi/", data)
    assert refused.status_code == 200 and "at least 12 characters" in text(refused)
    data.update(new_password1="123456789012345", new_password2="123456789012345")
    assert "entirely numeric" in text(client.post("/staf/akun/sandi/", data))
    data.update(new_password1="pengawas-netral-2024", new_password2="pengawas-netral-2024")
    assert client.post("/staf/akun/sandi/", data).status_code == 302
    assert client.get("/staf/").status_code == 200  # this session stays


def test_the_account_page_costs_the_same_queries_with_more_sessions(client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, people["staf"])
    client.get("/staf/akun/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/staf/akun/").status_code == 200
    for _ in range(6):
        type(client)().force_login(people["staf"])
    with CaptureQueriesContext(connection) as many:
        page = client.get("/staf/akun/")
    assert page.content.decode().count('class="session-row"') == 7
    assert len(many) == len(few)


def test_a_pages_refresh_of_its_session_commits_asynchronously_and_moves_the_expiry(client, people):
    """GIVEN a signed-in officer WHEN a page leaves the session's data as it was THEN its save only moves the
    expiry on, in a transaction that does not wait for the disk; a page that changes the session (signing in,
    signing out) is written as Django writes it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        sign_in(client, people["staf"])
    assert not any("synchronous_commit" in q["sql"] for q in ctx.captured_queries)
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + dt.timedelta(seconds=60))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/staf/").status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    asynchronous = sql.index("SET LOCAL synchronous_commit TO OFF")
    assert sql[asynchronous + 1].startswith('UPDATE "django_session"')
    assert (Session.objects.get(pk=key).expire_date - timezone.now()).total_seconds() > 3500
    assert client.session.session_key == key and client.get("/staf/").status_code == 200
