"""Helpers that build small matching rounds through the services."""

from typing import Any

from twinning.directory.models import HealthArea, Institution, InstitutionExpertise, InstitutionNeed, Language
from twinning.matching import services
from twinning.matching.models import MatchingRound
from twinning.testing.factories import InstitutionFactory


def area(code: str) -> HealthArea:
    return HealthArea.objects.get(code=code)


def institution(
    name: str,
    *,
    country: str = "UG",
    languages: tuple[str, ...] = ("en",),
    needs: dict[str, tuple[int, str]] | None = None,
    expertise: dict[str, tuple[int, str]] | None = None,
    time_zone: str = "Africa/Kampala",
    type: str = "hospital",
    capacity: int = 1,
) -> Institution:
    inst = InstitutionFactory(name=name, country=country, time_zone=time_zone, type=type, capacity=capacity)
    inst.languages.set(Language.objects.filter(code__in=languages))
    for code, (priority, text) in (needs or {}).items():
        InstitutionNeed.objects.create(institution=inst, area=area(code), priority=priority, description=text)
    for code, (depth, text) in (expertise or {}).items():
        InstitutionExpertise.objects.create(institution=inst, area=area(code), depth=depth, description=text)
    return inst


def small_round(actor: Any, programme: Any, **kwargs: Any) -> tuple[MatchingRound, dict[str, Any]]:
    """Two hosts, three resources; the obvious twins are Gulu-Leeds and Mbarara-Lyon (a French speaker...)."""
    round = services.round_create(actor=actor, programme=programme, name="Round 1", **kwargs)
    gulu = institution(
        "Gulu Hospital",
        needs={"maternal-newborn": (3, "neonatal resuscitation and obstetric emergencies")},
    )
    mbarara = institution(
        "Mbarara Hospital",
        languages=("en", "fr"),
        needs={"laboratory": (3, "microbiology laboratory quality and culture testing")},
    )
    leeds = institution(
        "Leeds Teaching Hospitals",
        country="GB",
        time_zone="Europe/London",
        capacity=2,
        expertise={"maternal-newborn": (3, "obstetric emergencies and neonatal resuscitation courses")},
    )
    lyon = institution(
        "Hospices de Lyon",
        country="FR",
        languages=("fr",),
        time_zone="Europe/Paris",
        expertise={"laboratory": (3, "microbiology laboratory accreditation and culture testing")},
    )
    quebec = institution(
        "CHU de Québec",
        country="CA",
        languages=("fr",),
        time_zone="America/Toronto",
        expertise={"laboratory": (2, "laboratory information systems")},
    )
    apps = {}
    for key, inst, side in (
        ("gulu", gulu, "host"),
        ("mbarara", mbarara, "host"),
        ("leeds", leeds, "resource"),
        ("lyon", lyon, "resource"),
        ("quebec", quebec, "resource"),
    ):
        apps[key] = services.applicant_add(actor=actor, round=round, institution=inst, side=side)
    return round, apps
