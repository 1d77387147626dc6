"""Who reads which practice (access.practice_scope) and who moves each step (access.PracticeAccess)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from twinning.accounts import access
from twinning.knowledge.models import Practice
from twinning.knowledge.selectors import get_practice_for_user, practices_visible_to
from twinning.knowledge.tests.factories import PracticeFactory
from twinning.testing.factories import PartnershipFactory

S = Practice.Status
ALL: set[str] = set(S.values)
PUBLISHED: set[str] = {S.PROGRAMME, S.PUBLIC}

# What each role of the world reads among one practice of world.partnership in every status.
EXPECTED: dict[str, set[str]] = {
    "anonymous": {S.PUBLIC},
    "outsider": {S.PUBLIC},
    "other_coordinator": {S.PUBLIC},
    "programme_viewer": PUBLISHED,
    "partnership_viewer": PUBLISHED,
    "finance": ALL,
    "me_officer": ALL,
    "manager": ALL,
    "member": ALL,
    "coordinator": ALL,
    "resource_coordinator": ALL,
    "admin": ALL,
}


@pytest.fixture
def practices(world):
    return {status: PracticeFactory(partnership=world.partnership, status=status) for status in S.values}


def _user(world, role):
    return AnonymousUser() if role == "anonymous" else getattr(world, role)


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_reads_exactly_its_practices(world, practices, role):
    user = _user(world, role)
    seen = set(practices_visible_to(user).values_list("status", flat=True))
    assert seen == EXPECTED[role]
    for status, practice in practices.items():
        if status in EXPECTED[role]:
            assert get_practice_for_user(user, practice.uuid)[0] == practice
        else:
            with pytest.raises(Http404):
                get_practice_for_user(user, practice.uuid)


def test_a_member_never_reads_another_partnerships_draft(world):
    theirs = PracticeFactory(partnership=world.other_partnership, status=S.DRAFT)
    same_programme = PracticeFactory(
        partnership=PartnershipFactory(programme=world.programme),
        status=S.SUBMITTED,
    )
    for user in (world.member, world.coordinator, world.other_coordinator, world.programme_viewer):
        visible = set(practices_visible_to(user))
        assert theirs not in visible or user == world.other_coordinator
        assert same_programme not in visible


def test_the_author_reads_their_own_practice_wherever_they_are(world):
    practice = PracticeFactory(partnership=world.other_partnership, author=world.outsider)
    assert get_practice_for_user(world.outsider, practice.uuid)[0] == practice


def test_the_list_does_not_repeat_a_practice_with_two_partnerships(world):
    practice = PracticeFactory(partnership=world.partnership, status=S.PROGRAMME)
    practice.partnership_links.create(partnership=world.other_partnership)
    assert list(practices_visible_to(world.admin)).count(practice) == 1
    assert list(practices_visible_to(world.member)).count(practice) == 1


@pytest.mark.parametrize(
    ("role", "status", "editable"),
    [
        ("member", S.DRAFT, True),
        ("member", S.SUBMITTED, False),
        ("coordinator", S.PROGRAMME, False),
        ("manager", S.PROGRAMME, True),
        ("manager", S.WITHDRAWN, False),
        ("finance", S.DRAFT, False),
        ("partnership_viewer", S.PROGRAMME, False),
    ],
)
def test_who_edits(world, role, status, editable):
    practice = PracticeFactory(partnership=world.partnership, status=status)
    user = _user(world, role)
    if editable:
        get_practice_for_user(user, practice.uuid, write=True)
    else:
        with pytest.raises(PermissionDenied):
            get_practice_for_user(user, practice.uuid, write=True)


STEPS = [
    (
        S.DRAFT,
        S.SUBMITTED,
        {"member", "coordinator", "resource_coordinator", "manager", "me_officer", "admin"},
    ),
    (S.SUBMITTED, S.DRAFT, {"manager", "me_officer", "admin"}),
    (S.SUBMITTED, S.PROGRAMME, {"manager", "me_officer", "admin"}),
    (S.PROGRAMME, S.PUBLIC, {"manager", "me_officer", "admin"}),
    (
        S.PUBLIC,
        S.WITHDRAWN,
        {"member", "coordinator", "resource_coordinator", "manager", "me_officer", "admin"},
    ),
    (
        S.WITHDRAWN,
        S.DRAFT,
        {"member", "coordinator", "resource_coordinator", "manager", "me_officer", "admin"},
    ),
    (S.DRAFT, S.PUBLIC, set()),
    (S.SUBMITTED, S.PUBLIC, set()),
    (S.DRAFT, S.PROGRAMME, set()),
]


@pytest.mark.parametrize(("from_status", "to_status", "movers"), STEPS)
def test_who_moves_each_step(world, from_status, to_status, movers):
    practice = PracticeFactory(partnership=world.partnership, status=from_status)
    for role in EXPECTED:
        rights = access.practice_access(_user(world, role), practice)
        assert rights.can_move(to_status) == (role in movers), role
