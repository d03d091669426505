"""What the receipt says about what happens next, and the receipt as a PDF (Typst, from the `typst` wheel,
which bundles its compiler and fonts: no system packages)."""

import json
from pathlib import Path

from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from complaints.models import Report

TEMPLATE = Path(settings.BASE_DIR) / "templates" / "complaints" / "pdf" / "receipt.typ"


def _date(day) -> str:
    return formats.date_format(day, "j F Y") if day else "—"


def next_steps(report: Report, clock: dict) -> list[str]:
    """What happens next and by when (PRODUCT.md section 4), in the reporter's words."""
    election = report.election
    unit = (
        (lambda n: ngettext("%(n)d working day", "%(n)d working days", n) % {"n": n})
        if election.filing_working_days
        else (lambda n: ngettext("%(n)d day", "%(n)d days", n) % {"n": n})
    )
    items = [
        _(
            "By %(date)s volunteers and Bawaslu check that your report is complete (initial assessment, "
            "%(days)s). If something is missing, they ask you on the tracking page: answer there."
        )
        % {"date": _date(clock.get("initial_assessment")), "days": unit(election.initial_assessment_days)},
        _(
            "When it is registered as a case, Bawaslu decides within %(days)s, or %(more)s more when more "
            "information is needed."
        )
        % {"days": unit(election.decision_days), "more": unit(election.decision_extension_days)},
        _("Follow your report on the tracking page (/lacak/) with your tracking code and PIN."),
    ]
    if report.kind == Report.Kind.INFORMASI_AWAL:
        items.insert(
            0,
            _(
                "Your report is handled as initial information (informasi awal): Bawaslu can investigate it, "
                "but you are not heard in the case as a reporter."
            ),
        )
    return items


def receipt_pdf(context: dict, *, pin: str = "") -> bytes:
    """The receipt PDF for a report (the receipt page's context)."""
    import typst

    report = context["report"]
    rows = [
        (_("Received"), formats.date_format(report.created_at, "l, j F Y H:i") + " WIB"),
        (_("Status"), f"{report.get_status_display()}: {context['status_meaning']}"),
        (_("Handled as"), str(report.get_kind_display())),
        (_("Election"), report.election.name),
        (_("Terlapor"), "; ".join(a.name for a in report.accused.all())),
        (_("Date it happened"), _date(report.incident_date)),
        (_("Place"), f"{report.incident_place}, {context['region_path']}"),
        (_("Categories"), "; ".join(context["categories"])),
        (
            _("Evidence"),
            ngettext("%(n)d item", "%(n)d items", len(report.evidence.all()))
            % {"n": len(report.evidence.all())},
        ),
    ]
    data = {
        "title": _("Receipt %(code)s") % {"code": report.tracking_code},
        "lang": (get_language() or "id")[:2],
        "subtitle": _("Receipt of a submitted report") + " · Posko",
        "labels": {"code": _("Tracking code")},
        "code": report.tracking_code,
        "pin": pin,
        "pin_note": _("Shown once, when the report was sent."),
        "rows": [[str(a), str(b)] for a, b in rows],
        "next_title": _("What happens next"),
        "next": [str(item) for item in context["next_steps"]],
        "footer": _("Keep the tracking code and PIN: they are the only way to follow your report."),
    }
    return typst.compile(
        TEMPLATE.read_bytes(), sys_inputs={"data": json.dumps(data)}, ignore_system_fonts=True, format="pdf"
    )
