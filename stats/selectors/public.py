"""The public figures of /statistik/ and its open data: reports by province, category, status and week, each
broken down by election, with small counts suppressed (stats/suppression.py).

Nothing here names a person or a case: only counts of reports per province (never a smaller region), per
category, per status and per ISO week (never a finer date). The figures are computed at most once every
POSKO_STATS_PUBLIC_REFRESH_SECONDS and kept in the cache as plain data; pages and files are made from that copy,
so a crowd of visitors costs the database nothing. When the copy is older than that, one request (the one that
takes a short lock in the cache) computes it again while the others keep serving the old copy.
"""

import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F
from django.utils import timezone, translation

from complaints.models import Election, Region, Report, ReportCategory, ViolationCategory
from stats.medians import local_week
from stats.parallel import all_at_once
from stats.selectors.staff import week_label, weeks_between
from stats.suppression import suppress

CACHE_KEY = "posko:stats:public:v1"
LOCK_KEY = "posko:stats:public:lock"
TABLES = ["province", "category", "status", "week"]


def _both(label) -> dict:
    """A label in both languages the portal speaks."""
    with translation.override("id"):
        indonesian = str(label)
    with translation.override("en"):
        english = str(label)
    return {"id": indonesian, "en": english}


def _election_of_category() -> str:
    return "report_election" if connection.vendor == "postgresql" else "report__election_id"


def public_figures_compute(*, today: dt.date | None = None) -> dict:
    """Count, suppress and return the public figures as plain data (what data.json publishes)."""
    from django.utils.translation import gettext_lazy as _

    today = today or timezone.localdate()
    elections = list(Election.objects.order_by("voting_day", "slug"))
    column_of = {e.pk: j for j, e in enumerate(elections)}
    width = len(elections)
    reports = Report.objects.order_by()

    # Three independent counts, side by side on PostgreSQL (stats/parallel.py).
    found = all_at_once(
        {
            # On PostgreSQL from the category rows' own copy of their report's election (ReportCategory), not
            # a join of every row to its report.
            "category": lambda: list(
                ReportCategory.objects.order_by()
                .values("violationcategory_id", election=F(_election_of_category()))
                .annotate(n=Count("violationcategory"))
            ),
            "week": lambda: list(
                reports.values("election_id", week=local_week("created_at")).annotate(n=Count("id"))
            ),
            # One scan gives provinces and statuses.
            "province_status": lambda: list(
                reports.values("province_code", "status", "election_id").annotate(n=Count("id"))
            ),
        }
    )
    by_province: dict[str, list[int]] = {}
    by_status: dict[str, list[int]] = {}
    for r in found["province_status"]:
        j = column_of[r["election_id"]]
        by_province.setdefault(r["province_code"], [0] * width)[j] += r["n"]
        by_status.setdefault(r["status"], [0] * width)[j] += r["n"]
    by_week: dict[dt.date, list[int]] = {}
    for r in found["week"]:
        monday = timezone.localtime(r["week"]).date() if isinstance(r["week"], dt.datetime) else r["week"]
        by_week.setdefault(monday, [0] * width)[column_of[r["election_id"]]] += r["n"]
    by_category: dict[int, list[int]] = {}
    for r in found["category"]:
        by_category.setdefault(r["violationcategory_id"], [0] * width)[column_of[r["election"]]] += r["n"]

    provinces = Region.objects.filter(level=Region.Level.PROVINCE).order_by("code")
    province_rows = [
        (p.code, {"id": p.name, "en": p.name}, by_province.get(p.code, [0] * width)) for p in provinces
    ]
    known = {p.code for p in provinces}
    province_rows += [
        (code, {"id": code, "en": code}, v) for code, v in sorted(by_province.items()) if code not in known
    ]
    categories = ViolationCategory.objects.filter(
        pk__in=list(by_category)
    ) | ViolationCategory.objects.filter(active=True)
    category_rows = [
        (c.slug, {"id": c.name, "en": c.name_en or c.name}, by_category.get(c.pk, [0] * width))
        for c in categories.distinct().order_by("position", "slug")
    ]
    status_rows = [
        (value, _both(label), by_status.get(value, [0] * width)) for value, label in Report.Status.choices
    ]
    week_rows = []
    if by_week:
        for monday in weeks_between(min(by_week), max(max(by_week), today)):
            week_rows.append(
                (
                    week_label(monday),
                    {"id": week_label(monday), "en": week_label(monday)},
                    by_week.get(monday, [0] * width),
                )
            )

    titles = {
        "province": (_("Reports by province and election"), _("Province")),
        "category": (_("Reports by category and election"), _("Category")),
        "status": (_("Reports by status and election"), _("Status")),
        "week": (_("Reports per week and election"), _("Week")),
    }
    rows_of = {"province": province_rows, "category": category_rows, "status": status_rows, "week": week_rows}
    tables = {}
    for key in TABLES:
        rows = rows_of[key]
        table = suppress([values for _code, _label, values in rows])
        tables[key] = {
            "title": _both(titles[key][0]),
            "row_header": _both(titles[key][1]),
            "rows": [
                {
                    "code": code,
                    "label": label,
                    "cells": [c.as_json() for c in table.cells[i]],
                    "total": table.row_totals[i].as_json(),
                }
                for i, (code, label, _values) in enumerate(rows)
            ],
            "column_totals": [t.as_json() for t in table.column_totals],
            "total": table.total.as_json(),
        }
    # A report may name several categories: the category table's totals count mentions, not reports.
    tables["category"]["counts"] = "mentions"
    return {
        "generated": timezone.now().replace(second=0, microsecond=0).isoformat(),
        "threshold": 5,
        "elections": [{"code": e.slug, "label": {"id": e.name, "en": e.name}} for e in elections],
        "tables": tables,
    }


def public_figures() -> dict:
    """The public figures from the cache, computed again when older than the refresh interval."""
    refresh = settings.POSKO_STATS_PUBLIC_REFRESH_SECONDS
    entry = cache.get(CACHE_KEY)
    now = time.time()
    if entry is not None and now - entry["at"] < refresh:
        return entry["figures"]
    # Stale: one request refreshes, the others keep serving what the cache holds.
    if entry is not None and not cache.add(LOCK_KEY, 1, timeout=60):
        return entry["figures"]
    try:
        return public_figures_refresh(now=now)
    finally:
        if entry is not None:
            cache.delete(LOCK_KEY)


def public_figures_refresh(*, now: float | None = None) -> dict:
    """Compute the public figures and keep them in the cache (the beat task calls this on its own)."""
    refresh = settings.POSKO_STATS_PUBLIC_REFRESH_SECONDS
    figures = public_figures_compute()
    # Kept well past the refresh interval, so a stale copy is there to serve while one request refreshes.
    entry = {"at": time.time() if now is None else now, "figures": figures}
    cache.set(CACHE_KEY, entry, timeout=max(refresh * 20, 3600))
    return figures
