"""Reading the documents of a case: which office issues its letters, which text a letter takes, the letters and
scans a case holds (for its page, its file and the bundle), and what the reporter may see on /lacak/."""

import re
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils.text import slugify
from django.utils.translation import gettext as _

from casefiles.models import Letter, LetterTemplate, Office, SignedScan
from complaints.models import Report, ReportEvent

__all__ = [
    "BundleDocument",
    "bundle_documents",
    "case_documents",
    "office_for_report",
    "reporter_news",
    "template_for",
]

_SLUGS: dict[str, str] = {
    Letter.Kind.INVITATION: "undangan-klarifikasi",
    Letter.Kind.REFERRAL: "surat-penerusan",
    Letter.Kind.NOTICE_REGISTERED: "pemberitahuan-registrasi",
    Letter.Kind.NOTICE_DECISION: "pemberitahuan-putusan",
    Letter.Kind.NOTICE_OUTCOME: "pemberitahuan-hasil",
}
_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def office_for_report(report: Report) -> Office | None:
    """The most specific active office whose region covers the case's incident region (a kab/kota office
    before its province's, a province's before a national one with no region)."""
    parts = report.incident_region_id.split(".")
    codes = [".".join(parts[: i + 1]) for i in range(len(parts))]
    offices = list(Office.objects.filter(active=True).filter(Q(region_id__in=codes) | Q(region__isnull=True)))
    if not offices:
        return None
    return max(offices, key=lambda o: (len(o.region_id or ""), -o.pk))


def template_for(office: Office, kind: str) -> LetterTemplate | None:
    """The office's own text for a kind of letter, else the default one."""
    found = {
        t.office_id: t
        for t in LetterTemplate.objects.filter(kind=kind).filter(Q(office=office) | Q(office__isnull=True))
    }
    return found.get(office.pk) or found.get(None)


@dataclass(frozen=True)
class BundleDocument:
    """A letter or signed scan as it goes into a case bundle: its name inside the ZIP, the stored file (read it
    through its storage), and what the manifest says of it."""

    path: str
    file: FieldFile
    size: int
    sha256: str
    kind: str  # "letter" or "signed_scan"
    label: str


def bundle_documents(report: Report) -> list[BundleDocument]:
    """Every letter of the case (every version: corrections never replace the old one) and every signed scan,
    named for a bundle: surat/003-undangan-klarifikasi-v2.pdf, pindaian/001-model-b-1.pdf. Two queries."""
    documents: list[BundleDocument] = []
    taken: set[str] = set()
    for letter in Letter.objects.filter(report=report).order_by("year", "sequence", "version"):
        path = f"surat/{letter.sequence:03d}-{_SLUGS.get(letter.kind, letter.kind)}-v{letter.version}.pdf"
        if path in taken:  # the same sequence in another year
            path = path.replace("surat/", f"surat/{letter.year}-", 1)
        taken.add(path)
        documents.append(
            BundleDocument(
                path=path,
                file=letter.file,
                size=letter.size,
                sha256=letter.sha256,
                kind="letter",
                label=_("%(kind)s no. %(number)s, version %(version)d")
                % {"kind": letter.get_kind_display(), "number": letter.number, "version": letter.version},
            )
        )
    scans = (
        SignedScan.objects.filter(report=report).select_related("form_model").order_by("uploaded_at", "id")
    )
    for index, scan in enumerate(scans, start=1):
        name = slugify(
            f"model {scan.form_model.code.replace('.', ' ')}"
            if scan.form_model.code
            else scan.form_model.name
        )[:40]
        extension = _EXTENSIONS.get(scan.content_type, "bin")
        documents.append(
            BundleDocument(
                path=f"pindaian/{index:03d}-{name or 'dokumen'}.{extension}",
                file=scan.file,
                size=scan.size,
                sha256=scan.sha256,
                kind="signed_scan",
                label=_("Signed scan: %(form)s%(title)s")
                % {"form": scan.form_model, "title": f" ({scan.title})" if scan.title else ""},
            )
        )
    return documents


def case_documents(report: Report) -> dict:
    """The letters (newest first, with what superseded what) and scans shown on the case page."""
    letters = list(
        Letter.objects.filter(report=report).select_related("issued_by", "office").order_by("-issued_at")
    )
    successors = {letter.supersedes_id: letter for letter in letters if letter.supersedes_id}
    for letter in letters:
        letter.successor = successors.get(letter.pk)
    scans = list(
        SignedScan.objects.filter(report=report)
        .select_related("form_model", "uploaded_by", "letter")
        .order_by("-uploaded_at")
    )
    return {"letters": letters, "scans": scans}


# The moves a reporter hears of on /lacak/ (issue 8, item 3), each with what it means for them.
NEWS = {
    "investigation": "registered",
    "referred": "referred",
    "closed": "closed",
}
_NOTICE_OF = {"registered": Letter.Kind.NOTICE_REGISTERED, "referred": Letter.Kind.NOTICE_DECISION}


def reporter_news(report: Report, case: Report) -> list[dict]:
    """What the reporter of `report` is told about `case` (the report itself, or the case it was merged into):
    registration, decision and referral, closing; each with the notice letter when one was issued to this
    reporter. A reporter whose report was merged sees the case's news but never the main reporter's letters."""
    events = ReportEvent.objects.filter(
        report=case, kind=ReportEvent.Kind.TRANSITION, to_status__in=list(NEWS)
    ).order_by("at", "id")
    letters = {}
    if case.pk == report.pk:
        for letter in Letter.objects.filter(
            report=report, recipient_role=Letter.Recipient.REPORTER, event_key__isnull=False
        ):
            letters[letter.event_key] = letter
        # A corrected notice: the reporter gets the newest version.
        for letter in Letter.objects.filter(
            report=report, recipient_role=Letter.Recipient.REPORTER, supersedes__isnull=False
        ).order_by("version"):
            for key, old in list(letters.items()):
                if old.pk == letter.supersedes_id:
                    letters[key] = letter
    news = []
    for event in events:
        what = NEWS[event.to_status]
        if what == "closed" and event.from_status == Report.Status.ASSESSMENT:
            what = "decided"
        news.append({"what": what, "at": event.at, "event": event, "letter": letters.get(notice_key(event))})
    return news


def notice_key(event: ReportEvent) -> str:
    """The key that makes an automatic notice unique: one per case event."""
    return f"notice:{event.report_id}:{event.pk}"


def safe_filename(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:120] or "dokumen"
