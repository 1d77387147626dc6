"""The demo programme's IATI publishing: an organisation identifier and a published activity file."""

from typing import Any

from twinning.partnerships.models import Programme
from twinning.partnerships.services import programme_update

# "XI-IATI" is the prefix IATI itself gives organisations without another registration; the number is ours.
DEMO_IATI_ORG_ID = "XI-IATI-TWINNINGDEMO"


def load_demo(*, programme: Programme, users: dict[str, Any]) -> None:
    """Give the demo programme its IATI organisation identifier and publish its activity file, as its
    administrator would (through the audited service).

    Raises: nothing.
    """
    admin = next(u for u in users.values() if u.is_superuser)
    programme_update(
        actor=admin,
        programme=programme,
        data={"iati_org_id": DEMO_IATI_ORG_ID, "iati_org_type": "21", "iati_published": True},
    )
