"""Who may use each exchanges URL (see twinning/testing/roles.py)."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from twinning.core.choices import Side
from twinning.exchanges.models import Exchange, MentoringPair, MentoringSession, Participant, TraineeGroup
from twinning.exchanges.tests.factories import (
    ExchangeFactory,
    MentoringPairFactory,
    MentoringSessionFactory,
    ParticipantFactory,
    TraineeGroupFactory,
)
from twinning.testing import roles

read = ("get", roles.partnership_read)
enter = ("post", roles.partnership_data_entry)

RULES = {
    "exchanges:programme_summary": ("get", roles.programme_read),
    "exchanges:programme_summary#csv": ("get", roles.programme_read),
    "exchanges:programme_summary#xlsx": ("get", roles.programme_read),
    "exchanges:list": read,
    "exchanges:list#csv": read,
    "exchanges:list#xlsx": read,
    "exchanges:create": ("get", roles.partnership_data_entry),
    "exchanges:create#post": enter,
    "exchanges:summary": read,
    "exchanges:summary#csv": read,
    "exchanges:summary#xlsx": read,
    "exchanges:cascade": read,
    "exchanges:detail": read,
    "exchanges:edit": ("get", roles.partnership_data_entry),
    "exchanges:edit#post": enter,
    "exchanges:delete": enter,
    "exchanges:report": read,
    "exchanges:participant_add": enter,
    "exchanges:participant_remove": enter,
    "exchanges:trainee_add": enter,
    "exchanges:trainee_remove": enter,
    "exchanges:mentoring_list": read,
    "exchanges:mentoring_create": ("get", roles.partnership_data_entry),
    "exchanges:mentoring_create#post": enter,
    "exchanges:mentoring_detail": read,
    "exchanges:mentoring_edit": ("get", roles.partnership_data_entry),
    "exchanges:session_add": enter,
    "exchanges:session_remove": enter,
}


def _exchange(world: Any, uuid: Any = None) -> Exchange:
    return ExchangeFactory(
        **({"uuid": uuid} if uuid else {}),
        partnership=world.partnership,
        report_file=SimpleUploadedFile("report.pdf", b"%PDF-1.4 trip report"),
    )


def objects(world: Any) -> dict[str, Any]:
    exchange = _exchange(world)
    participant = ParticipantFactory(exchange=exchange)
    group = TraineeGroupFactory(exchange=exchange)
    pair = MentoringPairFactory(partnership=world.partnership)
    session = MentoringSessionFactory(pair=pair)
    return {
        "exchange_uuid": exchange.uuid,
        "participant_uuid": participant.uuid,
        "group_uuid": group.uuid,
        "pair_uuid": pair.uuid,
        "session_uuid": session.uuid,
    }


def restore(world: Any, objects: dict[str, Any]) -> None:
    exchange = Exchange.objects.filter(uuid=objects["exchange_uuid"]).first()
    if exchange is None:
        exchange = _exchange(world, objects["exchange_uuid"])
    if not Participant.objects.filter(uuid=objects["participant_uuid"]).exists():
        ParticipantFactory(uuid=objects["participant_uuid"], exchange=exchange, side=Side.RESOURCE)
    if not TraineeGroup.objects.filter(uuid=objects["group_uuid"]).exists():
        TraineeGroupFactory(uuid=objects["group_uuid"], exchange=exchange)
    pair = MentoringPair.objects.get(uuid=objects["pair_uuid"])
    if not MentoringSession.objects.filter(uuid=objects["session_uuid"]).exists():
        MentoringSessionFactory(uuid=objects["session_uuid"], pair=pair)
