"""Fetching a page to archive it, within strict bounds: size, total time, redirects, and never a private,
loopback or link-local address (unless POSKO_ARCHIVE_ALLOW_PRIVATE, which the tests use for their own local
server). Each hop is resolved once and the connection goes to the checked address, so DNS cannot point it
elsewhere between the check and the request."""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings

USER_AGENT = "PoskoArchiver/1.0 (evidence preservation for an election complaint desk)"


class FetchRefused(Exception):
    """The address may not be fetched (private network, odd scheme or port). Permanent."""


class FetchFailed(Exception):
    """The network failed (timeout, refused, DNS, 5xx). Worth retrying."""


@dataclass
class Hop:
    url: str
    ip: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    request_headers: list[tuple[str, str]]
    body: bytes = b""
    truncated: bool = False
    at: float = field(default_factory=time.time)


def address_allowed(ip: str) -> bool:
    if settings.POSKO_ARCHIVE_ALLOW_PRIVATE:
        return True
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> str:
    """The first address of `host`, after checking that every address it resolves to is allowed."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        addresses = [str(literal)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise FetchFailed(f"the host name {host} could not be resolved") from exc
        addresses = [info[4][0] for info in infos]
    for address in addresses:
        if not address_allowed(address):
            raise FetchRefused(
                f"{host} points to a private or local network address ({address}); not fetched"
            )
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host, port, ip, timeout):
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self):
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, ip, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self):
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _one(url: str, deadline: float, max_bytes: int) -> Hop:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused(f"only http and https links can be archived, not {parts.scheme or 'this'}")
    if parts.username or parts.password:
        raise FetchRefused("links with credentials are not fetched")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    ip = resolve(parts.hostname, port)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchFailed("the page took too long to answer")
    cls = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    conn = cls(parts.hostname, port, ip, timeout=min(remaining, settings.POSKO_ARCHIVE_TIMEOUT_SECONDS))
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = [
        ("Host", parts.netloc.rsplit("@", 1)[-1]),
        ("User-Agent", USER_AGENT),
        ("Accept", "*/*"),
        ("Accept-Encoding", "identity"),
        ("Accept-Language", "id,en;q=0.8"),
        ("Connection", "close"),
    ]
    try:
        conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
        for name, value in request_headers:
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        chunks, size, truncated = [], 0, False
        while True:
            if time.monotonic() > deadline:
                raise FetchFailed("the page took too long to send")
            chunk = response.read(64 * 1024)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                chunks.append(chunk[: len(chunk) - (size - max_bytes)])
                truncated = True
                break
            chunks.append(chunk)
        return Hop(
            url=url,
            ip=ip,
            status=response.status,
            reason=response.reason or "",
            headers=[(k, v) for k, v in response.getheaders()],
            request_headers=request_headers,
            body=b"".join(chunks),
            truncated=truncated,
        )
    except TimeoutError as exc:
        raise FetchFailed("the page took too long to answer") from exc
    except ssl.SSLError as exc:
        raise FetchFailed(f"the secure connection failed ({exc.reason or exc.__class__.__name__})") from exc
    except (ConnectionError, OSError, http.client.HTTPException) as exc:
        raise FetchFailed(f"the connection failed ({exc.__class__.__name__})") from exc
    finally:
        conn.close()


def fetch(url: str) -> list[Hop]:
    """Every hop from `url` to the final page (redirects followed up to POSKO_ARCHIVE_MAX_REDIRECTS)."""
    deadline = time.monotonic() + settings.POSKO_ARCHIVE_TIMEOUT_SECONDS
    hops: list[Hop] = []
    current = url
    for _ in range(settings.POSKO_ARCHIVE_MAX_REDIRECTS + 1):
        hop = _one(current, deadline, settings.POSKO_ARCHIVE_MAX_BYTES)
        hops.append(hop)
        location = dict((k.lower(), v) for k, v in hop.headers).get("location")
        if hop.status in (301, 302, 303, 307, 308) and location:
            current = urljoin(current, location)
            continue
        return hops
    raise FetchRefused(f"more than {settings.POSKO_ARCHIVE_MAX_REDIRECTS} redirects")
