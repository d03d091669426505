"""Indonesia's three time zones (issue 10, item 15): days are counted, and times shown, in the zone of the
case's region (Keppres 41/1987). A report from Papua filed at 00:30 WIT on a Monday is 22:30 WIB on Sunday:
it is Monday's report."""

import datetime as dt
import zoneinfo
from unittest import mock

from django.urls import reverse

from complaints import deadlines
from complaints.models import Election, Region, Report
from complaints.services import workflow
from complaints.services.intake import report_submit
from complaints.timezones import WIB, WIT, WITA, zone_for_region
from tests.factories import ReportFactory, staff

WIB_TZ = zoneinfo.ZoneInfo("Asia/Jakarta")
WITA_TZ = zoneinfo.ZoneInfo("Asia/Makassar")
WIT_TZ = zoneinfo.ZoneInfo("Asia/Jayapura")
S = Report.Status


def in_region(code: str, **kwargs) -> Report:
    region = Region.objects.get(code=code)
    return ReportFactory(incident_region=region, **kwargs)


def test_every_province_has_its_zone(db):
    zones = {
        code: zone_for_region(code).name
        for code in Region.objects.filter(level=1).values_list("code", flat=True)
    }
    assert len(zones) == 38
    counted = {name: sorted(c for c, z in zones.items() if z == name) for name in ("WIB", "WITA", "WIT")}
    assert counted["WIT"] == [
        "81",
        "82",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
    ]  # Maluku, Maluku Utara, six Papua
    assert counted["WITA"] == ["51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"]
    assert "61" in counted["WIB"] and "62" in counted["WIB"]  # Kalimantan Barat and Tengah stay WIB
    assert len(counted["WIB"]) == 18
    assert (
        zone_for_region("91.71.01.1001") is WIT
        and zone_for_region("35.74") is WIB
        and zone_for_region("") is WIB
    )


def test_a_papua_report_just_after_midnight_counts_from_monday(db):
    """Pemilu (working days): filed 00:30 WIT on Monday 4 March 2024 = Sunday 22:30 WIB. The initial assessment
    is due two working days after Monday (Wednesday 6 March), not after Sunday (Tuesday 5 March)."""
    pemilu = Election.objects.get(slug="pemilu-2024")
    filed = dt.datetime(2024, 3, 4, 0, 30, tzinfo=WIT_TZ)
    assert filed.astimezone(WIB_TZ).date() == dt.date(2024, 3, 3)
    papua = in_region("91.71", election=pemilu, created_at=filed, known_date=dt.date(2024, 3, 1))
    java = in_region("35.74", election=pemilu, created_at=filed, known_date=dt.date(2024, 3, 1))
    assert deadlines.case_clock(papua, today=dt.date(2024, 3, 4))["initial_assessment"] == dt.date(2024, 3, 6)
    assert deadlines.case_clock(java, today=dt.date(2024, 3, 4))["initial_assessment"] == dt.date(2024, 3, 5)
    assert deadlines.case_clock(papua)["zone"] == "WIT"


def test_a_pilkada_decision_deadline_in_wita_counts_calendar_days_from_the_local_day(db):
    """Pilkada (calendar days): a Bali report filed at 00:30 WITA on Monday 18 Nov 2024 (Sunday 23:30 WIB) and
    registered at 00:15 WITA on Tuesday 19 Nov (Monday 23:15 WIB): initial assessment Wednesday 20 Nov, decision
    three days after Tuesday, Friday 22 Nov."""
    pilkada = Election.objects.get(slug="pilkada-2024")
    filed = dt.datetime(2024, 11, 18, 0, 30, tzinfo=WITA_TZ)
    registered = dt.datetime(2024, 11, 19, 0, 15, tzinfo=WITA_TZ)
    bali = in_region("51.71", election=pilkada, created_at=filed, known_date=dt.date(2024, 11, 17))
    clock = deadlines.case_clock(bali, today=dt.date(2024, 11, 18))
    assert clock["initial_assessment"] == dt.date(2024, 11, 20) and clock["zone"] == "WITA"
    bali.status, bali.registered_at = S.INVESTIGATION, registered
    assert deadlines.case_clock(bali, today=dt.date(2024, 11, 19))["decision"] == dt.date(2024, 11, 22)
    java = in_region("35.74", election=pilkada, created_at=filed, known_date=dt.date(2024, 11, 17))
    java.status, java.registered_at = S.INVESTIGATION, registered
    assert deadlines.case_clock(java, today=dt.date(2024, 11, 19))["decision"] == dt.date(2024, 11, 21)


def test_the_kept_deadline_and_overdue_follow_the_zone(db):
    """`due_on` kept by the workflow is the local day's; "overdue" starts at local midnight."""
    staff_user = staff("relawan", "relawan", ["91", "35"])
    pilkada = Election.objects.get(slug="pilkada-2024")
    filed = dt.datetime(2024, 11, 18, 0, 30, tzinfo=WIT_TZ)
    papua = in_region("91.71", election=pilkada, created_at=filed)
    workflow.due_refresh(papua)
    papua.refresh_from_db()
    assert papua.due_on == dt.date(2024, 11, 20)
    # 21 Nov 00:10 WIT is still 20 Nov 22:10 WIB: overdue in Papua, not yet in Java.
    java = in_region("35.74", election=pilkada, created_at=filed.astimezone(WIB_TZ).replace(hour=22))
    Report.objects.filter(pk=java.pk).update(due_on=dt.date(2024, 11, 20))
    from complaints.selectors.cases import QueueFilters, case_queue

    moment = dt.datetime(2024, 11, 21, 0, 10, tzinfo=WIT_TZ)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        overdue = list(case_queue(staff_user, QueueFilters(overdue=True)).values_list("pk", flat=True))
        # A jurisdiction in one zone counts that zone's days alone; an admin's, every zone's.
        papua_only = staff("papua", "relawan", ["91"])
        java_only = staff("jawa", "relawan", ["35.74"])
        admin = staff("admin", "admin", [])
        by_user = {
            who.username: list(case_queue(who, QueueFilters(overdue=True)).values_list("pk", flat=True))
            for who in (papua_only, java_only, admin)
        }
    assert overdue == [papua.pk]
    assert by_user == {"papua": [papua.pk], "jawa": [], "admin": [papua.pk]}


def test_the_filing_window_counts_in_the_zone_where_it_happened(db):
    """Pilkada: 7 calendar days from the day it became known. Filed at 00:30 WIT on day 8 (22:30 WIB on day 7):
    late in Papua, where it is day 8; the same moment is in time in Java."""
    pilkada = Election.objects.get(slug="pilkada-2024")
    known = dt.date(2024, 11, 1)
    moment = dt.datetime(2024, 11, 9, 0, 30, tzinfo=WIT_TZ)
    base = {
        "election": pilkada,
        "anonymous": False,
        "reporter_name": "Yohana",
        "reporter_type": "voter",
        "incident_date": known,
        "known_date": known,
        "incident_place": "Kantor distrik",
        "categories": [],
        "chronology": "Kepala distrik berkampanye untuk calon bupati di balai kampung.",
    }
    with mock.patch("django.utils.timezone.now", return_value=moment):
        papua = report_submit(
            data={**base, "incident_region": Region.objects.get(code="91.71")}, accused=[], files=[], links=[]
        )
        java = report_submit(
            data={**base, "incident_region": Region.objects.get(code="35.74")}, accused=[], files=[], links=[]
        )
    assert papua.report.late and papua.report.kind == Report.Kind.INFORMASI_AWAL
    assert not java.report.late and java.report.kind == Report.Kind.LAPORAN


def test_pages_show_times_in_the_case_zone_with_its_name(client, db):
    officer = staff("petugas", "staf", ["91", "51"])
    filed = dt.datetime(2024, 3, 4, 0, 30, tzinfo=WIT_TZ)
    papua = in_region("91.71", created_at=filed)
    bali = in_region("51.71", created_at=dt.datetime(2024, 3, 4, 14, 5, tzinfo=WITA_TZ))
    client.force_login(officer)
    html = client.get(reverse("staff:case", args=[papua.pk])).content.decode()
    assert "00:30 WIT" in html and "WIB" not in html.split('id="case-title"')[1].split("</p>")[1]
    assert "14:05 WITA" in client.get(reverse("staff:case", args=[bali.pk])).content.decode()
    # The queue shows Monday for the Papua report (Sunday in WIB).
    queue = client.get(reverse("staff:home"), {"status": "open"}).content.decode()
    assert "4 Mar 2024" in queue.split(f'data-id="{papua.pk}"')[1].split("</tr>")[0]
    # /lacak/ shows the reporter the time in their zone.
    client.logout()
    html = client.post(
        reverse("complaints:track"), {"tracking_code": papua.tracking_code, "pin": "123456"}
    ).content.decode()
    assert " WIT" in html and "WIB" not in html.split('id="report-status"')[1].split("</div>")[0]


def test_zone_objects(db):
    assert (WIB.utc_offset, WITA.utc_offset, WIT.utc_offset) == (7, 8, 9)
    assert str(WITA) == "WITA"
