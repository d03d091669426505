"""Filing a report (complaints/services/intake.py): what one report costs the database, and a taken tracking
code (issue 11: intake throughput against a bare view, bench/intake.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.http import QueryDict
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from complaints.api import api_to_form_data
from complaints.forms import ReportSubmission
from complaints.models import Person, Report, ReportChain
from complaints.services import intake
from tests.factories import ReportFactory, jpeg_bytes, valid_api_data

API = reverse("api:report_create")


def _bench_like_report(**overrides) -> dict:
    """What bench/intake.py posts: no NIK, a terlapor new to the registry (no NIP, no region), one photo and
    one link."""
    data = valid_api_data(
        reporter_nik="", accused_nip="", accused_region="", accused_name="Terlapor Baru", **overrides
    )
    data["files"] = [SimpleUploadedFile("IMG_2024.jpg", jpeg_bytes(), "image/jpeg")]
    return data


def test_a_report_with_a_photo_and_a_link_costs_fifteen_queries(
    client, db, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """GIVEN a report naming a new terlapor, with one photo and one link (the benchmark's report)
    WHEN it is filed through the API
    THEN the request costs the database at most 15 statements before its commit: validation 3 (election,
    region, categories) and the transaction 12 (BEGIN, the report, its categories, the terlapor's registry
    lookup and entry, the terlapor, the chain and first event, two evidence rows, COMMIT), and queueing
    processing after the commit one more. It took 23 before: the tracking code was looked up first, merged
    category slugs looked up before the categories, the categories read before they were linked, the new
    registry entry written in a savepoint, and the first event written through the lock-and-update path of
    later events."""
    data = _bench_like_report()
    with django_assert_max_num_queries(15), django_capture_on_commit_callbacks() as callbacks:
        response = client.post(API, data)
    assert response.status_code == 201, response.content
    assert len(callbacks) == 1  # queueing both items, after the commit
    report = Report.objects.get(tracking_code=response.json()["tracking_code"])
    assert report.categories.count() == 2
    assert Person.objects.filter(name="Terlapor Baru", nip=None).count() == 1
    assert sorted(report.evidence.values_list("kind", flat=True)) == ["link", "photo"]
    chain = ReportChain.objects.get(report=report)
    event = report.events.get()
    assert (chain.seq, chain.head) == (1, event.chain_hash) and event.data == {"bot_check": "missing"}


def test_a_taken_tracking_code_files_the_report_under_a_new_one(client, db, monkeypatch):
    taken = ReportFactory().tracking_code
    codes = iter([taken, "PSK-NEW0-CODE-0001"])
    monkeypatch.setattr(intake, "_tracking_code_new", lambda: next(codes))
    response = client.post(API, _bench_like_report())
    assert response.status_code == 201, response.content
    assert response.json()["tracking_code"] == "PSK-NEW0-CODE-0001"
    report = Report.objects.get(tracking_code="PSK-NEW0-CODE-0001")
    # Filed once: one report, one photo stored, one first event.
    assert report.evidence.filter(kind="photo").count() == 1 and report.events.count() == 1
    assert Report.objects.count() == 2


def test_a_code_taken_every_time_gives_up_after_three_tries(db, monkeypatch):
    taken = ReportFactory().tracking_code
    tries = []
    monkeypatch.setattr(intake, "_tracking_code_new", lambda: tries.append(1) or taken)
    posted = QueryDict(mutable=True)
    for key, value in valid_api_data(links=[]).items():
        posted.setlist(key, value if isinstance(value, list) else [value])
    data, files = api_to_form_data(posted, MultiValueDict())
    submission = ReportSubmission(data, files)
    assert submission.is_valid(), submission.errors
    with pytest.raises(IntegrityError):
        intake.report_submit(
            data=submission.form.cleaned_data,
            accused=submission.accused_items(),
            files=[],
            links=[],
        )
    assert len(tries) == 3 and Report.objects.count() == 1
