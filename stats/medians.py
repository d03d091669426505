"""Medians of durations, in the database where it can (PostgreSQL's `percentile_cont`), in Python elsewhere.

A `Measure` says how long something took for one report, twice: as SQL for PostgreSQL (seconds, NULL when the
report has not reached that step), and as a Python function of the same columns for other databases (SQLite,
the embedded default), which fetch those columns and take the median with `statistics.median`. Both give the
median of the same numbers, with the same interpolation between the two middle values; the tests compare them
with figures computed by hand.
"""

import datetime as dt
import functools
import re
import statistics
import zoneinfo
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Aggregate, Case, DateField, F, FloatField, Func, QuerySet, When
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from complaints.timezones import WIB, WIT, WIT_PROVINCES, WITA, WITA_PROVINCES, ZONES, Zone

DAY = 86400.0


class Median(Aggregate):
    """PostgreSQL's continuous median: the middle value, or the mean of the two middle values."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


class SqlOf(Func):
    """A PostgreSQL expression written as a template with `{0}`, `{1}` for the compiled column expressions."""

    output_field = FloatField()

    def __init__(self, template: str, *expressions):
        self.sql_template = template
        super().__init__(*(F(e) if isinstance(e, str) else e for e in expressions))

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, p = compiler.compile(expression)
            parts.append(sql)
            params.extend(p)
        return self.sql_template.format(*parts), params


def _zone() -> str:
    """The local zone as PostgreSQL's AT TIME ZONE takes it: a fixed offset (`INTERVAL '+07:00'`) when the zone
    has had one all year round since 1970, otherwise its quoted name. Dates are days in Asia/Jakarta (docs/
    domain.md), which has kept UTC+7 without summer time since 1 January 1964 (the tz database, zone
    Asia/Jakarta); so have WITA (Asia/Makassar, UTC+8) and WIT (Asia/Jayapura, UTC+9). The offset gives the
    same days as the name (checked on 200,000 reports, and by tests/stats) for about half the CPU: a named zone
    is looked up in the tz rules for every row (bench/stats.py: 65-83 against 33-37 ms for the local day of
    78,000 reports)."""
    zone = settings.TIME_ZONE
    offset = fixed_offset(zone)
    if offset is not None:
        return f"INTERVAL '{offset}'"
    # The zone name is put in the SQL, so check it.
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", zone):
        raise ValueError(f"unexpected TIME_ZONE {zone!r}")
    return f"'{zone}'"


@functools.cache
def fixed_offset(zone: str) -> str | None:
    """`zone`'s UTC offset as "+07:00" when it was the same on the 1st and 15th of every month from 1970 to
    2050 (no summer time, no change of offset), else None."""
    try:
        info = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    offsets = {
        dt.datetime(year, month, day, 12, tzinfo=info).utcoffset()
        for year in range(1970, 2051)
        for month in range(1, 13)
        for day in (1, 15)
    }
    if len(offsets) != 1:
        return None
    minutes = int(offsets.pop().total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class _LocalWeek(Func):
    output_field = DateField()
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"date_trunc('week', (({sql}) AT TIME ZONE {_zone()}))::date", params


def local_week(field: str):
    """The Monday of a moment's local week: a date on PostgreSQL (in the cheaper SQL of _zone), TruncWeek's
    datetime elsewhere."""
    return _LocalWeek(F(field)) if connection.vendor == "postgresql" else TruncWeek(field)


class _CaseDate(Func):
    """PostgreSQL: the day of a moment in its report's zone, each zone a fixed offset (WIB, WITA and WIT have
    kept theirs since 1964 and 1988: complaints/timezones.py), chosen by the report's province when the reports
    can lie in more than one."""

    output_field = DateField()

    def __init__(self, field: str, zones: Collection[Zone] | None):
        self.zones = set(zones) if zones else set(ZONES)
        super().__init__(F(field), F("province_code"))

    def as_sql(self, compiler, connection, **extra_context):
        moment, params = compiler.compile(self.get_source_expressions()[0])
        if len(self.zones) == 1:
            offset = _offset(next(iter(self.zones)))
        else:
            province, province_params = compiler.compile(self.get_source_expressions()[1])
            params = [*params, *province_params, *province_params]
            offset = (
                f"CASE WHEN {province} IN ({_codes(WITA_PROVINCES)}) THEN {_offset(WITA)} "
                f"WHEN {province} IN ({_codes(WIT_PROVINCES)}) THEN {_offset(WIT)} ELSE {_offset(WIB)} END"
            )
        return f"(({moment}) AT TIME ZONE {offset})::date", params


def _offset(zone: Zone) -> str:
    return f"INTERVAL '{fixed_offset(zone.tz.key)}'"


def _codes(provinces: Collection[str]) -> str:
    assert all(code.isdigit() for code in provinces)  # our own constants, written into the SQL
    return ", ".join(f"'{code}'" for code in sorted(provinces))


def case_date(field: str, zones: Collection[Zone] | None = None):
    """The day of a moment on a report (a datetime column) in the report's own zone: WIB, WITA or WIT by its
    province (complaints/timezones.py), the days a case's deadlines are counted in (complaints.deadlines
    .case_clock), so that a figure about deadlines agrees with the case pages. `zones`: the zones the reports
    asked about can lie in, when known (a jurisdiction in one zone needs no choice per row)."""
    if connection.vendor == "postgresql":
        return _CaseDate(field, zones)
    if zones and len(set(zones)) == 1:
        return TruncDate(field, tzinfo=next(iter(zones)).tz)
    return Case(
        When(province_code__in=WITA_PROVINCES, then=TruncDate(field, tzinfo=WITA.tz)),
        When(province_code__in=WIT_PROVINCES, then=TruncDate(field, tzinfo=WIT.tz)),
        default=TruncDate(field, tzinfo=WIB.tz),
        output_field=DateField(),
    )


# Seconds as date_part's double precision, not EXTRACT's numeric (PostgreSQL 14 on): the median sorts them, and
# sorting 78,000 floats is a third quicker than as many numerics (bench/stats.py), for the same figures.
def seconds_between(start: str, end: str) -> SqlOf:
    """Seconds from one moment to a later one (both datetimes)."""
    return SqlOf("date_part('epoch', {1} - {0})", start, end)


def seconds_from_day(day: str, end: str) -> SqlOf:
    """Seconds from the start of a day (a date, in the local zone) to a moment."""
    return SqlOf(f"date_part('epoch', {{1}} - ({{0}}::timestamp AT TIME ZONE {_zone()}))", day, end)


def days_to_day(start: str, day: str) -> SqlOf:
    """Whole days from a moment's local date to a later date, in seconds."""
    return SqlOf(f"(({{1}} - ({{0}} AT TIME ZONE {_zone()})::date) * {DAY})", start, day)


def days_since(day: str, today: dt.date) -> SqlOf:
    """Whole days from a date to `today`, in seconds."""
    return SqlOf(f"((DATE '{today.isoformat()}' - {{0}}) * {DAY})", day)


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


# The same durations in Python, for the fallback: (start, end) → seconds.
PY = {
    "seconds_between": lambda a, b: (b - a).total_seconds(),
    "seconds_from_day": lambda d, b: (b - _start_of_day(d)).total_seconds(),
    "days_to_day": lambda a, d: (d - _local_date(a)).days * DAY,
}


@dataclass
class Measure:
    """One duration: its SQL (PostgreSQL) and the columns and function that compute it in Python."""

    sql: Func
    columns: tuple[str, ...]
    python: Callable[..., float]


def measure(kind: str, start: str, end: str) -> Measure:
    builders = {
        "seconds_between": seconds_between,
        "seconds_from_day": seconds_from_day,
        "days_to_day": days_to_day,
    }
    return Measure(builders[kind](start, end), (start, end), PY[kind])


def waiting_measure(day: str, today: dt.date) -> Measure:
    return Measure(days_since(day, today), (day,), lambda d: (today - d).days * DAY)


def medians(
    qs: QuerySet, measures: dict[str, Measure], *, group_by: str = "", in_database: bool | None = None
) -> dict:
    """{group: {name: (median seconds or None, how many reports were measured)}}; the group is None when
    `group_by` is empty. One query either way; `in_database` defaults to PostgreSQL's percentile_cont."""
    if in_database is None:
        in_database = connection.vendor == "postgresql"
    if in_database:
        from django.db.models import Count

        aggregates = {}
        for name, m in measures.items():
            aggregates[f"{name}__median"] = Median(m.sql)
            aggregates[f"{name}__n"] = Count(m.sql)
        if not group_by:
            row = qs.aggregate(**aggregates)
            return {None: {name: (row[f"{name}__median"], row[f"{name}__n"]) for name in measures}}
        rows = qs.values(group_by).order_by().annotate(**aggregates)
        return {
            r[group_by]: {name: (r[f"{name}__median"], r[f"{name}__n"]) for name in measures} for r in rows
        }
    columns = sorted({c for m in measures.values() for c in m.columns} | ({group_by} if group_by else set()))
    found: dict = {}
    for values in qs.values(*columns).order_by().iterator(chunk_size=5000):
        group = values[group_by] if group_by else None
        bucket = found.setdefault(group, {name: [] for name in measures})
        for name, m in measures.items():
            args = [values[c] for c in m.columns]
            if all(a is not None for a in args):
                bucket[name].append(m.python(*args))
    return {
        group: {name: (statistics.median(v) if v else None, len(v)) for name, v in bucket.items()}
        for group, bucket in found.items()
    }
