"""deploy/nginx.conf run natively: the same file, with the container's paths, names and ports swapped for a
test's own (a folder, free ports, a self-signed certificate). Only these swaps are made; every rule of the file
(caps, headers, locations) is what the tests exercise."""

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, _free_port

CONFIG = ROOT / "deploy" / "nginx.conf"


def nginx_binary() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not path:
        pytest.fail("nginx is not installed: run the suite with bin/test, which installs it")
    return path


def self_signed(folder: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


class Nginx:
    """deploy/nginx.conf on free ports in front of `upstream` (host:port), serving `static_root`/static/."""

    def __init__(self, workdir: Path, upstream: str, static_root: Path):
        self.dir, self.upstream, self.static_root = workdir, upstream, static_root
        self.http_port, self.https_port, self.health_port = _free_port(), _free_port(), _free_port()
        self.proc: subprocess.Popen | None = None

    def config(self) -> Path:
        (self.dir / "tls").mkdir(parents=True, exist_ok=True)
        (self.dir / "cache").mkdir(exist_ok=True)
        self_signed(self.dir / "tls")
        text = CONFIG.read_text()
        swaps = {
            "pid /tmp/nginx.pid;": f"pid {self.dir}/nginx.pid;",
            "/var/cache/nginx/": f"{self.dir}/cache/",
            "/etc/nginx/tls/": f"{self.dir}/tls/",
            "root /srv;": f"root {self.static_root};",
            "server web:8000;": f"server {self.upstream};",
            "listen 80 default_server;": f"listen 127.0.0.1:{self.http_port} default_server;",
            "listen 443 ssl http2 default_server;": f"listen 127.0.0.1:{self.https_port} ssl http2 default_server;",
            "listen 127.0.0.1:8081;": f"listen 127.0.0.1:{self.health_port};",
        }
        for old, new in swaps.items():
            assert old in text, f"deploy/nginx.conf no longer has {old!r}: update tests/ops/nginx.py"
            text = text.replace(old, new)
        # No IPv6 listeners here (the test machine may have none); the access log goes to a file.
        text = "\n".join(line for line in text.splitlines() if "listen [::]" not in line)
        text = text.replace("access_log /dev/stdout posko;", f"access_log {self.dir}/access.log posko;")
        text = text.replace("error_log /dev/stderr warn;", f"error_log {self.dir}/error.log warn;")
        if os.geteuid() == 0:
            # The tests' folders are private to root, who runs them here: nginx's workers must stay root to read.
            text = "user root;\n" + text
        path = self.dir / "nginx.conf"
        path.write_text(text)
        return path

    def _args(self, config: Path) -> list[str]:
        # -e: the error log before the configuration is read (the compiled-in one may not be writable).
        return [nginx_binary(), "-c", str(config), "-p", str(self.dir), "-e", str(self.dir / "error.log")]

    def check(self) -> subprocess.CompletedProcess:
        return subprocess.run([*self._args(self.config()), "-t"], capture_output=True, text=True)

    def start(self) -> "Nginx":
        config = self.config()
        self.proc = subprocess.Popen(
            [*self._args(config), "-g", "daemon off; master_process on;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        from tests.posko.conftest import port_open, wait_for

        if (
            not wait_for(lambda: port_open(self.https_port) or self.proc.poll() is not None, 20)
            or self.proc.poll()
        ):
            raise RuntimeError(f"nginx did not start: {(self.dir / 'error.log').read_text()[-2000:]}")
        return self

    @property
    def url(self) -> str:
        return f"https://localhost:{self.https_port}"

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
