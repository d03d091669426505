"""A conversation with the reporter for the whole life of an open case (issue 10, item 11): staff ask at any
open stage, the reporter answers on /lacak/ with text and files, the answer lands on the case with a visible
"new answer" mark, the assignee gets an e-mail (without what was said), and the clocks move only where the
procedure says so."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints import deadlines
from complaints.models import Message, Report
from complaints.services import workflow
from posko.celery import app as celery_app
from tests.factories import ReportFactory, jpeg_bytes, staff

S = Report.Status


@pytest.fixture
def people(db):
    officer = staff("petugas", "staf", ["35.74"])
    officer.email = "petugas@bawaslu.test"
    officer.save()
    return {
        "staf": officer,
        "relawan": staff("relawan", "relawan", ["35"]),
        "koordinator": staff("koordinator", "koordinator", ["35.74"]),
        "outsider": staff("outsider", "staf", ["31"]),
    }


@pytest.fixture
def case(people):
    report = ReportFactory(reporter_email="siti@example.org")
    workflow.case_transition(report=report, user=people["relawan"], to_status=S.TRIAGE)
    workflow.case_transition(report=report, user=people["relawan"], to_status=S.INVESTIGATION)
    workflow.case_assign(report=report, user=people["staf"], assignee=people["staf"])
    return Report.objects.get(pk=report.pk)


def ask(client, user, report, body, question=True):
    client.force_login(user)
    return client.post(
        reverse("staff:case_action", args=[report.pk, "message"]),
        {"body": body, "question": "on" if question else "", "expected_status": report.status},
    )


def reporter_answers(client, report, body, files=()):
    client.logout()
    response = client.post(
        reverse("complaints:track"), {"tracking_code": report.tracking_code, "pin": "123456"}
    )
    assert response.status_code == 200
    return client.post(reverse("complaints:answer"), {"body": body, "files": list(files)})


def test_staff_ask_during_investigation_and_the_reporter_answers_with_a_file(
    client, people, case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(client, people["staf"], case, "Siapa saja yang hadir saat itu?").status_code == 302
    case.refresh_from_db()
    assert case.status == S.INVESTIGATION  # a question after triage does not send the report back
    assert mail.outbox[-1].to == ["siti@example.org"] and "hadir" not in mail.outbox[-1].body
    decision_before = deadlines.case_clock(case)["decision"]
    due_before = case.due_on

    mail.outbox.clear()
    page = client.post(reverse("complaints:track"), {"tracking_code": case.tracking_code, "pin": "123456"})
    html = page.content.decode()
    assert "Siapa saja yang hadir" in html and 'id="answer-form"' in html
    photo = SimpleUploadedFile("hadirin.jpg", jpeg_bytes(320, 240), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("complaints:answer"), {"body": "Camat, lurah dan ketua RT.", "files": [photo]}
        )
    assert response.status_code == 200
    case.refresh_from_db()
    answer = Message.objects.get(report=case, direction="in")
    item = case.evidence.get(original_name="hadirin.jpg")
    assert answer.evidence_ids == [str(item.pk)] and item.status == "ready"  # processed by the pipeline
    assert case.new_answer_at is not None
    # The decision deadline counts from registration: an answer during investigation does not move it.
    assert deadlines.case_clock(case)["decision"] == decision_before and case.due_on == due_before
    # The assignee is told, with the case and a link, and nothing of what the reporter said.
    notice = mail.outbox[-1]
    assert notice.to == ["petugas@bawaslu.test"] and case.case_number in notice.body
    assert reverse("staff:case", args=[case.pk]) in notice.body and "lurah" not in notice.body.lower()


def test_the_new_answer_mark_shows_until_the_assignee_reads_it(client, people, case):
    workflow.message_send(report=case, user=people["staf"], body="Ada foto lain?", question=True)
    workflow.message_answer(report=case, body="Ada, terlampir.", files=[])
    client.force_login(people["koordinator"])
    assert "new-answer" in client.get(reverse("staff:home")).content.decode()
    assert 'id="new-answer-mark"' in client.get(reverse("staff:case", args=[case.pk])).content.decode()
    assert Report.objects.get(pk=case.pk).new_answer_at is not None  # a colleague's look does not clear it
    client.force_login(people["staf"])
    assert 'id="new-answer-mark"' in client.get(reverse("staff:case", args=[case.pk])).content.decode()
    assert Report.objects.get(pk=case.pk).new_answer_at is None
    assert "new-answer" not in client.get(reverse("staff:home")).content.decode()


def test_an_answer_to_a_triage_question_restarts_the_initial_assessment_clock(people, db):
    report = ReportFactory()
    workflow.case_transition(report=report, user=people["relawan"], to_status=S.TRIAGE)
    Report.objects.filter(pk=report.pk).update(created_at=report.created_at - dt.timedelta(days=10))
    report.refresh_from_db()
    workflow.message_send(report=report, user=people["relawan"], body="Kapan kejadiannya?", question=True)
    report.refresh_from_db()
    assert report.status == S.NEEDS_INFO
    old_deadline = deadlines.case_clock(report)["initial_assessment"]
    workflow.message_answer(report=report, body="Tanggal 2.", files=[])
    report.refresh_from_db()
    assert report.status == S.TRIAGE and deadlines.case_clock(report)["initial_assessment"] > old_deadline
    assert report.due_on == deadlines.case_clock(report)["initial_assessment"]


def test_the_reporter_may_add_information_while_the_case_is_open_but_not_after(client, people, case):
    html = client.post(
        reverse("complaints:track"), {"tracking_code": case.tracking_code, "pin": "123456"}
    ).content.decode()
    assert 'id="answer-form"' in html  # open, no question: "send more information"
    workflow.case_transition(report=case, user=people["staf"], to_status=S.STOPPED, note="Dicabut.")
    html = client.post(
        reverse("complaints:track"), {"tracking_code": case.tracking_code, "pin": "123456"}
    ).content.decode()
    assert 'id="answer-form"' not in html
    response = client.post(reverse("complaints:answer"), {"body": "Masih ada bukti."})
    assert response.status_code == 400 and not Message.objects.filter(direction="in").exists()


def test_asking_is_for_staff_of_the_jurisdiction(client, people, case):
    url = reverse("staff:case_action", args=[case.pk, "message"])
    data = {"body": "Mohon datang ke kantor.", "expected_status": case.status}
    client.force_login(people["outsider"])
    assert client.post(url, data).status_code == 404
    client.force_login(User.objects.create_user("plain", password="x-12345-y"))
    assert client.post(url, data).status_code == 404
    assert ask(client, people["relawan"], case, "Mohon datang.").status_code == 302
    assert ask(client, people["staf"], case, "Mohon datang ke kantor.").status_code == 302
    assert case.messages.filter(direction="out").count() == 2


def test_the_notice_is_sent_once_and_goes_to_the_quick_queue(people, case):
    workflow.message_answer(report=case, body="Ini jawabannya.", files=[])
    message = Message.objects.get(report=case, direction="in")
    mail.outbox.clear()
    assert workflow.answer_notify(message.pk) is True
    assert workflow.answer_notify(message.pk) is False  # safe to run twice
    assert len(mail.outbox) == 1
    route = celery_app.amqp.router.route({}, "complaints.answer_notify")
    assert route["queue"].name == "quick"


def test_nobody_to_tell_when_nobody_is_assigned(people, db):
    report = ReportFactory()
    workflow.message_answer(report=report, body="Jawaban.", files=[])
    assert workflow.answer_notify(Message.objects.get(report=report).pk) is False
    assert mail.outbox == []
