"""Gunicorn settings for Posko: `gunicorn -c posko/gunicorn.conf.py posko.wsgi`.

With several workers, metrics are summed over them by prometheus-client's multiprocess mode: set
PROMETHEUS_MULTIPROC_DIR to a folder of this host's own (a tmpfs is best). It is emptied when gunicorn starts,
so counters restart with the server as Prometheus expects, and a worker's files are marked dead when it exits."""

import os
import shutil

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_WORKERS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
