"""Server-rendered SVG charts with one look everywhere: one palette, one number format, no JavaScript.

The same figure serves the page and the PDF report. Every chart sits beside a table of its numbers, so a chart
may round and abbreviate them (`number`), and on data it cannot draw it logs the error and draws nothing
(see `twinning.core.rendering`). All text is escaped; the markup goes into a template as it is.
"""

import datetime
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

from babel.numbers import format_compact_decimal
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from twinning.core.numbers import babel_locale, format_with
from twinning.core.rendering import degrades_to, labelled, nothing

Number = Decimal | int | float

BLUE = "#1f5c99"  # what was achieved, counted or scored: the first series
AMBER = "#c47f17"  # targets and donor funds: what the first series is read against
GREEN = "#3f8f5a"
LIGHT_BLUE = "#9db4d3"  # a paler first series: promised rather than confirmed
GREY = "#999"  # axes
GRID = "#e6e9ee"  # grid lines behind the bars
PALETTE = (BLUE, AMBER, GREEN, LIGHT_BLUE)

# Charts are drawn at a phone's width, a unit about a pixel, and never scaled up (`svg.chart` in site.css: at most
# the column's width): their text, all TEXT_PX, stays at least 11 px on a 390 px wide phone and 12 px elsewhere.
TEXT_PX = 12
CHART_WIDTH = 320
LABEL_CHARS = 28  # longer row labels are cut (the full label is the text's tooltip and is in the table)


def number(value: Number) -> str:
    """A number as a chart writes it, in the current language: from a thousand up in the short form ("1.2K",
    "15K", "1.2M"), below it with at most two decimals ("12.5", "0.33")."""
    locale = get_language() or "en"
    if abs(float(value)) >= 1000:
        return format_compact_decimal(
            value, format_type="short", fraction_digits=1, locale=babel_locale(locale)
        )
    return format_with(value, "#,##0.##", locale=locale)


def ticks(low: Number, high: Number, count: int = 4) -> list[Decimal]:
    """Round values for a value axis from at most `low` to at least `high`, about `count` steps apart, on steps
    of 1, 2, 2.5 or 5 times a power of ten: (0, 37) gives 0, 10, 20, 30, 40. Zero is always a tick."""
    low_d, high_d = min(Decimal(str(low)), Decimal(0)), max(Decimal(str(high)), Decimal(0))
    span = (high_d - low_d) or Decimal(1)
    raw = span / count
    power = Decimal(10) ** raw.adjusted()
    step = next(
        m * power
        for m in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
        if m * power >= raw
    )
    first = (low_d / step).to_integral_value(rounding="ROUND_FLOOR") * step
    last = (high_d / step).to_integral_value(rounding="ROUND_CEILING") * step
    if last == first:
        last = first + step
    values = []
    value = first
    while value <= last:
        values.append(value.normalize() + 0)
        value += step
    return values


def _finite(values: Iterable[Number | None]) -> list[float]:
    """The numbers to draw, as floats; a NaN or infinity is data no chart can place (ValueError)."""
    numbers = [float(v) for v in values if v is not None]
    if not all(math.isfinite(v) for v in numbers):
        raise ValueError("A chart cannot draw a value that is not a finite number.")
    return numbers


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )


def fitting_chars(room: float, size: int = 12) -> int:
    """How many characters of a `size` px label fit in `room` px (about 0.62 × size a character, generous for
    capitals and Cyrillic), at most LABEL_CHARS: a row label never runs off the chart's left edge.

    Raises: nothing.
    """
    return max(4, min(LABEL_CHARS, int(room / (size * 0.62))))


def _label(text: str, chars: int = LABEL_CHARS) -> str:
    cut = text if len(text) <= chars else text[: chars - 1] + "…"
    return f"<title>{escape(text)}</title>{escape(cut)}" if cut != text else escape(text)


LABEL_LINES = 3  # a row label wraps onto at most this many lines
LINE_HEIGHT = 14  # px between the lines of a 12 px row label


def label_lines(text: str, chars: int, lines: int = LABEL_LINES) -> list[str]:
    """A row label broken between words into lines of at most `chars` characters (`fitting_chars`), at most
    `lines` of them; a word longer than a line, or what is left past the last line, is cut with "…". Labels that
    differ only at their end ("Activity after 1 year", "… 3 years") stay apart where one line would cut them.

    Raises: nothing.
    """
    out: list[str] = []
    words = text.split()
    while words and len(out) < lines:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= chars:
            line += " " + words.pop(0)
        if len(line) > chars or (words and len(out) == lines - 1):
            rest = " ".join([line, *words])
            line, words = rest[: chars - 1].rstrip() + "…", []
        out.append(line)
    return out or [""]


def _wrapped_label(text: str, x: float, middle: float, chars: int) -> str:
    """A right-aligned row label (`label_lines`) centred on `middle`, one tspan a line, the full label as its
    tooltip whenever it does not stand on one line."""
    lines = label_lines(text, chars)
    if len(lines) == 1 and lines[0] == text:
        return f'<text x="{x}" y="{middle + 4:.0f}" font-size="{TEXT_PX}" text-anchor="end">{escape(text)}</text>'
    first = middle + 4 - (len(lines) - 1) * LINE_HEIGHT / 2
    spans = "".join(
        f'<tspan x="{x}" y="{first + i * LINE_HEIGHT:.0f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text font-size="{TEXT_PX}" text-anchor="end"><title>{escape(text)}</title>{spans}</text>'


@degrades_to(nothing)
def bar_chart(
    rows: Sequence[tuple[str, Sequence[Number | None]]],
    *,
    title: str,
    series: Sequence[str] = (),
    colours: Sequence[str] = PALETTE,
    width: int = CHART_WIDTH,
    label_width: int = 130,
) -> SafeString:
    """Horizontal bars from zero: one group per `(label, values)` row, one bar per value, the i-th value of
    every row in `colours[i]`. `series` names the values in a legend (shown when there are several). A None
    value draws no bar; a negative one a bar of no length with its number. Drawn at a phone's width with its
    text TEXT_PX (long row labels wrap onto up to three lines, in full in their tooltip and the table)."""
    per_row = max((len(values) for _label, values in rows), default=1)
    bar = 14 if per_row > 1 else 24
    chars = fitting_chars(label_width - 8, TEXT_PX)
    # A long label wraps (a Russian "Activity after 3 years" was cut to the words every row shares): its row
    # grows to hold its lines, the bars centred in it.
    tallest = max((len(label_lines(label, chars)) for label, _values in rows), default=1)
    group = max(bar * per_row + 8, tallest * LINE_HEIGHT + 6)
    inset = (group - 8 - bar * per_row) // 2
    keys, legend_h = _wrapped_legend(series, colours, width, size=TEXT_PX) if len(series) > 1 else ("", 0)
    legend = legend_h + 4
    bottom = legend + group * len(rows)
    height = bottom + 22  # the value axis: ticks and their numbers under the bars
    plot = width - label_width - 48  # room for the number after the longest bar
    axis = ticks(0, max(_finite(v for _label, values in rows for v in values), default=0.0))
    top = float(axis[-1])
    parts = [_open(width, height, title)]
    for tick in axis:
        x = label_width + float(tick) / top * plot
        parts.append(
            f'<line class="tick" x1="{x:.1f}" y1="{legend}" x2="{x:.1f}" y2="{bottom + 4}" stroke="{GRID}"/>'
            f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}" stroke="{GREY}"/>'
            f'<text x="{x:.1f}" y="{bottom + 17}" font-size="{TEXT_PX}" text-anchor="middle">{escape(number(tick))}</text>'
        )
    parts.append(
        f'<line x1="{label_width}" y1="{bottom}" x2="{label_width + plot}" y2="{bottom}" stroke="{GREY}"/>'
    )
    parts.append(keys)
    for r, (label, values) in enumerate(rows):
        y0 = legend + r * group
        parts.append(_wrapped_label(label, label_width - 6, y0 + (group - 8) / 2, chars))
        for i, value in enumerate(values):
            if value is None:
                continue
            w = max(float(value), 0.0) / top * plot
            y = y0 + inset + i * bar
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar - 2}" '
                f'fill="{colours[i % len(colours)]}"/>'
                f'<text x="{label_width + w + 4:.1f}" y="{y + bar / 2 + 4:.0f}" font-size="{TEXT_PX}">'
                f"{escape(number(value))}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece of text above is escaped


LEGEND_LINE = TEXT_PX + 6  # px between the lines of a period chart's key


def _legend(left: int, bar_name: str, line_name: str | None, width: int) -> tuple[str, int]:
    """The key above a period chart: a bar swatch for what was achieved and, if drawn, a line for the target,
    on a second line when both do not fit in `width`. Returns the SVG and the number of lines."""
    legend = [
        f'<rect x="{left}" y="3" width="10" height="10" fill="{BLUE}"/>'
        f'<text x="{left + 14}" y="{TEXT_PX}">{escape(bar_name)}</text>'
    ]
    lines = 1
    if line_name:
        at = left + 14 + math.ceil(TEXT_PX * 0.62 * len(bar_name)) + 16
        if at + 18 + TEXT_PX * 0.62 * len(line_name) > width - 4:
            at, lines = left, 2
        top = (lines - 1) * LEGEND_LINE
        legend.append(
            f'<line x1="{at}" y1="{top + 8}" x2="{at + 14}" y2="{top + 8}" stroke="{AMBER}" stroke-width="2.5"/>'
            f'<text x="{at + 18}" y="{top + TEXT_PX}">{escape(line_name)}</text>'
        )
    return f'<g font-size="{TEXT_PX}">{"".join(legend)}</g>', lines


def label_every(labels: Sequence[str], step: float, size: int = TEXT_PX) -> int:
    """Show every k-th period label so that none overlaps the next: k is the smallest whole number for which k
    slots (`step` px each, in the chart's own units, so it holds at every width the SVG is scaled to) hold the
    longest label (about 0.6 × font `size` px a character) plus a 6 px gap. "Q1 2024" at 12 px needs ~57 px.

    Raises: nothing.
    """
    longest = max((len(label) for label in labels), default=0)
    needed = longest * size * 0.6 + 6
    return max(1, math.ceil(needed / step)) if step > 0 else 1


@degrades_to(nothing)
def bar_line_chart(
    title: str,
    labels: Sequence[str],
    bars: Sequence[Number | None],
    line: Sequence[Number | None],
    *,
    bar_name: str | None = None,
    line_name: str | None = None,
) -> SafeString:
    """Vertical bars over periods (what was achieved in each) and a stepped line (its target), on one axis that
    includes zero. `labels`, `bars` and `line` run in parallel; None draws nothing for that period. The legend
    names the line only when it has a value. Nothing at all when there is no number to draw. Drawn at a phone's
    width with its text TEXT_PX; period labels are thinned so none overlaps the next (`label_every`)."""
    width, left, bottom = CHART_WIDTH, 48, 30
    bar_name = bar_name or _("Achieved")
    line_name = line_name or _("Target")
    _finite([*bars, *line])
    numbers = [Decimal(str(v)) for v in [*bars, *line] if v is not None]
    if not labels or not numbers:
        return mark_safe("")
    key, key_lines = _legend(left, bar_name, line_name if any(v is not None for v in line) else None, width)
    top_margin = key_lines * LEGEND_LINE + 6
    height = top_margin + 150 + bottom
    axis = ticks(min(numbers), max(numbers))
    floor, top = axis[0], axis[-1]
    span = top - floor
    plot_h = height - bottom - top_margin
    step = (width - left - 8) / len(labels)

    def y(value: Number) -> float:
        return top_margin + float((top - Decimal(str(value))) / span) * plot_h

    def text(x: float | int, y_: float | int, content: str, size: int = TEXT_PX, anchor: str = "end") -> str:
        return f'<text x="{x:.1f}" y="{y_:.1f}" font-size="{size}" text-anchor="{anchor}">{escape(content)}</text>'

    parts = [_open(width, height, title)]
    for tick in axis:  # the value axis: a faint grid line, a tick mark and the value at each round number
        parts.append(
            f'<line class="tick" x1="{left - 4}" y1="{y(tick):.1f}" x2="{width - 8}" y2="{y(tick):.1f}" '
            f'stroke="{GRID}"/><line x1="{left - 4}" y1="{y(tick):.1f}" x2="{left}" y2="{y(tick):.1f}" '
            f'stroke="{GREY}"/>'
        )
        parts.append(text(left - 6, y(tick) + 4, number(tick)))
    parts.append(
        f'<line x1="{left}" y1="{top_margin}" x2="{left}" y2="{height - bottom}" stroke="{GREY}"/>'
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - 8}" y2="{y(0):.1f}" stroke="{GREY}"/>'
    )
    every = label_every(labels, step, size=TEXT_PX)
    for i, label in enumerate(labels):
        x = left + i * step
        value = bars[i]
        if value is not None:
            y0, y1 = y(0), y(value)
            parts.append(
                f'<rect x="{x + step * 0.15:.1f}" y="{min(y0, y1):.1f}" width="{step * 0.7:.1f}" '
                f'height="{max(abs(y0 - y1), 0.5):.1f}" fill="{BLUE}">'
                f"<title>{escape(labelled(label, number(value)))}</title></rect>"
            )
        target = line[i]
        if target is not None:
            parts.append(
                f'<line x1="{x:.1f}" y1="{y(target):.1f}" x2="{x + step:.1f}" y2="{y(target):.1f}" '
                f'stroke="{AMBER}" stroke-width="2.5">'
                f"<title>{escape(labelled(f'{line_name} {label}', number(target)))}</title></line>"
            )
        if i % every == 0:
            parts.append(
                f'<line x1="{x + step / 2:.1f}" y1="{height - bottom}" x2="{x + step / 2:.1f}" '
                f'y2="{height - bottom + 4}" stroke="{GREY}"/>'
            )
            parts.append(text(x + step / 2, height - 12, label, anchor="middle"))
    parts.append(key)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece of text above is escaped


# Five steps of one scale (stages, levels), palest first, so a later step reads as "further".
STEPS = (LIGHT_BLUE, BLUE, GREEN, AMBER, "#7a3e8f")


def _wrapped_legend(
    names: Sequence[str], colours: Sequence[str], width: int, size: int = 10
) -> tuple[str, int]:
    """A legend of swatches and names, left to right from the chart's left edge, wrapping onto a new line
    before a key would run past `width` (a long name is cut to the width, in full in its tooltip). Returns the
    SVG and the height it takes.

    Raises: nothing.
    """
    parts, x, line, step = [], 4, 0, size + 8
    for i, name in enumerate(names):
        chars = fitting_chars(width - 8 - 14, size)
        shown = name if len(name) <= chars else name[: chars - 1] + "…"
        need = 14 + math.ceil(size * 0.62 * len(shown)) + 12
        if x > 4 and x + need > width - 4:
            x, line = 4, line + 1
        y = 4 + line * step
        tip = f"<title>{escape(name)}</title>" if shown != name else ""
        parts.append(
            f'<rect x="{x}" y="{y + 1}" width="10" height="10" fill="{colours[i % len(colours)]}"/>'
            f'<text x="{x + 14}" y="{y + 10}" font-size="{size}">{tip}{escape(shown)}</text>'
        )
        x += need
    return "".join(parts), (line + 1) * step if names else 0


def _time_ticks(
    start: datetime.date, end: datetime.date, room: float, size: int = 10
) -> list[tuple[datetime.date, str]]:
    """Dates to label on a time axis `room` px long (labels `size` px high), and their labels in the reader's language: 1 January of
    each year over spans past eighteen months, else the first of each quarter or month, thinned so labels never overlap; the
    start itself when no such date falls inside (a span of a few weeks still has a dated axis).

    Raises: nothing.
    """
    from django.utils import formats

    def month_label(day: datetime.date) -> str:
        return str(formats.date_format(day, "YEAR_MONTH_FORMAT"))

    span = max((end - start).days, 1)
    if span > 540:
        candidates = [datetime.date(y, 1, 1) for y in range(start.year + 1, end.year + 1)]
        labelled = [(d, str(d.year)) for d in candidates]
    else:
        months = 1 if span <= 200 else 3
        day = datetime.date(start.year, start.month, 1)
        labelled = []
        while day <= end:
            if day > start and (day.month - 1) % months == 0:
                labelled.append((day, month_label(day)))
            day = datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    if not labelled:
        return [(start, month_label(start))]
    longest = max(len(text) for _d, text in labelled)
    every = max(1, math.ceil(len(labelled) * (longest * size * 0.6 + 8) / max(room, 1)))
    return labelled[::every]


@degrades_to(nothing)
def timeline_chart(
    rows: Sequence[tuple[str, Sequence[tuple[datetime.date, int]]]],
    *,
    title: str,
    steps: Sequence[str],
    end: datetime.date,
    width: int = 320,
    label_width: int = 120,
) -> SafeString:
    """One horizontal band per row over time: each row's `(date, step)` changes (step indexes `steps`, 0 first)
    colour its band from that date until the next change, the last one until `end`, with a dot where each step
    was reached. The time axis runs from the earliest date to `end`, labelled with dates in the reader's language
    (`_time_ticks`); a legend, wrapped to the chart's width, names the steps. Nothing at all when no row has a date.
    It is drawn at a phone's width (320 units, its text TEXT_PX) and never scaled up (`svg.chart` in site.css), so a
    unit is about a pixel and its text stays readable on a 375 px phone; longer site names are cut (in full in their
    tooltip and in the table beside the chart).

    Raises: nothing (data it cannot draw is logged and drawn as nothing).
    """
    dates = [day for _label, changes in rows for day, _step in changes]
    if not dates:
        return mark_safe("")
    start = min(dates)
    end = max(end, max(dates))
    span = max((end - start).days, 1)
    band, axis = 20, 24
    plot = width - label_width - 16
    keys, legend_h = _wrapped_legend(steps, STEPS, width, size=TEXT_PX)
    legend = legend_h + 6
    height = legend + band * len(rows) + axis

    def x(day: datetime.date) -> float:
        return label_width + (day - start).days / span * plot

    parts = [_open(width, height, title), keys]
    bottom = legend + band * len(rows)
    for day, text in _time_ticks(start, end, plot, size=TEXT_PX):
        tick = x(day)
        anchor = "start" if day == start else "middle"
        parts.append(
            f'<line class="tick" x1="{tick:.1f}" y1="{legend}" x2="{tick:.1f}" y2="{bottom + 4}" stroke="{GRID}"/>'
            f'<text x="{tick:.1f}" y="{bottom + 17}" font-size="{TEXT_PX}" text-anchor="{anchor}">{escape(text)}</text>'
        )
    parts.append(
        f'<line x1="{label_width}" y1="{bottom}" x2="{label_width + plot}" y2="{bottom}" stroke="{GREY}"/>'
    )
    chars = fitting_chars(label_width - 8, TEXT_PX)
    for r, (label, changes) in enumerate(rows):
        y = legend + r * band
        parts.append(
            f'<text x="{label_width - 6}" y="{y + band / 2 + 4:.0f}" font-size="{TEXT_PX}" text-anchor="end">'
            f"{_label(label, chars)}</text>"
        )
        ordered = sorted(changes)
        for i, (day, step) in enumerate(ordered):
            until = ordered[i + 1][0] if i + 1 < len(ordered) else end
            colour = STEPS[step % len(STEPS)]
            name = steps[step] if 0 <= step < len(steps) else str(step)
            parts.append(
                f'<rect x="{x(day):.1f}" y="{y + 3}" width="{max(x(until) - x(day), 1.0):.1f}" '
                f'height="{band - 6}" fill="{colour}"><title>{escape(label)}: {escape(name)} '
                f"({day.isoformat()})</title></rect>"
                f'<circle cx="{x(day):.1f}" cy="{y + band / 2:.1f}" r="3" fill="#fff" stroke="{colour}"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every piece of text above is escaped
