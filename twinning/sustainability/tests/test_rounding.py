"""One rounding rule for scores and gaps (scores.score_round: half-up, Decimal, one decimal), the same on every
page, download, report and the API, and no combined score before both sides have submitted."""

import csv
import io
from decimal import Decimal
from fractions import Fraction

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from twinning.accounts.models import PartnershipMembership
from twinning.core.choices import Side
from twinning.sustainability import scores, selectors
from twinning.sustainability.graduation import format_number
from twinning.sustainability.templatetags.sustainability import score
from twinning.sustainability.tests.factories import RoundFactory, sheet, small_version, submit_sides
from twinning.testing.factories import partnership_member


def half_up(value: Fraction, places: int = 1) -> Decimal:
    """Rounding written out independently: exact fractions, halves away from zero."""
    scale = 10**places
    scaled = abs(value) * scale
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = -1 if value < 0 else 1
    return Decimal(sign * whole) / scale


def test_halves_round_up_and_negative_gaps_away_from_zero():
    assert scores.score_round(66.25) == Decimal("66.3")
    assert scores.score_round(66.15) == Decimal("66.2")
    assert scores.score_round(-66.25) == Decimal("-66.3")
    assert scores.score_round(66.24999999999999) == Decimal("66.3")  # float noise of an exact 66.25
    assert scores.score_round(66.2) == Decimal("66.2")
    assert scores.score_round(None) is None
    assert scores.score_round(Decimal("72.45")) == Decimal("72.5")


@given(
    points=st.lists(
        st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=6), min_size=1, max_size=6
    ),
    other=st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=6),
)
def test_a_score_rounds_as_the_exact_computation_does(points, other):
    """A side's score computed in floating point (scores.compute, as every page does) and rounded by
    score_round equals the exact mean of the same answers rounded half-up; the gap too."""
    rows = [
        scores.ItemTotals(item, 1, Side.HOST, sum(sheets), len(sheets), 1, 5)
        for item, sheets in enumerate(points)
    ] + [scores.ItemTotals(100, 2, Side.RESOURCE, sum(other), len(other), 1, 7)]
    computed = scores.compute(rows)
    host_items = [(Fraction(sum(s), len(s)) - 1) * 100 / 4 for s in points]
    host_exact = sum(host_items, Fraction(0)) / len(host_items)
    resource_exact = (Fraction(sum(other), len(other)) - 1) * 100 / 6
    assert scores.score_round(computed.sections[1].host) == half_up(host_exact)
    assert scores.score_round(computed.overall.resource) == half_up(resource_exact)
    assert scores.score_round(computed.items[100].resource) == half_up(resource_exact)
    # host and resource in different sections: each side's overall is its section's, but they scored no statement
    # in common, so there is no gap (a gap compares the same statements).
    assert computed.overall.gap is None and computed.overall.partial_gap
    # The same statement scored by both: the gap is the difference of the two shown scores.
    both = scores.compute(
        [scores.ItemTotals(100, 2, Side.HOST, sum(points[0]), len(points[0]), 1, 7), rows[-1]]
    )
    host_on_7 = (Fraction(sum(points[0]), len(points[0])) - 1) * 100 / 6
    assert scores.score_round(both.overall.gap) == half_up(host_on_7) - half_up(resource_exact)
    assert not both.overall.partial_gap


def test_the_template_filter_and_the_graduation_summary_use_the_same_rule():
    with translation.override("en"):
        assert score(66.25) == "66.3"
        assert score(None) == ""
        assert format_number(Decimal("66.25")) == "66.3"
    with translation.override("fr"):
        assert score(66.25) == "66,3"


def _round_at_66_25(world):
    """A completed round whose host side's overall score is exactly 66.25: four items on 1-5, five host sheets
    whose twenty points add up to 73 ((73 / 5 x 5 - 100) / 4 = 66.25); the resource side gives 3 everywhere
    (50, so the gap is 16.25)."""
    version = small_version(sections=1, items=4)
    items = [i.pk for s in version.sections.all() for i in s.items.all()]
    assessment_round = RoundFactory(partnership=world.partnership, instrument_version=version)
    values = iter([4] * 13 + [3] * 7)
    for n in range(5):
        person = (
            world.coordinator
            if n == 0
            else partnership_member(world.partnership, PartnershipMembership.Role.MEMBER, side=Side.HOST)
        )
        sheet(assessment_round, person, Side.HOST, {item: next(values) for item in items})
    sheet(assessment_round, world.resource_coordinator, Side.RESOURCE, dict.fromkeys(items, 3))
    submit_sides(assessment_round, Side.HOST, Side.RESOURCE)
    return assessment_round


@pytest.mark.django_db
def test_the_page_its_download_and_the_api_show_66_25_as_66_3(client, world):
    assessment_round = _round_at_66_25(world)
    result = selectors.round_scores(assessment_round=assessment_round)
    assert result.overall.host == pytest.approx(66.25)
    client.force_login(world.manager)
    url = reverse("sustainability:round", args=[assessment_round.uuid])
    html = client.get(url).content.decode()
    assert "66.3" in html and "66.2<" not in html
    assert "16.3" in html  # the gap, 16.25
    download = client.get(url, {"format": "csv", "table": "results"})
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert any("66.3" in row for row in rows) and not any("66.2" in row for row in rows)
    api = Client()
    api.force_login(world.manager)
    body = api.get(f"/api/v1/sustainability/rounds/{assessment_round.uuid}").json()
    assert body["overall"]["host"] == 66.3
    assert body["overall"]["gap"] == 16.3


@pytest.mark.django_db
def test_the_partnership_trend_shows_66_25_as_66_3(client, world):
    _round_at_66_25(world)
    client.force_login(world.manager)
    html = client.get(reverse("sustainability:partnership", args=[world.partnership.uuid])).content.decode()
    assert "66.3" in html and "66.2<" not in html and "66.25" not in html


@pytest.mark.django_db
def test_no_combined_score_before_both_sides_have_submitted(client, world):
    version = small_version(sections=1, items=2)
    items = [i.pk for s in version.sections.all() for i in s.items.all()]
    assessment_round = RoundFactory(partnership=world.partnership, instrument_version=version)
    sheet(assessment_round, world.coordinator, Side.HOST, dict.fromkeys(items, 4))
    submit_sides(assessment_round, Side.HOST)
    from twinning.accounts.access import partnership_access

    own = selectors.round_scores(
        assessment_round=assessment_round, access=partnership_access(world.coordinator, world.partnership)
    )
    assert own.overall.host == 75
    assert own.overall.combined is None
    assert all(line.scored.combined is None for line in own.sections)
    assert all(i.scored.combined is None for line in own.sections for i in line.items)
    client.force_login(world.coordinator)
    url = reverse("sustainability:round", args=[assessment_round.uuid])
    html = client.get(url).content.decode()
    assert "75.0" in html and "Combined" not in html
    api = Client()
    api.force_login(world.coordinator)
    body = api.get(f"/api/v1/sustainability/rounds/{assessment_round.uuid}").json()
    assert body["overall"]["host"] == 75 and body["overall"]["combined"] is None
    sheet(assessment_round, world.resource_coordinator, Side.RESOURCE, dict.fromkeys(items, 2))
    submit_sides(assessment_round, Side.HOST, Side.RESOURCE)
    html = client.get(url).content.decode()
    assert "Combined" in html and "50.0" in html


finite_score = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)


@given(host=finite_score, resource=finite_score)
@translation.override("en")
def test_the_shown_gap_is_the_difference_of_the_shown_scores(host, resource):
    """Whatever the two scores, the gap a reader sees equals the host score they see minus the resource score
    they see, on the pages (the template filter), in the API and downloads (score_round)."""
    scored = scores.Scored(host, resource)
    shown_host, shown_resource = Decimal(score(host)), Decimal(score(resource))
    assert scores.score_round(scored.gap) == shown_host - shown_resource
    assert scores.score_round(host) == shown_host and scores.score_round(resource) == shown_resource
    assert Decimal(score(scored.gap)) == shown_host - shown_resource
    assert scored.is_large_gap == (abs(shown_host - shown_resource) >= Decimal(scores.LARGE_GAP))


def test_scores_of_63_44_and_66_86_show_a_gap_of_minus_3_5():
    """The tester's case: scores of 63.44 and 66.86 show as 63.4 and 66.9, so the gap shows -3.5 (their
    difference), not -3.4 (the raw difference -3.42 rounded)."""
    assert scores.score_round(scores.Scored(63.44, 66.86).gap) == Decimal("-3.5")
    assert scores.score_round(scores.Scored(66.86, 63.44).gap) == Decimal("3.5")


@pytest.mark.django_db
def test_the_trend_table_and_the_api_show_the_gap_of_the_shown_scores(client, world):
    """Host 63.3 (raw 63.33: three sheets on 0-10 giving 6, 6, 7) and resource 66.7 (raw 66.67: 7, 7, 6): the
    trend table and the round's API show a gap of -3.4 (their difference), not -3.3 (the raw gap rounded)."""
    version = small_version(sections=1, items=1, low=0, high=10)
    item = version.sections.get().items.get()
    assessment_round = RoundFactory(partnership=world.partnership, instrument_version=version)
    for side, coordinator, points in (
        (Side.HOST, world.coordinator, [6, 6, 7]),
        (Side.RESOURCE, world.resource_coordinator, [7, 7, 6]),
    ):
        for n, value in enumerate(points):
            person = (
                coordinator
                if n == 0
                else partnership_member(world.partnership, PartnershipMembership.Role.MEMBER, side=side)
            )
            sheet(assessment_round, person, side, {item.pk: value})
    submit_sides(assessment_round, Side.HOST, Side.RESOURCE)
    client.force_login(world.manager)
    url = reverse("sustainability:partnership", args=[world.partnership.uuid])
    download = client.get(url, {"format": "csv", "table": "trend-1"})
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Round", "Version", "Due"]
    assert rows[1][3:] == ["63.3", "66.7", "65", "-3.4"], rows
    html = client.get(reverse("sustainability:round", args=[assessment_round.uuid])).content.decode()
    assert "-3.4<" in html and "-3.3<" not in html
    body = client.get(f"/api/v1/sustainability/rounds/{assessment_round.uuid}").json()
    assert (body["overall"]["host"], body["overall"]["resource"], body["overall"]["gap"]) == (
        63.3,
        66.7,
        -3.4,
    )
