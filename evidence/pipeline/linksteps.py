"""The steps for a link: normalise and recognise it, then archive the page at once (it may vanish)."""

import contextlib
import datetime as dt
import hashlib
import io
import logging
import shutil
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import File
from django.utils import timezone

from evidence import net
from evidence.limits import unbounded_children
from evidence.links import normalize
from evidence.models import LinkCapture
from evidence.pipeline.base import Context, PermanentFailure, TransientFailure

log = logging.getLogger(__name__)


class Normalize:
    NAME = "normalize"

    @staticmethod
    def run(ctx: Context) -> str:
        item = ctx.item
        link = normalize(item.url)
        item.normalized_url, item.url_key = link.url, link.key
        item.platform, item.account, item.post_id = link.platform, link.account[:200], link.post_id[:200]
        return f"{link.platform} {link.url}"


def _warc(hops: list[net.Hop], captured: dt.datetime, out) -> None:
    """The exchange as a gzip WARC file (ISO 28500), written to `out`: one response and one request record
    per hop."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True)
    date = captured.strftime("%Y-%m-%dT%H:%M:%SZ")
    for hop in hops:
        parts = urlsplit(hop.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        response = writer.create_warc_record(
            hop.url,
            "response",
            payload=io.BytesIO(hop.body),
            http_headers=StatusAndHeaders(f"{hop.status} {hop.reason}", hop.headers, protocol="HTTP/1.1"),
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-IP-Address": hop.ip,
                **({"WARC-Truncated": "length"} if hop.truncated else {}),
            },
        )
        writer.write_record(response)
        request = writer.create_warc_record(
            hop.url,
            "request",
            http_headers=StatusAndHeaders(
                f"GET {target} HTTP/1.1", hop.request_headers, is_http_request=True
            ),
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        writer.write_record(request)


def _screenshot(url: str) -> bytes | None:
    """A screenshot in headless Chromium; requests to addresses the archiver may not fetch are blocked."""
    chromium = settings.POSKO_CHROMIUM or shutil.which("chromium") or shutil.which("chromium-browser")
    if not settings.POSKO_ARCHIVE_SCREENSHOTS or not chromium:
        return None
    from playwright.sync_api import sync_playwright

    def guard(route):
        parts = urlsplit(route.request.url)
        if parts.scheme in ("data", "blob"):
            return route.continue_()
        try:
            if parts.scheme not in ("http", "https"):
                raise net.FetchRefused(parts.scheme)
            net.resolve(parts.hostname or "", parts.port or 443)
        except (net.FetchRefused, net.FetchFailed):
            return route.abort()
        return route.continue_()

    with contextlib.ExitStack() as stack:
        with unbounded_children():
            pw = stack.enter_context(sync_playwright())
            browser = pw.chromium.launch(
                executable_path=chromium,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-quic",
                ],
            )
            stack.callback(browser.close)
        page = browser.new_page(viewport={"width": 1280, "height": 1600}, user_agent=net.USER_AGENT)
        page.route("**/*", guard)
        page.goto(url, timeout=settings.POSKO_ARCHIVE_TIMEOUT_SECONDS * 1000, wait_until="load")
        return page.screenshot(full_page=False, type="png")


class Archive:
    NAME = "archive"

    @staticmethod
    def run(ctx: Context) -> str:
        item = ctx.item
        if not settings.POSKO_ARCHIVE_LINKS:
            return "skipped (archiving is switched off)"
        url = item.normalized_url or item.url
        try:
            hops = net.fetch(url)
        except net.FetchRefused as exc:
            raise PermanentFailure(f"Not archived: {exc}.") from exc
        except net.FetchFailed as exc:
            raise TransientFailure(f"Not archived yet: {exc}.") from exc
        final = hops[-1]
        if final.status >= 500 or final.status == 429:
            raise TransientFailure(f"Not archived yet: the site answered {final.status}.")
        captured = timezone.now()
        # Written to the run's scratch folder and stored from there as a stream.
        warc_path = ctx.scratch("capture.warc.gz")
        with open(warc_path, "wb") as out:
            _warc(hops, captured, out)
        warc_digest = hashlib.sha256()
        with open(warc_path, "rb") as fh:
            while block := fh.read(1024 * 1024):
                warc_digest.update(block)
        capture = LinkCapture(
            evidence=item,
            captured_at=captured,
            final_url=final.url[:2000],
            http_status=final.status,
            content_type=dict((k.lower(), v) for k, v in final.headers).get("content-type", "")[:200],
            redirects=[{"url": h.url, "status": h.status} for h in hops[:-1]],
            body_size=len(final.body),
            body_sha256=hashlib.sha256(final.body).hexdigest(),
            truncated=final.truncated,
            warc_sha256=warc_digest.hexdigest(),
        )
        with open(warc_path, "rb") as fh:
            capture.warc.save("capture.warc.gz", File(fh), save=False)
        notes = [f"HTTP {final.status}", f"{len(final.body)} bytes"]
        try:
            shot = _screenshot(final.url)
        except Exception as exc:  # noqa: BLE001 - a screenshot is a bonus; the WARC is the record
            log.warning("screenshot of %s failed: %s", final.url, exc)
            shot, notes = None, [*notes, f"no screenshot ({exc.__class__.__name__})"]
        if shot:
            capture.screenshot_sha256 = hashlib.sha256(shot).hexdigest()
            capture.screenshot.save("screenshot.png", File(io.BytesIO(shot)), save=False)
            notes.append("screenshot")
        capture.save()
        if final.truncated:
            item.status_reason = (
                f"Archived the first {settings.POSKO_ARCHIVE_MAX_BYTES // (1024 * 1024)} MB only: "
                "the page is larger than the archive limit."
            )
        elif final.status >= 400:
            item.status_reason = f"Archived, but the site answered {final.status} (the post may be gone)."
        return ", ".join(notes)
