"""A tiny server-rendered bar chart: the two assignments' totals side by side."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from twinning.core.rendering import degrades_to, nothing


@degrades_to(nothing)
def score_bars(optimal: Decimal, stable: Decimal, *, width: int = 320, bar: int = 22) -> SafeString:
    rows = [(_("Optimal"), float(optimal)), (_("Stable"), float(stable))]
    top = max((v for _, v in rows), default=0) or 1
    label_w = 70
    scale = (width - label_w - 60) / top
    height = len(rows) * (bar + 10) + 4
    bars = format_html_join(
        "",
        '<text x="0" y="{}" font-size="13">{}</text><rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
        '<text x="{}" y="{}" font-size="13">{}</text>',
        (
            (
                y + bar - 6,
                label,
                label_w,
                y,
                f"{value * scale:.1f}",
                bar,
                "#1d6fa5" if k == 0 else "#6aa84f",
                label_w + value * scale + 4,
                y + bar - 6,
                f"{value:.1f}",
            )
            for k, (label, value) in enumerate(rows)
            for y in [4 + k * (bar + 10)]
        ),
    )
    return format_html(
        '<svg role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}">{}</svg>',
        _("Total score of each assignment"),
        width,
        height,
        width,
        height,
        bars,
    )
