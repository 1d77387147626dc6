"""Factories for exchanges and mentoring, built on the shared ones."""

import datetime

import factory
from factory.django import DjangoModelFactory

from twinning.core.choices import Side
from twinning.directory.models import Person
from twinning.exchanges.models import (
    Exchange,
    MentoringPair,
    MentoringSession,
    Participant,
    TraineeGroup,
)
from twinning.partnerships.models import Partnership
from twinning.testing.factories import PartnershipFactory, PersonFactory


def side_person(partnership: Partnership, side: str = Side.HOST, **kwargs: object) -> Person:
    """A person working at the partnership's first institution on `side`."""
    link = partnership.side_links.filter(side=side).select_related("institution").first()
    assert link is not None
    return PersonFactory(institution=link.institution, **kwargs)


class ExchangeFactory(DjangoModelFactory[Exchange]):
    class Meta:
        model = Exchange

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Exchange {n}")
    type = Exchange.Type.SITE_VISIT
    direction = Exchange.Direction.RESOURCE_TO_HOST
    status = Exchange.Status.COMPLETED
    start_date = datetime.date(2025, 3, 3)
    end_date = datetime.date(2025, 3, 7)
    days = factory.LazyAttribute(lambda o: (o.end_date - o.start_date).days + 1)
    place = "Kampala"


class ParticipantFactory(DjangoModelFactory[Participant]):
    class Meta:
        model = Participant

    exchange = factory.SubFactory(ExchangeFactory)
    person = factory.LazyAttribute(lambda o: side_person(o.exchange.partnership, o.side))
    side = Side.RESOURCE
    role = Participant.Role.TRAVELLER


class TraineeGroupFactory(DjangoModelFactory[TraineeGroup]):
    class Meta:
        model = TraineeGroup

    exchange = factory.SubFactory(ExchangeFactory, type=Exchange.Type.TRAINING)
    sex = "female"
    cadre = Person.Cadre.NURSE
    count = 10


class MentoringPairFactory(DjangoModelFactory[MentoringPair]):
    class Meta:
        model = MentoringPair

    partnership = factory.SubFactory(PartnershipFactory)
    mentor = factory.LazyAttribute(lambda o: side_person(o.partnership, Side.RESOURCE))
    mentee = factory.LazyAttribute(lambda o: side_person(o.partnership, Side.HOST))
    mentor_side = Side.RESOURCE
    status = MentoringPair.Status.ACTIVE
    start_date = datetime.date(2025, 1, 1)


class MentoringSessionFactory(DjangoModelFactory[MentoringSession]):
    class Meta:
        model = MentoringSession

    pair = factory.SubFactory(MentoringPairFactory)
    date = datetime.date(2025, 2, 1)
    mode = MentoringSession.Mode.REMOTE
    duration_minutes = 60
