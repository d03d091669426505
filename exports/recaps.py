"""Recaps: the staff queue with its filters and search, as a table of cases (CSV or XLSX).

Rows are read in chunks of POSKO_EXPORT_CHUNK_ROWS by keyset pagination on (received, id), each chunk in a
fixed number of queries (the cases with their one-to-one neighbours, terlapor, categories, evidence counts,
supporting reports, region names), as plain values rather than model instances: 200,000 cases in seconds.
Never the reporter's identity: no reporter field is read at all. The columns are documented in
docs/exports.md; keep the two in step.
"""

import contextlib
import csv
import datetime as dt
import io
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints import deadlines
from complaints.models import Accused, Election, Region, Report
from complaints.selectors.cases import QueueFilters, case_queue
from evidence.models import Evidence

S = Report.Status
EVIDENCE_KINDS = [k for k, _label in Evidence.Kind.choices]
DECISION_PENDING = {S.INVESTIGATION, S.CLARIFICATION, S.ASSESSMENT}

# (key, header): the key is stable (docs/exports.md), the header is in the user's language.
COLUMNS = [
    ("case_number", gettext_lazy("Case number")),
    ("tracking_code", gettext_lazy("Tracking code")),
    ("kind", gettext_lazy("Kind")),
    ("status", gettext_lazy("Status")),
    ("received_at", gettext_lazy("Received")),
    ("registered_at", gettext_lazy("Registered")),
    ("incident_date", gettext_lazy("Incident date")),
    ("known_date", gettext_lazy("Known since")),
    ("filing_deadline", gettext_lazy("Filing deadline")),
    ("filed_in_time", gettext_lazy("Filed in time")),
    ("initial_assessment_deadline", gettext_lazy("Initial assessment deadline")),
    ("initial_assessment_met", gettext_lazy("Initial assessment in time")),
    ("decision_deadline", gettext_lazy("Decision deadline")),
    ("decision_extended", gettext_lazy("Decision deadline extended")),
    ("decision_met", gettext_lazy("Decision in time")),
    ("election", gettext_lazy("Election")),
    ("election_kind", gettext_lazy("Election type")),
    ("province_code", gettext_lazy("Province code")),
    ("province", gettext_lazy("Province")),
    ("regency_code", gettext_lazy("Regency/city code")),
    ("regency", gettext_lazy("Regency/city")),
    ("district_code", gettext_lazy("District code")),
    ("district", gettext_lazy("District")),
    ("village_code", gettext_lazy("Village code")),
    ("village", gettext_lazy("Village")),
    ("categories", gettext_lazy("Categories")),
    ("terlapor_name", gettext_lazy("Terlapor")),
    ("terlapor_nip", gettext_lazy("Terlapor NIP")),
    ("terlapor_position", gettext_lazy("Terlapor position")),
    ("terlapor_agency", gettext_lazy("Terlapor agency")),
    *[(f"evidence_{k}", gettext_lazy("Evidence: %(kind)s")) for k in EVIDENCE_KINDS],
    ("supporting_reports", gettext_lazy("Supporting reports")),
    ("decision", gettext_lazy("Decision")),
    ("decided_at", gettext_lazy("Decided")),
    ("agency", gettext_lazy("Receiving agency")),
    ("referral_date", gettext_lazy("Referral date")),
    ("referral_letter", gettext_lazy("Referral letter number")),
    ("outcome", gettext_lazy("Agency's outcome")),
    ("outcome_sanction", gettext_lazy("Sanction")),
    ("outcome_recorded_at", gettext_lazy("Outcome recorded")),
    ("closed_at", gettext_lazy("Closed")),
    ("assignee", gettext_lazy("Assigned to")),
]
KEYS = [k for k, _h in COLUMNS]
DATE_KEYS = {
    "incident_date",
    "known_date",
    "filing_deadline",
    "initial_assessment_deadline",
    "decision_deadline",
    "referral_date",
}
DATETIME_KEYS = {"received_at", "registered_at", "decided_at", "outcome_recorded_at", "closed_at"}
NUMBER_KEYS = {f"evidence_{k}" for k in EVIDENCE_KINDS} | {"supporting_reports"}

REPORT_VALUES = [
    "id",
    "case_number",
    "tracking_code",
    "kind",
    "status",
    "created_at",
    "registered_at",
    "clock_restarted_at",
    "incident_date",
    "known_date",
    "late",
    "decision_extended",
    "election_id",
    "incident_region_id",
    "closed_at",
    "assigned_to__username",
    "assessment__decision",
    "assessment__decided_at",
    "referral__agency__name",
    "referral__sent_on",
    "referral__letter_number",
    "referral__outcome",
    "referral__outcome_sanction",
    "referral__outcome_recorded_at",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A cell a spreadsheet would run as a formula starts with a quote instead (OWASP, "CSV Injection")."""
    if value and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def headers() -> list[str]:
    out = []
    for key, label in COLUMNS:
        if key.startswith("evidence_"):
            kind = key.removeprefix("evidence_")
            out.append(str(label) % {"kind": str(dict(Evidence.Kind.choices)[kind])})
        else:
            out.append(str(label))
    return out


def filters_from(data: dict) -> QueueFilters:
    return QueueFilters(**{k: v for k, v in data.items() if k in QueueFilters.__dataclass_fields__})


def recap_queryset(user, filters: QueueFilters) -> QuerySet:
    """The queue's cases for these filters, whatever its sort: recaps are in order of receipt."""
    return case_queue(user, filters).order_by("created_at", "id")


class _Regions:
    """Region names by code, for the ancestors of each chunk's incident regions: one query per chunk."""

    def __init__(self):
        self.names: dict[str, str] = {}
        self._levels: dict[str, tuple] = {}

    @staticmethod
    def missing_names(codes: set[str], known) -> dict[str, str]:
        """Names of the regions above and at `codes` that `known` (codes already named) lacks: one query."""
        wanted = set()
        for code in codes:
            parts = code.split(".")
            wanted.update(".".join(parts[: i + 1]) for i in range(len(parts)))
        missing = wanted - set(known)
        if not missing:
            return {}
        return dict(Region.objects.filter(code__in=missing).values_list("code", "name"))

    def add(self, names: dict[str, str]) -> bool:
        """Keep these names; True when the cache was emptied first (it is bounded whatever the number of
        rows), so that names read on the promise of an earlier cache must be read again."""
        emptied = len(self.names) > 50_000
        if emptied:
            self.names.clear()
            self._levels.clear()
        self.names.update(names)
        return emptied

    def levels(self, code: str) -> tuple:
        """(province code, name, regency code, name, district code, name, village code, name)."""
        try:
            return self._levels[code]
        except KeyError:
            pass
        parts = code.split(".") if code else []
        out: list[str] = []
        for level in range(4):
            c = ".".join(parts[: level + 1]) if level < len(parts) else ""
            out += [c, self.names.get(c, "") if c else ""]
        if len(self._levels) > 100_000:
            self._levels.clear()
        self._levels[code] = value = tuple(out)
        return value


class _Clock:
    """Deadlines and whether they were met, memoised: cases share their dates, and counting working days
    through the holidays is the dearest part of a row."""

    def __init__(self, elections: dict):
        self.elections = elections
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.yes, self.no, self.pending = _("yes"), _("no"), _("pending")
        self._memo: dict = {}

    def local(self, value: dt.datetime | None) -> dt.datetime | None:
        return value.astimezone(self.tz).replace(tzinfo=None) if value else None

    def _get(self, key, fn):
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = fn()
            return value

    def filing(self, election_id, known: dt.date) -> dt.date:
        return self._get(
            ("f", election_id, known), lambda: deadlines.filing_deadline(self.elections[election_id], known)
        )

    def initial(self, election_id, received: dt.date) -> dt.date:
        return self._get(
            ("i", election_id, received),
            lambda: deadlines.initial_assessment_deadline(self.elections[election_id], received),
        )

    def decision(self, election_id, registered: dt.date, extended: bool) -> dt.date:
        return self._get(
            ("d", election_id, registered, extended),
            lambda: deadlines.decision_deadline(self.elections[election_id], registered, extended=extended),
        )

    def met(self, done: dt.date | None, due: dt.date | None, pending: bool) -> str:
        if due is None:
            return ""
        if done is not None:
            return self.yes if done <= due else self.no
        if pending:
            return self.no if self.today > due else self.pending
        return ""


def _row(r: dict, ctx: dict) -> dict:
    clock: _Clock = ctx["clock"]
    election_id = r["election_id"]
    election = clock.elections[election_id]
    received_at = clock.local(r["created_at"])
    registered_at = clock.local(r["registered_at"])
    decided_at = clock.local(r["assessment__decided_at"])
    received = (clock.local(r["clock_restarted_at"]) or received_at).date()
    registered = registered_at.date() if registered_at else None
    initial_due = clock.initial(election_id, received)
    decision_due = clock.decision(election_id, registered, r["decision_extended"]) if registered else None
    regions = ctx["regions"].levels(r["incident_region_id"])
    accused = ctx["accused"].get(r["id"], ())
    evidence = ctx["evidence"].get(r["id"], {})
    labels = ctx["labels"]
    status = r["status"]
    row = {
        "case_number": r["case_number"] or "",
        "tracking_code": r["tracking_code"],
        "kind": labels["kind"].get(r["kind"], r["kind"]),
        "status": labels["status"].get(status, status),
        "received_at": received_at,
        "registered_at": registered_at,
        "incident_date": r["incident_date"],
        "known_date": r["known_date"],
        "filing_deadline": clock.filing(election_id, r["known_date"]),
        "filed_in_time": clock.no if r["late"] else clock.yes,
        "initial_assessment_deadline": initial_due,
        "initial_assessment_met": clock.met(registered, initial_due, status in (S.SUBMITTED, S.TRIAGE)),
        "decision_deadline": decision_due,
        "decision_extended": clock.yes if r["decision_extended"] else clock.no,
        "decision_met": clock.met(
            decided_at.date() if decided_at else None, decision_due, status in DECISION_PENDING
        ),
        "election": election.name,
        "election_kind": labels["election_kind"].get(election.kind, election.kind),
        "province_code": regions[0],
        "province": regions[1],
        "regency_code": regions[2],
        "regency": regions[3],
        "district_code": regions[4],
        "district": regions[5],
        "village_code": regions[6],
        "village": regions[7],
        "categories": "; ".join(ctx["categories"].get(r["id"], ())),
        "terlapor_name": "; ".join(a[0] for a in accused),
        "terlapor_nip": "; ".join(a[1] for a in accused),
        "terlapor_position": "; ".join(a[2] for a in accused),
        "terlapor_agency": "; ".join(a[3] for a in accused),
        "supporting_reports": ctx["supporting"].get(r["id"], 0),
        "decision": labels["decision"].get(r["assessment__decision"] or "", ""),
        "decided_at": decided_at,
        "agency": r["referral__agency__name"] or "",
        "referral_date": r["referral__sent_on"],
        "referral_letter": r["referral__letter_number"] or "",
        "outcome": labels["outcome"].get(r["referral__outcome"] or "", ""),
        "outcome_sanction": labels["sanction"].get(r["referral__outcome_sanction"] or "", ""),
        "outcome_recorded_at": clock.local(r["referral__outcome_recorded_at"]),
        "closed_at": clock.local(r["closed_at"]),
        "assignee": r["assigned_to__username"] or "",
    }
    for kind in EVIDENCE_KINDS:
        row[f"evidence_{kind}"] = evidence.get(kind, 0)
    return row


def _labels() -> dict:
    from complaints.models import Assessment, Referral, ViolationCategory

    return {
        "kind": {k: str(v) for k, v in Report.Kind.choices},
        "status": {k: str(v) for k, v in S.choices},
        "election_kind": {k: str(v) for k, v in Election.Kind.choices},
        "decision": {k: str(v) for k, v in Assessment.Decision.choices},
        "outcome": {k: str(v) for k, v in Referral.Outcome.choices},
        "sanction": {k: str(v) for k, v in ViolationCategory.Sanction.choices if k},
    }


def _among(qs: QuerySet, column: str, ids: list[int]) -> QuerySet:
    """Rows whose `column` is one of `ids`. On PostgreSQL one array parameter (= ANY), which costs nothing per
    id; Django's IN prepares every value of a 2,000-id list one by one."""
    if connection.vendor == "postgresql":
        table = qs.model._meta.db_table
        return qs.extra(where=[f'"{table}"."{column}" = ANY(%s)'], params=[ids])  # noqa: S610
    return qs.filter(**{f"{column}__in": ids})


def _chunk_read(qs: QuerySet, after: tuple | None, chunk_rows: int, known_regions, language_en: bool) -> dict:
    """One chunk of cases after `after` (keyset), with what its rows need, in a fixed number of queries."""
    page = qs
    if after is not None:
        # A row comparison, so the database walks the index on created_at from where the last chunk ended
        # (an OR of the two conditions would make it sort the whole queue again for every chunk).
        page = page.extra(  # noqa: S610 (constant SQL, values as parameters)
            where=['("complaints_report"."created_at", "complaints_report"."id") > (%s, %s)'],
            params=[connection.ops.adapt_datetimefield_value(after[0]), after[1]],
        )
    chunk = list(page.values(*REPORT_VALUES)[:chunk_rows])
    if not chunk:
        return {"chunk": chunk}
    ids = [r["id"] for r in chunk]
    accused: dict[int, list] = defaultdict(list)
    for report_id, name, nip, position, agency in (
        _among(Accused.objects.all(), "report_id", ids)
        .order_by("report_id", "seq", "id")
        .values_list("report_id", "name", "nip", "position", "agency")
    ):
        accused[report_id].append((name, nip, position, agency))
    categories: dict[int, list] = defaultdict(list)
    through = Report.categories.through
    for report_id, name, name_en in (
        _among(through.objects.all(), "report_id", ids)
        .order_by("report_id", "violationcategory__position", "violationcategory__slug")
        .values_list("report_id", "violationcategory__name", "violationcategory__name_en")
    ):
        categories[report_id].append(name_en if language_en and name_en else name)
    evidence: dict[int, dict] = defaultdict(dict)
    for report_id, kind, n in (
        _among(Evidence.objects.all(), "report_id", ids)
        .order_by()
        .values_list("report_id", "kind")
        .annotate(n=Count("id"))
    ):
        evidence[report_id][kind] = n
    supporting = dict(
        _among(Report.objects.all(), "merged_into_id", ids)
        .order_by()
        .values_list("merged_into_id")
        .annotate(n=Count("id"))
    )
    return {
        "chunk": chunk,
        "regions": _Regions.missing_names({r["incident_region_id"] for r in chunk}, known_regions),
        "accused": accused,
        "categories": categories,
        "evidence": evidence,
        "supporting": supporting,
    }


def _chunks(qs: QuerySet, chunk_rows: int, regions: "_Regions", language_en: bool) -> Iterator[dict]:
    """The chunks in order, each read while the one before it becomes rows. On PostgreSQL outside a
    transaction (the export task) the read runs in a second thread, on a connection of its own, so the
    database's time and Python's overlap (psycopg2 lets go of the GIL while it waits). Inside a transaction
    (tests, or a caller's atomic block) a second connection would not see the same data, so the read runs
    here, one chunk after the other."""
    import concurrent.futures

    from django.db import connections

    def read(after, known):
        return _chunk_read(qs, after, chunk_rows, known, language_en)

    def read_in_thread(after, known):
        try:
            return read(after, known)
        finally:
            connections.close_all()  # this thread's own connection

    threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
    with (
        concurrent.futures.ThreadPoolExecutor(max_workers=1) if threaded else contextlib.nullcontext() as pool
    ):

        def submit(after, known) -> concurrent.futures.Future:
            if pool is not None:
                return pool.submit(read_in_thread, after, known)
            done: concurrent.futures.Future = concurrent.futures.Future()
            done.set_result(read(after, known))
            return done

        pending = submit(None, set(regions.names))
        while True:
            got = pending.result()
            if not got["chunk"]:
                return
            full = len(got["chunk"]) == chunk_rows
            if full:
                last = got["chunk"][-1]
                pending = submit((last["created_at"], last["id"]), set(regions.names) | set(got["regions"]))
            yield got
            if not full:
                return


def recap_rows(qs: QuerySet, *, chunk_rows: int | None = None, on_chunk: Callable[[int], None] | None = None):
    """Rows (dicts keyed by KEYS) of the cases in `qs`, in order of receipt, chunk by chunk."""
    chunk_rows = chunk_rows or settings.POSKO_EXPORT_CHUNK_ROWS
    ctx = {
        "clock": _Clock({e.pk: e for e in Election.objects.all()}),
        "regions": _Regions(),
        "labels": _labels(),
    }
    language_en = (translation.get_language() or "").startswith("en")
    done = 0
    for got in _chunks(qs, chunk_rows, ctx["regions"], language_en):
        if ctx["regions"].add(got["regions"]):
            codes = {r["incident_region_id"] for r in got["chunk"]}
            ctx["regions"].add(_Regions.missing_names(codes, ctx["regions"].names))
        ctx.update(
            accused=got["accused"],
            categories=got["categories"],
            evidence=got["evidence"],
            supporting=got["supporting"],
        )
        for r in got["chunk"]:
            yield _row(r, ctx)
        done += len(got["chunk"])
        if on_chunk:
            on_chunk(done)


def _as_text(value) -> str:
    return neutralise(value) if value.__class__ is str else ("" if value is None else neutralise(str(value)))


def _as_stamp(value) -> str:
    return value.isoformat(sep=" ", timespec="minutes") if value else ""


def _as_date(value) -> str:
    return value.isoformat() if value else ""


def _kind_of(key: str) -> str:
    if key in DATETIME_KEYS:
        return "datetime"
    if key in DATE_KEYS:
        return "date"
    if key in NUMBER_KEYS:
        return "number"
    return "text"


KINDS = [_kind_of(k) for k in KEYS]
CSV_FORMAT = {"datetime": _as_stamp, "date": _as_date, "number": str, "text": _as_text}


def csv_stream(rows: Iterator[dict]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Indonesian names right."""
    columns = [(k, CSV_FORMAT[kind]) for k, kind in zip(KEYS, KINDS, strict=True)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers()])
    yield "\ufeff".encode() + out.getvalue().encode()
    out.seek(0)
    out.truncate()
    for n, row in enumerate(rows, start=1):
        writer.writerow([fmt(row[k]) for k, fmt in columns])
        if n % 1000 == 0:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    if out.tell():
        yield out.getvalue().encode()


def counts_by_region(qs: QuerySet) -> tuple[list[str], list[list]]:
    """The second sheet: cases by province and regency/city (rows) and status (columns), with totals."""
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for province, regency, status, n in (
        qs.order_by()
        .values_list("province_code", "regency_code", "status")
        .annotate(n=Count("id", distinct=True))
    ):
        cells[(province, regency)][status] = n
    names = dict(
        Region.objects.filter(code__in={c for pair in cells for c in pair if c}).values_list("code", "name")
    )
    statuses = [s for s, _label in S.choices if any(s in v for v in cells.values())]
    header = [
        str(_("Province code")),
        str(_("Province")),
        str(_("Regency/city code")),
        str(_("Regency/city")),
        *[str(dict(S.choices)[s]) for s in statuses],
        str(_("Total")),
    ]
    rows = []
    totals = [0] * (len(statuses) + 1)
    for province, regency in sorted(cells):
        counts = [cells[(province, regency)].get(s, 0) for s in statuses]
        counts.append(sum(counts))
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        rows.append([province, names.get(province, ""), regency, names.get(regency, ""), *counts])
    rows.append([str(_("Total")), "", "", "", *totals])
    return header, rows


_XML_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _xml_text(value: str) -> str:
    """Text for an inline string cell: XML's three specials escaped, and the control characters XML 1.0
    cannot hold written as Excel's _xHHHH_ escapes (as xlsxwriter does)."""
    if _XML_SPECIAL.search(value) is None:
        return value
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _XML_CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


def _column_letters(index: int) -> str:
    out, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _excel_serial(value) -> str:
    """A date or a naive local date and time as Excel's serial number (days since 1899-12-30)."""
    if value.__class__ is dt.date:
        value = dt.datetime(value.year, value.month, value.day)
    return repr((value - _EXCEL_EPOCH) / dt.timedelta(days=1))


def _sheet_rows(rows: Iterator[dict], out, date_style: int, stamp_style: int) -> int:
    """The cases as <row> elements of sheetData, from row 2 on, written to the text file `out`. Returns the
    number of cases. Written here rather than cell by cell through xlsxwriter: a tenth of the time for the
    same XML (inline strings, numbers, dates as serials with the workbook's date styles)."""
    letters = [_column_letters(i) for i in range(len(KEYS))]
    columns = list(zip(KEYS, KINDS, letters, strict=True))
    style = {"date": date_style, "datetime": stamp_style}
    buffer: list[str] = []
    n = 0
    for n, row in enumerate(rows, start=1):
        r = str(n + 1)
        cells = []
        for key, kind, letter in columns:
            value = row[key]
            if value is None or value == "":
                continue
            if kind == "text":
                text = _xml_text(_as_text(value))
                space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
                cells.append(f'<c r="{letter}{r}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
            elif kind == "number":
                cells.append(f'<c r="{letter}{r}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{letter}{r}" s="{style[kind]}"><v>{_excel_serial(value)}</v></c>')
        buffer.append(f'<row r="{r}">{"".join(cells)}</row>')
        if len(buffer) >= 500:
            out.write("".join(buffer))
            buffer.clear()
    out.write("".join(buffer))
    return n


def xlsx_write(target, rows: Iterator[dict], counts: Callable[[], tuple[list[str], list[list]]], tmpdir=None):
    """An XLSX with a frozen header row, an autofilter, real dates, and a second sheet with the counts by
    region and status; memory stays flat whatever the number of rows.

    xlsxwriter makes the workbook (styles, the header, the panes, the filter and its defined name, the
    second sheet); the cases' rows, which are nearly all the work, are written as sheetData XML to a scratch
    file first (`_sheet_rows`), and the workbook's first sheet gets them when its ZIP is copied to `target`,
    entry by entry, as a stream."""
    import xlsxwriter

    with (
        tempfile.NamedTemporaryFile("w+", encoding="utf-8", dir=tmpdir, suffix=".xml") as data,
        tempfile.NamedTemporaryFile(dir=tmpdir, suffix=".xlsx") as made,
    ):
        book = xlsxwriter.Workbook(
            made.name,
            {
                # Text stays text: nothing a reporter or officer typed becomes a formula, a link or a number.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        try:
            bold = book.add_format({"bold": True})
            date = book.add_format({"num_format": "yyyy-mm-dd"})
            stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
            sheet = book.add_worksheet(_("Cases")[:31])
            sheet.freeze_panes(1, 0)
            for col, title in enumerate(headers()):
                sheet.write_string(0, col, neutralise(title), bold)
            sheet.set_column(0, 1, 24)
            # Two cells that register the date styles; their row is replaced by the cases' rows below.
            sheet.write_datetime(1, 0, dt.datetime(2000, 1, 1), date)
            sheet.write_datetime(1, 1, dt.datetime(2000, 1, 1), stamp)
            # The styles' numbers are fixed by the order formats were first used: the header's bold, then
            # these two (xlsxwriter numbers cell formats from 1, after the default 0).
            last = _sheet_rows(rows, data, date_style=2, stamp_style=3)
            sheet.autofilter(0, 0, max(last, 1), len(KEYS) - 1)

            header, count_rows = counts()
            summary = book.add_worksheet(_("By region and status")[:31])
            summary.freeze_panes(1, 0)
            for col, title in enumerate(header):
                summary.write_string(0, col, neutralise(title), bold)
            for r, values in enumerate(count_rows, start=1):
                for col, value in enumerate(values):
                    if isinstance(value, int):
                        summary.write_number(r, col, value)
                    else:
                        summary.write_string(
                            r, col, neutralise(str(value)), bold if r == len(count_rows) else None
                        )
            summary.autofilter(0, 0, max(len(count_rows) - 1, 1), len(header) - 1)
        finally:
            book.close()
        if (date.xf_index, stamp.xf_index) != (2, 3):  # pragma: no cover - a change in xlsxwriter
            raise RuntimeError(f"unexpected XLSX style numbers {date.xf_index}, {stamp.xf_index}")
        data.flush()
        _xlsx_assemble(made.name, data.name, target, last_row=last + 1)


def _xlsx_assemble(made: str, rows_xml: str, target, *, last_row: int) -> None:
    """Copy xlsxwriter's workbook to `target`, its first sheet with the cases' rows put in place of the
    placeholder row 2 and its dimension set to the real last row."""
    import zipfile

    sheet_name = "xl/worksheets/sheet1.xml"
    last_cell = f"{_column_letters(len(KEYS) - 1)}{last_row}"
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != sheet_name:
                out.writestr(info, source.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
                continue
            xml = source.read(sheet_name).decode("utf-8")
            head, rest = xml.split('<row r="2"', 1)
            tail = rest.split("</row>", 1)[1]
            head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last_cell}"/>', head, count=1)
            entry = zipfile.ZipInfo(sheet_name, info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with out.open(entry, "w", force_zip64=True) as sheet:
                sheet.write(head.encode())
                with open(rows_xml, "rb") as rows:
                    while block := rows.read(1024 * 1024):
                        sheet.write(block)
                sheet.write(tail.encode())
