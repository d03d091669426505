"""The one storage layer for evidence files: originals, viewing copies, thumbnails, link archives, staged
uploads (and, in other apps, letters and bundles) all live in `storages["evidence"]`.

Two backends: a local folder (the embedded default, `MEDIA_ROOT`), whose writes are flushed to disk before
they are reported done, and S3-compatible object storage through django-storages (MinIO, Ceph, AWS), chosen
by `POSKO_S3_BUCKET`. Code outside this module never asks for a file's path: files are read and written as
streams, in blocks, so a 2 GB video never sits in memory, and a decoder that needs a path gets a scratch
copy that is removed when it is done (evidence.pipeline.hashing.take).
"""

import contextlib
import contextvars
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from storages.backends.s3 import S3Storage
from storages.utils import ReadBytesWrapper, clean_name, is_seekable

BLOCK = 1024 * 1024


def _fsync(path: str, *, folder: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if folder else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _flush(path: str) -> None:
    """The file and its entry in its folder, on disk."""
    _fsync(path)
    _fsync(os.path.dirname(path), folder=True)


class _Flush(threading.Thread):
    def __init__(self, path: str, *, folder: bool):
        super().__init__(name="evidence-flush", daemon=True)
        self.path, self.folder = path, folder
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            _fsync(self.path, folder=self.folder)
        except BaseException as exc:  # noqa: BLE001 - handed to the thread that waits for it
            self.error = exc


class Flushes:
    """The flushes to disk of the files saved inside one `flushes_started()` block, running in the background.
    Each file's flush starts as soon as it is written; each folder that received files is flushed once, when
    the block ends (its last new entry is in it by then): two copies written side by side cost three flushes
    instead of four, each a commit of the file system's journal and a cache flush of the disk (fsync(2);
    ext4 sends the disk a cache flush even when a file's flush already committed the folder's entry).
    `wait()` returns once all of them are done and raises the first error."""

    def __init__(self) -> None:
        self._running: list[_Flush] = []
        self._folders: dict[str, None] = {}  # in the order they were written to

    def _start(self, path: str, *, folder: bool) -> None:
        flush = _Flush(path, folder=folder)
        flush.start()
        self._running.append(flush)

    def file_saved(self, path: str) -> None:
        self._start(path, folder=False)
        self._folders.setdefault(os.path.dirname(path))

    def folders_start(self) -> None:
        for folder in self._folders:
            self._start(folder, folder=True)
        self._folders.clear()

    def wait(self) -> None:
        running, self._running = self._running, []
        for flush in running:
            flush.join()
        errors = [flush.error for flush in running if flush.error is not None]
        if errors:
            raise errors[0]


_flushing: contextvars.ContextVar[Flushes | None] = contextvars.ContextVar("evidence_flushing", default=None)


class DurableFileSystemStorage(FileSystemStorage):
    """A local folder whose every written file is flushed (fsync) to the disk, and its folder entry too,
    before `save()` returns: the report's transaction commits only after its originals are safe from a
    power cut (PostgreSQL's own commit is durable; the files must be at least as durable as the rows that
    name them). Inside `flushes_started()` the flushes run in the background instead, and the caller waits
    for them before it saves the row that names the files."""

    def _save(self, name, content):
        name = super()._save(name, content)
        path = self.path(name)
        pending = _flushing.get()
        if pending is None:
            _flush(path)
        else:
            pending.file_saved(path)
        return name


@contextlib.contextmanager
def flushes_started() -> Iterator[Flushes]:
    """Files the local evidence storage saves inside this block are flushed to disk in the background, and their
    folders once each when the block ends; the caller must call `wait()` on what it yields before it saves a
    row naming the files (and should, errors aside, before it forgets it). For a caller that writes several
    files and has more work to do before that row: a flush is a journal commit of the file system and a cache
    flush of the disk, milliseconds during which the caller computes, and flushes issued together can share
    one commit. Elsewhere (S3) it changes nothing."""
    flushes = Flushes()
    token = _flushing.set(flushes)
    try:
        yield flushes
    finally:
        _flushing.reset(token)
        flushes.folders_start()


class EvidenceS3Storage(S3Storage):
    """S3-compatible object storage for evidence. Private objects (no ACL, signed URLs only), names made of
    ids and overwritten in place (a re-run replaces its own derived copies), and transfers in bounded
    chunks."""

    def __init__(self, **settings):
        # At most max_concurrency × chunk size in flight per transfer (2 × 8 MiB), so uploading or downloading
        # a 2 GB video costs tens of megabytes of memory, not gigabytes.
        transfer = TransferConfig(
            multipart_threshold=8 * BLOCK, multipart_chunksize=8 * BLOCK, max_concurrency=2, max_io_queue=16
        )
        # Streams that cannot seek (an object copied from another) are read ahead this many parts at most.
        transfer.max_in_memory_upload_chunks = 2
        transfer.max_in_memory_download_chunks = 2
        settings.setdefault("transfer_config", transfer)
        # django-storages reads a file opened with .open() into a SpooledTemporaryFile that never rolls
        # over to disk unless told so: past 1 MiB it goes to a temporary file.
        settings.setdefault("max_memory_size", BLOCK)
        super().__init__(**settings)

    def key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    def _save(self, name, content):
        """A file below the multipart threshold whose size is known and that can be read again from the start
        (an upload kept in memory or in a temporary file: every report's photo) goes up in one PutObject on the
        storage's client, in the calling thread. django-storages sends every file through boto3's transfer
        manager instead, which builds a resource object and starts a pool of threads for each file: for a
        2 MB photo that cost about as much CPU as the upload itself (bench/intake.py). Larger files, or
        streams that cannot seek (an object read from the store), keep the transfer manager and its bounded
        multipart upload."""
        size = getattr(content, "size", None)
        threshold = self.transfer_config.multipart_threshold
        if size is None or size > threshold or self.gzip or not is_seekable(content):
            return super()._save(name, content)
        key = self.key(name)
        params = self._get_write_parameters(key, content)
        content.seek(0)
        # botocore reads the body for its checksum (and, over plain HTTP, the payload signature), then seeks
        # back to where it started for the request and for each retry; it never closes it.
        self.connection.meta.client.put_object(
            Bucket=self.bucket_name, Key=key, Body=ReadBytesWrapper(content), **params
        )
        return clean_name(name)


class _EvidenceStorage(LazyObject):
    """`storages["evidence"]`, looked up when first used and again after STORAGES changes (tests switch
    between the local folder and S3). Model fields keep this object, so they follow the setting."""

    def _setup(self):
        self._wrapped = storages["evidence"]


evidence_storage: Storage = _EvidenceStorage()  # type: ignore[assignment]


@receiver(setting_changed)
def _storage_setting_changed(*, setting, **kwargs):
    if setting in ("STORAGES", "MEDIA_ROOT"):
        evidence_storage._wrapped = empty


def _real(storage) -> Storage:
    if isinstance(storage, LazyObject):
        if storage._wrapped is empty:
            storage._setup()
        return storage._wrapped
    return storage


def is_s3(storage=None) -> bool:
    return hasattr(_real(storage if storage is not None else evidence_storage), "bucket_name")


def local_path(storage, name: str) -> Path | None:
    """The file's path when the storage is a local folder, else None. Only for reading in this module and
    for health checks: everything else goes through streams."""
    try:
        return Path(storage.path(name))
    except NotImplementedError:
        return None


def _missing(exc) -> bool:
    code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


def _s3_get(storage, name: str) -> dict:
    # The client itself, not a boto3 resource: a resource object costs about as much CPU to build as the
    # request it sends, once per call.
    real = _real(storage)
    try:
        return real.connection.meta.client.get_object(Bucket=real.bucket_name, Key=real.key(name))
    except ClientError as exc:
        if _missing(exc):
            raise FileNotFoundError(name) from exc
        raise


@contextlib.contextmanager
def open_sized(storage, name: str) -> Iterator[tuple[BinaryIO, int]]:
    """A binary stream of the stored file and its size in bytes, both from one request (S3: one GET, whose
    Content-Length gives the size before the body is read, so a caller can refuse a file without fetching
    it; local: the open file and its fstat). Raises FileNotFoundError when there is no such file."""
    path = local_path(storage, name)
    if path is not None:
        with open(path, "rb") as fh:
            yield fh, os.fstat(fh.fileno()).st_size
        return
    response = _s3_get(storage, name)
    body = response["Body"]
    try:
        yield body, int(response["ContentLength"])
    finally:
        body.close()


@contextlib.contextmanager
def open_stream(storage, name: str) -> Iterator[BinaryIO]:
    """A binary stream of the stored file, read from the storage as it is consumed (S3: one GET whose body
    is read in blocks; local: the file). Raises FileNotFoundError when there is no such file."""
    with open_sized(storage, name) as (stream, _size):
        yield stream


def iter_files(storage, prefix: str) -> Iterator[tuple[str, float]]:
    """(name, modified as a POSIX timestamp) of every file under `prefix`, listed page by page, so a
    bucket of millions of objects is walked in bounded memory."""
    prefix = prefix.rstrip("/") + "/"
    root = local_path(storage, "")
    if root is not None:
        base = root / prefix
        if not base.exists():
            return
        for folder, _dirs, files in os.walk(base):
            for file in files:
                full = Path(folder) / file
                with contextlib.suppress(FileNotFoundError):
                    yield full.relative_to(root).as_posix(), full.stat().st_mtime
        return
    real = _real(storage)
    paginator = real.bucket.meta.client.get_paginator("list_objects_v2")
    key_prefix = real.key(prefix)
    location = real.location.strip("/") + "/" if real.location else ""
    for page in paginator.paginate(Bucket=real.bucket_name, Prefix=key_prefix):
        for entry in page.get("Contents", ()):
            key = entry["Key"]
            yield key[len(location) :], entry["LastModified"].timestamp()


def presigned_url(storage, name: str, *, filename: str, content_type: str, seconds: int) -> str | None:
    """A URL that hands the file over for `seconds`, as an attachment of the given type (S3 only; None on a
    local folder). Signed for POSKO_S3_PUBLIC_ENDPOINT_URL when set, since browsers may reach the object
    store under another name than the web nodes do."""
    if not is_s3(storage):
        return None
    from django.conf import settings

    real = _real(storage)
    signer = real
    public = settings.POSKO_S3_PUBLIC_ENDPOINT_URL
    if public:
        signer = EvidenceS3Storage(
            **{**settings.STORAGES["evidence"].get("OPTIONS", {}), "endpoint_url": public}
        )
    return signer.url(
        name,
        parameters={
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
            "ResponseContentType": content_type,
            "ResponseCacheControl": "no-store",
        },
        expire=seconds,
    )


def storage_check(storage=None) -> dict:
    """Whether the evidence storage can take new files: free space on a local folder (at least
    POSKO_HEALTH_MIN_FREE_MB), or the bucket answering on S3."""
    from django.conf import settings

    storage = storage if storage is not None else evidence_storage
    if is_s3(storage):
        real = _real(storage)
        # A client of its own with short timeouts and no retries: a health probe must answer in seconds.
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=real.endpoint_url,
            region_name=real.region_name,
            aws_access_key_id=real.access_key,
            aws_secret_access_key=real.secret_key,
            config=real.client_config.merge(
                Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 1, "mode": "standard"})
            ),
        )
        try:
            client.head_bucket(Bucket=real.bucket_name)
        except Exception as exc:  # noqa: BLE001 - any failure means the bucket cannot be used
            return {"ok": False, "backend": "s3", "bucket": real.bucket_name, "error": exc.__class__.__name__}
        return {"ok": True, "backend": "s3", "bucket": real.bucket_name}
    root = local_path(storage, "")
    try:
        root.mkdir(parents=True, exist_ok=True)
        usage = shutil.disk_usage(root)
    except OSError as exc:
        return {"ok": False, "backend": "local", "error": exc.__class__.__name__}
    free_mb = usage.free // (1024 * 1024)
    ok = free_mb >= settings.POSKO_HEALTH_MIN_FREE_MB and os.access(root, os.W_OK)
    return {
        "ok": ok,
        "backend": "local",
        "free_mb": free_mb,
        "min_free_mb": settings.POSKO_HEALTH_MIN_FREE_MB,
    }


def overwrites(storage) -> bool:
    """Whether saving under an existing name replaces that file in place (S3 with file_overwrite, as set in
    settings.evidence_s3_storage), rather than storing a new file under a free name (a local folder)."""
    return bool(getattr(_real(storage), "file_overwrite", False))
