"""The filters of the staff statistics: region (within the user's jurisdiction), election, dates of receipt."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models import Election, Region
from complaints.services.access import jurisdiction_codes
from stats.selectors.staff import StatsFilters


class StatsFilterForm(forms.Form):
    region = forms.ChoiceField(
        required=False,
        label=_("Region"),
        error_messages={
            "invalid_choice": _("That region is not in your jurisdiction; choose one from the list.")
        },
    )
    election = forms.ChoiceField(required=False, label=_("Election"))
    date_from = forms.DateField(
        required=False,
        label=_("Received from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    date_to = forms.DateField(
        required=False,
        label=_("Received until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.elections = {e.slug: e for e in Election.objects.all()}
        self.fields["election"].choices = [("", _("All elections"))] + [
            (slug, e.name) for slug, e in self.elections.items()
        ]
        self.fields["region"].choices = [("", _("My whole jurisdiction"))] + self._region_choices(user)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css

    def _region_choices(self, user) -> list[tuple[str, str]]:
        """Provinces and kab/kota the user may narrow to: those of their jurisdiction (a province brings its
        kab/kota); an admin's, every province and the kab/kota of the one chosen."""
        codes = jurisdiction_codes(user)
        chosen = (self.data.get("region") or "")[:5] if self.is_bound else ""
        if codes is None:
            wanted = Q(level=Region.Level.PROVINCE)
            if chosen:
                wanted |= Q(parent_id=chosen[:2])
        else:
            wanted = Q(pk__in=[])
            for code in codes:
                if len(code) == 2:
                    wanted |= Q(code=code) | Q(parent_id=code)
                elif len(code) == 5:
                    wanted |= Q(code=code)
        regions = Region.objects.filter(wanted, level__lte=Region.Level.REGENCY).order_by("code")
        return [
            (r.code, r.name if r.level == 1 else f"— {r.name}") for r in regions.only("code", "name", "level")
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> StatsFilters:
        """The filters from the fields that are valid; an invalid one is left out (and its error shown)."""
        if self.is_bound:
            self.is_valid()
            for name in self.errors:
                if name in self.fields:
                    self.fields[name].widget.attrs["class"] += " is-invalid"
        data = getattr(self, "cleaned_data", {})
        return StatsFilters(
            region=data.get("region") or "",
            election=self.elections.get(data.get("election") or ""),
            date_from=data.get("date_from") if "date_to" not in self.errors else None,
            date_to=data.get("date_to"),
        )
