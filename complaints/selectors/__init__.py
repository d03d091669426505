"""Reading: reference data, regions, and what the reporter may see of a report."""

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from complaints.models import Election, Region, Report, ViolationCategory
from evidence.models import Evidence

REGION_LEVEL_LABELS = {
    1: _("Province"),
    2: _("Regency / city"),
    3: _("District (kecamatan)"),
    4: _("Village (desa / kelurahan)"),
}


def election_list():
    return Election.objects.filter(accepting_reports=True)


def category_list():
    return ViolationCategory.objects.filter(active=True)


def region_list(*, parent: str | None = None, q: str = "", limit: int = 200):
    """Children of `parent` (the provinces when none), or regions whose name contains `q` (within `parent`
    when both are given). Ordered by code."""
    qs = Region.objects.all()
    if q:
        qs = qs.filter(name__icontains=q.strip())
        if parent:
            qs = qs.filter(Q(code__startswith=parent + ".") | Q(code=parent))
    elif parent:
        qs = qs.filter(parent_id=parent)
    else:
        qs = qs.filter(level=Region.Level.PROVINCE)
    return qs.order_by("code")[:limit]


def region_options_for_path(selected: list[str], *, levels: int) -> list[list[tuple[str, str]]]:
    """Options for each select of the picker: provinces, then the children of each chosen level."""
    parents = [None, *selected][:levels]
    wanted = Q(level=1)
    for parent in parents[1:]:
        wanted |= Q(parent_id=parent)
    by_parent: dict[str | None, list[tuple[str, str]]] = {}
    for code, name, parent_id in (
        Region.objects.filter(wanted).order_by("code").values_list("code", "name", "parent_id")
    ):
        by_parent.setdefault(parent_id, []).append((code, name))
    return [by_parent.get(parent, []) for parent in parents] + [[] for _ in range(levels - len(parents))]


def region_get(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def region_path(region: Region | None) -> str:
    """'Kanigaran, Kota Probolinggo, Jawa Timur' for a region, nearest first."""
    if region is None:
        return ""
    parts = region.code.split(".")
    codes = [".".join(parts[: i + 1]) for i in range(len(parts))]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return ", ".join(names.get(c, c) for c in reversed(codes))


def report_for_tracking(report_id: int) -> Report:
    """A report with what the tracking page shows: status, events, evidence kinds and processing status."""
    return _tracking_qs().get(pk=report_id)


def report_for_tracking_by_code(code: str) -> Report:
    return _tracking_qs().get(tracking_code=code)


def _tracking_qs():
    return (
        Report.objects.select_related("election", "incident_region")
        .prefetch_related("categories", "accused")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.only(
                    "id",
                    "report_id",
                    "kind",
                    "status",
                    "position",
                    "caption",
                    "original_name",
                    "url",
                    "created_at",
                    "processed_at",
                    "size",
                ),
            )
        )
    )
