"""Exports: asking for one (checked and recorded), building it in the background, handing it out, and
removing it when it expires.

Every export is a row (who, when, why, what, the filters), built by a Celery task on the heavy queue after
the request commits, safe to run twice. A case export is written on the case's timeline (a ReportEvent of
kind export with the hash of what was handed out) and, for each evidence file in it, in the chain of custody
(a CustodyEvent of action export with that file's hash). An export that carries the reporter's identity needs
complaints.reveal_reporter, an explicit choice and a reason, and is logged as a reveal as well.
"""

from exports.services.build import export_build
from exports.services.records import coordinators_of, evidence_alarm, export_downloaded, export_sweep
from exports.services.requests import (
    can_export_case,
    can_export_recap,
    can_include_identity,
    export_enqueue,
    export_request_case,
    export_request_recap,
    recap_filters_clean,
)

__all__ = [
    "can_export_case",
    "can_export_recap",
    "can_include_identity",
    "coordinators_of",
    "evidence_alarm",
    "export_build",
    "export_downloaded",
    "export_enqueue",
    "export_request_case",
    "export_request_recap",
    "export_sweep",
    "recap_filters_clean",
]
