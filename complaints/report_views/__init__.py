"""The report form, step by step, with a draft kept on the server (complaints.services.drafts): about you →
terlapor → what happened → evidence → check your answers → send. Every step is a plain form post that works
without JavaScript; "add another" and "remove" are submit buttons. The tus endpoint for resumable uploads of
the evidence step is here too, because it belongs to the reporter's draft."""

from complaints.report_views.check import (
    receipt_pin_for_pdf,
    report_bot_challenge,
    report_check,
    report_resume,
)
from complaints.report_views.common import resume_path
from complaints.report_views.evidence import report_evidence
from complaints.report_views.steps import report_accused, report_create, report_incident
from complaints.report_views.uploads import report_upload, report_upload_part

__all__ = [
    "receipt_pin_for_pdf",
    "report_accused",
    "report_bot_challenge",
    "report_check",
    "report_create",
    "report_evidence",
    "report_incident",
    "report_resume",
    "report_upload",
    "report_upload_part",
    "resume_path",
]
