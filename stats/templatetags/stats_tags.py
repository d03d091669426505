from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def figure(value):
    """A figure as people read it: "—" when not measured, one decimal for medians and shares, thousands
    separated, in the page's language."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return floatformat(value, "1g")
    return intcomma(value)
