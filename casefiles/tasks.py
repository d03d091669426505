"""Celery tasks of the case files: thin doors into the services, taking ids, safe to run twice."""

from celery import shared_task


@shared_task(name="casefiles.notice_issue", ignore_result=True)
def notice_issue_task(report_id: int, event_id: int) -> str | None:
    from casefiles.services.notices import notice_for_event

    letter = notice_for_event(report_id=report_id, event_id=event_id)
    return str(letter.pk) if letter else None
