"""Charts drawn on the server as SVG: no JavaScript, no library, nothing fetched.

Each chart has a <title> and a <desc> (named by aria-labelledby) and the page shows the same
numbers in a table, for screen readers and for anyone who wants the exact figures.
Time runs left to right in every language (as on a number line); the horizontal bar chart
mirrors in right-to-left pages, with its labels on the right.
"""

from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COUNTED = "#0b5a52"
OTHER = "#b9d3cf"
GRID = "#d9d6cf"
INK = "#1c2024"
INK_SOFT = "#4a525a"
FONT = "system-ui, 'Noto Naskh Arabic', 'Noto Sans Arabic', Tahoma, 'DejaVu Sans', sans-serif"

_ids = count(1)


@dataclass
class Bar:
    label: str  # shown under the axis (some bars only)
    tooltip: str  # the full label, in the bar's <title>
    counted: int
    other: int = 0


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 2.5, 5 × 10^n at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 1
    while magnitude * 10 < value:
        magnitude *= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return value  # pragma: no cover


def number(value: float) -> str:
    return f"{value:,.0f}" if value >= 1000 else f"{value:g}"


def _frame(width: int, height: int, title: str, desc: str, body: list[str], rtl=False) -> str:
    uid = next(_ids)
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="chart{uid}-title chart{uid}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="{escape(FONT)}" font-size="12" '
        f'direction="{"rtl" if rtl else "ltr"}">'
        f'<title id="chart{uid}-title">{escape(title)}</title>'
        f'<desc id="chart{uid}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def bar_chart(bars: list[Bar], *, title: str, desc: str, width=720, height=240) -> SafeString:
    """Stacked vertical bars over time: counted signatures, with the others on top."""
    left, right, top, bottom = 52, 12, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    ceiling = nice_ceiling(max((bar.counted + bar.other for bar in bars), default=0))
    body = []
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        y = top + plot_h * (1 - fraction)
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="1"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="{INK_SOFT}" direction="ltr">{number(ceiling * fraction)}</text>'
        )
    if bars:
        slot = plot_w / len(bars)
        bar_w = max(slot * 0.8, 0.6)
        label_every = max(1, round(len(bars) / 6))
        for index, bar in enumerate(bars):
            x = left + index * slot + (slot - bar_w) / 2
            counted_h = plot_h * bar.counted / ceiling
            other_h = plot_h * bar.other / ceiling
            y_counted = top + plot_h - counted_h
            body.append(
                f"<g><title>{escape(bar.tooltip)}</title>"
                f'<rect x="{x:.2f}" y="{y_counted:.2f}" width="{bar_w:.2f}" '
                f'height="{counted_h:.2f}" fill="{COUNTED}"/>'
                f'<rect x="{x:.2f}" y="{y_counted - other_h:.2f}" width="{bar_w:.2f}" '
                f'height="{other_h:.2f}" fill="{OTHER}"/></g>'
            )
            if index % label_every == 0:
                cx = x + bar_w / 2
                body.append(
                    f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{top + plot_h}" '
                    f'y2="{top + plot_h + 4}" stroke="{INK_SOFT}"/>'
                    f'<text x="{cx:.1f}" y="{height - bottom + 20}" text-anchor="middle" '
                    f'fill="{INK_SOFT}">{escape(bar.label)}</text>'
                )
    body.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    return mark_safe(_frame(width, height, title, desc, body))  # noqa: S308 - all text escaped


def hbar_chart(
    rows: list[tuple[str, int]], *, title: str, desc: str, rtl: bool = False, width=720
) -> SafeString:
    """Horizontal bars with their labels: the largest first."""
    label_w, value_w, row_h, top = 190, 70, 24, 6
    height = top * 2 + row_h * max(len(rows), 1)
    plot_w = width - label_w - value_w - 16
    largest = max((value for _label, value in rows), default=0) or 1
    body = []
    for index, (label, value) in enumerate(rows):
        y = top + index * row_h
        bar_w = max(plot_w * value / largest, 1 if value else 0)
        if rtl:
            label_x, anchor = width - 4, "start"  # "start" is the right in an rtl <text>
            bar_x = width - label_w - 8 - bar_w
            value_x, value_anchor = bar_x - 6, "end"
        else:
            label_x, anchor = 4, "start"
            bar_x = label_w + 8
            value_x, value_anchor = bar_x + bar_w + 6, "start"
        short = label if len(label) <= 26 else label[:25] + "…"
        body.append(
            f"<g><title>{escape(label)}: {value:,}</title>"
            f'<text x="{label_x}" y="{y + row_h / 2 + 4:.1f}" text-anchor="{anchor}" '
            f'fill="{INK}">{escape(short)}</text>'
            f'<rect x="{bar_x:.2f}" y="{y + 4}" width="{bar_w:.2f}" height="{row_h - 8}" '
            f'fill="{COUNTED}" rx="2"/>'
            f'<text x="{value_x:.1f}" y="{y + row_h / 2 + 4:.1f}" text-anchor="{value_anchor}" '
            f'fill="{INK_SOFT}" direction="ltr">{value:,}</text></g>'
        )
    return mark_safe(_frame(width, height, title, desc, body, rtl=rtl))  # noqa: S308
