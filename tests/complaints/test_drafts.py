"""The report draft: saved at every step, resumed by its link in another browser, sent by e-mail, expired,
and closed to anyone without its code."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints.models import ReportDraft
from complaints.services import drafts
from evidence.models import StagedUpload
from tests.complaints.report_flow import URLS, fill_all, post_step, send, step_data
from tests.conftest import media_files
from tests.factories import jpeg_bytes, valid_form_data
from tests.samples import jpeg_with_exif


def resume_link(client) -> str:
    return client.get(URLS["accused"]).context["resume_link"]


def test_the_resume_link_opens_the_draft_in_a_new_browser(client, db):
    post_step(client, "about")
    post_step(client, "accused")
    link = resume_link(client)
    assert re.search(r"/lapor/lanjut/\?kode=[\w-]{20,}$", link)
    other = Client()
    response = other.get(link)
    # The new browser lands on the first step not done yet, with everything entered so far.
    assert response.status_code == 302 and response["Location"] == URLS["incident"]
    assert "Siti Aminah" in other.get(URLS["about"]).content.decode()
    post_step(other, "incident")
    post_step(other, "evidence")
    assert send(other).status_code == 302


def test_a_draft_cannot_be_opened_without_its_code(client, db):
    post_step(client, "about")
    stranger = Client()
    assert "Siti Aminah" not in stranger.get(URLS["about"]).content.decode()
    assert stranger.get(URLS["check"])["Location"] == URLS["about"]
    assert (
        stranger.get(reverse("complaints:report_resume"), {"kode": "not-the-code-0000000000"}).status_code
        == 404
    )
    # Nothing of the code or the draft's content is stored in clear.
    draft = ReportDraft.objects.get()
    code = client.session["posko_draft"]
    assert code not in (draft.code_hash, draft.email_code_hash) and len(draft.code_hash) == 64
    assert "Siti" not in str(draft)


def test_an_expired_draft_is_gone_with_its_files(client, db, settings, django_capture_on_commit_callbacks):
    post_step(client, "about")
    client.post(
        URLS["evidence"],
        {**step_data("evidence"), "files": [SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg")]},
    )
    link = resume_link(client)
    draft = ReportDraft.objects.get()
    assert StagedUpload.objects.filter(draft=draft).count() == 1
    # The hourly staged-upload clean-up leaves a live draft's files alone.
    from evidence.services import staged_upload_cleanup

    assert staged_upload_cleanup(now=timezone.now() + dt.timedelta(days=2)) == 0
    later = timezone.now() + dt.timedelta(days=settings.POSKO_DRAFT_DAYS, minutes=1)
    assert drafts.draft_cleanup(now=timezone.now()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert drafts.draft_cleanup(now=later) == 1
    assert ReportDraft.objects.count() == 0 and StagedUpload.objects.count() == 0
    assert media_files(settings.MEDIA_ROOT) == []
    assert Client().get(link).status_code == 404


def test_a_draft_past_its_expiry_no_longer_opens_even_before_the_clean_up(client, db):
    post_step(client, "about")
    ReportDraft.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert "Siti Aminah" not in client.get(URLS["about"]).content.decode()
    assert client.get(URLS["check"])["Location"] == URLS["about"]


def test_every_save_pushes_the_expiry_back(client, db, settings):
    post_step(client, "about")
    first = ReportDraft.objects.get().expires_at
    post_step(client, "accused")
    assert ReportDraft.objects.get().expires_at > first
    assert first - timezone.now() > dt.timedelta(days=settings.POSKO_DRAFT_DAYS - 1)


@pytest.mark.django_db
def test_the_resume_link_is_emailed_once_to_the_address_given(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_step(client, "about")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["siti@example.org"]
    link = re.search(r"https?://\S+/lapor/lanjut/\?kode=\S+", message.body).group(0)
    # The e-mailed code is another code than the device's, and opens the same draft.
    assert link != resume_link(client)
    other = Client()
    assert other.get(link).status_code == 302
    assert "Siti Aminah" in other.get(URLS["about"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        post_step(client, "about")
    assert len(mail.outbox) == 1  # the same address: not sent again
    with django_capture_on_commit_callbacks(execute=True):
        post_step(client, "about", valid_form_data(reporter_email="siti.aminah@example.org"))
    assert [m.to for m in mail.outbox] == [["siti@example.org"], ["siti.aminah@example.org"]]


@pytest.mark.django_db
def test_no_email_for_an_anonymous_reporter(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_step(client, "about", valid_form_data(anonymous="true"))
    assert mail.outbox == []


def test_a_photo_with_a_location_is_flagged_and_needs_a_choice(client, db):
    post_step(client, "about")
    gps = SimpleUploadedFile("lokasi.jpg", jpeg_with_exif(), "image/jpeg")
    plain = SimpleUploadedFile("biasa.jpg", jpeg_bytes(), "image/jpeg")
    response = client.post(URLS["evidence"], {**step_data("evidence"), "files": [gps, plain]})
    assert response.status_code == 400  # continuing needs a choice about the located photo
    located = StagedUpload.objects.get(original_name="lokasi.jpg")
    assert located.location == {
        "latitude": pytest.approx(-7.754300, abs=1e-4),
        "longitude": pytest.approx(113.215900, abs=1e-4),
    }
    assert StagedUpload.objects.get(original_name="biasa.jpg").location is None
    text = response.content.decode()
    assert "location-warning" in text and f"keep-location-{located.pk}" in text
    assert f"#file-{located.pk}" in [e["href"] for e in response.context["errors"]]
    # "Send it anyway": recorded, and the step goes on.
    client.post(URLS["evidence"], {**step_data("evidence"), "_action": f"keep-location-{located.pk}"})
    assert StagedUpload.objects.get(pk=located.pk).location_confirmed
    assert post_step(client, "evidence").status_code == 302


def test_removing_a_located_photo_lets_the_step_go_on(client, db):
    post_step(client, "about")
    gps = SimpleUploadedFile("lokasi.jpg", jpeg_with_exif(), "image/jpeg")
    client.post(URLS["evidence"], {**step_data("evidence"), "files": [gps]})
    located = StagedUpload.objects.get()
    client.post(URLS["evidence"], {**step_data("evidence"), "_action": f"remove-file-{located.pk}"})
    assert StagedUpload.objects.count() == 0
    assert post_step(client, "evidence").status_code == 302


def test_a_video_with_a_recorded_location_is_flagged(client, db):
    from tests.samples import video_bytes

    post_step(client, "about")
    clip = video_bytes(metadata={"location": "-7.7543+113.2159/"})
    client.post(
        URLS["evidence"], {**step_data("evidence"), "files": [SimpleUploadedFile("v.mp4", clip, "video/mp4")]}
    )
    staged = StagedUpload.objects.get()
    assert staged.location == {"latitude": -7.7543, "longitude": 113.2159}


def test_filing_from_a_draft_removes_the_draft(client, db):
    fill_all(client)
    assert send(client).status_code == 302
    assert ReportDraft.objects.count() == 0
    assert "posko_draft" not in client.session


def test_sending_a_draft_twice_files_one_report(client, db):
    from complaints.forms import ReportSubmission
    from complaints.models import Report

    fill_all(client)
    draft = ReportDraft.objects.get()
    # Two requests that both validated the draft before either sent it (a double press, two tabs).
    first = ReportSubmission(drafts.draft_form_data(draft), None)
    second = ReportSubmission(drafts.draft_form_data(draft), None)
    assert first.is_valid() and second.is_valid()
    drafts.draft_submit(draft=draft, submission=first, language="id")
    with pytest.raises(drafts.DraftGone):
        drafts.draft_submit(draft=draft, submission=second, language="id")
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_nothing_of_a_draft_reaches_the_logs(client, caplog, django_capture_on_commit_callbacks):
    caplog.set_level("DEBUG")
    with django_capture_on_commit_callbacks(execute=True):
        fill_all(client, files=[SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg")])
    code = client.session["posko_draft"]
    link = mail.outbox[0].body
    for secret in (code, "Siti Aminah", "siti@example.org", "3574014107900003", link.split("kode=")[1][:20]):
        assert secret not in caplog.text
