from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from complaints.models import Report
from complaints.services.demo import DEMO_PASSWORD
from evidence.models import Evidence


def test_seed_demo_makes_accounts_and_reports_once(db, settings):
    call_command("seed_demo", reports=12)
    request = RequestFactory().post("/staf/masuk/")
    for username in ("admin", "koordinator", "staf", "relawan"):
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None
    relawan = authenticate(request, username="relawan", password=DEMO_PASSWORD)
    assert relawan.groups.filter(name="relawan").exists()
    assert Report.objects.count() == 12
    assert Report.objects.values("election").distinct().count() == 2
    assert Evidence.objects.filter(kind="photo").count() >= 12
    assert not Evidence.objects.exclude(status="ready").exists()
    call_command("seed_demo", reports=12)
    assert Report.objects.count() == 12


def test_the_admin_lists_every_model(client, db):
    call_command("seed_demo", reports=3)
    client.login(username="admin", password=DEMO_PASSWORD)
    for model in (
        "complaints/region",
        "complaints/election",
        "complaints/violationcategory",
        "complaints/report",
        "complaints/accused",
        "complaints/reportevent",
        "evidence/evidence",
        "evidence/stagedupload",
    ):
        response = client.get(f"/admin/{model}/", {"q": "a"})
        assert response.status_code == 200, model
    report = Report.objects.first()
    assert client.get(f"/admin/complaints/report/{report.pk}/change/").status_code == 200
