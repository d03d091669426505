import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints.models import Report
from complaints.report_steps import step_of_field
from evidence.models import Evidence
from tests.complaints.report_flow import post_step
from tests.factories import jpeg_bytes, valid_api_data, valid_form_data

API = reverse("api:report_create")
TRACK = reverse("api:report_track")


def test_elections_list(client, db):
    items = client.get(reverse("api:elections")).json()
    assert {i["slug"] for i in items} >= {"pemilu-2024", "pilkada-2024"}
    assert all(i["name"] for i in items)


def test_categories_list(client, db):
    items = client.get(reverse("api:categories")).json()
    slugs = {i["slug"] for i in items}
    assert {"etik-foto-bersama", "disiplin-anggota-partai", "lainnya"} <= slugs
    assert all(i["legal_basis"] for i in items)


def test_regions_list_children_and_search(client, db):
    url = reverse("api:regions")
    provinces = client.get(url).json()
    assert (
        len(provinces) == 38
        and {"code": "35", "name": "Jawa Timur"}.items()
        <= provinces[[p["code"] for p in provinces].index("35")].items()
    )
    kecamatan = client.get(url, {"parent": "35.74"}).json()
    assert "Kanigaran" in [k["name"] for k in kecamatan]
    found = client.get(url, {"q": "probolinggo"}).json()
    assert {"35.13", "35.74"} <= {r["code"] for r in found}
    assert client.get(url, {"parent": "35;drop"}).status_code == 400


def test_schema_and_docs_are_served_with_local_assets(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/reports/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert (
        "swagger-ui" in docs
        and "//cdn" not in docs
        and "http" not in docs.split("<body")[0].replace("http-equiv", "")
    )


def test_it_files_a_report_with_files_and_links(client, db):
    content = jpeg_bytes()
    data = valid_api_data(files=[SimpleUploadedFile("IMG_0001.JPG", content, "image/jpeg")])
    response = client.post(API, data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["tracking_code"].startswith("PSK-") and len(body["pin"]) == 6
    assert body["status"] == "submitted" and body["late"] is False
    report = Report.objects.get(tracking_code=body["tracking_code"])
    assert report.categories.count() == 2
    kinds = sorted(report.evidence.values_list("kind", flat=True))
    assert kinds == ["link", "photo"]
    # Tasks run after commit; in this test's transaction they never do, so items wait as pending.
    assert set(report.evidence.values_list("status", flat=True)) == {"pending"}


def test_it_answers_400_with_errors_keyed_by_api_field(client, db):
    data = valid_api_data(
        reporter_nik="123",
        accused_nip="1",
        incident_region="99.99",
        links=["not a url"],
        categories=["no-such-category"],
    )
    response = client.post(API, data)
    assert response.status_code == 400
    errors = response.json()
    assert {"reporter_nik", "accused_nip", "incident_region", "links", "categories"} <= set(errors)
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "form_value", "api_value"),
    [
        ("reporter_nik", {"reporter_nik": "3574019907900003"}, {"reporter_nik": "3574019907900003"}),
        (
            "accused_nip",
            {"accused-0-nip": "198001012005019002", "accused-0-asn_type": "pns"},
            {"accused_nip": "198001012005019002", "accused_asn_type": "pns"},
        ),
        ("incident_region", {"incident_region": "35"}, {"incident_region": "35"}),
        ("reporter_phone", {"reporter_phone": "call me maybe"}, {"reporter_phone": "call me maybe"}),
    ],
)
def test_form_and_api_reject_the_same_input_with_the_same_message(client, db, field, form_value, api_value):
    # The form asks each field on its own step; the step's message must be the API's.
    form_key = {"accused_nip": "accused-0-nip"}.get(field, field)
    step = step_of_field(form_key)
    form_response = post_step(client, step, valid_form_data(**form_value))
    context = form_response.context
    if step == "accused":
        form_errors = {
            f"accused-{i}-{k}": v for i, f in enumerate(context["formset"].forms) for k, v in f.errors.items()
        }
    else:
        form_errors = context["form"].errors
    api_errors = client.post(API, valid_api_data(**api_value)).json()
    assert form_errors[form_key] == api_errors[field]
    assert Report.objects.count() == 0


def test_api_messages_follow_accept_language(client, db):
    indonesian = client.post(API, valid_api_data(reporter_nik="1"), HTTP_ACCEPT_LANGUAGE="id").json()
    english = client.post(API, valid_api_data(reporter_nik="1"), HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["reporter_nik"] == ["A NIK has exactly 16 digits."]
    assert indonesian["reporter_nik"] != english["reporter_nik"]


def test_several_terlapor_through_repeated_fields(client, db):
    data = valid_api_data(
        accused_name=["Budi Santoso", "Rina Wati"],
        accused_position=["Camat", "Lurah"],
        accused_nip=["", ""],
        accused_asn_type=["pns", "unknown"],
        accused_agency=["", ""],
        accused_region=["35.74", ""],
    )
    response = client.post(API, data)
    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert list(report.accused.values_list("name", "position")) == [
        ("Budi Santoso", "Camat"),
        ("Rina Wati", "Lurah"),
    ]


def test_track_through_the_api(client, db):
    created = client.post(API, valid_api_data()).json()
    response = client.post(
        TRACK,
        {"tracking_code": created["tracking_code"].lower().replace("-", " "), "pin": created["pin"]},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "submitted" and body["status_label"] and body["status_meaning"]
    assert body["status_changed_at"]
    assert [(e["kind"], e["status"]) for e in body["evidence"]] == [("link", "pending")]
    # The reporter never sees metadata, hashes or their own identity back.
    assert "sha256" not in response.content.decode() and "Siti" not in response.content.decode()


def test_track_answers_one_generic_message_for_a_wrong_code_or_pin(client, db):
    created = client.post(API, valid_api_data()).json()
    wrong_pin = client.post(
        TRACK,
        {
            "tracking_code": created["tracking_code"],
            "pin": "000000" if created["pin"] != "000000" else "111111",
        },
        content_type="application/json",
    )
    wrong_code = client.post(
        TRACK, {"tracking_code": "PSK-0000-0000-0000", "pin": created["pin"]}, content_type="application/json"
    )
    assert wrong_pin.status_code == wrong_code.status_code == 404
    assert wrong_pin.json() == wrong_code.json()


def test_track_is_throttled_after_repeated_failures(client, db, settings):
    settings.POSKO_TRACK_MAX_FAILURES = 3
    created = client.post(API, valid_api_data()).json()
    for _ in range(3):
        assert (
            client.post(
                TRACK, {"tracking_code": "PSK-0000-0000-0000", "pin": "1"}, content_type="application/json"
            ).status_code
            == 404
        )
    # Now even the right PIN is refused until the window passes.
    response = client.post(
        TRACK,
        {"tracking_code": created["tracking_code"], "pin": created["pin"]},
        content_type="application/json",
    )
    assert response.status_code == 429
    # Another client address is not affected.
    other = client.post(
        TRACK,
        {"tracking_code": created["tracking_code"], "pin": created["pin"]},
        content_type="application/json",
        REMOTE_ADDR="10.9.8.7",
    )
    assert other.status_code == 200


def test_evidence_rows_match_the_files_sent(client, db):
    photos = [jpeg_bytes(color=(i, i, i)) for i in (10, 20)]
    files = [SimpleUploadedFile(f"p{i}.jpg", c, "image/jpeg") for i, c in enumerate(photos)]
    response = client.post(API, valid_api_data(files=files, file_captions=["satu", "dua"], links=[]))
    assert response.status_code == 201
    items = list(Evidence.objects.order_by("position"))
    assert [i.caption for i in items] == ["satu", "dua"]
    assert [hashlib.sha256(i.file.read()).hexdigest() for i in items] == [
        hashlib.sha256(c).hexdigest() for c in photos
    ]
