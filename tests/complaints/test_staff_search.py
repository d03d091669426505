"""The search box of the staff navigation (issue 10, item 10): an exact case number, tracking code (with or
without dashes, any case) or NIP opens the case or the terlapor's page; anything else is the full-text search.
Three people: the one allowed, a colleague with less right (no role), an outsider from another province."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from complaints.models import Report
from complaints.services import workflow
from complaints.services.registry import report_search_text
from tests.factories import AccusedFactory, ReportFactory, staff

S = Report.Status
NIP = "198001012005011002"


@pytest.fixture
def people(db):
    return {
        "staf": staff("staf", "staf", ["35.74"]),
        "relawan": staff("relawan", "relawan", ["35"]),
        "outsider": staff("outsider", "staf", ["31"]),
    }


@pytest.fixture
def case(people):
    report = ReportFactory(chronology="Lurah membagikan sembako bergambar calon di balai warga.")
    AccusedFactory(report=report, nip=NIP, name="Hendra Wijaya")
    Report.objects.filter(pk=report.pk).update(search_text=report_search_text(report))
    workflow.case_transition(report=report, user=people["relawan"], to_status=S.TRIAGE)
    return workflow.case_transition(report=report, user=people["relawan"], to_status=S.INVESTIGATION)


def search(client, user, q):
    client.force_login(user)
    return client.get(reverse("staff:search"), {"q": q})


@pytest.mark.parametrize(
    "typed",
    [
        "{case_number}",
        "  {case_number_lower}  ",
        "{code}",
        "{code_lower_nodash}",
        "{code_spaced}",
        NIP,
        "1980 0101 2005 01 1 002",
    ],
)
def test_exact_identifiers_open_the_case(client, people, case, typed):
    code = case.tracking_code
    text = typed.format(
        case_number=case.case_number,
        case_number_lower=case.case_number.lower(),
        code=code,
        code_lower_nodash=code.replace("-", "").lower(),
        code_spaced=code.replace("-", " "),
    )
    response = search(client, people["staf"], text)
    assert response.status_code == 302 and response["Location"] == reverse("staff:case", args=[case.pk])


def test_a_nip_with_several_cases_opens_the_terlapor(client, people, case):
    other = ReportFactory()
    AccusedFactory(report=other, nip=NIP, name="Hendra Wijaya")
    response = search(client, people["staf"], NIP)
    assert response["Location"] == reverse("staff:person", args=[case.accused.get().person_id])


def test_other_words_run_the_full_text_search_over_every_case(client, people, case):
    response = search(client, people["staf"], "sembako")
    assert (
        response.status_code == 302
        and "q=sembako" in response["Location"]
        and "status=all" in response["Location"]
    )
    page = client.get(response["Location"]).content.decode()
    assert f'data-id="{case.pk}"' in page


def test_an_outsider_is_not_taken_to_a_case_of_another_province(client, people, case):
    for typed in (case.case_number, case.tracking_code, NIP, "sembako"):
        response = search(client, people["outsider"], typed)
        assert response["Location"] != reverse("staff:case", args=[case.pk])
        assert f'data-id="{case.pk}"' not in client.get(response["Location"]).content.decode()


def test_a_volunteer_of_the_province_finds_it_and_someone_without_a_role_finds_nothing(client, people, case):
    assert search(client, people["relawan"], case.tracking_code)["Location"] == reverse(
        "staff:case", args=[case.pk]
    )
    plain = User.objects.create_user("plain", password="x-12345-y")
    assert search(client, plain, case.tracking_code).status_code == 404
    client.logout()
    assert client.get(reverse("staff:search"), {"q": case.tracking_code}).status_code == 302  # to sign-in
    assert "/staf/masuk/" in client.get(reverse("staff:search"), {"q": "x"})["Location"]


def test_the_search_box_is_in_the_staff_navigation(client, people, case):
    client.force_login(people["staf"])
    html = client.get(reverse("staff:case", args=[case.pk])).content.decode()
    assert f'action="{reverse("staff:search")}"' in html and 'role="search"' in html
