"""Making the case file (berkas perkara) PDF."""

from django.utils import timezone, translation

from casefiles.pdf import Typesetter
from casefiles.selectors import office_for_report
from casefiles.selectors.casefile import casefile_data, casefile_report


def casefile_render(*, report, include_identity: bool, language: str, signing_fingerprint: str = "") -> bytes:
    """The case file of `report` as PDF/A-2a and PDF/UA-1 bytes, in Indonesian or English (`language` "en").

    `include_identity` puts the reporter's identity and the evidence's GPS positions in; without it they are
    masked ("location recorded"). `signing_fingerprint` (the export key's fingerprint) is printed on the cover
    when given. No permission check and no logging here: the caller decides who may have which file and
    records it (issue 8: exports record every case file on the timeline and in the chain of custody)."""
    case = casefile_report(report.pk)
    office = office_for_report(case)
    now = timezone.now()
    language = "en" if (language or "").lower().startswith("en") else "id"
    with translation.override(language), Typesetter() as typesetter:
        data = casefile_data(
            case,
            include_identity=include_identity,
            signing_fingerprint=signing_fingerprint,
            generated_at=now,
            office=office,
            pictures=typesetter,
        )
        return typesetter.pdf("casefile.typ", data, when=now)
