"""The region picker: one select per level (province, kab/kota, kecamatan, desa/kelurahan).

Without JavaScript the reporter picks a level and presses "load the next level" (the form is re-shown with
everything kept); with htmx each choice reloads the picker in place. The posted value is the deepest level
chosen. A plain `<name>` field (as the API sends) wins over the selects."""

from django import forms
from django.template.loader import render_to_string

from complaints import selectors


class RegionPickerWidget(forms.Widget):
    def __init__(self, *, levels: int = 4, attrs=None):
        super().__init__(attrs)
        self.levels = levels

    def value_from_datadict(self, data, files, name):
        if data.get(name):
            return data.get(name)
        chosen = ""
        for level in range(1, self.levels + 1):
            code = (data.get(f"{name}_l{level}") or "").strip()
            # A lower level only counts when it lies inside the level above (a stale select after the
            # reporter changed the province, for example).
            if not code or (chosen and not code.startswith(chosen + ".")):
                break
            chosen = code
        return chosen or None

    def render(self, name, value, attrs=None, renderer=None):
        return render_to_string("complaints/region_picker.html", picker_context(name, value, self.levels))


def picker_context(name: str, value: str | None, levels: int) -> dict:
    parts = (value or "").split(".") if value else []
    selected = [".".join(parts[: i + 1]) for i in range(len(parts))]
    options = selectors.region_options_for_path(selected, levels=levels)
    labels = selectors.REGION_LEVEL_LABELS
    rows = []
    for level in range(1, levels + 1):
        rows.append(
            {
                "level": level,
                "name": f"{name}_l{level}",
                "label": labels[level],
                "options": options[level - 1],
                "selected": selected[level - 1] if level <= len(selected) else "",
            }
        )
    return {"name": name, "levels": levels, "rows": rows, "value": value or ""}
