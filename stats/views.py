"""Statistics: /staf/statistik/ for staff (their jurisdiction), /statistik/ and its open data for everyone.
Thin doors: the form reads the filters, the selectors count, the templates draw."""

import csv
import datetime as dt
import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from complaints.models import Region, StaffProfile
from complaints.services.access import has_role, role_of
from stats.charts import chart_for
from stats.forms import StatsFilterForm
from stats.render import chart_svg, figure_writer, staff_section
from stats.selectors.public import TABLES, public_figures
from stats.selectors.staff import staff_figures_cached
from stats.tables import Table, spreadsheet_safe, table_csv

# The order of the staff page's sections.
STAFF_SECTIONS = [
    "status",
    "region",
    "week",
    "category",
    "election",
    "timing",
    "deadline",
    "overdue",
    "waiting_agency",
    "waiting_age",
    "people",
]


def _staff_figures(request):
    """The figures and the form for the signed-in user. Volunteers and officers see every aggregate of their
    jurisdiction; the work per person is for coordinators (and admins), who manage the people."""
    if not role_of(request.user):
        raise Http404
    form = StatsFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    people = has_role(request.user, StaffProfile.Role.KOORDINATOR)
    return form, filters, staff_figures_cached(request.user, filters, people=people)


@login_required
@require_safe
def staff_stats(request):
    form, filters, figures = _staff_figures(request)
    query = {k: v for k, v in request.GET.items() if k in form.fields and v}
    write = figure_writer()
    sections = []
    for key in STAFF_SECTIONS:
        table: Table | None = figures["tables"].get(key)
        if table is None:
            continue
        items = [
            (r.label, r.values[table.chart_column] or 0, write(r.values[table.chart_column]))
            for r in table.rows
        ]
        chart = chart_for(table.chart, items) if any(v for _l, v, _d in items) else None
        sections.append(staff_section(table, chart, query, write))
    return render(
        request,
        "stats/staff.html",
        {
            "form": form,
            "filters": filters,
            "figures": figures,
            "headline": figures["headline"],
            "sections": sections,
            "path": _region_path(filters.region),
            "query": query,
        },
    )


def _region_path(code: str) -> list[tuple[str, str]]:
    """The breadcrumb of the drill-down: (code, name) from the province to the chosen region."""
    if not code:
        return []
    codes = [code[:2]] + ([code] if len(code) == 5 else [])
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [(c, names.get(c, c)) for c in codes]


@login_required
@require_safe
def staff_stats_csv(request, table: str):
    _form, _filters, figures = _staff_figures(request)
    found = figures["tables"].get(table)
    if found is None:
        raise Http404  # unknown, or the per-person table for someone who is not a coordinator
    return _csv_response(table_csv(found), f"posko-statistik-{table}-{timezone.localdate():%Y%m%d}.csv")


def _csv_response(text: str, filename: str) -> HttpResponse:
    # UTF-8 with a byte-order mark, so spreadsheet programs read the Indonesian labels right.
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Public -------------------------------------------------------------------------------------------------


def _language() -> str:
    return "en" if translation.get_language() == "en" else "id"


def _cell_text(cell: dict) -> str:
    if cell["suppressed"] == "small":
        return "< 5"
    if cell["suppressed"]:
        return "•"
    return str(cell["count"])


def _total_text(total: dict) -> str:
    # A total of the shown figures only: when some are hidden, the real total is larger than it.
    return f"> {total['count']}" if total["partial"] else str(total["count"])


def public_tables(figures: dict) -> list[dict]:
    """The public figures as the page shows them, in the visitor's language, with a chart of the row totals."""
    lang = _language()
    elections = [e["label"][lang] for e in figures["elections"]]
    shown = []
    for key in TABLES:
        t = figures["tables"][key]
        rows = [
            {
                "label": r["label"][lang],
                "cells": [_cell_text(c) for c in r["cells"]],
                "total": _total_text(r["total"]),
                "value": r["total"]["count"],
                "partial": r["total"]["partial"],
            }
            for r in t["rows"]
        ]
        if key == "week":
            items = [(r["label"], r["value"], r["total"]) for r in rows]
            chart = chart_for("columns", items)
        else:
            # Rows with nothing shown (zero, or every count hidden) are left to the table.
            chart_rows = sorted((r for r in rows if r["value"]), key=lambda r: -r["value"])
            chart = chart_for("bars", [(r["label"], r["value"], r["total"]) for r in chart_rows])
        desc = _("The same figures, all elections together, are in the table beside the chart.")
        shown.append(
            {
                "key": key,
                "title": t["title"][lang],
                "chart_svg": chart_svg(chart, key, t["title"][lang], desc),
                "row_header": t["row_header"][lang],
                "columns": elections,
                "rows": rows,
                "column_totals": [_total_text(c) for c in t["column_totals"]],
                "total": _total_text(t["total"]),
                "mentions": t.get("counts") == "mentions",
                "chart": chart,
            }
        )
    return shown


@require_safe
def public_stats(request):
    figures = public_figures()
    return render(
        request,
        "stats/public.html",
        {
            "tables": public_tables(figures),
            "generated": dt.datetime.fromisoformat(figures["generated"]),
            "refresh_minutes": max(1, settings.POSKO_STATS_PUBLIC_REFRESH_SECONDS // 60),
        },
    )


def _open_data(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={settings.POSKO_STATS_PUBLIC_REFRESH_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


@require_safe
def public_data_json(request):
    figures = public_figures()
    data = {
        "description": (
            "Reports received by Posko, by province, category, status and ISO week, each by election. "
            'Counts from 1 to 4 are withheld (count null, suppressed "small"); a few larger ones are '
            'withheld with them (suppressed "complementary") so that they cannot be worked out from '
            'other figures. Totals add up the published counts only; "partial": true means some were '
            "withheld. The category table counts mentions: a report may name several categories."
        ),
        **figures,
    }
    return _open_data(JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1}))


@require_safe
def public_data_csv(request):
    figures = public_figures()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "row_code", "row_label", "election", "count", "suppressed", "partial_total"])
    elections = [e["code"] for e in figures["elections"]]
    for key in TABLES:
        t = figures["tables"][key]
        for r in t["rows"]:
            for code, cell in zip(elections, r["cells"], strict=True):
                count = "" if cell["count"] is None else cell["count"]
                writer.writerow(
                    [
                        key,
                        r["code"],
                        spreadsheet_safe(r["label"]["id"]),
                        code,
                        count,
                        cell["suppressed"] or "",
                        "",
                    ]
                )
            writer.writerow(
                [
                    key,
                    r["code"],
                    spreadsheet_safe(r["label"]["id"]),
                    "total",
                    r["total"]["count"],
                    "",
                    int(r["total"]["partial"]),
                ]
            )
        for code, total in zip(elections, t["column_totals"], strict=True):
            writer.writerow([key, "total", "Jumlah", code, total["count"], "", int(total["partial"])])
        writer.writerow(
            [key, "total", "Jumlah", "total", t["total"]["count"], "", int(t["total"]["partial"])]
        )
    return _open_data(_csv_response(out.getvalue(), "posko-statistik.csv"))
