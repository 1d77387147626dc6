"""Access rules for the role matrix (twinning/core/tests/test_role_matrix.py).

Each app lists its URLs in `twinning/<app>/tests/role_rules.py`:

    RULES = {"exchanges:list": ("get", rules.partnership_read), ...}   # every URL name of the app
    def objects(world) -> dict: ...      # optional: URL kwargs the app's URLs need, e.g. {"exchange_uuid": ...}
    def restore(world, objects) -> None  # optional: put back what a POST removed, so each role meets the same data

A rule takes a role name and returns the status that role must get: 200, 302 (to sign-in for anonymous),
403, 404, or OK (it got in: 200, 302 elsewhere, or 400 because the empty form was refused).

Besides the status, no page a role gets in to may show personal data it may not see: `sees_people(role)` for
an institution's people, `sees_contacts(role)` for e-mail addresses. A rule named "name#suffix" may take its own
URL kwargs from `objects(world)["name#suffix"]` (a dict), e.g. an approved period beside a draft one.
"""

from typing import Any

ROLES = [
    "anonymous",
    "outsider",
    "other_coordinator",
    "programme_viewer",
    "finance",
    "me_officer",
    "manager",
    "partnership_viewer",
    "member",
    "coordinator",
    "resource_coordinator",
    "admin",
]
OUTSIDERS = {"outsider", "other_coordinator"}
PROGRAMME_STAFF = {"programme_viewer", "finance", "me_officer", "manager", "admin"}
PROGRAMME_EDITORS = {"manager", "me_officer", "admin"}
PARTNERSHIP_WRITERS = {"manager", "me_officer", "coordinator", "resource_coordinator", "admin"}
# Members may enter data (exchanges, contributions, results) but not change the partnership itself.
PARTNERSHIP_DATA_ENTRY = PARTNERSHIP_WRITERS | {"member"}
OK = "ok"
# People of an institution (names, emails, cadres) are personal data: programme staff and the members of a
# partnership with the institution see them, on whatever page shows them (its people list, a history table,
# an export). The role matrix's institution is on the host side of world.partnership.
PEOPLE_READERS = PROGRAMME_STAFF | {"coordinator", "resource_coordinator", "member", "partnership_viewer"}
# Readers (donors, ministries, evaluators, partnership viewers) read results, dashboards, approved reports and
# summaries, not the internal work: unapproved periods, the review conversation, evidence files (unless the
# programme grants them) and people's e-mail addresses (see docs/ACCESS.md). The role matrix's programme grants
# nothing.
READERS = {"programme_viewer", "partnership_viewer"}


def _scoped(role: str, allowed: set[str]) -> Any:
    if role == "anonymous":
        return 302
    if role in OUTSIDERS:
        return 404
    return OK if role in allowed else 403


def public(role: str) -> Any:
    return 200


def signed_in(role: str) -> Any:
    return 302 if role == "anonymous" else 200


def redirects(role: str) -> Any:
    return 302


def partnership_read(role: str) -> Any:
    if role == "anonymous":
        return 302
    return 404 if role in OUTSIDERS else 200


def partnership_insider_read(role: str) -> Any:
    """Reads of a partnership's internal work (an unapproved period, evidence files): 403 for readers."""
    if role == "anonymous":
        return 302
    if role in OUTSIDERS:
        return 404
    return 403 if role in READERS else 200


def partnership_write(role: str) -> Any:
    return _scoped(role, PARTNERSHIP_WRITERS)


def partnership_data_entry(role: str) -> Any:
    return _scoped(role, PARTNERSHIP_DATA_ENTRY)


def programme_read(role: str) -> Any:
    """Programme-wide pages (dashboards, rounds): programme staff only; others do not see the programme."""
    if role == "anonymous":
        return 302
    return 200 if role in PROGRAMME_STAFF else 404


def programme_write(role: str) -> Any:
    if role == "anonymous":
        return 302
    if role not in PROGRAMME_STAFF:
        return 404
    return OK if role in PROGRAMME_EDITORS else 403


def programme_editor(role: str) -> Any:
    """Pages not tied to one programme that only programme editors may use (403 for everyone else)."""
    if role == "anonymous":
        return 302
    return OK if role in PROGRAMME_EDITORS else 403


def sees_contacts(role: str) -> bool:
    """Whether the role may see people's e-mail addresses in the role matrix's partnership (not readers)."""
    return role not in READERS and role not in OUTSIDERS and role != "anonymous"


def sees_people(role: str) -> bool:
    """Whether the role may see the people of the role matrix's institution (see PEOPLE_READERS)."""
    return role in PEOPLE_READERS
