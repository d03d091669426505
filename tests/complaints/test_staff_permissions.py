"""Every staff door, with three people: the one allowed, a colleague with less right, an outsider from
another jurisdiction (STYLE.md practice 2)."""

import pytest
from django.urls import reverse
from knox.models import AuthToken

from complaints.models import Report
from complaints.services import workflow
from tests.factories import AccusedFactory, ReportFactory, staff

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
    AccusedFactory(report=report)
    workflow.case_transition(report=report, user=people["relawan"], to_status=S.TRIAGE)
    return workflow.case_transition(report=report, user=people["relawan"], to_status=S.INVESTIGATION)


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def post(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {})


def test_queue(client, people, case):
    assert case.tracking_code in get(client, people["staf"], reverse("staff:home")).content.decode()
    assert (
        case.tracking_code not in get(client, people["relawan"], reverse("staff:home")).content.decode()
    )  # not in triage any more
    assert (
        case.tracking_code
        in get(client, people["relawan"], reverse("staff:home") + "?status=open").content.decode()
    )
    assert (
        case.tracking_code
        not in get(client, people["outsider"], reverse("staff:home") + "?status=open").content.decode()
    )


def test_case_page(client, people, case):
    url = reverse("staff:case", args=[case.pk])
    assert get(client, people["staf"], url).status_code == 200
    assert get(client, people["relawan"], url).status_code == 200
    assert get(client, people["outsider"], url).status_code == 404


def test_transition_action(client, people, case):
    url = reverse("staff:case_action", args=[case.pk, "transition"])
    data = {"to_status": S.CLARIFICATION, "expected_status": S.INVESTIGATION}
    assert post(client, people["outsider"], url, data).status_code == 404
    assert post(client, people["relawan"], url, data).status_code == 403
    response = post(client, people["staf"], url, data)
    assert response.status_code == 302 and Report.objects.get(pk=case.pk).status == S.CLARIFICATION


def test_reveal_action(client, people, case):
    url = reverse("staff:case_action", args=[case.pk, "reveal"])
    data = {"reason": "Menghubungi pelapor untuk klarifikasi"}
    assert post(client, people["outsider"], url, data).status_code == 404
    post(client, people["relawan"], url, data)
    assert not case.events.filter(kind="reveal").exists()  # refused, with a message
    post(client, people["staf"], url, data)
    page = get(client, people["staf"], reverse("staff:case", args=[case.pk])).content.decode()
    assert "Jl. Suroyo 12" in page and case.events.filter(kind="reveal").count() == 1
    # A volunteer sees the reporter masked.
    assert (
        "Jl. Suroyo"
        not in get(client, people["relawan"], reverse("staff:case", args=[case.pk])).content.decode()
    )


def test_note_and_message_actions(client, people, case):
    for action, data in (("note", {"body": "Cek akun Facebook"}), ("message", {"body": "Terima kasih"})):
        url = reverse("staff:case_action", args=[case.pk, action])
        assert post(client, people["outsider"], url, data).status_code == 404
        assert (
            post(client, people["relawan"], url, data).status_code == 302
        )  # volunteers may write notes/messages
    assert case.messages.count() == 1 and case.events.filter(kind="note").count() == 1


def test_assignment_to_others_is_for_staff(client, people, case):
    url = reverse("staff:case_action", args=[case.pk, "assign"])
    assert post(client, people["outsider"], url, {"assignee": people["staf"].pk}).status_code == 404
    assert post(client, people["relawan"], url, {"assignee": people["staf"].pk}).status_code == 403
    assert post(client, people["staf"], url, {"assignee": people["koordinator"].pk}).status_code == 302
    assert Report.objects.get(pk=case.pk).assigned_to == people["koordinator"]
    # Past triage a case goes to Bawaslu staff: a volunteer is refused, with the reason on the case page.
    client.cookies["django_language"] = "en"
    refused = post(client, people["staf"], url, {"assignee": people["relawan"].pk})
    assert refused.status_code == 400 and Report.objects.get(pk=case.pk).assigned_to == people["koordinator"]
    assert "is a volunteer. It was not assigned" in refused.content.decode()


def test_bulk_actions_only_touch_what_the_user_may(client, people, case):
    other = ReportFactory()
    url = reverse("staff:bulk")
    post(client, people["outsider"], url, {"ids": [case.pk, other.pk], "action": "claim"})
    assert Report.objects.get(pk=other.pk).assigned_to is None
    post(client, people["relawan"], url, {"ids": [case.pk, other.pk], "action": "reject", "note": "spam"})
    assert Report.objects.get(pk=case.pk).status == S.INVESTIGATION  # volunteers cannot reject a case
    assert Report.objects.get(pk=other.pk).status == S.REJECTED


def test_registry_page(client, people, case):
    url = reverse("staff:person", args=[case.accused.get().person_id])
    assert get(client, people["staf"], url).status_code == 200
    assert get(client, people["relawan"], url).status_code == 200
    assert get(client, people["outsider"], url).status_code == 404


def test_anonymous_and_roleless_users_are_kept_out(client, db, case):
    from django.contrib.auth.models import User

    assert client.get(reverse("staff:home")).status_code == 302
    plain = User.objects.create_user("plain", password="x-12345-y")
    assert get(client, plain, reverse("staff:case", args=[case.pk])).status_code == 404


# --- The staff API: session or token, same rules ---


def api(client, user, method, url, data=None):
    _instance, token = AuthToken.objects.create(user=user)
    return getattr(client, method)(
        url, data or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )


def test_api_list(client, people, case):
    url = reverse("api:cases") + "?status=open"
    assert [c["id"] for c in api(client, people["staf"], "get", url).json()["results"]] == [case.pk]
    assert [c["id"] for c in api(client, people["relawan"], "get", url).json()["results"]] == [case.pk]
    assert api(client, people["outsider"], "get", url).json()["results"] == []
    assert client.get(url).status_code in (401, 403)


def test_api_detail(client, people, case):
    url = reverse("api:case", args=[case.pk])
    body = api(client, people["staf"], "get", url).json()
    assert body["case_number"] == case.case_number and body["timeline"] and "deadlines" in body
    assert S.CLARIFICATION in body["allowed_moves"]
    assert S.CLARIFICATION not in api(client, people["relawan"], "get", url).json()["allowed_moves"]
    assert api(client, people["outsider"], "get", url).status_code == 404


def test_api_transition(client, people, case):
    url = reverse("api:case_transition", args=[case.pk])
    data = {"to_status": "clarification", "expected_status": "investigation"}
    assert api(client, people["outsider"], "post", url, data).status_code == 404
    assert api(client, people["relawan"], "post", url, data).status_code == 403
    assert api(client, people["staf"], "post", url, data).json()["status"] == "clarification"
    stale = api(client, people["koordinator"], "post", url, data)
    assert stale.status_code == 409 and stale.json()["status"] == "clarification"


def test_api_notes_and_messages(client, people, case):
    for name, data in (("api:case_note", {"body": "catatan"}), ("api:case_message", {"body": "pesan"})):
        url = reverse(name, args=[case.pk])
        assert api(client, people["outsider"], "post", url, data).status_code == 404
        assert api(client, people["relawan"], "post", url, data).status_code == 201
        assert api(client, people["staf"], "post", url, {"body": ""}).status_code == 400


@pytest.mark.parametrize(
    ("action", "data"),
    [
        (
            "clarification",
            {"scheduled_for": "2026-12-01T10:00", "place": "Kantor Bawaslu", "invite_terlapor": "on"},
        ),
        ("skip_clarification", {"reason": "Terlapor sudah mengakui secara terbuka."}),
        ("extend", {"reason": "Menunggu keterangan saksi."}),
        ("priority", {"priority": "3"}),
    ],
)
def test_case_handling_actions_are_for_bawaslu_staff(client, people, case, action, data):
    """Volunteers triage; scheduling clarifications, skipping them and extending the clock are Bawaslu's."""
    url = reverse("staff:case_action", args=[case.pk, action])
    assert post(client, people["outsider"], url, data).status_code == 404
    # The case is in investigation: past triage, even priorities are Bawaslu's (volunteers set them in triage).
    assert post(client, people["relawan"], url, data).status_code == 403
    assert post(client, people["staf"], url, data).status_code == 302
    case.refresh_from_db()
    changed = {
        "clarification": case.clarifications.exists(),
        "skip_clarification": bool(case.clarification_skip_reason),
        "extend": case.decision_extended,
        "priority": case.priority == 3,
    }
    assert changed[action]


def test_assessment_referral_and_outcome_actions(client, people, case):
    workflow.case_transition(report=case, user=people["staf"], to_status=S.CLARIFICATION)
    workflow.clarification_skip(report=case, user=people["staf"], reason="Bukti cukup tanpa klarifikasi.")
    workflow.case_transition(report=case, user=people["staf"], to_status=S.ASSESSMENT)
    steps = [
        ("assessment", {"findings": "Terbukti", "decision": "other_law", "legal_basis": "SKB 2/2022"}),
        ("referral", {"letter_number": "1/2024", "sent_on": "2024-12-02", "remind_every_days": "14"}),
    ]
    for action, data in steps:
        url = reverse("staff:case_action", args=[case.pk, action])
        assert post(client, people["outsider"], url, data).status_code == 404
        assert post(client, people["relawan"], url, data).status_code == 403
        assert post(client, people["staf"], url, data).status_code == 302
    assert case.referral.agency.code == "bkn"
    workflow.case_transition(report=case, user=people["koordinator"], to_status=S.REFERRED)
    url = reverse("staff:case_action", args=[case.pk, "outcome"])
    data = {"outcome": "no_sanction", "note": "BKN: tidak terbukti"}
    assert post(client, people["outsider"], url, data).status_code == 404
    assert post(client, people["relawan"], url, data).status_code == 403
    assert post(client, people["staf"], url, data).status_code == 302
    case.referral.refresh_from_db()
    assert case.referral.outcome == "no_sanction"


def test_merge_actions(client, people, case):
    other = ReportFactory()
    url = reverse("staff:case_action", args=[other.pk, "merge"])
    assert post(client, people["outsider"], url, {"into": case.pk}).status_code == 404
    assert post(client, people["relawan"], url, {"into": case.pk}).status_code == 302
    assert Report.objects.get(pk=other.pk).merged_into_id == case.pk
