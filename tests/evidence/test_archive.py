"""Archiving links against a local HTTP server the test starts (tests never reach the internet)."""

import contextlib
import gzip
import hashlib
import http.server
import io
import threading
import time

import pytest
from warcio.archiveiterator import ArchiveIterator

from evidence import pipeline, services
from evidence.models import Evidence
from tests.factories import ReportFactory

PAGE = (
    b"<!doctype html><html><head><title>Camat ikut kampanye</title></head><body style='background:#c00'>"
    b"<h1>Foto bersama calon</h1><p>Unggahan terlapor.</p></body></html>"
)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        path = self.path.split("?")[0]
        if path == "/post":
            self._send(200, PAGE, [("Content-Type", "text/html; charset=utf-8")])
        elif path == "/short":
            self._send(301, headers=[("Location", "/hop")])
        elif path == "/hop":
            self._send(302, headers=[("Location", f"http://127.0.0.1:{self.server.server_port}/post?x=1")])
        elif path == "/loop":
            self._send(302, headers=[("Location", "/loop")])
        elif path == "/big":
            self._send(200, b"A" * (3 * 1024 * 1024), [("Content-Type", "text/plain")])
        elif path == "/slow":
            time.sleep(3)
            self._send(200, PAGE)
        elif path == "/gone":
            self._send(404, b"<h1>Halaman tidak ditemukan</h1>", [("Content-Type", "text/html")])
        elif path == "/broken":
            self._send(503, b"down")
        else:
            self._send(404)


@pytest.fixture
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def archiving(settings):
    settings.POSKO_ARCHIVE_LINKS = True
    settings.POSKO_ARCHIVE_ALLOW_PRIVATE = True
    settings.POSKO_ARCHIVE_TIMEOUT_SECONDS = 2
    settings.POSKO_ARCHIVE_MAX_BYTES = 1024 * 1024
    return settings


def link(url):
    return services.evidence_attach_link(report=ReportFactory(), url=url)


def run(item, **kwargs):
    with contextlib.suppress(pipeline.TransientFailure):
        pipeline.run(evidence_id=item.pk, **kwargs)
    item.refresh_from_db()
    return item


def warc_records(capture):
    with capture.warc.open("rb") as fh:
        data = fh.read()
    assert hashlib.sha256(data).hexdigest() == capture.warc_sha256
    return [
        (
            r.rec_type,
            r.rec_headers.get_header("WARC-Target-URI"),
            r.http_headers.get_statuscode() if r.rec_type == "response" else None,
            r.content_stream().read(),
        )
        for r in ArchiveIterator(io.BytesIO(data))
    ]


def test_a_page_is_archived_as_warc_with_its_hash_and_time(db, site, archiving):
    item = run(link(f"{site}/post?utm_source=wa"))
    assert item.status == Evidence.Status.READY, item.status_reason
    capture = item.captures.get()
    assert capture.http_status == 200 and capture.final_url == f"{site}/post"
    assert capture.body_sha256 == hashlib.sha256(PAGE).hexdigest()
    assert capture.captured_at and not capture.truncated
    responses = [r for r in warc_records(capture) if r[0] == "response"]
    assert responses == [("response", f"{site}/post", "200", PAGE)]


def test_redirects_are_followed_and_recorded(db, site, archiving):
    item = run(link(f"{site}/short"))
    capture = item.captures.get()
    assert capture.final_url == f"{site}/post?x=1"
    assert [r["status"] for r in capture.redirects] == [301, 302]
    kinds = [(r[0], r[2]) for r in warc_records(capture)]
    assert ("response", "301") in kinds and ("response", "302") in kinds and ("response", "200") in kinds


def test_a_redirect_loop_is_refused(db, site, archiving):
    item = run(link(f"{site}/loop"))
    assert item.status == Evidence.Status.FAILED and "redirects" in item.status_reason
    assert not item.captures.exists()


def test_a_too_large_page_keeps_its_first_part_and_says_so(db, site, archiving):
    item = run(link(f"{site}/big"))
    capture = item.captures.get()
    assert capture.truncated and capture.body_size == 1024 * 1024
    assert item.status == Evidence.Status.READY and "first 1 MB" in item.status_reason


def test_a_slow_page_fails_for_now_and_is_retried(db, site, archiving):
    item = run(link(f"{site}/slow"), final_attempt=False)
    assert item.status == Evidence.Status.FAILED and "too long" in item.status_reason
    assert item.steps.get("retry") is True
    # The retry may claim it again; the last attempt leaves it failed with the reason and no retry flag.
    item = run(item, retrying=True, final_attempt=True)
    assert item.status == Evidence.Status.FAILED and "too long" in item.status_reason
    assert "retry" not in item.steps


def test_a_server_error_is_transient(db, site, archiving):
    item = run(link(f"{site}/broken"), final_attempt=False)
    assert (
        item.status == Evidence.Status.FAILED and item.steps["retry"] is True and "503" in item.status_reason
    )


def test_a_missing_page_is_archived_as_gone(db, site, archiving):
    item = run(link(f"{site}/gone"))
    assert item.status == Evidence.Status.READY and "404" in item.status_reason
    assert item.captures.get().http_status == 404


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "10.0.0.8", "192.168.1.1", "169.254.169.254", "[::1]"]
)
def test_private_loopback_and_link_local_addresses_are_refused(db, site, archiving, host):
    archiving.POSKO_ARCHIVE_ALLOW_PRIVATE = False
    port = site.rsplit(":", 1)[1]
    item = run(link(f"http://{host}:{port}/post"))
    assert item.status == Evidence.Status.FAILED
    assert "private or local network" in item.status_reason and "retry" not in item.steps
    assert not item.captures.exists()


def test_a_screenshot_is_taken_in_chromium(db, site, archiving):
    archiving.POSKO_ARCHIVE_SCREENSHOTS = True
    archiving.POSKO_ARCHIVE_TIMEOUT_SECONDS = 20
    from tests.conftest import chromium_path

    archiving.POSKO_CHROMIUM = chromium_path()
    item = run(link(f"{site}/post"))
    capture = item.captures.get()
    assert capture.screenshot, item.steps["archive"]
    with capture.screenshot.open("rb") as fh:
        png = fh.read()
    assert png.startswith(b"\x89PNG") and hashlib.sha256(png).hexdigest() == capture.screenshot_sha256
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.getpixel((5, 5)) == (204, 0, 0)  # the page's red background, rendered


def test_the_warc_is_valid_gzip(db, site, archiving):
    capture = run(link(f"{site}/post")).captures.get()
    with capture.warc.open("rb") as fh:
        assert gzip.decompress(fh.read()).startswith(b"WARC/1")


def test_in_process_mode_does_not_retry_inside_the_request(db, archiving, django_capture_on_commit_callbacks):
    """Without a broker tasks run in the web request: a network failure must end at once, with its reason."""
    from tests.conftest import _free_port

    with django_capture_on_commit_callbacks(execute=True):
        item = link(f"http://127.0.0.1:{_free_port()}/nothing-listens-here")
        services.evidence_enqueue([item.pk])
    item.refresh_from_db()
    assert item.status == Evidence.Status.FAILED and "connection failed" in item.status_reason
    assert item.attempts == 1
