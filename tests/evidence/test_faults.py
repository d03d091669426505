"""No loss under faults, made real: a disk that fills up mid-upload, a storage error while processing and
processing the item again (the button, for three people, and the operators' command)."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from complaints.models import Report
from evidence.models import CustodyEvent, Evidence, StagedUpload
from tests import samples
from tests.complaints.report_flow import post_step
from tests.conftest import media_files
from tests.evidence.helpers import attach, process
from tests.factories import ReportFactory, staff, valid_api_data, valid_form_data


def _fill(folder, leave: int = 0) -> None:
    """Fill the filesystem under `folder`, leaving about `leave` bytes free."""
    import os

    with open(folder / "filler", "wb") as fh:
        free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
        fh.write(b"\0" * max(0, free - leave))


def test_a_disk_full_mid_upload_keeps_nothing(client, db, settings, tiny_disk):
    """GIVEN evidence on a 2 MiB disk
    WHEN a report comes with two files and the disk fills up in the middle of the second
    THEN the API answers 503 JSON with Retry-After, and neither rows nor files (not the first file, not the
    partial second one) are kept."""
    settings.MEDIA_ROOT = tiny_disk
    settings.POSKO_MAX_FILE_BYTES = settings.POSKO_MAX_REPORT_BYTES = 10 * 1024 * 1024
    first = SimpleUploadedFile("a.jpg", samples.jpeg_with_exif(), "image/jpeg")
    second = SimpleUploadedFile("b.mp4", b"\0" * (3 * 1024 * 1024), "video/mp4")  # larger than the disk
    response = client.post(reverse("api:report_create"), valid_api_data(files=[first, second], links=[]))
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "30" and response.json()["code"] == "service_unavailable"
    assert Report.objects.count() == 0 and Evidence.objects.count() == 0
    assert media_files(tiny_disk) == []


def test_the_report_form_on_a_full_disk_answers_a_plain_503_and_keeps_nothing(
    client, db, settings, tiny_disk
):
    settings.MEDIA_ROOT = tiny_disk
    _fill(tiny_disk, leave=8 * 1024)
    data = valid_form_data()
    for step in ("about", "accused", "incident"):  # these steps write no file
        assert post_step(client, step, data).status_code == 302
    photo = SimpleUploadedFile("a.jpg", samples.jpeg_with_exif(), "image/jpeg")
    response = post_step(client, "evidence", data, files=[photo])
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "tidak tersedia" in response.content.decode()
    assert Report.objects.count() == 0 and StagedUpload.objects.count() == 0
    assert [p.name for p in media_files(tiny_disk)] == ["filler"]


@pytest.fixture
def failed_item(db, settings, tiny_disk):
    """A photo whose processing failed because the storage filled up while its copies were written."""
    settings.MEDIA_ROOT = tiny_disk
    item = attach(ReportFactory(), samples.jpeg_with_exif(1600, 1200), "IMG_1.jpg", "image/jpeg")
    _fill(tiny_disk, leave=4 * 1024)
    item = process(item)
    assert item.status == Evidence.Status.FAILED, item.status_reason
    assert "will be retried" in item.status_reason and "derive" in item.status_reason
    assert item.steps["derive"]["ok"] is False
    (tiny_disk / "filler").unlink()  # the operator frees space
    return item


def test_a_storage_error_while_processing_is_transient_not_the_items_fault(failed_item):
    # Identified and hashed fine: the item itself was good, the storage was not.
    assert failed_item.steps["identify"]["ok"] and failed_item.sha256 and not failed_item.quarantined
    assert failed_item.status_reason.startswith("Storage or database unavailable")


@pytest.fixture
def people(db):
    return {
        "officer": staff("officer", "staf", ["35.74"]),
        "coordinator": staff("coordinator", "koordinator", ["35"]),
        "volunteer": staff("volunteer", "relawan", ["35"]),
        "outsider": staff("outsider", "staf", ["31"]),
        "citizen": User.objects.create_user("citizen", password="pw-12345-x"),
    }


REASON = "Penyimpanan penuh saat diproses; ruang sudah dikosongkan"


@pytest.mark.parametrize(("who", "status"), [("volunteer", 403), ("outsider", 404), ("citizen", 404)])
def test_only_staff_who_may_can_process_again(client, people, failed_item, who, status):
    client.force_login(people[who])
    url = reverse("staff:evidence_reprocess", args=[failed_item.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"reason": REASON}).status_code == status
    failed_item.refresh_from_db()
    assert failed_item.status == Evidence.Status.FAILED and CustodyEvent.objects.count() == 0


def test_the_button_shows_for_staff_who_may_and_processes_the_item_again_once(
    client, people, failed_item, tiny_disk, django_capture_on_commit_callbacks
):
    """GIVEN an item that failed on a storage error, and space freed since
    WHEN an officer presses "process again" with a reason
    THEN the item is processed and ready, with one set of copies, and the decision is in the chain of custody;
    pressing again changes nothing."""
    case_url = reverse("staff:report_evidence", args=[failed_item.report_id])
    client.force_login(people["volunteer"])
    assert "proses-ulang" not in client.get(case_url).content.decode()
    client.force_login(people["officer"])
    page = client.get(case_url).content.decode()
    url = reverse("staff:evidence_reprocess", args=[failed_item.pk])
    assert url in page
    refused = client.post(url, {"reason": "no"})
    assert refused.status_code == 400 and "no" in refused.content.decode()  # kept what was typed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": REASON}, HTTP_USER_AGENT="pytest")
    assert response.status_code == 302 and response["Location"].endswith(f"#ev-{failed_item.pk}")
    item = Evidence.objects.get(pk=failed_item.pk)
    assert item.status == Evidence.Status.READY, item.status_reason
    derived = sorted(p.name for p in media_files(tiny_disk / "derived"))
    assert derived == ["thumb.jpg", "view.jpg"]
    event = CustodyEvent.objects.get()
    assert (event.actor.username, event.action, event.reason, event.user_agent) == (
        "officer",
        "reprocess",
        REASON,
        "pytest",
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"reason": REASON}, follow=True)
    assert again.status_code == 200 and CustodyEvent.objects.count() == 1
    assert sorted(p.name for p in media_files(tiny_disk / "derived")) == ["thumb.jpg", "view.jpg"]


def test_a_coordinator_may_process_again_too(client, people, failed_item, django_capture_on_commit_callbacks):
    client.force_login(people["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:evidence_reprocess", args=[failed_item.pk]), {"reason": REASON})
    assert response.status_code == 302
    assert Evidence.objects.get(pk=failed_item.pk).status == Evidence.Status.READY


def test_the_operators_command_processes_failed_items_again(
    db, failed_item, capsys, django_capture_on_commit_callbacks
):
    ready = process(attach(ReportFactory(), samples.jpeg_with_exif(), "ok.jpg", "image/jpeg"))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("evidence_reprocess", "--all-failed", "--reason", "Disk replaced after ENOSPC")
    assert Evidence.objects.get(pk=failed_item.pk).status == Evidence.Status.READY
    assert "1 item(s) queued again" in capsys.readouterr().out
    event = CustodyEvent.objects.get()
    assert event.actor is None and event.reason == "[operator] Disk replaced after ENOSPC"
    # Safe to run again: nothing is failed now, nothing happens.
    call_command(
        "evidence_reprocess", str(failed_item.pk), str(ready.pk), "--reason", "Disk replaced after ENOSPC"
    )
    assert CustodyEvent.objects.count() == 1


def test_the_command_refuses_a_missing_reason(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("evidence_reprocess", "--all-failed", "--reason", "x")
