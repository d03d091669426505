"""Large originals are streamed, never held in memory: intake, processing and the custody download of a
200 MB file stay within a few tens of megabytes of Python allocations, on local disk and on S3. Presigned
downloads hand the original over as an attachment from the object store, after the custody record."""

import tracemalloc

import requests
from django.core.files import File
from django.urls import reverse

from evidence import services
from evidence.models import CustodyEvent, Evidence
from tests import samples
from tests.evidence.helpers import process
from tests.factories import ReportFactory, staff

BIG = 200 * 1024 * 1024
BOUND = 48 * 1024 * 1024  # a quarter of the file


def test_a_200_mb_original_is_stored_processed_and_downloaded_in_bounded_memory(
    client, db, store, tmp_path, django_capture_on_commit_callbacks
):
    video = samples.video_bytes("mp4", "libx264", seconds=2)
    source = tmp_path / "besar.mp4"
    source.write_bytes(video)
    with open(source, "ab") as fh:
        fh.truncate(BIG)  # a real video followed by a sparse tail
    officer = staff("officer", "staf", ["35.74"])
    client.force_login(officer)
    tracemalloc.start()
    try:
        with open(source, "rb") as fh:
            upload = File(fh, name="besar.mp4")
            upload.content_type = "video/mp4"
            item = services.evidence_attach_file(report=ReportFactory(), upload=upload)
        stored_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        item = process(item)
        processed_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        response = client.post(
            reverse("staff:evidence_original", args=[item.pk]),
            {"reason": "Memeriksa video asli untuk kajian"},
        )
        received = sum(len(chunk) for chunk in response.streaming_content)
        download_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert item.status == Evidence.Status.READY, item.status_reason
    assert item.size == BIG and received == BIG and response["Content-Length"] == str(BIG)
    assert store.files("originals") == [item.file.name]
    print(
        f"{store.name}: peak Python memory stored {stored_peak >> 20} MB, processed {processed_peak >> 20} MB, ",
        f"downloaded {download_peak >> 20} MB for a {BIG >> 20} MB file",
    )
    assert stored_peak < BOUND and processed_peak < BOUND and download_peak < BOUND


def test_a_presigned_download_is_an_attachment_valid_a_minute_after_the_custody_record(
    client, db, settings, store
):
    settings.POSKO_EVIDENCE_DOWNLOADS = "presigned"
    content = samples.jpeg_with_exif()
    item = process(
        services.evidence_attach_file(report=ReportFactory(), upload=_upload(content, "IMG_1.jpg"))
    )
    client.force_login(staff("officer", "staf", ["35.74"]))
    url = reverse("staff:evidence_original", args=[item.pk])
    assert client.post(url, {"reason": "no"}).status_code == 400 and CustodyEvent.objects.count() == 0
    response = client.post(url, {"reason": "Memeriksa metadata foto untuk kajian awal"})
    assert CustodyEvent.objects.get().action == "download_original"
    if store.name == "local":
        # No object store to hand it over: streamed through the portal as before.
        assert response.status_code == 200 and b"".join(response.streaming_content) == content
        return
    assert response.status_code == 302 and response["Cache-Control"] == "no-store"
    location = response["Location"]
    assert location.startswith(store.endpoint) and "X-Amz-Expires=60" in location
    fetched = requests.get(location, timeout=30)
    assert fetched.status_code == 200 and fetched.content == content
    assert fetched.headers["Content-Disposition"] == 'attachment; filename="IMG_1.jpg"'
    assert fetched.headers["Content-Type"] == "application/octet-stream"


def test_viewing_copies_are_streamed_through_the_portal_even_with_presigned_downloads(
    client, db, settings, store
):
    settings.POSKO_EVIDENCE_DOWNLOADS = "presigned"
    item = process(
        services.evidence_attach_file(report=ReportFactory(), upload=_upload(samples.jpeg_with_exif()))
    )
    client.force_login(staff("officer", "staf", ["35.74"]))
    response = client.get(reverse("staff:evidence_view", args=[item.pk]))
    assert response.status_code == 200 and "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == store.read(item.viewing_copy.name)


def _upload(content: bytes, name: str = "a.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, "image/jpeg")
