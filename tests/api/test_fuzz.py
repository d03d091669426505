"""The public and the staff API fuzzed from their own OpenAPI schema (issue 9 item 7): whatever schemathesis
sends (valid and invalid data, odd types, NUL bytes, long strings), no answer is a server error and every
answer matches the schema (status code documented, content type and body as declared).

Schemathesis drives the real Django WSGI application in-process (`from_wsgi`), on the test's PostgreSQL
database and Redis cache: every middleware, view, serializer, service and query runs as in production, only
the socket is skipped. That is several times faster than a live server thread, which matters on CI's two
shared cores, and keeps each example inside the test's transaction. Examples per operation are bounded
(POSKO_FUZZ_EXAMPLES, default below) so the whole run takes a few minutes."""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import AccusedFactory, ReportFactory, staff

EXAMPLES = int(os.environ.get("POSKO_FUZZ_EXAMPLES", "100"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Loaded once, at collection: the schema view reads no database. Each operation becomes its own test, so
# pytest-xdist spreads them over the workers (and each worker has its own database and cache namespace).
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
OPERATIONS = [
    result.ok() for result in SCHEMA.get_all_operations() if result.ok().path.startswith("/api/v1/")
]


@pytest.fixture
def wsgi_requests(db, settings):
    # Every example comes from one address: the report limit must not turn the fuzzing into a run of 429s
    # (those are documented and checked all the same in tests/complaints/test_public_doors.py).
    settings.POSKO_REPORT_LIMIT = 1_000_000
    # As Django's test client does: the WSGI handler must not close the test's database connection (and with
    # it the transaction the test runs in) at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    """A staff API token (django-rest-knox) for an officer of Kota Probolinggo."""
    user = staff("fuzz", "staf", ["35.74"])
    _row, key = AuthToken.objects.create(user=user)
    return key


@pytest.fixture
def case_id(db) -> int:
    """A case in the officer's jurisdiction, with a terlapor: the fuzzer's own ids rarely name one."""
    report = ReportFactory()
    AccusedFactory(report=report)
    return report.pk


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
    ],
    derandomize=True,
    database=None,
)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_the_api_answers_no_5xx_and_keeps_to_its_schema(operation, wsgi_requests, token, case_id):
    """Valid and invalid requests (schemathesis' positive and negative generation) for one operation; for a
    case's operations, also valid requests about a case that exists (transitions, notes, messages, exports)."""
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if operation.path.startswith("/api/v1/cases/{id}/"):
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters={"id": case_id}))
    cases = st.one_of(*strategies)

    @FUZZ
    @given(case=cases)
    def fuzz(case):
        # The public endpoints take no authentication and ignore the header; the staff ones are fuzzed signed in.
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)

    fuzz()
