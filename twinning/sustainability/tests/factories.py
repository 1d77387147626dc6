"""Factories for assessment instruments and rounds, built on the shared ones."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from twinning.accounts.models import User
from twinning.sustainability.models import (
    Answer,
    AssessmentRound,
    Instrument,
    InstrumentVersion,
    Item,
    Response,
    Section,
)
from twinning.testing.factories import PartnershipFactory


class InstrumentFactory(DjangoModelFactory[Instrument]):
    class Meta:
        model = Instrument

    programme = None
    code = factory.Sequence(lambda n: f"instrument-{n}")
    name = factory.Sequence(lambda n: f"Instrument {n}")
    kind = Instrument.Kind.OTHER


class VersionFactory(DjangoModelFactory[InstrumentVersion]):
    class Meta:
        model = InstrumentVersion

    instrument = factory.SubFactory(InstrumentFactory)
    number = 1


class SectionFactory(DjangoModelFactory[Section]):
    class Meta:
        model = Section

    version = factory.SubFactory(VersionFactory)
    code = factory.Sequence(lambda n: f"section-{n}")
    title = factory.Sequence(lambda n: f"Section {n}")


class ItemFactory(DjangoModelFactory[Item]):
    class Meta:
        model = Item

    section = factory.SubFactory(SectionFactory)
    code = factory.Sequence(lambda n: f"item-{n}")
    statement = factory.Sequence(lambda n: f"Statement {n}")
    scale_min = 1
    scale_max = 5
    allows_not_applicable = True


def small_version(sections: int = 2, items: int = 2, low: int = 1, high: int = 5) -> InstrumentVersion:
    """A version of a new instrument with `sections` sections of `items` items each on a `low`-`high` scale."""
    version = VersionFactory()
    for s in range(sections):
        section = SectionFactory(version=version, order=s)
        for i in range(items):
            ItemFactory(section=section, order=i, scale_min=low, scale_max=high)
    return version


class RoundFactory(DjangoModelFactory[AssessmentRound]):
    class Meta:
        model = AssessmentRound

    partnership = factory.SubFactory(PartnershipFactory)
    instrument_version = factory.LazyFunction(small_version)
    title = factory.Sequence(lambda n: f"Round {n}")
    due_date = datetime.date(2026, 12, 31)


def sheet(
    assessment_round: AssessmentRound,
    respondent: User,
    side: str,
    values: dict[int, int | None],
    *,
    submitted: bool = True,
) -> Response:
    """An answer sheet with the given points per item id (None: not applicable), written directly."""
    response = Response.objects.create(
        round=assessment_round,
        respondent=respondent,
        side=side,
        submitted_at=timezone.now() if submitted else None,
    )
    Answer.objects.bulk_create(
        Answer(response=response, item_id=item_id, value=value, not_applicable=value is None)
        for item_id, value in values.items()
    )
    return response


def submit_sides(assessment_round: AssessmentRound, *sides: str) -> None:
    """Mark the sides as submitted, directly."""
    now = timezone.now()
    for side in sides:
        setattr(assessment_round, f"{side}_submitted_at", now)
    assessment_round.save()
