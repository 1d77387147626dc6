"""What the audit log stores: one event per change, with who, what, why and the record whose page shows it."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record, diff, snapshot
from twinning.contributions.models import Award
from twinning.testing.factories import (
    InstitutionFactory,
    PartnershipFactory,
    ProgrammeFactory,
    StakeholderFactory,
    UserFactory,
)


@pytest.mark.django_db
def test_an_event_stores_who_did_what_to_which_record_and_why():
    user = UserFactory(email="ana@example.org")
    stakeholder = StakeholderFactory(name="District health office")

    event = audit_record(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        obj=stakeholder,
        changes={"name": ["Ministry of Health", "District health office"]},
        reason="Renamed after the merger",
        parent=stakeholder.partnership,
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == user
    assert stored.action == AuditEvent.Action.UPDATE
    assert (stored.target_type.model, stored.target_id) == ("stakeholder", str(stakeholder.pk))
    assert stored.target_repr == "District health office"
    assert stored.changes == {"name": ["Ministry of Health", "District health office"]}
    assert stored.reason == "Renamed after the merger"
    assert (stored.parent_type.model, stored.parent_id) == ("partnership", str(stakeholder.partnership.pk))


@pytest.mark.django_db
def test_an_event_without_a_parent_stores_none_and_no_changes_is_an_empty_record():
    institution = InstitutionFactory()

    event = audit_record(actor=UserFactory(), action=AuditEvent.Action.CREATE, obj=institution)

    assert (event.parent_type, event.parent_id, event.changes, event.reason) == (None, "", {}, "")


@pytest.mark.django_db
@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_a_change_made_by_no_signed_in_person_is_stored_without_an_actor(actor):
    event = audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=InstitutionFactory())

    assert AuditEvent.objects.get(pk=event.pk).actor is None


@pytest.mark.django_db
def test_the_record_is_named_in_at_most_300_characters():
    institution = InstitutionFactory()
    institution.name = "y" * 400  # type: ignore[assignment]  # longer than the column, to see the cut

    event = audit_record(actor=None, action=AuditEvent.Action.CREATE, obj=institution)

    assert event.target_repr == "y" * 300


@pytest.mark.django_db
def test_a_record_history_holds_its_own_events_and_its_childrens_but_no_one_elses():
    partnership = PartnershipFactory()
    stakeholder = StakeholderFactory(partnership=partnership)
    other = PartnershipFactory()
    own = audit_record(actor=None, action=AuditEvent.Action.UPDATE, obj=partnership)
    child = audit_record(actor=None, action=AuditEvent.Action.CREATE, obj=stakeholder, parent=partnership)
    audit_record(actor=None, action=AuditEvent.Action.UPDATE, obj=other)

    assert set(AuditEvent.objects.for_object(partnership)) == {own, child}
    assert list(AuditEvent.objects.for_object(stakeholder)) == [child]


def test_a_snapshot_holds_plain_values_a_reader_and_json_understand():
    programme = ProgrammeFactory.build(name="Health twinning")
    award = Award(programme=programme, donor="Donor", amount=Decimal("1250.50"))
    award.start_date = datetime.date(2026, 1, 1)

    assert snapshot(award, ["programme", "amount", "start_date", "donor", "title"]) == {
        "programme": "Health twinning",
        "amount": "1250.50",
        "start_date": "2026-01-01",
        "donor": "Donor",
        "title": "",
    }


@pytest.mark.django_db
def test_a_snapshot_lists_many_to_many_values_as_sorted_names_and_none_before_the_first_save():
    partnership = PartnershipFactory()
    host, resource = (link.institution for link in partnership.side_links.order_by("side"))

    assert snapshot(partnership, ["institutions"]) == {"institutions": sorted([str(host), str(resource)])}
    assert snapshot(PartnershipFactory.build(), ["institutions"]) == {"institutions": []}


def test_a_diff_holds_only_what_changed_as_before_and_after():
    before = {"title": "Old", "stage": "scoping", "goal": ""}
    after = {"title": "New", "stage": "scoping", "goal": "Safer births"}

    assert diff(before, after) == {"title": ["Old", "New"], "goal": ["", "Safer births"]}


def test_a_diff_of_a_field_not_read_before_starts_from_none_and_identical_values_give_nothing():
    assert diff({}, {"title": "New"}) == {"title": [None, "New"]}
    assert diff({"title": "Same", "tags": ["a", "b"]}, {"title": "Same", "tags": ["a", "b"]}) == {}


def test_a_snapshot_keeps_a_list_in_its_own_order_and_sorts_only_a_set():
    from twinning.audit.services import _plain

    # A scale's labels run from its lowest point up: sorted, "Always" would come first.
    assert _plain(["Never", "Rarely", "Sometimes", "Often", "Always"]) == [
        "Never",
        "Rarely",
        "Sometimes",
        "Often",
        "Always",
    ]
    assert _plain(("b", datetime.date(2026, 1, 2))) == ["b", "2026-01-02"]
    assert _plain({"b", "a", "c"}) == ["a", "b", "c"]
