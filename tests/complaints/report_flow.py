"""Filling the step-by-step report form with the test client, as a browser without JavaScript posts it."""

from django.urls import reverse

from complaints.report_steps import ABOUT_FIELDS, INCIDENT_FIELDS
from tests.factories import valid_form_data

URLS = {
    "about": reverse("complaints:report_create"),
    "accused": reverse("complaints:report_accused"),
    "incident": reverse("complaints:report_incident"),
    "evidence": reverse("complaints:report_evidence"),
    "check": reverse("complaints:report_check"),
}


def step_data(step: str, data: dict | None = None) -> dict:
    """The part of a whole report's form data (tests.factories.valid_form_data) that one step asks for."""
    data = data if data is not None else valid_form_data()
    if step == "about":
        out = {k: v for k, v in data.items() if k in ABOUT_FIELDS}
    elif step == "incident":
        out = {k: v for k, v in data.items() if k in INCIDENT_FIELDS or k.startswith("incident_region_l")}
    elif step == "accused":
        out = {k: v for k, v in data.items() if k.startswith("accused-")}
    else:
        out = {k: v for k, v in data.items() if k.startswith("links-")}
    out["_action"] = "continue"
    return out


def post_step(client, step: str, data: dict | None = None, **extra):
    payload = step_data(step, data)
    payload.update(extra)
    return client.post(URLS[step], payload)


def fill_all(client, data: dict | None = None, files=()) -> None:
    """Post the four steps with valid data (and `files` in the evidence step); each must move on."""
    data = data if data is not None else valid_form_data()
    for step in ("about", "accused", "incident"):
        response = post_step(client, step, data)
        assert response.status_code == 302, (step, response.context and response.context.get("errors"))
    extra = {"files": list(files)} if files else {}
    response = post_step(client, "evidence", data, **extra)
    assert response.status_code == 302, response.context and response.context.get("errors")


def send(client):
    return client.post(URLS["check"])


def file_report(client, data: dict | None = None, files=()):
    fill_all(client, data, files)
    return send(client)
