"""What every pipeline step shares: the context it works in and the ways it can end."""

import contextlib
import errno
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from evidence.models import Evidence

if TYPE_CHECKING:
    from PIL import Image

    from evidence.storage import Flushes


class StepError(Exception):
    """A step could not finish. `reason` is shown to staff (and as a status label to the reporter)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason[:300]


class Rejected(StepError):
    """The item is not acceptable evidence as a file we can open (wrong type, corrupt, hostile). Permanent."""

    def __init__(self, reason: str, *, quarantine: bool = False):
        super().__init__(reason)
        self.quarantine = quarantine


class TransientFailure(StepError):
    """Something outside the item failed (storage, network, scanner): retried with backoff."""


class PermanentFailure(StepError):
    """The item could not be processed and trying again will not help."""


class Busy(Exception):
    """Another run holds a live claim on the item: look again once the claim could have lapsed."""


# Errors of the machinery around a step (disk, object store, database, network), not of the item: worth a
# retry. OSError only with these numbers: decoders also raise OSError for a damaged file (errno None).
_TRANSIENT_ERRNOS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EIO,
    errno.EAGAIN,
    errno.EBUSY,
    errno.EROFS,
    errno.ESTALE,
    errno.EMFILE,
    errno.ENFILE,
    errno.ETIMEDOUT,
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.EPIPE,
}
_TRANSIENT_S3_CODES = {"SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling"}


def is_transient(exc: BaseException) -> bool:
    """Whether an unexpected error came from storage, the database or the network (retry), rather than from
    the item itself."""
    from botocore.exceptions import BotoCoreError, ClientError
    from django.db import InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError | BotoCoreError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500 or error.get("Code") in _TRANSIENT_S3_CODES
    return isinstance(exc, OSError) and exc.errno in _TRANSIENT_ERRNOS


@dataclass
class Context:
    """One run of the pipeline over one item. `work` is a private scratch folder (made by `scratch`), removed
    at the end."""

    item: Evidence
    work: Path | None = None  # made on first use: on a local folder most runs need no scratch file at all
    copy: Path | None = None  # the original to read by path: the stored file (local) or a scratch copy (S3)
    sha256: str = ""  # of the original, computed while it was read (hashing.take)
    size: int = 0  # bytes read
    family: str = ""  # photo, video, audio, document
    media_type: str = ""
    preview: "Image.Image | None" = None  # the picture the derive step made, reused for the perceptual hash
    # (other item's pk, kind, distance) found by the duplicates step
    matches: list = field(default_factory=list)
    flushes: "list[Flushes]" = field(default_factory=list)  # of the files the steps wrote (local folder)

    def flushed(self) -> None:
        """Wait until every file the steps wrote is on disk (raises the first flush error): before the row that
        names them is saved."""
        while self.flushes:
            self.flushes.pop().wait()

    def cleanup(self) -> None:
        for flushes in self.flushes:  # a run that failed after writing files: no thread is left behind
            with contextlib.suppress(Exception):
                flushes.wait()
        self.flushes.clear()
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)

    def scratch(self, name: str) -> Path:
        if self.work is None:
            self.work = Path(tempfile.mkdtemp(prefix="posko-ev-"))
        return self.work / os.path.basename(name)


class Step(Protocol):
    """One step of the pipeline: a module (or a class of static methods) with a NAME and a run."""

    NAME: str

    def run(self, ctx: Context) -> str: ...
