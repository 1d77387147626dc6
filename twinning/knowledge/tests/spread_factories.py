"""Factories for dissemination records and adoptions (and the practices they hang off), on the shared ones."""

import datetime

import factory
from factory.django import DjangoModelFactory

from twinning.knowledge.models import (
    LEVEL_RANKS,
    Adoption,
    AdoptionLevel,
    DisseminationRecord,
    Level,
    Practice,
    PracticePartnership,
)
from twinning.partnerships.models import Partnership
from twinning.testing.factories import PartnershipFactory


def practice_of(
    partnership: Partnership, status: str = Practice.Status.PROGRAMME, **kwargs: object
) -> Practice:
    """A practice of `partnership` (published in its programme unless `status` says otherwise)."""
    practice = Practice.objects.create(
        programme=partnership.programme,
        title=kwargs.pop("title", "Safer births bundle"),
        summary="What the partnership learned.",
        status=status,
        **kwargs,
    )
    PracticePartnership.objects.create(practice=practice, partnership=partnership)
    return practice


class DisseminationFactory(DjangoModelFactory[DisseminationRecord]):
    class Meta:
        model = DisseminationRecord

    partnership = factory.SubFactory(PartnershipFactory)
    programme = factory.LazyAttribute(lambda o: o.partnership.programme)
    kind = DisseminationRecord.Kind.PRESENTATION
    title = factory.Sequence(lambda n: f"Talk {n}")
    date = datetime.date(2025, 5, 14)
    audience = DisseminationRecord.Audience.FACILITIES
    people_reached = 40
    facilities_reached = 6


class AdoptionFactory(DjangoModelFactory[Adoption]):
    """A country-level adoption at the level given (`level`, reached on `reached_on`)."""

    class Meta:
        model = Adoption
        skip_postgeneration_save = True

    site_kind = Adoption.SiteKind.REGION
    area = factory.Sequence(lambda n: f"Region {n}")
    country = "UG"
    led_by = Adoption.LedBy.PARTNERSHIP

    @factory.post_generation
    def level(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create or extracted is False:
            return
        level = str(extracted or Level.PILOTING)
        AdoptionLevel.objects.create(
            adoption=self,
            level=level,
            rank=LEVEL_RANKS[level],
            reached_on=kwargs.get("reached_on", datetime.date(2025, 1, 10)),  # type: ignore[arg-type]
        )
