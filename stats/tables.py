"""A table of figures as the pages, the charts and the CSV files use it: rows with a code and a label, columns
of numbers. Built by the selectors, shown by templates, written out by `table_csv`."""

import csv
import io
from dataclasses import dataclass, field


@dataclass
class Column:
    code: str
    label: str
    unit: str = ""  # "", "days" or "%": how a value is written


@dataclass
class Row:
    code: str
    label: str
    values: list  # numbers, or None for "not measured" (no case reached that step)
    link: str = ""  # a drill-down (query string), when the row can be opened


@dataclass
class Table:
    key: str  # names the table in URLs and files: "status", "region", ...
    title: str
    description: str  # what is counted and how: shown under the title and as the chart's description
    row_header: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    chart: str = "bars"  # "bars" (horizontal, one per row), "columns" (a series over time) or ""
    chart_column: int = 0  # which column the chart draws

    def chart_values(self) -> list[tuple[str, float]]:
        return [(r.label, r.values[self.chart_column] or 0) for r in self.rows]

    @property
    def empty(self) -> bool:
        return not self.rows


def table_csv(table: Table) -> str:
    """The table as CSV: a code column (region code, status, slug) for machines, the label, then the values.
    Cells a spreadsheet would run as a formula are neutralised (labels come from data an admin edits)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", table.row_header] + [c.label for c in table.columns])
    for row in table.rows:
        values = ["" if v is None else _number(v) for v in row.values]
        writer.writerow([spreadsheet_safe(row.code), spreadsheet_safe(row.label), *values])
    return out.getvalue()


def _number(value) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def spreadsheet_safe(text: str) -> str:
    # OWASP "CSV Injection": a leading =, +, -, @, tab or carriage return makes spreadsheets evaluate a cell.
    text = str(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
