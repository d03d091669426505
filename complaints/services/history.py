"""Writing a case's history (issue 9, docs/integrity.md): every ReportEvent is written here, chained to the one
before it on its case, so that a removed or altered event shows even when someone went around the database
triggers (a database superuser can disable them; nobody can recompute a chain that `chain_verify` compares
against what was recorded).

chain_hash = SHA-256( previous event's chain_hash (empty for the first) + "\\n" + canonical JSON of this
event ), the canonical JSON being the fields below with sorted keys, no spaces, UTF-8, the time in UTC.
The case's ReportChain row holds the last seq and chain_hash; it is locked (SELECT ... FOR UPDATE) while an
event is written, so two writers of the same case take turns and never fork the chain (and a unique
(report, seq) constraint refuses a fork outright)."""

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.utils import timezone

from complaints.models import Report, ReportChain, ReportEvent

# Bumped if the canonical form ever changes; recorded in each event's hashed payload.
CHAIN_VERSION = 1


def _utc(at: dt.datetime) -> str:
    if timezone.is_naive(at):
        at = timezone.make_aware(at, dt.UTC)
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_payload(*, report_id, seq, kind, at, actor_id, from_status, to_status, note, data) -> bytes:
    """The canonical serialisation of an event, the same when written and when read back from the database."""
    return json.dumps(
        {
            "v": CHAIN_VERSION,
            "report": report_id,
            "seq": seq,
            "kind": kind,
            "at": _utc(at),
            "actor": actor_id,
            "from": from_status,
            "to": to_status,
            "note": note,
            "data": data,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def chain_digest(previous: str, payload: bytes) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + payload).hexdigest()


def event_chain_hash(event: ReportEvent, previous: str) -> str:
    """The chain_hash `event` must have after `previous` (used when writing and when verifying)."""
    return chain_digest(
        previous,
        event_payload(
            report_id=event.report_id,
            seq=event.seq,
            kind=event.kind,
            at=event.at,
            actor_id=event.actor_id,
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
            data=event.data,
        ),
    )


def _chained_event(
    *,
    report_id,
    head: str,
    seq: int,
    kind,
    actor=None,
    note="",
    data=None,
    from_status="",
    to_status="",
    at=None,
) -> ReportEvent:
    """A new event (not saved) chained to `head` at place `seq`, in the form it is hashed and stored in."""
    event = ReportEvent(
        report_id=report_id,
        kind=kind,
        actor=actor,
        note=str(note),  # a lazy translation is stored (and hashed) as the text it is now
        # What JSONField gives back when the event is read again (tuples become lists, and so on): hashed as that.
        data=json.loads(json.dumps(data or {})),
        from_status=from_status,
        to_status=to_status,
        at=at or timezone.now(),
        seq=seq,
    )
    event.chain_hash = event_chain_hash(event, head)
    return event


def event_record(
    *,
    report=None,
    report_id=None,
    kind: str = ReportEvent.Kind.TRANSITION,
    actor=None,
    note: str = "",
    data: dict | None = None,
    from_status: str = "",
    to_status: str = "",
    at: dt.datetime | None = None,
) -> ReportEvent:
    """Append one event to a case's history, chained to the previous one. Runs in the caller's transaction
    (or its own), holding the case's chain row until it commits."""
    report_id = report.pk if report is not None else report_id
    with transaction.atomic():
        # The first event of a case creates its chain row; ignore_conflicts makes a race here harmless.
        ReportChain.objects.bulk_create([ReportChain(report_id=report_id)], ignore_conflicts=True)
        chain = ReportChain.objects.select_for_update().get(report_id=report_id)
        event = _chained_event(
            report_id=report_id,
            head=chain.head,
            seq=chain.seq + 1,
            kind=kind,
            actor=actor,
            note=note,
            data=data,
            from_status=from_status,
            to_status=to_status,
            at=at,
        )
        event.save(force_insert=True)
        ReportChain.objects.filter(report_id=report_id).update(seq=event.seq, head=event.chain_hash)
        if kind == ReportEvent.Kind.TRANSITION and from_status == Report.Status.SUBMITTED:
            # The first move out of "received": the statistics' time to triage reads it from the report.
            Report.objects.filter(pk=report_id, triaged_at__isnull=True).update(triaged_at=event.at)
            if report is not None and report.triaged_at is None:
                report.triaged_at = event.at
    if report is not None:
        event.report = report
    return event


def event_record_first(
    *, report, kind: str = ReportEvent.Kind.TRANSITION, data: dict | None = None, to_status: str = "", at=None
) -> ReportEvent:
    """Write the first event of a case created in the caller's transaction, and its chain row with it: two
    INSERTs instead of event_record's six statements. Nobody else can write this case's history yet (its
    row is not committed, so no other transaction sees it), so there is no chain row to lock; should one
    exist all the same, the chain's primary key and the unique (report, seq) refuse the second head, and the
    transaction fails rather than fork the chain. Must run inside that transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record_first runs in the transaction that created the case")
    event = _chained_event(
        report_id=report.pk, head="", seq=1, kind=kind, data=data, to_status=to_status, at=at
    )
    ReportChain.objects.create(report_id=report.pk, seq=event.seq, head=event.chain_hash)
    event.save(force_insert=True)
    event.report = report
    return event
