"""Optional step: a virus scan by ClamAV's daemon (clamd), when CLAMD_SOCKET or CLAMD_TCP is set.

Speaks clamd's INSTREAM command directly (clamd(8), "INSTREAM"): the bytes are sent in chunks, each
prefixed with its length as a 4-byte big-endian number, ended by a zero-length chunk."""

import socket
import struct

from django.conf import settings

from evidence.pipeline.base import Context, Rejected, TransientFailure

NAME = "virus_scan"
CHUNK = 64 * 1024


def enabled() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_TCP)


def _connect() -> socket.socket:
    if settings.CLAMD_SOCKET:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(settings.CLAMD_TIMEOUT)
        sock.connect(settings.CLAMD_SOCKET)
        return sock
    host, _, port = settings.CLAMD_TCP.rpartition(":")
    return socket.create_connection((host or "127.0.0.1", int(port)), timeout=settings.CLAMD_TIMEOUT)


def scan_file(path) -> str:
    """'' when clean, else the signature name. Raises OSError when clamd cannot be reached."""
    with _connect() as sock, open(path, "rb") as fh:
        sock.sendall(b"zINSTREAM\0")
        while chunk := fh.read(CHUNK):
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        answer = b""
        while not answer.endswith(b"\0"):
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    text = answer.rstrip(b"\0").decode("utf-8", "replace")
    if text.endswith("FOUND"):
        return text.split(":", 1)[1].rsplit(" ", 1)[0].strip()
    if text.endswith("OK"):
        return ""
    raise OSError(f"unexpected clamd answer: {text[:200]}")


def run(ctx: Context) -> str:
    if not enabled():
        return "skipped (no scanner configured)"
    try:
        found = scan_file(ctx.copy)
    except OSError as exc:
        raise TransientFailure(f"The virus scanner could not be reached: {exc}") from exc
    if found:
        raise Rejected(f"The virus scanner found {found}.", quarantine=True)
    return "clean"
