import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from complaints.models import Report, ReportEvent
from evidence.models import Evidence, StagedUpload
from tests.conftest import media_files
from tests.factories import jpeg_bytes, valid_form_data

URL = reverse("complaints:report_create")


def photo(name="foto.jpg", content=None):
    return SimpleUploadedFile(name, content or jpeg_bytes(), content_type="image/jpeg")


def with_files(data, *files):
    data = dict(data)
    data["evidence-TOTAL_FORMS"] = str(len(files))
    for i, f in enumerate(files):
        data[f"evidence-{i}-file"] = f
        data[f"evidence-{i}-caption"] = f"Bukti {i + 1}"
    return data


def test_the_form_renders_in_indonesian_by_default(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'lang="id"' in text
    assert "informasi awal" in text
    assert 'name="incident_region_l1"' in text


def test_the_form_renders_in_english_when_chosen(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": URL})
    text = client.get(URL).content.decode()
    assert 'lang="en"' in text
    assert "File a report" in text


@pytest.mark.django_db
def test_a_valid_report_is_saved_with_terlapor_evidence_and_a_receipt(
    client, settings, django_capture_on_commit_callbacks
):
    content = jpeg_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, with_files(valid_form_data(), photo(content=content)))
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
    # Stored privately under ids, the client's name kept only as data; processed in-process after commit.
    assert stored.file.name == f"originals/{report.pk}/{stored.pk}"
    assert stored.original_name == "foto.jpg"
    assert stored.status == Evidence.Status.READY
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert items[1].url == "https://www.facebook.com/camat.kanigaran/posts/123456789"

    receipt = client.get(response["Location"])
    text = receipt.content.decode()
    assert report.tracking_code in text and "TANDA BUKTI PENYAMPAIAN LAPORAN" in text
    pin = receipt.context["pin"]
    assert pin and len(pin) == 6 and pin.isdigit()
    # The PIN is shown once only.
    again = client.get(response["Location"])
    assert again.context["pin"] is None and pin not in again.content.decode().split("tracking-code")[1]


def test_another_browser_cannot_open_the_receipt(client, db):
    response = client.post(URL, valid_form_data())
    from django.test import Client

    assert Client().get(response["Location"]).status_code == 404


def test_an_anonymous_report_is_informasi_awal_and_keeps_no_identity(client, db):
    response = client.post(URL, valid_form_data(anonymous="true", reporter_type=""))
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.anonymous and report.kind == Report.Kind.INFORMASI_AWAL
    assert report.reporter_name == report.reporter_phone == report.reporter_nik == ""


def test_a_late_report_is_accepted_with_a_plain_warning(client, db):
    known = timezone.localdate() - dt.timedelta(days=30)
    response = client.post(
        URL, valid_form_data(incident_date=known.isoformat(), known_date=known.isoformat()), follow=True
    )
    report = Report.objects.get()
    assert report.late and report.kind == Report.Kind.INFORMASI_AWAL
    assert "late-warning" in response.content.decode()


def test_an_identified_reporter_must_give_name_address_and_a_contact(client, db):
    response = client.post(
        URL, valid_form_data(reporter_name="", reporter_address="", reporter_phone="", reporter_email="")
    )
    assert response.status_code == 400
    errors = response.context["errors"]
    assert set(errors) >= {"reporter_name", "reporter_address", "reporter_phone"}
    assert Report.objects.count() == 0


def test_invalid_input_keeps_what_was_typed_and_every_uploaded_file(client, db, settings):
    """GIVEN a report with two photos and a bad NIK
    WHEN it is sent
    THEN nothing is filed, the form comes back with the typed values and both photos kept as staged files,
    AND sending the corrected form files the report with both photos without uploading them again."""
    first, second = jpeg_bytes(color=(1, 2, 3)), jpeg_bytes(color=(9, 9, 9))
    data = with_files(valid_form_data(reporter_nik="1234"), photo("a.jpg", first), photo("b.jpg", second))
    response = client.post(URL, data)
    assert response.status_code == 400
    assert Report.objects.count() == 0
    text = response.content.decode()
    assert "Siti Aminah" in text and "Camat berfoto bersama" in text
    assert "a.jpg" in text and "b.jpg" in text
    staged = list(StagedUpload.objects.order_by("original_name"))
    assert [s.original_name for s in staged] == ["a.jpg", "b.jpg"]
    assert staged[0].file.read() == first

    again = valid_form_data(
        **{
            "evidence-TOTAL_FORMS": "2",
            "evidence-0-staged": str(staged[0].pk),
            "evidence-1-staged": str(staged[1].pk),
            "evidence-0-caption": "Bukti 1",
        }
    )
    assert client.post(URL, again).status_code == 302
    report = Report.objects.get()
    files = list(report.evidence.exclude(kind="link").order_by("position"))
    assert [f.original_name for f in files] == ["a.jpg", "b.jpg"]
    assert files[0].file.read() == first and files[0].caption == "Bukti 1"
    assert StagedUpload.objects.count() == 0


def test_the_form_rejects_dates_in_the_future_and_out_of_order(client, db):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(URL, valid_form_data(incident_date=tomorrow.isoformat()))
    assert "incident_date" in response.context["errors"]
    today = timezone.localdate()
    response = client.post(
        URL,
        valid_form_data(
            incident_date=today.isoformat(), known_date=(today - dt.timedelta(days=5)).isoformat()
        ),
    )
    assert "known_date" in response.context["errors"]


def test_the_region_must_be_a_kab_kota_or_deeper(client, db):
    response = client.post(URL, valid_form_data(incident_region="35"))
    assert response.context["errors"]["incident_region"]


def test_the_region_picker_without_javascript_loads_the_next_level(client, db):
    """The no-JavaScript path: choosing a province and pressing 'load the next level' re-shows the form with
    the kab/kota list, without error messages and without losing anything typed."""
    data = valid_form_data(_action="refresh", incident_region="", incident_region_l1="35")
    response = client.post(URL, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'value="35.74"' in text and "Kota Probolinggo" in text
    assert "Siti Aminah" in text
    assert "invalid-feedback" not in text


def test_the_region_picker_fragment_lists_children(client, db):
    response = client.get(
        reverse("complaints:region_picker"),
        {"name": "incident_region", "incident_region_l1": "35", "incident_region_l2": "35.74"},
    )
    text = response.content.decode()
    assert "Kanigaran" in text and 'value="35.74" selected' in text


def test_add_another_slot_keeps_files(client, db):
    data = with_files(valid_form_data(_action="refresh", _more="evidence"), photo("a.jpg"))
    response = client.post(URL, data)
    assert response.status_code == 200
    assert response.context["sub"].evidence.total_form_count() == 2
    assert StagedUpload.objects.count() == 1


def test_htmx_submission_redirects_with_a_header(client, db):
    response = client.post(URL, valid_form_data(), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/lapor/terima/")


def test_invalid_htmx_submission_answers_200_so_htmx_swaps_it(client, db):
    response = client.post(URL, valid_form_data(reporter_nik="1"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.context["errors"]["reporter_nik"]


def test_nothing_is_written_to_storage_when_the_transaction_fails(client, db, settings, monkeypatch):
    from complaints.services import intake

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(intake.evidence_services, "evidence_attach_link", boom)
    with pytest.raises(RuntimeError):
        client.post(URL, with_files(valid_form_data(), photo()))
    assert Report.objects.count() == 0
    assert media_files(settings.MEDIA_ROOT) == []
