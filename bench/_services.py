"""Helpers shared by the benchmarks: a fresh PostgreSQL database, gunicorn and a worker as subprocesses."""

import os
import shutil
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


# --- An S3-compatible server of the benchmark's own ------------------------------------------------------------
# Two servers, each started on a free port of loopback and stopped by the script (stop()):
#   moto (the default): moto's server mode, as bin/test starts it for the tests, a Python mock that keeps objects
#     in memory;
#   s3rver (`--s3-server s3rver`): a Node.js server from the npm registry that streams objects to files in a
#     folder of the run.
# Both speak the S3 API as botocore and django-storages use it over plain HTTP (PutObject, GET and ranged GET,
# HEAD, DELETE, multipart uploads, ListObjectsV2, presigned URLs: the S3 tests of tests/evidence/ pass on both). In
# production the object store runs on machines of its own; here the server shares the benchmark's two cores, so
# its CPU per request counts against the portal. Measured on this machine (2026-11-30, load 5, the server's own
# CPU per request): a 2 MB PUT costs moto 18 ms and s3rver 22 ms, a 2 MB GET 8 and 12.5 ms, a 30 KB PUT 8 and
# 6 ms; s3rver answers in about half moto's time when the cores are free. moto, the cheaper on the cores, is the
# default.
S3_SERVERS = ("moto", "s3rver")
# s3rver knows one account, S3RVER, and checks request signatures against its key; moto accepts any key.
S3_CREDENTIALS = {"aws_access_key_id": "S3RVER", "aws_secret_access_key": "S3RVER"}
S3RVER_VERSION = "3.7.1"
# Installed once per checkout from the npm registry, in var/ (git-ignored), never in the project's package.json:
# that one lists only the assets the portal serves.
S3RVER_DIR = ROOT / "var" / "bench" / f"s3rver-{S3RVER_VERSION}"


def s3rver_install() -> Path:
    """s3rver's command-line script, installed with npm under var/bench/ when it is not there yet."""
    script = S3RVER_DIR / "node_modules" / "s3rver" / "bin" / "s3rver.js"
    if script.exists():
        return script
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise RuntimeError(
            "s3rver needs Node.js and npm (Debian: apt-get install nodejs npm); or run with --s3-server moto"
        )
    print(f"installing s3rver {S3RVER_VERSION} from the npm registry into {S3RVER_DIR} ...", flush=True)
    S3RVER_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--prefix", str(S3RVER_DIR), "--no-audit", "--no-fund", f"s3rver@{S3RVER_VERSION}"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return script


def s3_start(log: Path, server: str = "moto") -> tuple[subprocess.Popen, str]:
    """Starts `server` (one of S3_SERVERS) on a free port of loopback; returns the process (stop it with stop())
    and its endpoint URL. s3rver keeps its objects in a folder beside `log`."""
    port = free_port()
    if server == "s3rver":
        data = log.with_name(f"{log.stem}-data")
        data.mkdir(parents=True, exist_ok=True)
        cmd = [shutil.which("node") or "node", str(s3rver_install()), "-d", str(data)]
        cmd += ["-a", "127.0.0.1", "-p", str(port), "--silent"]
    elif server == "moto":
        cmd = [str(Path(PY).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    else:
        raise ValueError(f"unknown S3 server {server!r}: one of {', '.join(S3_SERVERS)}")
    proc = start(cmd, dict(os.environ), log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"{server} ended (see {log})") from None
            time.sleep(0.2)
    else:
        stop(proc)
        raise RuntimeError(f"{server} does not answer on port {port}")
    return proc, f"http://127.0.0.1:{port}"


def cpu_seconds(proc: subprocess.Popen) -> float:
    """CPU time (user and system) a running process has used so far, all its threads."""
    fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
