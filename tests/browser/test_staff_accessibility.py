"""axe-core on the staff side (issue 10): no serious or critical WCAG 2.x A/AA issue on the queue, the case
page in several states, the approvals inbox, the staff-management pages and the error pages."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints.models import Assessment, Report
from complaints.services import workflow
from evidence.models import Evidence
from tests.browser.axe import axe_violations
from tests.factories import AccusedFactory, ReportFactory, staff

pytestmark = pytest.mark.browser
S = Report.Status


def clean(page, what):
    found = axe_violations(page)
    assert found == [], f"{what}: {found}"


@pytest.fixture
def cases(ref_data):
    people = {
        "relawan": staff("relawan", "relawan", ["35"]),
        "petugas": staff("petugas", "staf", ["35.74"]),
        "ketua": staff("ketua", "koordinator", ["35.74"]),
        "admin": staff("kepala", "admin", []),
    }
    triage = ReportFactory(reporter_email="siti@example.org")
    AccusedFactory(report=triage, nip="198001012005011002")
    duplicate = ReportFactory()
    AccusedFactory(report=duplicate, nip="198001012005011002")
    Evidence.objects.create(report=triage, kind="photo", original_name="a.jpg", status="ready")
    workflow.case_transition(report=triage, user=people["relawan"], to_status=S.TRIAGE)
    workflow.message_send(report=triage, user=people["relawan"], body="Kapan kejadiannya?", question=True)
    workflow.message_answer(report=triage, body="Tanggal 2.", files=[])
    Report.objects.filter(pk=duplicate.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))

    clarifying = ReportFactory()
    for to in (S.TRIAGE, S.INVESTIGATION):
        workflow.case_transition(report=clarifying, user=people["relawan"], to_status=to)
    for place in ("Kantor Bawaslu", "Kantor Kecamatan"):
        workflow.clarification_schedule(
            report=clarifying,
            user=people["petugas"],
            scheduled_for=timezone.now() + dt.timedelta(days=1),
            place=place,
            invite_terlapor=True,
            invite_reporter=True,
            witnesses="Pak RT",
        )

    assessed = ReportFactory()
    for to in (S.TRIAGE, S.INVESTIGATION):
        workflow.case_transition(report=assessed, user=people["relawan"], to_status=to)
    workflow.clarification_skip(report=assessed, user=people["petugas"], reason="Terlapor mengakui di media.")
    workflow.assessment_record(
        report=assessed,
        user=people["petugas"],
        findings="Terbukti.",
        categories=[],
        legal_basis="SKB 2/2022",
        recommended_sanction="moral",
        criminal_element=False,
        decision=Assessment.Decision.OTHER_LAW,
    )
    workflow.referral_record(
        report=assessed, user=people["petugas"], letter_number="1/2024", sent_on=dt.date(2024, 12, 2)
    )
    return {"triage": triage, "clarifying": clarifying, "assessed": assessed, "people": people}


def test_the_staff_pages_have_no_serious_accessibility_issue(desk, live_server, cases):
    url = live_server.url
    coordinator = desk("ketua")
    clean(coordinator, "queue")
    coordinator.goto(url + "/staf/?status=all&overdue=")
    clean(coordinator, "queue, every case")
    for name in ("triage", "clarifying", "assessed"):
        coordinator.goto(f"{url}/staf/kasus/{cases[name].pk}/")
        clean(coordinator, f"case page ({name})")
    coordinator.goto(url + "/staf/persetujuan/")
    assert coordinator.locator("#approvals tbody tr").count() == 1
    clean(coordinator, "approvals inbox")
    # A refused form: the case page with the reason and the form as sent.
    coordinator.goto(f"{url}/staf/kasus/{cases['assessed'].pk}/")
    coordinator.fill("#referral-form input[name=letter_number]", "   ")  # passes the browser, not the server
    coordinator.click("#referral-form button")
    coordinator.wait_for_selector("#case-problem")
    clean(coordinator, "case page with a refused form")
    coordinator.click("#do-approve")
    coordinator.wait_for_selector("#case-status[data-status=referred]")
    clean(coordinator, "case page, referred")
    coordinator.goto(url + "/staf/kasus/999999/")
    clean(coordinator, "404 for staff")

    admin = desk("kepala")
    for path in ("/staf/pengguna/", f"/staf/pengguna/{cases['people']['relawan'].pk}/", "/staf/instansi/"):
        admin.goto(url + path)
        clean(admin, path)
    admin.click("#agencies tbody tr a")
    clean(admin, "agency")


def test_the_case_page_on_a_phone(desk, live_server, cases):
    phone = desk("petugas", width=360, height=740)
    phone.goto(f"{live_server.url}/staf/kasus/{cases['clarifying'].pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    clean(phone, "case page at 360 px")
    phone.goto(live_server.url + "/staf/")
    clean(phone, "queue at 360 px")


def test_the_statistics_and_audit_pages_have_no_serious_accessibility_issue(desk, live_server, cases):
    """The staff statistics (charts and tables), the audit trail with a reveal on it, and the public figures."""
    workflow.identity_reveal(
        report=cases["triage"], user=cases["people"]["ketua"], reason="Undangan klarifikasi"
    )
    url = live_server.url
    coordinator = desk("ketua")
    coordinator.goto(url + "/staf/statistik/")
    assert coordinator.locator("svg[role=img]").count() > 0  # the charts are there to be checked
    clean(coordinator, "staff statistics")
    coordinator.goto(url + "/staf/audit/")
    assert coordinator.locator("table tbody tr").count() >= 1
    clean(coordinator, "audit trail")
    citizen = desk()
    citizen.goto(url + "/statistik/")
    clean(citizen, "public statistics")
    phone = desk(width=360, height=740)
    phone.goto(url + "/statistik/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    clean(phone, "public statistics at 360 px")
