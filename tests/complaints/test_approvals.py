"""The coordinators' approvals inbox and its count in the navigation (issue 10, item 12), and case actions that
answer in place under htmx while the plain form still redirects."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Assessment, Report
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


def to_assessment(people, decision=None, letter=None) -> Report:
    report = ReportFactory()
    for who, to in (("relawan", S.TRIAGE), ("relawan", S.INVESTIGATION)):
        workflow.case_transition(report=report, user=people[who], to_status=to)
    workflow.clarification_skip(report=report, user=people["staf"], reason="Terlapor mengakui di media.")
    workflow.case_transition(report=report, user=people["staf"], to_status=S.ASSESSMENT)
    if decision:
        workflow.assessment_record(
            report=report,
            user=people["staf"],
            findings="Temuan.",
            categories=[],
            legal_basis="SKB 2/2022",
            recommended_sanction="",
            criminal_element=False,
            decision=decision,
        )
    if letter:
        import datetime as dt

        workflow.referral_record(
            report=report, user=people["staf"], letter_number=letter, sent_on=dt.date(2024, 12, 2)
        )
    return Report.objects.get(pk=report.pk)


def test_the_inbox_lists_referrals_and_closing_decisions_waiting(client, people):
    referral = to_assessment(people, Assessment.Decision.OTHER_LAW, "045/2024")
    closing = to_assessment(people, Assessment.Decision.NOT_VIOLATION)
    not_ready = to_assessment(people, Assessment.Decision.VIOLATION)  # no letter yet
    bare = to_assessment(people)  # no kajian yet
    client.force_login(people["koordinator"])
    html = client.get(reverse("staff:approvals")).content.decode()
    assert f'data-id="{referral.pk}" data-waits="referral"' in html
    assert f'data-id="{closing.pk}" data-waits="closing"' in html
    assert f'data-id="{not_ready.pk}"' not in html and f'data-id="{bare.pk}"' not in html
    assert '<span class="badge text-bg-danger" id="approvals-count">2</span>' in html


def test_the_navigation_badge_counts_up_to_its_cap(client, people, monkeypatch):
    """The badge on every staff page stops counting past BADGE_CAP (99; 1 here) and says "1+"; the inbox itself
    lists every waiting case."""
    from complaints.selectors import approvals

    monkeypatch.setattr(approvals, "BADGE_CAP", 1)
    waiting = [to_assessment(people, Assessment.Decision.NOT_VIOLATION) for _ in range(3)]
    assert approvals.approvals_count(people["koordinator"]) == 3
    assert approvals.approvals_count(people["koordinator"], cap=1) == 2
    client.force_login(people["koordinator"])
    html = client.get(reverse("staff:approvals")).content.decode()
    assert 'id="approvals-count">1+</span>' in html
    assert all(f'data-id="{case.pk}" data-waits="closing"' in html for case in waiting)


def test_three_people_at_the_inbox(client, people):
    case = to_assessment(people, Assessment.Decision.OTHER_LAW, "045/2024")
    client.force_login(people["outsider"])  # a coordinator of another province
    html = client.get(reverse("staff:approvals")).content.decode()
    assert f'data-id="{case.pk}"' not in html and 'id="approvals-count">0<' in html
    client.force_login(people["staf"])  # less right: not a coordinator
    response = client.get(reverse("staff:approvals"))
    assert response.status_code == 403 and 'id="nav-approvals"' not in response.content.decode()
    client.logout()
    assert client.get(reverse("staff:approvals")).status_code == 302


def test_the_inbox_query_count_does_not_grow_with_the_cases(client, people):
    to_assessment(people, Assessment.Decision.OTHER_LAW, "1/2024")
    client.force_login(people["koordinator"])
    client.get(reverse("staff:approvals"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("staff:approvals"))
    for n in range(4):
        to_assessment(people, Assessment.Decision.OTHER_LAW, f"{n + 2}/2024")
        to_assessment(people, Assessment.Decision.NOT_VIOLATION)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("staff:approvals")).content.decode()
    assert html.count("data-waits=") == 9
    assert len(many.captured_queries) == len(few.captured_queries)


def test_approving_in_place_with_htmx_and_with_a_plain_form(client, people):
    first = to_assessment(people, Assessment.Decision.OTHER_LAW, "1/2024")
    second = to_assessment(people, Assessment.Decision.OTHER_LAW, "2/2024")
    client.force_login(people["koordinator"])
    data = {"to_status": S.REFERRED, "expected_status": S.ASSESSMENT}
    in_place = client.post(
        reverse("staff:case_action", args=[first.pk, "transition"]), data, HTTP_HX_REQUEST="true"
    )
    assert in_place.status_code == 200  # the page itself, swapped in place: no redirect, no second load
    html = in_place.content.decode()
    assert 'id="case-status" data-status="referred"' in html and 'id="approvals-count">1<' in html
    plain = client.post(reverse("staff:case_action", args=[second.pk, "transition"]), data)
    assert plain.status_code == 302 and plain["Location"].startswith(reverse("staff:case", args=[second.pk]))
    assert Report.objects.get(pk=second.pk).status == S.REFERRED


def test_the_case_page_offers_the_coordinator_the_approval(client, people):
    case = to_assessment(people, Assessment.Decision.OTHER_LAW, "1/2024")
    client.force_login(people["koordinator"])
    assert 'id="approve-form"' in client.get(reverse("staff:case", args=[case.pk])).content.decode()
    client.force_login(people["staf"])
    assert 'id="approve-form"' not in client.get(reverse("staff:case", args=[case.pk])).content.decode()


def test_scheduling_opens_clarification_and_the_kajian_opens_assessment(people):
    """Two steps folded into others, so the path from triage to referral needs fewer submissions."""
    import datetime as dt

    from django.utils import timezone

    report = ReportFactory()
    workflow.case_transition(report=report, user=people["relawan"], to_status=S.TRIAGE)
    report = workflow.case_transition(report=report, user=people["relawan"], to_status=S.INVESTIGATION)
    session = workflow.clarification_schedule(
        report=report,
        user=people["staf"],
        scheduled_for=timezone.now() + dt.timedelta(days=1),
        place="Kantor Bawaslu",
        invite_terlapor=True,
        invite_reporter=False,
        witnesses="",
    )
    report.refresh_from_db()
    assert report.status == S.CLARIFICATION
    workflow.clarification_minutes(clarification=session, user=people["staf"], minutes="Hadir.", files=[])
    workflow.assessment_record(
        report=report,
        user=people["staf"],
        findings="Terbukti.",
        categories=[],
        legal_basis="",
        recommended_sanction="",
        criminal_element=False,
        decision=Assessment.Decision.OTHER_LAW,
    )
    report.refresh_from_db()
    assert report.status == S.ASSESSMENT
    moves = list(report.events.filter(kind="transition").values_list("to_status", flat=True))
    assert moves == ["triage", "investigation", "clarification", "assessment"]
