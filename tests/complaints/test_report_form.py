"""The report form, step by step with a server-side draft, as a browser without JavaScript posts it."""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints.models import Report, ReportDraft, ReportEvent
from evidence.models import Evidence, StagedUpload
from tests.complaints.report_flow import URLS, file_report, fill_all, post_step, send, step_data
from tests.conftest import media_files
from tests.factories import jpeg_bytes, valid_form_data

URL = URLS["about"]


def photo(name="foto.jpg", content=None):
    return SimpleUploadedFile(name, content or jpeg_bytes(), content_type="image/jpeg")


def test_the_form_renders_in_indonesian_by_default(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'lang="id"' in text
    assert "informasi awal" in text
    assert "Langkah 1 dari 5" in text


def test_the_form_renders_in_english_when_chosen(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": URL})
    text = client.get(URL).content.decode()
    assert 'lang="en"' in text
    assert "File a report" in text and "Step 1 of 5" in text


def test_a_get_creates_no_draft(client, db):
    for url in (URLS["about"], URLS["accused"], URLS["incident"], URLS["evidence"]):
        assert client.get(url).status_code == 200
    assert ReportDraft.objects.count() == 0
    assert client.get(URLS["check"])["Location"] == URL


@pytest.mark.django_db
def test_a_report_filed_step_by_step_is_saved_with_terlapor_evidence_and_a_receipt(
    client, django_capture_on_commit_callbacks
):
    content = jpeg_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        fill_all(client, files=[photo(content=content)])
        check = client.get(URLS["check"])
        assert check.status_code == 200
        text = check.content.decode()
        assert "Siti Aminah" in text and "Budi Santoso" in text and "foto.jpg" in text
        response = send(client)
    assert response.status_code == 302
    report = Report.objects.get()
    assert response["Location"] == reverse("complaints:receipt", args=[report.tracking_code])
    assert report.kind == Report.Kind.LAPORAN and not report.late
    assert [a.name for a in report.accused.all()] == ["Budi Santoso"]
    assert list(report.categories.values_list("slug", flat=True)) == ["etik-foto-bersama"]
    assert ReportEvent.objects.filter(report=report, to_status="submitted").count() == 1
    items = list(report.evidence.order_by("position"))
    assert [i.kind for i in items] == ["photo", "link"]
    stored = items[0]
    assert stored.file.name == f"originals/{report.pk}/{stored.pk}"
    assert stored.original_name == "foto.jpg"
    assert stored.status == Evidence.Status.READY
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    # The draft and its staged file are gone once the report is filed.
    assert ReportDraft.objects.count() == 0 and StagedUpload.objects.count() == 0

    receipt = client.get(response["Location"])
    text = receipt.content.decode()
    assert report.tracking_code in text and "TANDA BUKTI PENYAMPAIAN LAPORAN" in text
    assert "Berfoto bersama calon" in text  # the category in Indonesian, never its English name
    pin = receipt.context["pin"]
    assert pin and len(pin) == 6 and pin.isdigit()
    again = client.get(response["Location"])
    assert again.context["pin"] is None and pin not in again.content.decode().split("tracking-code")[1]
    # A new report starts from an empty form.
    assert client.get(URL).context["form"].is_bound is False


def test_another_browser_cannot_open_the_receipt_or_its_pdf(client, db):
    response = file_report(client)
    assert Client().get(response["Location"]).status_code == 404
    assert Client().get(response["Location"] + "pdf/").status_code == 404


def test_an_anonymous_report_is_informasi_awal_and_keeps_no_identity(client, db):
    response = file_report(client, valid_form_data(anonymous="true", reporter_type=""))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.anonymous and report.kind == Report.Kind.INFORMASI_AWAL
    assert report.reporter_name == report.reporter_phone == report.reporter_nik == ""


def test_the_late_filing_warning_shows_on_the_dates_step_before_going_on(client, db):
    known = timezone.localdate() - dt.timedelta(days=30)
    data = valid_form_data(incident_date=known.isoformat(), known_date=known.isoformat())
    post_step(client, "about", data)
    post_step(client, "accused", data)
    response = post_step(client, "incident", data)
    # Valid, but the reporter reads the warning first, on this step.
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="late-warning"' in text and "informasi awal" in text
    seen = response.context["filing"]["deadline"].isoformat()
    assert post_step(client, "incident", data, _late_seen=seen).status_code == 302
    post_step(client, "evidence", data)
    receipt = client.get(send(client)["Location"])
    report = Report.objects.get()
    assert report.late and report.kind == Report.Kind.INFORMASI_AWAL
    assert "late-warning" in receipt.content.decode()


def test_an_identified_reporter_must_give_name_address_and_a_contact(client, db):
    response = post_step(
        client,
        "about",
        valid_form_data(reporter_name="", reporter_address="", reporter_phone="", reporter_email=""),
    )
    assert response.status_code == 400
    form_errors = response.context["form"].errors
    assert set(form_errors) >= {"reporter_name", "reporter_address", "reporter_phone"}
    text = response.content.decode()
    # The error summary: role=alert, focused, one link per field to the field.
    assert 'role="alert"' in text and 'id="error-summary"' in text and "autofocus" in text
    hrefs = [e["href"] for e in response.context["errors"]]
    assert {"#id_reporter_name", "#id_reporter_address", "#id_reporter_phone"} <= set(hrefs)
    assert 'aria-invalid="true"' in text
    # Required and optional are marked.
    assert "(wajib)" in text and "(opsional)" in text
    # Even a step with errors is saved: nothing typed is lost.
    draft = ReportDraft.objects.get()
    assert "about" in draft.data and "about" not in draft.done
    assert Report.objects.count() == 0


def test_each_step_saves_the_draft(client, db):
    data = valid_form_data()
    for number, step in enumerate(["about", "accused", "incident", "evidence"], start=1):
        assert post_step(client, step, data).status_code == 302
        draft = ReportDraft.objects.get()
        assert draft.done == ["about", "accused", "incident", "evidence"][:number]
    assert draft.data["about"]["reporter_name"] == ["Siti Aminah"]
    assert draft.data["accused"]["accused-0-name"] == ["Budi Santoso"]
    # Coming back to a step shows what was saved.
    page = client.get(URLS["incident"]).content.decode()
    assert "Kantor Kecamatan Kanigaran" in page


def test_invalid_input_keeps_what_was_typed_and_every_uploaded_file(client, db):
    """GIVEN the evidence step with two photos and a bad link
    WHEN it is sent
    THEN the step comes back with the link as typed and both photos kept (never uploaded again),
    AND the corrected step and the report go through with both photos."""
    first, second = jpeg_bytes(color=(1, 2, 3)), jpeg_bytes(color=(9, 9, 9))
    data = valid_form_data(**{"links-0-url": "not a link"})
    for step in ("about", "accused", "incident"):
        post_step(client, step, data)
    response = post_step(client, "evidence", data, files=[photo("a.jpg", first), photo("b.jpg", second)])
    assert response.status_code == 400
    text = response.content.decode()
    assert "not a link" in text and "a.jpg" in text and "b.jpg" in text
    staged = list(StagedUpload.objects.order_by("original_name"))
    assert [s.original_name for s in staged] == ["a.jpg", "b.jpg"]
    assert staged[0].file.read() == first and staged[0].draft_id is not None
    assert post_step(client, "evidence", valid_form_data()).status_code == 302
    assert StagedUpload.objects.count() == 2  # the corrected post carried no file: nothing twice
    assert send(client).status_code == 302
    files = list(Report.objects.get().evidence.exclude(kind="link").order_by("position"))
    assert [f.original_name for f in files] == ["a.jpg", "b.jpg"]
    assert files[0].file.read() == first
    assert StagedUpload.objects.count() == 0


def test_the_form_rejects_dates_in_the_future_and_out_of_order(client, db):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = post_step(client, "incident", valid_form_data(incident_date=tomorrow.isoformat()))
    assert "incident_date" in response.context["form"].errors
    today = timezone.localdate()
    response = post_step(
        client,
        "incident",
        valid_form_data(
            incident_date=today.isoformat(), known_date=(today - dt.timedelta(days=5)).isoformat()
        ),
    )
    assert "known_date" in response.context["form"].errors


def test_the_region_must_be_a_kab_kota_or_deeper(client, db):
    response = post_step(client, "incident", valid_form_data(incident_region="35"))
    assert response.context["form"].errors["incident_region"]
    assert "#id_incident_region_l1" in [e["href"] for e in response.context["errors"]]


def test_the_region_picker_without_javascript_loads_the_next_level(client, db):
    data = step_data("incident", valid_form_data(incident_region="", incident_region_l1="35"))
    data["_action"] = "refresh"
    response = client.post(URLS["incident"], data)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'value="35.74"' in text and "Kota Probolinggo" in text
    assert "Kantor Kecamatan Kanigaran" in text
    assert "invalid-feedback" not in text and "error-summary" not in text


def test_the_region_picker_fragment_lists_children(client, db):
    response = client.get(
        reverse("complaints:region_picker"),
        {"name": "incident_region", "incident_region_l1": "35", "incident_region_l2": "35.74"},
    )
    text = response.content.decode()
    assert "Kanigaran" in text and 'value="35.74" selected' in text


def test_add_and_remove_a_terlapor_with_submit_buttons(client, db):
    data = step_data("accused")
    data["_action"] = "add-accused"
    response = client.post(URLS["accused"], data)
    assert response.status_code == 200 and response.context["formset"].total_form_count() == 2
    assert "error-summary" not in response.content.decode()
    data.update({"accused-TOTAL_FORMS": "2", "accused-1-name": "Ahmad Fauzi", "_action": "remove-accused-0"})
    response = client.post(URLS["accused"], data)
    formset = response.context["formset"]
    assert formset.total_form_count() == 1
    assert formset.forms[0]["name"].value() == "Ahmad Fauzi"  # renumbered
    data = {k: v for k, v in data.items() if not k.startswith("accused-")}
    data.update({"accused-TOTAL_FORMS": "1", "accused-INITIAL_FORMS": "0", "accused-0-name": "Ahmad Fauzi"})
    data["_action"] = "continue"
    assert client.post(URLS["accused"], data).status_code == 302
    assert ReportDraft.objects.get().data["accused"]["accused-0-name"] == ["Ahmad Fauzi"]


def test_add_and_remove_a_link_and_a_kept_file(client, db, settings, django_capture_on_commit_callbacks):
    post_step(client, "about")
    data = step_data("evidence")
    data["_action"] = "add-link"
    response = client.post(URLS["evidence"], {**data, "files": [photo("a.jpg")]})
    assert response.status_code == 200 and response.context["links"].total_form_count() == 2
    staged = StagedUpload.objects.get()
    assert len(media_files(settings.MEDIA_ROOT)) == 1
    data.update(
        {"links-TOTAL_FORMS": "2", "links-1-url": "https://example.org/b", "_action": "remove-link-0"}
    )
    response = client.post(URLS["evidence"], data)
    links = response.context["links"]
    assert links.total_form_count() == 1 and links.forms[0]["url"].value() == "https://example.org/b"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URLS["evidence"], {**data, "_action": f"remove-file-{staged.pk}"})
    assert response.status_code == 200
    assert StagedUpload.objects.count() == 0 and media_files(settings.MEDIA_ROOT) == []


def test_a_browser_cannot_remove_another_drafts_file(client, db):
    post_step(client, "about")
    client.post(URLS["evidence"], {**step_data("evidence"), "_action": "upload", "files": [photo("a.jpg")]})
    staged = StagedUpload.objects.get()
    other = Client()
    post_step(other, "about")
    other.post(URLS["evidence"], {**step_data("evidence"), "_action": f"remove-file-{staged.pk}"})
    assert StagedUpload.objects.filter(pk=staged.pk).exists()


def test_the_check_page_links_each_answer_to_its_step_and_comes_back(client, db):
    fill_all(client)
    text = client.get(URLS["check"]).content.decode()
    for step in ("about", "accused", "incident", "evidence"):
        assert f'href="{URLS[step]}?kembali=periksa' in text
    response = post_step(client, "about", valid_form_data(reporter_name="Siti A."))
    assert response.status_code == 302 and response["Location"] == URLS["accused"]
    response = client.post(
        URLS["about"] + "?kembali=periksa", {**step_data("about"), "reporter_name": "Siti Aminah Z."}
    )
    assert response["Location"] == URLS["check"]
    assert "Siti Aminah Z." in client.get(URLS["check"]).content.decode()


def test_sending_with_a_step_missing_points_to_the_step(client, db):
    post_step(client, "about")
    post_step(client, "accused")
    response = send(client)
    assert response.status_code == 400
    hrefs = [e["href"] for e in response.context["errors"]]
    assert URLS["incident"] in hrefs and URLS["evidence"] in hrefs
    assert Report.objects.count() == 0


def test_nothing_is_written_to_storage_when_the_transaction_fails(client, db, settings, monkeypatch):
    from complaints.services import intake

    fill_all(client, files=[photo()])

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(intake.evidence_services, "evidence_attach_link", boom)
    with pytest.raises(RuntimeError):
        send(client)
    assert Report.objects.count() == 0
    # The draft and its kept file are still there, so the reporter can send again.
    assert ReportDraft.objects.count() == 1 and StagedUpload.objects.count() == 1
    assert [p.parent.name for p in media_files(settings.MEDIA_ROOT)] == ["staging"]
