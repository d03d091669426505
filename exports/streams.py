"""Writing a generated stream of bytes to storage through Django's storage API, without holding it whole.

`StreamedFile` is what `storage.save()` is given: FileSystemStorage pulls `chunks()`, object-storage backends
`read()` parts of it; either way the bytes pass once, and their size and SHA-256 are taken on the way."""

import hashlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator

from django.core.files.base import File

CHUNK = 1024 * 1024


class _Hasher:
    """SHA-256 of a stream, computed on a thread of its own: hashlib lets go of the GIL on large buffers, so
    hashing what is written overlaps with reading and hashing what is read (a 1 GB bundle hashes every byte
    twice: once as the evidence is re-checked, once as the bundle is written). The queue is bounded, so at
    most a few chunks wait in memory."""

    def __init__(self):
        self.digest = hashlib.sha256()
        self._queue: queue.Queue = queue.Queue(maxsize=8)
        self._thread = threading.Thread(target=self._run, daemon=True, name="export-hash")
        self._thread.start()
        self._pending = bytearray()

    def _run(self):
        while (chunk := self._queue.get()) is not None:
            self.digest.update(chunk)

    def update(self, chunk: bytes) -> None:
        # Small pieces (ZIP headers) are gathered, so the thread is handed work worth a context switch.
        if len(chunk) >= 64 * 1024:
            if self._pending:
                self._queue.put(bytes(self._pending))
                self._pending.clear()
            self._queue.put(chunk)
        else:
            self._pending += chunk
            if len(self._pending) >= 64 * 1024:
                self._queue.put(bytes(self._pending))
                self._pending.clear()

    def hexdigest(self) -> str:
        if self._pending:
            self._queue.put(bytes(self._pending))
            self._pending.clear()
        self._queue.put(None)
        self._thread.join()
        return self.digest.hexdigest()

    def abandon(self) -> None:
        if self._thread.is_alive():
            self._pending.clear()
            self._queue.put(None)
            self._thread.join()


class StreamedFile(File):
    """A read-once file over an iterable of bytes, for `storage.save(name, StreamedFile(...))`."""

    def __init__(self, chunks: Iterable[bytes], name: str, on_bytes: Callable[[int], None] | None = None):
        super().__init__(None, name)
        self._iterator: Iterator[bytes] = iter(chunks)
        self._buffer = b""
        self._hasher = _Hasher()
        self._on_bytes = on_bytes
        self.written = 0
        self.sha256 = ""
        # The name the storage gave it (exports.services.build sets it after saving).
        self.saved_name = ""

    def _next(self) -> bytes | None:
        try:
            chunk = next(self._iterator)
        except StopIteration:
            if not self.sha256:
                self.sha256 = self._hasher.hexdigest()
            return None
        except BaseException:
            self._hasher.abandon()
            raise
        chunk = bytes(chunk)
        self.written += len(chunk)
        self._hasher.update(chunk)
        if self._on_bytes:
            self._on_bytes(self.written)
        return chunk

    def chunks(self, chunk_size=None):
        if self._buffer:
            data, self._buffer = self._buffer, b""
            yield data
        while (chunk := self._next()) is not None:
            if chunk:
                yield chunk

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(self.chunks())
        parts, have = [self._buffer], len(self._buffer)
        while have < size:
            chunk = self._next()
            if chunk is None:
                break
            parts.append(chunk)
            have += len(chunk)
        data = b"".join(parts)
        self._buffer = data[size:]
        return data[:size]

    def seekable(self) -> bool:
        return False

    @property
    def size(self):  # unknown until written
        return None

    def close(self):
        self._hasher.abandon()

    def __bool__(self):
        return True


def read_chunks(field_file, on_chunk: Callable[[bytes], None] | None = None) -> Iterator[bytes]:
    """The bytes of a stored file, CHUNK at a time, through the storage API (never `.path`)."""
    handle = field_file.storage.open(field_file.name, "rb")
    try:
        while chunk := handle.read(CHUNK):
            if on_chunk:
                on_chunk(chunk)
            yield chunk
    finally:
        handle.close()
