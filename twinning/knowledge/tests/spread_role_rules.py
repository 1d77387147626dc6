"""Who may use each URL of dissemination and the replication register (see twinning/testing/roles.py); merged
into the app's role_rules.

The practice the register hangs off is published in the programme (the rule names end in "#published" and take
their own `practice_uuid`), so every programme user reads its spread and only its partnership's data-entry
people and the programme's editors record adoptions.
"""

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from twinning.knowledge.models import Adoption, AdoptionLevel, DisseminationRecord, Level, Practice
from twinning.knowledge.tests.spread_factories import AdoptionFactory, DisseminationFactory, practice_of
from twinning.testing import roles

read = ("get", roles.partnership_read)
enter = ("post", roles.partnership_data_entry)
programme = ("get", roles.programme_read)

RULES = {
    "knowledge:programme_spread": programme,
    "knowledge:programme_spread#csv": programme,
    "knowledge:programme_spread#xlsx": programme,
    "knowledge:dissemination_programme": programme,
    "knowledge:dissemination_programme#csv": programme,
    "knowledge:dissemination_programme#xlsx": programme,
    "knowledge:dissemination_programme_create": ("get", roles.programme_write),
    "knowledge:dissemination_programme_create#post": ("post", roles.programme_write),
    "knowledge:dissemination_list": read,
    "knowledge:dissemination_list#csv": read,
    "knowledge:dissemination_list#xlsx": read,
    "knowledge:dissemination_create": ("get", roles.partnership_data_entry),
    "knowledge:dissemination_create#post": enter,
    "knowledge:dissemination_detail": read,
    "knowledge:dissemination_edit": ("get", roles.partnership_data_entry),
    "knowledge:dissemination_edit#post": enter,
    "knowledge:dissemination_delete": enter,
    "knowledge:dissemination_evidence": ("get", roles.partnership_insider_read),
    "knowledge:practice_spread#published": read,
    "knowledge:adoption_create#published": ("get", roles.partnership_data_entry),
    "knowledge:adoption_create#published-post": enter,
    "knowledge:adoption_detail": read,
    "knowledge:adoption_edit": ("get", roles.partnership_data_entry),
    "knowledge:adoption_edit#post": enter,
    "knowledge:adoption_delete": enter,
    "knowledge:adoption_level_add": enter,
    "knowledge:adoption_level_remove": enter,
    "knowledge:adoption_evidence": ("get", roles.partnership_insider_read),
}


def _record(world: Any, uuid: Any = None) -> DisseminationRecord:
    return DisseminationFactory(
        **({"uuid": uuid} if uuid else {}),
        partnership=world.partnership,
        evidence_file=SimpleUploadedFile("attendance.pdf", b"%PDF-1.4 attendance"),
    )


def _adoption(practice: Practice, uuid: Any = None) -> Adoption:
    return AdoptionFactory(
        **({"uuid": uuid} if uuid else {}),
        practice=practice,
        level=Level.ADAPTING,
        evidence_file=SimpleUploadedFile("circular.pdf", b"%PDF-1.4 circular"),
    )


def _second_level(adoption: Adoption, uuid: Any = None) -> AdoptionLevel:
    return AdoptionLevel.objects.create(
        **({"uuid": uuid} if uuid else {}),
        adoption=adoption,
        level=Level.PILOTING,
        rank=2,
        reached_on=datetime.date(2025, 6, 1),
    )


def objects(world: Any) -> dict[str, Any]:
    practice = practice_of(world.partnership, status=Practice.Status.PROGRAMME, title="Kangaroo mother care")
    adoption = _adoption(practice)
    level = _second_level(adoption)
    published = {"practice_uuid": practice.uuid}
    return {
        "record_uuid": _record(world).uuid,
        "practice_adoption_uuid": adoption.uuid,
        "level_uuid": level.uuid,
        "knowledge:practice_spread#published": published,
        "knowledge:adoption_create#published": published,
        "knowledge:adoption_create#published-post": published,
    }


def restore(world: Any, objects: dict[str, Any]) -> None:
    if not DisseminationRecord.objects.filter(uuid=objects["record_uuid"]).exists():
        _record(world, objects["record_uuid"])
    practice = Practice.objects.get(uuid=objects["knowledge:practice_spread#published"]["practice_uuid"])
    adoption = Adoption.objects.filter(uuid=objects["practice_adoption_uuid"]).first()
    if adoption is None:
        adoption = _adoption(practice, objects["practice_adoption_uuid"])
    if not AdoptionLevel.objects.filter(uuid=objects["level_uuid"]).exists():
        _second_level(adoption, objects["level_uuid"])
    # What a POST added (an adoption, a level) goes, so each role meets the same register.
    Adoption.objects.filter(practice=practice).exclude(uuid=objects["practice_adoption_uuid"]).delete()
    adoption.levels.exclude(level__in=[Level.ADAPTING, Level.PILOTING]).delete()
