"""Checking the cases' event chains (issue 9, docs/integrity.md): every event is recomputed from its stored
fields and the stored hash of the one before it, positions must run 1, 2, 3 ... without a gap, and the last
one must be the head the case's ReportChain recorded. What the triggers cannot stop (a database superuser can
disable them) shows here: a deleted event leaves a gap or a head that no longer matches, an edited one a hash
that no longer matches."""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction

from complaints.models import ReportChain, ReportEvent
from complaints.services.history import event_chain_hash

BATCH = 500
FIELDS = [
    "id",
    "report",
    "seq",
    "kind",
    "at",
    "actor",
    "from_status",
    "to_status",
    "note",
    "data",
    "chain_hash",
]


@dataclass(frozen=True)
class ChainBreak:
    report_id: int
    seq: int | None
    problem: str

    def __str__(self):
        where = f"event {self.seq}" if self.seq is not None else "chain"
        return f"report {self.report_id}, {where}: {self.problem}"


@dataclass
class ChainCheck:
    reports: int = 0
    events: int = 0


def _report_ids(report_ids) -> list[int]:
    if report_ids:
        return sorted(set(report_ids))
    ids = set(ReportChain.objects.values_list("report_id", flat=True))
    ids.update(ReportEvent.objects.order_by().values_list("report_id", flat=True).distinct())
    return sorted(ids)


def _one(report_id: int, events: list[ReportEvent], chain: ReportChain | None) -> Iterator[ChainBreak]:
    previous, expected = "", 1
    for event in events:
        if event.seq == 0 or not event.chain_hash:
            yield ChainBreak(
                report_id, None, f"an event (id {event.id}) outside the chain: written around it"
            )
            continue
        if event.seq < expected:
            yield ChainBreak(report_id, event.seq, "two events at the same place")
        elif event.seq > expected:
            missing = f"{expected}" if event.seq == expected + 1 else f"{expected} to {event.seq - 1}"
            yield ChainBreak(report_id, event.seq, f"event(s) {missing} missing: deleted")
            # This event's hash covers the missing one's, which is gone: it cannot be checked, only the next.
        elif event_chain_hash(event, previous) != event.chain_hash:
            yield ChainBreak(report_id, event.seq, "hash does not match its fields: edited")
        previous, expected = event.chain_hash, event.seq + 1
    last_seq = expected - 1
    if chain is None:
        if events:
            yield ChainBreak(report_id, None, "the case's chain head is missing: deleted")
    elif chain.seq != last_seq or chain.head != previous:
        yield ChainBreak(
            report_id,
            chain.seq,
            f"the head records {chain.seq} event(s), the last found is {last_seq}: deleted or replaced",
        )


@contextlib.contextmanager
def _snapshot():
    """One REPEATABLE READ transaction on PostgreSQL (the command and the nightly task run outside any
    transaction); inside a caller's transaction, that transaction's view."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def chain_check(*, report_ids=None, result: ChainCheck | None = None) -> Iterator[ChainBreak]:
    """Every break in the chains of the given reports (all by default), in report order. `result` counts
    what was checked."""
    result = result if result is not None else ChainCheck()
    ids = _report_ids(report_ids)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        events: dict[int, list[ReportEvent]] = {pk: [] for pk in batch}
        with _snapshot():  # heads and events as of one moment: an event written meanwhile is no break
            chains = {c.report_id: c for c in ReportChain.objects.filter(report_id__in=batch)}
            for event in ReportEvent.objects.filter(report_id__in=batch).only(*FIELDS).order_by("seq", "id"):
                events[event.report_id].append(event)
        for report_id in batch:
            result.reports += 1
            result.events += len(events[report_id])
            yield from _one(report_id, events[report_id], chains.get(report_id))


def chain_heads() -> dict[str, list]:
    """Each case's head (position and hash), to keep outside the database and compare later (`--checkpoint`)."""
    return {str(c.report_id): [c.seq, c.head] for c in ReportChain.objects.order_by("report_id")}


def checkpoint_check(heads: dict[str, list]) -> Iterator[ChainBreak]:
    """Every head recorded earlier must still be in its chain, at its place: a chain only grows. This finds the
    one thing the chain itself cannot, a case whose last events were deleted and whose head was rewritten to
    match (possible only with the database superuser's rights)."""
    for key, (seq, head) in heads.items():
        report_id = int(key)
        found = (
            ReportEvent.objects.filter(report_id=report_id, seq=seq)
            .values_list("chain_hash", flat=True)
            .first()
        )
        if found is None:
            yield ChainBreak(report_id, seq, "an event recorded in the checkpoint is gone: deleted")
        elif found != head:
            yield ChainBreak(report_id, seq, "differs from the checkpoint: replaced")
