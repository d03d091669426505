"""/healthz/: the state of the database, the broker and the workers, as JSON (503 when a part is down)."""

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
    database = _database()
    broker, workers = _broker_and_workers()
    # Missing workers do not make the web part unhealthy (reports are still accepted and queued), so only the
    # database and the broker decide the status code.
    ok = database["ok"] and broker["ok"]
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": database, "broker": broker, "workers": workers},
        status=200 if ok else 503,
    )
