"""What the selectors give each reader of a round: nothing of a side's answers before both sides submit."""

import pytest
from django.http import Http404

from twinning.accounts.access import partnership_access
from twinning.core.choices import Side
from twinning.sustainability import selectors
from twinning.sustainability.models import Instrument
from twinning.sustainability.tests.factories import RoundFactory, sheet, submit_sides

pytestmark = pytest.mark.django_db


def test_the_three_instruments_are_shipped_with_their_sections():
    shipped = {i.kind: i for i in Instrument.objects.filter(programme__isnull=True)}
    sections = {kind: selectors.current_version(i).sections.count() for kind, i in shipped.items()}
    assert sections == {"health_check": 10, "sustainability": 8, "readiness": 4}
    health = selectors.current_version(shipped["health_check"])
    assert sum(s.items.count() for s in health.sections.all()) == 40
    assert "respectful" in [s.code for s in health.sections.all()]


@pytest.fixture
def half_done(world):
    """A round on the world's partnership in which only the host side has answered and submitted."""
    assessment_round = RoundFactory(partnership=world.partnership)
    items = [i for s in assessment_round.instrument_version.sections.all() for i in s.items.all()]
    sheet(assessment_round, world.coordinator, Side.HOST, {i.pk: 5 for i in items})
    submit_sides(assessment_round, Side.HOST)
    return assessment_round


def test_before_both_submit_a_side_sees_only_its_own_scores(world, half_done):
    own = selectors.round_scores(
        assessment_round=half_done, access=partnership_access(world.coordinator, world.partnership)
    )
    assert own.overall.host == 100 and own.overall.resource is None
    other = selectors.round_scores(
        assessment_round=half_done, access=partnership_access(world.resource_coordinator, world.partnership)
    )
    assert other.visible_sides == frozenset({Side.RESOURCE})
    assert other.overall.host is None
    assert all(line.scored.host is None for s in other.sections for line in s.items)


@pytest.mark.parametrize("who", ["manager", "programme_viewer", "admin"])
def test_before_both_submit_the_programme_sees_no_scores(world, half_done, who):
    user = getattr(world, who)
    result = selectors.round_scores(
        assessment_round=half_done, access=partnership_access(user, world.partnership)
    )
    assert result.visible_sides == frozenset()
    assert result.overall.host is None
    assert selectors.round_scores(assessment_round=half_done).overall.host is None


def test_after_both_submit_every_reader_sees_both_and_the_gap(world, half_done):
    items = [i for s in half_done.instrument_version.sections.all() for i in s.items.all()]
    sheet(half_done, world.resource_coordinator, Side.RESOURCE, {i.pk: 3 for i in items})
    submit_sides(half_done, Side.RESOURCE)
    result = selectors.round_scores(
        assessment_round=half_done, access=partnership_access(world.partnership_viewer, world.partnership)
    )
    assert result.overall.host == 100 and result.overall.resource == 50
    assert result.overall.gap == 50 and result.overall.combined == 75
    assert len(result.large_gaps) == len(items)


def test_latest_round_scores_count_only_completed_rounds(world, half_done):
    half_done.instrument_version.instrument.kind = Instrument.Kind.READINESS
    half_done.instrument_version.instrument.save()
    assert selectors.latest_round_scores(partnership=world.partnership, kind="readiness") is None
    submit_sides(half_done, Side.RESOURCE)
    latest = selectors.latest_round_scores(partnership=world.partnership, kind="readiness")
    assert latest is not None and latest.round == half_done


def test_outsiders_see_no_round(world, half_done):
    assert not selectors.round_list(user=world.outsider).exists()
    assert selectors.round_list(user=world.member).get() == half_done
    with pytest.raises(Http404):
        selectors.get_round_for_user(world.other_coordinator, half_done.uuid)


def test_rounds_waiting_counts_every_round_a_side_has_not_submitted_whatever_its_instrument(world):
    """ "Rounds waiting" on the programme view: every round of the partnership that at least one side has not
    submitted, before its due date or overdue, of any instrument (not only health checks and readiness)."""
    import datetime

    from twinning.sustainability.tests.factories import small_version

    def round_of(kind, due, *sides):
        version = small_version(sections=1, items=1)
        version.instrument.kind = kind
        version.instrument.save()
        found = RoundFactory(partnership=world.partnership, instrument_version=version, due_date=due)
        submit_sides(found, *sides)
        return found

    past, future = datetime.date(2020, 1, 31), datetime.date(2099, 1, 31)
    round_of(Instrument.Kind.HEALTH_CHECK, future)  # neither side yet, before its due date
    round_of(Instrument.Kind.SUSTAINABILITY, past, Side.HOST)  # overdue, the resource side missing
    round_of(Instrument.Kind.OTHER, future, Side.RESOURCE)  # a programme's own instrument
    round_of(Instrument.Kind.READINESS, past, Side.HOST, Side.RESOURCE)  # complete: not waiting
    round_of(Instrument.Kind.SUSTAINABILITY, past, Side.HOST, Side.RESOURCE)  # complete: not waiting
    rows = selectors.programme_sustainability(
        programme_id=world.programme.pk, partnerships=world.programme.partnerships.all()
    )
    assert [r.waiting for r in rows if r.partnership == world.partnership] == [3]
