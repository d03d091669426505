"""Shared test set-up.

The suite runs against the real services named by the environment (bin/test starts them): PostgreSQL via
DATABASE_URL, Redis via REDIS_URL and CELERY_BROKER_URL. Every test gets its own MEDIA_ROOT. Tasks run
in-process except in tests marked `worker`, which start a real Celery worker process."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from posko.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).resolve().parent / "samples"
# Regions the tests use below kab/kota level: Kota and Kabupaten Probolinggo (the seeds' setting) and Jakarta.
TEST_REGIONS = ["35.74", "35.13", "31.71"]


def reference_data_ensure() -> None:
    """Elections, categories and the test regions; idempotent, cheap enough for every transactional test (their
    database is emptied after each test, unlike the rolled-back ordinary tests)."""
    from complaints.models import Election, ViolationCategory
    from complaints.reference import reference_data_load
    from complaints.services.regions import regions_load

    reference_data_load(Election, ViolationCategory)
    regions_load(only_under=TEST_REGIONS)
    # The receiving agencies come from a data migration, which a transactional test's flush removes.
    from importlib import import_module

    from django.apps import apps

    import_module("complaints.migrations.0004_search_and_agencies").agencies_forward(apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        reference_data_ensure()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path, request):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Tests never reach the internet: links are archived only in the tests that serve the pages themselves.
    settings.POSKO_ARCHIVE_LINKS = False
    settings.POSKO_ARCHIVE_SCREENSHOTS = False
    # Tracking throttles live in the cache: start every test with none.
    cache_clear()
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


def cache_clear() -> None:
    """Empty this run's part of the cache. On Redis only the keys under this run's namespace go: another run
    (a developer's beside CI's, or another pytest-xdist worker) shares the database."""
    from django.core.cache import caches

    # The backend itself: `django.core.cache.cache` is a ConnectionProxy, whose class is never RedisCache, so
    # asking it sent every run down the FLUSHDB branch below and wiped every other run's keys (issue 9 tests).
    cache = caches["default"]
    if cache.__class__.__name__ != "RedisCache":
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
    if keys:
        client.delete(*keys)


def queues_purge() -> None:
    """Drop tasks left in this run's queues by an earlier test."""
    with celery_app.connection_for_write() as conn:
        for queue in django_settings.POSKO_QUEUES:
            # A queue nobody declared yet has nothing to purge.
            with contextlib.suppress(Exception):
                conn.default_channel.queue_purge(queue)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Passwords hashed with MD5 in the test process: most tests make several staff accounts, and Django's
    PBKDF2 (1,000,000 rounds) took about half a second a password, several seconds of many tests' set-up (the
    suite's slowest set-ups: 5-7 s for five accounts). The tests that sign in check passwords as before, through
    the same hasher API; the servers that tests/ops/ start as processes keep the production hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _second_factor_on_test_logins(monkeypatch):
    """`client.force_login(user)` is a test shortcut past authentication: let it stand for the second factor
    too, as django_otp.login does after a right code, so that a force-logged-in staff user is signed in as in
    production. `client.login(...)` checks the password (through the lockout, with a request) and does the
    same. Tests of signing in itself go through the real pages."""
    from django.contrib.auth import authenticate
    from django.http import HttpRequest
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        from accounts.services import session_mark_verified
        from tests.factories import totp_device_for

        session = self.session
        session_mark_verified(session, totp_device_for(user))
        session.save()

    def login(self, **credentials):
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
        user = authenticate(request, **credentials)
        if user is None:
            return False
        force_login(self, user)
        return True

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "login", login)


@pytest.fixture
def ref_data(transactional_db):
    reference_data_ensure()


@pytest.fixture(params=["local", "s3"])
def store(request, settings):
    """Evidence storage for one test, run twice: once on a local folder (MEDIA_ROOT), once on a bucket of its
    own on the S3 server bin/test starts. Yields a helper that reads what was stored (tests/storage.py)."""
    from tests.storage import LocalStore, s3_bucket_new, s3_settings_for

    if request.param == "local":
        yield LocalStore(settings.MEDIA_ROOT)
        return
    bucket = s3_bucket_new()
    settings.STORAGES = {**settings.STORAGES, "evidence": s3_settings_for(bucket)}
    yield bucket
    bucket.remove_bucket()


def media_files(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file()) if Path(root).exists() else []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url_for_subprocess() -> str:
    """A DATABASE_URL naming the test database this run created, for processes started by a test."""
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or "postgres"
    auth = f"{user}:{s['PASSWORD']}" if s.get("PASSWORD") else user
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


class Worker:
    """A real `celery worker` process on the test database and the real broker."""

    def __init__(
        self,
        media_root: Path,
        log_path: Path,
        concurrency: int = 1,
        env: dict | None = None,
        beat: bool = False,
        kind: str | None = None,
    ):
        """`kind` (quick, heavy, sweep): a worker of one kind, as production runs them (POSKO_WORKER_KIND,
        its queue only); none: every queue."""
        self.media_root, self.log_path, self.concurrency = media_root, log_path, concurrency
        self.extra_env, self.beat, self.kind = env or {}, beat, kind
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": database_url_for_subprocess(),
                "MEDIA_ROOT": str(self.media_root),
                "DATABASE_CONN_MAX_AGE": "0",
                "POSKO_ARCHIVE_LINKS": "0",
            }
        )
        if self.kind:
            env["POSKO_WORKER_KIND"] = self.kind
        env.update(self.extra_env)
        return env

    def start(self) -> "Worker":
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "posko",
                "worker",
                "-l",
                "INFO",
                "-c",
                str(self.concurrency),
                "-Q",
                self.kind or ",".join(django_settings.POSKO_QUEUES),
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"{self.kind or 'test'}-{os.getpid()}-{time.monotonic_ns()}@%h",
                *(["-B", "-s", str(self.log_path.with_suffix(".beat"))] if self.beat else []),
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log_path.read_text()[-3000:]}")
            if b"ready." in self.log_path.read_bytes():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"worker did not start: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def celery_worker_process(ref_data, settings, tmp_path):
    if django_settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.fail("CELERY_BROKER_URL is not set: run the suite with bin/test, which starts Redis")
    queues_purge()
    worker = Worker(settings.MEDIA_ROOT, tmp_path / "worker.log").start()
    yield worker
    worker.stop()


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is not installed: run the suite with bin/test, which installs it")
    return path


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test itself
    # are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def phone_page(browser, live_server, ref_data):
    """A page in a 360-px-wide phone viewport."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="id-ID"
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory):
    """A real clamd (ClamAV's daemon) whose only signature is one this fixture writes: the EICAR test string."""
    from tests.samples import EICAR

    binary = shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None)
    if not binary:
        pytest.fail("clamd is not installed: run the suite with bin/test, which installs clamav-daemon")
    root = tmp_path_factory.mktemp("clamd")
    (root / "db").mkdir()
    (root / "db" / "posko-test.ndb").write_text(f"Posko.Test.EICAR:0:*:{EICAR.hex()}\n")
    sock = root / "clamd.sock"
    (root / "clamd.conf").write_text(
        f"Foreground yes\nLocalSocket {sock}\nDatabaseDirectory {root / 'db'}\nLogFile {root / 'clamd.log'}\n"
        f"TemporaryDirectory {root}\n"
    )
    proc = subprocess.Popen(
        [binary, "-c", str(root / "clamd.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while not sock.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            log = (root / "clamd.log").read_text() if (root / "clamd.log").exists() else ""
            pytest.fail(f"clamd did not start: {log[-2000:]}")
        time.sleep(0.1)
    yield str(sock)
    proc.terminate()
    proc.wait(timeout=20)
