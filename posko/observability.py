"""What operators watch: request ids carried from a request into the Celery tasks it starts, log filters (the
request id on every line; a reporter's identity on none), and metrics in the Prometheus text format.

Metrics come from prometheus-client. Counters and histograms (requests, latency, failed sign-ins) are kept per
process, and summed over gunicorn's workers by prometheus-client's multiprocess mode when
PROMETHEUS_MULTIPROC_DIR is set (posko/gunicorn.conf.py empties it at start). Everything else (queue lengths
and ages, evidence by status, exports running, workers) is read from PostgreSQL and Redis at scrape time, so
it is right whichever process answers the scrape. The endpoint answers only POSKO_METRICS_ALLOWED addresses.
"""

import contextvars
import ipaddress
import json
import logging
import os
import re
import time
import uuid

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from pythonjsonlogger.json import JsonFormatter

log = logging.getLogger(__name__)

# --- Request ids ----------------------------------------------------------------------------------------------------
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("posko_request_id", default="")
task_var: contextvars.ContextVar[str] = contextvars.ContextVar("posko_task", default="")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
HEADER_REQUEST_ID = "posko_request_id"
HEADER_SENT_AT = "posko_sent_at"


class RequestIdMiddleware:
    """Gives every request an id: the X-Request-ID a trusted reverse proxy sent (one of POSKO_PROXY_ADDRESSES;
    the proxy must set it, not pass a client's on), otherwise a new one. It is on every log line of the
    request, in the tasks the request starts, and in the response's X-Request-ID header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        from complaints.services.tracking import from_proxy

        trusted = from_proxy(request) and _SAFE_ID.match(incoming)
        request_id = incoming if trusted else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


def task_published(headers=None, **kwargs):
    """Celery before_task_publish: the request id (when a request starts the task) and the time of sending
    (for the age of the oldest task in a queue) go with the task as headers."""
    if headers is None:
        return
    request_id = request_id_var.get()
    if request_id:
        headers[HEADER_REQUEST_ID] = request_id
    headers[HEADER_SENT_AT] = time.time()


def task_started(task=None, task_id=None, **kwargs):
    """Celery task_prerun: the task's log lines carry the id of the request that started it."""
    if task is None or getattr(task.request, "is_eager", False):
        return  # in-process: already inside the request's context
    request_id_var.set(getattr(task.request, HEADER_REQUEST_ID, None) or "")
    task_var.set(f"{task.name}[{task_id}]")


def task_finished(task=None, **kwargs):
    if task is None or getattr(task.request, "is_eager", False):
        return
    request_id_var.set("")
    task_var.set("")


# --- Log filters ------------------------------------------------------------------------------------------------------
class RequestIdFilter(logging.Filter):
    """Adds `request_id` (and `task`, inside a Celery task) to every record."""

    def filter(self, record):
        record.request_id = request_id_var.get() or "-"
        record.task = task_var.get() or "-"
        return True


# A reporter's identity must never reach a log (PRODUCT.md section 1: only staff with the permission see it).
IDENTITY_FIELDS = frozenset(
    {
        "reporter_name",
        "reporter_address",
        "reporter_phone",
        "reporter_email",
        "reporter_nik",
        "address",
        "phone",
        "email",
        "nik",
    }
)
_SQL_LITERAL = re.compile(r"'(?:[^']|'')*'")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")  # NIK: 16 digits (PRODUCT.md section 2)
_PHONE = re.compile(r"(?<![\w])(?:\+62|62|0)8[\d\s().-]{7,16}\d")  # Indonesian mobile numbers
MASK = "[masked]"


def mask_identity(text: str) -> str:
    text = _EMAIL.sub(MASK, text)
    text = _NIK.sub(MASK, text)
    return _PHONE.sub(MASK, text)


class IdentityFilter(logging.Filter):
    """Keeps a reporter's identity out of the logs: drops identity fields passed as `extra`, replaces the
    values in SQL query logs (names and addresses are free text that no pattern could find, so every quoted
    literal and every parameter goes), and masks e-mail addresses, NIKs and phone numbers anywhere else in
    the message and the traceback."""

    def filter(self, record):
        for field in IDENTITY_FIELDS & record.__dict__.keys():
            setattr(record, field, MASK)
        if record.name.startswith("django.db.backends") and hasattr(record, "sql"):
            record.sql = _SQL_LITERAL.sub("'?'", str(record.sql))
            record.params = MASK
            record.msg, record.args = (
                "(%.3f) %s; args=%s; alias=%s",
                (
                    getattr(record, "duration", 0) or 0,
                    record.sql,
                    MASK,
                    getattr(record, "alias", ""),
                ),
            )
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record: keep only its template
            message = str(record.msg)
        record.msg, record.args = mask_identity(message), ()
        # The traceback is masked as text; exc_info itself stays on the record for the handlers that need it
        # (Django's error mail builds its report from it, with its own sensitive-variable cleansing), and the
        # formatters below mask what they make of it.
        if record.exc_info:
            record.exc_text = mask_identity(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask_identity(record.exc_text)
        return True


class _MaskedTracebacks:
    """Identity masked in the tracebacks a formatter renders (IdentityFilter masks the message)."""

    def formatException(self, ei):  # noqa: N802 - logging's name
        return mask_identity(super().formatException(ei))  # type: ignore[misc]


class MaskingFormatter(_MaskedTracebacks, logging.Formatter):
    """The text log format."""


class MaskingJsonFormatter(_MaskedTracebacks, JsonFormatter):
    """JSON log lines (python-json-logger), which render exc_info themselves rather than the filter's
    exc_text."""


# --- Metrics ----------------------------------------------------------------------------------------------------------
REQUESTS = Counter(
    "posko_http_requests",
    "HTTP requests answered, by route (URL name), method and status code.",
    ["route", "method", "status"],
    registry=None,
)
LATENCY = Histogram(
    "posko_http_request_duration_seconds",
    "Time to answer an HTTP request, by route (URL name) and method.",
    ["route", "method"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=None,
)
SIGNIN_FAILURES = Counter(
    "posko_signin_failures", "Failed sign-ins (Django's user_login_failed signal).", registry=None
)


def _signin_failed(sender=None, **kwargs):
    SIGNIN_FAILURES.inc()


# Counted however sign-in is done (the staff form, the admin, a lockout library such as django-axes).
user_login_failed.connect(_signin_failed, dispatch_uid="posko-signin-failures")


class MetricsMiddleware:
    """Counts every request and its duration by route (the URL's name, so the label set stays small)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match else "") or "unmatched"
        if route == "metrics":
            return response  # scrapes are not traffic
        LATENCY.labels(route, request.method).observe(time.perf_counter() - started)
        REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        return response


def _queue_stats() -> list[tuple[str, int, float | None]]:
    """(queue, length, age in seconds of its oldest task) per queue, read from the broker (Redis)."""
    from posko.celery import app

    if app.conf.task_always_eager:
        return []
    import redis

    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
    client = redis.Redis.from_url(app.conf.broker_url, socket_connect_timeout=1, socket_timeout=2)
    stats = []
    try:
        for queue in settings.POSKO_QUEUES:
            # kombu keeps a queue as Redis lists, one per priority step (kombu.transport.redis), pushed on the
            # left and taken from the right: the oldest task of each list is its last element.
            keys = [f"{prefix}{queue}"] + [f"{prefix}{queue}\x06\x16{p}" for p in (3, 6, 9)]
            length, oldest = 0, None
            for key in keys:
                length += client.llen(key)
                raw = client.lindex(key, -1)
                if raw:
                    try:
                        sent = json.loads(raw)["headers"].get(HEADER_SENT_AT)
                    except (ValueError, KeyError, TypeError, AttributeError):
                        sent = None
                    if sent:
                        age = max(0.0, time.time() - float(sent))
                        oldest = age if oldest is None else max(oldest, age)
            stats.append((queue, length, oldest))
    finally:
        client.close()
    return stats


def _workers_by_queue() -> dict[str, int]:
    from posko.celery import app

    if app.conf.task_always_eager:
        return {}
    replies = app.control.inspect(timeout=1.0).active_queues() or {}
    counts = {queue: 0 for queue in settings.POSKO_QUEUES}
    for queues in replies.values():
        for queue in queues or []:
            name = queue.get("name", "")
            counts[name] = counts.get(name, 0) + 1
    return counts


def _exports_running() -> int | None:
    """Exports in progress, when the exports app is installed (looked up by name: this module never imports
    it). None when there is no such app or model."""
    from django.apps import apps

    if not apps.is_installed("exports"):
        return None
    app_label, model_name = settings.POSKO_METRICS_EXPORT_MODEL.split(".")
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    return model.objects.filter(status__in=settings.POSKO_METRICS_EXPORT_RUNNING).count()


class StateCollector:
    """Gauges read at scrape time from the database and the broker. Each source that fails is left out (and
    `posko_metrics_source_up` says so) instead of failing the whole scrape."""

    def collect(self):
        from django.db.models import Count, Min

        from evidence.models import Evidence

        up = GaugeMetricFamily(
            "posko_metrics_source_up", "Whether a source of these metrics answered.", labels=["source"]
        )

        def source(name, read):
            try:
                value = read()
            except Exception:  # noqa: BLE001 - one source down must not hide the others
                log.warning("metrics source %s failed", name, exc_info=True)
                up.add_metric([name], 0)
                return None
            up.add_metric([name], 1)
            return value

        rows = source(
            "database",
            lambda: list(Evidence.objects.values_list("status").annotate(n=Count("pk")).order_by()),
        )
        if rows is not None:
            by_status = GaugeMetricFamily(
                "posko_evidence_items", "Evidence items by processing status.", labels=["status"]
            )
            counts = dict(rows)
            for status in Evidence.Status.values:
                by_status.add_metric([status], counts.get(status, 0))
            yield by_status
            oldest = Evidence.objects.filter(
                status__in=[Evidence.Status.PENDING, Evidence.Status.PROCESSING]
            ).aggregate(at=Min("created_at"))["at"]
            yield GaugeMetricFamily(
                "posko_evidence_oldest_unfinished_age_seconds",
                "Age of the oldest evidence item not yet processed (0 when none).",
                value=max(0.0, time.time() - oldest.timestamp()) if oldest else 0.0,
            )
        exports = source("exports", _exports_running)
        if exports is not None:
            yield GaugeMetricFamily("posko_exports_running", "Exports in progress.", value=exports)
        queues = source("broker", _queue_stats)
        if queues:
            length = GaugeMetricFamily("posko_queue_length", "Tasks waiting in a queue.", labels=["queue"])
            age = GaugeMetricFamily(
                "posko_queue_oldest_task_age_seconds",
                "Age of the oldest task waiting in a queue (0 when empty).",
                labels=["queue"],
            )
            for queue, n, oldest_age in queues:
                length.add_metric([queue], n)
                age.add_metric([queue], oldest_age or 0.0)
            yield length
            yield age
        workers = source("workers", _workers_by_queue)
        if workers:
            gauge = GaugeMetricFamily(
                "posko_workers", "Worker processes answering, by the queue they consume.", labels=["queue"]
            )
            for queue, n in sorted(workers.items()):
                gauge.add_metric([queue], n)
            yield gauge
        storage = source("storage", _storage_stats)
        if storage is not None:
            yield GaugeMetricFamily(
                "posko_storage_up", "Whether the evidence storage can take files.", value=int(storage["ok"])
            )
            if "free_mb" in storage:
                yield GaugeMetricFamily(
                    "posko_storage_free_bytes",
                    "Free space where evidence is stored (local disk).",
                    value=storage["free_mb"] * 1024 * 1024,
                )
        yield up


def _storage_stats() -> dict:
    from evidence.storage import storage_check

    return storage_check()


def metrics_allowed(request) -> bool:
    """Whether the client (X-Forwarded-For believed from POSKO_PROXY_ADDRESSES only) is on a monitoring network."""
    from complaints.services.tracking import client_address

    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.POSKO_METRICS_ALLOWED)


@never_cache
def metrics_view(request):
    """/metrics: the Prometheus text format, for the monitoring network only (everyone else: 404)."""
    if not metrics_allowed(request):
        raise Http404
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in (REQUESTS, LATENCY, SIGNIN_FAILURES):
            registry.register(metric)
    registry.register(StateCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
