"""The one chart module: numbers written short in the page's language, text escaped, nothing drawn for None."""

import itertools
import re
from decimal import Decimal

import pytest
from django.utils import translation

from twinning.core.charts import AMBER, BLUE, bar_chart, bar_line_chart, fitting_chars, label_every, number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("850.00"), "850"),
        (Decimal("12.345"), "12.34"),
        (118.5, "118.5"),
        (0, "0"),
        (Decimal("1234"), "1.2K"),
        (Decimal("-15000"), "-15K"),
        (Decimal("1250000.00"), "1.2M"),
    ],
)
def test_a_chart_writes_numbers_short(value, text):
    with translation.override("en"):
        assert number(value) == text


def test_a_chart_writes_numbers_in_the_page_language():
    with translation.override("fr"):
        assert (number(Decimal("12.5")), number(Decimal("1234"))) == ("12,5", "1,2\xa0k")


def test_bars_escape_every_label_and_cut_long_ones_keeping_the_full_label_as_a_tooltip():
    svg = bar_chart([("<b>Uganda</b>", [1]), ("A" * 40, [2])], title="<script>", series=["x", "y & z"])

    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;b&gt;Uganda&lt;/b&gt;" in svg and "y &amp; z" in svg
    assert "A" * (fitting_chars(130 - 8) - 1) + "…" in svg and f"<title>{'A' * 40}</title>" in svg


def test_bars_draw_one_rectangle_per_value_and_none_for_a_missing_value():
    svg = bar_chart([("2025", [Decimal("10"), None]), ("2026", [Decimal("20"), Decimal("5")])], title="t")

    widths = [float(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)"', svg)]
    assert len(widths) == 3
    assert widths[1] == max(widths) and widths[0] == pytest.approx(widths[1] / 2)


def test_the_legend_names_the_target_only_when_there_is_one():
    with_target = bar_line_chart("t", ["Q1", "Q2"], [Decimal(1), None], [Decimal(2), Decimal(2)])
    without = bar_line_chart("t", ["Q1", "Q2"], [Decimal(1), Decimal(3)], [None, None])

    assert BLUE in with_target and AMBER in with_target and "Target" in with_target
    assert "Target" not in without and AMBER not in without


def test_a_period_chart_with_no_number_draws_nothing():
    assert bar_line_chart("t", ["Q1"], [None], [None]) == ""
    assert bar_line_chart("t", [], [], []) == ""


def test_bars_have_a_value_axis_with_round_ticks():
    svg = bar_chart([("2025", [Decimal("37")])], title="t")

    assert svg.count('class="tick"') == 5
    assert [t for t in re.findall(r'text-anchor="middle">([^<]+)<', svg)] == ["0", "10", "20", "30", "40"]


def test_period_labels_are_thinned_so_none_overlaps_the_next():
    # A tester saw "Q1 2024Q2 2024…" run together: twelve quarters gave 31 px slots for ~44 px labels.
    labels = [f"Q{q} {y}" for y in (2024, 2025, 2026) for q in (1, 2, 3, 4)]
    step = (320 - 48 - 8) / len(labels)
    every = label_every(labels, step)
    assert every == 3
    assert every * step >= len("Q1 2024") * 12 * 0.6 + 6  # each shown label fits in the slots it owns
    assert label_every(["Q1 2024", "Q2 2024"], 132) == 1
    assert label_every(["2024"] * 36, (320 - 56) / 36) == 5
    svg = str(bar_line_chart("t", labels, [Decimal(1)] * 12, [None] * 12))
    assert svg.count(">Q") == 4 + 12  # four shown labels, and every bar's tooltip


def test_timeline_chart_draws_a_band_per_level_held_and_escapes_labels():
    import datetime

    from twinning.core.charts import timeline_chart

    rows = [
        ("<b>Lira</b>", [(datetime.date(2023, 2, 1), 0), (datetime.date(2024, 5, 1), 2)]),
        ("Gulu district", [(datetime.date(2024, 1, 1), 1)]),
    ]
    svg = timeline_chart(
        rows, title="Adopters", steps=["Adapting", "Piloting", "Adopted"], end=datetime.date(2025, 1, 1)
    )
    assert svg.count("<circle") == 3
    assert "&lt;b&gt;Lira&lt;/b&gt;" in svg and "<b>" not in svg
    assert ">2024<" in svg and ">2025<" in svg  # a tick at each 1 January
    assert "Lira&lt;/b&gt;: Adopted (2024-05-01)" in svg
    assert timeline_chart([("Nobody", [])], title="t", steps=["a"], end=datetime.date(2025, 1, 1)) == ""
    bad: list = [("Bad", [(None, 0)])]
    assert timeline_chart(bad, title="t", steps=["a"], end=datetime.date(2025, 1, 1)) == ""


def test_a_long_row_label_wraps_between_words_instead_of_being_cut():
    # A tester saw three Russian rows all read "Мероприятие через 1 …": the words that told them apart were cut.
    from twinning.core.charts import label_lines

    chars = fitting_chars(130 - 8)
    labels = ["Мероприятие через 1 год", "Мероприятие через 3 года", "Мероприятие через 5 лет"]
    for label in labels:
        lines = label_lines(label, chars)
        assert 1 < len(lines) <= 3 and " ".join(lines) == label and all(len(line) <= chars for line in lines)
    svg = str(bar_chart([(label, [Decimal(50)]) for label in labels], title="t"))
    assert "…" not in svg
    for label in labels:  # every word shows, one tspan a line, and the whole label is the tooltip
        assert f"<title>{label}</title>" in svg
        assert "".join(re.findall(r">([^<>]+)</tspan>", svg)).count(label.split()[-1]) >= 1
    # Rows grow to hold their lines: the bars of two wrapped rows do not overlap the next row's label.
    ys = [int(y) for y in re.findall(r'<rect x="130" y="(\d+)"', svg)]
    assert ys == sorted(ys) and min(b - a for a, b in itertools.pairwise(ys)) >= 2 * 14


def test_a_label_longer_than_three_lines_ends_with_an_ellipsis_and_a_short_one_stays_whole():
    from twinning.core.charts import label_lines

    assert label_lines("Uganda", 21) == ["Uganda"]
    lines = label_lines(" ".join(["word"] * 30), 21)
    assert len(lines) == 3 and lines[-1].endswith("…") and all(len(line) <= 21 for line in lines)
    assert label_lines("A" * 40, 21) == ["A" * 20 + "…"]


def _font_sizes(svg: str) -> set[int]:
    return {int(size) for size in re.findall(r'font-size="(\d+)"', svg)}


@pytest.mark.parametrize(
    "svg",
    [
        pytest.param(
            lambda: bar_chart([("Uganda", [Decimal(3)]), ("Kenya", [Decimal(12)])], title="t"), id="bars"
        ),
        pytest.param(
            lambda: bar_chart(
                [("2025", [Decimal(10), Decimal(4)]), ("2026", [Decimal(20), None])],
                title="t",
                series=["In-kind value", "Donor funds"],
            ),
            id="grouped bars",
        ),
        pytest.param(
            lambda: bar_line_chart(
                "t", ["Q1 2024", "Q2 2024", "Q3 2024"], [Decimal(5), None, Decimal(9)], [Decimal(8)] * 3
            ),
            id="bars and line",
        ),
    ],
)
def test_bar_charts_are_drawn_at_a_phones_width_with_12_px_text(svg):
    # On a phone the charts shrank to fit the column, their text to 6-7 px: they are drawn 320 units wide (a
    # unit a pixel, never scaled up), so on a 390 px phone (a column of about 340 px) their text stays 12 px.
    drawn = str(svg())
    assert 'viewBox="0 0 320 ' in drawn and 'width="320"' in drawn
    assert _font_sizes(drawn) == {12}


def test_a_long_target_name_moves_the_key_to_a_second_line():
    one = str(bar_line_chart("t", ["Q1"], [Decimal(1)], [Decimal(2)]))
    two = str(
        bar_line_chart("t", ["Q1"], [Decimal(1)], [Decimal(2)], line_name="The partnerships' own targets")
    )
    height = lambda svg: int(re.search(r'viewBox="0 0 320 (\d+)"', svg).group(1))  # noqa: E731
    assert height(two) == height(one) + 18
    assert not any(float(x) > 320 for x in re.findall(r' x2?="([\d.]+)"', two))
