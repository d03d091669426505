"""The case bundle: one ZIP with the case file, every original, the viewing copies, the link archives and
screenshots, the letters and signed scans, a manifest, SHA256SUMS and its Ed25519 signature.

Written as a stream by zipstream-ng (ZIP64 when large): media are stored as they are (their bytes are already
compressed, and a stored member is the original byte for byte), the text files are deflated. Each member is
read once, in CHUNK pieces, and hashed on the way; an original whose hash is not the one taken at intake stops
the bundle (`EvidenceChanged`), because it means stored evidence changed. Memory stays flat whatever the size.
"""

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone, translation
from zipstream import ZIP_DEFLATED, ZIP_STORED, ZipStream

from evidence.models import Evidence
from exports import casefile
from exports.keys import SigningKey
from exports.models import Export
from exports.streams import CHUNK, read_chunks

KIND_FOLDER = {
    Evidence.Kind.PHOTO: "foto",
    Evidence.Kind.VIDEO: "video",
    Evidence.Kind.AUDIO: "audio",
    Evidence.Kind.DOCUMENT: "dokumen",
    Evidence.Kind.OTHER_FILE: "berkas",
    Evidence.Kind.LINK: "tautan",
}
MANIFEST_FIELDS = ["path", "size", "sha256", "kind", "evidence_id", "intake_sha256"]


class EvidenceChanged(Exception):
    """A stored file's bytes no longer have the hash recorded at intake."""

    def __init__(self, entry: "Entry", actual: str):
        super().__init__(f"{entry.path}: intake {entry.intake_sha256}, now {actual}")
        self.entry = entry
        self.actual = actual


@dataclass
class Entry:
    """One file of the bundle: where it comes from, where it goes, and (after writing) its hash."""

    path: str
    kind: str
    size: int = 0
    field_file: object = None  # a FieldFile on private storage, read as a stream
    data: bytes | None = None  # small generated files
    evidence_id: str = ""
    intake_sha256: str = ""
    report_code: str = ""
    sha256: str = ""
    compress: bool = False
    extra: dict = field(default_factory=dict)


def safe_name(name: str, fallback: str = "berkas") -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name or "").strip("._-")[:100]
    return cleaned or fallback


def bundle_root(report) -> str:
    return "berkas-" + safe_name((report.case_number or report.tracking_code).replace("/", "-"))


def _stored_size(field_file, known: int | None) -> int:
    if known:
        return known
    try:
        return field_file.storage.size(field_file.name)
    except (OSError, NotImplementedError):
        return 0


def evidence_entries(report) -> tuple[list[Entry], list[dict]]:
    """Originals, viewing copies, link archives and screenshots of a case and of the reports merged into it.
    Quarantined files (dangerous content) are withheld and listed as such in manifest.json."""
    entries: list[Entry] = []
    withheld: list[dict] = []
    groups = [("bukti", report)] + [
        (f"bukti-pendukung/{safe_name(s.tracking_code)}", s)
        for s in report.supporting_reports.order_by("created_at", "id")
    ]
    for folder, owner in groups:
        items = (
            Evidence.objects.filter(report=owner)
            .prefetch_related("captures")
            .order_by("position", "created_at")
        )
        for n, item in enumerate(items, start=1):
            base = f"{folder}/{n:02d}-{KIND_FOLDER.get(item.kind, 'berkas')}-{str(item.pk)[:8]}"
            common = {"evidence_id": str(item.pk), "report_code": owner.tracking_code}
            if item.file:
                if item.quarantined:
                    withheld.append(
                        {
                            "evidence_id": str(item.pk),
                            "original_name": item.original_name,
                            "intake_sha256": item.sha256,
                            "reason": "quarantined: dangerous or deceptive content",
                        }
                    )
                    continue
                entries.append(
                    Entry(
                        path=f"{base}/asli/{safe_name(item.original_name, 'asli')}",
                        kind="original",
                        size=_stored_size(item.file, item.size),
                        field_file=item.file,
                        intake_sha256=item.sha256,
                        **common,
                    )
                )
                if item.viewing_copy:
                    entries.append(
                        Entry(
                            path=f"{base}/salinan-tampilan.jpg",
                            kind="viewing_copy",
                            size=_stored_size(item.viewing_copy, None),
                            field_file=item.viewing_copy,
                            **common,
                        )
                    )
            for capture in item.captures.all():
                stem = f"{base}/arsip/{capture.captured_at:%Y%m%dT%H%M%S}-{str(capture.pk)[:8]}"
                if capture.warc:
                    entries.append(
                        Entry(
                            path=f"{stem}.warc.gz",
                            kind="link_archive",
                            size=_stored_size(capture.warc, None),
                            field_file=capture.warc,
                            intake_sha256=capture.warc_sha256,
                            **common,
                        )
                    )
                if capture.screenshot:
                    entries.append(
                        Entry(
                            path=f"{stem}-tangkapan-layar.png",
                            kind="screenshot",
                            size=_stored_size(capture.screenshot, None),
                            field_file=capture.screenshot,
                            intake_sha256=capture.screenshot_sha256,
                            **common,
                        )
                    )
    return entries, withheld


def document_entries(report) -> list[Entry]:
    """Letters and signed scans, as the casefiles app lists them for a bundle."""
    return [
        Entry(
            path=doc.path,
            kind=doc.kind,
            size=doc.size or _stored_size(doc.file, None),
            field_file=doc.file,
            intake_sha256=doc.sha256,
            extra={"label": str(doc.label)},
        )
        for doc in casefile.bundle_documents(report)
    ]


def _text_entry(path: str, kind: str, text: str) -> Entry:
    return Entry(path=path, kind=kind, data=text.encode(), compress=True)


def manifest_json(export: Export, report, entries: list[Entry], withheld: list[dict], key: SigningKey) -> str:
    return json.dumps(
        {
            "format": "posko-bundle/1",
            "export_id": str(export.pk),
            "case_number": report.case_number,
            "tracking_code": report.tracking_code,
            "exported_at": timezone.now().isoformat(),
            "exported_by": export.requested_by.get_username(),
            "reason": export.reason,
            "include_identity": export.include_identity,
            "signing_key_sha256": key.fingerprint,
            "files": [
                {
                    "path": e.path,
                    "size": e.size,
                    "sha256": e.sha256,
                    "kind": e.kind,
                    "evidence_id": e.evidence_id or None,
                    "intake_sha256": e.intake_sha256 or None,
                    "report": e.report_code or None,
                    **e.extra,
                }
                for e in entries
            ],
            "withheld": withheld,
        },
        ensure_ascii=False,
        indent=2,
    )


def manifest_csv(entries: list[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MANIFEST_FIELDS)
    for e in entries:
        writer.writerow([e.path, e.size, e.sha256, e.kind, e.evidence_id, e.intake_sha256])
    return out.getvalue()


def sha256sums(entries: list[Entry]) -> str:
    """coreutils format: the hash, two spaces (text mode), the path; `sha256sum -c SHA256SUMS` reads it."""
    return "".join(f"{e.sha256}  {e.path}\n" for e in entries)


def readmes(report, export: Export, key: SigningKey) -> list[Entry]:
    context = {"report": report, "export": export, "fingerprint": key.fingerprint}
    texts = []
    for path, language in (("BACA-SAYA.txt", "id"), ("README.txt", "en")):
        with translation.override(language):
            texts.append(_text_entry(path, "readme", render_to_string("exports/bundle_readme.txt", context)))
    return texts


def _member(entry: Entry, on_read: Callable[[int], None]) -> Iterator[bytes]:
    """The bytes of one member, hashed on the way; at the end the hash is compared with the intake hash."""
    digest = hashlib.sha256()
    if entry.data is not None:
        digest.update(entry.data)
        entry.size = len(entry.data)
        on_read(len(entry.data))
        yield entry.data
    else:
        size = 0
        for chunk in read_chunks(entry.field_file):
            digest.update(chunk)
            size += len(chunk)
            on_read(len(chunk))
            yield chunk
        entry.size = size
    entry.sha256 = digest.hexdigest()
    if entry.intake_sha256 and entry.sha256 != entry.intake_sha256:
        raise EvidenceChanged(entry, entry.sha256)


def plan(export: Export, report, key: SigningKey) -> tuple[list[Entry], list[dict]]:
    """Every file of the bundle but the manifests and signature, in the order they are written."""
    pdf = casefile.casefile_pdf(
        report,
        include_identity=export.include_identity,
        language=export.language,
        signing_fingerprint=key.fingerprint,
    )
    evidence, withheld = evidence_entries(report)
    entries = [
        *readmes(report, export, key),
        Entry(path="berkas-perkara.pdf", kind="case_file", data=pdf),
        *evidence,
        *document_entries(report),
        _text_entry("posko-export-key.pem", "public_key", key.public_pem),
    ]
    return entries, withheld


def bundle_stream(
    export: Export, report, key: SigningKey, entries: list[Entry], withheld: list[dict], progress
) -> Iterator[bytes]:
    """The ZIP, as a stream of bytes. `progress(files_done, bytes_done)` is called as it goes (the caller
    decides how often to save it)."""
    root = bundle_root(report)
    zs = ZipStream(compress_type=ZIP_STORED)
    state = {"files": 0, "bytes": 0}

    def on_read(n: int) -> None:
        state["bytes"] += n
        progress(state["files"], state["bytes"])

    def member(entry: Entry) -> Iterator[bytes]:
        yield from _member(entry, on_read)
        state["files"] += 1
        progress(state["files"], state["bytes"])

    for entry in entries:
        zs.add(
            member(entry),
            f"{root}/{entry.path}",
            size=entry.size if entry.data is None else len(entry.data),
            compress_type=ZIP_DEFLATED if entry.compress else ZIP_STORED,
        )
    yield from zs.all_files()

    manifests = [
        _text_entry("manifest.json", "manifest", manifest_json(export, report, entries, withheld, key)),
        _text_entry("manifest.csv", "manifest", manifest_csv(entries)),
    ]
    for entry in manifests:
        zs.add(member(entry), f"{root}/{entry.path}", size=len(entry.data), compress_type=ZIP_DEFLATED)
    yield from zs.all_files()

    sums = sha256sums(entries + manifests).encode()
    zs.add(sums, f"{root}/SHA256SUMS", compress_type=ZIP_DEFLATED)
    zs.add(key.sign(sums), f"{root}/SHA256SUMS.sig", compress_type=ZIP_STORED)
    yield from zs.finalize()
    entries.extend(manifests)


__all__ = ["CHUNK", "EvidenceChanged", "Entry", "bundle_stream", "plan", "bundle_root"]
