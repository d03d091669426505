"""Periodic case work, run by Celery beat: thin doors into the services."""

from celery import shared_task

from complaints.services import digest, retention, workflow


@shared_task(name="complaints.coordinator_digest", ignore_result=True)
def coordinator_digest_task() -> int:
    return digest.coordinator_digest()


@shared_task(name="complaints.referral_reminders", ignore_result=True)
def referral_reminders_task() -> int:
    return workflow.referral_reminders()


@shared_task(name="complaints.retention_sweep", ignore_result=True)
def retention_sweep_task() -> dict:
    return retention.retention_sweep()


@shared_task(name="complaints.answer_notify", ignore_result=True)
def answer_notify_task(message_id: int) -> bool:
    """Tell the assignee that the reporter answered (safe to run twice: the message records the notice)."""
    return workflow.answer_notify(message_id)


@shared_task(name="complaints.draft_resume_email", ignore_result=True)
def draft_resume_email_task(draft_id: str, base_url: str) -> bool:
    # Takes the draft's id only: the task makes the e-mailed code itself, so no secret crosses the broker.
    from complaints.services import drafts

    return drafts.draft_resume_email(draft_id=draft_id, base_url=base_url)


@shared_task(name="complaints.cleanup_drafts", ignore_result=True)
def draft_cleanup_task() -> int:
    from complaints.services import drafts

    return drafts.draft_cleanup()


@shared_task(name="complaints.chain_verify", ignore_result=True)
def chain_verify_task() -> int:
    """The nightly check of every case's event chain (docs/integrity.md): each break is logged as an error,
    which reaches whoever watches the logs and the error mail. Returns the number of breaks."""
    import logging

    from complaints.selectors.chain import chain_check

    log = logging.getLogger("posko.integrity")
    breaks = 0
    for found in chain_check():
        breaks += 1
        log.error("history chain broken: %s", found)
    return breaks
