"""/lapor/ on the wire in production mode: collected, fingerprinted, compressed assets served by WhiteNoise
from gunicorn, fetched by headless Chromium with its own Accept-Encoding."""

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT, _free_port, database_url_for_subprocess

pytestmark = pytest.mark.browser

BUDGET = 150 * 1024


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """The static files collected as production collects them: fingerprinted, gzip and brotli copies."""
    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "POSKO_DEBUG": "0", "POSKO_STATIC_MANIFEST": "1", "STATIC_ROOT": str(root)}
    # The public pages load only the project's own assets; the admin's and the API docs' files (40 MB) would
    # take minutes to compress on a shared 2-core machine and play no part here.
    skip = ["-i", "admin", "-i", "drf_spectacular_sidecar", "-i", "rest_framework"]
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", *skip],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return root


@pytest.fixture(params=["0", "1"], ids=["production", "bin-run-debug"])
def production_server(request, ref_data, collected_static, tmp_path):
    """gunicorn on the test database with the collected static files, with POSKO_DEBUG=0 as in production
    and with POSKO_DEBUG=1 as bin/run runs (assets must be served the same way)."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url_for_subprocess(),
            "POSKO_DEBUG": request.param,
            "POSKO_STATIC_MANIFEST": "1",
            "STATIC_ROOT": str(collected_static),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "DATABASE_CONN_MAX_AGE": "0",
        }
    )
    port = _free_port()
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "posko.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/healthz/", timeout=2)  # noqa: S310 (our own local server)
            break
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail((tmp_path / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def test_the_report_form_weighs_under_150_kb_on_the_wire(browser, production_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="id-ID")
    page = context.new_page()
    seen = []
    page.on("requestfinished", lambda request: seen.append(request))
    page.goto(production_server + "/lapor/", wait_until="networkidle")
    rows = []
    for request in seen:
        sizes = request.sizes()
        response = request.response()
        headers = response.all_headers()
        rows.append(
            {
                "url": request.url.replace(production_server, ""),
                "wire": sizes["responseBodySize"] + sizes["responseHeadersSize"],
                "encoding": headers.get("content-encoding", ""),
                "cache": headers.get("cache-control", ""),
                "accept": request.all_headers().get("accept-encoding", ""),
            }
        )
    context.close()
    total = sum(r["wire"] for r in rows)
    report = "\n".join(f"{r['wire']:>8} {r['encoding']:>5} {r['url']}" for r in rows)
    print(f"\n/lapor/ on the wire: {total} bytes ({total / 1024:.1f} kB)\n{report}")
    assert total < BUDGET, report
    assets = [r for r in rows if "/static/" in r["url"]]
    assert assets and not any("bootstrap-icons" in r["url"] for r in assets)
    for r in assets:
        # Fingerprinted names, compressed as the browser asked, cacheable for a year.
        assert r["encoding"] in ("br", "gzip"), r
        assert "max-age=315360000" in r["cache"] and "immutable" in r["cache"], r
