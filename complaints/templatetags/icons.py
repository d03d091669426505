"""`{% icon "megaphone" %}`: a Bootstrap Icons SVG drawn inline, instead of the 134 kB icon font.

The SVGs are copied from the `bootstrap-icons` npm package into static/vendor/bootstrap-icons/icons/ by
scripts/vendor_assets.sh (only the ones the templates use). Icons are decoration: hidden from screen readers,
the text beside them says what they mean."""

import functools
import re

from django import template
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

_NAME = re.compile(r"^[a-z0-9-]+$")


@functools.cache
def _svg(name: str) -> str:
    if not _NAME.match(name):
        raise template.TemplateSyntaxError(f"bad icon name {name!r}")
    path = settings.BASE_DIR / "static" / "vendor" / "bootstrap-icons" / "icons" / f"{name}.svg"
    text = path.read_text()
    # Keep the drawing; the outer element is written below with our own attributes.
    inner = text[text.index(">") + 1 : text.rindex("</svg>")].strip()
    return inner


@register.simple_tag
def icon(name: str, extra_class: str = "") -> str:
    classes = escape(f"bi bi-{name} {extra_class}".strip())
    return mark_safe(  # noqa: S308 (our own vendored file, the name checked above)
        f'<svg class="{classes}" width="1em" height="1em" fill="currentColor" viewBox="0 0 16 16" '
        f'aria-hidden="true" focusable="false">{_svg(name)}</svg>'
    )
