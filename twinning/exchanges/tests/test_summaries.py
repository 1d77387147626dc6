"""Summaries checked against an independent count made in Python from the rows, and their query counts."""

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from twinning.core.choices import Side
from twinning.directory.models import Person
from twinning.exchanges.models import Exchange, Participant, TraineeGroup
from twinning.exchanges.selectors import exchange_summary, training_cascade
from twinning.exchanges.tests.factories import (
    ExchangeFactory,
    MentoringPairFactory,
    MentoringSessionFactory,
    ParticipantFactory,
    TraineeGroupFactory,
    side_person,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def build(world, n: int = 3) -> None:
    """n exchanges each way, trainings with repeat trainees, a cancelled one that must not count."""
    p = world.partnership
    nurses = [side_person(p, Side.HOST, cadre=Person.Cadre.NURSE) for _ in range(3)]
    for i in range(n):
        out = ExchangeFactory(partnership=p, start_date=D(2025, 1, 10 + i), end_date=D(2025, 1, 14 + i))
        ParticipantFactory(exchange=out, side=Side.RESOURCE)
        ParticipantFactory(exchange=out, side=Side.RESOURCE)
        back = ExchangeFactory(
            partnership=p,
            direction=Exchange.Direction.HOST_TO_RESOURCE,
            start_date=D(2025, 6, 1),
            end_date=D(2025, 6, 21),
        )
        ParticipantFactory(exchange=back, side=Side.HOST)
        training = ExchangeFactory(
            partnership=p,
            type=Exchange.Type.TRAINING,
            start_date=D(2025, 2, 1 + i),
            end_date=D(2025, 2, 3 + i),
        )
        # The same three nurses attend every training: they are three people trained, not 3n.
        for j, nurse in enumerate(nurses):
            Participant.objects.create(
                exchange=training, person=nurse, side=Side.HOST, role="trainee", sex="female" if j else "male"
            )
        TraineeGroupFactory(exchange=training, sex="female", cadre=Person.Cadre.MIDWIFE, count=7)
    cancelled = ExchangeFactory(partnership=p, status=Exchange.Status.CANCELLED)
    ParticipantFactory(exchange=cancelled, side=Side.RESOURCE)
    ExchangeFactory(partnership=p, status=Exchange.Status.PLANNED)
    pair = MentoringPairFactory(partnership=p)
    MentoringSessionFactory(pair=pair, duration_minutes=45)
    MentoringSessionFactory(pair=pair, duration_minutes=30, mode="in_person")


def by_hand(partnership):
    """The same figures computed row by row in Python, independently of the aggregate queries."""
    completed = [e for e in Exchange.objects.filter(partnership=partnership) if e.status == "completed"]
    person_days: Counter = Counter()
    for e in completed:
        days = (e.end_date - e.start_date).days + 1
        person_days[e.direction] += days * Participant.objects.filter(exchange=e).count()
    named = {}
    for row in Participant.objects.filter(exchange__in=completed, role="trainee").select_related("person"):
        named[row.person_id] = (row.person.cadre, row.sex)
    cells: Counter = Counter(named.values())
    for g in TraineeGroup.objects.filter(exchange__in=completed):
        cells[(g.cadre, g.sex)] += g.count
    return person_days, cells


def test_summary_matches_an_independent_count(world):
    build(world)
    summary = exchange_summary(partnership=world.partnership)
    person_days, cells = by_hand(world.partnership)
    assert {r.direction: r.person_days for r in summary.directions if r.person_days} == dict(person_days)
    assert {(c.cadre, s): n for c in summary.trained for s, n in c.by_sex.items()} == dict(cells)
    assert summary.total_trained == sum(cells.values()) == 3 + 3 * 7
    assert summary.named_trained == 3
    rows = {r.direction: r for r in summary.directions}
    assert rows["resource_to_host"].completed == 6  # three visits and three trainings
    assert rows["resource_to_host"].planned == 1
    assert rows["host_to_resource"].person_days == 3 * 21
    assert summary.mentoring_minutes == 75 and summary.mentoring_sessions == 2


def test_programme_summary_covers_its_partnerships_only(world):
    build(world)
    ExchangeFactory(partnership=world.other_partnership)
    summary = exchange_summary(programme=world.programme)
    assert summary.total_exchanges == 9
    assert [row["partnership"] for row in summary.by_partnership] == [world.partnership]
    assert summary.by_partnership[0]["trained"] == 24


def test_summary_query_count_does_not_grow_with_rows(world, django_assert_num_queries):
    build(world, n=1)
    with CaptureQueriesContext(connection) as small:
        exchange_summary(programme=world.programme)
    build(world, n=4)
    with CaptureQueriesContext(connection) as large:
        exchange_summary(programme=world.programme)
    assert len(large) == len(small)


def test_cascade_shows_trainees_who_trained_others(world):
    p = world.partnership
    trainer = side_person(p, Side.RESOURCE, full_name="Ann Trainer")
    tot = side_person(p, Side.HOST, full_name="Ben Trainee")
    third = side_person(p, Side.HOST, full_name="Cai Third")
    first = ExchangeFactory(partnership=p, type="training", start_date=D(2025, 1, 1), end_date=D(2025, 1, 2))
    Participant.objects.create(exchange=first, person=trainer, side=Side.RESOURCE, role="trainer")
    Participant.objects.create(exchange=first, person=tot, side=Side.HOST, role="trainee")
    second = ExchangeFactory(partnership=p, type="training", start_date=D(2025, 5, 1), end_date=D(2025, 5, 1))
    Participant.objects.create(exchange=second, person=tot, side=Side.HOST, role="trainer")
    Participant.objects.create(exchange=second, person=third, side=Side.HOST, role="trainee")
    TraineeGroupFactory(exchange=second, count=12)
    # Before Ben was trained he trained nobody: an earlier training he gave is not part of this cascade.
    with CaptureQueriesContext(connection) as queries:
        roots = training_cascade(p)
    assert len(queries) == 2
    assert [r.person for r in roots] == [trainer]
    ben = roots[0].children[0]
    assert ben.person == tot and ben.exchange == first
    assert [c.person for c in ben.children] == [third]
    assert ben.unnamed == 12
    assert roots[0].size == 1 + 1 + 12
    assert exchange_summary(partnership=p).trainers_from_trainees == 1


def test_cascade_survives_a_loop_in_the_data(world):
    p = world.partnership
    a, b = side_person(p, Side.HOST), side_person(p, Side.HOST)
    root = side_person(p, Side.RESOURCE)
    e1 = ExchangeFactory(partnership=p, type="training", start_date=D(2025, 1, 1), end_date=D(2025, 1, 1))
    Participant.objects.create(exchange=e1, person=root, side=Side.RESOURCE, role="trainer")
    Participant.objects.create(exchange=e1, person=a, side=Side.HOST, role="trainee")
    e2 = ExchangeFactory(partnership=p, type="training", start_date=D(2025, 2, 1), end_date=D(2025, 2, 1))
    Participant.objects.create(exchange=e2, person=a, side=Side.HOST, role="trainer")
    Participant.objects.create(exchange=e2, person=b, side=Side.HOST, role="trainee")
    e3 = ExchangeFactory(partnership=p, type="training", start_date=D(2025, 3, 1), end_date=D(2025, 3, 1))
    Participant.objects.create(exchange=e3, person=b, side=Side.HOST, role="trainer")
    Participant.objects.create(exchange=e3, person=root, side=Side.RESOURCE, role="trainee")
    roots = training_cascade(p)
    assert len(roots) == 1
    assert roots[0].size == 2  # a, then b; root is not repeated under b
