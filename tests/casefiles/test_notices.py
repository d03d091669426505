"""The reporter is told: a notice letter on each move that matters, shown on /lacak/ behind the code and PIN,
and an e-mail that says only that there is news."""

import time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from casefiles.models import Letter
from casefiles.services.letters import letter_issue
from casefiles.tasks import notice_issue_task
from complaints.models import Report, ReportEvent
from complaints.services import workflow
from tests.casefiles.conftest import REPORTER, assessed, clarified, office_make, registered_case
from tests.casefiles.helpers import pdf_text, squeeze
from tests.factories import staff

pytestmark = pytest.mark.django_db
S = Report.Status
K = Letter.Kind


def notices(report):
    return list(Letter.objects.filter(report=report, kind__in=Letter.NOTICES).order_by("issued_at"))


def track(client, report, pin="123456"):
    return client.post(reverse("complaints:track"), {"tracking_code": report.tracking_code, "pin": pin})


def test_registration_issues_a_notice_and_an_email_that_says_only_that_there_is_news(
    people, office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = registered_case(people)
    [notice] = notices(report)
    assert notice.kind == K.NOTICE_REGISTERED and notice.recipient_role == "reporter"
    assert notice.issued_by is None and notice.event_key and notice.emailed_at
    assert squeeze(report.case_number) in squeeze(pdf_text(notice.file.open("rb").read()))
    [message] = mail.outbox
    assert message.to == [REPORTER["reporter_email"]]
    body = message.body + message.subject + message.alternatives[0][0]
    assert report.tracking_code in body and "kabar" in body
    for detail in (report.case_number, "Budi Santoso", "Penelusuran", "Camat", "berfoto", notice.number):
        assert detail not in body


def test_the_task_run_twice_gives_one_notice_and_one_email(people, office):
    report = registered_case(people)  # on_commit not run here: the task is called by hand
    event = ReportEvent.objects.get(report=report, to_status=S.INVESTIGATION)
    notice_issue_task.apply(args=[report.pk, event.pk])
    notice_issue_task.apply(args=[report.pk, event.pk])
    assert len(notices(report)) == 1
    assert len(mail.outbox) == 1


def test_decision_and_outcome_are_told(people, office, django_capture_on_commit_callbacks):
    report = registered_case(people)
    clarified(report, people)
    assessed(report, people)
    workflow.referral_record(
        report=report,
        user=people["staf"],
        letter_number="005/PP.01.02/K.JI-22/XI/2026",
        sent_on=timezone.localdate(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        workflow.case_transition(report=report, user=people["koordinator"], to_status=S.REFERRED)
    workflow.referral_outcome(
        report=report, user=people["staf"], outcome="sanctioned", sanction="moral", note="Pernyataan terbuka"
    )
    with django_capture_on_commit_callbacks(execute=True):
        workflow.case_transition(report=report, user=people["staf"], to_status=S.CLOSED)
    kinds = [n.kind for n in notices(report)]
    assert kinds == [K.NOTICE_DECISION, K.NOTICE_OUTCOME]
    assert "Pernyataanterbuka" in squeeze(pdf_text(notices(report)[1].file.open("rb").read()))
    assert len(mail.outbox) == 2


def test_a_case_closed_after_its_assessment_is_told_its_decision(
    people, office, django_capture_on_commit_callbacks
):
    report = registered_case(people)
    clarified(report, people)
    assessed(report, people, decision="not_violation")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.case_transition(
            report=report, user=people["koordinator"], to_status=S.CLOSED, note="Bukan pelanggaran."
        )
    [notice] = notices(report)
    assert notice.kind == K.NOTICE_DECISION
    assert "Bukanpelanggaran" in squeeze(pdf_text(notice.file.open("rb").read()))


def test_lacak_shows_the_news_with_the_case_number_and_the_letter(
    client, people, office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = registered_case(people)
    [notice] = notices(report)
    page = track(client, report).content.decode()
    assert report.case_number in page
    download = reverse("complaints:reporter_letter", args=[notice.pk])
    assert download in page
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert squeeze(report.case_number) in squeeze(pdf_text(b"".join(response.streaming_content)))


def test_no_letter_without_the_code_and_pin(client, people, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = registered_case(people)
        other = registered_case(people)
    [notice] = notices(report)
    download = reverse("complaints:reporter_letter", args=[notice.pk])
    assert client.get(download).status_code == 404  # nobody proved anything
    assert track(client, report, pin="000000").status_code == 400
    assert client.get(download).status_code == 404  # a wrong PIN proves nothing either
    track(client, other)
    assert client.get(download).status_code == 404  # the code and PIN of another report
    # The right code and PIN open the reporter's own notices, never a letter to someone else.
    session = clarified(report, people)
    invitation = letter_issue(
        report=report,
        user=people["staf"],
        kind=K.INVITATION,
        recipient_role="terlapor",
        accused_id=report.accused.get().pk,
        clarification=session,
    )
    track(client, report)
    assert client.get(download).status_code == 200
    assert client.get(reverse("complaints:reporter_letter", args=[invitation.pk])).status_code == 404


def test_an_anonymous_reporter_gets_no_letter_but_sees_the_status(
    client, people, office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = registered_case(people, anonymous=True)
    assert notices(report) == [] and mail.outbox == []
    page = track(client, report).content.decode()
    assert report.case_number in page
    assert 'data-what="registered"' in page and "notice-download" not in page


def test_a_merged_reporter_sees_the_case_news_but_not_the_main_reporters_letter(
    client, people, office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = registered_case(people)
    from tests.factories import ReportFactory

    duplicate = ReportFactory(status=S.TRIAGE, reporter_name="Joko Susilo", reporter_email="joko@example.org")
    workflow.case_merge(duplicate=duplicate, into=case, user=people["relawan"])
    page = track(client, duplicate).content.decode()
    assert case.case_number in page and 'data-what="registered"' in page
    assert "notice-download" not in page and REPORTER["reporter_name"] not in page


@pytest.mark.worker
def test_a_real_worker_issues_the_notice_from_the_quick_queue(celery_worker_process, settings):
    """GIVEN a worker consuming Posko's queues and a case waiting in triage
    WHEN a volunteer registers the case
    THEN the worker issues the registration notice and e-mails the reporter (locmem backend in its process:
    the letter's emailed_at says it was sent)."""
    office_make()
    relawan = staff("relawan", "relawan", ["35"])
    report = registered_case({"relawan": relawan})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not notices(report):
        time.sleep(0.5)
    [notice] = notices(report)
    assert notice.kind == K.NOTICE_REGISTERED and notice.emailed_at is not None
    assert notice.file.open("rb").read().startswith(b"%PDF")


def test_no_email_for_a_reporter_who_gave_no_address(people, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = registered_case(people, reporter_email="")
    [notice] = notices(report)
    assert notice.emailed_at is None and mail.outbox == []
