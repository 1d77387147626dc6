"""Two people change different fields of the same record at about the same time, without sending a version:
each change keeps the other's (issue 10, finding 3: only the fields sent are applied, to the row as it is
under the lock, and anything derived is derived from that row, never from the copy read before)."""

import pytest

from twinning.knowledge import services
from twinning.knowledge.models import Adoption, DisseminationRecord, Practice
from twinning.knowledge.spread import services as spread_services
from twinning.knowledge.tests.spread_factories import AdoptionFactory, DisseminationFactory, practice_of
from twinning.knowledge.tests.test_spread_api import api

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/api/v1/knowledge"


def _two_patches(world, url, first, second):
    one, other = api(world.member), api(world.coordinator)
    assert one.patch(url, first, content_type="application/json").status_code == 200
    response = other.patch(url, second, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_two_practice_patches_without_version_keep_each_others_field(world):
    practice = practice_of(world.partnership, status=Practice.Status.DRAFT)
    body = _two_patches(
        world, f"{URL}/practices/{practice.uuid}", {"title": "New title"}, {"summary": "New summary"}
    )
    assert (body["title"], body["summary"]) == ("New title", "New summary")


def test_two_dissemination_patches_without_version_keep_each_others_field(world):
    record = DisseminationFactory(partnership=world.partnership)
    body = _two_patches(
        world, f"{URL}/dissemination/{record.uuid}", {"title": "Renamed"}, {"people_reached": 321}
    )
    assert (body["title"], body["people_reached"]) == ("Renamed", 321)


def test_two_adoption_patches_without_version_keep_each_others_field(world):
    adoption = AdoptionFactory(practice=practice_of(world.partnership))
    body = _two_patches(
        world,
        f"{URL}/adoptions/{adoption.uuid}",
        {"led_by": "other", "led_by_other": "The regional health office"},
        {"notes": "Scaled up in 2025."},
    )
    assert (body["led_by"], body["led_by_other"], body["notes"]) == (
        "other",
        "The regional health office",
        "Scaled up in 2025.",
    )


# The services, given a copy read before someone else saved: what they derive comes from the saved row.


def test_an_adoption_update_from_a_stale_copy_keeps_who_led_it(world):
    adoption = AdoptionFactory(practice=practice_of(world.partnership))
    stale = Adoption.objects.get(pk=adoption.pk)
    spread_services.adoption_update(
        actor=world.coordinator,
        adoption=Adoption.objects.get(pk=adoption.pk),
        data={"led_by": "other", "led_by_other": "The regional health office"},
    )
    spread_services.adoption_update(actor=world.member, adoption=stale, data={"notes": "Scaled up."})
    saved = Adoption.objects.get(pk=adoption.pk)
    assert (saved.led_by, saved.led_by_other, saved.notes) == (
        "other",
        "The regional health office",
        "Scaled up.",
    )


def test_a_practice_update_from_a_stale_copy_keeps_the_other_field(world):
    practice = practice_of(world.partnership, status=Practice.Status.DRAFT)
    stale = Practice.objects.get(pk=practice.pk)
    services.practice_update(
        actor=world.coordinator, practice=Practice.objects.get(pk=practice.pk), data={"title": "New title"}
    )
    services.practice_update(actor=world.member, practice=stale, data={"summary": "New summary"})
    saved = Practice.objects.get(pk=practice.pk)
    assert (saved.title, saved.summary) == ("New title", "New summary")


def test_a_dissemination_update_from_a_stale_copy_keeps_the_other_field(world):
    record = DisseminationFactory(partnership=world.partnership)
    stale = DisseminationRecord.objects.get(pk=record.pk)
    spread_services.dissemination_update(
        actor=world.coordinator,
        record=DisseminationRecord.objects.get(pk=record.pk),
        data={"title": "Renamed"},
    )
    spread_services.dissemination_update(actor=world.member, record=stale, data={"people_reached": 321})
    saved = DisseminationRecord.objects.get(pk=record.pk)
    assert (saved.title, saved.people_reached) == ("Renamed", 321)
