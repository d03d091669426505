"""manage.py admin_create: the first administrator of a deployment, with the Admin role through the staff
service, never a superuser; the password through Django's validators; nothing made on a refusal."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from complaints.models import StaffProfile

GOOD = "kuda-lumping-sembilan-9"


def run(monkeypatch, *args, password=None):
    if password is None:
        monkeypatch.delenv("POSKO_ADMIN_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("POSKO_ADMIN_PASSWORD", password)
    out = io.StringIO()
    call_command("admin_create", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_creates_an_admin_with_the_admin_role_and_says_how_to_enrol(monkeypatch, settings, client):
    settings.POSKO_SITE_URL = "https://posko.example.org"
    out = run(
        monkeypatch, "--username", "admin", "--email", "it@bawaslu.example", "--no-input", password=GOOD
    )
    user = User.objects.get(username="admin")
    assert user.check_password(GOOD) and user.email == "it@bawaslu.example"
    assert StaffProfile.objects.get(user=user).role == StaffProfile.Role.ADMIN
    assert user.is_staff and not user.is_superuser
    assert "https://posko.example.org/staf/masuk/daftar-kode/" in out
    assert "https://posko.example.org/staf/masuk/" in out
    # The password works at the real sign-in page (the second factor comes next).
    response = client.post("/staf/masuk/", {"username": "admin", "password": GOOD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_it_asks_when_not_given(monkeypatch):
    answers = iter(["admin2", "admin2@bawaslu.example"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt: GOOD)
    run(monkeypatch)
    assert StaffProfile.objects.get(user__username="admin2").role == StaffProfile.Role.ADMIN


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, password, message",
    [
        (["--username", "admin", "--email", "it@bawaslu.example"], "pendek", "12"),
        (["--username", "admin", "--email", "it@bawaslu.example"], None, "POSKO_ADMIN_PASSWORD"),
        (["--username", "admin", "--email", "bukan-email"], GOOD, "not an e-mail"),
        (["--email", "it@bawaslu.example"], GOOD, "--username"),
    ],
)
def test_it_refuses_and_creates_nothing(monkeypatch, args, password, message):
    with pytest.raises(CommandError, match=message):
        run(monkeypatch, *args, "--no-input", password=password)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_name_taken(monkeypatch):
    User.objects.create_user("Admin", "x@example.org", GOOD)
    with pytest.raises(CommandError, match="exists already"):
        run(monkeypatch, "--username", "admin", "--email", "it@bawaslu.example", "--no-input", password=GOOD)
    assert User.objects.count() == 1
