"""Helpers shared by the benchmarks: a fresh PostgreSQL database, gunicorn and a worker as subprocesses."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str = "/healthz/", timeout: float = 60) -> None:
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"nothing answers on port {port}")


def bench_env(db_name: str, media: Path) -> dict:
    base = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    redis = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"{base}/{db_name}",
            "CELERY_BROKER_URL": f"{redis}/12",
            "REDIS_URL": f"{redis}/13",
            "SECRET_KEY": "posko-bench-secret",
            # Reporter-privacy key rings (issue 9): fixed, so `staff_queue.py --reuse` reads what it seeded.
            "POSKO_IDENTITY_KEYS": "cG9za28tYmVuY2gtaWRlbnRpdHkta2V5LTMyYnl0ZXM=",
            "POSKO_IDENTITY_HASH_KEYS": "posko-bench-identity-hash-key-not-for-production",
            "POSKO_PIN_KEYS": "posko-bench-pin-key-not-for-production-0000",
            "POSKO_DEBUG": "0",
            "POSKO_STATIC_MANIFEST": "0",
            "POSKO_BENCH_VIEWS": "1",
            "MEDIA_ROOT": str(media),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "posko.settings",
        }
    )
    return env


def fresh_database(env: dict, db_name: str) -> None:
    import psycopg2

    admin_url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{db_name}"')
    conn.close()
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [PY, "manage.py", "load_regions", "--levels", "3"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT)  # noqa: SIM115


def celery_worker(
    env: dict, log: Path, *, concurrency: int = 1, queue: str = "", name: str = "", nice: int = 0
) -> subprocess.Popen:
    """A real `celery worker` process for a benchmark (all queues unless `queue`), at `nice` when given."""
    cmd = [*(["nice", "-n", str(nice)] if nice else []), PY, "-m", "celery", "-A", "posko", "worker"]
    cmd += ["-l", "WARNING", "-c", str(concurrency), "--without-gossip", "--without-mingle"]
    cmd += [*(["-Q", queue] if queue else []), *(["-n", name] if name else [])]
    return start(cmd, env, log)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- An S3-compatible server of the benchmark's own (moto's server mode, as bin/test starts for the tests) ------
S3_CREDENTIALS = {"aws_access_key_id": "posko-bench", "aws_secret_access_key": "posko-bench-secret"}


def s3_start(log: Path) -> tuple[subprocess.Popen, str]:
    """Starts moto's S3 server on a free port of loopback; returns the process (stop it with stop()) and its
    endpoint URL."""
    port = free_port()
    moto = Path(PY).parent / "moto_server"
    proc = start([str(moto), "-H", "127.0.0.1", "-p", str(port)], dict(os.environ), log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"moto_server ended (see {log})") from None
            time.sleep(0.2)
    else:
        stop(proc)
        raise RuntimeError(f"moto_server does not answer on port {port}")
    return proc, f"http://127.0.0.1:{port}"


def s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **S3_CREDENTIALS)


def s3_use(env: dict, endpoint: str, bucket: str) -> None:
    """Creates `bucket` on the server and points the portal's evidence storage at it (the POSKO_S3_* settings
    an operator sets, docs/operations.md)."""
    s3_client(endpoint).create_bucket(Bucket=bucket)
    env.update(
        {
            "POSKO_S3_BUCKET": bucket,
            "POSKO_S3_ENDPOINT_URL": endpoint,
            "POSKO_S3_REGION": "us-east-1",
            "POSKO_S3_ACCESS_KEY_ID": S3_CREDENTIALS["aws_access_key_id"],
            "POSKO_S3_SECRET_ACCESS_KEY": S3_CREDENTIALS["aws_secret_access_key"],
        }
    )
