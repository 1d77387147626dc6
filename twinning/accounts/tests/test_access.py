"""Every access rule, for every role around one partnership (the `world` fixture), as DESIGN.md states it.

The role matrix (twinning/core/tests/test_role_matrix.py) checks the same rules through every URL; these tests
check the rules themselves, so a change to a rule shows here first, in words.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from twinning.accounts import access
from twinning.accounts.models import User
from twinning.partnerships.models import Partnership, Programme
from twinning.planning.models import Indicator

ROLES = [
    "admin",
    "manager",
    "me_officer",
    "finance",
    "programme_viewer",
    "coordinator",
    "resource_coordinator",
    "member",
    "partnership_viewer",
    "outsider",
    "other_coordinator",
]
PROGRAMME_STAFF = {"admin", "manager", "me_officer", "finance", "programme_viewer"}
PROGRAMME_EDITORS = {"admin", "manager", "me_officer"}
FINANCE = PROGRAMME_EDITORS | {"finance"}
MEMBERS = {"coordinator", "resource_coordinator", "member", "partnership_viewer"}
READERS = PROGRAMME_STAFF | MEMBERS
PARTNERSHIP_EDITORS = PROGRAMME_EDITORS | {"coordinator", "resource_coordinator"}
DATA_ENTRY = PARTNERSHIP_EDITORS | {"member"}


def user(world, role: str) -> User:
    return getattr(world, role)


def allowed_for(allowed: set[str]):
    """Runs the test once per role, with `expected` True for the roles in `allowed`."""
    return pytest.mark.parametrize(("role", "expected"), [(r, r in allowed) for r in ROLES], ids=ROLES)


# --- scopes ---------------------------------------------------------------------------------------------


@allowed_for(READERS)
def test_programme_staff_and_the_partnerships_members_see_it_and_nobody_else(world, role, expected):
    visible = Partnership.objects.visible_to(user(world, role))
    assert (world.partnership in visible) is expected
    assert access.partnership_access(user(world, role), world.partnership).can_read is expected


@allowed_for(READERS)
def test_the_programme_is_seen_by_its_staff_and_by_members_of_its_partnerships(world, role, expected):
    assert (world.programme in Programme.objects.visible_to(user(world, role))) is expected


@allowed_for(PROGRAMME_STAFF)
def test_only_the_staff_have_the_programme_among_their_staffed_programmes(world, role, expected):
    assert (world.programme in Programme.objects.staffed_by(user(world, role))) is expected
    assert access.programme_access(user(world, role), world.programme.pk).is_staff is expected


@allowed_for(FINANCE)
def test_finance_officers_and_editors_verify_in_their_programme(world, role, expected):
    scoped = Programme.objects.filter(access.in_finance_programmes(user(world, role), via=""))
    assert (world.programme in scoped) is expected


@allowed_for({"finance"})
def test_verifying_is_the_finance_officers_work_where_the_programme_has_one(world, role, expected):
    scoped = Programme.objects.filter(access.in_finance_duty_programmes(user(world, role), via=""))
    assert (world.programme in scoped) is expected


@allowed_for({"manager", "me_officer"})
def test_verifying_is_the_editors_work_where_the_programme_has_no_finance_officer(world, role, expected):
    world.finance.programme_roles.all().delete()
    scoped = Programme.objects.filter(access.in_finance_duty_programmes(user(world, role), via=""))
    assert (world.programme in scoped) is expected


@pytest.mark.parametrize("side", ["host", "resource"])
@pytest.mark.parametrize("role", ROLES)
def test_a_gift_waits_for_the_coordinators_and_members_of_its_receiving_side(world, role, side):
    from twinning.contributions.tests.factories import GiftFactory

    gift = GiftFactory(partnership=world.partnership, receiving_side=side)
    waiting = gift.__class__.objects.filter(access.on_receiving_side(user(world, role)))
    assert (gift in waiting) is (role in RECEIVERS[side] - {"admin"})


@pytest.mark.parametrize("role", ROLES)
def test_the_side_a_user_coordinates_annotates_their_partnerships(world, role):
    found = (
        Partnership.objects.filter(pk=world.partnership.pk)
        .annotate(side=access.coordinated_side(user(world, role), via="pk"))
        .get()
        .side
    )
    assert found == {"coordinator": "host", "resource_coordinator": "resource"}.get(role)


@allowed_for(
    PROGRAMME_EDITORS | {"finance", "coordinator", "resource_coordinator", "member", "other_coordinator"}
)
def test_everyone_but_viewers_and_outsiders_does_some_work(world, role, expected):
    assert access.does_any_work(user(world, role)) is expected


def test_an_anonymous_user_has_no_work_anywhere():
    anonymous = AnonymousUser()
    assert not access.does_any_work(anonymous)
    assert access.in_finance_duty_programmes(anonymous) == access._nothing()
    assert access.on_receiving_side(anonymous) == access._nothing()


@allowed_for(PROGRAMME_EDITORS)
def test_managers_and_me_officers_edit_the_programme(world, role, expected):
    assert (world.programme in Programme.objects.edited_by(user(world, role))) is expected
    assert access.programme_access(user(world, role), world.programme.pk).can_edit is expected
    assert access.is_programme_editor(user(world, role), world.programme.pk) is expected


def test_the_other_coordinator_sees_only_their_own_partnership(world):
    visible = set(Partnership.objects.visible_to(world.other_coordinator))
    assert visible == {world.other_partnership}


def test_an_administrator_sees_every_partnership_and_an_anonymous_user_none(world):
    assert set(Partnership.objects.visible_to(world.admin)) == {world.partnership, world.other_partnership}
    assert not Partnership.objects.visible_to(AnonymousUser()).exists()
    assert not Programme.objects.visible_to(AnonymousUser()).exists()
    assert access.partnership_access(AnonymousUser(), world.partnership) == access.PartnershipAccess()


def test_a_scope_reaches_the_partnership_through_a_relation(world):
    memberships = world.partnership.memberships.all()
    reached = memberships.filter(access.in_visible_partnerships(world.member))
    assert reached.count() == memberships.count()
    assert not memberships.filter(access.in_visible_partnerships(world.other_coordinator)).exists()


@allowed_for({"coordinator", "resource_coordinator", "member"})
def test_data_entry_partnerships_are_those_where_one_is_coordinator_or_member(world, role, expected):
    # Programme staff and administrators are not asked for the reports: the partnership's people are.
    mine = Partnership.objects.filter(access.in_data_entry_partnerships(user(world, role), via=""))
    assert (world.partnership in mine) is expected


@allowed_for({"manager", "me_officer"})
def test_the_programmes_reviewers_are_its_managers_and_me_officers(world, role, expected):
    reviewers = User.objects.filter(access.reviewers_of(world.programme.pk))
    assert (user(world, role) in reviewers) is expected


@allowed_for({"coordinator", "resource_coordinator", "member"})
def test_the_people_who_enter_a_partnerships_data_are_its_coordinators_and_members(world, role, expected):
    people = User.objects.filter(access.data_entry_people_of(world.partnership.pk))
    assert (user(world, role) in people) is expected


# --- one partnership ----------------------------------------------------------------------------------


@allowed_for(PARTNERSHIP_EDITORS)
def test_coordinators_and_programme_editors_change_the_partnership(world, role, expected):
    assert access.partnership_access(user(world, role), world.partnership).can_edit is expected


@allowed_for(DATA_ENTRY)
def test_members_enter_data_as_well_as_those_who_change_the_partnership(world, role, expected):
    assert access.partnership_access(user(world, role), world.partnership).can_enter_data is expected


@allowed_for(PROGRAMME_EDITORS)
def test_managers_and_me_officers_review_the_partnerships_reports(world, role, expected):
    assert access.partnership_access(user(world, role), world.partnership).can_review is expected


@allowed_for(DATA_ENTRY)
def test_those_who_enter_results_and_those_who_review_them_discuss_them(world, role, expected):
    assert access.partnership_access(user(world, role), world.partnership).can_discuss is expected


@allowed_for(FINANCE)
def test_finance_officers_and_programme_editors_manage_the_money_side_of_the_ledger(world, role, expected):
    assert access.partnership_access(user(world, role), world.partnership).can_manage_finance is expected
    assert access.programme_access(user(world, role), world.programme.pk).can_manage_finance is expected


MANAGED_SIDES = {
    "admin": {"host", "resource"},
    "manager": {"host", "resource"},
    "coordinator": {"host"},
    "resource_coordinator": {"resource"},
}


@pytest.mark.parametrize("role", ROLES)
def test_a_coordinator_manages_their_own_sides_members_and_a_manager_both_sides(world, role):
    found = access.partnership_access(user(world, role), world.partnership)
    assert found.managed_sides == MANAGED_SIDES.get(role, set())
    assert found.can_manage_members is (role in MANAGED_SIDES)


RECEIVERS = {"host": {"admin", "coordinator", "member"}, "resource": {"admin", "resource_coordinator"}}


@pytest.mark.parametrize("side", ["host", "resource"])
@pytest.mark.parametrize("role", ROLES)
def test_only_someone_on_the_receiving_side_signs_for_a_gift(world, role, side):
    found = access.partnership_access(user(world, role), world.partnership)
    assert found.can_sign_receipt(side) is (role in RECEIVERS[side])


PLAN_PARTIES = {
    "admin": ["ministry"],
    "manager": ["ministry"],
    "me_officer": ["ministry"],
    "coordinator": ["host", "ministry"],
    "resource_coordinator": ["resource", "ministry"],
}


@pytest.mark.parametrize("role", ROLES)
def test_coordinators_sign_a_plan_for_their_side_and_editors_record_the_ministrys_sign_off(world, role):
    found = access.partnership_access(user(world, role), world.partnership)
    assert found.can_sign_plan_for(requires_ministry=True) == PLAN_PARTIES.get(role, [])
    without_ministry = [p for p in PLAN_PARTIES.get(role, []) if p != "ministry"]
    assert found.can_sign_plan_for(requires_ministry=False) == without_ministry


@allowed_for(PROGRAMME_EDITORS)
def test_a_common_indicator_is_changed_by_the_programmes_editors(world, role, expected):
    indicator = Indicator(programme=world.programme, partnership=None)
    assert access.can_edit_indicator(user(world, role), indicator) is expected


@allowed_for(PARTNERSHIP_EDITORS)
def test_a_partnerships_own_indicator_is_changed_by_whoever_changes_the_partnership(world, role, expected):
    indicator = Indicator(programme=world.programme, partnership=world.partnership)
    assert access.can_edit_indicator(user(world, role), indicator) is expected


# --- the directory --------------------------------------------------------------------------------------


@allowed_for(PROGRAMME_EDITORS | {"coordinator", "resource_coordinator", "other_coordinator"})
def test_programme_editors_and_coordinators_add_institutions(world, role, expected):
    assert access.can_create_institution(user(world, role)) is expected


@allowed_for(PROGRAMME_EDITORS | {"coordinator"})
def test_a_coordinator_maintains_only_the_institutions_on_their_own_side(world, role, expected):
    host = world.partnership.side_links.get(side="host").institution
    assert access.can_edit_institution(user(world, role), host) is expected


@allowed_for(READERS)
def test_an_institutions_people_are_seen_by_staff_and_members_of_its_partnerships(world, role, expected):
    host = world.partnership.side_links.get(side="host").institution
    assert access.can_see_people_of(user(world, role), host) is expected


# --- readers (viewers): what a donor or ministry reader sees (docs/ACCESS.md) -------------------------------

# Those in scope who read only; they see results, approved reports and summaries, not the internal work.
READ_ONLY = {"programme_viewer", "partnership_viewer"}
INSIDERS = READERS - READ_ONLY


@allowed_for(READ_ONLY)
def test_programme_viewers_and_partnership_viewers_are_the_readers(world, role, expected):
    assert access.partnership_access(user(world, role), world.partnership).is_reader is expected


@allowed_for(INSIDERS)
def test_drafts_the_conversation_evidence_and_contacts_are_for_insiders(world, role, expected):
    found = access.partnership_access(user(world, role), world.partnership)
    assert found.can_see_drafts is expected
    assert found.can_see_conversation is expected
    assert found.can_see_evidence is expected
    assert found.can_see_contacts is expected
    assert found.can_see_period(approved=False) is expected


@allowed_for(READERS)
def test_an_approved_period_is_for_everyone_in_scope(world, role, expected):
    assert (
        access.partnership_access(user(world, role), world.partnership).can_see_period(approved=True)
        is expected
    )


@allowed_for(INSIDERS)
def test_a_programme_grant_opens_evidence_and_contacts_to_readers_but_never_drafts(world, role, expected):
    world.programme.viewers_see_evidence = True
    world.programme.viewers_see_contacts = True
    world.programme.save()
    partnership = Partnership.objects.select_related("programme").get(pk=world.partnership.pk)
    found = access.partnership_access(user(world, role), partnership)
    in_scope = role in READERS
    assert found.can_see_evidence is in_scope
    assert found.can_see_contacts is in_scope
    assert found.can_see_conversation is expected
    assert found.can_see_drafts is expected


def test_the_grants_of_a_programme_are_its_two_flags(world):
    assert access.grants_of(world.programme) == frozenset()
    world.programme.viewers_see_contacts = True
    assert access.grants_of(world.programme) == {access.GRANT_CONTACTS}
    assert access.grants_of(None) == frozenset()


@allowed_for(INSIDERS)
def test_the_programme_viewer_sees_no_drafts_or_contacts_programme_wide(world, role, expected):
    found = access.programme_access(user(world, role), world.programme.pk, world.programme)
    if role in PROGRAMME_STAFF:
        assert found.can_see_drafts is expected and found.can_see_contacts is expected
    else:
        assert not found.can_see_drafts and not found.can_see_contacts


@allowed_for(INSIDERS)
def test_draft_partnerships_are_those_of_insiders(world, role, expected):
    visible = Partnership.objects.filter(access.in_draft_partnerships(user(world, role), via=""))
    assert (world.partnership in visible) is expected


@allowed_for(INSIDERS)
def test_an_institutions_contact_details_are_for_insiders(world, role, expected):
    host = world.partnership.side_links.get(side="host").institution
    assert access.can_see_contacts_of(user(world, role), host) is expected


@allowed_for(READERS)
def test_a_programme_granting_contacts_opens_its_institutions_contacts_to_its_readers(world, role, expected):
    world.programme.viewers_see_contacts = True
    world.programme.save()
    host = world.partnership.side_links.get(side="host").institution
    assert access.can_see_contacts_of(user(world, role), host) is expected


@allowed_for(INSIDERS | {"other_coordinator"})
def test_a_users_address_stands_in_for_a_missing_name_only_for_those_who_see_contacts(world, role, expected):
    assert access.sees_contacts_anywhere(user(world, role)) is expected


# --- enforcers ---------------------------------------------------------------------------------------------


def test_data_entry_is_refused_with_404_to_outsiders_and_403_to_read_only_users(world):
    with pytest.raises(Http404):
        access.require_data_entry(world.outsider, world.partnership)
    with pytest.raises(PermissionDenied):
        access.require_data_entry(world.partnership_viewer, world.partnership)
    assert access.require_data_entry(world.member, world.partnership).membership_role == "member"


def test_a_member_may_not_change_the_partnership_itself(world):
    with pytest.raises(PermissionDenied):
        access.require_edit(world.member, world.partnership)
    assert access.require_edit(world.coordinator, world.partnership).can_edit


def test_a_finance_officer_is_refused_programme_editing_but_not_the_ledgers_money(world):
    with pytest.raises(PermissionDenied):
        access.require_programme_editor(world.finance, world.programme.pk)
    access.require_finance(world.finance, world.programme)
    with pytest.raises(PermissionDenied):
        access.require_finance(world.programme_viewer, world.programme.pk)


def test_a_refusal_carries_the_message_it_is_given(world):
    with pytest.raises(PermissionDenied, match="Only the receiving side"):
        access.require(False, "Only the receiving side signs.")
    access.require(True, "never raised")


# --- finding a twin from the directory ----------------------------------------------------------------


@allowed_for(READERS)
def test_a_twin_search_reads_the_partnerships_the_user_sees_and_no_other(world, role, expected):
    from twinning.partnerships.models import PartnershipInstitution

    links = PartnershipInstitution.objects.filter(access.twin_facts(user(world, role)))
    assert links.filter(partnership=world.partnership).exists() is expected
    # Another programme's partnership: only its own coordinator (and an administrator) sees it.
    assert links.filter(partnership=world.other_partnership).exists() is (
        role in {"admin", "other_coordinator"}
    )


def test_an_anonymous_user_s_twin_search_reads_no_partnership(world):
    from twinning.partnerships.models import PartnershipInstitution

    assert not PartnershipInstitution.objects.filter(access.twin_facts(AnonymousUser())).exists()


@allowed_for(PROGRAMME_STAFF)
def test_declared_conflicts_are_for_the_programmes_staff(world, role, expected):
    assert access.can_see_conflicts(user(world, role), world.programme.pk) is expected


@allowed_for(PROGRAMME_EDITORS)
def test_only_programme_editors_act_on_a_twin_search(world, role, expected):
    assert access.can_start_twinning(user(world, role), world.programme.pk) is expected
