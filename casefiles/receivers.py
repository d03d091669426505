"""What this app does when the case workflow (complaints) announces something: thin doors into tasks and
services, so the workflow never waits for a letter to be typeset."""

import logging

from django.conf import settings

log = logging.getLogger(__name__)

# The moves the reporter is told about (issue 8, item 3): registered, decided (the case leaves assessment:
# referred, or closed after the kajian), referred, and closed after the agency's outcome.
ANNOUNCED = {"investigation", "referred", "closed"}


def case_changed_received(sender, *, report_id, event_id, from_status, to_status, actor_id=None, **kwargs):
    """Queue the reporter's notice for a move (sent after commit by complaints.services.workflow)."""
    if to_status not in ANNOUNCED:
        return
    from casefiles.tasks import notice_issue_task

    try:
        notice_issue_task.apply_async(args=[report_id, event_id], queue=settings.POSKO_QUEUE_QUICK)
    except Exception:  # broker unreachable: the move stands, /lacak/ shows it; the notice is not sent
        log.warning("could not queue the notice for report %s, event %s", report_id, event_id, exc_info=True)


def demo_seeded_received(sender, **kwargs):
    from casefiles.services.demo import demo_documents_ensure

    demo_documents_ensure()
