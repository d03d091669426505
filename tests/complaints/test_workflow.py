"""The case workflow through its services: roles, prerequisites, numbering, merging, messages, the clock."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints.models import Assessment, Person, Referral, Report, ReportEvent, ViolationCategory
from complaints.selectors.cases import tracking_view_of
from complaints.services import digest, workflow
from complaints.services.intake import report_submit
from tests.factories import ReportFactory, jpeg_bytes, staff

S = Report.Status


@pytest.fixture
def people(db):
    return {
        "relawan": staff("relawan", "relawan", ["35"]),
        "staf": staff("staf", "staf", ["35.74"]),
        "koordinator": staff("koordinator", "koordinator", ["35.74"]),
        "outsider": staff("outsider", "staf", ["31"]),
    }


def move(report, user, to, note=""):
    return workflow.case_transition(report=report, user=user, to_status=to, note=note)


def take_to_assessment(report, people):
    move(report, people["relawan"], S.TRIAGE)
    move(report, people["relawan"], S.INVESTIGATION)
    move(report, people["staf"], S.CLARIFICATION)
    session = workflow.clarification_schedule(
        report=report,
        user=people["staf"],
        scheduled_for=timezone.now() + dt.timedelta(days=1),
        place="Kantor Bawaslu Kota Probolinggo",
        invite_terlapor=True,
        invite_reporter=False,
        witnesses="Pak RT",
    )
    workflow.clarification_minutes(
        clarification=session,
        user=people["staf"],
        minutes="Terlapor mengakui.",
        files=[SimpleUploadedFile("ba.pdf", b"%PDF-1.4 berita acara", "application/pdf")],
    )
    return move(report, people["staf"], S.ASSESSMENT)


def test_the_whole_procedure_to_a_referral_to_bkn(people):
    report = ReportFactory(incident_date=dt.date(2024, 11, 20), known_date=dt.date(2024, 11, 20))
    report = take_to_assessment(report, people)
    year = timezone.localtime(report.registered_at).year
    roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"][
        timezone.localtime(report.registered_at).month - 1
    ]
    assert report.case_number == f"001/LP/PL/Kota/35.74/{roman}/{year}"
    assert report.clarifications.get().attachments.get().sha256
    workflow.assessment_record(
        report=report,
        user=people["staf"],
        findings="ASN berfoto dengan calon.",
        categories=ViolationCategory.objects.filter(slug="etik-foto-bersama"),
        legal_basis="SKB 2/2022",
        recommended_sanction="moral",
        criminal_element=False,
        decision=Assessment.Decision.OTHER_LAW,
    )
    referral = workflow.referral_record(
        report=report,
        user=people["staf"],
        letter_number="123/PP.01/K.JI-22/XII/2024",
        sent_on=dt.date(2024, 12, 2),
    )
    assert referral.agency.code == "bkn"
    with pytest.raises(PermissionDenied):  # coordinators approve referrals
        move(report, people["staf"], S.REFERRED)
    report = move(report, people["koordinator"], S.REFERRED)
    with pytest.raises(ValidationError):  # not without the agency's outcome
        move(report, people["staf"], S.CLOSED, "selesai")
    workflow.referral_outcome(
        report=report,
        user=people["staf"],
        outcome="sanctioned",
        sanction="moral",
        note="Surat BKN No. 5/2025: pernyataan terbuka",
    )
    report = move(report, people["staf"], S.CLOSED, "Sanksi moral dijatuhkan BKN.")
    assert report.closed_at and report.outcome
    statuses = list(
        ReportEvent.objects.filter(report=report, kind="transition").values_list("to_status", flat=True)
    )
    assert statuses == ["triage", "investigation", "clarification", "assessment", "referred", "closed"]


def test_the_agency_is_a_dated_lookup(people):
    report = take_to_assessment(ReportFactory(), people)
    workflow.assessment_record(
        report=report,
        user=people["staf"],
        findings="x",
        categories=[],
        legal_basis="",
        recommended_sanction="",
        criminal_element=False,
        decision="other_law",
    )
    assert workflow.referral_agency_for(report, dt.date(2024, 8, 23)).code == "kasn"
    assert workflow.referral_agency_for(report, dt.date(2024, 8, 24)).code == "bkn"
    Assessment.objects.filter(report=report).update(criminal_element=True)
    assert workflow.referral_agency_for(report, dt.date(2024, 9, 1)).code == "gakkumdu"


def test_the_criminal_element_is_suggested_in_the_campaign_period(db):
    assert workflow.criminal_element_suggested(ReportFactory(incident_date=dt.date(2024, 10, 1)))
    assert not workflow.criminal_element_suggested(ReportFactory(incident_date=dt.date(2024, 12, 1)))


def test_no_assessment_without_clarification_minutes_or_a_reason_to_skip(people):
    report = ReportFactory()
    move(report, people["relawan"], S.TRIAGE)
    report = move(report, people["relawan"], S.INVESTIGATION)
    with pytest.raises(ValidationError):
        move(report, people["staf"], S.ASSESSMENT)
    workflow.clarification_skip(
        report=report, user=people["staf"], reason="Terlapor sudah mengakui di media."
    )
    assert move(report, people["staf"], S.ASSESSMENT).status == S.ASSESSMENT


def test_no_referral_without_assessment_and_no_close_without_outcome(people):
    report = take_to_assessment(ReportFactory(), people)
    with pytest.raises(ValidationError):
        move(report, people["koordinator"], S.REFERRED)
    with pytest.raises(ValidationError):
        move(report, people["koordinator"], S.CLOSED)
    workflow.assessment_record(
        report=report,
        user=people["staf"],
        findings="Tidak terbukti.",
        categories=[],
        legal_basis="",
        recommended_sanction="",
        criminal_element=False,
        decision="not_violation",
    )
    with pytest.raises(ValidationError):
        move(report, people["koordinator"], S.REFERRED)  # nothing to refer
    with pytest.raises(ValidationError):
        move(report, people["koordinator"], S.CLOSED)  # outcome text required
    assert move(report, people["koordinator"], S.CLOSED, "Bukan pelanggaran.").status == S.CLOSED


def test_volunteers_triage_but_do_not_investigate(people):
    report = ReportFactory()
    move(report, people["relawan"], S.TRIAGE)
    report = move(report, people["relawan"], S.INVESTIGATION)
    assert S.CLARIFICATION not in workflow.allowed_moves(report, people["relawan"])
    with pytest.raises(PermissionDenied):
        move(report, people["relawan"], S.CLARIFICATION)
    with pytest.raises(PermissionDenied):
        move(report, people["relawan"], S.REJECTED, "spam")
    with pytest.raises(ValidationError):
        move(report, people["staf"], S.STOPPED)  # a reason is required
    assert move(report, people["staf"], S.STOPPED, "Pelapor mencabut laporan.").status == S.STOPPED


def test_the_first_move_out_of_received_is_kept_on_the_report(people):
    """Report.triaged_at is what the statistics' time to triage reads (stats/selectors/staff.py): the moment of
    the first transition out of "received", whoever made it, never moved by later steps."""
    waiting, rejected = ReportFactory(), ReportFactory()
    assert waiting.triaged_at is None
    move(waiting, people["relawan"], S.TRIAGE)
    moved_at = ReportEvent.objects.get(report=waiting, from_status=S.SUBMITTED).at
    assert Report.objects.get(pk=waiting.pk).triaged_at == moved_at
    move(waiting, people["relawan"], S.INVESTIGATION)
    assert Report.objects.get(pk=waiting.pk).triaged_at == moved_at
    # Rejecting straight from "received" is a first move too (the time to triage counts it).
    move(rejected, people["koordinator"], S.REJECTED, "Bukan pelanggaran netralitas ASN.")
    assert Report.objects.get(pk=rejected.pk).triaged_at == (
        ReportEvent.objects.get(report=rejected, from_status=S.SUBMITTED).at
    )
    # A merge is not a triage move.
    main, dup = ReportFactory(), ReportFactory()
    workflow.case_merge(duplicate=dup, into=main, user=people["relawan"])
    assert Report.objects.get(pk=dup.pk).triaged_at is None


def test_a_stale_form_is_told_someone_else_acted(people):
    report = ReportFactory()
    stale = Report.objects.get(pk=report.pk)
    move(report, people["relawan"], S.TRIAGE)
    with pytest.raises(workflow.Conflict) as exc:
        workflow.case_transition(
            report=stale, user=people["staf"], to_status=S.TRIAGE, expected_status=S.SUBMITTED
        )
    assert "Triase" in exc.value.message or "Triage" in exc.value.message
    assert ReportEvent.objects.filter(report=report, kind="transition", to_status="triage").count() == 1


def test_case_numbers_count_per_region_and_year_and_informasi_awal_is_a_temuan(people):
    first, second = ReportFactory(), ReportFactory(kind=Report.Kind.INFORMASI_AWAL, anonymous=True)
    third = ReportFactory()
    for r in (first, second, third):
        move(r, people["relawan"], S.TRIAGE)
        move(r, people["relawan"], S.INVESTIGATION)
    numbers = [Report.objects.get(pk=r.pk).case_number.split("/")[:2] for r in (first, second, third)]
    assert numbers == [["001", "LP"], ["001", "TM"], ["002", "LP"]]


def test_merging_makes_one_case_and_the_duplicate_follows_it(people):
    main, dup = ReportFactory(), ReportFactory()
    workflow.case_merge(duplicate=dup, into=main, user=people["relawan"])
    dup.refresh_from_db()
    assert dup.status == S.MERGED and dup.merged_into == main
    move(main, people["relawan"], S.TRIAGE)
    assert tracking_view_of(Report.objects.get(pk=dup.pk)).status == S.TRIAGE
    assert list(main.supporting_reports.all()) == [dup]
    with pytest.raises(workflow.Conflict):
        workflow.case_merge(duplicate=Report.objects.get(pk=dup.pk), into=main, user=people["relawan"])


def test_a_question_pauses_and_an_answer_restarts_the_clock(
    people, settings, django_capture_on_commit_callbacks
):
    report = ReportFactory(reporter_email="siti@example.org")
    move(report, people["relawan"], S.TRIAGE)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.message_send(
            report=report, user=people["relawan"], body="Mohon kirim foto yang lebih jelas.", question=True
        )
    report.refresh_from_db()
    assert report.status == S.NEEDS_INFO
    assert len(mail.outbox) == 1 and report.tracking_code in mail.outbox[0].body
    assert "foto" not in mail.outbox[0].body.lower()  # no case details in the mail
    workflow.message_answer(
        report=report,
        body="Ini fotonya.",
        files=[SimpleUploadedFile("jelas.jpg", jpeg_bytes(), "image/jpeg")],
    )
    report.refresh_from_db()
    assert report.status == S.TRIAGE and report.clock_restarted_at
    assert report.evidence.filter(original_name="jelas.jpg").exists()
    assert report.messages.filter(direction="in").get().evidence_ids


def test_revealing_a_reporter_is_logged_and_not_for_volunteers(people):
    report = ReportFactory()
    with pytest.raises(PermissionDenied):
        workflow.identity_reveal(report=report, user=people["relawan"], reason="Perlu menghubungi pelapor")
    identity = workflow.identity_reveal(
        report=report, user=people["staf"], reason="Perlu menghubungi pelapor"
    )
    assert identity["name"] == "Siti Aminah"
    event = ReportEvent.objects.get(report=report, kind="reveal")
    assert event.actor == people["staf"] and "menghubungi" in event.note


def test_referral_reminders_until_the_outcome(people):
    report = take_to_assessment(ReportFactory(), people)
    workflow.assessment_record(
        report=report,
        user=people["staf"],
        findings="x",
        categories=[],
        legal_basis="",
        recommended_sanction="",
        criminal_element=False,
        decision="other_law",
    )
    workflow.referral_record(
        report=report,
        user=people["staf"],
        letter_number="1/2024",
        sent_on=timezone.localdate() - dt.timedelta(days=15),
        remind_every_days=14,
    )
    move(report, people["koordinator"], S.REFERRED)
    assert workflow.referral_reminders() == 1
    assert workflow.referral_reminders() == 0  # not again the same day
    assert ReportEvent.objects.filter(report=report, kind="reminder").count() == 1
    Referral.objects.filter(report=report).update(last_reminded_at=timezone.now() - dt.timedelta(days=15))
    assert workflow.referral_reminders() == 1


def test_the_registry_recognises_people_by_nip_or_name_and_agency(db):
    from complaints.forms import ReportSubmission  # noqa: F401  (intake path used below)
    from complaints.models import Election, Region

    base = {
        "election": Election.objects.get(slug="pilkada-2024"),
        "anonymous": True,
        "incident_date": timezone.localdate(),
        "known_date": timezone.localdate(),
        "incident_region": Region.objects.get(code="35.74.04"),
        "incident_place": "x",
        "categories": [],
        "chronology": "Camat berkampanye untuk calon nomor 2 di pasar.",
    }
    a = report_submit(
        data=base,
        accused=[{"name": "Budi Santoso", "nip": "198001012005011002", "agency": "Pemkot"}],
        files=[],
        links=[],
    ).report
    b = report_submit(
        data=base,
        accused=[{"name": "BUDI S.", "nip": "198001012005011002", "agency": ""}],
        files=[],
        links=[],
    ).report
    c = report_submit(
        data=base,
        accused=[{"name": "Rina  Wati", "nip": "", "agency": "Kelurahan Sukabumi"}],
        files=[],
        links=[],
    ).report
    d = report_submit(
        data=base,
        accused=[{"name": "rina wati", "nip": "", "agency": "kelurahan sukabumi"}],
        files=[],
        links=[],
    ).report
    person_of = lambda r: r.accused.get().person_id  # noqa: E731
    assert person_of(a) == person_of(b) and person_of(c) == person_of(d) and person_of(a) != person_of(c)
    assert Person.objects.count() == 2


def test_coordinators_get_a_digest_of_overdue_cases(people):
    people["koordinator"].email = "koordinator@bawaslu.test"
    people["koordinator"].save()
    late = ReportFactory()
    Report.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    other = ReportFactory(incident_region_id="31.71.01", province_code="31", regency_code="31.71")
    Report.objects.filter(pk=other.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    assert digest.coordinator_digest() == 1
    body = mail.outbox[0].body
    assert late.tracking_code in body and other.tracking_code not in body


def test_the_migration_fills_the_first_move_of_reports_moved_before_it(people):
    """complaints/migrations/0017 fills Report.triaged_at from the timeline for reports moved before the column
    existed: the first move out of "received", nothing for a report still there."""
    import importlib

    from django.apps import apps

    fill = importlib.import_module("complaints.migrations.0017_report_triaged_at").triaged_at_fill
    moved, waiting = ReportFactory(), ReportFactory()
    move(moved, people["relawan"], S.TRIAGE)
    Report.objects.filter(pk=moved.pk).update(triaged_at=None)  # as before the migration
    fill(apps, None)
    first = ReportEvent.objects.get(report=moved, from_status=S.SUBMITTED).at
    assert Report.objects.get(pk=moved.pk).triaged_at == first
    assert Report.objects.get(pk=waiting.pk).triaged_at is None


def test_the_steps_after_the_kajian_are_kept_on_the_report(people):
    """Report.decided_at, referral_sent_on and agency_outcome_at are what the statistics read for the later
    steps' medians and the decisions within the deadline (stats/selectors/staff.py): each is the assessment's or
    the referral's own value, corrections included."""
    report = take_to_assessment(ReportFactory(), people)
    assert (report.decided_at, report.referral_sent_on, report.agency_outcome_at) == (None, None, None)

    def assess(findings):
        workflow.assessment_record(
            report=report,
            user=people["staf"],
            findings=findings,
            categories=[],
            legal_basis="",
            recommended_sanction="",
            criminal_element=False,
            decision="other_law",
        )
        return Report.objects.get(pk=report.pk).decided_at

    first = assess("Temuan pertama.")
    assert first == Assessment.objects.get(report=report).decided_at
    corrected = assess("Temuan yang diperbaiki.")  # a correction is a new decision's date
    assert corrected == Assessment.objects.get(report=report).decided_at and corrected > first
    for sent_on in (dt.date(2024, 12, 2), dt.date(2024, 12, 3)):  # recorded, then corrected
        workflow.referral_record(report=report, user=people["staf"], letter_number="1/PP", sent_on=sent_on)
        assert Report.objects.get(pk=report.pk).referral_sent_on == sent_on
    report = move(report, people["koordinator"], S.REFERRED)
    workflow.referral_outcome(
        report=report, user=people["staf"], outcome="sanctioned", sanction="moral", note="x"
    )
    kept = Report.objects.get(pk=report.pk)
    assert kept.agency_outcome_at == Referral.objects.get(report=report).outcome_recorded_at
    assert kept.agency_outcome_at is not None and kept.decided_at == corrected


def test_the_migration_fills_the_steps_after_the_kajian(people):
    """complaints/migrations/0019 fills the report's copies of the decision, the referral's day and the agency's
    outcome from the assessment and referral rows written before those columns existed."""
    import importlib

    from django.apps import apps

    fill = importlib.import_module("complaints.migrations.0019_report_steps_after_kajian").steps_fill
    decided, waiting = ReportFactory(), ReportFactory()
    at = timezone.now() - dt.timedelta(days=3)
    Assessment.objects.create(report=decided, findings="x", decision="other_law", decided_at=at)
    Referral.objects.create(
        report=decided,
        agency=workflow.referral_agency_for(decided, dt.date(2024, 12, 2)),
        letter_number="1/PP",
        sent_on=dt.date(2024, 12, 2),
        outcome="sanctioned",
        outcome_recorded_at=at + dt.timedelta(days=1),
    )
    fill(apps, None)
    kept = Report.objects.get(pk=decided.pk)
    assert (kept.decided_at, kept.referral_sent_on, kept.agency_outcome_at) == (
        at,
        dt.date(2024, 12, 2),
        at + dt.timedelta(days=1),
    )
    other = Report.objects.get(pk=waiting.pk)
    assert (other.decided_at, other.referral_sent_on, other.agency_outcome_at) == (None, None, None)
