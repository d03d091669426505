"""The Celery app. Configuration is read from Django settings (the CELERY_* names)."""

import os
import resource

from celery import Celery
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posko.settings")

app = Celery("posko")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fix-up closes the database connection around every task unless told to reuse it: a new
# PostgreSQL connection per task cost ~25 ms, more than processing a photo (bench/evidence.py). Reuse
# connections instead, and let Django retire old or broken ones as it does between web requests.
app.conf.CELERY_DB_REUSE_MAX = 10**9
app.autodiscover_tasks()


# Request ids travel with the tasks a request starts, and tasks carry the time they were sent
# (posko.observability). Connected here, where both the web processes and the workers load the app.
def _observability():
    from posko import observability

    return observability


before_task_publish.connect(lambda **kw: _observability().task_published(**kw), weak=False)
task_prerun.connect(lambda **kw: _observability().task_started(**kw), weak=False)
task_postrun.connect(lambda **kw: _observability().task_finished(**kw), weak=False)

if os.environ.get("POSKO_LOG_FORMAT") == "json":

    @setup_logging.connect
    def _django_logging(**kwargs):
        """With JSON logs, workers log through Django's LOGGING (JSON lines, request ids, identity filter)
        instead of Celery's own text format: a receiver of this signal stops Celery configuring logging."""
        from logging.config import dictConfig

        from django.conf import settings

        dictConfig(settings.LOGGING)


@task_prerun.connect
@task_postrun.connect
def _retire_old_connections(sender=None, **kwargs):
    # In-process (eager) tasks run inside a web request or a test's transaction: leave its connection alone.
    if sender is not None and getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@worker_process_init.connect
def _bound_worker_memory(**kwargs):
    """Cap each worker process's address space, so a decompression bomb or a hostile container that makes a
    decoder allocate wildly ends as a MemoryError on that item instead of an out-of-memory kill of the host."""
    from django.conf import settings

    limit = settings.POSKO_WORKER_MEMORY_MB * 1024 * 1024
    if limit:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
