"""Security headers (issue 9, item 5; docs/integrity.md): the Content-Security-Policy without inline script or
style, nosniff, the referrer and permissions policies, HSTS and the HTTPS redirect behind TLS, `check --deploy`
clean under production settings, and HEAD answered wherever GET is."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import ROOT
from tests.factories import ReportFactory, staff

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


@pytest.mark.parametrize("path", ["/", "/lapor/", "/lacak/", "/statistik/", "/staf/masuk/", "/api/docs/"])
def test_pages_carry_the_policy_and_the_other_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions


def test_no_template_carries_inline_script_handlers_or_styles():
    """What the policy would block, caught before a browser does: inline <script> bodies, on*= handlers and
    style attributes in the templates (e-mails excepted: no policy applies to them)."""
    offending = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "email" in path.parts[-2]:
            continue
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\son[a-z]+\s*=", r"\sstyle\s*=", r"<style[\s>]"):
            if re.search(pattern, text):
                offending.append((path.name, pattern))
    assert offending == []


def _settings_in_production(extra: dict | None = None, code: str = "") -> subprocess.CompletedProcess:
    """Runs manage.py (or `code`) in a fresh process with the environment of a production deployment behind a
    TLS proxy, as .env.example describes it."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "POSKO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "posko.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://posko.example.org",
        "SECURE_PROXY_SSL": "1",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", ""),
        "POSKO_IDENTITY_KEYS": os.environ["POSKO_IDENTITY_KEYS"],
        "POSKO_IDENTITY_HASH_KEYS": os.environ["POSKO_IDENTITY_HASH_KEYS"],
        "POSKO_PIN_KEYS": os.environ["POSKO_PIN_KEYS"],
        **(extra or {}),
    }
    args = ["-c", code] if code else ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_under_production_settings():
    done = _settings_in_production()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_would_say_so_without_https():
    """The check above is not clean by accident: a deployment not behind TLS is warned about HSTS."""
    done = _settings_in_production({"SECURE_PROXY_SSL": "0"})
    assert done.returncode != 0 and "security.W004" in done.stderr + done.stdout


READ = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'posko.settings'); django.setup();"
    "from django.conf import settings as s;"
    "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE,"
    " s.CSRF_COOKIE_SECURE)"
)


def test_hsts_and_the_https_redirect_only_behind_tls():
    behind = _settings_in_production(code=READ)
    assert behind.stdout.split() == ["31536000", "True", "True", "True", "True"], behind.stderr
    plain = _settings_in_production({"SECURE_PROXY_SSL": "0"}, code=READ)
    assert plain.stdout.split()[:3] == ["0", "True", "False"], plain.stderr
    debug = _settings_in_production({"POSKO_DEBUG": "1"}, code=READ)
    assert debug.stdout.split()[:3] == ["0", "True", "False"], debug.stderr


def test_behind_tls_the_health_check_is_not_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/lacak/").status_code == 301
    assert client.get("/lacak/", headers={"X-Forwarded-Proto": "https"}).status_code in (200, 301)
    assert client.get("/healthz/").status_code in (200, 503)


def test_an_https_request_gets_hsts(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/lacak/", headers={"X-Forwarded-Proto": "https"})
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


# --- HEAD wherever GET -----------------------------------------------------------------------------------------


def _paths(resolver: URLResolver, prefix: str, values: dict) -> list[str]:
    """Every URL of the project with its parameters filled from `values` (a real report, an evidence id...);
    patterns given as regular expressions (Django's admin) are skipped when they take parameters."""
    found = []
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        converters = getattr(pattern, "converters", None)
        route = str(pattern)
        if converters is None:  # a regular expression
            if "(" in route:
                continue
            route = route.lstrip("^").rstrip("$").replace("\\", "")
        else:
            route = re.sub(
                r"<(?:(\w+):)?(\w+)>",
                lambda m: str(values.get(m.group(2), values[m.group(1) or "str"])),
                route,
            )
        if isinstance(entry, URLResolver):
            found += _paths(entry, prefix + route, values)
        elif isinstance(entry, URLPattern):
            found.append(prefix + route)
    return found


def test_head_answers_wherever_get_does(client, ref_data):
    """GIVEN every URL of the project (parameters filled with a real case, its evidence and tracking code)
    WHEN asked with GET and with HEAD, by an anonymous visitor and by a signed-in coordinator
    THEN HEAD gives GET's status, with no body, wherever GET is answered at all."""
    report = ReportFactory()
    evidence = report.evidence.create(kind="photo", original_name="a.jpg", size=1)
    values = {
        "int": report.pk,
        "uuid": evidence.pk,
        "str": report.tracking_code,
        "slug": "x",
        "path": "x",
        "code": report.tracking_code,
        "token": "x",
    }
    paths = sorted(set(_paths(get_resolver(), "/", values)))
    assert "/lacak/" in paths and f"/staf/kasus/{report.pk}/" in paths and len(paths) > 60
    coordinator = staff("koordinator", "koordinator", ["35"])
    mismatches = []
    for who in ("anonymous", "coordinator"):
        if who == "coordinator":
            client.force_login(coordinator)
        for path in paths:
            got = client.get(path)
            if got.status_code == 405:
                continue  # GET is not answered here (a form's POST target, the tus upload's own HEAD)
            head = client.head(path)
            if head.status_code != got.status_code or head.content:
                mismatches.append((who, path, got.status_code, head.status_code, head.content[:40]))
    assert mismatches == []
