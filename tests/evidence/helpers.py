import hashlib
import subprocess

from django.core.files.uploadedfile import SimpleUploadedFile

from evidence import pipeline, services
from evidence.models import Evidence


def attach(report, content: bytes, name: str, content_type: str = "application/octet-stream") -> Evidence:
    return services.evidence_attach_file(
        report=report, upload=SimpleUploadedFile(name, content, content_type)
    )


def process(item: Evidence) -> Evidence:
    pipeline.run(evidence_id=item.pk)
    item.refresh_from_db()
    return item


def sha256sum(path) -> str:
    return subprocess.run(
        ["sha256sum", str(path)], capture_output=True, text=True, check=True
    ).stdout.split()[0]


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
