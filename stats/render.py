"""The statistics pages' charts (SVG) and the staff page's tables as HTML, written here in Python rather than by
template loops: a staff page draws about 2,900 cells, bars and labels, and the template language took 62 ms
for them at 200,000 reports, most of the page once its figures are in the cache (bench/stats.py); this takes a
few. The templates keep the page around them. Every text is escaped here (`escape`), every number written as
the `figure` filter does (`figure_writer`).
"""

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from complaints.templatetags.icons import icon
from stats.tables import Table

TENTH = Decimal("0.1")


def figure_writer() -> Callable[[object], str]:
    """How a figure is written in the active language, for many at once (the `figure` filter writes one):
    "—" when not measured, one decimal for floats (rounded half up), thousands grouped, with the language's
    separators."""
    thousand = get_format("THOUSAND_SEPARATOR")
    decimal = get_format("DECIMAL_SEPARATOR")

    def write(value) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):
            text = f"{Decimal(str(value)).quantize(TENTH, ROUND_HALF_UP):,.1f}"
        else:
            text = f"{value:,}"
        return text.replace(",", "\0").replace(".", decimal).replace("\0", thousand)

    return write


def chart_svg(chart: dict | None, key: str, title: str, desc: str) -> SafeString:
    """A chart of stats.charts (bars or columns) as an SVG image with its title and description."""
    if not chart:
        return mark_safe("")
    key, title, desc = escape(key), escape(title), escape(desc)
    out = [
        f'\n<svg role="img" aria-labelledby="chart-{key}-title chart-{key}-desc" viewBox="0 0 {chart["width"]} '
        f'{chart["height"]}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" '
        "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" "
        f'class="stats-chart d-block mb-2 chart-fit" data-chart="{key}">\n'
        f'  <title id="chart-{key}-title">{title}</title>\n  <desc id="chart-{key}-desc">{desc}</desc>\n'
    ]
    if chart["kind"] == "bars":
        for b in chart["bars"]:
            label, display = escape(b.label), escape(b.display)
            out.append(
                f"  <g><title>{label}: {display}</title>\n"
                f'    <text x="0" y="{b.label_y}" font-size="13" fill="#212529">{label}</text>\n'
                f'    <rect x="0" y="{b.y}" width="{b.width}" height="{b.height}" rx="2" fill="#0d6efd"></rect>\n'
                f'    <text x="{b.value_x}" y="{b.value_y}" font-size="13" font-weight="600" fill="#212529">'
                f"{display}</text></g>\n"
            )
    else:
        left, baseline = chart["left"], chart["baseline"]
        out.append(
            f'  <line x1="{left}" y1="8" x2="{left}" y2="{baseline}" stroke="#adb5bd"></line>\n'
            f'  <line x1="{left}" y1="{baseline}" x2="{chart["width"]}" y2="{baseline}" stroke="#adb5bd"></line>\n'
            f'  <text x="{left - 4}" y="16" font-size="11" text-anchor="end" fill="#495057">'
            f"{escape(chart['top_label'])}</text>\n"
            f'  <text x="{left - 4}" y="{baseline}" font-size="11" text-anchor="end" fill="#495057">0</text>\n'
        )
        for b in chart["bars"]:
            out.append(
                f'  <rect x="{b.x}" y="{b.y}" width="{b.width}" height="{b.height}" fill="#0d6efd">'
                f"<title>{escape(b.label)}: {escape(b.display)}</title></rect>\n"
            )
        for t in chart["ticks"]:
            out.append(
                f'  <text x="{t["x"]}" y="{chart["tick_y"]}" font-size="11" text-anchor="{t["anchor"]}" '
                f'fill="#495057">{escape(t["label"])}</text>\n'
            )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 (every value above escaped or a number of stats.charts)


def staff_section(
    table: Table, chart: dict | None, query: dict, write: Callable[[object], str]
) -> SafeString:
    """One table of the staff page: its title, CSV link and description, its chart and the table itself, each
    row a link one region down where it can be opened (`query`: the page's filters, kept in those links)."""
    key, title = escape(table.key), escape(table.title)
    csv = reverse("stats_staff:staff_csv", args=[table.key]) + (f"?{urlencode(query)}" if query else "")
    out = [
        f'\n<section class="mb-4 pb-2 border-bottom" id="{key}" aria-labelledby="h-{key}">\n'
        '  <div class="d-flex flex-wrap justify-content-between align-items-baseline gap-2">\n'
        f'    <h2 class="h5 mb-1" id="h-{key}">{title}</h2>\n'
        f'    <a class="btn btn-sm btn-outline-secondary" href="{escape(csv)}">{icon("download")} CSV'
        f'<span class="visually-hidden">: {title}</span></a>\n  </div>\n'
        f'  <p class="small text-body-secondary mb-2">{escape(table.description)}</p>\n'
    ]
    if table.empty:
        out.append(f'  <p class="text-body-secondary">{escape(_("Nothing to count yet."))}</p>\n</section>')
        return mark_safe("".join(out))  # noqa: S308 (escaped above)
    out.append('  <div class="row g-3">\n')
    if chart:
        desc = f"{table.description} {_('The same figures are in the table beside the chart.')}"
        out.append(f'    <div class="col-lg-6">{chart_svg(chart, table.key, table.title, desc)}</div>\n')
    scroll = ' stats-scroll mh-26" tabindex="0"' if len(table.rows) > 14 else '"'
    out.append(
        f'    <div class="{"col-lg-6" if chart else "col-12"}">\n'
        f'      <div class="table-responsive{scroll}>\n'
        f'      <table class="table table-sm table-hover small mb-0" data-table="{key}">\n'
        f'        <caption class="visually-hidden">{title}</caption>\n'
        f'        <thead class="sticky-top bg-body"><tr><th scope="col">{escape(table.row_header)}</th>'
        + "".join(f'<th scope="col" class="text-end">{escape(c.label)}</th>' for c in table.columns)
        + "</tr></thead>\n        <tbody>\n        "
    )
    for row in table.rows:
        label = escape(row.label)
        if row.link:
            label = f'<a href="?{escape(urlencode({**query, "region": row.link}))}">{label}</a>'
        cells = "".join(f'<td class="text-end">{write(v)}</td>' for v in row.values)
        out.append(f'<tr><th scope="row" class="fw-normal">{label}</th>{cells}</tr>')
    out.append("\n        </tbody>\n      </table>\n      </div>\n    </div>\n  </div>\n</section>")
    return mark_safe("".join(out))  # noqa: S308 (every text escaped above, numbers written by figure_writer)
