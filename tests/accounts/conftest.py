"""Three people at every door, and signing in the way a person does: through the pages."""

import re

import pytest

from tests.factories import STAFF_PASSWORD, staff, totp_code, totp_device_for


@pytest.fixture
def people(db):
    """The report fixtures lie in Kota Probolinggo (35.74): a volunteer of Jawa Timur, an officer and a
    coordinator of the city, an officer of Jakarta (31), and an admin."""
    return {
        "relawan": staff("relawan", "relawan", ["35"]),
        "staf": staff("staf", "staf", ["35.74"]),
        "koordinator": staff("koordinator", "koordinator", ["35.74"]),
        "outsider": staff("outsider", "staf", ["31"]),
        "admin": staff("admin", "admin", []),
    }


def password_step(client, username, password=STAFF_PASSWORD, next_url="", **extra):
    data = {"username": username, "password": password}
    url = "/staf/masuk/" + (f"?next={next_url}" if next_url else "")
    if next_url:
        data["next"] = next_url
    return client.post(url, data, **extra)


def sign_in(client, user, password=STAFF_PASSWORD, next_url="", **extra):
    """Password, then the authenticator's code, through the real pages. Returns the last response."""
    response = password_step(client, user.username, password, next_url, **extra)
    assert response.status_code == 302 and response["Location"] == "/staf/masuk/kode/", response
    return client.post("/staf/masuk/kode/", {"code": totp_code(totp_device_for(user))}, **extra)


def english(client):
    client.cookies["django_language"] = "en"
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())
