"""The Celery app. Configuration is read from Django settings (the CELERY_* names)."""

import os
import resource

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posko.settings")

app = Celery("posko")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
