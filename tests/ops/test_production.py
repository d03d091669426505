"""Posko in production mode, run natively with the processes docker-compose.yml runs in containers: nginx with
deploy/nginx.conf (TLS, static files) in front of gunicorn, a quick and a heavy Celery worker (POSKO_WORKER_KIND),
beat, PostgreSQL, Redis and S3-compatible object storage (the moto server bin/test starts), with POSKO_DEBUG=0
and the collected static files. A report goes in over HTTPS with files and a link, is processed by the workers,
is taken to a referral through the staff API, and its case bundle is checked against what the bucket holds.
Then the backup drill: pg_dump and pg_restore into a fresh database, the bucket copied to a fresh bucket, a
portal started on the copies, and a bundle of the restored case verifies the same way."""

import gzip
import hashlib
import json
import re
import subprocess
import threading
import uuid
from urllib.parse import urlsplit

import pytest
import requests
from django.utils import timezone
from knox.models import AuthToken

from complaints.models import Assessment, Report, ViolationCategory
from complaints.services import workflow
from evidence.models import Evidence, LinkCapture
from exports.keys import key_new_pem
from tests.conftest import Worker, database_url_for_subprocess, queues_purge
from tests.exports.helpers import Site, openssl_verify, sha256sum_check, unpack
from tests.factories import staff, valid_api_data
from tests.ops.nginx import Nginx
from tests.ops.processes import (
    APP_PASSWORD,
    APP_ROLE,
    Beat,
    app_role_url,
    collected_static,
    database_create,
    database_drop,
    pg_tool,
    url_as,
    wait_until,
)
from tests.posko.conftest import Gunicorn
from tests.samples import jpeg_with_exif, pdf_bytes
from tests.storage import CREDENTIALS, S3Store, s3_bucket_new, s3_settings_for

pytestmark = [pytest.mark.worker, pytest.mark.timeout(420)]
S = Report.Status
REASON = "Diteruskan ke BKN sebagai lampiran rekomendasi"
# Kinds of bundle files copied from object storage (the case file PDF and the manifests are made by the export).
STORED_KINDS = {"original", "viewing_copy", "link_archive", "screenshot", "letter", "signed_scan"}


class Deployment:
    """One portal: nginx → gunicorn, a quick and a heavy worker (and beat), on one database and one bucket."""

    def __init__(self, workdir, *, database_url: str, bucket: S3Store, key_file, namespace=None, beat=False):
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.static_root = collected_static()
        self.env = {
            "POSKO_DEBUG": "0",
            "DATABASE_URL": database_url,
            "POSKO_S3_BUCKET": bucket.bucket,
            "POSKO_S3_ENDPOINT_URL": bucket.endpoint,
            "POSKO_S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
            "POSKO_S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
            "POSKO_STATIC_MANIFEST": "1",
            "STATIC_ROOT": str(self.static_root),
            "MEDIA_ROOT": str(self.dir / "media-unused"),
            "POSKO_EXPORT_KEY": str(key_file),
            "POSKO_LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            # Links are fetched from the local server this test starts (a private address).
            "POSKO_ARCHIVE_LINKS": "1",
            "POSKO_ARCHIVE_ALLOW_PRIVATE": "1",
            "POSKO_ARCHIVE_SCREENSHOTS": "0",
            "POSKO_ARCHIVE_TIMEOUT_SECONDS": "10",
        }
        if namespace:
            # Another portal's queues in the same Redis (the test's own namespace is inherited otherwise).
            self.env["POSKO_NAMESPACE"] = namespace
        self.bucket = bucket
        web_env = {
            **self.env,
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "SECURE_PROXY_SSL": "1",
            "POSKO_PROXY_ADDRESSES": "127.0.0.1/32",
            "POSKO_METRICS_ALLOWED": "127.0.0.1/32",
            "PROMETHEUS_MULTIPROC_DIR": str(self.dir / "metrics"),
        }
        self.web = Gunicorn(self.dir / "web.log", web_env, workers=2)
        self.quick = Worker(self.dir, self.dir / "quick.log", env=self.env, kind="quick")
        self.heavy = Worker(self.dir, self.dir / "heavy.log", env=self.env, kind="heavy")
        # The sweep every 2 s, so that this short test sees beat schedule it.
        self.beat = Beat(self.dir, {**self.env, "POSKO_SWEEP_SECONDS": "2"}) if beat else None
        self.nginx = None

    def start(self) -> "Deployment":
        # Started side by side: each needs seconds of CPU to import Django and Celery.
        threads = [threading.Thread(target=p.start) for p in (self.web, self.quick, self.heavy)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for process in (self.web, self.quick, self.heavy):
            assert process.proc and process.proc.poll() is None, process.log_path.read_text()[-3000:]
        if self.beat:
            self.beat.start()
        # nginx serves `root`/static/ (the compose volume is mounted at /srv/static): the same shape here.
        (self.dir / "srv").mkdir(exist_ok=True)
        (self.dir / "srv" / "static").symlink_to(self.static_root)
        self.nginx = Nginx(self.dir / "nginx", f"127.0.0.1:{self.web.port}", self.dir / "srv").start()
        return self

    def stop(self) -> None:
        for process in (self.nginx, self.beat, self.heavy, self.quick, self.web):
            if process is not None and process.proc is not None:
                process.stop()

    @property
    def cert(self) -> str:
        return str(self.nginx.dir / "tls" / "fullchain.pem")

    def https(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        """A request through nginx over TLS; `path` may be an absolute URL the portal gave (its path is used)."""
        if path.startswith("https://"):
            parts = urlsplit(path)
            assert parts.hostname == "localhost", path
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Token {token}"
        return requests.request(
            method, self.nginx.url + path, headers=headers, verify=self.cert, timeout=60, **kwargs
        )

    def logs(self) -> str:
        return "\n".join(p.log_path.read_text()[-2000:] for p in (self.web, self.quick, self.heavy))


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "posko-export-key.pem"
    path.write_bytes(key_new_pem())
    return path


@pytest.fixture
def bucket(settings):
    store = s3_bucket_new()
    # The test reads through the same storage the processes use.
    settings.STORAGES = {**settings.STORAGES, "evidence": s3_settings_for(store)}
    yield store
    store.remove_bucket()


def export_bundle(deployment: Deployment, case_id: int, token: str, tmp_path):
    """Ask for a case bundle through the API, wait for the heavy worker to build it, download it through nginx;
    returns (zip bytes, unpacked folder, the export's API record)."""
    created = deployment.https(
        "POST", f"/api/v1/cases/{case_id}/exports/", token, json={"kind": "bundle", "reason": REASON}
    )
    assert created.status_code == 202, created.text
    # The portal builds its links from X-Forwarded-Proto and the Host nginx passes.
    assert created.json()["url"].startswith("https://localhost/")
    detail = wait_until(
        lambda: (
            (r := deployment.https("GET", created.json()["url"], token).json())["status"]
            in ("done", "failed")
            and r
        ),
        120,
        "the bundle",
        deployment.heavy.log_path,
    )
    assert detail["status"] == "done", detail
    download = deployment.https("GET", detail["download_url"], token)
    assert download.status_code == 200
    data = download.content
    assert hashlib.sha256(data).hexdigest() == detail["sha256"]
    root = unpack(data, tmp_path / f"bundle-{uuid.uuid4().hex[:6]}")
    checked = sha256sum_check(root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    verified = openssl_verify(root)
    assert verified.returncode == 0 and "Signature Verified Successfully" in verified.stdout
    return data, root, detail


def assert_bundle_matches_bucket(root, data: bytes, bucket: S3Store) -> dict:
    """Every stored file in the bundle has the bytes the bucket holds (and had at intake), each original is the
    object its evidence row names, and the bundle itself is stored there byte for byte. Returns {path: sha256}."""
    held = {hashlib.sha256(bucket.read(name)).hexdigest(): name for name in bucket.files()}
    manifest = json.loads((root / "manifest.json").read_text())
    stored = [f for f in manifest["files"] if f["kind"] in STORED_KINDS]
    assert {f["kind"] for f in stored} >= {"original", "link_archive"}
    for f in stored:
        assert f["sha256"] in held, f"{f['path']} is not what the bucket holds"
        assert (root / f["path"]).read_bytes() == bucket.read(held[f["sha256"]])
        if f["intake_sha256"]:
            assert f["sha256"] == f["intake_sha256"]
    assert hashlib.sha256(data).hexdigest() in held, "the bundle is not in the bucket"
    for f in stored:
        if f["kind"] == "original":
            assert bucket.sha256(Evidence.objects.get(pk=f["evidence_id"]).file.name) == f["sha256"]
    return {f["path"]: f["sha256"] for f in stored}


def test_a_report_goes_from_https_intake_to_a_verified_bundle_and_survives_a_restore(
    ref_data, bucket, key_file, tmp_path, settings
):
    """GIVEN the production processes on PostgreSQL, Redis and a bucket, with POSKO_DEBUG=0 and collected statics
    WHEN a citizen files a report with a photo, a PDF and a link over HTTPS, staff take it to a referral through
    the staff API and export its bundle
    THEN the workers process every item, the bundle verifies (sha256sum, openssl) and its files are the bucket's
    AND after pg_dump/pg_restore and a copy of the bucket, a portal on the copies exports a bundle of the same
    case whose files have the same hashes and verify against the restored bucket."""
    settings.POSKO_EXPORT_KEY = str(key_file)
    queues_purge()
    # The processes run as the role docker-compose.yml's database gives them (deploy/postgres-init): no owner of
    # any table, no superuser. Everything below works with that role alone, and it cannot switch off the
    # append-only triggers.
    app_url = app_role_url(database_url_for_subprocess())
    deployment = Deployment(
        tmp_path / "live",
        database_url=app_url,
        bucket=bucket,
        key_file=key_file,
        beat=True,
    )
    try:
        deployment.start()
        with Site() as site:
            first_bundle = _live_flow(deployment, site, tmp_path)
        _app_role_cannot_lift_the_triggers(app_url)
    finally:
        deployment.stop()
    _restore_drill(first_bundle, bucket, key_file, tmp_path)


def _app_role_cannot_lift_the_triggers(url: str) -> None:
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
            assert cursor.fetchone() == (APP_ROLE, False)
            for lift in (
                "ALTER TABLE complaints_reportevent DISABLE TRIGGER ALL",
                "SET session_replication_role = replica",
            ):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cursor.execute(lift)
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'complaints_reportevent'::regclass"
                " AND tgname LIKE 'pgtrigger_event_append_only%%'"
            )
            (trigger,) = cursor.fetchone()
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cursor.execute(f"DROP TRIGGER {trigger} ON complaints_reportevent")
            # The case's timeline the processes wrote as this role cannot be rewritten by it.
            cursor.execute("SELECT count(*) FROM complaints_reportevent")
            assert cursor.fetchone()[0] > 0
            with pytest.raises(psycopg2.errors.RaiseException):
                cursor.execute("UPDATE complaints_reportevent SET note = 'x'")
    finally:
        conn.close()


def _live_flow(deployment: Deployment, site: Site, tmp_path):
    # --- Production mode: static files from nginx, /metrics kept in, the proxy believed ----------------------
    home = deployment.https("GET", "/")
    assert home.status_code == 200, home.text[-2000:]
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', home.text)
    assert css, "no fingerprinted stylesheet: static files are not the collected ones"
    asset = deployment.https("GET", css.group(1), headers={"Accept-Encoding": "gzip"})
    assert asset.status_code == 200 and "immutable" in asset.headers["Cache-Control"]
    # One HSTS header on pages and on static files alike (requests joins repeated headers with a comma).
    for response in (home, asset):
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert deployment.https("GET", "/metrics").status_code == 404
    direct = f"http://127.0.0.1:{deployment.web.port}/metrics"
    assert "posko_queue_length" in requests.get(direct, timeout=10).text
    # From the proxy's address, X-Forwarded-For names the client: a public client is refused /metrics.
    assert requests.get(direct, headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10).status_code == 404
    # nginx refuses a body above its default cap before gunicorn sees it.
    too_big = deployment.https("POST", "/staf/masuk/", data=b"x" * (22 * 1024 * 1024))
    assert too_big.status_code == 413
    # ... and lets the same body through where reports and tus pieces arrive (the portal answers, not nginx).
    body = b"x" * (22 * 1024 * 1024)
    assert deployment.https("POST", "/api/v1/reports/", data=body).status_code == 415  # not multipart
    piece = deployment.https(
        "PATCH", f"/lapor/unggah/{uuid.uuid4()}/", data=body, headers={"Tus-Resumable": "1.0.0"}
    )
    assert piece.status_code == 403  # the portal's CSRF check (no session here), not nginx's 413

    # --- A citizen files a report over HTTPS -------------------------------------------------------------------
    link = f"{site.url}/camat.kanigaran/posts/123456789"
    photo, pdf = jpeg_with_exif(), pdf_bytes()
    filed = deployment.https(
        "POST",
        "/api/v1/reports/",
        data=valid_api_data(links=[link]),
        files=[
            ("files", ("IMG_20241120_101500.jpg", photo, "image/jpeg")),
            ("files", ("undangan kampanye.pdf", pdf, "application/pdf")),
        ],
    )
    assert filed.status_code == 201, filed.text
    report = Report.objects.get(tracking_code=filed.json()["tracking_code"])

    # --- The quick worker processes the files, the heavy one archives the link ----------------------------------
    def processed():
        items = list(Evidence.objects.filter(report=report))
        return len(items) == 3 and all(i.status == Evidence.Status.READY for i in items)

    wait_until(processed, 90, "processing of the three items", deployment.heavy.log_path)
    items = {e.kind: e for e in Evidence.objects.filter(report=report)}
    quick_log, heavy_log = deployment.quick.log_path.read_text(), deployment.heavy.log_path.read_text()
    for kind, log in (("photo", quick_log), ("document", quick_log), ("link", heavy_log)):
        assert f"evidence {items[kind].pk} ready" in log, f"the {kind} was not processed on its queue"
    # nginx's request id came back from the portal and went with the tasks the request queued.
    assert filed.headers["X-Request-ID"] and filed.headers["X-Request-ID"] in quick_log
    assert hashlib.sha256(photo).hexdigest() == items["photo"].sha256
    assert deployment.bucket.sha256(items["photo"].file.name) == items["photo"].sha256
    capture = LinkCapture.objects.get(evidence__report=report)
    assert capture.warc_sha256 and b"Camat ikut kampanye" in gzip.decompress(
        deployment.bucket.read(capture.warc.name)
    )
    # Beat schedules the sweep on its own queue.
    wait_until(
        lambda: "evidence" in deployment.beat.log_path.read_text(),
        30,
        "beat's sweep",
        deployment.beat.log_path,
    )

    # --- Staff take it to a referral through the staff API (knox tokens) -----------------------------------------
    volunteer = staff("relawan", "relawan", ["35"])
    officer = staff("petugas", "staf", ["35.74"])
    coordinator = staff("koordinator", "koordinator", ["35"])
    tokens = {u.username: AuthToken.objects.create(user=u)[1] for u in (volunteer, officer, coordinator)}

    def move(user, to_status):
        response = deployment.https(
            "POST",
            f"/api/v1/cases/{report.pk}/transition/",
            tokens[user.username],
            json={"to_status": to_status},
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == to_status

    move(volunteer, S.TRIAGE)
    move(volunteer, S.INVESTIGATION)
    report.refresh_from_db()
    # Steps the API has no door for yet are taken with the services, as the staff pages do.
    workflow.clarification_skip(
        report=report, user=officer, reason="Terlapor mengakui dalam unggahan sendiri."
    )
    move(officer, S.ASSESSMENT)
    report.refresh_from_db()
    workflow.assessment_record(
        report=report,
        user=officer,
        findings="ASN berfoto dengan calon.",
        categories=ViolationCategory.objects.filter(slug="etik-foto-bersama"),
        legal_basis="SKB 2/2022",
        recommended_sanction="moral",
        criminal_element=False,
        decision=Assessment.Decision.OTHER_LAW,
    )
    report.refresh_from_db()
    workflow.referral_record(
        report=report,
        user=officer,
        letter_number="123/PP.01/K.JI-22/XII/2024",
        sent_on=timezone.localdate(),
    )
    refused = deployment.https(
        "POST", f"/api/v1/cases/{report.pk}/transition/", tokens["petugas"], json={"to_status": S.REFERRED}
    )
    assert refused.status_code == 403  # coordinators approve referrals
    move(coordinator, S.REFERRED)

    # --- The bundle, checked against the bucket ----------------------------------------------------------------
    data, root, _detail = export_bundle(deployment, report.pk, tokens["petugas"], tmp_path)
    hashes = assert_bundle_matches_bucket(root, data, deployment.bucket)
    return {"case": report.pk, "token": tokens["petugas"], "hashes": hashes}


def _restore_drill(first: dict, bucket: S3Store, key_file, tmp_path) -> None:
    """The operator's procedure of docs/production.md, "Backup and restore", on this machine."""
    live_url = database_url_for_subprocess()
    dump = tmp_path / "posko.dump"
    subprocess.run(
        [pg_tool("pg_dump"), "--format=custom", f"--file={dump}", "--dbname", live_url], check=True
    )
    restored_url = database_create(live_url, f"{live_url.rpartition('/')[2]}_restored")
    copy = S3Store(bucket.endpoint, f"posko-restored-{uuid.uuid4().hex[:12]}")
    copy.client.create_bucket(Bucket=copy.bucket)
    restored = None
    try:
        subprocess.run(
            [pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", restored_url, str(dump)],
            check=True,
        )
        for name in bucket.files():
            copy.client.copy_object(
                Bucket=copy.bucket, Key=name, CopySource={"Bucket": bucket.bucket, "Key": name}
            )
        # The live copy is gone, as after losing the machine: empty the original bucket.
        for name in bucket.files():
            bucket.client.delete_object(Bucket=bucket.bucket, Key=name)
        # The restore keeps the grants of the role the processes run as (pg_restore restores privileges).
        restored = Deployment(
            tmp_path / "restored",
            database_url=url_as(restored_url, APP_ROLE, APP_PASSWORD),
            bucket=copy,
            key_file=key_file,
            namespace=f"restored{uuid.uuid4().hex[:8]}",
        ).start()
        case = restored.https("GET", f"/api/v1/cases/{first['case']}/", first["token"])
        assert case.status_code == 200 and case.json()["status"] == S.REFERRED
        data, root, _detail = export_bundle(restored, first["case"], first["token"], tmp_path)
        hashes = assert_bundle_matches_bucket(root, data, copy)
        assert sorted(hashes.values()) == sorted(first["hashes"].values())
    finally:
        if restored is not None:
            restored.stop()
        database_drop(restored_url)
        copy.remove_bucket()
