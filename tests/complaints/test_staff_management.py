"""Staff management in /staf/ (issue 10, item 13): an admin invites people by e-mail (they choose their own
password through a one-time link that expires), sets role and jurisdiction, deactivates and reactivates them,
and keeps the dated list of referral agencies. Three people: the admin, a coordinator, an outsider."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from complaints.models import ReferralAgency, StaffInvite
from tests.factories import staff

PAGES = ["staff:users", "staff:agencies"]


@pytest.fixture
def people(db):
    return {
        "admin": staff("kepala", "admin", []),
        "koordinator": staff("koordinator", "koordinator", ["35.74"]),
        "relawan": staff("relawan", "relawan", ["35"]),
    }


def invite(client, admin, **overrides):
    client.force_login(admin)
    data = {
        "email": "dewi@bawaslu.test",
        "full_name": "Dewi Lestari",
        "role": "staf",
        "regions": "Jawa Timur, 35.74",
        "organisation": "Bawaslu Kota Probolinggo",
        "username": "",
    }
    data.update(overrides)
    return client.post(reverse("staff:users"), data)


def link_in(message) -> str:
    return re.search(r"https?://\S+/staf/undangan/\S+/", message.body).group(0)


def test_three_people_at_the_management_pages(client, people):
    for name in PAGES:
        client.force_login(people["admin"])
        assert client.get(reverse(name)).status_code == 200
        client.force_login(people["koordinator"])
        refused = client.get(reverse(name))
        assert refused.status_code == 403 and "admin" in refused.content.decode().lower()
        client.force_login(User.objects.get_or_create(username="plain")[0])  # no role at all
        assert client.get(reverse(name)).status_code == 404
        client.logout()
        assert client.get(reverse(name)).status_code == 302
    client.force_login(people["koordinator"])
    assert invite(client, people["koordinator"]).status_code == 403
    assert not User.objects.filter(email="dewi@bawaslu.test").exists()


def test_an_invitee_chooses_a_password_through_a_one_time_link(
    client, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, people["admin"])
    assert response.status_code == 302
    user = User.objects.get(email="dewi@bawaslu.test")
    assert user.username == "dewi" and not user.has_usable_password()
    assert user.posko.role == "staf" and sorted(user.posko.regions.values_list("code", flat=True)) == [
        "35",
        "35.74",
    ]
    assert not user.is_superuser
    link = link_in(mail.outbox[-1])
    assert mail.outbox[-1].to == ["dewi@bawaslu.test"] and "dewi" in mail.outbox[-1].body
    assert StaffInvite.objects.get(user=user).token_hash not in link  # only the hash is kept

    client.logout()
    path = link.split("127.0.0.1:8000")[-1]
    assert client.get(path).status_code == 200
    weak = client.post(path, {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 400  # the password rules apply
    done = client.post(path, {"password1": "Kantor-Bawaslu-2024", "password2": "Kantor-Bawaslu-2024"})
    assert done.status_code == 302
    assert User.objects.get(username="dewi").check_password("Kantor-Bawaslu-2024")
    assert client.get(path).status_code == 404  # a link works once
    assert 'id="invite-expired"' in client.get(path).content.decode()


def test_an_expired_or_replaced_link_does_not_work(client, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, people["admin"])
    user = User.objects.get(email="dewi@bawaslu.test")
    first = link_in(mail.outbox[-1]).split("127.0.0.1:8000")[-1]
    StaffInvite.objects.filter(user=user).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(first).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(people["admin"])
        client.post(reverse("staff:user_state", args=[user.pk, "invite"]))
    second = link_in(mail.outbox[-1]).split("127.0.0.1:8000")[-1]
    client.logout()
    assert first != second and client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_bad_input_is_explained_and_kept(client, people):
    response = invite(client, people["admin"], regions="Jawa Timor", email="bukan-email")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Jawa Timor" in html and "Dewi Lestari" in html  # what was typed stays
    assert "“Jawa Timor”" in html or "&ldquo;Jawa Timor&rdquo;" in html or "Jawa Timor”" in html
    assert not User.objects.filter(first_name="Dewi").exists()
    staff("dewi", "relawan", ["35"])
    User.objects.filter(username="dewi").update(email="dewi@bawaslu.test")
    again = invite(client, people["admin"])
    assert again.status_code == 400 and User.objects.filter(email="dewi@bawaslu.test").count() == 1


def test_an_admin_sets_role_and_jurisdiction(client, people):
    person = people["relawan"]
    client.force_login(people["admin"])
    url = reverse("staff:user_edit", args=[person.pk])
    data = {
        "email": "relawan@posko.test",
        "full_name": "Rina Relawan",
        "role": "koordinator",
        "regions": "Kota Probolinggo",
        "organisation": "",
    }
    assert client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.posko.role == "koordinator" and list(
        person.posko.regions.values_list("code", flat=True)
    ) == ["35.74"]
    assert person.groups.filter(name="koordinator").exists()
    before = person.posko.regions.count()
    client.post(url, data)  # unchanged
    assert person.posko.regions.count() == before
    # Promote to admin and back: the admin's door (is_staff) opens and shuts with the role; nobody becomes a
    # superuser (admins hold exactly the Admin group's permissions).
    client.post(url, {**data, "role": "admin", "regions": ""})
    promoted = User.objects.get(pk=person.pk)
    assert promoted.is_staff and not promoted.is_superuser and promoted.groups.filter(name="admin").exists()
    client.post(url, {**data, "role": "staf"})
    assert not User.objects.get(pk=person.pk).is_staff
    # An admin cannot take the admin role from themselves.
    own = client.post(
        reverse("staff:user_edit", args=[people["admin"].pk]),
        {"email": "a@b.test", "full_name": "Kepala", "role": "staf", "regions": "35", "organisation": ""},
    )
    assert own.status_code == 400 and User.objects.get(pk=people["admin"].pk).is_staff


def test_deactivating_signs_a_person_out_and_reactivating_lets_them_in(client, people):
    person = people["relawan"]
    from django.test import Client

    theirs = Client()
    theirs.force_login(person)
    assert theirs.get(reverse("staff:home")).status_code == 200
    client.force_login(people["admin"])
    client.post(reverse("staff:user_state", args=[person.pk, "deactivate"]))
    assert not User.objects.get(pk=person.pk).is_active
    assert theirs.get(reverse("staff:home")).status_code == 302  # signed out at the next request
    client.post(reverse("staff:user_state", args=[person.pk, "activate"]))
    assert User.objects.get(pk=person.pk).is_active
    client.post(reverse("staff:user_state", args=[people["admin"].pk, "deactivate"]))
    assert User.objects.get(pk=people["admin"].pk).is_active  # not yourself
    client.force_login(people["koordinator"])
    assert client.post(reverse("staff:user_state", args=[person.pk, "deactivate"])).status_code == 403
    assert User.objects.get(pk=person.pk).is_active


def test_agencies_are_a_dated_lookup_without_overlaps(client, people):
    client.force_login(people["admin"])
    new_body = {
        "new-name": "Komisi Pengawas Netralitas ASN",
        "new-code": "kpn",
        "new-kind": "asn",
        "new-valid_from": "2027-01-01",
        "new-valid_until": "",
    }
    clash = client.post(reverse("staff:agencies"), new_body)
    assert clash.status_code == 400 and "Badan Kepegawaian Negara" in clash.content.decode()
    bkn = ReferralAgency.objects.get(code="bkn")
    edit = {
        "name": bkn.name,
        "code": "bkn",
        "kind": "asn",
        "valid_from": "2024-08-24",
        "valid_until": "2026-12-31",
    }
    assert client.post(reverse("staff:agency_edit", args=[bkn.pk]), edit).status_code == 302
    assert client.post(reverse("staff:agencies"), new_body).status_code == 302
    assert ReferralAgency.for_date("asn", dt.date(2026, 12, 31)).code == "bkn"
    assert ReferralAgency.for_date("asn", dt.date(2027, 1, 1)).code == "kpn"
    backwards = {**edit, "valid_from": "2025-01-01", "valid_until": "2024-12-31"}
    assert client.post(reverse("staff:agency_edit", args=[bkn.pk]), backwards).status_code == 400
    client.force_login(people["koordinator"])
    assert client.post(reverse("staff:agency_edit", args=[bkn.pk]), {**edit, "name": "X"}).status_code == 403
    assert ReferralAgency.objects.get(pk=bkn.pk).name != "X"
