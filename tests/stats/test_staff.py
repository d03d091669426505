"""/staf/statistik/: three people and an outsider, filters, CSV tables, and a fixed number of queries."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import ReportEvent
from complaints.services.history import event_record
from tests.stats.conftest import case, wib

URL = "/staf/statistik/"


@pytest.fixture
def desk(people):
    """Jawa Timur: four reports in Kota Probolinggo (one triaged by the volunteer, one decided and referred, one
    with the coordinator's note), two in Kab. Probolinggo; DKI Jakarta: three, one of them triaged by the outsider."""
    relawan, staf = people["relawan"], people["staf"]
    day = wib(2024, 10, 1, 8)
    case(created=day, first_move=wib(2024, 10, 1, 10), actor=relawan, status="triage", assigned_to=relawan)
    case(
        created=day,
        first_move=wib(2024, 10, 1, 9),
        actor=relawan,
        registered=wib(2024, 10, 2, 8),
        decided=wib(2024, 10, 4, 8),
        sent_on=dt.date(2024, 10, 7),
        status="referred",
        assigned_to=staf,
    )
    case(created=day)
    noted = case(created=day, election="pemilu-2024")
    # A note is on the timeline but in no column of the per-person table: its writer gets no row for it.
    event_record(report=noted, kind=ReportEvent.Kind.NOTE, note="Cek ulang.", actor=people["koordinator"])
    case(created=day, region="35.13.01")
    case(created=day, region="35.13.02", status="investigation", assigned_to=staf)
    for _ in range(3):
        case(created=day, region="31.71.01", first_move=wib(2024, 10, 3, 8), actor=people["outsider"])
    return people


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def rows(response, key) -> dict:
    return {r.code: r.values for r in response.context["figures"]["tables"][key].rows}


def test_a_coordinator_sees_their_province_and_the_work_per_person(client, desk):
    response = page(client, desk["koordinator"])
    figures = response.context["figures"]
    assert figures["headline"]["total"] == 6
    assert rows(response, "region") == {"35.74": [4, 4, 0], "35.13": [2, 2, 0]}  # kab/kota of Jawa Timur
    people = rows(response, "people")
    # Volunteer: assigned one open case, triaged two. Officer: two open cases assigned.
    assert people["relawan"][:2] == [1, 2]
    assert people["staf"][0] == 2
    assert "outsider" not in people  # their work was on Jakarta's reports
    assert "koordinator" not in people  # only notes, which no column counts (fixture desk)
    html = response.content.decode()
    assert "Work per volunteer and officer" in html or "Kerja per relawan dan petugas" in html


@pytest.mark.parametrize("who", ["staf", "relawan"])
def test_officers_and_volunteers_see_the_figures_without_the_per_person_table(client, desk, who):
    response = page(client, desk[who])
    tables = response.context["figures"]["tables"]
    assert response.context["figures"]["headline"]["total"] == 6
    assert "people" not in tables and "relawan" not in response.content.decode().split("stats-headline")[1]
    client.force_login(desk[who])
    assert client.get(reverse("stats_staff:staff_csv", args=["people"])).status_code == 404
    assert client.get(reverse("stats_staff:staff_csv", args=["status"])).status_code == 200


def test_an_officer_of_another_province_sees_none_of_these_cases(client, desk):
    response = page(client, desk["outsider"])
    assert response.context["figures"]["headline"]["total"] == 3
    assert rows(response, "region") == {"31.71": [3, 3, 0]}
    assert set(rows(response, "people")) == {"outsider"}
    # Asking for Jawa Timur by its code is refused with a message, and shows nothing of it.
    response = page(client, desk["outsider"], region="35")
    assert "region" in response.context["form"].errors
    assert response.context["figures"]["headline"]["total"] == 3
    client.force_login(desk["outsider"])
    body = client.get(reverse("stats_staff:staff_csv", args=["region"]), {"region": "35"}).content.decode()
    assert "35.74" not in body and "31.71" in body


def test_someone_without_a_staff_role_gets_nothing(client, desk):
    nobody = User.objects.create_user("warga", password="x-posko-test-1")
    client.force_login(nobody)
    assert client.get(URL).status_code == 404
    assert client.get(reverse("stats_staff:staff_csv", args=["status"])).status_code == 404


def test_drilling_down_from_province_to_kab_kota_to_kecamatan(client, desk):
    response = page(client, desk["koordinator"])
    assert '?region=35.13"' in response.content.decode() or "?region=35.13&" in response.content.decode()
    response = page(client, desk["koordinator"], region="35.13")
    assert response.context["figures"]["headline"]["total"] == 2
    assert rows(response, "region") == {"35.13.01": [1, 1, 0], "35.13.02": [1, 1, 0]}
    assert [name for _code, name in response.context["path"]] == ["Jawa Timur", "Kabupaten Probolinggo"]


def test_election_and_date_filters(client, desk):
    assert (
        page(client, desk["koordinator"], election="pemilu-2024").context["figures"]["headline"]["total"] == 1
    )
    later = case(created=wib(2024, 11, 20, 8))
    response = page(client, desk["koordinator"], date_from="2024-11-01", date_to="2024-11-30")
    assert response.context["figures"]["headline"]["total"] == 1
    weeks = rows(response, "week")
    assert sum(v[0] for v in weeks.values()) == 1 and "2024-11-18" in weeks
    assert later.pk


def test_bad_filters_get_a_clear_message_and_keep_what_was_typed(client, desk):
    response = page(
        client, desk["koordinator"], date_from="2024-12-01", date_to="2024-11-01", election="nope"
    )
    html = response.content.decode()
    form = response.context["form"]
    assert set(form.errors) == {"date_to", "election"}
    assert 'value="2024-12-01"' in html and 'value="2024-11-01"' in html
    assert response.context["figures"]["headline"]["total"] == 6  # the bad filters are left out
    response = page(client, desk["koordinator"], date_from="kemarin")
    assert "TTTT-BB-HH" in response.content.decode() and 'value="kemarin"' in response.content.decode()


def test_every_table_downloads_as_csv(client, desk):
    client.force_login(desk["koordinator"])
    for key in response_tables(client):
        response = client.get(reverse("stats_staff:staff_csv", args=[key]), {"region": "35.74"})
        assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response["Content-Disposition"]
        assert response.content.startswith("\ufeff".encode())
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert table[0][0] == "code" and len(table) >= 2
    status = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("stats_staff:staff_csv", args=["status"])).content.decode("utf-8-sig")
            )
        )
    )
    assert ["submitted", "Diterima", "3", "0"] in status
    assert client.get(reverse("stats_staff:staff_csv", args=["nothing"])).status_code == 404


def response_tables(client) -> list[str]:
    return list(client.get(URL).context["figures"]["tables"])


def test_charts_are_svg_with_title_description_and_their_table(client, desk):
    html = page(client, desk["koordinator"]).content.decode()
    for key in ("status", "region", "week", "category", "timing"):
        assert f'data-chart="{key}"' in html and f'data-table="{key}"' in html
        assert f'aria-labelledby="chart-{key}-title chart-{key}-desc"' in html
    assert "<script" not in html.split("<main")[1].split("</main>")[0]


def test_the_page_speaks_english_on_request(client, desk, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Reports by status" in page(client, desk["koordinator"]).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    assert "Laporan menurut status" in page(client, desk["koordinator"]).content.decode()


def test_the_staff_page_costs_the_same_queries_for_more_cases(client, desk):
    """More reports, events, assessments, referrals and people must not add queries."""

    def queries() -> int:
        client.force_login(desk["koordinator"])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    from tests.factories import staff

    for i in range(12):
        helper = staff(f"relawan{i}", "relawan", ["35"])
        case(
            created=wib(2024, 9, 1 + i, 8),
            region=["35.74.01", "35.13.03", "35.74.02"][i % 3],
            first_move=wib(2024, 9, 1 + i, 12),
            actor=helper,
            registered=wib(2024, 9, 2 + i, 8),
            decided=wib(2024, 9, 4 + i, 8),
            sent_on=dt.date(2024, 9, 6 + i),
            outcome_at=wib(2024, 10, 1, 8) if i % 2 else None,
            status="closed" if i % 2 else "referred",
            assigned_to=helper,
        )
        extra = case(created=wib(2024, 9, 3, 8))
        ReportEvent.objects.create(report=extra, kind=ReportEvent.Kind.NOTE, actor=helper, note="Catatan.")
    assert queries() == few


def test_csv_cells_that_look_like_formulas_are_neutralised(client, desk):
    from complaints.models import Report, ViolationCategory

    odd = ViolationCategory.objects.create(
        slug="aneh", name='=HYPERLINK("http://x")', group="other", legal_basis="-"
    )
    Report.objects.filter(province_code="35").first().categories.add(odd)
    client.force_login(desk["koordinator"])
    body = client.get(reverse("stats_staff:staff_csv", args=["category"])).content.decode("utf-8-sig")
    assert "aneh,'=HYPERLINK" in body.replace('"', "")


def test_staff_figures_are_kept_for_a_minute_per_jurisdiction_and_filters(client, desk, settings):
    settings.POSKO_STATS_STAFF_CACHE_SECONDS = 60

    def count(user, **params) -> tuple[int, int]:
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, params)
        return response.context["figures"]["headline"]["total"], len(ctx.captured_queries)

    total, first = count(desk["koordinator"])
    case(created=wib(2024, 10, 9, 8))
    again, second = count(desk["koordinator"])
    assert (total, again) == (6, 6) and second < first - 8  # kept: the new report shows once refreshed
    assert count(desk["koordinator"], region="35.74")[0] == 5  # other filters: their own figures
    assert count(desk["outsider"])[0] == 3  # another jurisdiction never gets these
    staf_total, _queries = count(desk["staf"])
    assert staf_total == 7  # same jurisdiction but no per-person table: figures of their own, computed now


def _age_copy(response, seconds: float) -> None:
    """Make the copy of the staff figures this page was served `seconds` older, as if computed that long ago."""
    from django.core.cache import cache
    from django.utils import translation

    from stats.selectors.staff import StatsFilters, _staff_key

    request = response.wsgi_request
    with translation.override(request.LANGUAGE_CODE):
        key = _staff_key(
            request.user, StatsFilters(), response.context["figures"]["tables"].get("people") is not None
        )
    entry = cache.get(key)
    assert entry is not None
    entry["at"] -= seconds
    cache.set(key, entry)


def test_an_old_copy_is_served_at_once_and_refreshed_behind_it(client, desk, settings):
    """Past POSKO_STATS_STAFF_CACHE_SECONDS the page still answers with the copy it has (saying when it was
    computed) and a task computes a fresh one; here tasks run in-process, so the next visit has it."""
    settings.POSKO_STATS_STAFF_CACHE_SECONDS = 60
    client.force_login(desk["koordinator"])
    response = client.get(URL)
    first = response.context["figures"]
    case(created=wib(2024, 10, 9, 8))
    assert client.get(URL).context["figures"]["headline"]["total"] == 6  # fresh copy: kept
    _age_copy(response, 61)
    stale = client.get(URL).context["figures"]
    assert stale["headline"]["total"] == 6 and stale["computed"] == first["computed"]  # served as it was
    fresh = client.get(URL).context["figures"]
    assert fresh["headline"]["total"] == 7 and fresh["computed"] > first["computed"]


@pytest.mark.worker
def test_a_worker_refreshes_an_old_copy_while_the_page_serves_it(celery_worker_process, client, settings):
    """With a real worker: the visit that finds an old copy is answered from it without computing anything,
    and the refresh task (sweep queue) puts a fresh copy in the shared cache for the next visit."""
    import time

    from stats.tasks import refresh_staff_task
    from tests.factories import staff

    assert settings.CELERY_TASK_ROUTES[refresh_staff_task.name] == {"queue": settings.POSKO_QUEUE_SWEEP}
    settings.POSKO_STATS_STAFF_CACHE_SECONDS = 60
    koordinator = staff("koordinator", "koordinator", ["35"])
    case(created=wib(2024, 10, 1, 8))
    client.force_login(koordinator)
    response = client.get(URL)
    assert response.context["figures"]["headline"]["total"] == 1
    case(created=wib(2024, 10, 2, 8))
    _age_copy(response, 61)
    with CaptureQueriesContext(connection) as ctx:
        stale = client.get(URL).context["figures"]
    assert stale["headline"]["total"] == 1
    # Nothing computed here (the figures are grouped counts and medians; the menu's own count remains).
    figures = [q for q in ctx.captured_queries if "GROUP BY" in q["sql"] or "percentile_cont" in q["sql"]]
    assert not figures
    deadline = time.monotonic() + 60
    total = 1
    while total == 1 and time.monotonic() < deadline:
        time.sleep(0.3)
        total = client.get(URL).context["figures"]["headline"]["total"]
    assert total == 2


def test_events_carry_their_reports_region_and_the_per_person_table_counts_them_by_it(desk):
    """Every event gets its report's province and kab/kota from PostgreSQL as it is inserted (whichever code
    writes it), and the per-person table counts a jurisdiction's events by that copy: the same figures as
    joining the events to the jurisdiction's reports, for a province, a drill-down to a kab/kota and the
    dates; an election filter and a jurisdiction below kab/kota still join the reports."""
    from complaints.models import Election, Report
    from stats.selectors.staff import StatsFilters, events_in_scope, people_work, stats_scope
    from tests.factories import staff

    helper = User.objects.get(username="relawan")
    report = Report.objects.filter(regency_code="35.13").first()
    written = [
        event_record(report_id=report.pk, kind=ReportEvent.Kind.CLARIFICATION, actor=helper),
        ReportEvent.objects.create(report=report, kind=ReportEvent.Kind.REFERRAL, actor=helper),
    ]
    stored = ReportEvent.objects.filter(pk__in=[e.pk for e in written])
    assert set(stored.values_list("province_code", "regency_code")) == {("35", "35.13")}
    assert not ReportEvent.objects.filter(province_code="").exists()

    coordinator = desk["koordinator"]
    kecamatan = staff("camat-desk", "staf", ["35.13.01"])
    for user, filters in [
        (coordinator, StatsFilters()),
        (coordinator, StatsFilters(region="35.13")),
        (
            coordinator,
            StatsFilters(region="35.74", date_from=dt.date(2024, 10, 1), date_to=dt.date(2024, 10, 1)),
        ),
        (desk["outsider"], StatsFilters()),
    ]:
        events = events_in_scope(user, filters)
        assert events is not None
        everything = stats_scope(user, filters, dates=False)
        by_copy = people_work(everything, filters, events=events)
        assert by_copy == people_work(everything, filters), filters
    # Kab. Probolinggo's events: the two steps the volunteer took above, and nothing of anyone else's.
    kab = StatsFilters(region="35.13")
    assert people_work(None, kab, events=events_in_scope(coordinator, kab)) == {
        helper.pk: [0, 0, 0, 0, 1, 0, 1, 0]
    }
    assert events_in_scope(coordinator, StatsFilters(election=Election.objects.first())) is None
    assert events_in_scope(kecamatan, StatsFilters()) is None


class _SchemaEditor:
    """What a migration's fill function reads of the schema editor it is given."""

    connection = connection


def test_the_migration_copies_the_region_into_the_events_written_before(desk):
    """complaints/migrations/0022 fills the events' province and kab/kota from their reports (the append-only
    trigger ignored for that one statement)."""
    import importlib

    import pgtrigger
    from django.apps import apps

    with pgtrigger.ignore("complaints.ReportEvent:event_append_only"):
        ReportEvent.objects.update(province_code="", regency_code="")
    assert ReportEvent.objects.filter(province_code="").count() == ReportEvent.objects.count() > 0
    fill = importlib.import_module("complaints.migrations.0022_event_region").regions_fill

    fill(apps, _SchemaEditor())
    assert not ReportEvent.objects.filter(province_code="").exists()
    for event in ReportEvent.objects.select_related("report"):
        assert (event.province_code, event.regency_code) == (
            event.report.province_code,
            event.report.regency_code,
        )


def _copies_are_the_reports():
    from complaints.models import ReportCategory

    for row in ReportCategory.objects.select_related("report"):
        report = row.report
        assert (row.province_code, row.regency_code, row.report_election, row.report_created_at) == (
            report.province_code,
            report.regency_code,
            report.election_id,
            report.created_at,
        )


def test_category_rows_carry_their_reports_region_election_and_receipt_and_are_counted_by_them(desk):
    """Every row of Report.categories gets its report's province, kab/kota, election and time of receipt from
    PostgreSQL as it is inserted, and the category table counts a jurisdiction's rows by those copies: the same
    figures as joining the rows to the jurisdiction's reports, with every filter; a jurisdiction below kab/kota
    still joins."""
    from complaints.models import Election, Report, ReportCategory, ViolationCategory
    from stats.selectors.staff import StatsFilters, categories_in_scope, category_table, stats_scope
    from tests.factories import staff

    # The desk's reports named their categories through the factory; one more is named here, by .add().
    report = Report.objects.filter(regency_code="35.13").order_by("pk").first()
    report.categories.add(ViolationCategory.objects.exclude(reports=report).first())
    assert ReportCategory.objects.count() > Report.objects.count() - 1 > 0
    _copies_are_the_reports()
    pemilu = Election.objects.get(slug="pemilu-2024")
    coordinator = desk["koordinator"]
    for user, filters in [
        (coordinator, StatsFilters()),
        (coordinator, StatsFilters(region="35.13")),
        (coordinator, StatsFilters(election=pemilu)),
        (coordinator, StatsFilters(date_from=dt.date(2024, 10, 1), date_to=dt.date(2024, 10, 1))),
        (coordinator, StatsFilters(date_from=dt.date(2024, 10, 2))),
        (desk["outsider"], StatsFilters()),
    ]:
        copies = categories_in_scope(user, filters)
        assert copies is not None
        qs = stats_scope(user, filters)
        by_copies = [(r.code, r.values) for r in category_table(qs, copies=copies).rows]
        assert by_copies == [(r.code, r.values) for r in category_table(qs).rows], filters
    whole = category_table(
        stats_scope(coordinator, StatsFilters()), copies=categories_in_scope(coordinator, StatsFilters())
    )
    assert (
        sum(r.values[0] for r in whole.rows) == ReportCategory.objects.filter(province_code="35").count() > 6
    )
    assert categories_in_scope(staff("camat-desk", "staf", ["35.13.01"]), StatsFilters()) is None


def test_the_migration_copies_the_reports_fields_into_the_category_rows_written_before(desk):
    """complaints/migrations/0023 fills the category rows' copies from their reports."""
    import importlib

    from django.apps import apps

    from complaints.models import ReportCategory

    ReportCategory.objects.update(
        province_code="", regency_code="", report_election=None, report_created_at=None
    )
    assert not ReportCategory.objects.exclude(province_code="").exists() and ReportCategory.objects.exists()
    fill = importlib.import_module("complaints.migrations.0023_report_category_copies").copies_fill

    fill(apps, _SchemaEditor())
    _copies_are_the_reports()


@pytest.mark.worker
def test_signing_in_has_a_worker_compute_the_statistics_before_the_first_visit(
    celery_worker_process, client, settings
):
    """With a real worker: a coordinator who signs in (password, then the code, through the pages) finds the
    figures of their whole jurisdiction already computed on their first visit of the statistics; the sign-in
    itself computed nothing. Signing in again while the copy is there queues nothing more."""
    import time

    from django.core.cache import cache

    from stats.selectors.staff import StatsFilters, _staff_key, staff_figures_warm
    from tests.accounts.conftest import sign_in
    from tests.factories import staff

    settings.POSKO_STATS_STAFF_CACHE_SECONDS = 60  # kept (the default; this module's tests compute each time)
    koordinator = staff("koordinator", "koordinator", ["35"])
    case(created=wib(2024, 10, 1, 8))
    case(created=wib(2024, 10, 2, 8), region="31.71.01")  # not theirs
    key = _staff_key(koordinator, StatsFilters(), True)
    with CaptureQueriesContext(connection) as ctx:
        assert sign_in(client, koordinator).status_code == 302
    assert not [q for q in ctx.captured_queries if "GROUP BY" in q["sql"] or "percentile_cont" in q["sql"]]
    deadline = time.monotonic() + 60
    while cache.get(key) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert cache.get(key) is not None, "no worker computed the figures after the sign-in"
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    assert response.context["figures"]["headline"]["total"] == 1
    assert not [q for q in ctx.captured_queries if "GROUP BY" in q["sql"] or "percentile_cont" in q["sql"]]
    assert staff_figures_warm(koordinator) is False  # a copy is there: nothing to do


def test_a_sign_in_never_fails_for_the_statistics_warm_up(
    client, db, monkeypatch, django_capture_on_commit_callbacks
):
    """Where a worker would take tasks, the sign-in asks for the warm-up once it has committed; should that
    fail (the cache or the broker down), the sign-in still goes through."""
    from posko.celery import app
    from stats.selectors import staff as staff_selectors
    from tests.accounts.conftest import sign_in
    from tests.factories import staff

    asked = []

    def down(user):
        asked.append(user.username)
        raise ConnectionError("redis is down")

    monkeypatch.setattr(staff_selectors, "staff_figures_warm", down)
    app.conf.task_always_eager = False  # as with a worker (tests/conftest.py puts it back after the test)
    koordinator = staff("koordinator", "koordinator", ["35"])
    with django_capture_on_commit_callbacks(execute=True):  # as the sign-in's commit would run them
        response = sign_in(client, koordinator)
    assert response.status_code == 302
    assert asked == ["koordinator"]
    assert client.get(URL).status_code == 200  # signed in, and the page computes the figures itself
