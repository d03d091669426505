"""What a case file says: everything about one case, gathered in a fixed number of queries and turned into the
plain strings the Typst template places (dates in Asia/Jakarta, labels in the reader's language).

The reporter's identity and the GPS positions in evidence metadata appear only when `include_identity` is set;
the caller decides that, and logs it (issue 8, item 1)."""

from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casefiles.models import Letter, SignedScan
from complaints import deadlines
from complaints.models import Accused, Clarification, Report, ReportEvent
from complaints.selectors import region_path
from evidence.models import CustodyEvent, Evidence

S = Report.Status
DASH = "—"


def _when(value) -> str:
    if not value:
        return DASH
    return date_format(timezone.localtime(value), "j F Y, H:i") + " WIB"


def _day(value) -> str:
    return date_format(value, "j F Y") if value else DASH


def _text(value) -> str:
    return str(value).strip() if value not in (None, "") else DASH


def paragraphs(text: str) -> list[str]:
    """Paragraphs of free text: blank lines separate them, single line breaks are kept as spaces."""
    blocks = [" ".join(line.strip() for line in block.splitlines()) for block in (text or "").split("\n\n")]
    return [b for b in blocks if b.strip()]


def casefile_report(pk: int) -> Report:
    """The case with everything its file shows, in a fixed number of queries whatever its size."""
    evidence = Evidence.objects.prefetch_related("captures").order_by("position", "created_at")
    return (
        Report.objects.select_related(
            "election",
            "incident_region",
            "assigned_to",
            "merged_into",
            "assessment__author",
            "referral__agency",
        )
        .prefetch_related(
            "categories",
            "assessment__categories",
            Prefetch("accused", queryset=Accused.objects.select_related("region").order_by("seq", "id")),
            Prefetch("evidence", queryset=evidence),
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor").order_by("at", "id")),
            Prefetch(
                "clarifications",
                queryset=Clarification.objects.prefetch_related("attachments").order_by("scheduled_for"),
            ),
            Prefetch(
                "supporting_reports",
                queryset=Report.objects.prefetch_related(Prefetch("evidence", queryset=evidence)).order_by(
                    "created_at"
                ),
            ),
            Prefetch("letters", queryset=Letter.objects.order_by("year", "sequence", "version")),
            Prefetch("signed_scans", queryset=SignedScan.objects.select_related("form_model")),
        )
        .get(pk=pk)
    )


def _related(report, name):
    try:
        return getattr(report, name)
    except Exception:  # a missing one-to-one raises its model's DoesNotExist
        return None


def labels() -> dict:
    return {
        "title": _("CASE FILE"),
        "generated": _("made"),
        "page": _("page"),
        "of": _("of"),
        "none": _("None."),
        "contents": _("Contents"),
        "fingerprint": _("Fingerprint of the office's export key"),
        "cover_note": _(
            "Made by Posko from the case as recorded. Every file named here is identified by its SHA-256 "
            "hash, taken when it was received: a copy whose hash matches is the same file, byte for byte."
        ),
        "summary": _("Summary"),
        "reporter": _("Reporter (pelapor)"),
        "terlapor": _("Terlapor"),
        "other_cases": _("Other cases of the same person in the registry"),
        "other_cases_header": [_("Case"), _("Status"), _("Received"), _("Position then")],
        "chronology": _("Chronology"),
        "witnesses": _("Witnesses"),
        "categories": _("Violations, legal basis and sanction level"),
        "categories_header": [_("Violation"), _("Group"), _("Legal basis"), _("Sanction level")],
        "evidence": _("Evidence"),
        "evidence_header": [
            _("No."),
            _("Kind / original name"),
            _("Size"),
            _("Received"),
            _("Captured"),
            _("Device / location"),
        ],
        "previews": _("Photos and video frames"),
        "links": _("Link archives"),
        "supporting": _("Supporting reports (merged)"),
        "clarifications": _("Clarification (klarifikasi)"),
        "minutes": _("Minutes (berita acara)"),
        "attachments_header": [_("Attachment"), "SHA-256"],
        "clarification_skipped": _("Clarification skipped"),
        "assessment": _("Assessment (kajian) and decision"),
        "findings": _("Findings"),
        "referral": _("Referral and the agency's outcome"),
        "deadlines": _("Deadlines"),
        "deadlines_header": [_("Deadline"), _("Due"), _("Done"), _("Met")],
        "timeline": _("Timeline"),
        "timeline_header": [_("When"), _("Who"), _("What"), _("Status"), _("Note")],
        "custody": _("Chain of custody of the evidence"),
        "custody_header": [_("When"), _("Who"), _("Action"), _("Evidence"), _("Reason")],
        "documents": _("Letters and signed scans"),
        "letters": _("Letters"),
        "letters_header": [_("Number"), _("Version"), _("Letter"), _("Date")],
        "scans": _("Signed scans"),
        "scans_header": [_("Form"), _("Title"), _("Uploaded")],
    }


def _evidence_row(item: Evidence, number: str, include_identity: bool, labels: dict) -> dict:
    meta = item.metadata or {}
    captured = meta.get("taken_at") or meta.get("creation_time") or ""
    device = " ".join(
        str(v)
        for v in (
            meta.get("camera_make") or meta.get("device_make"),
            meta.get("camera_model") or meta.get("device_model"),
        )
        if v
    )
    position = meta.get("gps") or meta.get("location")
    if not position:
        location = _("no location")
    elif include_identity and isinstance(position, dict):
        location = f"{position.get('latitude')}, {position.get('longitude')}"
        if position.get("altitude") is not None:
            location += f" ({position['altitude']} m)"
    else:
        # The reporter's own position is in a photo's GPS: only an identity-bearing file shows it.
        location = _("location recorded")
    name = item.original_name or item.url or str(item.pk)
    if item.caption:
        name = f"{name} · {item.caption}"
    return {
        "no": number,
        "kind": labels[item.kind],
        "name": name,
        "size": filesizeformat(item.size) if item.size else DASH,
        "sha256": item.sha256 or DASH,
        "received": _when(item.created_at),
        "captured": captured.replace("T", " ") if captured else DASH,
        "device": device or DASH,
        "location": location,
        "status": str(item.get_status_display()) + (f": {item.status_reason}" if item.status_reason else ""),
    }


def _deadline_rows(report: Report, events: list) -> list[list[str]]:
    clock = deadlines.case_clock(report)
    today = timezone.localdate()

    def verdict(due, done) -> str:
        if not due:
            return DASH
        if done:
            return _("met") if timezone.localtime(done).date() <= due else _("not met")
        return _("overdue") if today > due else _("pending")

    start = report.clock_restarted_at or report.created_at
    triaged = next(
        (
            e.at
            for e in events
            if e.kind == ReportEvent.Kind.TRANSITION
            and e.at >= start
            and e.from_status in (S.SUBMITTED, S.TRIAGE)
            and e.to_status not in (S.SUBMITTED, S.TRIAGE)
        ),
        None,
    )
    assessment = _related(report, "assessment")
    decided = assessment.decided_at if assessment else None
    if not decided and report.status in (S.REJECTED, S.STOPPED) and report.registered_at:
        decided = report.closed_at
    rows = [
        [
            _("Filing window"),
            _day(clock["filing"]),
            _when(report.created_at),
            _("not met (filed late)") if report.late else _("met"),
        ],
        [
            _("Initial assessment"),
            _day(clock["initial_assessment"]),
            _when(triaged),
            verdict(clock["initial_assessment"], triaged),
        ],
        [
            _("Decision") + (f" ({_('extended')})" if report.decision_extended else ""),
            _day(clock["decision"]),
            _when(decided),
            verdict(clock["decision"], decided),
        ],
    ]
    referral = _related(report, "referral")
    if referral:
        waited = (
            (timezone.localtime(referral.outcome_recorded_at).date() - referral.sent_on).days
            if referral.outcome_recorded_at
            else (today - referral.sent_on).days
        )
        rows.append(
            [
                _("Agency's outcome (no legal deadline)"),
                DASH,
                _when(referral.outcome_recorded_at),
                (
                    _("answered after %(n)d days")
                    if referral.outcome_recorded_at
                    else _("waiting for %(n)d days")
                )
                % {"n": waited},
            ]
        )
    return rows


def casefile_data(
    report: Report, *, include_identity: bool, signing_fingerprint: str, generated_at, office, pictures
) -> dict:
    """The document's data (strings only). Pictures are copied into `pictures` (a casefiles.pdf.Typesetter) as
    they are named; one that cannot be read is left out. Call inside translation.override()."""
    status = str(report.get_status_display())
    number = report.case_number or report.tracking_code
    events = list(report.events.all())
    accused = list(report.accused.all())
    items = list(report.evidence.all())
    supporting = list(report.supporting_reports.all())

    cover = [
        [_("Case number"), number],
        [_("Status"), f"{status} ({_('since')} {_when(report.status_changed_at)})"],
        [_("Kind"), str(report.get_kind_display())],
        [_("Election"), report.election.name],
        [_("Received"), _when(report.created_at)],
        [_("Registered"), _when(report.registered_at)],
    ]
    if report.closed_at:
        cover.append([_("Ended"), _when(report.closed_at)])
    cover.append([_("File made"), _when(generated_at)])

    counts: dict[str, int] = {}
    for item in items:
        counts[str(item.get_kind_display())] = counts.get(str(item.get_kind_display()), 0) + 1
    assessment = _related(report, "assessment")
    referral = _related(report, "referral")
    summary = [
        [_("Case number"), number],
        [_("Status"), status],
        [_("Election"), f"{report.election.name} ({report.election.get_kind_display()})"],
        [_("Incident"), f"{_day(report.incident_date)} · {report.incident_place}"],
        [_("Region"), f"{region_path(report.incident_region)} ({report.incident_region_id})"],
        [_("Became known"), _day(report.known_date) + (f" · {_('filed late')}" if report.late else "")],
        [_("Terlapor"), ", ".join(a.name for a in accused) or DASH],
        [_("Violations"), "; ".join(c.label(_lang()) for c in report.categories.all()) or DASH],
        [_("Evidence"), ", ".join(f"{n} {k.lower()}" for k, n in sorted(counts.items())) or DASH],
        [_("Supporting reports"), str(len(supporting))],
        [_("Decision"), str(assessment.get_decision_display()) if assessment else DASH],
        [_("Receiving agency"), referral.agency.name if referral else DASH],
        [
            _("Assigned to"),
            report.assigned_to.get_full_name() or report.assigned_to.username if report.assigned_to else DASH,
        ],
    ]

    if report.anonymous:
        reporter = [[_("Identity"), _("Anonymous (informasi awal)")]]
    elif include_identity:
        reporter = [
            [_("Full name"), _text(report.reporter_name)],
            ["NIK", _text(report.reporter_nik)],
            [_("Address"), _text(report.reporter_address)],
            [_("Phone / WhatsApp"), _text(report.reporter_phone)],
            [_("E-mail"), _text(report.reporter_email)],
            [_("Reporter type"), _text(report.get_reporter_type_display())],
        ]
    else:
        reporter = [
            [
                _("Identity"),
                _("Masked in this file. It is kept by the office and shown only to those entitled."),
            ],
            [_("Reporter type"), _text(report.get_reporter_type_display())],
        ]

    people = [a.person_id for a in accused if a.person_id]
    others: dict[int, list] = {}
    for other in (
        Accused.objects.filter(person_id__in=people)
        .exclude(report_id=report.pk)
        .select_related("report")
        .order_by("report__created_at")
    ):
        if other.person_id is None:  # excluded by the filter; says so to the type checker
            continue
        others.setdefault(other.person_id, []).append(
            [
                other.report.case_number or _("not registered"),
                str(other.report.get_status_display()),
                _day(timezone.localtime(other.report.created_at).date()),
                " · ".join(v for v in (other.position, other.agency) if v) or DASH,
            ]
        )
    terlapor = [
        {
            "name": a.name,
            "rows": [
                ["NIP", _text(a.nip)],
                [_("ASN type"), str(a.get_asn_type_display())],
                [_("Position"), _text(a.position)],
                [_("Agency"), _text(a.agency)],
                [_("Region"), region_path(a.region) if a.region else DASH],
            ],
            "others": others.get(a.person_id, []) if a.person_id else [],
        }
        for a in accused
    ]

    categories = [
        [c.label(_lang()), str(c.get_group_display()), c.legal_basis, str(c.get_sanction_display()) or DASH]
        for c in report.categories.all()
    ]

    # Labels looked up once: a case may have hundreds of items.
    item_labels = {k: str(v) for k, v in [*Evidence.Kind.choices, *Evidence.Status.choices]}
    word = _("Evidence")
    evidence_rows, thumbs, links = [], [], []
    for index, item in enumerate(items, start=1):
        evidence_rows.append(_evidence_row(item, str(index), include_identity, item_labels))
        thumb = (
            pictures.add(f"e{index}.jpg", item.thumbnail)
            if item.thumbnail
            and not item.quarantined
            and item.kind in (Evidence.Kind.PHOTO, Evidence.Kind.VIDEO)
            else ""
        )
        if thumb:
            thumbs.append(
                {
                    "path": thumb,
                    "caption": f"{word} {index} · {item_labels[item.kind]}",
                    "alt": f"{word} {index}: {item_labels[item.kind]} {item.original_name}".strip(),
                }
            )
        if item.kind == Evidence.Kind.LINK:
            capture = next(iter(item.captures.all()), None)  # newest first (model ordering)
            rows = [
                ["URL", item.normalized_url or item.url],
                [
                    _("Platform"),
                    " · ".join(v for v in (item.platform, item.account, item.post_id) if v) or DASH,
                ],
            ]
            screenshot = ""
            if capture:
                rows += [
                    [_("Archived"), f"{_when(capture.captured_at)} · HTTP {capture.http_status}"],
                    [_("Archive (WARC) SHA-256"), capture.warc_sha256],
                    [_("Page SHA-256"), capture.body_sha256],
                ]
                if capture.screenshot:
                    rows.append([_("Screenshot SHA-256"), capture.screenshot_sha256 or DASH])
                    screenshot = pictures.add(f"s{index}.png", capture.screenshot)
            else:
                rows.append([_("Archived"), _("not archived")])
            links.append(
                {
                    "title": f"{_('Evidence')} {index}",
                    "rows": rows,
                    "screenshot": screenshot,
                    "alt": f"{_('Screenshot of')} {item.normalized_url or item.url}",
                }
            )

    supporting_data = []
    for s_index, joined in enumerate(supporting, start=1):
        rows = [
            [_("Received"), _when(joined.created_at)],
            [_("Kind"), str(joined.get_kind_display())],
        ]
        if include_identity and not joined.anonymous:
            rows += [
                [_("Reporter"), _text(joined.reporter_name)],
                ["NIK", _text(joined.reporter_nik)],
                [_("Address"), _text(joined.reporter_address)],
                [_("Phone / WhatsApp"), _text(joined.reporter_phone)],
                [_("E-mail"), _text(joined.reporter_email)],
            ]
        else:
            rows.append([_("Reporter"), _("anonymous") if joined.anonymous else _("masked")])
        supporting_data.append(
            {
                "title": f"{_('Supporting report')} {s_index}",
                "rows": rows,
                "evidence": [
                    _evidence_row(item, f"{s_index}.{i}", include_identity, item_labels)
                    for i, item in enumerate(joined.evidence.all(), start=1)
                ],
            }
        )

    clarifications = []
    for c_index, c in enumerate(report.clarifications.all(), start=1):
        invited = [_("terlapor")] if c.invite_terlapor else []
        if c.invite_reporter:
            invited.append(_("reporter"))
        if c.witnesses.strip():
            invited.append(", ".join(w.strip() for w in c.witnesses.splitlines() if w.strip()))
        clarifications.append(
            {
                "title": f"{_('Session')} {c_index}: {_when(c.scheduled_for)}",
                "rows": [
                    [_("Venue"), c.place],
                    [_("Invited"), ", ".join(invited) or DASH],
                    [_("Minutes recorded"), _when(c.minutes_recorded_at)],
                ],
                "minutes": paragraphs(c.minutes),
                "attachments": [[a.original_name, a.sha256] for a in c.attachments.all()],
            }
        )

    assessment_data = None
    if assessment:
        assessment_data = {
            "rows": [
                [_("Decision"), str(assessment.get_decision_display())],
                [_("Criminal element"), _("yes") if assessment.criminal_element else _("no")],
                [_("Violations"), "; ".join(c.label(_lang()) for c in assessment.categories.all()) or DASH],
                [_("Legal basis"), _text(assessment.legal_basis)],
                [_("Recommended sanction"), str(assessment.get_recommended_sanction_display()) or DASH],
                [_("Decided"), _when(assessment.decided_at)],
                [_("Written by"), assessment.author.username if assessment.author else DASH],
            ],
            "findings": paragraphs(assessment.findings),
        }
    referral_data = None
    if referral:
        referral_data = [
            [_("Agency"), referral.agency.name],
            [_("Letter number"), referral.letter_number],
            [_("Sent"), _day(referral.sent_on)],
            [
                _("Outcome"),
                str(referral.get_outcome_display()) if referral.outcome else _("waiting for the agency"),
            ],
            [
                _("Sanction given"),
                str(referral.get_outcome_sanction_display()) if referral.outcome_sanction else DASH,
            ],
            [_("Agency's note"), _text(referral.outcome_note)],
            [_("Outcome recorded"), _when(referral.outcome_recorded_at)],
        ]

    status_labels = dict(S.choices)
    timeline = [
        [
            _when(e.at),
            e.actor.username if e.actor else _("system / reporter"),
            str(e.get_kind_display()),
            f"{status_labels.get(e.from_status, e.from_status) or DASH} → {status_labels.get(e.to_status, e.to_status)}"
            if e.to_status
            else "",
            e.note,
        ]
        for e in events
    ]

    numbers = {item.pk: str(i) for i, item in enumerate(items, start=1)}
    for s_index, joined in enumerate(supporting, start=1):
        for i, item in enumerate(joined.evidence.all(), start=1):
            numbers[item.pk] = f"{s_index}.{i}"
    actions = {k: str(v) for k, v in CustodyEvent.Action.choices}
    custody = [
        {
            "at": _when(c.at),
            "actor": c.actor.username if c.actor else DASH,
            "action": actions.get(c.action, c.action),
            "item": numbers.get(c.evidence_id, DASH),
            "reason": c.reason,
            "sha256": c.sha256 or DASH,
        }
        for c in CustodyEvent.objects.filter(evidence_id__in=list(numbers))
        .select_related("actor")
        .order_by("at", "id")
    ]

    superseded = {letter.supersedes_id for letter in report.letters.all() if letter.supersedes_id}
    letters = [
        {
            "number": letter.number,
            "version": str(letter.version),
            "kind": str(letter.get_kind_display()),
            "date": _when(letter.issued_at),
            "sha256": letter.sha256,
            "note": _("superseded by a correction") if letter.pk in superseded else "",
        }
        for letter in report.letters.all()
    ]
    scans = [
        {
            "form": str(scan.form_model),
            "title": scan.title or scan.original_name,
            "date": _when(scan.uploaded_at),
            "sha256": scan.sha256,
        }
        for scan in report.signed_scans.all()
    ]

    logo = pictures.add("logo.png", logo_png(office)) if office and office.logo else ""
    data = {
        "lang": _lang(),
        "title": f"{_('Case file')} {number}",
        "keywords": ["Posko", "berkas perkara", number],
        "identity": include_identity,
        "labels": labels(),
        "office": office_block(office, logo),
        "case": {
            "number": number,
            "subtitle": f"{report.election.name} · {region_path(report.incident_region)}",
            "generated": _when(generated_at),
            "fingerprint": signing_fingerprint,
            "confidentiality": _("CONFIDENTIAL: contains the reporter's identity")
            if include_identity
            else _("Reporter's identity masked"),
            "identity_note": _(
                "This file contains the reporter's identity and the GPS positions recorded in the evidence. "
                "Hand it only to those entitled to them."
            )
            if include_identity
            else _(
                "The reporter's identity and the GPS positions recorded in the evidence are left out of this "
                "file; where a position exists it says “location recorded”."
            ),
        },
        "cover": cover,
        "summary": summary,
        "reporter": reporter,
        "terlapor": terlapor,
        "chronology": paragraphs(report.chronology),
        "witnesses": report.witnesses.strip(),
        "categories": categories,
        "evidence_note": _(
            "Originals are kept unchanged as received; the SHA-256 below was computed at intake. Times are "
            "those recorded by the device (capture) and by Posko (received)."
        ),
        "evidence": evidence_rows,
        "thumbs": thumbs,
        "links": links,
        "supporting": supporting_data,
        "clarifications": clarifications,
        "clarification_skipped": report.clarification_skip_reason.strip(),
        "assessment": assessment_data,
        "referral": referral_data,
        "deadlines": _deadline_rows(report, events),
        "timeline": timeline,
        "custody": custody,
        "letters": letters,
        "scans": scans,
    }
    return data


def logo_png(office) -> bytes:
    """The office's logo as PNG (whatever an admin uploaded that Pillow reads), or b"" when unreadable."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with office.logo.open("rb") as stream, Image.open(stream) as image:
            image.thumbnail((600, 600))
            out = io.BytesIO()
            image.convert("RGBA").save(out, "PNG")
            return out.getvalue()
    except (OSError, ValueError, UnidentifiedImageError):
        return b""


def office_block(office, logo: str) -> dict:
    """The letterhead's lines; a case whose region has no office yet gets Bawaslu's name alone."""
    if office is None:
        return {
            "name": "Badan Pengawas Pemilihan Umum",
            "name2": "",
            "short": "Bawaslu",
            "address": "",
            "contact": "",
            "logo": "",
            "logo_alt": "",
        }
    contact = " · ".join(v for v in (office.phone, office.email, office.website) if v)
    return {
        "name": office.name,
        "name2": office.name_line2,
        "short": office.short_name,
        "address": " ".join(office.address.split()),
        "contact": contact,
        "logo": logo,
        "logo_alt": f"{_('Logo of')} {office.short_name}",
    }


def _lang() -> str:
    from django.utils.translation import get_language

    return "en" if (get_language() or "id").startswith("en") else "id"
