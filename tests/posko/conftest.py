"""Faults of the machine's parts, made real: a PostgreSQL, a Redis and a disk of the test's own that the test
stops or fills. The machine's shared PostgreSQL and Redis are never touched (other runs use them)."""

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, _free_port, database_url_for_subprocess


def wait_for(predicate, timeout=60.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def port_open(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (initdb + pg_ctl on a free port), run as the unprivileged postgres user
    since PostgreSQL refuses to run as root."""

    def __init__(self):
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="posko-pg-"))
        self.port = _free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *args):
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, cwd="/tmp")

    def init(self):
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.dir / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        )
        return self

    def start(self):
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-l",
            str(self.dir / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        assert wait_for(lambda: port_open(self.port), 30)
        return self

    def stop(self):
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")

    def url(self, db="postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_postgres():
    pg = PrivatePostgres().init().start()
    yield pg
    pg.remove()


class PrivateRedis:
    def __init__(self, workdir: Path):
        self.port, self.workdir, self.proc = _free_port(), workdir, None

    def start(self):
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
        )
        assert wait_for(lambda: port_open(self.port), 20)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)

    def url(self, db=0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


@pytest.fixture
def private_redis_server(tmp_path):
    server = PrivateRedis(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def tiny_disk():
    """A 2 MiB filesystem of the test's own (tmpfs, mounted as root: the tests run as root here and in CI),
    to fill up for real."""
    mount = Path(tempfile.mkdtemp(prefix="posko-tiny-"))
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if result.returncode != 0:
        pytest.fail(f"cannot mount a small tmpfs (needs root): {result.stderr.decode()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)
    shutil.rmtree(mount, ignore_errors=True)


class Gunicorn:
    """The portal served by gunicorn in a process of its own, with the environment a test gives it."""

    def __init__(self, log_path: Path, env: dict, workers: int = 1):
        self.port, self.log_path, self.extra, self.workers, self.proc = (
            _free_port(),
            log_path,
            env,
            workers,
            None,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": database_url_for_subprocess(),
                "DATABASE_CONN_MAX_AGE": "0",
                "POSKO_ARCHIVE_LINKS": "0",
                "POSKO_STATIC_MANIFEST": "0",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
            }
        )
        env.update(self.extra)
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "posko" / "gunicorn.conf.py"),
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(self.workers),
                "--timeout",
                "60",
                "posko.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        if not wait_for(lambda: port_open(self.port) or self.proc.poll() is not None, 60) or self.proc.poll():
            raise RuntimeError(f"gunicorn did not start: {self.log_path.read_text()[-3000:]}")
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
