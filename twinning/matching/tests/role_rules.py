"""Who may use each matching URL (see twinning/testing/roles.py)."""

from typing import Any

from twinning.matching import services
from twinning.matching.models import DeclaredConflict, RoundApplicant
from twinning.matching.tests.factories import institution
from twinning.testing import roles
from twinning.testing.roles import OK


def institution_edit(role: str) -> Any:
    # The institution is on the host side of world.partnership: its host coordinator may edit it.
    if role == "anonymous":
        return 302
    return OK if role in {"manager", "me_officer", "admin", "coordinator"} else 403


def twin_act(role: str) -> Any:
    # Any signed-in user reads the directory and may search it; only programme editors act on a search.
    if role == "anonymous":
        return 302
    return OK if role in roles.PROGRAMME_EDITORS else 403


RULES = {
    "matching:rounds": ("get", roles.signed_in),
    "matching:round_create": ("get", roles.programme_editor),
    "matching:round": ("get", roles.programme_read),
    "matching:round_edit": ("get", roles.programme_write),
    "matching:applicant_add": ("post", roles.programme_write),
    "matching:applicant_remove": ("post", roles.programme_write),
    "matching:round_run": ("post", roles.programme_write),
    "matching:round_progress": ("get", roles.programme_read),
    "matching:decide": ("post", roles.programme_write),
    "matching:recommendations": ("get", roles.programme_read),
    "matching:conflicts": ("get", roles.programme_read),
    "matching:conflicts#post": ("post", roles.programme_write),
    "matching:conflict_remove": ("post", roles.programme_write),
    "matching:profile": ("get", roles.signed_in),
    "matching:profile#post": ("post", institution_edit),
    "matching:twins": ("get", roles.signed_in),
    "matching:twin_start": ("post", twin_act),
    "matching:twin_round_add": ("post", twin_act),
}


def objects(world: Any) -> dict[str, Any]:
    round = services.round_create(actor=world.manager, programme=world.programme, name="Matrix round")
    host = services.applicant_add(
        actor=world.manager, round=round, institution=institution("Matrix host"), side="host"
    )
    services.applicant_add(
        actor=world.manager,
        round=round,
        institution=institution("Matrix resource", country="GB"),
        side="resource",
    )
    a, b = institution("Conflict A"), institution("Conflict B")
    conflict = services.conflict_declare(
        actor=world.manager, programme=world.programme, institution_a=a, institution_b=b, reason="Dispute"
    )
    return {
        "round_uuid": round.uuid,
        "applicant_uuid": host.uuid,
        "conflict_uuid": conflict.uuid,
        "_host": host,
        "_conflict": conflict,
    }


def restore(world: Any, objects: dict[str, Any]) -> None:
    host, conflict = objects["_host"], objects["_conflict"]
    if not RoundApplicant.objects.filter(uuid=host.uuid).exists():
        RoundApplicant.objects.create(
            pk=host.pk,
            uuid=host.uuid,
            round_id=host.round_id,
            institution_id=host.institution_id,
            side="host",
        )
    if not DeclaredConflict.objects.filter(uuid=conflict.uuid).exists():
        DeclaredConflict.objects.create(
            pk=conflict.pk,
            uuid=conflict.uuid,
            programme_id=conflict.programme_id,
            institution_a_id=conflict.institution_a_id,
            institution_b_id=conflict.institution_b_id,
            reason=conflict.reason,
        )
