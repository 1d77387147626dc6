"""A tiny server-rendered SVG bar chart: the same figure for the page and a PDF, no JavaScript."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from twinning.core.rendering import degrades_to, nothing

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 170
BAR_WIDTH = 300
VALUE_WIDTH = 70


@degrades_to(nothing)
def bar_chart(rows: list[tuple[str, float]], *, title: str) -> SafeString:
    """Horizontal bars, one per (label, value); the numbers are also shown in a table beside it."""
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    top = max((value for _label, value in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        bar = round(BAR_WIDTH * value / top)
        text_y = y + BAR_HEIGHT * 0.7
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{text_y}" text-anchor="end" font-size="12">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar}" height="{BAR_HEIGHT}" fill="#2f6f8f"></rect>'
            f'<text x="{LABEL_WIDTH + bar + 4}" y="{text_y}" font-size="12">{escape(f"{value:g}")}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
