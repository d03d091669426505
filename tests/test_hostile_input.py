"""Hostile input (issue 9 item 7): what an attacker types reaches every place a report is shown as inert text,
and nothing anyone sends makes the server answer 500.

- script and HTML in every text field of a report, filed through the public API (which feeds the very form
  the web page uses): escaped on the staff case page and the tracking page, printed as text in the case-file
  PDF (Typst markup never runs), neutralised at the start of CSV/XLSX recap cells;
- NUL characters and lone surrogates in form fields, addresses and API JSON: a 400 that says so;
- over-long values: a 400 naming the limit;
- path-traversal file names: stored under a name built from ids, the original kept only as text;
- look-alike (IDN homograph) hosts and javascript:/data: URLs as evidence links: refused with a message;
- `next=` pointing elsewhere on the sign-in and the bulk pages: no open redirect."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casefiles.services import casefile_render
from complaints.models import Report
from complaints.services import workflow
from evidence.models import Evidence
from exports import recaps, services
from exports.models import Export
from tests.casefiles.conftest import office, people  # noqa: F401 - fixtures
from tests.casefiles.helpers import pdf_text, squeeze
from tests.complaints.report_flow import URLS, fill_all
from tests.factories import ReportFactory, jpeg_bytes, staff, valid_api_data, valid_form_data

API = reverse("api:report_create")
TRACK_API = reverse("api:report_track")
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TYPST = "#set page(width: 5cm) ] $x$ #pagebreak()"
FORMULA = '=HYPERLINK("http://evil.example/","klik")'


def _hostile_report(client) -> tuple[Report, str]:
    """A report whose every text field carries a script, Typst markup and a formula; returns it and its PIN."""
    data = valid_api_data(
        reporter_name=f"{FORMULA} {SCRIPT}"[:120],
        reporter_address=f"{SCRIPT} {TYPST}",
        incident_place=f"{FORMULA} {SCRIPT}",
        chronology=f"{FORMULA} {SCRIPT} {TYPST} — camat berfoto bersama calon.",
        witnesses=f"{SCRIPT} {TYPST}",
        accused_name=[f"{FORMULA}"],
        accused_position=[f"+{SCRIPT}"[:160]],
        accused_agency=[f"@{TYPST}"],
        links=["https://example.org/post/1"],
        link_captions=[SCRIPT],
    )
    response = client.post(API, data)
    assert response.status_code == 201, response.content
    body = response.json()
    return Report.objects.get(tracking_code=body["tracking_code"]), body["pin"]


def test_script_in_every_field_is_escaped_on_the_staff_case_page_and_the_tracking_page(client, db):
    report, pin = _hostile_report(client)
    officer = staff("officer", "staf", ["35"])
    workflow.message_send(report=report, user=officer, body=SCRIPT)  # staff text shown to the reporter
    client.force_login(officer)
    page = client.get(reverse("staff:case", args=[report.pk])).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page  # shown, as text
    client.logout()
    tracked = client.post(reverse("complaints:track"), {"tracking_code": report.tracking_code, "pin": pin})
    assert tracked.status_code == 200
    text = tracked.content.decode()
    assert "<script>alert" not in text and "&lt;script&gt;" in text


def test_the_case_file_pdf_prints_markup_as_text(client, people, office):  # noqa: F811
    report, _pin = _hostile_report(client)
    workflow.case_transition(report=report, user=people["relawan"], to_status=Report.Status.TRIAGE)
    workflow.case_transition(report=report, user=people["relawan"], to_status=Report.Status.INVESTIGATION)
    pdf = casefile_render(report=report, include_identity=True, language="id")
    flat = squeeze(pdf_text(pdf))
    assert squeeze(TYPST) in flat and squeeze(SCRIPT) in flat


def test_recap_cells_never_start_a_formula(client, people, office):  # noqa: F811
    _hostile_report(client)
    export = services.export_request_recap(
        user=people["staf"], kind="csv", filters={}, reason="Rekap untuk pemeriksaan keamanan"
    )
    services.export_build(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE, export.error
    with export.file.open("rb") as fh:
        rows = list(csv.reader(io.StringIO(fh.read().decode("utf-8-sig"))))
    row = dict(zip(recaps.KEYS, rows[1], strict=True))
    assert row["terlapor_name"] == "'" + FORMULA
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


# --- NUL characters, lone surrogates, over-long values -----------------------------------------------------------


@pytest.mark.parametrize(
    "method,url,data",
    [
        ("get", "api:regions", {"q": "a\x00b"}),
        ("get", "api:regions", {"parent": "\x00"}),
        ("get", "complaints:region_picker", {"q": "\x00"}),
        ("get", "complaints:report_resume", {"kode": "\x00"}),
        ("post", "complaints:track", {"tracking_code": "PSK-\x00", "pin": "1\x002345"}),
    ],
)
def test_a_nul_in_an_address_or_a_form_post_is_a_400(client, db, method, url, data):
    response = getattr(client, method)(reverse(url), data)
    assert response.status_code == 400


def test_a_nul_in_a_path_is_a_400(client, db):
    assert client.get("/lapor/terima/PSK-%00/").status_code == 400


@pytest.mark.parametrize(
    "body,message",
    [
        ('{"tracking_code": "\\u0000abc", "pin": "123456"}', "NUL"),
        ('{"tracking_code": "\\ud800abc", "pin": "123456"}', "Unicode"),
        ('{"tracking_code": "PSK", "pin": {"x": "\\udfff"}}', "Unicode"),
        ('"just a string"', "JSON object"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_api_json_with_nul_surrogates_or_no_object_is_a_clear_400(client, db, body, message):
    response = client.post(TRACK_API, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_staff_api_json_with_a_nul_is_a_400_not_a_500(client, db):
    from knox.models import AuthToken

    officer = staff("officer", "staf", ["35"])
    report = ReportFactory()
    _row, key = AuthToken.objects.create(user=officer)
    for path in (
        f"/api/v1/cases/{report.pk}/transition/",
        f"/api/v1/cases/{report.pk}/notes/",
        "/api/v1/exports/",
    ):
        response = client.post(
            path,
            '{"to_status": "triage", "expected_status": "\\u0000", "body": "x\\u0000"}',
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key}",
        )
        assert response.status_code == 400, (path, response.content)
    response = client.post(
        "/api/v1/exports/", '""', content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )
    assert response.status_code == 400


def test_a_nul_in_a_report_form_field_is_a_form_error(client, db):
    data = valid_form_data(incident_place="Kantor\x00Camat")
    from tests.complaints.report_flow import post_step

    fill_all(client)
    response = post_step(client, "incident", data)
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_over_long_values_are_refused_with_the_limit(client, db):
    response = client.post(API, valid_api_data(chronology="x" * 200_000), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "10000" in " ".join(response.json()["chronology"])
    response = client.post(API, valid_api_data(accused_name=["n" * 5000]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "accused_name" in response.json()


def test_staff_bulk_with_odd_ids_and_assignees_answers_without_a_500(client, db):
    officer = staff("officer", "staf", ["35"])
    report = ReportFactory()
    client.force_login(officer)
    for ids, assignee in ((["²", "9" * 30, str(report.pk)], "x"), ([str(report.pk)], "9" * 30)):
        response = client.post(reverse("staff:bulk"), {"ids": ids, "action": "assign", "assignee": assignee})
        assert response.status_code == 302


def test_row_buttons_and_row_fields_with_odd_numbers_answer_without_a_500(client, db):
    """The form's add/remove buttons name a row by number ("remove-accused-1"), and so do its fields: a
    superscript digit ("²", a digit to str.isdigit but not to int) is no row, never a 500."""
    from tests.complaints.report_flow import post_step

    data = valid_form_data()
    post_step(client, "about", data)
    response = post_step(client, "accused", data, **{"_action": "remove-accused-²", "accused-²-name": "X"})
    assert response.status_code in (200, 302)
    post_step(client, "accused", data)
    post_step(client, "incident", data)
    response = post_step(client, "evidence", data, **{"_action": "remove-link-²"})
    assert response.status_code in (200, 302)


# --- Files and links ---------------------------------------------------------------------------------------------


def test_a_path_traversal_file_name_is_stored_under_a_safe_name(client, db, settings):
    upload = SimpleUploadedFile("../../etc/passwd.jpg", jpeg_bytes(), "image/jpeg")
    response = client.post(API, valid_api_data(files=[upload]))
    assert response.status_code == 201, response.content
    item = Evidence.objects.exclude(kind="link").get()
    assert ".." not in item.file.name and not item.file.name.startswith("/")
    assert "passwd" not in item.file.name  # the stored name is built from ids, not from the client's
    stored = (settings.MEDIA_ROOT / item.file.name).resolve()
    assert str(stored).startswith(str(settings.MEDIA_ROOT.resolve()))
    assert item.original_name.endswith("passwd.jpg") and "/" not in item.original_name.replace("..", "")


@pytest.mark.parametrize(
    "url,message",
    [
        ("javascript:alert(1)", "not a web address"),
        ("data:text/html,<script>alert(1)</script>", "not a web address"),
        ("https://аpple.com/login", "imitate"),  # a Cyrillic "а"
        ("https://xn--pple-43d.com/login", "imitate"),  # the same host, as the browser sends it
        ("https://www.іnstagram.com/p/C1abc/", "imitate"),  # a Ukrainian "і"
    ],
)
def test_dangerous_and_look_alike_links_are_refused_with_a_message(client, db, url, message):
    response = client.post(API, valid_api_data(links=[url]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in " ".join(response.json()["links"])
    assert Report.objects.count() == 0


def test_ordinary_international_hosts_stay_accepted(client, db):
    for url in ("https://bücher.de/x", "https://例子.cn/x", "https://www.instagram.com/p/C1abc/"):
        assert client.post(API, valid_api_data(links=[url])).status_code == 201, url


# --- Open redirects ---------------------------------------------------------------------------------------------

ELSEWHERE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "https:evil.example",
    "\\\\evil.example",
]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_sign_in_never_sends_people_elsewhere(client, db, target):
    from tests.factories import STAFF_PASSWORD, totp_code, totp_device_for

    officer = staff("officer", "staf", ["35"])
    client.post(
        f"/staf/masuk/?next={target}", {"username": "officer", "password": STAFF_PASSWORD, "next": target}
    )
    done = client.post("/staf/masuk/kode/", {"code": totp_code(totp_device_for(officer))})
    assert done.status_code == 302
    assert not re.match(r"^(https?:)?[/\\]{2}|^https?:", done["Location"]), done["Location"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_the_bulk_page_never_sends_people_elsewhere(client, db, target):
    client.force_login(staff("officer", "staf", ["35"]))
    response = client.post(reverse("staff:bulk"), {"action": "claim", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("staff:home")


def test_the_form_keeps_a_reporter_safe_from_script_on_the_check_page(client, db):
    fill_all(client, valid_form_data(incident_place=SCRIPT))
    page = client.get(URLS["check"]).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


# --- Services check what they are given, whatever the door -------------------------------------------------------


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_services_refuse_unknown_statuses_decisions_and_priorities_out_of_range(db, english):
    from django.core.exceptions import ValidationError

    officer = staff("officer", "staf", ["35"])
    report = ReportFactory(status=Report.Status.TRIAGE)
    with pytest.raises(ValidationError, match="not a status"):
        workflow.case_transition(report=report, user=officer, to_status="\x00nonsense")
    for bad in (10, -10, 2**40, "3", 1.5, None):
        with pytest.raises(ValidationError, match="whole number from -9 to 9"):
            workflow.case_set_priority(report=report, user=officer, priority=bad)
    assert workflow.case_set_priority(report=report, user=officer, priority=9) is True
    report.status = Report.Status.ASSESSMENT
    with pytest.raises(ValidationError, match="not a decision"):
        workflow.assessment_record(
            report=report,
            user=officer,
            findings="Temuan",
            categories=[],
            legal_basis="UU 5/2014",
            recommended_sanction="",
            criminal_element=False,
            decision="<script>",
        )


def test_an_unknown_status_is_a_clear_400_and_an_assignee_outside_the_jurisdiction_is_refused(client, db):
    from knox.models import AuthToken

    officer = staff("officer", "staf", ["35"])
    staff("faraway", "staf", ["11"])  # Aceh
    report = ReportFactory()
    _row, key = AuthToken.objects.create(user=officer)
    response = client.post(
        f"/api/v1/cases/{report.pk}/transition/",
        {"to_status": "no-such-status"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "not a status" in response.json()["detail"]
    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError, match="outside their jurisdiction"):
        workflow.case_assign(report=report, user=officer, assignee=User.objects.get(username="faraway"))
