"""The embedded demo gets offices (so its letters work), the admin lists every model of the app, and the roles
carry the app's permissions: Bawaslu staff and coordinators, not volunteers."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from casefiles.models import Letter, Office
from casefiles.services.letters import letter_issue
from complaints.models import Report
from complaints.services.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_the_demo_offices_once_and_their_letters_work(client):
    call_command("seed_demo", reports=3)
    assert set(Office.objects.values_list("region_id", flat=True)) == {"35", "35.74"}
    call_command("seed_demo", reports=3)
    assert Office.objects.count() == 2
    report = Report.objects.filter(anonymous=False).exclude(reporter_name="").first()
    Report.objects.filter(pk=report.pk).update(case_number="001/LP/PL/Kab/35.74/XI/2024")
    report.refresh_from_db()
    letter = letter_issue(report=report, user=None, kind=Letter.Kind.NOTICE_REGISTERED)
    assert letter.office.region_id in ("35", "35.74")
    client.login(username="admin", password=DEMO_PASSWORD)
    for model in ("office", "lettertemplate", "formmodel", "letter", "signedscan", "lettercounter"):
        assert client.get(f"/admin/casefiles/{model}/", {"q": "a"}).status_code == 200, model
    assert client.get(f"/admin/casefiles/office/{letter.office.pk}/change/").status_code == 200


def test_only_bawaslu_roles_may_issue_and_read_letters(people):
    wanted = {"issue_letter", "view_letter", "add_signedscan", "view_signedscan"}
    for role in ("staf", "koordinator"):
        perms = set(
            Group.objects.get(name=role)
            .permissions.filter(content_type__app_label="casefiles")
            .values_list("codename", flat=True)
        )
        assert perms == wanted, role
        assert people[role].has_perm("casefiles.issue_letter")
    assert (
        not Group.objects.get(name="relawan").permissions.filter(content_type__app_label="casefiles").exists()
    )
    assert not people["relawan"].has_perm("casefiles.view_letter")
