"""Friendly 400, 403, 404 and 409 answers (issue 10, item 9): what happened and what to do, in the staff layout
for staff (with the way back to the case or the queue), in the public layout for the public, as JSON under /api/;
an unknown status answers 400, a workflow conflict 409 with the case's state now."""

import pytest
from django.urls import reverse

from complaints.models import Report
from complaints.services import workflow
from tests.factories import ReportFactory, staff

S = Report.Status


@pytest.fixture
def people(db):
    return {
        "relawan": staff("relawan", "relawan", ["35"]),
        "staf": staff("staf", "staf", ["35.74"]),
        "koordinator": staff("koordinator", "koordinator", ["35.74"]),
        "outsider": staff("outsider", "koordinator", ["31"]),
    }


@pytest.fixture
def case(people):
    report = ReportFactory()
    workflow.case_transition(report=report, user=people["relawan"], to_status=S.TRIAGE)
    return workflow.case_transition(report=report, user=people["relawan"], to_status=S.INVESTIGATION)


def as_user(client, user):
    client.force_login(user)
    return client


def test_a_volunteer_who_may_not_make_a_move_is_told_why_on_the_case(client, people, case):
    url = reverse("staff:case_action", args=[case.pk, "transition"])
    response = as_user(client, people["relawan"]).post(
        url, {"to_status": S.CLARIFICATION, "expected_status": S.INVESTIGATION}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="case-problem"' in html and 'id="case-title"' in html  # the case page itself, not a bare 403
    assert "Staf Bawaslu" in html or "Bawaslu staff" in html  # the role the move needs
    assert 'id="staff-search"' in html  # the staff layout
    assert Report.objects.get(pk=case.pk).status == S.INVESTIGATION


def test_a_staff_member_approving_a_referral_is_told_it_is_for_coordinators(client, people, case):
    url = reverse("staff:case_action", args=[case.pk, "transition"])
    workflow.clarification_skip(report=case, user=people["staf"], reason="Bukti sudah cukup jelas.")
    workflow.case_transition(report=case, user=people["staf"], to_status=S.ASSESSMENT)
    response = as_user(client, people["staf"]).post(
        url, {"to_status": S.REFERRED, "expected_status": S.ASSESSMENT}
    )
    assert response.status_code == 403
    assert "Koordinator" in response.content.decode()


def test_an_unknown_status_is_a_bad_request_not_a_forbidden_one(client, people, case):
    url = reverse("staff:case_action", args=[case.pk, "transition"])
    response = as_user(client, people["staf"]).post(
        url, {"to_status": "teleported", "expected_status": S.INVESTIGATION}
    )
    assert response.status_code == 400
    assert "teleported" in response.content.decode()
    api = client.post(  # the staff API with the session signed in above
        reverse("api:case_transition", args=[case.pk]),
        {"to_status": "teleported"},
        content_type="application/json",
    )
    assert api.status_code == 400 and "teleported" in api.json()["detail"]


def test_a_conflict_answers_409_with_the_state_now_and_keeps_what_was_typed(client, people, case):
    url = reverse("staff:case_action", args=[case.pk, "transition"])
    workflow.case_transition(report=case, user=people["koordinator"], to_status=S.CLARIFICATION)
    response = as_user(client, people["staf"]).post(
        url,
        {"to_status": S.STOPPED, "expected_status": S.INVESTIGATION, "note": "Pelapor mencabut laporannya."},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Klarifikasi" in html or "Clarification" in html
    assert "Pelapor mencabut laporannya." in html  # what was typed is still in the form
    assert 'data-status="clarification"' in html
    assert Report.objects.get(pk=case.pk).status == S.CLARIFICATION


def test_the_404_for_staff_is_in_the_staff_layout_with_the_way_back_to_the_queue(client, people, case):
    url = reverse("staff:case", args=[case.pk])
    response = as_user(client, people["outsider"]).get(url)  # another province: not found
    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="back-to-queue"' in html and 'id="staff-search"' in html
    assert "DKI Jakarta" in html or "Jakarta" in html  # told their own jurisdiction
    assert case.tracking_code not in html


def test_a_staff_member_sent_away_from_a_case_page_gets_the_way_back_to_that_case(client, people, case):
    url = reverse("staff:case_action", args=[case.pk, "no-such-action"])
    response = as_user(client, people["staf"]).post(url)
    assert response.status_code == 404
    assert f'href="{reverse("staff:case", args=[case.pk])}"' in response.content.decode()


def test_the_public_gets_the_public_layout(client, db):
    response = client.get("/lacak/tidak-ada/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="error-page"' in html and 'id="staff-search"' not in html
    assert reverse("complaints:track") in html


def test_a_volunteer_opening_the_approvals_inbox_is_told_who_it_is_for(client, people):
    response = as_user(client, people["relawan"]).get(reverse("staff:approvals"))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="error-page"' in html and 'id="back-to-queue"' in html


def test_the_api_answers_json(client, people, case):
    response = as_user(client, people["staf"]).get("/api/v1/tidak-ada/")
    assert response.status_code == 404
    assert response.json()["status_code"] == 404 and response.json()["todo"]


def test_an_expired_form_gets_a_friendly_403(people, case):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people["staf"])
    response = client.post(reverse("staff:case_action", args=[case.pk, "note"]), {"body": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="error-page"' in html and 'id="back-to-case"' in html
    assert not case.events.filter(kind="note").exists()
