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
    # host and resource in different sections: each side's overall is its section's.
    assert scores.score_round(computed.overall.gap) == half_up(host_exact - resource_exact)


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
