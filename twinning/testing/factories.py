"""factory_boy factories shared by every app's tests."""

import factory
from django.conf import settings
from factory.django import DjangoModelFactory

from twinning.accounts.models import PartnershipMembership, ProgrammeRole, User
from twinning.core.choices import Side
from twinning.directory.models import Institution, Person
from twinning.partnerships.models import Partnership, PartnershipInstitution, Programme, Stakeholder


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password("pw")
    # Someone who has used Twinning before, in the language test requests are made in: their first page then
    # records nothing (accounts.middleware), so a page's query count is the same on the first request and later.
    last_language = settings.LANGUAGE_CODE


class ProgrammeFactory(DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    reporting_currency = "USD"


class InstitutionFactory(DjangoModelFactory[Institution]):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Institution {n}")
    type = Institution.Type.HOSPITAL
    country = "UG"
    city = "Kampala"


class PersonFactory(DjangoModelFactory[Person]):
    class Meta:
        model = Person

    full_name = factory.Faker("name")
    institution = factory.SubFactory(InstitutionFactory)


class PartnershipFactory(DjangoModelFactory[Partnership]):
    """A partnership with one host (Uganda) and one resource (UK) institution."""

    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Partnership {n}")

    @factory.post_generation
    def sides(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create or extracted is False:
            return
        PartnershipInstitution.objects.create(
            partnership=self, institution=InstitutionFactory(), side=Side.HOST
        )
        PartnershipInstitution.objects.create(
            partnership=self, institution=InstitutionFactory(country="GB", city="London"), side=Side.RESOURCE
        )


class StakeholderFactory(DjangoModelFactory[Stakeholder]):
    class Meta:
        model = Stakeholder

    partnership = factory.SubFactory(PartnershipFactory)
    kind = Stakeholder.Kind.MINISTRY
    name = "Ministry of Health"


def programme_staff(programme: Programme, role: str = ProgrammeRole.Role.MANAGER, **kwargs: object) -> User:
    user = UserFactory(**kwargs)
    ProgrammeRole.objects.create(user=user, programme=programme, role=role)
    return user


def partnership_member(
    partnership: Partnership,
    role: str = PartnershipMembership.Role.COORDINATOR,
    side: str = Side.HOST,
    **kwargs: object,
) -> User:
    user = UserFactory(**kwargs)
    PartnershipMembership.objects.create(user=user, partnership=partnership, role=role, side=side)
    return user
