"""Rendering the report form's fields the GOV.UK way: label, hint, message and input tied together with
aria-describedby, and the input marked invalid when it has a message."""

from django import forms, template

register = template.Library()


@register.simple_tag
def field_input(field, extra_class: str = "", **attrs):
    widget = field.field.widget
    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
    if extra_class:
        css += f" {extra_class}"
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        css += " is-invalid"
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    attrs["class"] = css
    return field.as_widget(attrs={k.replace("_", "-"): v for k, v in attrs.items()})


@register.filter
def error_list(errors, key):
    """Messages of one key from a dict of lists (the evidence step's errors)."""
    return (errors or {}).get(key, []) if hasattr(errors, "get") else []
