"""Issuing the letters of the procedure: undangan klarifikasi, surat penerusan and the pemberitahuan to the
reporter. Each letter is a PDF stored privately with its SHA-256, numbered per office and year without gaps or
duplicates, and never overwritten: a correction is a new version with the same number that supersedes the old
one, which stays readable.

Numbering: the office's counter row for the year is locked (SELECT ... FOR UPDATE) in the same transaction that
stores the letter, so two people issuing at once wait for each other, and a letter that fails to be made rolls
its number back. The letter is typeset while the row is locked (about 0.1 s): issuing is serialised per office,
which is what a paper register does too."""

import hashlib
import logging
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casefiles.models import Letter, LetterCounter, Office
from casefiles.pdf import Typesetter
from casefiles.placeholders import LETTER_PLACEHOLDERS, NUMBER_PLACEHOLDERS, placeholder_fill
from casefiles.selectors import office_for_report, template_for
from casefiles.selectors.casefile import logo_png, office_block
from complaints.models import Accused, Clarification, Report, ReportEvent
from complaints.selectors import region_path
from complaints.services.history import event_record

log = logging.getLogger(__name__)

K = Letter.Kind
R = Letter.Recipient
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
DASH = "-"
# A paragraph whose every line reads "Label : value" is laid out as an aligned list (Hari/tanggal, Pukul,
# Tempat ... in an invitation), as Indonesian letters do.
_DETAIL_LINE = re.compile(r"^\s*([^:\n]{1,40}?)\s+:\s*(.*)$")


def can_issue(user) -> bool:
    return bool(user and user.is_active and user.has_perm("casefiles.issue_letter"))


def _related(report, name):
    try:
        return getattr(report, name)
    except Exception:  # a missing one-to-one raises its model's DoesNotExist
        return None


def letter_values(
    report: Report, office: Office, *, number: str, when, recipient: str, clarification=None, agency=""
) -> dict:
    """What the placeholders of a letter are filled with, in Indonesian. Call inside translation.override("id")."""
    accused = list(report.accused.all())
    assessment = _related(report, "assessment")
    referral = _related(report, "referral")
    local = timezone.localtime(when)
    values = dict.fromkeys(LETTER_PLACEHOLDERS, DASH)
    values.update(
        {
            "case_number": report.case_number or DASH,
            "letter_number": number,
            "date": date_format(local.date(), "j F Y"),
            "place": office.city,
            "office": " ".join(v for v in (office.name, office.name_line2) if v),
            "office_short": office.short_name,
            "signatory": office.signatory_name,
            "signatory_position": office.signatory_position,
            "recipient": recipient,
            "reporter": report.reporter_name if not report.anonymous and report.reporter_name else "Pelapor",
            "terlapor": ", ".join(a.name for a in accused) or DASH,
            "terlapor_position": ", ".join(a.position for a in accused if a.position) or DASH,
            "terlapor_agency": ", ".join(dict.fromkeys(a.agency for a in accused if a.agency)) or DASH,
            "received_date": date_format(timezone.localtime(report.created_at).date(), "j F Y"),
            "registered_date": date_format(timezone.localtime(report.registered_at).date(), "j F Y")
            if report.registered_at
            else DASH,
            "incident_date": date_format(report.incident_date, "j F Y"),
            "incident_place": report.incident_place,
            "region": region_path(report.incident_region),
            "categories": "; ".join(c.name for c in report.categories.all()) or DASH,
            "election": report.election.name,
            "status": str(report.get_status_display()),
        }
    )
    if assessment:
        values["decision"] = str(assessment.get_decision_display())
    if referral:
        values["agency"] = referral.agency.name
        values["referral_date"] = date_format(referral.sent_on, "j F Y")
        if referral.outcome:
            outcome = [str(referral.get_outcome_display())]
            if referral.outcome_sanction:
                outcome.append(str(referral.get_outcome_sanction_display()))
            if referral.outcome_note:
                outcome.append(referral.outcome_note)
            values["outcome"] = "; ".join(outcome)
    if agency:
        values["agency"] = agency
    if clarification is not None:
        session = timezone.localtime(clarification.scheduled_for)
        values["session_date"] = date_format(session, "l, j F Y")
        values["session_time"] = f"{session:%H.%M} WIB"
        values["session_place"] = clarification.place
    return values


def body_blocks(text: str) -> list[dict]:
    """Paragraphs (blank lines between) of a filled body; a paragraph of "Label : value" lines becomes an
    aligned list."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        details = [m for line in lines if (m := _DETAIL_LINE.match(line))]
        if len(details) == len(lines):
            blocks.append({"kind": "kv", "rows": [[m.group(1), m.group(2)] for m in details]})
        else:
            blocks.append({"kind": "par", "lines": lines})
    return blocks


def _recipient_lines(role: str, name: str, detail: str) -> list[str]:
    first = name if role == R.AGENCY else f"Sdr. {name}"
    return [first] + [line.strip() for line in detail.splitlines() if line.strip()]


def _document(letter: Letter, template, values: dict, *, logo: str) -> dict:
    """What the Typst template of a letter is filled with."""
    office = letter.office
    subject = placeholder_fill(template.subject, values, LETTER_PLACEHOLDERS)
    footer = f"{office.short_name} · {letter.number}"
    if letter.version > 1:
        footer += f" · versi {letter.version}, menggantikan versi {letter.version - 1}"
    return {
        "title": f"{subject} · {letter.number}",
        "keywords": ["Posko", letter.get_kind_display(), letter.number],
        "office": office_block(office, logo),
        "form_model": template.form_model,
        "heading": [
            ["Nomor", letter.number],
            ["Sifat", template.nature],
            ["Lampiran", template.attachment],
            ["Perihal", subject],
        ],
        "place_date": f"{office.city}, {values['date']}",
        "salutation": "Yth.",
        "recipient": _recipient_lines(letter.recipient_role, letter.recipient_name, letter.recipient_detail),
        "recipient_tail": "di Tempat",
        "body": body_blocks(placeholder_fill(template.body, values, LETTER_PLACEHOLDERS)),
        "signatory_position": office.signatory_position,
        "signatory": office.signatory_name,
        "copies": [line.strip() for line in template.copies_to.splitlines() if line.strip()],
        "footer": footer,
    }


def _typeset(letter: Letter, template, values: dict) -> bytes:
    with Typesetter() as typesetter:
        logo = typesetter.add("logo.png", logo_png(letter.office)) if letter.office.logo else ""
        return typesetter.pdf(
            "letter.typ", _document(letter, template, values, logo=logo), when=letter.issued_at
        )


def _store(letter: Letter, pdf: bytes) -> None:
    letter.sha256 = hashlib.sha256(pdf).hexdigest()
    letter.size = len(pdf)
    # The name is made of ids (letters/<report>/<letter uuid>.pdf): a new letter never lands on an old file.
    letter.file.save("letter.pdf", ContentFile(pdf), save=False)


def _record(report, user, action: str, letter: Letter, note: str) -> None:
    event_record(
        report=report,
        actor=user,
        kind=ReportEvent.Kind.EXPORT,
        note=note,
        data={
            "action": action,
            "letter": str(letter.pk),
            "number": letter.number,
            "version": letter.version,
            "sha256": letter.sha256,
        },
    )


def _recipient(report: Report, kind: str, role: str, *, name: str, detail: str, accused_id, agency: str):
    """Who the letter goes to, checked against the kind of letter and the case. Returns (role, name, detail)."""
    if kind in Letter.NOTICES:
        role = R.REPORTER
    if kind == K.REFERRAL:
        role = R.AGENCY
    if role == R.REPORTER:
        if report.anonymous or not report.reporter_name.strip():
            raise ValidationError(_("The reporter is anonymous: no letter can be addressed to them."))
        return role, report.reporter_name.strip(), report.reporter_address.strip()
    if role == R.TERLAPOR:
        accused = Accused.objects.filter(report=report, pk=accused_id or 0).first()
        if accused is None:
            raise ValidationError(_("Choose which terlapor the letter is for."))
        return role, accused.name, "\n".join(v for v in (accused.position, accused.agency) if v)
    if role == R.WITNESS:
        if not name.strip():
            raise ValidationError(_("Give the witness's name."))
        return role, name.strip()[:200], detail.strip()
    if role == R.AGENCY:
        if not (name.strip() or agency.strip()):
            raise ValidationError(_("Give the agency the letter is addressed to."))
        return role, (name.strip() or agency.strip())[:200], detail.strip()
    raise ValidationError(_("Choose who the letter is for."))


def _check_kind(report: Report, kind: str, clarification) -> None:
    if kind == K.INVITATION and clarification is None:
        raise ValidationError(
            _("Choose the clarification session the invitation is for (schedule one first).")
        )
    if kind == K.REFERRAL:
        assessment = _related(report, "assessment")
        if assessment is None or assessment.decision == "not_violation":
            raise ValidationError(_("A referral letter needs an assessment that decided on a violation."))
    if kind in Letter.NOTICES and not report.case_number:
        raise ValidationError(_("The case has no number yet: notices are sent from registration on."))


def _next_number(office: Office, template, when) -> tuple[int, int, str]:
    """Lock the office's counter for the year and take the next number. Inside the letter's transaction: if the
    letter is not made, the number goes back."""
    local = timezone.localtime(when)
    # Made once per office and year; two first letters of a year at once: one inserts, the other's insert waits
    # for it, fails on the unique constraint and get_or_create reads the row instead.
    LetterCounter.objects.get_or_create(office=office, year=local.year)
    counter = LetterCounter.objects.select_for_update().get(office=office, year=local.year)
    counter.last += 1
    counter.save(update_fields=["last"])
    number = placeholder_fill(
        office.number_pattern,
        {
            "seq": counter.last,
            "year": local.year,
            "month": local.month,
            "month_roman": ROMAN[local.month - 1],
            "day": local.day,
            "type_code": template.type_code,
            "office_code": office.code,
        },
        NUMBER_PLACEHOLDERS,
    )
    return local.year, counter.last, number


def letter_issue(
    *,
    report: Report,
    user,
    kind: str,
    recipient_role: str = "",
    recipient_name: str = "",
    recipient_detail: str = "",
    accused_id=None,
    clarification: Clarification | None = None,
    agency: str = "",
    event_key: str | None = None,
) -> Letter:
    """Issue a letter for a case: numbered, typeset, stored, hashed, recorded on the timeline. `user` None is
    the system (automatic notices, with an `event_key` that makes them unique: issuing twice returns the first).
    Raises PermissionDenied or ValidationError with a message for the person."""
    if user is not None and not can_issue(user):
        raise PermissionDenied(_("You may not issue letters."))
    if kind not in K.values:
        raise ValidationError(_("Unknown kind of letter."))
    if event_key:
        existing = Letter.objects.filter(event_key=event_key).first()
        if existing:
            return existing
    if clarification is not None and clarification.report_id != report.pk:
        raise ValidationError(_("That clarification session belongs to another case."))
    _check_kind(report, kind, clarification)
    role, name, detail = _recipient(
        report,
        kind,
        recipient_role,
        name=recipient_name,
        detail=recipient_detail,
        accused_id=accused_id,
        agency=agency,
    )
    office = office_for_report(report)
    if office is None:
        raise ValidationError(
            _("No office covers this case's region yet: an admin adds one under Case files › Offices.")
        )
    template = template_for(office, kind)
    if template is None:
        raise ValidationError(
            _("There is no text for this kind of letter: an admin adds one under Letter templates.")
        )
    now = timezone.now()
    letter = None
    try:
        with transaction.atomic(), translation.override("id"):
            year, sequence, number = _next_number(office, template, now)
            letter = Letter(
                report=report,
                office=office,
                kind=kind,
                recipient_role=role,
                recipient_name=name,
                recipient_detail=detail,
                year=year,
                sequence=sequence,
                number=number,
                clarification=clarification,
                issued_by=user,
                issued_at=now,
                event_key=event_key,
            )
            values = letter_values(
                report,
                office,
                number=number,
                when=now,
                recipient=name,
                clarification=clarification,
                agency=agency,
            )
            letter.subject = placeholder_fill(template.subject, values, LETTER_PLACEHOLDERS)[:300]
            letter.values = {**values, "_accused": accused_id, "_agency": agency}
            _store(letter, _typeset(letter, template, values))
            letter.save(force_insert=True)
            _record(report, user, "letter_issued", letter, f"{letter.get_kind_display()} {number}")
    except IntegrityError:
        _discard(letter)
        if event_key:  # the same notice was issued meanwhile by another run of the task
            existing = Letter.objects.filter(event_key=event_key).first()
            if existing:
                return existing
        raise
    except BaseException:
        _discard(letter)
        raise
    return letter


def _discard(letter: Letter | None) -> None:
    """A letter whose transaction failed leaves no file behind."""
    if letter is not None and letter.file and letter.file.name:
        try:
            letter.file.storage.delete(letter.file.name)
        except OSError:
            log.warning("could not remove %s", letter.file.name, exc_info=True)


def letter_correct(*, letter: Letter, user, reason: str) -> Letter:
    """A correction: a new version with the same number, typeset from the case as it is now, that supersedes
    `letter` (which stays stored and readable). Only the newest version can be corrected."""
    if user is not None and not can_issue(user):
        raise PermissionDenied(_("You may not issue letters."))
    if len(reason.strip()) < 10:
        raise ValidationError(_("Give the reason for the correction (at least 10 characters)."))
    now = timezone.now()
    new = None
    try:
        with transaction.atomic(), translation.override("id"):
            # Lock this version: two corrections at once make one new version, not two.
            old = (
                Letter.objects.select_for_update(of=("self",))
                .select_related("office", "report", "clarification")
                .get(pk=letter.pk)
            )
            if Letter.objects.filter(supersedes=old).exists():
                raise ValidationError(_("This letter was corrected already: correct its newest version."))
            report = old.report
            template = template_for(old.office, old.kind)
            if template is None:
                raise ValidationError(_("There is no text for this kind of letter."))
            stored = old.values or {}
            if old.recipient_role in (R.REPORTER, R.TERLAPOR):
                # Taken again from the case: a correction is how a fixed name or position reaches the letter.
                _role, name, detail = _recipient(
                    report,
                    old.kind,
                    old.recipient_role,
                    name="",
                    detail="",
                    accused_id=stored.get("_accused"),
                    agency="",
                )
            else:
                name, detail = old.recipient_name, old.recipient_detail
            new = Letter(
                report=report,
                office=old.office,
                kind=old.kind,
                recipient_role=old.recipient_role,
                recipient_name=name,
                recipient_detail=detail,
                year=old.year,
                sequence=old.sequence,
                version=old.version + 1,
                number=old.number,
                supersedes=old,
                correction_reason=reason.strip(),
                clarification=old.clarification,
                issued_by=user,
                issued_at=now,
            )
            agency = stored.get("_agency") or ""
            values = letter_values(
                report,
                old.office,
                number=old.number,
                when=now,
                recipient=name,
                clarification=old.clarification,
                agency=agency,
            )
            new.subject = placeholder_fill(template.subject, values, LETTER_PLACEHOLDERS)[:300]
            new.values = {**values, "_accused": stored.get("_accused"), "_agency": agency}
            _store(new, _typeset(new, template, values))
            new.save(force_insert=True)
            _record(report, user, "letter_corrected", new, f"{new} · {reason.strip()}")
    except IntegrityError:
        _discard(new)
        raise ValidationError(_("This letter was corrected already: correct its newest version.")) from None
    except BaseException:
        _discard(new)
        raise
    return new


def document_downloaded(*, report: Report, user, document, kind: str) -> None:
    """Record on the case's timeline that staff took a copy of a letter or scan (who, when, which, its hash)."""
    event_record(
        report=report,
        actor=user,
        kind=ReportEvent.Kind.EXPORT,
        note=str(document),
        data={"action": f"{kind}_downloaded", "document": str(document.pk), "sha256": document.sha256},
    )
