"""Test data for the DHIS2 tests: the monitoring fixture's agreed plan, mapped to DHIS2 identifiers."""

from dataclasses import dataclass
from typing import Any

from twinning.monitoring import services
from twinning.monitoring.models import PeriodReport
from twinning.monitoring.tests.factories import Monitored, monitored
from twinning.planning.models import DisaggregationOption

HW1 = "f7n9E0hX8qk"  # the data element of DHIS2's own example files
MDA = "Ix2HsbDMLea"
PROT = "eY5ehpbEsB7"
STORY = "sToryDE0001"
FEMALE = "fEmaleCoc01"
MALE = "mAleCoc0001"
ORG_UNIT = "DiszpKrYNg8"
AOC = "aOcPartner1"


@dataclass
class Mapped:
    m: Monitored
    female: DisaggregationOption
    male: DisaggregationOption


def mapped(world: Any) -> Mapped:
    """world.partnership's agreed 2024-2026 plan (monitoring's fixture) with every object given a DHIS2 id."""
    m = monitored(world)
    for adoption, uid in ((m.trained, HW1), (m.deaths, MDA), (m.protocol, PROT), (m.story, STORY)):
        indicator = adoption.indicator
        indicator.dhis2_data_element = uid
        indicator.dhis2_data_element_code = f"DE_{indicator.code}"
        indicator.save()
    female = m.sex.options.get(code="female")
    male = m.sex.options.get(code="male")
    DisaggregationOption.objects.filter(pk=female.pk).update(dhis2_category_option_combo=FEMALE)
    DisaggregationOption.objects.filter(pk=male.pk).update(dhis2_category_option_combo=MALE)
    host = world.partnership.side_links.get(side="host").institution
    host.dhis2_org_unit = ORG_UNIT
    host.save()
    world.partnership.dhis2_attribute_option_combo = AOC
    world.partnership.save()
    return Mapped(m, m.sex.options.get(pk=female.pk), m.sex.options.get(pk=male.pk))


def enter(world: Any, x: Mapped) -> None:
    """Values of 2024Q1 and 2024Q2 (HW1 overall and by sex, MDA, and the 2024 yes/no and story)."""
    for period, total in (("2024Q1", "11"), ("2024Q2", "8")):
        services.result_save(
            actor=world.member, plan_indicator=x.m.trained, period=period, values={"value": total}
        )
        services.result_save(
            actor=world.member,
            plan_indicator=x.m.trained,
            period=period,
            option=x.female,
            values={"value": "4"},
        )
        services.result_save(
            actor=world.member,
            plan_indicator=x.m.deaths,
            period=period,
            values={"numerator": "3", "denominator": "4"},
        )
    services.result_save(
        actor=world.member,
        plan_indicator=x.m.protocol,
        period="2024",
        values={"value": "1"},
        comment="Signed",
    )
    services.result_save(
        actor=world.member,
        plan_indicator=x.m.story,
        period="2024",
        values={
            "text": "Midwives lead <drills> & more",
            "score": "4",
        },  # DHIS2 carries the text, not the score
    )


def approve(world: Any, period: str) -> None:
    PeriodReport.objects.filter(partnership=world.partnership, period=period).update(
        status=PeriodReport.Status.APPROVED
    )
