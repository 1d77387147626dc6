"""Server-rendered SVG charts: the same figure for the page and a PDF, with the numbers in a table beside it."""

from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from twinning.core.rendering import degrades_to, nothing

if TYPE_CHECKING:
    from twinning.monitoring.selectors import IndicatorProgress, IndicatorRollUp

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 420, 180, 44, 28, 12


def _fmt(value: Decimal) -> str:
    text = f"{value.normalize():f}" if value == value.to_integral() or abs(value) >= 100 else f"{value:.1f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@degrades_to(nothing)
def bar_line_chart(
    title: str, labels: list[str], bars: list[Decimal | None], line: list[Decimal | None]
) -> SafeString:
    """Bars for what was achieved in each period, a stepped line for the target."""
    numbers = [v for v in [*bars, *line] if v is not None]
    if not labels or not numbers:
        return mark_safe("")
    top = max(max(numbers), Decimal(0)) or Decimal(1)
    bottom = min(min(numbers), Decimal(0))
    span = (top - bottom) or Decimal(1)
    plot_w = WIDTH - LEFT - 8
    plot_h = HEIGHT - BOTTOM - TOP
    step = plot_w / len(labels)

    def y(value: Decimal) -> float:
        return TOP + float((top - value) / span) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart" '
        f'width="100%" style="max-width:{WIDTH}px">',
        format_html("<title>{}</title>", title),
        f'<line x1="{LEFT}" y1="{y(Decimal(0)):.1f}" x2="{WIDTH - 8}" y2="{y(Decimal(0)):.1f}" stroke="#999"/>',
        format_html(
            '<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>', LEFT - 4, TOP + 8, _fmt(top)
        ),
        format_html(
            '<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>',
            LEFT - 4,
            f"{y(bottom):.1f}",
            _fmt(bottom),
        ),
    ]
    every = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        x = LEFT + i * step
        value = bars[i]
        if value is not None:
            y0, y1 = y(Decimal(0)), y(value)
            parts.append(
                f'<rect x="{x + step * 0.15:.1f}" y="{min(y0, y1):.1f}" width="{step * 0.7:.1f}" '
                f'height="{max(abs(y0 - y1), 0.5):.1f}" fill="#2b6cb0"><title>{escape(label)}: {escape(_fmt(value))}</title></rect>'
            )
        target = line[i]
        if target is not None:
            parts.append(
                f'<line x1="{x:.1f}" y1="{y(target):.1f}" x2="{x + step:.1f}" y2="{y(target):.1f}" '
                f'stroke="#c05621" stroke-width="2.5"><title>{escape(_("Target"))} {escape(label)}: {escape(_fmt(target))}</title></line>'
            )
        if i % every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="9" text-anchor="middle">{}</text>',
                    f"{x + step / 2:.1f}",
                    HEIGHT - 10,
                    label,
                )
            )
    parts.append(
        format_html(
            '<g font-size="10"><rect x="{}" y="2" width="8" height="8" fill="#2b6cb0"/><text x="{}" y="10">{}</text>'
            '<line x1="{}" y1="6" x2="{}" y2="6" stroke="#c05621" stroke-width="2.5"/><text x="{}" y="10">{}</text></g>',
            LEFT,
            LEFT + 11,
            _("Achieved"),
            LEFT + 80,
            LEFT + 92,
            LEFT + 96,
            _("Target"),
        )
    )
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))


@degrades_to(nothing)
def progress_chart(row: "IndicatorProgress") -> SafeString:
    return bar_line_chart(
        str(row.indicator),
        [p.period.label() for p in row.points],
        [p.actual for p in row.points],
        [p.target for p in row.points],
    )


@degrades_to(nothing)
def rollup_chart(rollup: "IndicatorRollUp") -> SafeString:
    from twinning.planning.periods import period_label

    values = rollup.total_values()
    return bar_line_chart(
        str(rollup.indicator),
        [period_label(p) for p, _v, _n in values],
        [v for _p, v, _n in values],
        [None] * len(values),
    )
