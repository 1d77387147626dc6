"""Walk every URL of the web UI with every role. A new view without an entry here fails the suite.

Each URL name maps to a rule: what each role gets. Reads use GET, actions use POST with an empty or
minimal body: what matters here is who gets in (302 to sign in, 404, 403), not the action itself.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from twinning.accounts.models import ApiToken, PartnershipMembership
from twinning.accounts.services import api_token_create
from twinning.partnerships.models import Agreement, Stakeholder

pytestmark = pytest.mark.django_db

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
PARTNERSHIP_WRITERS = {"manager", "me_officer", "coordinator", "resource_coordinator", "admin"}
OK = "ok"  # any of 200, 302 (not to sign-in) or 400 (the empty form was rejected): the user got in


def signed_in(role: str) -> Any:
    return 302 if role == "anonymous" else 200


def partnership_read(role: str) -> Any:
    if role == "anonymous":
        return 302
    return 404 if role in OUTSIDERS else 200


def partnership_write(role: str) -> Any:
    if role == "anonymous":
        return 302
    if role in OUTSIDERS:
        return 404
    return OK if role in PARTNERSHIP_WRITERS else 403


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


def programme_editor(role: str) -> Any:
    if role == "anonymous":
        return 302
    return OK if role in {"manager", "me_officer", "admin"} else 403


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


def priority_add(role: str) -> Any:
    if role == "anonymous":
        return 302
    return OK if role in {"manager", "me_officer", "admin"} else 403


def own_token(role: str) -> Any:
    if role == "anonymous":
        return 302
    return OK if role == "coordinator" else 404


def public(role: str) -> Any:
    return 200


def login_page(role: str) -> Any:
    return 200 if role == "anonymous" else 302


def redirects(role: str) -> Any:
    return 302


# url name -> (method, rule)
MATRIX: dict[str, tuple[str, Callable[[str], Any]]] = {
    "home": ("get", signed_in),
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
    "directory:list": ("get", signed_in),
    "directory:create": ("get", institution_create),
    "directory:priorities": ("get", signed_in),
    "directory:priorities#post": ("post", priority_add),
    "directory:detail": ("get", signed_in),
    "directory:edit": ("get", institution_edit),
    "directory:person_add": ("get", institution_edit),
    "partnerships:list": ("get", signed_in),
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
}
# Not part of the role-scoped UI: Django's own admin (is_staff), the API (its own tests), language switch.
EXCLUDED_NAMESPACES = {"admin", "api"}
EXCLUDED_NAMES = {"set_language", "javascript-catalog"}


def ui_url_names() -> Iterator[str]:
    def walk(patterns: list, namespace: str | None) -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                if ns in EXCLUDED_NAMESPACES:
                    continue
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name and p.name not in EXCLUDED_NAMES:
                yield f"{namespace}:{p.name}" if namespace else p.name

    yield from walk(get_resolver().url_patterns, None)


def test_every_ui_url_has_an_access_rule():
    missing = sorted(set(ui_url_names()) - {name.split("#")[0] for name in MATRIX})
    assert not missing, f"Add these URL names to MATRIX with their access rule: {missing}"


@pytest.fixture
def objects(world):
    """One of every object a URL can name, each hanging off world.partnership."""
    partnership = world.partnership
    stakeholder = Stakeholder.objects.create(partnership=partnership, kind="ministry", name="MoH")
    agreement = Agreement.objects.create(
        partnership=partnership,
        title="MoU",
        document=SimpleUploadedFile("mou.pdf", b"%PDF-1.4"),
    )
    token, _raw = api_token_create(actor=world.coordinator, user=world.coordinator, name="t")
    return {
        "partnership_uuid": partnership.uuid,
        "institution_uuid": partnership.side_links.get(side="host").institution.uuid,
        "stakeholder_uuid": stakeholder.uuid,
        "agreement_uuid": agreement.uuid,
        "membership_id": PartnershipMembership.objects.get(user=world.member).pk,
        "token_id": token.pk,
        "uidb64": "MQ",
        "token": "set-password",
    }


def url_for(name: str, objects: dict[str, Any]) -> str:
    pattern = next(p for p in _patterns_by_name() if p[0] == name.split("#")[0])[1]
    kwargs = {key: objects[key] for key in pattern.converters} if hasattr(pattern, "converters") else {}
    return reverse(name.split("#")[0], kwargs=kwargs)


def _patterns_by_name() -> Iterator[tuple[str, Any]]:
    def walk(patterns: list, namespace: str | None) -> Iterator[tuple[str, Any]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                yield (f"{namespace}:{p.name}" if namespace else p.name), p.pattern

    yield from walk(get_resolver().url_patterns, None)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(client, world, objects, name):
    method, rule = MATRIX[name]
    url = url_for(name, objects)
    failures = []
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
        # Put back what an action removed, so the next role meets the same objects.
        if method == "post":
            _restore(world, objects)
    assert not failures, f"{method.upper()} {url}\n" + "\n".join(failures)


def _restore(world, objects) -> None:
    partnership = world.partnership
    if not Stakeholder.objects.filter(uuid=objects["stakeholder_uuid"]).exists():
        Stakeholder.objects.create(
            uuid=objects["stakeholder_uuid"], partnership=partnership, kind="ministry", name="MoH"
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
