"""/healthz/: the state of the database, the broker, the workers and the evidence storage, as JSON.

503 only when intake cannot work: the database is down, or the evidence storage is full or unreachable. A
broker that is down, or no worker answering, is a warning (200): reports are still accepted and saved, and
the sweep queues their evidence once the broker and workers are back."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from posko.celery import app


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}


def _broker_and_workers() -> tuple[dict, dict]:
    if app.conf.task_always_eager:
        return {"ok": True, "mode": "in-process"}, {"ok": True, "mode": "in-process", "seen": []}
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return {"ok": False, "mode": "broker", "error": exc.__class__.__name__}, {"ok": False, "seen": []}
    try:
        replies = app.control.ping(timeout=1.0) or []
    except Exception:
        replies = []
    seen = sorted(name for reply in replies for name in reply)
    return {"ok": True, "mode": "broker"}, {"ok": bool(seen), "seen": seen}


@never_cache
def healthz(request):
    from evidence.storage import storage_check

    database = _database()
    broker, workers = _broker_and_workers()
    storage = storage_check()
    warnings = []
    if not broker["ok"]:
        warnings.append("broker unreachable: reports are accepted; their evidence is queued when it returns")
    elif not workers["ok"]:
        warnings.append("no worker answered: evidence waits in the queues")
    ok = database["ok"] and storage["ok"]
    return JsonResponse(
        {
            "status": ("warning" if warnings else "ok") if ok else "error",
            "database": database,
            "broker": broker,
            "workers": workers,
            "storage": storage,
            "warnings": warnings,
        },
        status=200 if ok else 503,
    )
