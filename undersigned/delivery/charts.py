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


TICKS = 4


def axis_ceiling(value: int) -> int:
    """The top of a y axis with TICKS whole-number steps of 1, 2, 3, 4, 5, 6 or 8 × 10^n
    that reaches `value`: 25 → 32 (steps of 8), 240 → 240, 1,000,001 → 1,200,000."""
    needed = max(value, 1) / TICKS
    magnitude = 1
    while magnitude * 10 < needed:
        magnitude *= 10
    step = next(m * magnitude for m in (1, 2, 3, 4, 5, 6, 8, 10) if m * magnitude >= needed)
    return step * TICKS


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


def bar_chart(bars: list[Bar], *, title: str, desc: str, width=640, height=240) -> SafeString:
    """Stacked vertical bars over time: counted signatures, with the others on top."""
    left, right, top, bottom = 52, 12, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    ceiling = axis_ceiling(max((bar.counted + bar.other for bar in bars), default=0))
    body = []
    for tick in range(TICKS + 1):
        fraction = tick / TICKS
        y = top + plot_h * (1 - fraction)
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="1"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="{INK_SOFT}" direction="ltr">{ceiling * tick // TICKS:,}</text>'
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
    rows: list[tuple[str, int]], *, title: str, desc: str, rtl: bool = False, width=560
) -> SafeString:
    """Horizontal bars with their labels: the largest first."""
    label_w, value_w, row_h, top = 170, 64, 24, 6
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
