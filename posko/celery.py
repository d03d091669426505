"""The Celery app. Configuration is read from Django settings (the CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posko.settings")

app = Celery("posko")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
