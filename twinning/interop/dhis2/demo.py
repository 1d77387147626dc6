"""The demo programme's DHIS2 mapping: its common indicators, disaggregation options and partnerships given DHIS2
identifiers through the mapping service (so the mapping page shows its history), the data set and a default
attribute option combo. Host institutions already carry org units from the directory's demo; a few have none, so
the mapping page has something to point out. Then the ministry's training DHIS2 server and one recorded import:
the first partnership's own values sent back as DHIS2 JSON, which DHIS2 counts as ignored (nothing changed).
"""

import io
import random
import string

from django.db import transaction

from twinning.accounts.models import User
from twinning.interop.dhis2 import mapping
from twinning.interop.dhis2.export import ExportScope, export_stream
from twinning.interop.dhis2.imports import ImportOptions, dhis2_import
from twinning.interop.dhis2.jobs import import_record
from twinning.interop.dhis2.servers import dhis2_server_create
from twinning.partnerships.models import Partnership, Programme

_FIRST = string.ascii_letters
_REST = string.ascii_letters + string.digits


def _uid(rng: random.Random) -> str:
    return rng.choice(_FIRST) + "".join(rng.choice(_REST) for _n in range(10))


def load_demo(
    *, programme: Programme, partnerships: list[Partnership], users: dict[str, User], rng: random.Random
) -> None:
    """Map the demo programme, as its manager would on the mapping page.

    Raises: nothing (the demo's own identifiers are well formed and distinct).
    """
    current = mapping.dhis2_mapping(programme)
    values = {mapping.PROGRAMME_KEY: _uid(rng), mapping.DATA_SET_KEY: _uid(rng)}
    for indicator in current.indicators:
        if indicator.partnership_id is None:
            values[mapping.indicator_key(indicator, "uid")] = _uid(rng)
            values[mapping.indicator_key(indicator, "code")] = f"TW_{indicator.code}"[:50]
    for option in current.options:
        values[mapping.option_key(option)] = _uid(rng)
    for partnership in current.partnerships[::2]:
        values[mapping.partnership_key(partnership)] = _uid(rng)
    manager = users.get("manager@demo.twinning") or next(u for u in users.values() if u.is_superuser)
    mapping.dhis2_mapping_update(actor=manager, programme=programme, values=values)
    # The server's address is the documentation's reserved example domain: the demo never reaches a real DHIS2.
    dhis2_server_create(
        actor=manager,
        programme=programme,
        secret="district",
        name="Ministry HMIS (training instance)",
        base_url="https://dhis2.example.org",
        auth="basic",
        username="twinning",
    )
    if partnerships:
        _import_own_values(manager, programme, partnerships[0])


def _import_own_values(manager: User, programme: Programme, partnership: Partnership) -> None:
    """Record the import of `partnership`'s own exported values, as a manager checking the round trip would."""
    exported = "".join(
        export_stream(manager, ExportScope(programme=programme, partnership=partnership), "json")
    )
    data = exported.encode()
    summary = dhis2_import(
        actor=manager,
        programme=programme,
        opener=lambda: io.BytesIO(data),
        fmt="json",
        options=ImportOptions(),
        partnership=partnership,
        source="hmis-round-trip.json",
    )
    with transaction.atomic():
        import_record(
            actor=manager,
            programme=programme,
            partnership=partnership,
            source="hmis-round-trip.json",
            fmt="json",
            summary=summary,
        )
