"""Walk every URL of the web UI with every role. A new view without an access rule fails the suite.

The rules of the foundation's URLs are here; each later app lists its own in `tests/role_rules.py`
(see twinning/testing/roles.py). Reads use GET, actions POST with an empty or minimal body: what matters
here is who gets in (302 to sign in, 404, 403), not the action itself.
"""

import importlib
import re
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from twinning.accounts.models import ApiToken, PartnershipMembership
from twinning.accounts.services import api_token_create
from twinning.directory.services import person_create
from twinning.partnerships.models import Agreement, Stakeholder
from twinning.testing.roles import (
    OK,
    OUTSIDERS,
    PROGRAMME_STAFF,
    ROLES,
    partnership_read,
    partnership_write,
    programme_editor,
    public,
    redirects,
    sees_contacts,
    sees_people,
    signed_in,
)
from twinning.testing.weight import Weigher

pytestmark = pytest.mark.django_db

Rule = Callable[[str], Any]


def add_members(role: str) -> Any:
    # Each coordinator manages their own side; the programme manager both.
    if role == "anonymous":
        return 302
    if role in OUTSIDERS:
        return 404
    return OK if role in {"manager", "coordinator", "resource_coordinator", "admin"} else 403


def remove_host_member(role: str) -> Any:
    # The member removed is on the host side, so the resource side's coordinator may not.
    if role == "anonymous":
        return 302
    if role in OUTSIDERS:
        return 404
    return OK if role in {"manager", "coordinator", "admin"} else 403


def institution_create(role: str) -> Any:
    if role == "anonymous":
        return 302
    coordinators = {"coordinator", "resource_coordinator", "other_coordinator"}
    return OK if role in {"manager", "me_officer", "admin"} | coordinators else 403


def institution_edit(role: str) -> Any:
    # The institution is on the host side of world.partnership: its host coordinator may edit it.
    if role == "anonymous":
        return 302
    return OK if role in {"manager", "me_officer", "admin", "coordinator"} else 403


def own_token(role: str) -> Any:
    if role == "anonymous":
        return 302
    return OK if role == "coordinator" else 404


def anyone(role: str) -> Any:
    return OK


def programme_manager(role: str) -> Any:
    """What a programme grants its readers: its managers change it; other staff 403, the rest 404."""
    if role == "anonymous":
        return 302
    if role not in PROGRAMME_STAFF:
        return 404
    return OK if role in {"manager", "admin"} else 403


def login_page(role: str) -> Any:
    return 200 if role == "anonymous" else 302


FOUNDATION_RULES: dict[str, tuple[str, Rule]] = {
    "home": ("get", signed_in),
    "my_work": ("get", signed_in),
    "favicon": ("get", anyone),
    "service_worker": ("get", anyone),
    "web_manifest": ("get", anyone),
    "web_manifest_in": ("get", anyone),
    "offline": ("get", anyone),
    "login": ("get", login_page),
    "logout": ("post", redirects),
    "password_reset": ("get", public),
    "password_reset_done": ("get", public),
    "password_reset_confirm": ("get", public),
    "password_reset_complete": ("get", public),
    "password_change": ("get", signed_in),
    "password_change_done": ("get", signed_in),
    "profile": ("get", signed_in),
    "token_revoke": ("post", own_token),
    # Anyone signed in saves their own language and returns to the profile; a visitor is sent to sign in.
    "language_change": ("post", redirects),
    "javascript_catalog": ("get", public),
    "directory:list": ("get", signed_in),
    "directory:list#csv": ("get", signed_in),
    "directory:list#xlsx": ("get", signed_in),
    "directory:create": ("get", institution_create),
    "directory:priorities": ("get", signed_in),
    "directory:institution_options": ("get", signed_in),
    "directory:priorities#post": ("post", programme_editor),
    "directory:detail": ("get", signed_in),
    "directory:edit": ("get", institution_edit),
    "directory:person_add": ("get", institution_edit),
    "partnerships:list": ("get", signed_in),
    "partnerships:list#csv": ("get", signed_in),
    "partnerships:list#xlsx": ("get", signed_in),
    "partnerships:create": ("get", programme_editor),
    "partnerships:detail": ("get", partnership_read),
    "partnerships:edit": ("get", partnership_write),
    "partnerships:stage": ("post", partnership_write),
    "partnerships:stakeholder_add": ("post", partnership_write),
    "partnerships:stakeholder_delete": ("post", partnership_write),
    "partnerships:agreement_add": ("post", partnership_write),
    "partnerships:agreement_document": ("get", partnership_read),
    "partnerships:member_add": ("post", add_members),
    "partnerships:member_remove": ("post", remove_host_member),
    "partnerships:programme_readers": ("get", programme_manager),
    "partnerships:programme_readers#post": ("post", programme_manager),
}
# Not part of the role-scoped UI: Django's own admin (is_staff), the API (its own tests), language switch.
EXCLUDED_NAMESPACES = {"admin", "api"}
EXCLUDED_NAMES = {"set_language"}


def app_rule_modules() -> list[ModuleType]:
    modules = []
    for config in apps.get_app_configs():
        if config.name.startswith("twinning."):
            try:
                modules.append(importlib.import_module(f"{config.name}.tests.role_rules"))
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tests.role_rules" and exc.name != f"{config.name}.tests":
                    raise
    return modules


def all_rules() -> dict[str, tuple[str, Rule]]:
    rules = dict(FOUNDATION_RULES)
    for module in app_rule_modules():
        rules.update(module.RULES)
    return rules


MATRIX = all_rules()


def url_patterns() -> Iterator[tuple[str, Any]]:
    def walk(patterns: list, namespace: str | None) -> Iterator[tuple[str, Any]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                if ns not in EXCLUDED_NAMESPACES:
                    yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name and p.name not in EXCLUDED_NAMES:
                yield (f"{namespace}:{p.name}" if namespace else p.name), p.pattern

    yield from walk(get_resolver().url_patterns, None)


def test_every_ui_url_has_an_access_rule():
    missing = sorted({name for name, _ in url_patterns()} - {name.split("#")[0] for name in MATRIX})
    assert not missing, f"Add these URL names to a role_rules.RULES with their access rule: {missing}"


# A person of the host institution, added through the service so the institution's history names them.
PRIVATE_PERSON = {"full_name": "Quillon Marsh-Ayodele", "email": "q.marsh-ayodele@hospital.example.org"}


STAKEHOLDER_EMAIL = "liaison@moh.example.org"


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def shows_private_person(response: Any) -> bool:
    return any(value.encode() in _body(response) for value in PRIVATE_PERSON.values())


def shown_emails(response: Any, world: Any, role: str) -> list[str]:
    """The e-mail addresses of other people (the world's users, the institution's person, the stakeholder's
    contact) that the page shows."""
    # Whole addresses only: "pviewer@example.org" is not "viewer@example.org".
    shown = set(re.findall(rb"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", _body(response)))
    own = getattr(world, role).email if role != "anonymous" else None
    users = [getattr(world, name).email for name in ROLES if name != "anonymous"]
    emails = {*users, PRIVATE_PERSON["email"], STAKEHOLDER_EMAIL} - {own}
    return sorted(email for email in emails if email.encode() in shown)


@pytest.fixture
def objects(world):
    """One of every object a URL can name, each hanging off world.partnership."""
    partnership = world.partnership
    person_create(
        actor=world.admin,
        institution=partnership.side_links.get(side="host").institution,
        cadre="midwife",
        **PRIVATE_PERSON,
    )
    stakeholder = Stakeholder.objects.create(
        partnership=partnership, kind="ministry", name="MoH", contact_email=STAKEHOLDER_EMAIL
    )
    # A member without a full name: pages name people, and a reader must not get the address instead.
    type(world.member).objects.filter(pk=world.member.pk).update(full_name="")
    world.member.refresh_from_db()
    agreement = Agreement.objects.create(
        partnership=partnership, title="MoU", document=SimpleUploadedFile("mou.pdf", b"%PDF-1.4")
    )
    token, _raw = api_token_create(actor=world.coordinator, user=world.coordinator, name="t")
    found = {
        "partnership_uuid": partnership.uuid,
        "institution_uuid": partnership.side_links.get(side="host").institution.uuid,
        "programme_uuid": world.programme.uuid,
        "stakeholder_uuid": stakeholder.uuid,
        "agreement_uuid": agreement.uuid,
        "membership_id": PartnershipMembership.objects.get(user=world.member).pk,
        "token_id": token.pk,
        "uidb64": "MQ",
        "token": "set-password",
        "language": "fr",
    }
    for module in app_rule_modules():
        if hasattr(module, "objects"):
            given = module.objects(world)
            # URL arguments share one name space: a second app's `adoption_uuid` (a practice's adoption) once
            # replaced monitoring's (an indicator's adoption), and a results row answered 404 for everyone.
            clashes = {key for key in given if key in found and found[key] != given[key]}
            assert not clashes, (
                f"{module.__name__} reuses URL argument names of another app: {sorted(clashes)}"
            )
            found.update(given)
    return found


def url_for(name: str, objects: dict[str, Any]) -> str:
    """The URL of a rule's name; `name#csv` and `name#xlsx` are the page's downloads (`?format=`); a rule
    `name#suffix` takes its own URL kwargs from `objects[name]` when the app gives them."""
    plain, _hash, variant = name.partition("#")
    pattern = dict(url_patterns())[plain]
    found = {**objects, **objects.get(name, {})} if "#" in name else objects
    url = reverse(plain, kwargs={key: found[key] for key in pattern.converters})
    return f"{url}?format={variant}" if variant in ("csv", "xlsx") else url


def restore(world: Any, objects: dict[str, Any]) -> None:
    """Put back what an action removed, so the next role meets the same objects."""
    partnership = world.partnership
    if not Stakeholder.objects.filter(uuid=objects["stakeholder_uuid"]).exists():
        Stakeholder.objects.create(
            uuid=objects["stakeholder_uuid"],
            partnership=partnership,
            kind="ministry",
            name="MoH",
            contact_email=STAKEHOLDER_EMAIL,
        )
    if not PartnershipMembership.objects.filter(pk=objects["membership_id"]).exists():
        PartnershipMembership.objects.create(
            pk=objects["membership_id"],
            user=world.member,
            partnership=partnership,
            side="host",
            role="member",
        )
    ApiToken.objects.filter(pk=objects["token_id"]).update(revoked_at=None)
    for module in app_rule_modules():
        if hasattr(module, "restore"):
            module.restore(world, objects)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(client, world, objects, name):
    method, rule = MATRIX[name]
    url = url_for(name, objects)
    failures = []
    pages = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(world, role))
        response = getattr(client, method)(url)
        expected = rule(role)
        got = response.status_code
        signed_out = got == 302 and "/login/" in response.get("Location", "")
        if expected == OK:
            passed = got in (200, 302, 400) and not signed_out
        elif expected == 302 and role == "anonymous":
            passed = signed_out
        else:
            passed = got == expected
        if not passed:
            failures.append(f"{role}: expected {expected}, got {got}")
        if "default-src 'self'" not in response.get("Content-Security-Policy", ""):
            failures.append(f"{role}: no strict Content-Security-Policy header")
        if got == 200 and not sees_people(role) and shows_private_person(response):
            failures.append(f"{role}: sees the name or email of a person of an institution it has no part in")
        if got == 200 and not sees_contacts(role) and (emails := shown_emails(response, world, role)):
            failures.append(f"{role}: sees e-mail addresses it may not: {emails}")
        if got == 200 and response["Content-Type"].startswith("text/html"):
            pages.append(_body(response))
        if method == "post":
            restore(world, objects)
    if pages:
        # Slow links (twinning/testing/weight.py): the fullest view of the page within 60 KB on a first visit,
        # under 15 KB on a repeat one, with everything it makes the browser download.
        failures += Weigher(client.get).weigh(url, max(pages, key=len)).problems()
    assert not failures, f"{method.upper()} {url}\n" + "\n".join(failures)
