"""Every export door, for the officer allowed, a volunteer of the same province, an officer of another
province and someone not signed in: the staff pages, the downloads, the API. The well-known keys are public.
An identity-bearing export needs complaints.reveal_reporter and is logged as a reveal; refused, it changes
nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from complaints.models import ReportEvent
from evidence.models import CustodyEvent
from exports import services
from exports.models import Export

REASON = "Diteruskan ke BKN sebagai lampiran rekomendasi"


def signed_in(client, user):
    client.force_login(user)
    return client


def api(client, user, method, url, data=None):
    _row, token = AuthToken.objects.create(user=user)
    return getattr(client, method)(
        url, data or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )


def finished(export: Export, content: bytes = b"PK\x05\x06" + b"\x00" * 18) -> Export:
    """Store a file for the export and mark it done, as a build would (the build itself is tested elsewhere)."""
    export.file.save(export.filename, ContentFile(content), save=False)
    Export.objects.filter(pk=export.pk).update(
        status="done",
        file=export.file.name,
        size=len(content),
        sha256="0" * 64,
        expires_at=timezone.now() + timezone.timedelta(hours=1),
    )
    export.refresh_from_db()
    return export


@pytest.fixture
def case_export(people, case):
    return finished(
        services.export_request_case(user=people["officer"], report=case, kind="bundle", reason=REASON)
    )


@pytest.fixture
def recap_export(people, case):
    return finished(
        services.export_request_recap(
            user=people["officer"], kind="csv", filters={"status": "open"}, reason=REASON
        ),
        b"\xef\xbb\xbfa,b\r\n",
    )


# --- Asking for an export ---


def test_case_export_form_page(client, people, case):
    url = reverse("exports:case_create", args=[case.pk])
    assert signed_in(client, people["officer"]).get(url).status_code == 200
    assert signed_in(client, people["volunteer"]).get(url).status_code == 403
    assert signed_in(client, people["outsider"]).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_asking_for_a_case_export(client, people, case):
    url = reverse("exports:case_create", args=[case.pk])
    data = {"kind": "bundle", "reason": REASON}
    for who, status in (("volunteer", 403), ("outsider", 404)):
        assert signed_in(client, people[who]).post(url, data).status_code == status
    client.logout()
    assert client.post(url, data).status_code == 302
    assert not Export.objects.exists()
    response = signed_in(client, people["officer"]).post(url, data)
    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exports:detail", args=[export.pk])
    assert (export.kind, export.report, export.requested_by, export.reason) == (
        "bundle",
        case,
        people["officer"],
        REASON,
    )
    assert not export.include_identity


def test_a_case_export_without_a_reason_is_refused_with_what_was_typed(client, people, case):
    url = reverse("exports:case_create", args=[case.pk])
    response = signed_in(client, people["officer"]).post(url, {"kind": "pdf", "reason": "BKN"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "BKN" in page and "10" in page  # the reason typed is kept, the minimum length is said
    assert not Export.objects.exists()


def test_the_case_page_shows_the_export_panel_to_those_who_may_export(client, people, case):
    url = reverse("staff:case", args=[case.pk])
    page = signed_in(client, people["officer"]).get(url).content.decode()
    assert 'id="case-export-form"' in page and 'id="export-identity"' in page
    page = signed_in(client, people["volunteer"]).get(url).content.decode()
    assert 'id="case-export-form"' not in page


def test_the_queue_offers_a_recap_of_its_filters(client, people, case):
    page = (
        signed_in(client, people["officer"])
        .get(reverse("staff:home") + "?status=open&q=foto")
        .content.decode()
    )
    assert 'id="recap-export-form"' in page
    assert 'name="status" value="open"' in page and 'name="q" value="foto"' in page
    page = signed_in(client, people["volunteer"]).get(reverse("staff:home")).content.decode()
    assert 'id="recap-export-form"' not in page


def test_asking_for_a_recap(client, people, case):
    url = reverse("exports:recap_create")
    data = {"kind": "csv", "reason": REASON, "status": "open", "q": "foto"}
    assert signed_in(client, people["volunteer"]).post(url, data).status_code == 403
    client.logout()
    assert client.post(url, data).status_code == 302
    assert not Export.objects.exists()
    response = signed_in(client, people["officer"]).post(url, {**data, "reason": "x"})
    assert response.status_code == 400 and not Export.objects.exists()
    assert 'name="q" value="foto"' in response.content.decode()
    response = signed_in(client, people["officer"]).post(url, data)
    export = Export.objects.get()
    assert response.status_code == 302
    assert export.filters == {"status": "open", "q": "foto"} and export.scope == ["35.74"]


# --- The reporter's identity ---


def test_an_identity_bearing_export_is_refused_without_the_permission_and_changes_nothing(
    client, people, case
):
    officer = people["officer"]
    officer.groups.first().permissions.remove(Permission.objects.get(codename="reveal_reporter"))
    officer = type(officer).objects.get(pk=officer.pk)  # fresh permission cache
    url = reverse("exports:case_create", args=[case.pk])
    events = ReportEvent.objects.filter(report=case).count()
    response = signed_in(client, officer).post(
        url, {"kind": "bundle", "reason": REASON, "include_identity": "on"}
    )
    assert response.status_code == 403
    body = api(
        client,
        officer,
        "post",
        reverse("exports_api:case_create", args=[case.pk]),
        {"kind": "bundle", "reason": REASON, "include_identity": True},
    )
    assert body.status_code == 403
    assert "identity" in body.json()["detail"] or "identitas" in body.json()["detail"]
    assert not Export.objects.exists()
    assert ReportEvent.objects.filter(report=case).count() == events
    # Without asking for the identity, the same officer may export.
    assert signed_in(client, officer).post(url, {"kind": "bundle", "reason": REASON}).status_code == 302


def test_an_identity_bearing_export_is_logged_as_a_reveal(client, people, case):
    url = reverse("exports:case_create", args=[case.pk])
    response = signed_in(client, people["officer"]).post(
        url, {"kind": "pdf", "reason": REASON, "include_identity": "on"}
    )
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.include_identity
    reveal = ReportEvent.objects.get(report=case, kind=ReportEvent.Kind.REVEAL)
    assert (reveal.actor, reveal.note, reveal.data["export"]) == (people["officer"], REASON, str(export.pk))


def test_identity_needs_an_explicit_choice(client, people, case):
    signed_in(client, people["officer"]).post(
        reverse("exports:case_create", args=[case.pk]), {"kind": "bundle", "reason": REASON}
    )
    assert not Export.objects.get().include_identity
    assert not ReportEvent.objects.filter(report=case, kind=ReportEvent.Kind.REVEAL).exists()


# --- Following and downloading ---


def test_export_page(client, people, case_export):
    url = reverse("exports:detail", args=[case_export.pk])
    assert signed_in(client, people["officer"]).get(url).status_code == 200
    assert signed_in(client, people["coordinator"]).get(url).status_code == 200  # coordinator of the province
    assert signed_in(client, people["volunteer"]).get(url).status_code == 404
    assert signed_in(client, people["outsider"]).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_download_is_an_attachment_for_those_who_may_and_is_on_the_timeline(client, people, case_export):
    url = reverse("exports:download", args=[case_export.pk])
    for who in ("volunteer", "outsider"):
        assert signed_in(client, people[who]).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    assert not ReportEvent.objects.filter(kind="export").exists()
    response = signed_in(client, people["officer"]).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert case_export.filename in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == case_export.file.open("rb").read()
    event = ReportEvent.objects.get(kind="export")
    assert event.actor == people["officer"] and event.data["action"] == "download"
    assert not CustodyEvent.objects.exists()  # custody events are written when a bundle is built


def test_a_case_moved_out_of_the_jurisdiction_takes_its_exports_with_it(client, people, case, case_export):
    from complaints.models import Region

    case.incident_region = Region.objects.get(code="31.71")
    case.province_code, case.regency_code = "31", "31.71"
    case.save()
    assert (
        signed_in(client, people["officer"])
        .get(reverse("exports:download", args=[case_export.pk]))
        .status_code
        == 404
    )


def test_an_expired_export_is_not_handed_out(client, people, case_export):
    Export.objects.filter(pk=case_export.pk).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    assert (
        signed_in(client, people["officer"])
        .get(reverse("exports:download", args=[case_export.pk]))
        .status_code
        == 404
    )


def test_recap_pages_and_download(client, people, recap_export):
    for name in ("exports:detail", "exports:download"):
        url = reverse(name, args=[recap_export.pk])
        assert signed_in(client, people["officer"]).get(url).status_code == 200
        assert signed_in(client, people["coordinator"]).get(url).status_code == 200  # 35 covers 35.74
        assert signed_in(client, people["volunteer"]).get(url).status_code == 404
        assert signed_in(client, people["outsider"]).get(url).status_code == 404
        client.logout()
        assert client.get(url).status_code == 302


def test_an_officer_does_not_see_a_colleagues_exports(client, people, case_export):
    colleague = type(people["officer"]).objects.get(pk=people["officer"].pk)
    from tests.factories import staff

    other = staff("petugas2", "staf", ["35.74"])
    assert colleague.pk != other.pk
    assert signed_in(client, other).get(reverse("exports:detail", args=[case_export.pk])).status_code == 404


# --- The API ---


def test_api_case_export(client, people, case):
    url = reverse("exports_api:case_create", args=[case.pk])
    data = {"kind": "bundle", "reason": REASON}
    assert api(client, people["volunteer"], "post", url, data).status_code == 403
    assert api(client, people["outsider"], "post", url, data).status_code == 404
    assert client.post(url, data, content_type="application/json").status_code in (401, 403)
    assert not Export.objects.exists()
    response = api(client, people["officer"], "post", url, data)
    assert response.status_code == 202
    body = response.json()
    export = Export.objects.get()
    assert body["id"] == str(export.pk) and body["url"].endswith(
        reverse("exports_api:detail", args=[export.pk])
    )


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"kind": "zip", "reason": REASON}, "bundel"),
        ({"kind": "bundle"}, "10"),
        ({"kind": "bundle", "reason": REASON, "include_identity": "maybe"}, "include_identity"),
    ],
)
def test_api_case_export_bad_input_is_a_clear_400(client, people, case, data, words):
    response = api(
        client, people["officer"], "post", reverse("exports_api:case_create", args=[case.pk]), data
    )
    assert response.status_code == 400 and words in response.json()["detail"]
    assert not Export.objects.exists()


def test_api_recap_export(client, people, case):
    url = reverse("exports_api:recap_create")
    data = {"kind": "xlsx", "reason": REASON, "filters": {"status": "open", "late": False, "q": "foto"}}
    assert api(client, people["volunteer"], "post", url, data).status_code == 403
    assert client.post(url, data, content_type="application/json").status_code in (401, 403)
    response = api(client, people["officer"], "post", url, data)
    assert response.status_code == 202
    assert Export.objects.get().filters == {"status": "open", "late": False, "q": "foto"}


@pytest.mark.parametrize(
    ("filters", "words"),
    [
        ({"colour": "red"}, "colour"),
        ({"status": "nonsense"}, "status"),
        ({"late": "sometimes"}, "late"),
        ({"region": "Jawa"}, "region"),
        ({"election": "pemilu-1955"}, "election"),
        (["status"], "objek"),
    ],
)
def test_api_recap_bad_filters_are_a_clear_400(client, people, filters, words):
    response = api(
        client,
        people["officer"],
        "post",
        reverse("exports_api:recap_create"),
        {"kind": "csv", "reason": REASON, "filters": filters},
    )
    assert response.status_code == 400 and words in response.json()["detail"]
    assert not Export.objects.exists()


def test_api_export_status_and_download(client, people, case_export):
    url = reverse("exports_api:detail", args=[case_export.pk])
    body = api(client, people["officer"], "get", url).json()
    assert (
        body["status"] == "done" and body["sha256"] == case_export.sha256 and body["size"] == case_export.size
    )
    assert body["expires_at"] and body["progress"]["percent"] == 100
    for who in ("volunteer", "outsider"):
        assert api(client, people[who], "get", url).status_code == 404
    assert client.get(url).status_code in (401, 403)
    file_url = body["download_url"]
    assert file_url.endswith(reverse("exports_api:file", args=[case_export.pk]))
    response = api(client, people["officer"], "get", file_url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    for who in ("volunteer", "outsider"):
        assert api(client, people[who], "get", file_url).status_code == 404
    assert client.get(file_url).status_code in (401, 403)


def test_api_pending_export_has_no_download_yet(client, people, case):
    export = services.export_request_case(user=people["officer"], report=case, kind="pdf", reason=REASON)
    body = api(client, people["officer"], "get", reverse("exports_api:detail", args=[export.pk])).json()
    assert body["status"] == "pending"
    assert body["download_url"] is None and body["sha256"] is None and body["expires_at"] is None


def test_the_api_schema_lists_the_export_endpoints(client):
    schema = client.get(reverse("schema")).content.decode()
    for path in ("/api/v1/cases/{id}/exports/", "/api/v1/exports/", "/api/v1/exports/{id}/"):
        assert path in schema


def test_a_head_on_an_export_hands_nothing_out_and_records_nothing(client, people, case, settings, store):
    """HEAD is answered wherever GET is, but on a download it carries the file's headers only: never a
    presigned URL to fetch the file with, and no download on the case's timeline."""
    settings.POSKO_EVIDENCE_DOWNLOADS = "presigned"
    export = finished(
        services.export_request_case(user=people["officer"], report=case, kind="bundle", reason=REASON)
    )
    page_url = reverse("exports:download", args=[export.pk])
    api_url = reverse("exports_api:file", args=[export.pk])
    before = ReportEvent.objects.filter(report=case).count()
    signed_in(client, people["officer"])
    for head in (client.head(page_url), api(client, people["officer"], "head", api_url)):
        assert head.status_code == 200 and "Location" not in head
        assert head["Content-Disposition"].startswith("attachment")
    assert ReportEvent.objects.filter(report=case).count() == before
    got = signed_in(client, people["officer"]).get(page_url)
    if store.name == "s3":  # the object store hands the file over
        assert got.status_code == 302 and got["Location"].startswith(store.endpoint)
    else:
        assert got.status_code == 200
    assert ReportEvent.objects.filter(report=case).count() == before + 1
