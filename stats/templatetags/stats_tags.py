from django import template

from stats.render import figure_writer

register = template.Library()


@register.filter
def figure(value):
    """A figure as people read it: "—" when not measured, one decimal for medians and shares, thousands
    separated, in the page's language (stats.render.figure_writer, which the tables use for many at once)."""
    return figure_writer()(value)
