"""The figures of /staf/statistik/: a user's jurisdiction, narrowed by region, election and dates of receipt.

Every figure is an aggregate computed by the database in a fixed number of queries, whatever the number of
reports (tests/stats/test_staff_queries.py). Durations are medians in days, each from the step before it that
the law or the workflow records:

- triage: from receipt (`Report.created_at`) to the first move out of "received" (`Report.triaged_at`, set
  when the timeline records that transition: a volunteer starts triage, asks for correction or rejects);
- registration: from receipt to registration as a case (`Report.registered_at`);
- decision: from registration to the kajian's decision (`Assessment.decided_at`, kept on the report as
  `Report.decided_at`), the span the legal clock measures (UU 7/2017 Pasal 454 ayat 7-8; UU 10/2016 Pasal 134
  ayat 5-6; complaints/deadlines.py);
- referral: from the decision's day to the day the recommendation was sent (`Referral.sent_on`, kept as
  `Report.referral_sent_on`);
- the agency's outcome: from the day it was sent to when its outcome was recorded
  (`Referral.outcome_recorded_at`, kept as `Report.agency_outcome_at`).
"""

import datetime as dt
import hashlib
import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.deadlines import decision_deadline
from complaints.models import (
    Election,
    ReferralAgency,
    Region,
    Report,
    ReportCategory,
    ReportEvent,
    StaffProfile,
    ViolationCategory,
)
from complaints.services.access import has_role, jurisdiction_codes, jurisdiction_q, reports_for_user, role_of
from complaints.timezones import Zone, due_before_today_q, zone_for_region, zones_of
from stats.medians import DAY, case_date, local_week, measure, medians, waiting_measure
from stats.parallel import all_at_once
from stats.tables import Column, Row, Table

log = logging.getLogger(__name__)
S = Report.Status
E = ReportEvent.Kind
# The deadline a case waits on in each status (complaints.deadlines.case_clock): the initial assessment while
# received or in triage, the decision from registration until the kajian decides.
INITIAL_PENDING = [S.SUBMITTED, S.TRIAGE]
DECISION_PENDING = [S.INVESTIGATION, S.CLARIFICATION, S.ASSESSMENT]
# How long referred cases have waited for the agency, in days: the buckets of the waiting table.
WAITING_BUCKETS = [(0, 14), (15, 30), (31, 60), (61, 90), (91, None)]


@dataclass
class StatsFilters:
    region: str = ""  # a province ("35") or kab/kota ("35.74") code
    election: Election | None = None
    date_from: dt.date | None = None  # reports received from this day (Asia/Jakarta) ...
    date_to: dt.date | None = None  # ... to this day, inclusive


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def stats_scope(user, filters: StatsFilters, *, dates: bool = True) -> QuerySet:
    """The reports the figures count: the user's jurisdiction, then the filters."""
    qs = reports_for_user(user)
    if filters.region:
        qs = qs.filter(_region_q(filters.region))
    if filters.election:
        qs = qs.filter(election=filters.election)
    if dates:
        qs = qs.filter(**_date_range("created_at", filters))
    return qs


def scope_zones(user, filters: StatsFilters) -> set[Zone] | None:
    """The zones the reports in scope can lie in: the chosen region's, else the jurisdiction's; None: any."""
    if filters.region:
        return {zone_for_region(filters.region)}
    return zones_of(jurisdiction_codes(user))


def _region_q(region: str) -> Q:
    """A province ("35") or kab/kota ("35.74") by the indexed code of its level: the report's own, or a copy of
    it on an event or category row."""
    return Q(**{"province_code" if len(region) == 2 else "regency_code": region})


def _date_range(field: str, filters: StatsFilters) -> dict:
    found = {}
    if filters.date_from:
        found[f"{field}__gte"] = _day_start(filters.date_from)
    if filters.date_to:
        found[f"{field}__lt"] = _day_start(filters.date_to + dt.timedelta(days=1))
    return found


def region_level(user, region: str) -> int:
    """The level the region table breaks figures down to: kab/kota within a province (a chosen one, or the
    only one the jurisdiction has), kecamatan within a kab/kota, otherwise provinces."""
    if region:
        return Region.Level.REGENCY if len(region) == 2 else Region.Level.DISTRICT
    codes = jurisdiction_codes(user)
    if codes is not None and len({c[:2] for c in codes}) == 1:
        return Region.Level.REGENCY
    return Region.Level.PROVINCE


def _group_expression(level: int):
    if level == Region.Level.PROVINCE:
        return F("province_code")
    if level == Region.Level.REGENCY:
        return F("regency_code")
    return Substr("incident_region_id", 1, 8)  # "35.74.01" of a kecamatan or any desa below it


# How long an unvisited copy of a jurisdiction's figures stays in the cache, to be served while a fresher one is
# computed; a day, so that a desk's morning visit finds yesterday's copy instead of waiting.
STAFF_KEEP_SECONDS = 24 * 3600


def filters_as_data(filters: StatsFilters) -> dict:
    """The filters as JSON-able data (for a task), and back with filters_from_data."""
    return {
        "region": filters.region,
        "election": filters.election.slug if filters.election else "",
        "date_from": str(filters.date_from or ""),
        "date_to": str(filters.date_to or ""),
    }


def filters_from_data(data: dict) -> StatsFilters:
    return StatsFilters(
        region=data["region"],
        election=Election.objects.filter(slug=data["election"]).first() if data["election"] else None,
        date_from=dt.date.fromisoformat(data["date_from"]) if data["date_from"] else None,
        date_to=dt.date.fromisoformat(data["date_to"]) if data["date_to"] else None,
    )


def _staff_key(user, filters: StatsFilters, people: bool) -> str:
    """One copy per jurisdiction, filters, right to the per-person table and language: colleagues of one desk
    share it, and nobody ever gets another jurisdiction's figures."""
    codes = jurisdiction_codes(user)
    key = json.dumps(
        [
            sorted(codes) if codes is not None else "all",
            people,
            filters_as_data(filters),
            translation.get_language(),
        ]
    )
    return "posko:stats:staff:v2:" + hashlib.sha256(key.encode()).hexdigest()


def staff_figures_cached(user, filters: StatsFilters, *, people: bool = False) -> dict:
    """`staff_figures` from the cache. The first visit of a jurisdiction, set of filters, right to the
    per-person table and language computes them; every later one is served the copy at once, and when that copy
    is older than POSKO_STATS_STAFF_CACHE_SECONDS a task (sweep queue) computes a fresh one meanwhile, as the
    public figures do. The page says when its figures were computed; with no worker (the embedded default) the
    task runs in the request, as before."""
    seconds = settings.POSKO_STATS_STAFF_CACHE_SECONDS
    if not seconds:
        return staff_figures(user, filters, people=people)
    key = _staff_key(user, filters, people)
    entry = cache.get(key)
    if entry is None:
        return staff_figures_refresh(user, filters, people=people, key=key)
    if time.time() - entry["at"] >= seconds and cache.add(f"{key}:lock", 1, timeout=120):
        from stats.tasks import refresh_staff_task

        try:
            refresh_staff_task.delay(user.pk, filters_as_data(filters), people, translation.get_language())
        except Exception:  # broker unreachable: serve the copy, a later visit asks again
            log.warning("could not queue a refresh of the staff figures", exc_info=True)
            cache.delete(f"{key}:lock")
    return entry["figures"]


def staff_figures_warm(user) -> bool:
    """Ask a worker to compute the figures of the user's whole jurisdiction (the page as it first opens, in the
    active language) when the cache holds no copy of them and nobody is computing them already: called as a
    staff member signs in (stats/apps.py), so that the day's first visit of the statistics finds them ready
    instead of computing a province's figures in the request. True when a task was queued."""
    if not role_of(user):
        return False
    filters = StatsFilters()
    people = has_role(user, StaffProfile.Role.KOORDINATOR)
    key = _staff_key(user, filters, people)
    if cache.get(key) is not None or not cache.add(f"{key}:lock", 1, timeout=120):
        return False
    from stats.tasks import refresh_staff_task

    try:
        refresh_staff_task.delay(user.pk, filters_as_data(filters), people, translation.get_language())
    except Exception:  # broker unreachable: the first visit computes them, as before
        log.warning("could not queue the statistics' warm-up", exc_info=True)
        cache.delete(f"{key}:lock")
        return False
    return True


def staff_figures_refresh(user, filters: StatsFilters, *, people: bool = False, key: str = "") -> dict:
    """Compute the figures and keep them (the request of a first visit, which passes the key it has, or the
    refresh task)."""
    key = key or _staff_key(user, filters, people)
    figures = staff_figures(user, filters, people=people)
    cache.set(key, {"at": time.time(), "figures": figures}, timeout=STAFF_KEEP_SECONDS)
    cache.delete(f"{key}:lock")
    return figures


def staff_figures(
    user, filters: StatsFilters, *, people: bool = False, now: dt.datetime | None = None
) -> dict:
    """Every table of the staff statistics page, and the headline numbers. `people` adds the work per
    volunteer and officer (coordinators only: the caller decides)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    zones = scope_zones(user, filters)
    qs = stats_scope(user, filters)
    elections = {e.pk: e for e in Election.objects.all()}
    level = region_level(user, filters.region)
    # Independent aggregates, side by side on PostgreSQL (stats/parallel.py), costliest first.
    jobs: dict = {}
    if people:
        # The dates apply to the timeline's work, not to which reports are in scope.
        everything = stats_scope(user, filters, dates=False)
        jobs["people_work"] = lambda: people_work(everything, filters, events=events_in_scope(user, filters))
    jobs |= {
        "deadline": lambda: deadline_table(qs, elections, zones=zones),
        **timing_parts(qs),
        "category": lambda: category_table(qs, copies=categories_in_scope(user, filters)),
        "overview": lambda: overview_rows(qs, level, now, zones=zones),
        "week": lambda: week_table(qs, filters),
        "waiting": lambda: waiting_tables(qs, today),
    }
    if people:
        jobs["people_assigned"] = lambda: people_assigned(everything)
    found = all_at_once(jobs)
    overview = found.pop("overview")
    tables = {
        "status": status_table(overview),
        "election": election_table(overview, elections),
        "region": region_table(overview, level),
        "category": found["category"],
        "week": found["week"],
        "timing": timing_table(qs, found=found["timing_own"] | found["timing_later"]),
        "deadline": found["deadline"],
        "overdue": overdue_table(overview),
        **found["waiting"],
    }
    if people:
        tables["people"] = people_table(found["people_work"], found["people_assigned"])
    total = sum(r["n"] for r in overview)
    open_now = sum(r["n"] for r in overview if r["status"] in Report.OPEN)
    decided = tables["deadline"].rows[-1].values if tables["deadline"].rows else [0, 0, None]
    decision_row = next((r for r in tables["timing"].rows if r.code == "decision"), None)
    headline = {
        "total": total,
        "open": open_now,
        "overdue": sum(r["overdue"] for r in overview),
        "waiting": sum(r.values[0] for r in tables["waiting_agency"].rows),
        "in_time_share": decided[2],
        "decision_median_days": decision_row.values[0] if decision_row else None,
    }
    return {"tables": tables, "headline": headline, "level": level, "computed": timezone.now()}


def overview_rows(
    qs: QuerySet, level: int, now: dt.datetime, *, zones: set[Zone] | None = None
) -> list[dict]:
    """Reports and overdue cases by status, election and region: what four of the tables add up. Overdue as the
    queue's overdue view tells it: past the due day in the case's own zone (WIB, WITA or WIT)."""
    overdue = due_before_today_q(now, zones=zones) & Q(status__in=INITIAL_PENDING + DECISION_PENDING)
    return list(
        qs.order_by()
        .values("status", "election_id", group=_group_expression(level))
        .annotate(n=Count("id"), overdue=Count("id", filter=overdue))
    )


def _reports_column() -> Column:
    return Column("reports", _("Reports"))


def status_table(overview: list[dict]) -> Table:
    counts: dict[str, list[int]] = {}
    for r in overview:
        c = counts.setdefault(r["status"], [0, 0])
        c[0] += r["n"]
        c[1] += r["overdue"]
    return Table(
        key="status",
        title=_("Reports by status"),
        description=_("Every report received, by where it stands in the procedure now."),
        row_header=_("Status"),
        columns=[_reports_column(), Column("overdue", _("Overdue now"))],
        rows=[Row(value, str(label), counts.get(value, [0, 0])) for value, label in S.choices],
    )


def election_table(overview: list[dict], elections: dict) -> Table:
    counts: dict[int, int] = {}
    for r in overview:
        counts[r["election_id"]] = counts.get(r["election_id"], 0) + r["n"]
    rows = [
        Row(elections[pk].slug, elections[pk].name, [n])
        for pk, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return Table(
        key="election",
        title=_("Reports by election"),
        description=_("Every report received, by the election it is about."),
        row_header=_("Election"),
        columns=[_reports_column()],
        rows=rows,
    )


def region_table(overview: list[dict], level: int) -> Table:
    counts: dict[str, list[int]] = {}
    for r in overview:
        c = counts.setdefault(r["group"] or "", [0, 0, 0])
        c[0] += r["n"]
        c[1] += r["n"] if r["status"] in Report.OPEN else 0
        c[2] += r["overdue"]
    names = dict(Region.objects.filter(code__in=list(counts)).values_list("code", "name"))
    drill = level in (Region.Level.PROVINCE, Region.Level.REGENCY)
    rows = [
        Row(
            code,
            names.get(code) or _("(region not more precise)"),
            values,
            link=code if drill and code in names else "",
        )
        for code, values in sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
    ]
    header = {
        Region.Level.PROVINCE: _("Province"),
        Region.Level.REGENCY: _("Regency / city"),
        Region.Level.DISTRICT: _("District (kecamatan)"),
    }[level]
    return Table(
        key="region",
        title=_("Reports by region"),
        description=_("Where the reported incidents took place; open a region to see the regions within it."),
        row_header=header,
        columns=[_reports_column(), Column("open", _("Open")), Column("overdue", _("Overdue now"))],
        rows=rows,
    )


def category_table(qs: QuerySet, *, copies: Q | None = None) -> Table:
    """`copies`: the reports of `qs` told by the category rows' own copies (categories_in_scope), when they can
    be; otherwise the rows are joined to the reports of `qs`."""
    counts = dict(
        ReportCategory.objects.filter(copies if copies is not None else Q(report__in=qs.values("pk")))
        .order_by()
        .values("violationcategory_id")
        # The category, not the report: the copies' indexes hold it, so PostgreSQL counts from them alone.
        .annotate(n=Count("violationcategory"))
        .values_list("violationcategory_id", "n")
    )
    categories = ViolationCategory.objects.filter(pk__in=list(counts)).only("slug", "name", "name_en")
    language = translation.get_language() or "id"
    rows = sorted(
        (Row(c.slug, c.label(language), [counts[c.pk]]) for c in categories),
        key=lambda r: (-r.values[0], r.code),
    )
    return Table(
        key="category",
        title=_("Reports by category"),
        description=_("The kinds of violation reported; a report may name several."),
        row_header=_("Category"),
        columns=[_reports_column()],
        rows=rows,
    )


def weeks_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The Mondays from the week of `first` to the week of `last`."""
    start = first - dt.timedelta(days=first.weekday())
    return [start + dt.timedelta(weeks=i) for i in range((last - start).days // 7 + 1)]


def week_label(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def week_table(qs: QuerySet, filters: StatsFilters) -> Table:
    counts = {
        timezone.localtime(r["week"]).date() if isinstance(r["week"], dt.datetime) else r["week"]: r["n"]
        for r in qs.order_by().values(week=local_week("created_at")).annotate(n=Count("id"))
    }
    rows = []
    if counts:
        first = filters.date_from or min(counts)
        last = filters.date_to or max(max(counts), timezone.localdate())
        rows = [
            Row(monday.isoformat(), week_label(monday), [counts.get(monday, 0)])
            for monday in weeks_between(first, last)
        ]
    return Table(
        key="week",
        title=_("Reports per week"),
        description=_("Reports received each week (Monday to Sunday, Western Indonesia Time)."),
        row_header=_("Week"),
        columns=[_reports_column()],
        rows=rows,
        chart="columns",
    )


TIMING = [
    ("triage", "seconds_between", "triaged_at", "created_at"),
    ("registration", "seconds_between", "registered_at", "created_at"),
    ("decision", "seconds_between", "decided_at", "registered_at"),
    ("referral", "days_to_day", "referral_sent_on", "decided_at"),
    ("outcome", "seconds_from_day", "agency_outcome_at", "referral_sent_on"),
]


def timing_measures() -> dict:
    # measure(kind, start, end): the tuples above list the end first, as the step is named after it.
    return {name: measure(kind, start, end) for name, kind, end, start in TIMING}


# The steps the report itself records; the others come after the kajian.
REPORT_STEPS = ("triage", "registration")


def timing_parts(qs: QuerySet, *, in_database: bool | None = None) -> dict:
    """The medians of the timing table as two queries that can run side by side (stats/parallel.py), both from
    the report's stats index: the steps to registration, and the later ones over the decided reports (a report
    without a decision has none of those durations)."""
    measures = timing_measures()
    own = {name: m for name, m in measures.items() if name in REPORT_STEPS}
    later = {name: m for name, m in measures.items() if name not in REPORT_STEPS}
    assessed = qs.filter(decided_at__isnull=False)
    return {
        "timing_own": lambda: medians(qs, own, in_database=in_database).get(None, {}),
        "timing_later": lambda: medians(assessed, later, in_database=in_database).get(None, {}),
    }


def timing_table(qs: QuerySet, *, in_database: bool | None = None, found: dict | None = None) -> Table:
    """`found`: the medians of timing_parts when already computed; otherwise computed here."""
    if found is None:
        found = {}
        for part in timing_parts(qs, in_database=in_database).values():
            found |= part()
    labels = {
        "triage": (_("Triage"), _("from receipt to the first triage action")),
        "registration": (_("Registration"), _("from receipt to registration as a case")),
        "decision": (_("Decision"), _("from registration to the assessment's decision")),
        "referral": (_("Referral"), _("from the decision to the day the recommendation was sent")),
        "outcome": (_("Agency's outcome"), _("from the day it was sent to the recorded outcome")),
    }
    rows = []
    for name, *_rest in TIMING:
        median, n = found.get(name, (None, 0))
        label, span = labels[name]
        rows.append(Row(name, f"{label} ({span})", [_days(median), n]))
    return Table(
        key="timing",
        title=_("How long each step takes"),
        description=_(
            "Median time in days, over the reports that reached each step: half took less, half took more."
        ),
        row_header=_("Step"),
        columns=[
            Column("median_days", _("Median (days)"), "days"),
            Column("measured", _("Reports measured")),
        ],
        rows=rows,
    )


def _days(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / DAY, 1)


def deadline_table(qs: QuerySet, elections: dict, *, zones: set[Zone] | None = None) -> Table:
    """Decisions made within the legal deadline (complaints.deadlines.decision_deadline: Pemilu 7 working days,
    +7 when extended; Pilkada 3 calendar days, +2), per election. The deadline counts working days with
    Indonesia's holidays, which SQL does not know: the database groups the decisions by election, extension,
    day of registration and day of decision, and each group's deadline is computed once in Python. The groups
    number at most the distinct pairs of days, however many the cases. Days are the case's own (WIB, WITA or
    WIT, as its case page counts them: case_date); `zones`, those the reports in `qs` can lie in."""
    groups = (
        qs.filter(registered_at__isnull=False, decided_at__isnull=False)
        .order_by()
        .values(
            "election_id",
            "decision_extended",
            registered=case_date("registered_at", zones),
            decided=case_date("decided_at", zones),
        )
        .annotate(n=Count("id"))
        # Tuples, not dicts: thousands of groups at a province's size.
        .values_list("election_id", "decision_extended", "registered", "decided", "n")
    )
    per_election: dict[int, list[int]] = {}
    deadlines: dict[tuple, dt.date] = {}
    for election_id, extended, registered, decided, n in groups:
        key = (election_id, extended, registered)
        deadline = deadlines.get(key)
        if deadline is None:
            deadline = deadlines[key] = decision_deadline(
                elections[election_id], registered, extended=extended
            )
        counts = per_election.setdefault(election_id, [0, 0])
        counts[0] += n
        if decided <= deadline:
            counts[1] += n
    rows = [
        Row(elections[pk].slug, elections[pk].name, [n, in_time, _share(in_time, n)])
        for pk, (n, in_time) in sorted(per_election.items())
    ]
    if rows:
        n = sum(r.values[0] for r in rows)
        in_time = sum(r.values[1] for r in rows)
        rows.append(Row("all", _("All elections"), [n, in_time, _share(in_time, n)]))
    return Table(
        key="deadline",
        title=_("Decisions within the legal deadline"),
        description=_(
            "Assessments decided by the deadline after registration (Pemilu: 7 working days, 14 when "
            "extended; Pilkada: 3 days, 5 when extended)."
        ),
        row_header=_("Election"),
        columns=[
            Column("decisions", _("Decisions")),
            Column("in_time", _("Within the deadline")),
            Column("share", _("Share (%)"), "%"),
        ],
        rows=rows,
        chart_column=2,
    )


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def overdue_table(overview: list[dict]) -> Table:
    initial = [0, 0]
    decision = [0, 0]
    for r in overview:
        target = (
            initial
            if r["status"] in INITIAL_PENDING
            else decision
            if r["status"] in DECISION_PENDING
            else None
        )
        if target is not None:
            target[0] += r["overdue"]
            target[1] += r["n"]
    return Table(
        key="overdue",
        title=_("Overdue now"),
        description=_("Open cases past the deadline they are waiting on today, out of all waiting on it."),
        row_header=_("Deadline"),
        columns=[Column("overdue", _("Overdue now")), Column("pending", _("Waiting on it"))],
        rows=[
            Row("initial_assessment", _("Initial assessment (2 days after receipt)"), initial),
            Row("decision", _("Decision after registration"), decision),
        ],
    )


def waiting_tables(qs: QuerySet, today: dt.date) -> dict:
    """Cases forwarded to an agency (BKN, Gakkumdu, ...) whose outcome is not recorded yet: per agency, and by
    how long they have waited since the recommendation was sent."""
    waiting = qs.filter(status=S.REFERRED, referral__isnull=False, referral__outcome="")
    buckets = {}
    for low, high in WAITING_BUCKETS:
        q = Q(referral__sent_on__lte=today - dt.timedelta(days=low))
        if high is not None:
            q &= Q(referral__sent_on__gt=today - dt.timedelta(days=high + 1))
        buckets[f"b{low}"] = Count("id", filter=q)
    per_agency = list(
        waiting.order_by()
        .values("referral__agency_id")
        .annotate(n=Count("id"), oldest=Min("referral__sent_on"), **buckets)
    )
    typical = medians(
        waiting, {"waiting": waiting_measure("referral__sent_on", today)}, group_by="referral__agency_id"
    )
    names = dict(
        ReferralAgency.objects.filter(pk__in=[r["referral__agency_id"] for r in per_agency]).values_list(
            "pk", "name"
        )
    )
    agency_rows = [
        Row(
            str(r["referral__agency_id"]),
            names.get(r["referral__agency_id"], "?"),
            [
                r["n"],
                _days(typical.get(r["referral__agency_id"], {}).get("waiting", (None, 0))[0]),
                (today - r["oldest"]).days if r["oldest"] else None,
            ],
        )
        for r in sorted(per_agency, key=lambda r: -r["n"])
    ]
    age_rows = []
    for low, high in WAITING_BUCKETS:
        label = _("%(low)d–%(high)d days") % {"low": low, "high": high} if high is not None else None
        label = label or _("more than %(days)d days") % {"days": low - 1}
        age_rows.append(Row(f"{low}-{high or ''}", label, [sum(r[f"b{low}"] for r in per_agency)]))
    return {
        "waiting_agency": Table(
            key="waiting_agency",
            title=_("Waiting on an agency"),
            description=_(
                "Forwarded cases whose outcome the agency has not yet reported, per agency: how many, "
                "the median wait and the longest, in days since the recommendation was sent."
            ),
            row_header=_("Agency"),
            columns=[
                Column("waiting", _("Waiting")),
                Column("median_days", _("Median wait (days)"), "days"),
                Column("longest_days", _("Longest wait (days)"), "days"),
            ],
            rows=agency_rows,
        ),
        "waiting_age": Table(
            key="waiting_age",
            title=_("How long forwarded cases have waited"),
            description=_(
                "Forwarded cases without the agency's outcome, by days since the recommendation was sent."
            ),
            row_header=_("Waiting"),
            columns=[Column("waiting", _("Cases"))],
            rows=age_rows if agency_rows else [],
        ),
    }


PEOPLE_COLUMNS = [
    ("triaged", Q(kind=E.TRANSITION, from_status=S.SUBMITTED)),
    ("corrections", Q(kind=E.TRANSITION, to_status=S.NEEDS_INFO)),
    ("registered", Q(kind=E.TRANSITION, from_status=S.TRIAGE, to_status=S.INVESTIGATION)),
    ("rejected", Q(kind=E.TRANSITION, to_status=S.REJECTED)),
    ("clarifications", Q(kind=E.CLARIFICATION)),
    ("assessments", Q(kind=E.ASSESSMENT)),
    ("referrals", Q(kind=E.REFERRAL)),
    ("closed", Q(kind=E.TRANSITION, to_status=S.CLOSED)),
]

# Only these kinds count (notes, messages, assignments, reveals, exports and reminders are most of a busy
# timeline's rows): the database skips the rest before the join instead of testing every column's filter.
PEOPLE_KINDS = sorted({kind for _name, q in PEOPLE_COLUMNS for key, kind in q.children if key == "kind"})


def _region_copy_q(user, filters: StatsFilters) -> Q | None:
    """The user's jurisdiction and the region filter told by a row's own copy of its report's province and
    kab/kota (`province_code`, `regency_code`: ReportEvent's and ReportCategory's, written by PostgreSQL), so
    that counting such rows reads the jurisdiction's from their index and never the rest of the country's.
    None when that cannot tell: a jurisdiction below kab/kota, or another database (no copies there)."""
    if connection.vendor != "postgresql" or not role_of(user):
        return None
    codes = jurisdiction_codes(user)
    if codes is not None and any(len(c) > 5 for c in codes):
        return None
    # Down to kab/kota the reports' jurisdiction reads only province_code and regency_code, which the copies
    # carry under the same names.
    q = jurisdiction_q(user)
    return q & _region_q(filters.region) if filters.region else q


def events_in_scope(user, filters: StatsFilters) -> Q | None:
    """The events of the reports in scope (stats_scope without dates) by the events' own copies of their report's
    region (_region_copy_q); None when the reports are needed: an election filter (events carry no copy of
    it), a jurisdiction below kab/kota, or another database."""
    return None if filters.election else _region_copy_q(user, filters)


def categories_in_scope(user, filters: StatsFilters) -> Q | None:
    """The category rows of the reports in scope (stats_scope) by the rows' own copies of their report's region,
    election and time of receipt (ReportCategory); None as for _region_copy_q."""
    q = _region_copy_q(user, filters)
    if q is None:
        return None
    if filters.election:
        q &= Q(report_election=filters.election.pk)
    return q & Q(**_date_range("report_created_at", filters))


def people_work(qs: QuerySet, filters: StatsFilters, *, events: Q | None = None) -> dict[int, list[int]]:
    """What each person recorded on the timelines of the reports in scope within the chosen dates, by column.
    `events`: the same scope told by the events' own columns (events_in_scope), when it can be; otherwise the
    events are joined to the reports of `qs`."""
    scope = events if events is not None else Q(report__in=qs.values("pk"))
    events_found = (
        ReportEvent.objects.filter(scope, actor__isnull=False, kind__in=PEOPLE_KINDS)
        .filter(**_date_range("at", filters))
        .order_by()
        .values("actor_id")
        # Count the actor (never null here), not the id: the people indexes hold the actor, so PostgreSQL
        # counts from the index alone.
        .annotate(**{name: Count("actor", filter=q) for name, q in PEOPLE_COLUMNS})
    )
    return {r["actor_id"]: [r[name] for name, _q in PEOPLE_COLUMNS] for r in events_found}


def people_assigned(qs: QuerySet) -> dict[int, int]:
    """The open cases in scope assigned to each person now."""
    return dict(
        qs.filter(status__in=list(Report.OPEN), assigned_to__isnull=False)
        .order_by()
        .values("assigned_to")
        .annotate(n=Count("id"))
        .values_list("assigned_to", "n")
    )


def people_table(work: dict[int, list[int]], assigned: dict[int, int]) -> Table:
    """The work of each volunteer and officer on the reports in scope (people_work: what they did, from the
    timeline) and the open cases assigned to them now (people_assigned); two queries that run side by side."""
    roles = dict(StaffProfile.Role.choices)
    rank = {StaffProfile.Role.RELAWAN: 0, StaffProfile.Role.STAF: 1, StaffProfile.Role.KOORDINATOR: 2}
    rows = []
    for user in User.objects.filter(pk__in=set(work) | set(assigned)).select_related("posko"):
        profile = getattr(user, "posko", None)
        role = profile.role if profile else ""
        values = [assigned.get(user.pk, 0), *work.get(user.pk, [0] * len(PEOPLE_COLUMNS))]
        label = f"{user.get_full_name() or user.username} · {roles.get(role, _('no role'))}"
        rows.append((rank.get(role, 3), label.lower(), Row(user.username, label, values)))
    labels = {
        "triaged": _("Triaged"),
        "corrections": _("Asked for correction"),
        "registered": _("Registered"),
        "rejected": _("Rejected"),
        "clarifications": _("Clarification steps"),
        "assessments": _("Assessments"),
        "referrals": _("Referral steps"),
        "closed": _("Closed"),
    }
    return Table(
        key="people",
        title=_("Work per volunteer and officer"),
        description=_(
            "Open cases assigned to each person now, and what each recorded on the cases' timelines in the "
            "chosen period (volunteers first)."
        ),
        row_header=_("Person"),
        columns=[Column("assigned", _("Open, assigned"))]
        + [Column(name, labels[name]) for name, _q in PEOPLE_COLUMNS],
        rows=[row for _rank, _label, row in sorted(rows, key=lambda t: (t[0], t[1]))],
        chart="",
    )
