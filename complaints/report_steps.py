"""The steps of the report form (GOV.UK Design System's "question pages" pattern): which fields each step asks,
how its posted values are kept in the draft, its "add another" and "remove" rows, and the error summary.

The steps ask the fields of the one report form (complaints.forms.ReportForm and its formsets), so a step
validates exactly as the whole report does when it is sent, and as the API does."""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from complaints.forms import AccusedFormSet, LinkFormSet, ReportForm
from complaints.models import ViolationCategory
from posko.numbers import small_int

ABOUT_FIELDS = [
    "anonymous",
    "reporter_name",
    "reporter_address",
    "reporter_phone",
    "reporter_email",
    "reporter_nik",
    "reporter_type",
]
INCIDENT_FIELDS = [
    "election",
    "incident_date",
    "known_date",
    "incident_region",
    "incident_place",
    "categories",
    "chronology",
    "witnesses",
]

# (name, URL name, title) in the order the reporter meets them.
STEPS = [
    ("about", "complaints:report_create", _("About you")),
    ("accused", "complaints:report_accused", _("Who is reported")),
    ("incident", "complaints:report_incident", _("What happened")),
    ("evidence", "complaints:report_evidence", _("Evidence")),
]
STEP_NAMES = [name for name, _url, _title in STEPS]


class _StepForm(ReportForm):
    """The report form limited to one step's fields (its clean() only judges the fields present)."""

    step_fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.step_fields:
                del self.fields[name]
        for field in self.fields.values():
            if isinstance(field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                field.widget.attrs["class"] = "form-check-input"


class AboutForm(_StepForm):
    step_fields = ABOUT_FIELDS


class IncidentForm(_StepForm):
    step_fields = INCIDENT_FIELDS


def step_of_field(key: str) -> str:
    """Which step asks for a field of the whole report (an error key of ReportSubmission)."""
    if key in ABOUT_FIELDS:
        return "about"
    if key.startswith("accused"):
        return "accused"
    if key.startswith(("evidence", "links")):
        return "evidence"
    return "incident"


def values_of(step: str, post) -> dict[str, list[str]]:
    """The posted values that belong to a step, as the draft keeps them."""
    out: dict[str, list[str]] = {}
    for key in post:
        if key.startswith("_") or key == "csrfmiddlewaretoken":
            continue
        if step == "about":
            keep = key in ABOUT_FIELDS
        elif step == "accused":
            keep = key.startswith("accused-")
        elif step == "incident":
            keep = key in INCIDENT_FIELDS or key.startswith("incident_region_l")
        else:
            keep = key.startswith(("links-", "caption-"))
        if keep:
            out[key] = [str(v)[:10000] for v in post.getlist(key)]
    return out


def as_querydict(values: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, items in values.items():
        data.setlist(key, list(items))
    return data


def rows_add(values: dict, prefix: str) -> None:
    """ "Add another": one more empty row of a formset."""
    total = _total(values, prefix)
    values[f"{prefix}-TOTAL_FORMS"] = [str(total + 1)]
    values.setdefault(f"{prefix}-INITIAL_FORMS", ["0"])


def rows_remove(values: dict, prefix: str, index: int) -> None:
    """ "Remove": drop row `index` of a formset and renumber the rows after it."""
    total = _total(values, prefix)
    if not 0 <= index < total:
        return
    rows: list[dict[str, list[str]]] = [{} for _ in range(total)]
    for key in list(values):
        head = f"{prefix}-"
        if not key.startswith(head):
            continue
        rest = key[len(head) :]
        number, _sep, field = rest.partition("-")
        row = small_int(number)
        if row is not None and row < total:
            rows[row][field] = values.pop(key)
    del rows[index]
    for number, row in enumerate(rows):
        for field, items in row.items():
            values[f"{prefix}-{number}-{field}"] = items
    values[f"{prefix}-TOTAL_FORMS"] = [str(len(rows))]


def _total(values: dict, prefix: str) -> int:
    try:
        return max(0, int((values.get(f"{prefix}-TOTAL_FORMS") or ["0"])[0]))
    except ValueError:
        return 0


def accused_formset(values: dict | None):
    if values is None:
        return AccusedFormSet(prefix="accused", initial=[{}])
    if _total(values, "accused") == 0:
        rows_add(values, "accused")
    return AccusedFormSet(as_querydict(values), prefix="accused")


def links_formset(values: dict | None):
    if values is None:
        return LinkFormSet(prefix="links", initial=[{}])
    return LinkFormSet(as_querydict(values), prefix="links")


def category_groups(form, language: str) -> list[dict]:
    """The categories grouped by what the reporter saw (ViolationCategory.Topic), each with its example."""
    chosen = set()
    if form.is_bound:
        chosen = {str(v) for v in form.data.getlist("categories")}
    groups: dict[str, dict] = {}
    labels = dict(ViolationCategory.Topic.choices)
    for category in form.fields["categories"].queryset:
        group = groups.setdefault(category.topic, {"label": labels.get(category.topic, ""), "items": []})
        group["items"].append(
            {
                "slug": category.slug,
                "label": category.label(language),
                "example": category.example_label(language),
                "checked": category.slug in chosen,
            }
        )
    order = [value for value, _label in ViolationCategory.Topic.choices]
    return [groups[t] for t in order if t in groups]


def summary(errors: dict[str, list[str]], anchors: dict[str, str] | None = None) -> list[dict]:
    """The error summary: one entry per message, each linking to its field (GOV.UK "error summary")."""
    anchors = anchors or {}
    out = []
    for key, messages in errors.items():
        target = anchors.get(key) or field_anchor(key)
        for message in messages:
            out.append({"href": f"#{target}", "message": str(message)})
    return out


def field_anchor(key: str) -> str:
    """The id of the input a message is about: radios and check boxes link to their first option, the
    region picker to its first select."""
    if key in ("anonymous", "reporter_type"):
        return f"id_{key}_0"
    if key == "categories":
        return "categories"
    if key == "incident_region" or key.endswith("-region"):
        return f"id_{key}_l1"
    if key in ("__all__", "accused", "links", "evidence"):
        return f"{key.strip('_') or 'form'}-errors"
    return f"id_{key}"
