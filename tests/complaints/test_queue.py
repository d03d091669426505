import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from complaints.models import Report
from complaints.selectors.cases import QueueFilters, case_queue, queue_page
from evidence.models import Evidence
from tests.factories import AccusedFactory, ReportFactory, staff


@pytest.fixture
def officer(db):
    return staff("officer", "staf", ["35"])


def codes(user, **filters):
    return [r.tracking_code for r in case_queue(user, QueueFilters(status="open", **filters))]


def test_filters(officer):
    photo = ReportFactory(created_at=timezone.now() - dt.timedelta(days=3))
    Evidence.objects.create(report=photo, kind="photo", original_name="a.jpg")
    late = ReportFactory(late=True, created_at=timezone.now() - dt.timedelta(days=2))
    mine = ReportFactory(assigned_to=officer, priority=5, created_at=timezone.now() - dt.timedelta(days=1))
    overdue = ReportFactory()
    Report.objects.filter(pk=overdue.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    elsewhere = ReportFactory(incident_region_id="35.13.01", regency_code="35.13")
    all_codes = codes(officer)
    assert all_codes == [r.tracking_code for r in (photo, late, mine, overdue, elsewhere)]  # oldest first
    assert codes(officer, evidence_kind="photo") == [photo.tracking_code]
    assert codes(officer, late=True) == [late.tracking_code]
    assert codes(officer, mine=True) == [mine.tracking_code]
    assert codes(officer, overdue=True) == [overdue.tracking_code]
    assert codes(officer, region="35.13") == [elsewhere.tracking_code]
    assert codes(officer, sort="priority")[0] == mine.tracking_code
    assert codes(officer, election="pemilu-2024") == []
    assert codes(officer, category="etik-foto-bersama") == all_codes


def test_full_text_search_with_indonesian_stemming(officer):
    target = ReportFactory(chronology="Lurah Kanigaran berkampanye untuk pasangan calon di balai warga.")
    AccusedFactory(report=target, name="Hendra Wijaya", agency="Dinas Pendidikan")
    ReportFactory(chronology="Seorang guru memasang baliho di pagar sekolah.")
    from complaints.services.registry import report_search_text

    for r in Report.objects.all():
        Report.objects.filter(pk=r.pk).update(search_text=report_search_text(r))
    assert codes(officer, q="kampanye") == [target.tracking_code]  # "berkampanye" stems to "kampanye"
    assert codes(officer, q="hendra pendidikan") == [target.tracking_code]
    assert codes(officer, q="baliho -kampanye") != [target.tracking_code]


def test_the_queue_query_count_does_not_grow_with_the_number_of_cases(officer, client):
    def queries_for_page():
        with CaptureQueriesContext(connection) as ctx:
            page = queue_page(case_queue(officer, QueueFilters(status="open")), 1)
        return len(ctx.captured_queries), len(page["rows"])

    for _ in range(3):
        r = ReportFactory()
        AccusedFactory(report=r)
        Evidence.objects.create(report=r, kind="photo", original_name="a.jpg")
    queries_for_page()  # the first call also loads the user's profile and regions
    few, rows_few = queries_for_page()
    for _ in range(30):
        r = ReportFactory()
        AccusedFactory(report=r)
        AccusedFactory(report=r, name="Kedua")
        Evidence.objects.create(report=r, kind="link", url="https://x.com/a/status/1")
    many, rows_many = queries_for_page()
    assert (rows_few, rows_many) == (3, 33)
    assert few == many

    client.force_login(officer)
    client.get(reverse("staff:home"), {"status": "open"})
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("staff:home"), {"status": "open"})
    view_many = len(ctx.captured_queries)
    for _ in range(10):
        ReportFactory()
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("staff:home"), {"status": "open"})
    assert len(ctx.captured_queries) == view_many


def test_a_search_counts_its_matches_up_to_a_cap_and_pages_through_all_of_them(officer, client, monkeypatch):
    """GIVEN five reports about sembako and one about something else, pages of two and a count capped at three
    WHEN the officer searches "sembako" and follows the next link to the end
    THEN the pages say "more than 3" until the count reaches the end, then the exact 5; every match is shown
    exactly once, and nothing else; the queue without a search still counts exactly."""
    from complaints.selectors import cases
    from complaints.services.registry import report_search_text

    monkeypatch.setattr(cases, "PAGE_SIZE", 2)
    monkeypatch.setattr(cases, "SEARCH_COUNT_CAP", 3)
    matches = [ReportFactory(chronology=f"Lurah {i} membagikan sembako bergambar calon.") for i in range(5)]
    other = ReportFactory(chronology="Guru memasang baliho di pagar sekolah.")
    for r in Report.objects.all():
        Report.objects.filter(pk=r.pk).update(search_text=report_search_text(r))
    client.force_login(officer)
    seen, shown = [], []
    for page_no in range(1, 10):
        response = client.get(reverse("staff:home"), {"status": "open", "q": "sembako", "page": page_no})
        ctx = response.context
        seen += [r.pk for r in ctx["rows"]]
        html = response.content.decode()
        shown.append(
            (ctx["total"], ctx["more"], "Lebih dari 3 laporan" in html, f"page={page_no + 1}" in html)
        )
        if not shown[-1][3]:
            break
    # Page 1 counts up to 3 (more); page 2 through itself, 4 (more); page 3 reaches the end: 5, exact.
    assert shown == [(3, True, True, True), (4, True, False, True), (5, False, False, False)]
    assert seen == [r.pk for r in matches] and other.pk not in seen
    queue = client.get(reverse("staff:home"), {"status": "open"}).context
    assert (queue["total"], queue["more"]) == (6, False)


@pytest.mark.parametrize("cap", [2, 10])  # more matches than the cap, and all of them known (read by key)
def test_a_capped_search_shows_the_same_rows_in_the_same_order_as_an_exact_one(officer, monkeypatch, cap):
    from complaints.selectors import cases
    from complaints.services.registry import report_search_text

    monkeypatch.setattr(cases, "PAGE_SIZE", 2)
    for i, priority in enumerate([1, 3, 0, 3, 2]):
        ReportFactory(chronology=f"Camat {i} membagikan sembako.", priority=priority)
    ReportFactory(chronology="Camat memasang baliho.", priority=3)
    elsewhere = ReportFactory(
        chronology="Camat membagikan sembako.", incident_region_id="31.71.01", province_code="31"
    )
    for r in Report.objects.all():
        Report.objects.filter(pk=r.pk).update(search_text=report_search_text(r))
    for sort in ("oldest", "priority", "newest"):
        qs = case_queue(officer, QueueFilters(status="open", q="sembako", sort=sort))
        for page_no in (1, 2, 3):
            exact, capped = queue_page(qs, page_no), queue_page(qs, page_no, count_cap=cap)
            assert [r.pk for r in capped["rows"]] == [r.pk for r in exact["rows"]], (sort, page_no)
            assert elsewhere.pk not in [r.pk for r in capped["rows"]]
    assert queue_page(qs, 1, count_cap=cap)["more"] is (cap < 5)


def test_a_queue_row_shows_its_terlapor_categories_status_days_and_evidence(officer, client):
    """GIVEN a case with two terlapor (one without a position), two categories, a photo and two links, a deadline
    passed and an assignee
    WHEN the officer opens the queue, filtered to open cases by deadline
    THEN its row shows each of them as before the row was prepared in Python, and the filter bar keeps the
    choices made."""
    from complaints.models import ViolationCategory

    categories = list(ViolationCategory.objects.order_by("position", "slug")[:2])
    report = ReportFactory(
        categories=categories,
        assigned_to=officer,
        created_at=dt.datetime(2024, 3, 4, 9, 0, tzinfo=dt.UTC),
        chronology="Lurah <b>berkampanye</b>.",
    )
    AccusedFactory(report=report, name="Budi <Santoso>", position="Camat")
    AccusedFactory(report=report, name="Siti Aminah", position="")
    for kind in ("photo", "link", "link"):
        Evidence.objects.create(report=report, kind=kind, original_name="a.jpg")
    due = timezone.localdate() - dt.timedelta(days=2)
    Report.objects.filter(pk=report.pk).update(due_on=due, status=Report.Status.TRIAGE)
    client.force_login(officer)
    html = client.get(reverse("staff:home"), {"status": "open", "sort": "due"}).content.decode()
    row = html.split(f'data-id="{report.pk}"')[1].split("</tr>")[0]
    assert f'href="{reverse("staff:case", args=[report.pk])}"' in row
    assert "Budi &lt;Santoso&gt;, Camat<br>Siti Aminah</td>" in row
    assert "; ".join(c.name[:49] + "…" if len(c.name) > 50 else c.name for c in categories) in row
    assert ">Triase</span>" in row and "4 Mar 2024" in row
    with translation.override("id"):
        assert f'{formats.date_format(due, "j M Y")} <span class="badge text-bg-danger">lewat tenggat' in row
    assert "Foto 1</span>" in row and "Tautan 2</span>" in row
    assert ">officer</td>" in row and "<b>" not in row
    assert '<option value="due" selected>' in html and '<option value="open" selected>' in html
    assert '<option value="oldest">' in html


def test_queue_rows_leave_the_reporter_identity_unread(officer):
    ReportFactory(anonymous=False, reporter_name="Siti Pelapor", reporter_nik="3574010101900001")
    (row,) = queue_page(case_queue(officer, QueueFilters(status="open")), 1)["rows"]
    assert {"reporter_name", "reporter_nik", "reporter_phone", "reporter_email", "reporter_address"} <= (
        row.get_deferred_fields()
    )


def test_a_staff_page_reads_the_jurisdiction_once_and_a_changed_one_at_once(client, db):
    """The coordinator's queue needs the jurisdiction three times (rows, assignees, approvals badge): one query.
    A jurisdiction changed later, through the staff service or the profile, is what the same user object sees."""
    from complaints.models import Region
    from complaints.services.access import jurisdiction_codes
    from complaints.services.staff import staff_save
    from tests.factories import staff

    coordinator = staff("koord", "koordinator", ["35"])
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("staff:home"), {"status": "open"}).status_code == 200
    reads = [q["sql"] for q in ctx.captured_queries if '"staffprofile_id" = ' in q["sql"]]
    assert len(reads) == 1, reads
    assert jurisdiction_codes(coordinator) == ["35"]
    staff_save(user=coordinator, role="koordinator", regions=["31"])
    assert jurisdiction_codes(coordinator) == ["31"]
    coordinator.posko.regions.add(Region.objects.get(code="51"))
    assert sorted(jurisdiction_codes(coordinator)) == ["31", "51"]
    coordinator.posko.regions.clear()
    assert jurisdiction_codes(coordinator) == []


def test_the_staff_api_lists_terlapor_and_categories_in_a_fixed_number_of_queries(officer, client):
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(officer)

    def listing():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/api/v1/cases/", {"status": "open"}, HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200
        return response.json(), len(ctx.captured_queries)

    first = ReportFactory()
    AccusedFactory(report=first, name="Budi Santoso")
    AccusedFactory(report=first, name="Siti Aminah")
    ReportFactory()  # no terlapor yet
    body, few = listing()
    assert [r["terlapor"] for r in body["results"]] == [["Budi Santoso", "Siti Aminah"], []]
    assert body["results"][0]["categories"] == ["etik-foto-bersama"]
    for _ in range(5):
        AccusedFactory(report=ReportFactory())
    assert listing()[1] == few
    detail = client.get(f"/api/v1/cases/{first.pk}/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert (detail["terlapor"], detail["categories"]) == (
        ["Budi Santoso", "Siti Aminah"],
        ["etik-foto-bersama"],
    )
