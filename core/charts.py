"""Bar charts as inline SVG, for PDFs and pages alike.

Not matplotlib: its SVG styles everything with `style` attributes and a
`<style>` element, which the pages' Content-Security-Policy refuses. These
charts use presentation attributes only (fill, stroke, font-size, ...), size
themselves by their viewBox, and carry a title and a text description of every
value for screen readers. Every label is escaped: activity and venue names are
typed by coordinators.

A suppressed count ("< 5", see `reporting.rules`) draws no bar but keeps its
label, so a reader sees that something is there without learning how much.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Okabe–Ito based, every colour at least 3:1 against white (WCAG 1.4.11).
CURRENT = "#1F5F8B"  # 6.8:1
PREVIOUS = "#6C8EBF"  # 3.4:1, lighter so the current year leads
TEXT = "#1F2328"
MUTED = "#57606A"
GRID = "#D8DEE4"
AXIS = "#57606A"
FONT_FAMILY = "DejaVu Sans, Verdana, sans-serif"

# viewBox units. The PDF's text column is about 480 pt wide, so a unit is about
# 0.75 pt there: 11 units print at 8 pt.
WIDTH = 640
FONT = 11
SMALL = 10
# A horizontal chart taller than this would not fit on a page; the table below it lists everything.
MAX_BARS = 15

Value = float | str | None  # a count, a figure withheld ("x") or missing; hours may be fractional


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Value]
    colour: str = CURRENT


def count_format(value: Value) -> str:
    """A count as printed: grouped in the active language; "< 5" and other text as is."""
    if isinstance(value, bool) or value is None:
        return "–"
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return formats.number_format(value, decimal_pos=1, use_l10n=True, force_grouping=True)
        return formats.number_format(int(value), use_l10n=True, force_grouping=True)
    return str(value)


def _number(value: Value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text_width(text: str, size: float) -> float:
    # DejaVu Sans is wide (digits 0.64 em); an estimate is enough to leave room.
    return len(text) * size * 0.62


def _fit(text: str, width: float, size: float) -> str:
    if _text_width(text, size) <= width:
        return text
    keep = max(int(width / (size * 0.62)) - 1, 1)
    return text[:keep].rstrip() + "…"


def _scale(largest: float) -> tuple[float, list[float]]:
    """A round axis maximum and its gridline values (0 included)."""
    if largest <= 0:
        return 10, [0, 5, 10]
    raw = largest / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 2.5, 5, 10) if magnitude >= 10 else (1, 2, 5, 10)
    step = next(m * magnitude for m in steps if m * magnitude >= raw)
    step = max(step, 1)
    top = math.ceil(largest / step) * step
    return top, [i * step for i in range(round(top / step) + 1)]


def _text(
    x: float, y: float, text: str, *, size: float = FONT, anchor: str = "start", fill: str = TEXT, transform: str = ""
) -> str:
    turn = f' transform="{transform}"' if transform else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{turn}>'
        f"{escape(text)}</text>"
    )


def _legend(series: Sequence[Series], y: float) -> list[str]:
    parts, x = [], 0.0
    for item in series:
        parts.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{item.colour}"/>')
        parts.append(_text(x + 14, y, item.name))
        x += 14 + _text_width(item.name, FONT) + 18
    return parts


def _description(categories: Sequence[str], series: Sequence[Series]) -> str:
    lines = []
    for item in series:
        values = ", ".join(
            f"{category} {count_format(value)}" for category, value in zip(categories, item.values, strict=False)
        )
        lines.append(f"{item.name}: {values}" if len(series) > 1 else values)
    return "; ".join(lines)


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    chart_id: str,
    horizontal: bool = False,
    note: str = "",
) -> SafeString:
    """An accessible SVG bar chart: one bar per category and series, grouped by category."""
    if not categories or not series:
        return SafeString("")
    body, height = (_horizontal if horizontal else _vertical)(categories, series)
    if note:
        body.append(_text(0, height + SMALL + 2, note, size=SMALL, fill=MUTED))
        height += SMALL + 6
    description = _description(categories, series)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="100%"'
        f' viewBox="0 0 {WIDTH} {height:.0f}" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc"'
        f' font-family="{FONT_FAMILY}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every text and attribute value is escaped above


def _vertical(categories: Sequence[str], series: Sequence[Series]) -> tuple[list[str], float]:
    parts: list[str] = []
    top_margin = 0.0
    if len(series) > 1:
        parts += _legend(series, 10)
        top_margin = 24
    values = [_number(value) for item in series for value in item.values]
    axis_top, ticks = _scale(max((v for v in values if v is not None), default=0))
    tick_labels = [count_format(int(tick)) for tick in ticks]
    left = max(_text_width(label, SMALL) for label in tick_labels) + 8
    plot_width = WIDTH - left - 4
    group = plot_width / len(categories)
    gap = 2 if len(series) > 1 else 0
    bar = min((group * 0.78 - gap * (len(series) - 1)) / len(series), 56)
    labels = [count_format(value) for item in series for value in item.values]
    longest = max(_text_width(label, SMALL) for label in labels)
    # Value labels stand upright when they fit over their bar, else they turn a quarter.
    upright = longest <= bar + gap + 2
    top_margin += (SMALL + 6) if upright else (longest + 8)
    plot_height = 190.0
    baseline = top_margin + plot_height

    def y_of(value: float) -> float:
        return baseline - value / axis_top * plot_height

    for tick, label in zip(ticks, tick_labels, strict=True):
        y = y_of(tick)
        if tick:
            parts.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{WIDTH - 4}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y + SMALL * 0.35, label, size=SMALL, anchor="end", fill=MUTED))

    cluster = bar * len(series) + gap * (len(series) - 1)
    for index, category in enumerate(categories):
        x0 = left + index * group + (group - cluster) / 2
        for position, item in enumerate(series):
            value = item.values[index] if index < len(item.values) else None
            x = x0 + position * (bar + gap)
            number = _number(value)
            top = y_of(number) if number is not None else baseline
            if number:
                parts.append(
                    f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar:.1f}" height="{baseline - top:.1f}" fill="{item.colour}"/>'
                )
            centre = x + bar / 2
            label = count_format(value)
            if upright:
                parts.append(_text(centre, top - 4, label, size=SMALL, anchor="middle"))
            else:
                y = top - 4
                parts.append(
                    _text(
                        centre + SMALL * 0.35,
                        y,
                        label,
                        size=SMALL,
                        transform=f"rotate(-90 {centre + SMALL * 0.35:.1f} {y:.1f})",
                    )
                )
        if not category:
            continue
        # A label followed by empty ones (a long run of months labelled by quarter)
        # starts at its bar and may use their room.
        span = 1
        while index + span < len(categories) and not categories[index + span]:
            span += 1
        if span > 1:
            parts.append(_text(left + index * group + 1, baseline + FONT + 5, _fit(category, group * span - 2, FONT)))
        else:
            parts.append(
                _text(
                    left + (index + 0.5) * group, baseline + FONT + 5, _fit(category, group - 2, FONT), anchor="middle"
                )
            )
    parts.append(f'<line x1="{left:.1f}" y1="{baseline:.1f}" x2="{WIDTH - 4}" y2="{baseline:.1f}" stroke="{AXIS}"/>')
    return parts, baseline + FONT + 10


def _horizontal(categories: Sequence[str], series: Sequence[Series]) -> tuple[list[str], float]:
    # Each category's name stands on its own line above its bars: names of
    # activities are long ("MVP – Mentors in Violence Prevention på ..."), and a
    # full-width line shows far more of them than a column left of the bars.
    parts: list[str] = []
    y = 0.0
    if len(series) > 1:
        parts += _legend(series, 10)
        y = 22
    values = [_number(value) for item in series for value in item.values]
    axis_top, ticks = _scale(max((v for v in values if v is not None), default=0))
    labels = [count_format(value) for item in series for value in item.values]
    left = 2.0
    plot_width = WIDTH - left - max(_text_width(label, SMALL) for label in labels) - 10
    bar = 14.0

    def x_of(value: float) -> float:
        return left + value / axis_top * plot_width

    rows: list[str] = []
    plot_top = y
    for index, category in enumerate(categories):
        y += FONT + 2
        rows.append(_text(left, y, _fit(category, WIDTH - left, FONT)))
        y += 4
        for item in series:
            value = item.values[index] if index < len(item.values) else None
            number = _number(value)
            end = x_of(number) if number is not None else left
            if number:
                rows.append(
                    f'<rect x="{left:.1f}" y="{y:.1f}" width="{end - left:.1f}" height="{bar:.1f}" fill="{item.colour}"/>'
                )
            rows.append(_text(end + 4, y + bar / 2 + SMALL * 0.35, count_format(value), size=SMALL))
            y += bar + 2
        y += 8
    plot_bottom = y
    for tick in ticks:
        x = x_of(tick)
        if tick:
            parts.append(
                f'<line x1="{x:.1f}" y1="{plot_top:.1f}" x2="{x:.1f}" y2="{plot_bottom:.1f}" stroke="{GRID}"/>'
            )
        anchor = "start" if not tick else "middle"
        parts.append(_text(x, plot_bottom + SMALL + 4, count_format(int(tick)), size=SMALL, anchor=anchor, fill=MUTED))
    parts.append(f'<line x1="{left:.1f}" y1="{plot_top:.1f}" x2="{left:.1f}" y2="{plot_bottom:.1f}" stroke="{AXIS}"/>')
    return parts + rows, plot_bottom + SMALL + 10
