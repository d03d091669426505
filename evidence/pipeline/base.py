"""What every pipeline step shares: the context it works in and the ways it can end."""

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from evidence.models import Evidence


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


@dataclass
class Context:
    """One run of the pipeline over one item. `work` is a private scratch folder removed at the end."""

    item: Evidence
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="posko-ev-")))
    copy: Path | None = None  # working copy of the original, made while hashing
    family: str = ""  # photo, video, audio, document
    media_type: str = ""
    preview: object = None  # a PIL image the derive step made, reused for the perceptual hash
    matches: list = field(default_factory=list)  # (other item, kind, distance) found by the duplicates step

    def cleanup(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)

    def scratch(self, name: str) -> Path:
        return self.work / os.path.basename(name)
