"""What each status means to the reporter, in one sentence (shown on /lacak/ and in the API)."""

from django.utils.translation import gettext_lazy as _

from complaints.models import Report

S = Report.Status

MEANING = {
    S.SUBMITTED: _("Your report has been received and is waiting to be checked by a volunteer."),
    S.TRIAGE: _("A volunteer is checking your report for completeness and evidence."),
    S.NEEDS_INFO: _("Your report needs more information from you: read the message below and answer it."),
    S.INVESTIGATION: _("Bawaslu is investigating (penelusuran): gathering facts and evidence."),
    S.CLARIFICATION: _("Bawaslu is hearing the people involved (klarifikasi)."),
    S.ASSESSMENT: _("Bawaslu is writing its legal assessment (kajian) to decide on the case."),
    S.REFERRED: _(
        "Bawaslu has forwarded a recommendation to the competent agency and is waiting for its outcome."
    ),
    S.CLOSED: _("The case is closed with an outcome."),
    S.REJECTED: _(
        "Your report could not be handled: it is outside what Bawaslu handles or could not be used."
    ),
    S.MERGED: _("Your report has been joined to another report about the same event; it is handled there."),
    S.STOPPED: _("Handling of the case was stopped; the reason is recorded."),
}


def status_meaning(status: str) -> str:
    return str(MEANING.get(status, ""))
