"""Every form of the case page shows what is saved, and sending it back unchanged changes nothing: no new event,
no changed row (issue 10, item 8). Each test reads the form out of the rendered page and submits it as a browser
would, so a select that does not mark the saved choice would send another value and fail the test."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from complaints.models import Assessment, Referral, Report, ViolationCategory
from complaints.services import workflow
from tests.factories import AccusedFactory, ReportFactory, staff
from tests.pageforms import form_in_page

S = Report.Status


@pytest.fixture
def people(db):
    return {
        "relawan": staff("relawan", "relawan", ["35"]),
        "staf": staff("staf", "staf", ["35.74"]),
        "koordinator": staff("koordinator", "koordinator", ["35.74"]),
    }


def move(report, user, to, note=""):
    return workflow.case_transition(report=report, user=user, to_status=to, note=note)


@pytest.fixture
def investigated(people):
    report = ReportFactory()
    AccusedFactory(report=report)
    move(report, people["relawan"], S.TRIAGE)
    return move(report, people["relawan"], S.INVESTIGATION)


@pytest.fixture
def assessed(people, investigated):
    workflow.clarification_skip(
        report=investigated, user=people["staf"], reason="Terlapor mengakui di media."
    )
    report = move(investigated, people["staf"], S.ASSESSMENT)
    workflow.assessment_record(
        report=report,
        user=people["staf"],
        findings="Terbukti berfoto dengan simbol jari calon.",
        categories=ViolationCategory.objects.filter(slug__in=["etik-foto-bersama", "etik-alat-peraga"]),
        legal_basis="SKB 2/2022; PP 94/2021 Pasal 5 huruf n",
        recommended_sanction="berat",
        criminal_element=True,
        decision=Assessment.Decision.CRIMINAL,
    )
    return Report.objects.get(pk=report.pk)


def page(client, user, report) -> str:
    client.force_login(user)
    response = client.get(reverse("staff:case", args=[report.pk]))
    assert response.status_code == 200
    return response.content.decode()


def resend(client, user, report, form_id, **changes):
    """Post the form as the page shows it (with `changes` typed in); returns the response."""
    action, data = form_in_page(page(client, user, report), form_id)
    data.update({k: v if isinstance(v, list) else [v] for k, v in changes.items()})
    return client.post(action, data)


def snapshot(report) -> tuple:
    report = Report.objects.get(pk=report.pk)
    assessment = Assessment.objects.filter(report=report).values().first()
    referral = Referral.objects.filter(report=report).values().first()
    return (
        report.events.count(),
        report.messages.count(),
        report.clarifications.count(),
        Report.objects.filter(pk=report.pk).values().get(),
        assessment,
        referral,
    )


def assert_unchanged(client, user, report, form_id):
    before = snapshot(report)
    response = resend(client, user, report, form_id)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert snapshot(report) == before


def test_the_kajian_form_shows_the_saved_decision_sanction_flag_categories_and_basis(
    client, people, assessed
):
    html = page(client, people["staf"], assessed)
    _action, data = form_in_page(html, "assessment-form")
    assert data["decision"] == ["criminal"]
    assert data["recommended_sanction"] == ["berat"]
    assert data["criminal_element"] == ["on"]
    assert sorted(data["categories"]) == ["etik-alat-peraga", "etik-foto-bersama"]
    assert data["legal_basis"] == ["SKB 2/2022; PP 94/2021 Pasal 5 huruf n"]
    assert data["findings"] == ["Terbukti berfoto dengan simbol jari calon."]
    assert_unchanged(client, people["staf"], assessed, "assessment-form")
    # A real change is saved and recorded once.
    response = resend(client, people["staf"], assessed, "assessment-form", recommended_sanction="sedang")
    assert response.status_code == 302
    assert Assessment.objects.get(report=assessed).recommended_sanction == "sedang"
    assert assessed.events.filter(kind="assessment").count() == 2


def test_the_referral_form_shows_the_saved_letter(client, people, assessed):
    workflow.referral_record(
        report=assessed,
        user=people["staf"],
        letter_number="045/PP.01.02/K.JI-22/12/2024",
        sent_on=dt.date(2024, 12, 2),
        remind_every_days=21,
    )
    _action, data = form_in_page(page(client, people["staf"], assessed), "referral-form")
    assert data["letter_number"] == ["045/PP.01.02/K.JI-22/12/2024"]
    assert data["sent_on"] == ["2024-12-02"] and data["remind_every_days"] == ["21"]
    assert_unchanged(client, people["staf"], assessed, "referral-form")


def test_the_outcome_form_shows_the_saved_outcome(client, people, assessed):
    workflow.referral_record(
        report=assessed, user=people["staf"], letter_number="1/2024", sent_on=dt.date(2024, 12, 2)
    )
    report = move(assessed, people["koordinator"], S.REFERRED)
    workflow.referral_outcome(
        report=report, user=people["staf"], outcome="sanctioned", sanction="sedang", note="Surat BKN 5/2025"
    )
    _action, data = form_in_page(page(client, people["staf"], report), "outcome-form")
    assert (data["outcome"], data["sanction"], data["note"]) == (
        ["sanctioned"],
        ["sedang"],
        ["Surat BKN 5/2025"],
    )
    assert_unchanged(client, people["staf"], report, "outcome-form")


def test_priority_and_assignee_show_what_is_saved(client, people, investigated):
    workflow.case_set_priority(report=investigated, user=people["staf"], priority=4)
    workflow.case_assign(report=investigated, user=people["staf"], assignee=people["koordinator"])
    html = page(client, people["staf"], investigated)
    assert form_in_page(html, "priority-form")[1]["priority"] == ["4"]
    assert form_in_page(html, "assign")[1]["assignee"] == [str(people["koordinator"].pk)]
    assert_unchanged(client, people["staf"], investigated, "priority-form")
    assert_unchanged(client, people["staf"], investigated, "assign")


def test_the_reason_to_skip_clarification_shows_what_is_saved(client, people, investigated):
    workflow.clarification_skip(
        report=investigated, user=people["staf"], reason="Terlapor mengakui di media."
    )
    _action, data = form_in_page(page(client, people["staf"], investigated), "skip-form")
    assert data["reason"] == ["Terlapor mengakui di media."]
    assert_unchanged(client, people["staf"], investigated, "skip-form")


@pytest.mark.parametrize(
    ("form_id", "typed"),
    [
        ("note-form", {"body": "Cek akun Facebook terlapor."}),
        ("message-form", {"body": "Terima kasih, laporan sedang ditelusuri."}),
        ("schedule-form", {"scheduled_for": "2026-12-01T10:00", "place": "Kantor Bawaslu Kota Probolinggo"}),
    ],
)
def test_a_form_that_adds_something_adds_it_once_when_posted_twice(
    client, people, investigated, form_id, typed
):
    """A double click or a reload posts the same form (and its one-time token) again: nothing is added twice."""
    action, data = form_in_page(page(client, people["staf"], investigated), form_id)
    data.update({k: [v] for k, v in typed.items()})
    assert client.post(action, data).status_code == 302
    after_first = snapshot(investigated)
    assert client.post(action, data).status_code == 302
    assert snapshot(investigated) == after_first
    # A fresh page gives a fresh token: a second note on purpose is a second note.
    action, data = form_in_page(page(client, people["staf"], investigated), form_id)
    if form_id == "note-form":
        data.update({k: [v] for k, v in typed.items()})
        client.post(action, data)
        assert investigated.events.filter(kind="note").count() == 2


def test_minutes_saved_again_change_nothing(client, people, investigated):
    session = workflow.clarification_schedule(
        report=investigated,
        user=people["staf"],
        scheduled_for=timezone.now() + dt.timedelta(days=1),
        place="Kantor Bawaslu",
        invite_terlapor=True,
        invite_reporter=False,
        witnesses="",
    )
    action, data = form_in_page(page(client, people["staf"], investigated), f"minutes-form-{session.pk}")
    data["minutes"] = ["Terlapor hadir dan mengakui."]
    upload = SimpleUploadedFile("ba.pdf", b"%PDF-1.4 berita acara", "application/pdf")
    assert client.post(action, {**data, "files": upload}).status_code == 302
    after_first = snapshot(investigated)
    again = SimpleUploadedFile("ba.pdf", b"%PDF-1.4 berita acara", "application/pdf")
    assert client.post(action, {**data, "files": again}).status_code == 302  # the same post, token and all
    assert snapshot(investigated) == after_first
    assert session.attachments.count() == 1


def test_a_refused_form_keeps_what_was_typed(client, people, assessed):
    """Bad input: the page comes back with the form as sent and the reason, answering 400; nothing is saved."""
    before = snapshot(assessed)
    response = resend(
        client,
        people["staf"],
        assessed,
        "assessment-form",
        findings="Temuan baru yang panjang.",
        decision="nonsense",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Temuan baru yang panjang." in html and 'id="case-problem"' in html
    assert snapshot(assessed) == before
