"""The production processes run natively, as docker-compose.yml runs them in containers: collected static files,
celery beat, and the database tools of the backup drill (pg_dump, pg_restore)."""

import contextlib
import fcntl
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.conftest import ROOT


def collected_static() -> Path:
    """STATIC_ROOT as production has it: `collectstatic` with the production storage (fingerprinted names, gzip
    and brotli copies, the manifest). Compressing takes about a minute of CPU, so the result is kept in the
    temporary folder under a hash of what it is made from (the sources, the locked packages, the storage), and
    made once for every test process and run that shares those (a lock file serialises the first ones)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "static").rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    for path in (ROOT / "requirements.lock", ROOT / "posko" / "storage.py"):
        digest.update(path.read_bytes())
    base = Path(tempfile.gettempdir())
    target = base / f"posko-test-collected-{digest.hexdigest()[:16]}"
    with open(base / "posko-test-collected.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "staticfiles.json").exists():
            scratch = Path(tempfile.mkdtemp(prefix="posko-collecting-"))
            env = {**os.environ, "POSKO_STATIC_MANIFEST": "1", "STATIC_ROOT": str(scratch)}
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            shutil.rmtree(target, ignore_errors=True)
            scratch.rename(target)
    return target


class Beat:
    """`celery -A posko beat`, the one scheduler of a deployment."""

    def __init__(self, workdir: Path, env: dict):
        self.workdir, self.extra, self.proc = workdir, env, None
        self.log_path = workdir / "beat.log"

    def start(self) -> "Beat":
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "posko",
                "beat",
                "-l",
                "DEBUG",
                "--schedule",
                str(self.workdir / "celerybeat-schedule"),
            ],
            cwd=ROOT,
            env={**os.environ, **self.extra},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore of the newest PostgreSQL installed (the server's own: bin/test installs it)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return found[-1] if found else shutil.which(name) or name


def database_create(url: str, name: str) -> str:
    """An empty database `name` on the server of `url`; returns its URL."""
    import psycopg2

    base, _, _old = url.rpartition("/")
    conn = psycopg2.connect(f"{base}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return f"{base}/{name}"


# The role deploy/postgres-init/10-posko-app-role.sh makes, and the password the tests give it.
APP_ROLE = "posko_app"
APP_PASSWORD = "posko-app-test-password"


def url_as(url: str, user: str, password: str) -> str:
    """The database of `url` reached as another user."""
    parts = urlsplit(url)
    return parts._replace(netloc=f"{user}:{password}@{parts.hostname}:{parts.port or 5432}").geturl()


def app_role_url(url: str) -> str:
    """Run deploy/postgres-init/10-posko-app-role.sh on the database of `url`, as the postgres image of
    docker-compose.yml does on its first start (the owner being the user of `url`), and return the URL of the
    same database for the role it makes: the role the portal's processes run as, which owns no table."""
    parts = urlsplit(url)
    env = {
        **os.environ,
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "POSTGRES_USER": parts.username or "postgres",
        "POSTGRES_DB": parts.path.lstrip("/"),
        "POSTGRES_APP_PASSWORD": APP_PASSWORD,
    }
    if parts.password:
        env["PGPASSWORD"] = parts.password
    script = ROOT / "deploy" / "postgres-init" / "10-posko-app-role.sh"
    done = subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return url_as(url, APP_ROLE, APP_PASSWORD)


def database_drop(url: str) -> None:
    import psycopg2

    base, _, name = url.rpartition("/")
    conn = psycopg2.connect(f"{base}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor, contextlib.suppress(psycopg2.Error):
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def wait_until(predicate, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s\n{tail}")
