"""Upload limits, just below, at and above each one. A rejected request stores nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints.models import Report
from evidence.models import Evidence, StagedUpload
from tests.complaints.report_flow import URLS, post_step, step_data
from tests.factories import valid_api_data

API = reverse("api:report_create")
FILE_LIMIT, REPORT_LIMIT, MAX_FILES, MAX_LINKS = 10_000, 25_000, 3, 2


# Intake on a local folder and on the S3 server: every test here runs on both.
pytestmark = pytest.mark.usefixtures("store")


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.POSKO_MAX_FILE_BYTES = FILE_LIMIT
    settings.POSKO_MAX_REPORT_BYTES = REPORT_LIMIT
    settings.POSKO_MAX_FILES = MAX_FILES
    settings.POSKO_MAX_LINKS = MAX_LINKS


def blob(size: int, name: str = "f.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * size, "application/octet-stream")


def post(client, sizes, links=None):
    files = [blob(size, f"f{i}.bin") for i, size in enumerate(sizes)]
    return client.post(API, valid_api_data(files=files, links=links if links is not None else []))


def assert_nothing_stored(store):
    assert Report.objects.count() == 0
    assert Evidence.objects.count() == 0
    assert StagedUpload.objects.count() == 0
    assert store.files() == []


@pytest.mark.parametrize("size", [FILE_LIMIT - 1, FILE_LIMIT])
def test_a_file_up_to_the_size_limit_is_accepted(client, db, size):
    response = post(client, [size])
    assert response.status_code == 201, response.content
    assert Evidence.objects.get().size == size


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_stored(client, db, store):
    response = post(client, [FILE_LIMIT + 1])
    assert response.status_code == 400
    message = response.json()["files"][0]
    assert "f0.bin" in message
    assert_nothing_stored(store)


@pytest.mark.parametrize("count", [MAX_FILES - 1, MAX_FILES])
def test_up_to_the_file_count_is_accepted(client, db, count):
    assert post(client, [10] * count).status_code == 201
    assert Evidence.objects.count() == count


def test_one_file_too_many_is_refused_and_nothing_is_stored(client, db, store):
    response = post(client, [10] * (MAX_FILES + 1))
    assert response.status_code == 400 and response.json()["files"]
    assert_nothing_stored(store)


@pytest.mark.parametrize(
    "sizes",
    [
        [FILE_LIMIT, FILE_LIMIT, REPORT_LIMIT - 2 * FILE_LIMIT - 1],
        [FILE_LIMIT, FILE_LIMIT, REPORT_LIMIT - 2 * FILE_LIMIT],
    ],
)
def test_files_up_to_the_report_total_are_accepted(client, db, sizes):
    assert post(client, sizes).status_code == 201
    assert sum(Evidence.objects.values_list("size", flat=True)) == sum(sizes)


def test_files_over_the_report_total_are_refused_and_nothing_is_stored(client, db, store):
    response = post(client, [FILE_LIMIT, FILE_LIMIT, REPORT_LIMIT - 2 * FILE_LIMIT + 1])
    assert response.status_code == 400 and response.json()["files"]
    assert_nothing_stored(store)


@pytest.mark.parametrize("count", [MAX_LINKS - 1, MAX_LINKS])
def test_up_to_the_link_count_is_accepted(client, db, count):
    links = [f"https://example.org/post/{i}" for i in range(count)]
    assert post(client, [], links=links).status_code == 201


def test_one_link_too_many_is_refused(client, db, store):
    links = [f"https://example.org/post/{i}" for i in range(MAX_LINKS + 1)]
    response = post(client, [], links=links)
    assert response.status_code == 400 and response.json()["links"]
    assert_nothing_stored(store)


def test_the_form_refuses_an_oversized_file_but_keeps_the_others(client, db, store):
    post_step(client, "about")
    data = step_data("evidence")
    data["files"] = [blob(FILE_LIMIT + 1, "besar.mp4"), blob(100, "kecil.jpg")]
    response = client.post(URLS["evidence"], data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "besar.mp4" in text  # named in the error summary
    assert Report.objects.count() == 0
    # Only the acceptable file was kept for the draft; the oversized one was never written.
    assert list(StagedUpload.objects.values_list("original_name", flat=True)) == ["kecil.jpg"]
    assert len(store.files()) == 1


def test_the_form_keeps_no_more_files_than_a_report_may_carry(client, db, store):
    post_step(client, "about")
    data = step_data("evidence")
    data["files"] = [blob(10, f"f{i}.jpg") for i in range(MAX_FILES + 1)]
    response = client.post(URLS["evidence"], data)
    assert response.status_code == 400
    assert StagedUpload.objects.count() == MAX_FILES
    assert f"f{MAX_FILES}.jpg" in response.content.decode()
