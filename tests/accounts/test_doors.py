"""Every door that shows a report, three people each (issue 9): the one allowed, a colleague with less right,
an outsider. A volunteer never sees a reporter's identity or a photo's coordinates; an officer of another
province cannot reach a case by guessing its id; only the Admin role enters /admin/."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from knox.models import AuthToken

from complaints.models import Region, Report, StaffProfile
from complaints.services import access, registry, workflow
from evidence.models import DuplicateMatch
from tests import samples
from tests.accounts.conftest import english, text
from tests.evidence.helpers import attach, process
from tests.factories import AccusedFactory, ReportFactory, staff

S = Report.Status
IDENTITY = ["Siti Aminah", "Jl. Suroyo 12", "081234567890", "siti@example.org", "3574014107900003"]


@pytest.fixture
def case(people):
    """A case in investigation in Kota Probolinggo, with an identified reporter and a photo carrying GPS."""
    report = ReportFactory(reporter_email="siti@example.org", reporter_nik="3574014107900003")
    AccusedFactory(report=report)
    # What intake indexes for search (terlapor, place, chronology): never the reporter.
    Report.objects.filter(pk=report.pk).update(search_text=registry.report_search_text(report))
    process(attach(report, samples.jpeg_with_exif(), "IMG_1.jpg", "image/jpeg"))
    workflow.case_transition(report=report, user=people["relawan"], to_status=S.TRIAGE)
    return workflow.case_transition(report=report, user=people["relawan"], to_status=S.INVESTIGATION)


def as_(client, user):
    client.force_login(user)
    return client


def api(client, user, url):
    _row, token = AuthToken.objects.create(user=user)
    return client.get(url, HTTP_AUTHORIZATION=f"Token {token}")


# --- The case page, the evidence page and the staff API ---------------------------------------------------


def test_the_case_page_masks_the_reporter_and_coordinates_for_a_volunteer(client, people, case):
    page = text(as_(client, people["relawan"]).get(f"/staf/kasus/{case.pk}/"))
    assert case.tracking_code in page and "identitas disamarkan" in page
    for value in IDENTITY:
        assert value not in page
    assert "-7.7543" not in page and "113.2159" not in page and "lokasi tercatat" in page
    assert f'action="/staf/kasus/{case.pk}/aksi/reveal/"' not in page


def test_the_officer_sees_coordinates_and_reveals_the_reporter_with_a_logged_reason(client, people, case):
    officer = as_(client, people["staf"])
    page = text(officer.get(f"/staf/kasus/{case.pk}/"))
    assert "-7.7543, 113.2159" in page and "Siti Aminah" not in page  # masked until revealed
    officer.post(f"/staf/kasus/{case.pk}/aksi/reveal/", {"reason": "Undangan klarifikasi pelapor"})
    revealed = text(officer.get(f"/staf/kasus/{case.pk}/"))
    assert all(value in revealed for value in IDENTITY)
    assert case.events.filter(kind="reveal", actor=people["staf"]).count() == 1


@pytest.mark.parametrize("url", ["/staf/kasus/{pk}/", "/staf/laporan/{pk}/", "/api/v1/cases/{pk}/"])
def test_an_officer_of_another_province_cannot_reach_a_case_by_its_id(client, people, case, url):
    url = url.format(pk=case.pk)
    if url.startswith("/api/"):
        assert api(client, people["outsider"], url).status_code == 404
        assert api(type(client)(), people["staf"], url).status_code == 200
    else:
        assert as_(client, people["outsider"]).get(url).status_code == 404
        assert as_(type(client)(), people["staf"]).get(url).status_code == 200
    item = case.evidence.get()
    for door in (f"/staf/bukti/{item.pk}/thumb/", f"/staf/bukti/{item.pk}/asli/"):
        assert as_(type(client)(), people["outsider"]).get(door).status_code == 404


def test_the_evidence_page_masks_coordinates_for_a_volunteer(client, people, case):
    volunteer = text(as_(client, people["relawan"]).get(f"/staf/laporan/{case.pk}/"))
    assert "-7.7543" not in volunteer and "lokasi tercatat" in volunteer
    officer = text(as_(type(client)(), people["staf"]).get(f"/staf/laporan/{case.pk}/"))
    assert "-7.7543, 113.2159" in officer


def test_the_staff_api_masks_coordinates_and_never_gives_identity(client, people, case):
    url = f"/api/v1/cases/{case.pk}/"
    volunteer = api(client, people["relawan"], url)
    assert volunteer.status_code == 200
    assert volunteer.json()["evidence"][0]["metadata"]["gps"] == {"recorded": True}
    officer = api(type(client)(), people["staf"], url).json()
    assert officer["evidence"][0]["metadata"]["gps"]["latitude"] == pytest.approx(-7.7543, abs=1e-3)
    for body in (volunteer.content.decode(), str(officer)):
        assert not any(value in body for value in IDENTITY)


# --- Search by a reporter's contact details -----------------------------------------------------------------


@pytest.mark.parametrize("q", ["081234567890", "siti@example.org", "3574014107900003", "Aminah"])
def test_nobody_finds_a_case_by_its_reporters_contact_details(client, people, case, q):
    for who in ("relawan", "staf", "koordinator"):
        page = as_(type(client)(), people[who]).get("/staf/", {"q": q, "status": "open"})
        assert case.tracking_code not in page.content.decode(), who
        assert api(type(client)(), people[who], f"/api/v1/cases/?status=open&q={q}").json()["count"] == 0
    # The same search by what the case is about finds it.
    found = as_(client, people["staf"]).get("/staf/", {"q": "Budi", "status": "open"})
    assert case.tracking_code in found.content.decode()


# --- Duplicate hints ----------------------------------------------------------------------------------------


@pytest.fixture
def twin(people, case):
    """The same photo in a report from Jakarta (31.71), outside the Probolinggo officers' jurisdiction."""
    other = ReportFactory(incident_region=Region.objects.get(code="31.71.01"))
    process(attach(other, samples.jpeg_with_exif(), "IMG_9.jpg", "image/jpeg"))
    assert DuplicateMatch.objects.filter(evidence__report=case, other__report=other).exists()
    return other


def test_a_duplicate_hint_names_a_case_only_to_who_may_open_it(client, people, case, twin):
    page = text(english(as_(client, people["staf"])).get(f"/staf/kasus/{case.pk}/"))
    assert twin.tracking_code not in page
    assert "Matches a report outside your jurisdiction" in page
    evidence_page = text(english(as_(type(client)(), people["staf"])).get(f"/staf/laporan/{case.pk}/"))
    assert twin.tracking_code not in evidence_page and "outside your jurisdiction" in evidence_page
    national = staff("nasional", "koordinator", ["35", "31"])
    both = text(as_(type(client)(), national).get(f"/staf/kasus/{case.pk}/"))
    assert twin.tracking_code in both and "di luar wilayah" not in both
    assert as_(type(client)(), people["outsider"]).get(f"/staf/kasus/{case.pk}/").status_code == 404


def test_the_terlapor_hint_follows_the_same_rule(client, people, case):
    other = ReportFactory(incident_region=Region.objects.get(code="31.71.01"))
    AccusedFactory(report=other)  # the same civil servant, reported in Jakarta
    page = text(english(as_(client, people["koordinator"])).get(f"/staf/kasus/{case.pk}/"))
    assert other.tracking_code not in page and "Matches a report outside your jurisdiction" in page


# --- Actions check the case's state and the other party ------------------------------------------------------


def test_volunteers_cannot_merge_a_case_past_triage(client, people, case):
    fresh = ReportFactory()
    url = f"/staf/kasus/{case.pk}/aksi/merge/"
    assert as_(client, people["relawan"]).post(url, {"into": fresh.pk}).status_code == 403
    assert Report.objects.get(pk=case.pk).status == S.INVESTIGATION
    # Into the case is fine: a new report joins it as a supporting report.
    response = client.post(f"/staf/kasus/{fresh.pk}/aksi/merge/", {"into": case.pk})
    assert response.status_code == 302 and Report.objects.get(pk=fresh.pk).merged_into_id == case.pk


def test_merging_into_a_case_outside_the_jurisdiction_is_refused(client, people, case):
    elsewhere = ReportFactory(incident_region=Region.objects.get(code="31.71.01"))
    response = as_(client, people["staf"]).post(f"/staf/kasus/{case.pk}/aksi/merge/", {"into": elsewhere.pk})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        workflow.case_merge(duplicate=case, into=elsewhere, user=people["staf"])
    assert Report.objects.get(pk=case.pk).status == S.INVESTIGATION


def test_assigning_to_someone_who_cannot_see_the_case_is_refused_clearly(client, people, case):
    before = Report.objects.get(pk=case.pk).assigned_to  # whoever started triage
    officer = english(as_(client, people["koordinator"]))
    response = officer.post(
        f"/staf/kasus/{case.pk}/aksi/assign/", {"assignee": people["outsider"].pk}, follow=True
    )
    assert "cannot see this case" in text(response)
    assert Report.objects.get(pk=case.pk).assigned_to == before
    with pytest.raises(ValidationError):
        workflow.case_assign(report=case, user=people["koordinator"], assignee=people["admin"])
    workflow.case_assign(report=case, user=people["koordinator"], assignee=people["staf"])
    assert Report.objects.get(pk=case.pk).assigned_to == people["staf"]
    # The lists offer only who may take the case.
    offered = text(officer.get(f"/staf/kasus/{case.pk}/"))
    assert f'<option value="{people["staf"].pk}" selected>' in offered
    assert f'<option value="{people["koordinator"].pk}">' in offered
    assert f'<option value="{people["outsider"].pk}"' not in offered


def test_a_closed_case_cannot_be_assigned_or_prioritised(people, case):
    Report.objects.filter(pk=case.pk).update(status=S.REJECTED)
    case.refresh_from_db()
    with pytest.raises(ValidationError):
        workflow.case_assign(report=case, user=people["staf"], assignee=people["staf"])
    with pytest.raises(ValidationError):
        workflow.case_set_priority(report=case, user=people["staf"], priority=3)


def test_the_bulk_page_never_redirects_elsewhere(client, people, case):
    as_(client, people["staf"])
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = client.post("/staf/massal/", {"ids": [case.pk], "action": "claim", "next": target})
        assert response["Location"] == "/staf/", target
    kept = client.post("/staf/massal/", {"ids": [case.pk], "action": "claim", "next": "/staf/?status=open"})
    assert kept["Location"] == "/staf/?status=open"


# --- Revealing needs the permission, not a rank --------------------------------------------------------------


def test_revealing_needs_the_permission_not_a_rank(people, case):
    assert access.can_reveal_identity(people["staf"]) and access.can_reveal_identity(people["koordinator"])
    assert not access.can_reveal_identity(people["relawan"])
    assert not access.can_reveal_identity(people["admin"])  # the highest rank, without the permission
    with pytest.raises(PermissionDenied):
        workflow.identity_reveal(report=case, user=people["admin"], reason="Ingin tahu siapa pelapornya")


# --- The admin door ------------------------------------------------------------------------------------------


def test_only_the_admin_role_enters_the_admin(client, people):
    anonymous = client.get("/admin/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/")
    login = client.get(anonymous["Location"])
    assert login.status_code == 302 and login["Location"].startswith("/staf/masuk/?next=/admin/")
    for who in ("relawan", "staf", "koordinator", "outsider"):
        c = as_(type(client)(), people[who])
        response = c.get("/admin/", follow=True)
        assert response.status_code == 403 and "Admin" in text(response), who
        assert c.get("/admin/complaints/report/").status_code in (302, 403)
        assert not User.objects.get(pk=people[who].pk).is_staff
    assert as_(type(client)(), people["admin"]).get("/admin/").status_code == 200


READ_ONLY = [
    "complaints/report",
    "complaints/accused",
    "complaints/reportevent",
    "complaints/clarification",
    "complaints/assessment",
    "complaints/referral",
    "complaints/person",
    "evidence/evidence",
    "evidence/custodyevent",
]


@pytest.mark.parametrize("model", READ_ONLY)
def test_what_the_workflow_owns_is_read_only_in_the_admin(client, people, case, model):
    from django.apps import apps

    app_label, name = model.split("/")
    Model = apps.get_model(app_label, name)
    if not Model.objects.exists():
        if name == "clarification":
            Model.objects.create(
                report=case, scheduled_for=case.created_at, place="Kantor", minutes="Berita acara"
            )
        elif name == "custodyevent":
            Model.objects.create(
                evidence=case.evidence.get(), actor=people["staf"], action="view_original", reason="x" * 12
            )
        elif name == "assessment":
            Model.objects.create(report=case, findings="Terbukti", decision="other_law")
        elif name == "referral":
            from complaints.models import ReferralAgency

            Model.objects.create(
                report=case,
                agency=ReferralAgency.objects.first(),
                letter_number="1/2024",
                sent_on=case.incident_date,
            )
    obj = Model.objects.first()
    admin = as_(client, people["admin"])
    changelist = admin.get(f"/admin/{model}/")
    assert changelist.status_code == 200
    body = changelist.content.decode()
    assert f"/admin/{model}/add/" not in body and 'value="delete_selected"' not in body
    assert admin.get(f"/admin/{model}/add/").status_code == 403
    change = admin.get(f"/admin/{model}/{obj.pk}/change/")
    assert change.status_code == 200
    page = change.content.decode()
    assert 'name="_save"' not in page and f"/admin/{model}/{obj.pk}/delete/" not in page
    assert admin.post(f"/admin/{model}/{obj.pk}/change/", {}).status_code == 403
    assert admin.post(f"/admin/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Model.objects.filter(pk=obj.pk).exists()


def test_the_report_admin_never_shows_or_searches_the_reporter(client, people, case):
    admin = as_(client, people["admin"])
    page = text(admin.get(f"/admin/complaints/report/{case.pk}/change/"))
    assert case.tracking_code in page and case.chronology in page
    assert not any(value in page for value in IDENTITY)
    for q in ("081234567890", "Aminah", "siti@example.org"):
        assert case.tracking_code not in admin.get("/admin/complaints/report/", {"q": q}).content.decode()
    assert case.tracking_code in admin.get("/admin/complaints/report/", {"q": "Budi"}).content.decode()
    for lookup in ("reporter_phone", "reporter_name__startswith", "reporter_nik__contains", "pin_hash"):
        assert admin.get("/admin/complaints/report/", {lookup: "0"}).status_code == 400, lookup
    evidence = text(admin.get(f"/admin/evidence/evidence/{case.evidence.get().pk}/change/"))
    assert "-7.7543" not in evidence and "recorded" in evidence


def test_the_admin_sets_role_and_jurisdiction_on_the_users_page(client, people):
    admin = as_(client, people["admin"])
    newcomer = User.objects.create_user("petugas", "petugas@posko.test", "kata-sandi-panjang-1")
    url = f"/admin/auth/user/{newcomer.pk}/change/"
    page = admin.get(url)
    assert page.status_code == 200 and "posko-0-role" in page.content.decode()
    data = {
        "username": "petugas",
        "email": "petugas@posko.test",
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "posko-TOTAL_FORMS": "1",
        "posko-INITIAL_FORMS": "0",
        "posko-MIN_NUM_FORMS": "0",
        "posko-MAX_NUM_FORMS": "1",
        "posko-0-role": "staf",
        "posko-0-regions": ["35.74"],
        "posko-0-organisation": "Bawaslu Kota Probolinggo",
        "posko-0-user": str(newcomer.pk),
    }
    response = admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    newcomer.refresh_from_db()
    assert newcomer.posko.role == "staf" and list(newcomer.posko.regions.values_list("code", flat=True)) == [
        "35.74"
    ]
    assert newcomer.groups.get().name == "staf" and not newcomer.is_staff
    profile = StaffProfile.objects.get(user=newcomer)
    data.update(
        {
            "posko-INITIAL_FORMS": "1",
            "posko-0-id": str(profile.pk),
            "posko-0-role": "admin",
            "posko-0-regions": [],
        }
    )
    assert admin.post(url, data).status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff and not newcomer.is_superuser and newcomer.groups.get().name == "admin"
    # Nobody else edits users: a coordinator is not even let into the admin.
    assert as_(type(client)(), people["koordinator"]).post(url, data).status_code in (302, 403)


def test_the_data_migration_closes_the_admin_door_to_every_other_role(people):
    User.objects.filter(pk__in=[p.pk for p in people.values()]).update(is_staff=True, is_superuser=True)
    migration = importlib.import_module("accounts.migrations.0002_one_door_per_role")
    migration.forwards(django_apps, None)
    flags = {u.username: (u.is_staff, u.is_superuser) for u in User.objects.all()}
    assert flags["admin"] == (True, False)
    assert all(flags[n] == (False, False) for n in ("relawan", "staf", "koordinator", "outsider"))
