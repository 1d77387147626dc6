"""The programme dashboard's pillar-5 figures are kept per reader under the audit change stamp: a change through the
services shows at once, and a reader never gets figures computed for someone else."""

import datetime

import pytest

from twinning.knowledge.models import DisseminationRecord
from twinning.knowledge.spread import services
from twinning.knowledge.spread.selectors import pillar5_figures, pillar5_figures_cached
from twinning.testing.factories import PartnershipFactory

# Committed transactions, as in production: the stamp is renewed when a change commits.
pytestmark = pytest.mark.django_db(transaction=True)

MAY = datetime.date(2025, 5, 14)


def _record(world, partnership, people):
    return services.dissemination_create(
        actor=world.manager,
        programme=world.programme,
        partnership=partnership,
        kind=DisseminationRecord.Kind.WORKSHOP,
        title="Regional safer-births workshop",
        date=MAY,
        audience=DisseminationRecord.Audience.FACILITIES,
        people_reached=people,
    )


def test_a_dissemination_recorded_through_the_services_shows_in_the_next_figures(world):
    _record(world, world.partnership, 45)
    before = pillar5_figures_cached(user=world.manager, programme=world.programme)
    assert [(r.year, r.people) for r in before.reach] == [(2025, 45)]
    assert pillar5_figures_cached(user=world.manager, programme=world.programme) == before  # read back

    _record(world, world.partnership, 30)
    after = pillar5_figures_cached(user=world.manager, programme=world.programme)
    assert [(r.year, r.records, r.people) for r in after.reach] == [(2025, 2, 75)]


def test_each_reader_gets_the_figures_of_what_they_may_see_whoever_read_first(world):
    _record(world, world.partnership, 45)
    _record(world, PartnershipFactory(programme=world.programme), 1000)  # not the member's partnership
    readers = [world.manager, world.member, world.other_coordinator]
    expected = {r.pk: pillar5_figures(user=r, programme=world.programme) for r in readers}
    for reader in readers + list(reversed(readers)):
        assert pillar5_figures_cached(user=reader, programme=world.programme) == expected[reader.pk]
