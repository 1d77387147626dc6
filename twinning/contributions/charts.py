"""Tiny server-rendered SVG charts. Pages show the numbers in a table beside each chart."""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from twinning.core.rendering import degrades_to, nothing

COLOURS = ["#9db4d3", "#1f5c99", "#c47f17", "#3f8f5a"]


@degrades_to(nothing)
def grouped_bars(
    rows: Sequence[tuple[str, Sequence[Decimal | None]]],
    series: Sequence[str],
    *,
    title: str,
    width: int = 560,
    bar: int = 12,
    label_width: int = 170,
) -> SafeString:
    """Horizontal bars, one group per row and one bar per series (None draws nothing)."""
    values = [v for _label, vs in rows for v in vs if v is not None]
    top = max(values, default=Decimal(0)) or Decimal(1)
    group = bar * len(series) + 8
    legend = 20
    height = legend + group * len(rows) + 4
    plot = width - label_width - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    x = label_width
    for i, name in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="4" width="10" height="10" fill="{COLOURS[i % len(COLOURS)]}"/>'
            f'<text x="{x + 14}" y="13" font-size="11">{escape(name)}</text>'
        )
        x += 14 + 7 * len(name) + 16
    for r, (label, vs) in enumerate(rows):
        y0 = legend + r * group
        parts.append(
            f'<text x="{label_width - 6}" y="{y0 + group / 2 + 2:.0f}" font-size="11" text-anchor="end">'
            f"{escape(label[:28])}</text>"
        )
        for i, value in enumerate(vs):
            if value is None:
                continue
            w = float(value) / float(top) * plot
            y = y0 + i * bar
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{max(w, 0):.1f}" height="{bar - 2}" '
                f'fill="{COLOURS[i % len(COLOURS)]}"/>'
                f'<text x="{label_width + w + 4:.1f}" y="{y + bar - 3}" font-size="10">{_short(value)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece of text above is escaped


def _short(value: Decimal) -> str:
    v = float(value)
    if abs(v) >= 1_000_000:
        return f"{v / 1_000_000:.1f}M"
    if abs(v) >= 1_000:
        return f"{v / 1_000:.0f}k"
    return f"{v:.2f}"
