"""Charts drawn on the server as SVG, no JavaScript: horizontal bars for categories (a label above each bar, so
long names read on a 360-px phone) and columns for a series of weeks. Each chart is an image with a title and a
description for screen readers, and every bar carries its figure as text and as a native tooltip; the same
figures are in the table beside the chart.

Hand-written rather than drawn with a charting library (pygal, leather): the two shapes needed take a few lines
of geometry, and a library's SVG is sized for a fixed canvas (its text shrinks to unreadable on a phone), or
leans on JavaScript for its tooltips and on a stylesheet of its own. Here the drawing is 360 units wide, shown
at most 1.4 times that size, so its text stays between about 11 and 17 px.
"""

import math
from dataclasses import dataclass

WIDTH = 360
BAR_ROW = 37  # a label line and a bar
BAR_HEIGHT = 14
VALUE_ROOM = 62  # room right of the longest bar for its figure
PLOT_HEIGHT = 150
AXIS_ROOM = 34


@dataclass
class Bar:
    label: str
    value: float
    display: str  # what the bar's figure says: "12", "< 5", "> 40", "3.5"
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
    label_y: float = 0
    value_x: float = 0
    value_y: float = 0


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above `value` (axis maxima that read well)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bar_chart(items: list[tuple[str, float, str]]) -> dict:
    """Horizontal bars, one per item (label, value, display)."""
    top = max((v for _l, v, _d in items), default=0) or 1
    span = WIDTH - VALUE_ROOM
    bars = []
    for i, (label, value, display) in enumerate(items):
        y = i * BAR_ROW
        length = max(0.0, value) / top * span
        bars.append(
            Bar(
                label=label if len(label) <= 46 else label[:44] + "…",
                value=value,
                display=display,
                x=0,
                y=y + 18,
                width=round(length, 1),
                height=BAR_HEIGHT,
                label_y=y + 13,
                value_x=round(length + 4, 1),
                value_y=y + 30,
            )
        )
    return {"kind": "bars", "width": WIDTH, "height": len(items) * BAR_ROW + 4, "bars": bars}


def column_chart(items: list[tuple[str, float, str]]) -> dict:
    """Columns over time (weeks), with the axis maximum and the first, middle and last labels."""
    top = nice_ceiling(max((v for _l, v, _d in items), default=0))
    n = max(len(items), 1)
    left = 34
    step = (WIDTH - left) / n
    gap = min(2.0, step * 0.2)
    bars = []
    for i, (label, value, display) in enumerate(items):
        height = max(0.0, value) / top * PLOT_HEIGHT
        bars.append(
            Bar(
                label=label,
                value=value,
                display=display,
                x=round(left + i * step + gap / 2, 2),
                y=round(8 + PLOT_HEIGHT - height, 2),
                width=round(max(step - gap, 0.5), 2),
                height=round(height, 2),
            )
        )
    ticks = []
    if items:
        for i in sorted({0, (len(items) - 1) // 2, len(items) - 1}):
            anchor = "start" if i == 0 else "end" if i == len(items) - 1 and i else "middle"
            x = left if anchor == "start" else WIDTH if anchor == "end" else bars[i].x + bars[i].width / 2
            ticks.append({"x": round(x, 1), "label": items[i][0], "anchor": anchor})
    return {
        "kind": "columns",
        "width": WIDTH,
        "height": 8 + PLOT_HEIGHT + AXIS_ROOM,
        "bars": bars,
        "left": left,
        "baseline": 8 + PLOT_HEIGHT,
        "top_label": _figure(top),
        "ticks": ticks,
        "tick_y": 8 + PLOT_HEIGHT + 16,
    }


def _figure(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def chart_for(kind: str, items: list[tuple[str, float, str]]) -> dict | None:
    if not items or kind not in ("bars", "columns"):
        return None
    return bar_chart(items) if kind == "bars" else column_chart(items)
