"""Staff API tokens (django-rest-knox): made on the account page and shown once, stored as digests, listed,
revoked by their owner, expiring; a revoked or expired token gets 401."""

import datetime as dt
import re

from django.db import connection
from django.utils import timezone
from knox.models import AuthToken

from tests.accounts.conftest import sign_in, text
from tests.factories import ReportFactory


def _make_token(client, days=30):
    response = client.post("/staf/akun/token/", {"days": days})
    assert response.status_code == 200
    return re.search(r'id="new-token-value">([0-9a-f]+)<', response.content.decode()).group(1)


def _api(client, token, url="/api/v1/cases/"):
    return client.get(url, HTTP_AUTHORIZATION=f"Token {token}")


def test_a_token_is_shown_once_and_stored_only_as_a_digest(client, people):
    sign_in(client, people["staf"])
    token = _make_token(client)
    assert len(token) == 64
    api = type(client)()
    assert _api(api, token).status_code == 200
    row = AuthToken.objects.get(user=people["staf"])
    assert row.token_key == token[:15] and token not in row.digest
    # Nothing in the table is the token or lets one in: not the digest, not the stored first characters.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        stored = " ".join(str(v) for r in cursor.fetchall() for v in r)
    assert token not in stored
    assert _api(api, row.digest).status_code == 401 and _api(api, row.token_key).status_code == 401
    page = client.get("/staf/akun/").content.decode()
    assert token[:15] in page and token not in page  # listed by its first characters, never shown again


def test_a_token_is_revoked_by_its_owner_only(client, people):
    sign_in(client, people["staf"])
    token = _make_token(client)
    other = type(client)()
    sign_in(other, people["koordinator"])
    other.post("/staf/akun/token/cabut/", {"token_key": token[:15]})
    assert _api(type(client)(), token).status_code == 200  # someone else cannot revoke it
    client.post("/staf/akun/token/cabut/", {"token_key": token[:15]})
    response = _api(type(client)(), token)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert not AuthToken.objects.exists()


def test_an_expired_token_gets_401(client, people):
    sign_in(client, people["staf"])
    token = _make_token(client, days=1)
    AuthToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert _api(type(client)(), token).status_code == 401
    assert not AuthToken.objects.exists()  # knox deletes it on the way


def test_token_lifetimes_and_counts_are_bounded(client, people, settings):
    sign_in(client, people["staf"])
    settings.POSKO_API_TOKENS_PER_USER = 2
    refused = client.post("/staf/akun/token/", {"days": settings.POSKO_API_TOKEN_MAX_DAYS + 1})
    assert refused.status_code == 400 and not AuthToken.objects.exists()
    assert client.post("/staf/akun/token/", {"days": "soon"}).status_code == 400
    _make_token(client)
    _make_token(client)
    third = client.post("/staf/akun/token/", {"days": 5})
    assert third.status_code == 400 and "cabut" in text(third).lower()
    assert AuthToken.objects.count() == 2
    expiry = AuthToken.objects.order_by("created").first().expiry
    assert abs((expiry - timezone.now()) - dt.timedelta(days=30)) < dt.timedelta(minutes=1)


def test_without_credentials_the_staff_api_answers_401(client, people):
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token " + "0" * 64).status_code == 401


def test_a_token_follows_its_owners_jurisdiction(client, people):
    report = ReportFactory()
    sign_in(client, people["outsider"])
    token = _make_token(client)
    assert _api(type(client)(), token, f"/api/v1/cases/{report.pk}/").status_code == 404


def test_the_admin_lists_and_revokes_tokens(client, people):
    AuthToken.objects.create(user=people["staf"])
    client.force_login(people["admin"])
    page = client.get("/admin/knox/authtoken/").content.decode()
    row = AuthToken.objects.get()
    assert row.token_key in page
    response = client.post(f"/admin/knox/authtoken/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not AuthToken.objects.exists()
