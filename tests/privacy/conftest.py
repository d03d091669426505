"""Helpers for the reporter-privacy tests (issue 9): distinctive identity values, filing reports through the API
and the form, fresh keys, and reading the raw database."""

import base64
import os
import secrets

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.urls import reverse

from tests.complaints.report_flow import file_report
from tests.factories import valid_api_data, valid_form_data

# Values that appear nowhere else in the test data, so finding one means finding this reporter.
IDENTITY = {
    "reporter_name": "Wulandari Kusumaningtyas",
    "reporter_address": "Jl. Cempaka Putih Gang Mawar 77, Kota Probolinggo",
    "reporter_phone": "081399887766",
    "reporter_email": "wulan.kusuma@example.net",
    "reporter_nik": "3574015203880007",
}


def identity_values(identity: dict | None = None) -> list[str]:
    return list((identity or IDENTITY).values())


def fernet_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def secret_key() -> str:
    return secrets.token_urlsafe(32)


def file_by_api(client, identity: dict | None = None, **extra) -> dict:
    response = client.post(reverse("api:report_create"), valid_api_data(**(identity or IDENTITY)), **extra)
    assert response.status_code == 201, response.content
    return response.json()


def file_by_form(client, identity: dict | None = None, **extra) -> str:
    """Files through /lapor/, step by step as a browser without JavaScript does (`extra` goes with every
    request, e.g. REMOTE_ADDR), and returns the tracking code from the receipt's address."""
    client.defaults.update(extra)
    try:
        response = file_report(client, valid_form_data(**(identity or IDENTITY)))
    finally:
        for name in extra:
            client.defaults.pop(name, None)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def database_text() -> str:
    """Every row of every table, as text, with Django's sessions decoded: what someone holding a copy of the
    database (and no key) could read."""
    parts = []
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the introspection)
            parts.extend(repr(row) for row in cur.fetchall())
        cur.execute("SELECT session_data FROM django_session")
        parts.extend(repr(SessionStore().decode(data)) for (data,) in cur.fetchall())
    return "\n".join(parts)


@pytest.fixture
def raw_report_row():
    def read(pk: int) -> dict:
        with connection.cursor() as cur:
            cur.execute("SELECT * FROM complaints_report WHERE id = %s", [pk])
            names = [c.name for c in cur.description]
            return dict(zip(names, cur.fetchone(), strict=True))

    return read
