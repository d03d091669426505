"""/statistik/ and its open data: small counts suppressed in the page and both files, nothing personal,
totals that give nothing hidden away, and figures served from the cache."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Report
from stats.selectors import public
from tests.factories import AccusedFactory
from tests.stats.conftest import case, wib

PUBLIC_TABLES = ["province", "category", "status", "week"]


@pytest.fixture
def reports(db):
    """Jawa Timur: 7 Pilkada reports and 6 Pemilu ones; DKI Jakarta: 3 Pilkada reports (a small count)."""
    made = []
    for i in range(7):
        made.append(case(created=wib(2024, 10, 1 + i, 9), reporter_name=f"Pelapor Rahasia {i}"))
    for i in range(6):
        made.append(case(created=wib(2024, 2, 5 + i, 9), election="pemilu-2024", reporter_name="Siti Aminah"))
    for i in range(3):
        made.append(case(created=wib(2024, 10, 2, 9), region="31.71.01", reporter_name="Warga Menteng"))
    for report in made:
        AccusedFactory(report=report, name="Budi Santoso Camat")
    Report.objects.filter(pk=made[0].pk).update(case_number="001/LP/PL/Kota/35.74/X/2024")
    return made


def data_json(client) -> dict:
    response = client.get(reverse("stats:public_json"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def data_csv(client) -> list[dict]:
    response = client.get(reverse("stats:public_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def row(table: dict, code: str) -> dict:
    return next(r for r in table["rows"] if r["code"] == code)


def test_a_small_count_is_hidden_in_the_json(client, reports):
    data = data_json(client)
    pilkada = [e["code"] for e in data["elections"]].index("pilkada-2024")
    pemilu = [e["code"] for e in data["elections"]].index("pemilu-2024")
    jakarta = row(data["tables"]["province"], "31")
    assert jakarta["cells"][pilkada] == {"count": None, "suppressed": "small"}
    # Jawa Timur's 7 Pilkada reports are hidden with it, or 7 could be told from the column's other tables.
    jatim = row(data["tables"]["province"], "35")
    assert jatim["cells"][pilkada] == {"count": None, "suppressed": "complementary"}
    assert jatim["cells"][pemilu] == {"count": 6, "suppressed": None}
    assert jatim["total"] == {"count": 6, "partial": True}
    assert data["tables"]["status"]["rows"][0]["cells"][pilkada] == {"count": 10, "suppressed": None}


def test_a_small_count_is_hidden_in_the_csv(client, reports):
    rows = data_csv(client)
    jakarta = [r for r in rows if r["table"] == "province" and r["row_code"] == "31"]
    assert {r["election"]: (r["count"], r["suppressed"]) for r in jakarta} == {
        "pemilu-2024": ("0", ""),
        "pilkada-2024": ("", "small"),
        "total": ("0", ""),
    }
    assert [r["partial_total"] for r in jakarta if r["election"] == "total"] == ["1"]
    assert not any(r["count"] in {"1", "2", "3", "4"} for r in rows)


def test_the_page_shows_less_than_five(client, reports):
    response = client.get(reverse("stats:public"))
    assert response.status_code == 200
    page = response.content.decode()
    jakarta = page[page.index('<th scope="row" class="fw-normal">Daerah Khusus Ibukota Jakarta') :]
    jakarta = jakarta[: jakarta.index("</tr>")]
    assert "&lt; 5" in jakarta and ">3<" not in jakarta
    assert "<svg" in page and "<title" in page and "<desc" in page


def test_no_personal_data_and_no_day_dates(client, reports):
    """Nothing of a person or of a case is published: no names, codes, numbers or places; weeks only."""
    everything = json.dumps(data_json(client), ensure_ascii=False)
    everything += json.dumps(data_csv(client), ensure_ascii=False)
    everything += client.get(reverse("stats:public")).content.decode()
    secrets = ["Pelapor Rahasia", "Siti Aminah", "Warga Menteng", "Budi Santoso", "Kanigaran", "001/LP/PL"]
    secrets += [r.tracking_code for r in reports]
    for secret in secrets:
        assert secret not in everything
    for day in ("2024-10-01", "2024-10-02", "2024-02-05", "01 Oct", "1 Okt"):
        assert day not in everything
    assert "2024-W40" in everything  # the week of 1 Oct 2024


def test_totals_of_the_json_give_no_hidden_count_away(client, reports):
    """The subtraction attack, for every row and column of every table of the published data: a total less
    the counts shown beside it leaves nothing."""
    tables = data_json(client)["tables"]
    for key in PUBLIC_TABLES:
        t = tables[key]
        for r in t["rows"]:
            assert r["total"]["count"] == sum(c["count"] or 0 for c in r["cells"])
            assert r["total"]["partial"] == any(c["suppressed"] for c in r["cells"])
        for j, total in enumerate(t["column_totals"]):
            assert total["count"] == sum(r["cells"][j]["count"] or 0 for r in t["rows"])
        assert t["total"]["count"] == sum(r["total"]["count"] for r in t["rows"])


def test_comparing_tables_gives_no_single_hidden_count_away(client, reports):
    """The province, status and week tables count the same reports: an election's column adds up to the same
    real total in each, so the difference of two tables' shown totals is the sum of a column's hidden
    counts. It is never a single count."""
    tables = data_json(client)["tables"]
    shown = {key: tables[key]["column_totals"] for key in ("province", "status", "week")}
    for key in shown:
        for j in range(len(shown[key])):
            hidden = [r["cells"][j] for r in tables[key]["rows"] if r["cells"][j]["suppressed"]]
            assert len(hidden) != 1
    # Here: the Pilkada column hides Jakarta's 3 and Jawa Timur's 7 together; the status table shows 10.
    pilkada = [e["code"] for e in data_json(client)["elections"]].index("pilkada-2024")
    assert shown["status"][pilkada]["count"] - shown["province"][pilkada]["count"] == 10


def test_a_second_request_costs_the_database_nothing(client, reports, django_assert_num_queries):
    assert client.get(reverse("stats:public")).status_code == 200  # computes and caches
    assert public.cache.get(public.CACHE_KEY) is not None
    for name in ("stats:public", "stats:public_json", "stats:public_csv"):
        with django_assert_num_queries(0):
            assert client.get(reverse(name)).status_code == 200


def test_figures_are_recomputed_after_the_refresh_interval(client, reports, settings, monkeypatch):
    settings.POSKO_STATS_PUBLIC_REFRESH_SECONDS = 300
    now = [1_000_000.0]
    monkeypatch.setattr(public.time, "time", lambda: now[0])

    def jatim_pemilu():
        data = data_json(client)
        pemilu = [e["code"] for e in data["elections"]].index("pemilu-2024")
        return row(data["tables"]["province"], "35")["cells"][pemilu]["count"]

    assert jatim_pemilu() == 6
    case(created=wib(2024, 2, 20, 9), election="pemilu-2024")
    now[0] += 299
    assert jatim_pemilu() == 6  # still the cached figures
    now[0] += 2
    assert jatim_pemilu() == 7


def test_computing_the_figures_costs_the_same_queries_for_more_reports(reports):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            public.public_figures_compute()
        return len(ctx.captured_queries)

    few = queries()
    for i in range(25):
        case(created=wib(2024, 9, 1 + i, 9), region=["35.74.04", "35.13.01", "31.71.01"][i % 3])
    assert queries() == few


def test_anyone_sees_the_public_page_and_only_staff_the_staff_one(client, reports):
    assert client.get(reverse("stats:public")).status_code == 200
    response = client.get(reverse("stats_staff:staff"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("staff:login"))
    response = client.get(reverse("stats_staff:staff_csv", args=["status"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("staff:login"))


def test_the_footer_links_the_public_page(client, db):
    assert reverse("stats:public") in client.get(reverse("complaints:home")).content.decode()


@pytest.mark.worker
def test_a_worker_keeps_the_public_figures_warm(celery_worker_process, settings):
    """The beat's task, run by a real worker process: it computes the figures into the shared cache, and the
    page is then served without a query. The beat schedule and the queue name the task."""
    import time

    from django.core.cache import cache

    from stats.tasks import refresh_public_task

    assert settings.CELERY_BEAT_SCHEDULE["stats-public-refresh"]["task"] == refresh_public_task.name
    assert settings.CELERY_TASK_ROUTES[refresh_public_task.name] == {"queue": settings.POSKO_QUEUE_SWEEP}
    case(created=wib(2024, 10, 1, 9))
    assert cache.get(public.CACHE_KEY) is None
    refresh_public_task.delay()
    deadline = time.monotonic() + 60
    while cache.get(public.CACHE_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    entry = cache.get(public.CACHE_KEY)
    assert (
        entry is not None
        and entry["figures"]["tables"]["status"]["rows"][0]["cells"][1]["suppressed"] == "small"
    )
