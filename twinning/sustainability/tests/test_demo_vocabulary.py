"""The sustainability demo's fixed vocabulary (items handed over, roles, funding lines, milestones) fits each
partnership and reads in the reader's language, as the shipped vocabularies do (a tester's finding, issue 13)."""

import pytest
from django.urls import reverse
from django.utils import translation

from twinning.sustainability import demo
from twinning.sustainability import transition_services as services

LANGUAGES = ("fr", "es", "ru", "pt")


def _vocabulary() -> list[str]:
    words = [demo.QUALITY_UNIT, demo.HOST_COORDINATOR_ROLE, *demo.FUNDING_DETAIL.values()]
    words += [title for title, _days in demo.MILESTONES]
    for graduate in demo.EARLIER_GRADUATES:
        words += [text for title, role, _funder in graduate.items for text in (title, role)]
    return words


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_demo_name_has_a_translation(language):
    with translation.override(language):
        untranslated = [word for word in _vocabulary() if translation.gettext(word) == word]
    assert untranslated == []


def test_each_earlier_graduate_hands_over_its_own_work():
    by_title = {g.title: {title for title, _role, _funder in g.items} for g in demo.EARLIER_GRADUATES}
    newborn = by_title["Tamale–Oslo Newborn Care Partnership"]
    surgical = by_title["Mbale–Edinburgh Surgical Skills Partnership"]
    assert not newborn & surgical
    assert not any("surg" in title.lower() for title in newborn)
    assert {g.comment for g in demo.EARLIER_GRADUATES}.__len__() == len(demo.EARLIER_GRADUATES)


@pytest.mark.django_db
def test_a_demo_item_reads_in_the_readers_language_and_a_typed_one_as_written(client, world):
    plan = services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    services.transition_item_add(
        actor=world.coordinator,
        plan=plan,
        kind="role",
        title=demo.HOST_COORDINATOR_ROLE,
        owner_role=demo.QUALITY_UNIT,
        funding_source="host_budget",
        funding_detail=demo.FUNDING_DETAIL["host_budget"],
    )
    services.transition_item_add(
        actor=world.coordinator,
        plan=plan,
        kind="role",
        title="Our own wording",
        owner_role="Our unit",
        funding_source="host_budget",
    )
    client.force_login(world.coordinator)
    client.post("/i18n/setlang/", {"language": "fr"})
    page = client.get(reverse("sustainability:transition", args=[world.partnership.uuid])).content.decode()
    with translation.override("fr"):
        for word in (demo.HOST_COORDINATOR_ROLE, demo.QUALITY_UNIT, demo.FUNDING_DETAIL["host_budget"]):
            assert translation.gettext(word).replace("'", "&#x27;") in page
    assert "Our own wording" in page
