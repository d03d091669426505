"""Resumable uploads over tus 1.0.0 (evidence/resumable.py, the /lapor/unggah/ endpoint): creation within the
form's limits, appending at the right offset, resuming after a cut, finishing as a staged upload of the
draft, termination, and only the draft's own browser may touch an upload."""

import base64
import hashlib
import os

import pytest
from django.test import Client
from django.urls import reverse

from evidence import resumable
from evidence.models import ResumableUpload, StagedUpload
from tests.complaints.report_flow import post_step
from tests.conftest import media_files
from tests.samples import jpeg_with_exif

CREATE = reverse("complaints:report_upload")
TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def meta(**values) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def create(client, length, name="video.mp4", filetype="video/mp4"):
    return client.post(
        CREATE,
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=meta(filename=name, filetype=filetype),
        **TUS,
    )


def patch(client, url, offset, body):
    return client.generic(
        "PATCH", url, body, content_type=resumable.OFFSET_TYPE, HTTP_UPLOAD_OFFSET=str(offset), **TUS
    )


@pytest.fixture
def reporter(client, db):
    post_step(client, "about")
    return client


def test_a_file_sent_in_pieces_becomes_a_staged_upload_of_the_draft(reporter, settings):
    content = os.urandom(300_000)
    response = create(reporter, len(content))
    assert response.status_code == 201 and response["Tus-Resumable"] == "1.0.0"
    url = response["Location"]
    for offset in range(0, len(content), 100_000):
        answer = patch(reporter, url, offset, content[offset : offset + 100_000])
        assert answer.status_code == 204 and int(answer["Upload-Offset"]) == offset + min(
            100_000, len(content) - offset
        )
    staged = StagedUpload.objects.get()
    assert staged.draft is not None and staged.original_name == "video.mp4" and staged.size == len(content)
    with staged.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == hashlib.sha256(content).hexdigest()
    # The pieces are gone; only the staged file is stored.
    assert [p.parent.name for p in media_files(settings.MEDIA_ROOT)] == ["staging"]
    head = reporter.head(url, **TUS)
    assert head["Upload-Offset"] == head["Upload-Length"] == str(len(content))
    # The evidence step now lists it.
    assert "video.mp4" in reporter.get(reverse("complaints:report_evidence")).content.decode()


def test_a_cut_patch_keeps_what_arrived_and_the_client_resumes_from_there(reporter):
    content = os.urandom(200_000)
    url = create(reporter, len(content))["Location"]
    upload = ResumableUpload.objects.get()

    class CutStream:
        """A request body whose connection drops after 70,000 bytes."""

        def __init__(self):
            self.sent = 0

        def read(self, n):
            if self.sent >= 70_000:
                raise OSError("connection reset")
            piece = content[self.sent : min(self.sent + n, 70_000)]
            self.sent += len(piece)
            return piece

    resumable.upload_append(upload=upload, offset=0, stream=CutStream(), content_length=len(content))
    head = reporter.head(url, **TUS)
    assert head.status_code == 200 and head["Upload-Offset"] == "70000"
    assert patch(reporter, url, 70_000, content[70_000:]).status_code == 204
    with StagedUpload.objects.get().file.open("rb") as fh:
        assert fh.read() == content


def test_a_patch_at_the_wrong_offset_is_refused(reporter):
    url = create(reporter, 10)["Location"]
    assert patch(reporter, url, 5, b"12345").status_code == 409
    assert patch(reporter, url, 0, b"x" * 11).status_code == 413  # more than declared
    response = reporter.generic("PATCH", url, b"1", content_type="text/plain", HTTP_UPLOAD_OFFSET="0", **TUS)
    assert response.status_code == 415


def test_creation_checks_the_forms_limits(reporter, settings):
    settings.POSKO_MAX_FILE_BYTES = 1000
    settings.POSKO_MAX_FILES = 2
    settings.POSKO_MAX_REPORT_BYTES = 1500
    assert create(reporter, 1001).status_code == 413
    assert create(reporter, 10, name="setup.exe", filetype="application/x-msdownload").status_code == 415
    assert create(reporter, 1000).status_code == 201
    assert create(reporter, 600).status_code == 413  # the report total
    assert create(reporter, 100).status_code == 201
    assert create(reporter, 1).status_code == 413  # the file count
    assert ResumableUpload.objects.count() == 2


def test_the_refusal_says_why_in_the_readers_language(reporter, settings):
    settings.POSKO_MAX_FILE_BYTES = 1000
    response = create(reporter, 2000)
    assert "lebih besar dari" in response.content.decode()


def test_the_protocol_version_is_required(reporter):
    response = reporter.post(CREATE, HTTP_UPLOAD_LENGTH="10")
    assert response.status_code == 412
    options = reporter.options(CREATE)
    assert options["Tus-Version"] == "1.0.0" and "creation" in options["Tus-Extension"]


def test_only_the_drafts_browser_may_touch_an_upload(reporter):
    url = create(reporter, 10)["Location"]
    stranger = Client()
    post_step(stranger, "about")
    assert stranger.head(url, **TUS).status_code == 404
    assert patch(stranger, url, 0, b"0123456789").status_code == 404
    assert Client().head(url, **TUS).status_code == 404
    # Without a draft there is nothing to upload for.
    assert create(Client(), 10).status_code == 403
    assert ResumableUpload.objects.get().offset == 0


def test_uploads_need_the_csrf_token(db):
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("complaints:report_create"))
    token = browser.cookies["csrftoken"].value
    from tests.complaints.report_flow import step_data

    browser.post(reverse("complaints:report_create"), {**step_data("about"), "csrfmiddlewaretoken": token})
    assert create(browser, 10).status_code == 403
    response = browser.post(
        CREATE,
        HTTP_UPLOAD_LENGTH="10",
        HTTP_UPLOAD_METADATA=meta(filename="a.jpg"),
        HTTP_X_CSRFTOKEN=token,
        **TUS,
    )
    assert response.status_code == 201


def test_termination_removes_the_pieces(reporter, settings, django_capture_on_commit_callbacks):
    url = create(reporter, 100)["Location"]
    patch(reporter, url, 0, b"x" * 40)
    assert len(media_files(settings.MEDIA_ROOT)) == 1
    assert reporter.delete(url, **TUS).status_code == 204
    assert ResumableUpload.objects.count() == 0 and media_files(settings.MEDIA_ROOT) == []


def test_a_located_photo_sent_in_pieces_is_flagged(reporter):
    content = jpeg_with_exif()
    url = create(reporter, len(content), name="foto.jpg", filetype="image/jpeg")["Location"]
    patch(reporter, url, 0, content)
    assert StagedUpload.objects.get().location is not None
