"""Reading cases for staff: the triage queue with its filters and full-text search, one case with everything
on one screen, duplicate suggestions, and the registry of reported civil servants."""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Accused, Message, MinutesVersion, Report, ReportEvent, ViolationCategory
from complaints.models.reports import UNTRIAGED_STATUSES, queue_mark
from complaints.services.access import has_role, jurisdiction_codes, reports_for_user
from complaints.timezones import due_before_today_q, report_zone, today_in, zones_of
from evidence.access import can_see_location
from evidence.models import DuplicateMatch, Evidence

S = Report.Status
TRIAGE_STATUSES = list(UNTRIAGED_STATUSES)  # the statuses whose queue the bot check orders
PAGE_SIZE = 50
# A search counts its matches up to this many (20 pages); past it the queue says "more than 1,000".
SEARCH_COUNT_CAP = 1000
# What a queue row never shows (the page, the staff API's list): the reporter's identity and the long texts.
QUEUE_ROW_DEFERRED = (
    "reporter_name",
    "reporter_address",
    "reporter_phone",
    "reporter_email",
    "reporter_nik",
    "chronology",
    "witnesses",
    "search_text",
)


@dataclass
class QueueFilters:
    status: str = ""
    region: str = ""
    election: str = ""
    category: str = ""
    evidence_kind: str = ""
    late: bool = False
    overdue: bool = False
    mine: bool = False
    q: str = ""
    sort: str = "oldest"


def full_text(qs: QuerySet, text: str) -> QuerySet:
    """PostgreSQL: the GIN-indexed tsvector over search_text, with web-search syntax ("quoted phrases", -not,
    or), Indonesian stemming. Elsewhere: every word must appear somewhere in search_text."""
    text = text.strip()[:200]
    if not text:
        return qs
    if connection.vendor == "postgresql":
        # A condition on the row itself (not a sub-select), so PostgreSQL can AND the GIN index with the
        # jurisdiction and status indexes.
        return qs.extra(
            where=["complaints_report.search @@ websearch_to_tsquery('indonesian', %s)"],  # noqa: S610
            params=[text],
        )
    for word in text.split():
        qs = qs.filter(search_text__icontains=word.strip('"'))
    return qs


def case_queue(user, filters: QueueFilters) -> QuerySet:
    """The queue a user works from. Volunteers see new and returned reports by default; Bawaslu staff every
    open case. Rows come with what the list shows, in a fixed number of queries whatever the page size."""
    qs = reports_for_user(user).exclude(status=S.MERGED)
    if filters.status == "all":
        pass  # the search box looks everywhere, closed cases included
    elif filters.status == "open" or (not filters.status and has_role(user, "staf")):
        qs = qs.filter(status__in=list(Report.OPEN))
    elif filters.status:
        qs = qs.filter(status=filters.status)
    else:
        qs = qs.filter(status__in=TRIAGE_STATUSES)
    if filters.region:
        qs = qs.filter(
            Q(incident_region_id=filters.region) | Q(incident_region__code__startswith=filters.region + ".")
        )
    if filters.election:
        qs = qs.filter(election__slug=filters.election)
    if filters.category:
        qs = qs.filter(categories__slug=filters.category)
    if filters.evidence_kind:
        qs = qs.filter(Exists(Evidence.objects.filter(report=OuterRef("pk"), kind=filters.evidence_kind)))
    if filters.late:
        qs = qs.filter(late=True)
    if filters.overdue:
        # Every report of the queue lies in the user's jurisdiction, hence in its zones.
        qs = qs.filter(due_before_today_q(zones=zones_of(jurisdiction_codes(user))))
    if filters.mine:
        qs = qs.filter(assigned_to=user)
    qs = full_text(qs, filters.q)
    order = {
        "oldest": ["created_at", "id"],
        "newest": ["-created_at", "-id"],
        "priority": ["-priority", "created_at", "id"],
        "due": ["due_on", "created_at", "id"],
    }.get(filters.sort, ["created_at", "id"])
    # In triage, whatever the sort, reports that passed the bot check come first, then unverified ones, then
    # likely spam (issue 9 item 4: nobody is turned away, but a flood of bot reports must not bury the real
    # ones). Once a person has looked at a report (past triage) the mark no longer orders it: the legal
    # deadlines do. Reports filed before the check existed (NULL) count as verified.
    return qs.order_by(queue_mark(), *order)


def queue_page(qs: QuerySet, page: int, *, count_cap: int | None = None) -> dict:
    """One page of the queue, with its rows' terlapor, categories and evidence prefetched into lists
    (`queue_accused`, `queue_categories`, `queue_evidence`) and their evidence kinds counted (`evidence_kinds`).

    With `count_cap`, rows are counted only up to the cap (or through the page asked for, if further): `total`
    is then exact while it is at most that many, and `more` says that there are more (the page shows "more
    than 1,000 reports" and a next link, never an invented figure). An exact count must read every matching
    row; for a full-text search that is every match in the jurisdiction, which was most of a search's time at
    1,000,000 reports (EXPLAIN: 230-370 ms for "sembako", "mobil dinas", "baliho -guru", reading 25,000-30,000
    table pages; capped, 20-30 ms), while the page itself reads 50."""
    page = max(1, page)
    more = False
    offset = (page - 1) * PAGE_SIZE
    if count_cap is None:
        total = qs.count()
        rows_qs = qs[offset : offset + PAGE_SIZE]
    else:
        limit = max(count_cap, page * PAGE_SIZE)
        # Without ORDER BY: which rows come first does not matter, only whether there are more than `limit`.
        ids = list(qs.order_by().values_list("pk", flat=True)[: limit + 1])
        more = len(ids) > limit
        total = min(len(ids), limit)
        if not more:
            # Every match is known, and there are few: the page is sorted from them, read by primary key.
            # Left to itself, PostgreSQL may walk the queue's order index looking for 50 of a rare word's
            # matches and read most of the jurisdiction to find them (EXPLAIN at 1,000,000 reports, "Hendra
            # Wijaya": 648 matches, 133,322 rows read and thrown away, 300 ms; by primary key 3 ms).
            qs = qs.filter(pk__in=ids)
        # The page's keys first, sorted from the narrow rows; then the page's rows with what the list shows,
        # by primary key alone (the keys came from the filtered query), in the keys' order. In one query
        # PostgreSQL joined every match to its election, region and assignee before sorting ("Agus Santoso",
        # 3,700 matches, 63 ms), or read the matches again from the text index.
        page_ids = list(qs.values_list("pk", flat=True)[offset : offset + PAGE_SIZE])
        rows_qs = Report.objects.filter(pk__in=page_ids).order_by()
    rows = list(
        # Not the reporter's identity (five Fernet tokens decrypted as each row was read: an eighth of this
        # function's time in a profile of the page) nor the long texts: the list shows none of them.
        rows_qs.defer(*QUEUE_ROW_DEFERRED)
        .select_related("election", "incident_region", "assigned_to")
        .prefetch_related(
            # Into plain lists (`to_attr`): a related manager's cache costs a queryset per row and relation,
            # cloned several times over (150 a page, a fifth of the page's CPU in a profile). Each ordered
            # within its report only: the models' own ordering starts with the report, which joined every
            # prefetched row to complaints_report to sort by its created_at.
            Prefetch(
                "accused",
                queryset=Accused.objects.only(
                    "id", "report_id", "name", "position", "agency", "seq"
                ).order_by("seq"),
                to_attr="queue_accused",
            ),
            Prefetch(
                "categories",
                queryset=ViolationCategory.objects.only("id", "slug", "name", "position"),
                to_attr="queue_categories",
            ),
            Prefetch(
                "evidence",
                queryset=Evidence.objects.only("id", "report_id", "kind", "status", "position").order_by(
                    "position", "created_at"
                ),
                to_attr="queue_evidence",
            ),
        )
    )
    if count_cap is not None:
        position = {pk: i for i, pk in enumerate(page_ids)}
        rows.sort(key=lambda row: position[row.pk])
    now = timezone.now()
    # Each evidence kind's label translated once per page, not once per item.
    kind_labels = {value: str(label) for value, label in Evidence.Kind.choices}
    for row in rows:
        row.overdue = bool(
            row.due_on
            and row.due_on < today_in(report_zone(row), now)
            and row.status in (S.SUBMITTED, S.TRIAGE, S.INVESTIGATION, S.CLARIFICATION, S.ASSESSMENT)
        )
        kinds: dict[str, int] = {}
        for item in row.queue_evidence:
            label = kind_labels.get(item.kind, item.kind)
            kinds[label] = kinds.get(label, 0) + 1
        row.evidence_kinds = sorted(kinds.items())
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    return {"rows": rows, "total": total, "more": more, "page": page, "pages": pages}


def case_for_user(user, pk: int) -> Report | None:
    """One case in the user's jurisdiction, with everything its page shows."""
    return (
        reports_for_user(user)
        .select_related(
            "election", "incident_region", "assigned_to", "merged_into", "assessment", "referral__agency"
        )
        .prefetch_related(
            "categories",
            Prefetch("accused", queryset=Accused.objects.select_related("person", "region")),
            Prefetch(
                "evidence",
                queryset=Evidence.objects.prefetch_related(
                    Prefetch("matches", queryset=DuplicateMatch.objects.select_related("other__report")),
                    "captures",
                ),
            ),
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor").order_by("-at", "-id")),
            Prefetch("messages", queryset=Message.objects.select_related("author")),
            "clarifications__attachments",
            Prefetch(
                "clarifications__minutes_versions",
                queryset=MinutesVersion.objects.select_related("recorded_by").order_by("-version"),
            ),
            Prefetch("supporting_reports", queryset=Report.objects.prefetch_related("evidence")),
        )
        .filter(pk=pk)
        .first()
    )


def duplicate_suggestions(user, report: Report) -> list[dict]:
    """Other reports in the user's jurisdiction that look like the same case: from evidence matches (same file,
    same link, similar photo) and from the terlapor (same NIP, or same name and agency)."""
    return duplicate_hints(user, report)["visible"]


def duplicate_hints(user, report: Report) -> dict:
    """`visible`: the look-alike reports this user may open, named; `outside`: how many others match but lie
    outside the user's jurisdiction (never named: a tracking code would point at a report they may not see)."""
    found = _duplicate_candidates(report)
    visible = _named_suggestions(user, report, found)
    shown = {s["report"].pk for s in visible}
    outside = (
        Report.objects.filter(pk__in=[pk for pk in found if pk not in shown]).exclude(status=S.MERGED).count()
        if len(found) > len(shown)
        else 0
    )
    return {"visible": visible, "outside": outside}


def _duplicate_candidates(report: Report) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    evidence_ids = [e.pk for e in report.evidence.all()]
    for other_report, kind in DuplicateMatch.objects.filter(evidence_id__in=evidence_ids).values_list(
        "other__report_id", "kind"
    ):
        if other_report != report.pk:
            found.setdefault(other_report, set()).add(kind)
    people = [a.person_id for a in report.accused.all() if a.person_id]
    for other_report in (
        Accused.objects.filter(person_id__in=people)
        .exclude(report=report)
        .values_list("report_id", flat=True)
    ):
        found.setdefault(other_report, set()).add("terlapor")
    return found


def _named_suggestions(user, report: Report, found: dict[int, set[str]]) -> list[dict]:
    candidates = (
        reports_for_user(user)
        .filter(pk__in=found)
        .exclude(status=S.MERGED)
        .select_related("election")
        .order_by("created_at")
    )
    labels = {
        "sha256": _("same file"),
        "link": _("same link"),
        "phash": _("similar photo"),
        "terlapor": _("same terlapor"),
    }
    return [{"report": r, "reasons": sorted(str(labels[k]) for k in found[r.pk])} for r in candidates]


def evidence_for_display(user, items: list) -> list:
    """Prepare evidence items for a staff page: `visible_matches` (look-alikes in reports this user may open),
    `outside_matches` (how many lie elsewhere, never named) and `location_shown` (coordinates only for those who
    may open originals, which carry them anyway; others see "location recorded")."""
    other_reports = {m.other.report_id for item in items for m in item.matches.all()}
    visible = (
        set(reports_for_user(user).filter(pk__in=other_reports).values_list("pk", flat=True))
        if other_reports
        else set()
    )
    location = can_see_location(user)
    for item in items:
        matches = list(item.matches.all())
        item.visible_matches = [m for m in matches if m.other.report_id in visible]
        item.outside_matches = len(matches) - len(item.visible_matches)
        item.location_shown = location
    return items


def person_cases(user, person) -> QuerySet:
    return (
        reports_for_user(user)
        .filter(accused__person=person)
        .distinct()
        .select_related("election", "incident_region")
        .order_by("-created_at")
    )


def tracking_view_of(report: Report) -> Report:
    """What a reporter's tracking code shows: the case a merged report joined, else the report itself."""
    return report.merged_into or report


def overdue_for_digest(user, today: dt.date) -> QuerySet:
    return (
        reports_for_user(user)
        .filter(
            due_on__lt=today,
            status__in=[S.SUBMITTED, S.TRIAGE, S.INVESTIGATION, S.CLARIFICATION, S.ASSESSMENT],
        )
        .select_related("election", "incident_region")
        .order_by("due_on")
    )
