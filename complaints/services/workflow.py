"""The case workflow (PRODUCT.md section 4): guarded, race-safe transitions, and every change recorded as an
append-only event. A transition is a conditional UPDATE on the expected status: when nothing changes,
someone else acted first and the caller is told (STYLE.md practice 3)."""

import datetime as dt
import functools
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from complaints.links import site_url
from complaints.models import (
    Assessment,
    Clarification,
    Message,
    Referral,
    ReferralAgency,
    Region,
    Report,
    ReportEvent,
    SanctionDetail,
    StaffProfile,
)
from complaints.services import history
from complaints.services.access import CASE_ROLES, has_role, report_visible, role_of
from complaints.timezones import zone_for_region

S = Report.Status
R = StaffProfile.Role
E = ReportEvent.Kind
# The queue priority's range (the case page's form offers the same): higher comes first.
PRIORITY_MIN, PRIORITY_MAX = -9, 9
OPEN = Report.OPEN


class Conflict(Exception):
    """The case changed since the user looked at it; nothing was done."""

    def __init__(self, current: str):
        super().__init__(current)
        self.current = current

    @property
    def message(self) -> str:
        label = dict(S.choices).get(self.current, self.current)
        return _(
            "Someone else changed this case first; it is now “%(status)s”. Nothing was changed: check the "
            "case and try again."
        ) % {"status": label}


# (from, to) → the least role that may make the move. Rejected and stopped come from any open state.
MOVES: dict[tuple[str, str], str] = {
    (S.SUBMITTED, S.TRIAGE): R.RELAWAN,
    (S.SUBMITTED, S.NEEDS_INFO): R.RELAWAN,
    (S.TRIAGE, S.NEEDS_INFO): R.RELAWAN,
    (S.NEEDS_INFO, S.TRIAGE): R.RELAWAN,
    (
        S.TRIAGE,
        S.INVESTIGATION,
    ): R.RELAWAN,  # the volunteer hands a good report on: it is registered as a case
    (S.INVESTIGATION, S.CLARIFICATION): R.STAF,
    (S.INVESTIGATION, S.ASSESSMENT): R.STAF,  # only with a recorded reason to skip clarification
    (S.CLARIFICATION, S.ASSESSMENT): R.STAF,
    (S.ASSESSMENT, S.REFERRED): R.KOORDINATOR,  # coordinators approve referrals
    (S.ASSESSMENT, S.CLOSED): R.KOORDINATOR,  # and decisions that end a case
    (S.REFERRED, S.CLOSED): R.STAF,
}
# Volunteers may reject spam only while a report is still theirs to triage.
REJECT_ROLE: dict[str, str] = {S.SUBMITTED: R.RELAWAN, S.TRIAGE: R.RELAWAN, S.NEEDS_INFO: R.RELAWAN}
# What volunteers handle: reports not yet handed on to Bawaslu.
TRIAGE = frozenset({S.SUBMITTED, S.TRIAGE, S.NEEDS_INFO})


def _require_open(report: Report) -> None:
    if report.status not in OPEN:
        raise ValidationError(
            _("This case is “%(status)s”: nothing more can be done on it.")
            % {"status": report.get_status_display()}
        )


def _volunteer_only(user) -> bool:
    return has_role(user, R.RELAWAN) and not has_role(user, R.STAF)


def _unless_archived(service):
    """Archived cases (complaints/services/retention.py) are kept read-only: a service that changes a case
    refuses one whose retention period has ended. Reading, exporting and the reporter's tracking still work."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        for name in ("report", "duplicate", "into", "clarification"):
            obj = kwargs.get(name)
            report = getattr(obj, "report", obj) if name == "clarification" else obj
            if report is not None and report.archived_at is not None:
                raise ValidationError(
                    _("This case was archived under the retention rules: it can be read but not changed.")
                )
        return service(*args, **kwargs)

    return wrapper


def allowed_moves(report: Report, user) -> list[str]:
    """The statuses this user may move this report to now (prerequisites aside)."""
    moves = [to for (frm, to), role in MOVES.items() if frm == report.status and has_role(user, role)]
    if report.status in OPEN:
        if has_role(user, REJECT_ROLE.get(report.status, R.STAF)):
            moves.append(S.REJECTED)
        if has_role(user, R.STAF):
            moves.append(S.STOPPED)
    return moves


def _done_before(report: Report, token: str) -> ReportEvent | None:
    """The event a form with this one-time token already wrote (a double click, a reload), if any."""
    if not token:
        return None
    return ReportEvent.objects.filter(report=report, data__token=token).first()


def _unchanged(instance, values: dict) -> bool:
    return all(getattr(instance, name) == value for name, value in values.items())


def _refusal(report: Report, user, to_status: str) -> str:
    """Why this user may not make this move now, in words: which role it needs, or that the state forbids it."""
    from complaints.services.access import role_of

    labels = dict(S.choices)
    needed = MOVES.get((report.status, to_status))
    if needed is None and to_status in (S.REJECTED, S.STOPPED) and report.status in OPEN:
        needed = REJECT_ROLE.get(report.status, R.STAF) if to_status == S.REJECTED else R.STAF
    if needed is None:
        return _("A case in “%(current)s” cannot move to “%(to)s”.") % {
            "current": labels.get(report.status, report.status),
            "to": labels.get(to_status, to_status),
        }
    return _(
        "Moving a case to “%(to)s” is for %(role)s and above; your role is %(yours)s. Ask a colleague with "
        "that role, or your coordinator."
    ) % {
        "to": labels.get(to_status, to_status),
        "role": dict(R.choices)[needed],
        "yours": dict(R.choices).get(role_of(user), _("none")),
    }


def _event(report, user, kind, note="", data=None, from_status="", to_status="") -> ReportEvent:
    return history.event_record(
        report=report,
        actor=user,
        kind=kind,
        note=note,
        data=data or {},
        from_status=from_status,
        to_status=to_status,
    )


def _check_prerequisites(report: Report, to: str, note: str) -> None:
    """What must exist before a move (PRODUCT.md section 4 and issue 4)."""
    if to in (S.REJECTED, S.STOPPED) and not note.strip():
        raise ValidationError(_("Give the reason for rejecting or stopping."))
    if to == S.ASSESSMENT:
        has_minutes = report.clarifications.exclude(minutes="").exists()
        if not has_minutes and not report.clarification_skip_reason.strip():
            raise ValidationError(
                _(
                    "An assessment needs at least one clarification with its minutes, or a "
                    "recorded reason to skip clarification."
                )
            )
    if to == S.REFERRED:
        assessment = Assessment.objects.filter(report=report).first()
        if assessment is None or assessment.decision == Assessment.Decision.NOT_VIOLATION:
            raise ValidationError(_("A referral needs an assessment that decided on a violation."))
        if not Referral.objects.filter(report=report).exists():
            raise ValidationError(_("Record the referral (agency, letter number, date sent) first."))
    if to == S.CLOSED:
        if report.status == S.REFERRED:
            referral = Referral.objects.filter(report=report).first()
            if referral is None or not referral.outcome:
                raise ValidationError(_("Record the agency's outcome before closing."))
        else:
            assessment = Assessment.objects.filter(report=report).first()
            if assessment is None:
                raise ValidationError(_("A case is closed after its assessment and decision."))
            if not note.strip():
                raise ValidationError(_("Describe the outcome before closing."))


@_unless_archived
def case_transition(
    *, report: Report, user, to_status: str, note: str = "", expected_status: str | None = None
) -> Report:
    """Move a case to `to_status`. Raises PermissionDenied (not this user's move), ValidationError (something
    must exist first) or Conflict (the case changed meanwhile); on success writes exactly one event."""
    if to_status not in S.values:
        raise ValidationError(_("“%(status)s” is not a status of a case.") % {"status": to_status})
    expected = expected_status or report.status
    if expected != report.status:
        raise Conflict(report.status)
    if to_status not in allowed_moves(report, user):
        raise PermissionDenied(_refusal(report, user, to_status))
    _check_prerequisites(report, to_status, note)
    now = timezone.now()
    changes = {"status": to_status, "status_changed_at": now}
    if to_status in (S.CLOSED, S.REJECTED, S.STOPPED):
        changes.update(closed_at=now, outcome=note.strip())
    if to_status == S.TRIAGE and report.status == S.SUBMITTED and report.assigned_to_id is None:
        changes["assigned_to"] = user  # whoever starts triage has claimed it
    with transaction.atomic():
        if not Report.objects.filter(pk=report.pk, status=expected).update(**changes):
            raise Conflict(Report.objects.values_list("status", flat=True).get(pk=report.pk))
        if to_status == S.INVESTIGATION and not report.case_number:
            _register(report, now)
        event = _event(report, user, E.TRANSITION, note, from_status=expected, to_status=to_status)
        due_refresh(report)
        transaction.on_commit(lambda: _announce(event, user))
    report.refresh_from_db()
    return report


def _announce(event: ReportEvent, user) -> None:
    """Tell the apps above (case files: the reporter's notices) that a case moved; after commit only."""
    from complaints.signals import case_changed

    case_changed.send(
        sender=Report,
        report_id=event.report_id,
        event_id=event.pk,
        from_status=event.from_status,
        to_status=event.to_status,
        actor_id=getattr(user, "pk", None),
    )


ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def case_number_for(report: Report, sequence: int, when: dt.datetime) -> str:
    """Bawaslu's numbering, e.g. 002/LP/PL/Kab/35.74/III/2024: sequence / LP (laporan) or TM (temuan: what
    supervisors take up themselves, here an informasi awal) / PL / level / region code / Roman month / year."""
    code = ".".join(report.incident_region_id.split(".")[:2])
    region = Region.objects.only("kind").get(code=code)
    level = {"provinsi": "Prov", "kota": "Kota"}.get(region.kind, "Kab")
    kind = "LP" if report.kind == Report.Kind.LAPORAN else "TM"
    local = timezone.localtime(when, zone_for_region(code).tz)  # the month and year of the case's own zone
    return f"{sequence:03d}/{kind}/PL/{level}/{code}/{ROMAN[local.month - 1]}/{local.year}"


def _register(report: Report, now: dt.datetime) -> None:
    """Give the case its number. The kab/kota row is locked so two registrations cannot take one number."""
    code = ".".join(report.incident_region_id.split(".")[:2])
    list(Region.objects.select_for_update().filter(code=code))
    year = timezone.localtime(now, zone_for_region(code).tz).year
    kind = "LP" if report.kind == Report.Kind.LAPORAN else "TM"
    taken = Report.objects.filter(
        case_number__regex=rf"^\d+/{kind}/PL/[A-Za-z]+/{re.escape(code)}/[IVX]+/{year}$"
    )
    sequence = taken.count() + 1
    Report.objects.filter(pk=report.pk).update(
        case_number=case_number_for(report, sequence, now), registered_at=now
    )


@_unless_archived
def case_assign(*, report: Report, user, assignee) -> bool:
    """Give an open case to someone who may work on it: a case worker whose jurisdiction covers it, and past
    triage (handed on to Bawaslu) an officer or coordinator. Volunteers assign only to themselves."""
    if not has_role(user, R.RELAWAN) or (assignee and assignee != user and not has_role(user, R.STAF)):
        raise PermissionDenied(_("You may not assign cases to others."))
    _require_open(report)
    if report.assigned_to_id == (assignee.pk if assignee else None):
        return False  # saved unchanged: nothing to record
    if assignee is not None:
        name = assignee.get_full_name() or assignee.username
        if role_of(assignee) not in CASE_ROLES or not report_visible(assignee, report.pk):
            raise ValidationError(
                _("%(name)s cannot see this case (it is outside their jurisdiction): it was not assigned.")
                % {"name": name}
            )
        if report.status not in TRIAGE and not has_role(assignee, R.STAF):
            raise ValidationError(
                _(
                    "This case has left triage: it goes to Bawaslu staff, and %(name)s is a volunteer. It "
                    "was not assigned."
                )
                % {"name": name}
            )
    Report.objects.filter(pk=report.pk).update(assigned_to=assignee)
    _event(report, user, E.ASSIGN, data={"assignee": assignee.username if assignee else None})
    return True


@_unless_archived
def case_set_priority(*, report: Report, user, priority: int) -> bool:
    """Set the queue priority (PRIORITY_MIN to PRIORITY_MAX); False when it already had it (nothing
    recorded)."""
    # Services check what they are given, whichever door it came through (issue 9 item 7).
    if type(priority) is not int or not PRIORITY_MIN <= priority <= PRIORITY_MAX:
        raise ValidationError(
            _("A priority is a whole number from %(low)d to %(high)d.")
            % {"low": PRIORITY_MIN, "high": PRIORITY_MAX}
        )
    if not has_role(user, R.RELAWAN) or (_volunteer_only(user) and report.status not in TRIAGE):
        raise PermissionDenied(_("Volunteers set priorities only while a report is in triage."))
    _require_open(report)
    if report.priority == priority:
        return False
    Report.objects.filter(pk=report.pk).update(priority=priority)
    _event(report, user, E.PRIORITY, data={"priority": priority})
    return True


@_unless_archived
def case_note(*, report: Report, user, body: str, token: str = "") -> ReportEvent:
    """An internal note: staff only, never shown to the reporter. A form posted twice adds it once."""
    if not body.strip():
        raise ValidationError(_("The note is empty."))
    done = _done_before(report, token)
    if done is not None:
        done.changed = False
        return done
    return _event(report, user, E.NOTE, body.strip(), data={"token": token} if token else None)


@_unless_archived
def message_send(
    *,
    report: Report,
    user,
    body: str,
    question: bool = False,
    expected_status: str | None = None,
    token: str = "",
) -> Message:
    """A message to the reporter, shown on /lacak/ (and announced by e-mail, without case details), at any open
    stage. During triage a question also moves the report to needs_info (Perlu Perbaikan), which pauses the
    initial-assessment clock; later a question waits for the answer without changing the status. A form posted
    twice sends the message once."""
    if not body.strip():
        raise ValidationError(_("The message is empty."))
    if not has_role(user, R.RELAWAN):
        raise PermissionDenied(_("Messages to the reporter are for volunteers and Bawaslu staff."))
    _require_open(report)
    done = _done_before(report, token)
    if done is not None:
        message = Message.objects.get(pk=done.data["message"])
        message.changed = False
        return message
    with transaction.atomic():
        if question and report.status in (S.SUBMITTED, S.TRIAGE):
            case_transition(
                report=report, user=user, to_status=S.NEEDS_INFO, note=body, expected_status=expected_status
            )
        message = Message.objects.create(
            report=report,
            direction=Message.Direction.TO_REPORTER,
            body=body.strip(),
            author=user,
            is_question=question,
        )
        data: dict[str, Any] = {"message": message.pk, "question": question}
        if token:
            data["token"] = token
        _event(report, user, E.MESSAGE, body.strip(), data=data)
        # Staff answered: the reporter's last answer has been read.
        Report.objects.filter(pk=report.pk).update(new_answer_at=None)
        transaction.on_commit(lambda: _notify_reporter(message.pk))
    return message


@sensitive_variables()  # the reporter's address
def _notify_reporter(message_id: int) -> None:
    message = Message.objects.select_related("report").get(pk=message_id)
    report = message.report
    if report.anonymous or not report.reporter_email:
        return
    context = {"code": report.tracking_code}
    send_mail(
        subject=render_to_string("emails/reporter_message_subject.txt", context).strip(),
        message=render_to_string("emails/reporter_message.txt", context),
        from_email=None,
        recipient_list=[report.reporter_email],
        html_message=render_to_string("emails/reporter_message.html", context),
        fail_silently=True,
    )
    Message.objects.filter(pk=message_id).update(emailed_at=timezone.now())


def message_answer(*, report: Report, body: str, files: list) -> Message:
    """The reporter answers on /lacak/ with text and files (evidence of the report, processed by the pipeline),
    at any open stage. The case is marked as having a new answer and its assignee is told by e-mail.

    Clocks: a report waiting for correction (needs_info) goes back to triage and its initial-assessment clock
    starts again from the answer (PRODUCT.md section 4: "an incomplete report goes back to the reporter for
    correction"; the kajian awal counts from the corrected report). After registration an answer does not move
    the decision deadline: it runs from registration (UU 7/2017 Pasal 454 ayat 7; UU 10/2016 Pasal 134 ayat 5),
    and when more information is needed the law's remedy is the one extension (Pasal 454 ayat 8; Pasal 134
    ayat 6), which staff grant with a reason on the case page."""
    from evidence import services as evidence_services

    if not body.strip() and not files:
        raise ValidationError(_("Write an answer or attach a file."))
    if report.status not in OPEN:
        raise ValidationError(_("This report is no longer open, so it cannot take answers."))
    with transaction.atomic():
        position = report.evidence.count()
        items = [
            evidence_services.evidence_attach_file(
                report=report, upload=f, caption=_("Answer"), position=position + i
            )
            for i, f in enumerate(files)
        ]
        message = Message.objects.create(
            report=report,
            direction=Message.Direction.FROM_REPORTER,
            body=body.strip(),
            evidence_ids=[str(i.pk) for i in items],
        )
        _event(report, None, E.ANSWER, body.strip(), data={"message": message.pk, "files": len(items)})
        now = timezone.now()
        Report.objects.filter(pk=report.pk).update(new_answer_at=now)
        if Report.objects.filter(pk=report.pk, status=S.NEEDS_INFO).update(
            status=S.TRIAGE, status_changed_at=now, clock_restarted_at=now
        ):
            _event(
                report,
                None,
                E.TRANSITION,
                _("The reporter answered."),
                from_status=S.NEEDS_INFO,
                to_status=S.TRIAGE,
            )
            due_refresh(report)
        evidence_services.evidence_enqueue([i.pk for i in items])
        transaction.on_commit(lambda: _answer_notify_enqueue(message.pk))
    return message


def _answer_notify_enqueue(message_id: int) -> None:
    from complaints.tasks import answer_notify_task

    answer_notify_task.delay(message_id)


def answer_notify(message_id: int) -> bool:
    """E-mail the case's assignee that the reporter answered: the case number and a link, nothing of what was
    said. Safe to run twice: a message whose notice went out (emailed_at) is not announced again."""
    from django.urls import reverse

    message = Message.objects.select_related("report__assigned_to").filter(pk=message_id).first()
    if message is None or message.emailed_at or message.direction != Message.Direction.FROM_REPORTER:
        return False
    report = message.report
    assignee = report.assigned_to
    if assignee is None or not assignee.email or not assignee.is_active:
        return False
    context = {
        "case": report.case_number or report.tracking_code,
        "url": site_url() + reverse("staff:case", args=[report.pk]),
        "user": assignee,
    }
    if not Message.objects.filter(pk=message_id, emailed_at__isnull=True).update(emailed_at=timezone.now()):
        return False  # another run sent it meanwhile
    send_mail(
        subject=render_to_string("emails/answer_notice_subject.txt", context).strip(),
        message=render_to_string("emails/answer_notice.txt", context),
        from_email=None,
        recipient_list=[assignee.email],
        html_message=render_to_string("emails/answer_notice.html", context),
        fail_silently=True,
    )
    return True


@sensitive_variables()  # the identity it returns
def identity_reveal(*, report: Report, user, reason: str) -> dict:
    """Show a reporter's identity to staff who may see it, for a stated reason; every reveal is logged."""
    from complaints.services.access import can_reveal_identity

    if not can_reveal_identity(user):
        raise PermissionDenied(_("You may not reveal reporters' identities."))
    if len(reason.strip()) < 10:
        raise ValidationError(_("Give a reason of at least 10 characters."))
    _event(report, user, E.REVEAL, reason.strip())
    return {
        "name": report.reporter_name,
        "address": report.reporter_address,
        "phone": report.reporter_phone,
        "email": report.reporter_email,
        "nik": report.reporter_nik,
    }


@_unless_archived
def case_merge(*, duplicate: Report, into: Report, user, note: str = "") -> Report:
    """Join a duplicate report to a case: it becomes a supporting report (status merged), its evidence stays
    with it and is shown on the case, and its reporter's tracking code follows the case's status."""
    if duplicate.pk == into.pk or into.merged_into_id:
        raise ValidationError(_("Merge into the main case, not into itself or into a merged report."))
    if not has_role(user, R.RELAWAN):
        raise PermissionDenied
    # Both cases must be this user's to see: a case outside the jurisdiction is not there for them.
    if not (report_visible(user, duplicate.pk) and report_visible(user, into.pk)):
        raise PermissionDenied(_("You may merge only cases in your jurisdiction."))
    if duplicate.status == S.MERGED:
        raise Conflict(S.MERGED)  # merged a moment ago, most likely by the same click
    if duplicate.status not in OPEN:
        raise ValidationError(_("Only an open report can be merged into another case."))
    if into.status in (S.REJECTED, S.STOPPED, S.MERGED):
        raise ValidationError(_("A report cannot be merged into a rejected, stopped or merged case."))
    if _volunteer_only(user) and duplicate.status not in TRIAGE:
        raise PermissionDenied(
            _("This case has left triage: only Bawaslu staff may merge it into another case.")
        )
    with transaction.atomic():
        now = timezone.now()
        updated = Report.objects.filter(
            pk=duplicate.pk, status=duplicate.status, merged_into__isnull=True
        ).update(status=S.MERGED, status_changed_at=now, merged_into=into, closed_at=now)
        if not updated:
            raise Conflict(Report.objects.values_list("status", flat=True).get(pk=duplicate.pk))
        # Reports already merged into the duplicate follow it to the main case.
        Report.objects.filter(merged_into=duplicate).update(merged_into=into)
        _event(
            duplicate,
            user,
            E.MERGE,
            note,
            data={"into": into.pk, "into_code": into.tracking_code},
            from_status=duplicate.status,
            to_status=S.MERGED,
        )
        _event(
            into, user, E.MERGE, note, data={"merged": duplicate.pk, "merged_code": duplicate.tracking_code}
        )
    return into


@_unless_archived
def clarification_schedule(
    *,
    report: Report,
    user,
    scheduled_for,
    place: str,
    invite_terlapor: bool,
    invite_reporter: bool,
    witnesses: str,
    token: str = "",
) -> Clarification:
    """Schedule a clarification session. Scheduled during investigation, it also opens the clarification stage
    (one step for the officer instead of two). A form posted twice schedules it once."""
    if not has_role(user, R.STAF):
        raise PermissionDenied(_("Clarifications are scheduled by Bawaslu staff."))
    done = _done_before(report, token)
    if done is not None:
        clarification = Clarification.objects.get(pk=done.data["clarification"])
        clarification.changed = False
        return clarification
    if report.status not in (S.INVESTIGATION, S.CLARIFICATION):
        raise ValidationError(_("Clarifications are scheduled during investigation or clarification."))
    with transaction.atomic():
        if report.status == S.INVESTIGATION:
            case_transition(
                report=report, user=user, to_status=S.CLARIFICATION, expected_status=S.INVESTIGATION
            )
        return _clarification_create(
            report=report,
            user=user,
            scheduled_for=scheduled_for,
            place=place,
            invite_terlapor=invite_terlapor,
            invite_reporter=invite_reporter,
            witnesses=witnesses,
            token=token,
        )


def _clarification_create(
    *, report, user, scheduled_for, place, invite_terlapor, invite_reporter, witnesses, token
) -> Clarification:
    clarification = Clarification(
        report=report,
        scheduled_for=scheduled_for,
        place=place,
        invite_terlapor=invite_terlapor,
        invite_reporter=invite_reporter,
        witnesses=witnesses,
        created_by=user,
    )
    clarification.full_clean()
    clarification.save()
    _event(
        report,
        user,
        E.CLARIFICATION,
        place,
        data={
            "clarification": clarification.pk,
            "action": "scheduled",
            "at": scheduled_for.isoformat(),
            **({"token": token} if token else {}),
        },
    )
    return clarification


@_unless_archived
def clarification_minutes(
    *, clarification: Clarification, user, minutes: str, files: list, token: str = ""
) -> Clarification:
    """Record the berita acara and its attachments (hashed, stored privately). A changed text is a new
    MinutesVersion (append-only, issue 9): earlier versions stay as recorded. The same minutes saved again
    without files, or a form posted twice, change nothing."""
    import hashlib

    from complaints.models import ClarificationAttachment, MinutesVersion

    if not has_role(user, R.STAF):
        raise PermissionDenied(_("Minutes are recorded by Bawaslu staff."))
    if clarification.report.status not in (S.INVESTIGATION, S.CLARIFICATION):
        raise ValidationError(_("Minutes are recorded during investigation or clarification."))
    if not minutes.strip():
        raise ValidationError(_("Write the minutes (berita acara)."))
    if _done_before(clarification.report, token) is not None or (
        clarification.minutes == minutes.strip() and not files
    ):
        clarification.changed = False
        return clarification
    with transaction.atomic():
        # The clarification row is the lock that numbers its versions without gaps or duplicates.
        Clarification.objects.select_for_update().filter(pk=clarification.pk).exists()
        text = minutes.strip()
        version = None
        if clarification.minutes != text:
            latest = clarification.minutes_versions.order_by("-version").first()
            version = MinutesVersion.objects.create(
                clarification=clarification,
                version=(latest.version if latest else 0) + 1,
                text=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                recorded_by=user,
            )
        clarification.minutes = text
        clarification.minutes_recorded_at = timezone.now()
        clarification.save(update_fields=["minutes", "minutes_recorded_at"])
        for upload in files:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            attachment = ClarificationAttachment(
                clarification=clarification,
                original_name=(upload.name or "")[-255:],
                sha256=digest.hexdigest(),
                size=upload.size,
                uploaded_by=user,
            )
            attachment.file.save("minutes", upload, save=False)
            attachment.save()
        _event(
            clarification.report,
            user,
            E.CLARIFICATION,
            data={
                "clarification": clarification.pk,
                "action": "minutes",
                **({"version": version.version, "sha256": version.sha256} if version else {}),
                "files": len(files),
                **({"token": token} if token else {}),
            },
        )
    return clarification


@_unless_archived
def clarification_skip(*, report: Report, user, reason: str) -> bool:
    """Record why clarification is skipped; False when that reason was already recorded."""
    if not has_role(user, R.STAF):
        raise PermissionDenied(_("Skipping clarification is for Bawaslu staff."))
    if report.status not in (S.INVESTIGATION, S.CLARIFICATION):
        raise ValidationError(_("Clarification is skipped during investigation or clarification."))
    if len(reason.strip()) < 10:
        raise ValidationError(_("Give a reason of at least 10 characters."))
    if report.clarification_skip_reason == reason.strip():
        return False
    Report.objects.filter(pk=report.pk).update(clarification_skip_reason=reason.strip())
    report.clarification_skip_reason = reason.strip()
    _event(report, user, E.CLARIFICATION, reason.strip(), data={"action": "skipped"})
    return True


def criminal_element_suggested(report: Report) -> bool:
    """Some violations during the campaign period carry criminal provisions (e.g. UU 7/2017 Pasal 494 on ASN
    taking part in campaigns; UU 10/2016 Pasal 188): suggest the flag when the incident fell in that period."""
    election = report.election
    return election.campaign_start <= report.incident_date <= election.campaign_end


@_unless_archived
def assessment_record(
    *,
    report: Report,
    user,
    findings: str,
    categories,
    legal_basis: str,
    recommended_sanction: str,
    criminal_element: bool,
    decision: str,
    recommended_sanction_detail: str = "",
) -> Assessment:
    """Write or correct the kajian. Written while the case is still in investigation or clarification (with
    minutes or a reason to skip), it also moves the case to assessment: one step instead of two. Saved
    unchanged, it changes nothing (no event, the decision's date kept)."""
    if not has_role(user, R.STAF):
        raise PermissionDenied(_("The assessment is written by Bawaslu staff."))
    if decision not in Assessment.Decision.values:
        raise ValidationError(
            _("“%(decision)s” is not a decision of an assessment.") % {"decision": decision}
        )
    if report.status not in (S.ASSESSMENT, S.INVESTIGATION, S.CLARIFICATION):
        raise ValidationError(_("The assessment is written while the case is in assessment."))
    recommended_sanction = sanction_level_checked(recommended_sanction, recommended_sanction_detail)
    existing = Assessment.objects.filter(report=report).first()
    values = {
        "findings": findings,
        "legal_basis": legal_basis,
        "recommended_sanction": recommended_sanction,
        "recommended_sanction_detail": recommended_sanction_detail,
        "criminal_element": criminal_element,
        "decision": decision,
    }
    wanted = sorted(c.pk for c in categories)
    if (
        existing is not None
        and report.status == S.ASSESSMENT
        and _unchanged(existing, values)
        and sorted(existing.categories.values_list("pk", flat=True)) == wanted
    ):
        existing.changed = False
        return existing
    with transaction.atomic():
        if report.status != S.ASSESSMENT:
            case_transition(report=report, user=user, to_status=S.ASSESSMENT, expected_status=report.status)
        assessment, _created = Assessment.objects.update_or_create(
            report=report,
            defaults={
                "findings": findings,
                "legal_basis": legal_basis,
                "recommended_sanction": recommended_sanction,
                "recommended_sanction_detail": recommended_sanction_detail,
                "criminal_element": criminal_element,
                "decision": decision,
                "author": user,
                "decided_at": timezone.now(),
            },
        )
        assessment.categories.set(categories)
        _kept_on_report(report, decided_at=assessment.decided_at)
        _event(
            report,
            user,
            E.ASSESSMENT,
            findings[:500],
            data={"decision": decision, "criminal_element": criminal_element},
        )
    return assessment


def _kept_on_report(report: Report, **values) -> None:
    """The steps after the kajian copied onto the report (Report.decided_at, referral_sent_on,
    agency_outcome_at), where the statistics read them, and onto the caller's instance."""
    for name, value in values.items():
        setattr(report, name, value)
    Report.objects.filter(pk=report.pk).update(**values)


def referral_agency_for(report: Report, on: dt.date) -> ReferralAgency | None:
    """The agency that receives this case's referral on `on`: Gakkumdu for a criminal element, otherwise the
    civil-service body of the day (KASN until 23 Aug 2024, BKN after)."""
    assessment = Assessment.objects.filter(report=report).first()
    criminal = assessment is not None and (assessment.criminal_element or assessment.decision == "criminal")
    return ReferralAgency.for_date(ReferralAgency.Kind.CRIMINAL if criminal else ReferralAgency.Kind.ASN, on)


@_unless_archived
def referral_record(
    *, report: Report, user, letter_number: str, sent_on: dt.date, remind_every_days: int = 14
) -> Referral:
    """Record (or correct) the referral letter; saved unchanged it changes nothing."""
    if not has_role(user, R.STAF):
        raise PermissionDenied(_("Referrals are recorded by Bawaslu staff."))
    if report.status != S.ASSESSMENT:
        raise ValidationError(_("A referral is recorded after the assessment."))
    agency = referral_agency_for(report, sent_on)
    if agency is None:
        raise ValidationError(_("No receiving agency is configured for that date."))
    existing = Referral.objects.filter(report=report).first()
    values = {
        "agency_id": agency.pk,
        "letter_number": letter_number.strip(),
        "sent_on": sent_on,
        "remind_every_days": remind_every_days,
    }
    if existing is not None and _unchanged(existing, values):
        existing.changed = False
        return existing
    with transaction.atomic():
        referral, _created = Referral.objects.update_or_create(
            report=report,
            defaults={
                "agency": agency,
                "letter_number": letter_number.strip(),
                "sent_on": sent_on,
                "remind_every_days": remind_every_days,
                "created_by": user,
            },
        )
        _kept_on_report(report, referral_sent_on=referral.sent_on)
        _event(
            report,
            user,
            E.REFERRAL,
            letter_number,
            data={"agency": agency.code, "sent_on": sent_on.isoformat()},
        )
    return referral


def sanction_level_checked(level: str, detail: str) -> str:
    """The sanction level to record: the one given, or the level of the specific sanction when only that is
    given (PP 94/2021 Pasal 8); a specific sanction of another level is refused."""
    if not detail:
        return level
    if detail not in SanctionDetail.values:
        raise ValidationError(_("Unknown sanction."))
    detail_level = SanctionDetail.level_of(detail)
    if level and level != detail_level:
        raise ValidationError(_("The specific sanction does not belong to the chosen level."))
    return detail_level


@_unless_archived
def referral_outcome(
    *, report: Report, user, outcome: str, sanction: str, note: str, sanction_detail: str = ""
) -> Referral:
    """Record (or correct) what the agency decided; saved unchanged it changes nothing."""
    if not has_role(user, R.STAF):
        raise PermissionDenied(_("The agency's outcome is recorded by Bawaslu staff."))
    if report.status != S.REFERRED:
        raise ValidationError(_("The agency's outcome is recorded while the case waits for it (forwarded)."))
    referral = Referral.objects.filter(report=report).first()
    if referral is None:
        raise ValidationError(_("There is no referral to record an outcome for."))
    sanction = sanction_level_checked(sanction, sanction_detail)
    if _unchanged(
        referral,
        {
            "outcome": outcome,
            "outcome_sanction": sanction,
            "outcome_sanction_detail": sanction_detail,
            "outcome_note": note.strip(),
        },
    ):
        referral.changed = False
        return referral
    referral.outcome, referral.outcome_sanction, referral.outcome_note = outcome, sanction, note.strip()
    referral.outcome_sanction_detail = sanction_detail
    referral.outcome_recorded_at = timezone.now()
    with transaction.atomic():
        referral.save(
            update_fields=[
                "outcome",
                "outcome_sanction",
                "outcome_sanction_detail",
                "outcome_note",
                "outcome_recorded_at",
            ]
        )
        _kept_on_report(report, agency_outcome_at=referral.outcome_recorded_at)
        _event(
            report,
            user,
            E.REFERRAL,
            note,
            data={"outcome": outcome, "sanction": sanction, "detail": sanction_detail},
        )
    return referral


@_unless_archived
def decision_extend(*, report: Report, user, reason: str) -> None:
    """Use the extension the law allows when more information is needed (once)."""
    if not has_role(user, R.STAF):
        raise PermissionDenied(_("Extending the deadline is for Bawaslu staff."))
    if report.status not in (S.INVESTIGATION, S.CLARIFICATION, S.ASSESSMENT):
        raise ValidationError(_("The decision deadline is extended while the case is being handled."))
    if report.decision_extended or not reason.strip():
        raise ValidationError(_("The deadline can be extended once, with a reason."))
    Report.objects.filter(pk=report.pk).update(decision_extended=True)
    _event(report, user, E.EXTENSION, reason.strip())
    due_refresh(report)


def referral_reminders(*, now: dt.datetime | None = None) -> int:
    """Record a reminder on every referred case whose agency has not answered for `remind_every_days`."""
    now = now or timezone.now()
    sent = 0
    for referral in Referral.objects.select_related("report").filter(outcome="", report__status=S.REFERRED):
        last = referral.last_reminded_at or timezone.make_aware(
            dt.datetime.combine(referral.sent_on, dt.time())
        )
        if now - last >= dt.timedelta(days=referral.remind_every_days):
            Referral.objects.filter(pk=referral.pk).update(last_reminded_at=now)
            _event(
                referral.report,
                None,
                E.REMINDER,
                _("No outcome from %(agency)s yet: remind them.") % {"agency": referral.agency.name},
            )
            sent += 1
    return sent


def due_refresh(report: Report) -> None:
    """Keep `due_on` (the deadline the queue filters and sorts on) in step with the case's clock."""
    from complaints.deadlines import case_clock

    report.refresh_from_db()
    clock = case_clock(report)
    due = clock[clock["pending"]] if clock["pending"] else None
    Report.objects.filter(pk=report.pk).update(due_on=due)
