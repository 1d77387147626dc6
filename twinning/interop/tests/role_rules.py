"""Who may use each interop URL (see twinning/testing/roles.py)."""

from typing import Any

from twinning.interop.dhis2 import secrets
from twinning.interop.models import Dhis2Import, Dhis2Server
from twinning.testing import roles


def programme_manager(role: str) -> Any:
    """The programme's IATI publication: its managers (other staff 403, everyone else 404)."""
    if role == "anonymous":
        return 302
    if role not in roles.PROGRAMME_STAFF:
        return 404
    return roles.OK if role in {"manager", "admin"} else 403


def import_record(role: str) -> Any:
    """A DHIS2 import's page: the person who ran it (the world's coordinator) and the programme's editors."""
    if role == "anonymous":
        return 302
    return 200 if role in {"coordinator", "manager", "me_officer", "admin"} else 404


def programme_editor(role: str) -> Any:
    """Importing an IATI file: the programme's editors (other staff 403, everyone else 404)."""
    if role == "anonymous":
        return 302
    if role not in roles.PROGRAMME_STAFF:
        return 404
    return roles.OK if role in roles.PROGRAMME_EDITORS else 403


RULES = {
    "interop:iati_import": ("post", programme_editor),
    "interop:iati_programme": ("get", roles.programme_read),
    "interop:iati_publication": ("post", programme_manager),
    "interop:iati_programme_file": ("get", roles.programme_read),
    "interop:iati_partnership_file": ("get", roles.partnership_read),
    "interop:iati_public": ("get", roles.public),
    "interop:dhis2_programme": ("get", roles.programme_read),
    "interop:dhis2_export": ("get", roles.programme_read),
    "interop:dhis2_mapping": ("get", roles.programme_write),
    "interop:dhis2_mapping#post": ("post", roles.programme_write),
    "interop:dhis2_import": ("get", roles.programme_write),
    "interop:dhis2_import#post": ("post", roles.programme_write),
    "interop:dhis2_partnership": ("get", roles.partnership_read),
    "interop:dhis2_partnership_export": ("get", roles.partnership_read),
    "interop:dhis2_partnership_import": ("get", roles.partnership_data_entry),
    "interop:dhis2_partnership_import#post": ("post", roles.partnership_data_entry),
    "interop:dhis2_import_detail": ("get", import_record),
    "interop:dhis2_servers": ("get", roles.programme_write),
    "interop:dhis2_servers#post": ("post", roles.programme_write),
    "interop:dhis2_server": ("get", roles.programme_write),
    "interop:dhis2_server#post": ("post", roles.programme_write),
    "interop:dhis2_server_check": ("post", roles.programme_write),
    "interop:dhis2_server_send": ("post", roles.programme_write),
    "interop:dhis2_server_fetch": ("post", roles.programme_write),
    "interop:dhis2_server_delete": ("post", roles.programme_write),
}

# Nothing listens on the discard port: a check or send from the matrix fails fast, without leaving the machine.
NOWHERE = "http://127.0.0.1:9"


def _server(world: Any, uuid: Any = None) -> Dhis2Server:
    return Dhis2Server.objects.create(
        **({"uuid": uuid} if uuid else {}),
        programme=world.programme,
        name="Ministry DHIS2",
        base_url=NOWHERE,
        username="admin",
        secret_encrypted=secrets.encrypt("district"),
    )


def objects(world: Any) -> dict[str, Any]:
    """The programme publishes an IATI file, so its pages and files have something to show; a DHIS2 import ran."""
    world.programme.iati_org_id = "XI-IATI-MATRIX"
    world.programme.iati_published = True
    world.programme.save()
    record = Dhis2Import.objects.create(
        programme=world.programme,
        partnership=world.partnership,
        requested_by=world.coordinator,
        source="values.json",
        format="json",
        status=Dhis2Import.Status.DONE,
    )
    return {"import_uuid": record.uuid, "server_uuid": _server(world).uuid}


def restore(world: Any, objects: dict[str, Any]) -> None:
    if not Dhis2Server.objects.filter(uuid=objects["server_uuid"]).exists():
        _server(world, objects["server_uuid"])
