"""The shared write helpers every service uses: a change is validated, versioned and audited, or nothing happens."""

import pytest
from django.core.exceptions import ValidationError

from twinning.audit.models import AuditEvent
from twinning.audit.services import related_labels
from twinning.core.services import VersionConflict, create_with_audit, delete_with_audit, update_with_audit
from twinning.directory.models import Institution, Language
from twinning.partnerships.models import Stakeholder
from twinning.testing.factories import InstitutionFactory, PartnershipFactory, StakeholderFactory, UserFactory


def a_stakeholder(**fields: object) -> Stakeholder:
    return StakeholderFactory(**fields)


def an_institution() -> Institution:
    return InstitutionFactory()


def events_about(obj):
    return AuditEvent.objects.filter(target_id=str(obj.pk), target_type__model=obj._meta.model_name)


@pytest.mark.django_db
def test_saving_identical_values_writes_nothing_and_keeps_the_version():
    stakeholder = a_stakeholder(name="Ministry of Health")

    update_with_audit(
        actor=UserFactory(), obj=stakeholder, data={"name": "Ministry of Health"}, expected_version=1
    )

    stakeholder.refresh_from_db()
    assert stakeholder.version == 1
    assert not events_about(stakeholder).exists()


@pytest.mark.django_db
def test_a_change_bumps_the_version_and_writes_one_event_with_before_and_after():
    user = UserFactory()
    stakeholder = a_stakeholder(name="Ministry of Health", contact_name="")

    update_with_audit(
        actor=user,
        obj=stakeholder,
        data={"name": "District health office", "contact_name": ""},
        expected_version=1,
        parent=stakeholder.partnership,
    )

    stakeholder.refresh_from_db()
    event = events_about(stakeholder).get()
    assert (stakeholder.name, stakeholder.version) == ("District health office", 2)
    assert (event.actor, event.action) == (user, AuditEvent.Action.UPDATE)
    assert event.changes == {"name": ["Ministry of Health", "District health office"]}
    assert event.parent_id == str(stakeholder.partnership.pk)


@pytest.mark.django_db
def test_a_save_from_a_stale_version_is_refused_and_changes_nothing():
    stakeholder = a_stakeholder(name="Ministry of Health")
    update_with_audit(actor=None, obj=stakeholder, data={"name": "First edit"}, expected_version=1)
    stale = Stakeholder.objects.get(pk=stakeholder.pk)
    stale.version = 1

    with pytest.raises(VersionConflict):
        update_with_audit(actor=None, obj=stale, data={"name": "Second edit"}, expected_version=1)

    stakeholder.refresh_from_db()
    assert (stakeholder.name, stakeholder.version) == ("First edit", 2)
    assert events_about(stakeholder).count() == 1


@pytest.mark.django_db
def test_a_reason_alone_is_recorded_even_when_no_field_changed():
    stakeholder = a_stakeholder(name="Ministry of Health")

    update_with_audit(
        actor=None, obj=stakeholder, data={"name": "Ministry of Health"}, reason="Checked by phone"
    )

    stakeholder.refresh_from_db()
    event = events_about(stakeholder).get()
    assert (event.changes, event.reason, stakeholder.version) == ({}, "Checked by phone", 2)


@pytest.mark.django_db
def test_many_to_many_changes_are_saved_and_audited_as_sorted_names_in_each_language():
    institution = an_institution()
    english, french = (
        Language.objects.get_or_create(code=c, defaults={"name": n})[0]
        for c, n in [("en", "English"), ("fr", "French")]
    )
    institution.languages.set([english])

    update_with_audit(actor=None, obj=institution, data={"languages": [french, english]})

    assert set(institution.languages.all()) == {english, french}
    assert events_about(institution).get().changes == {
        "languages": [related_labels([english]), related_labels([english, french])]
    }


@pytest.mark.django_db
def test_invalid_values_are_refused_before_anything_is_written():
    stakeholder = a_stakeholder(name="Ministry of Health")

    with pytest.raises(ValidationError):
        update_with_audit(actor=None, obj=stakeholder, data={"name": ""})

    stakeholder.refresh_from_db()
    assert (stakeholder.name, stakeholder.version) == ("Ministry of Health", 1)
    assert not events_about(stakeholder).exists()


@pytest.mark.django_db
def test_a_creation_records_the_values_a_reader_needs_and_leaves_out_keys_and_the_parent():
    partnership = PartnershipFactory()

    stakeholder = create_with_audit(
        actor=None,
        obj=Stakeholder(partnership=partnership, kind=Stakeholder.Kind.MINISTRY, name="Ministry of Health"),
        parent=partnership,
    )

    event = events_about(stakeholder).get()
    assert event.action == AuditEvent.Action.CREATE
    assert event.changes["name"] == [None, "Ministry of Health"]
    assert event.changes.keys().isdisjoint(
        {"id", "uuid", "version", "created_at", "updated_at", "partnership"}
    )
    assert all(after not in (None, "", []) for _, after in event.changes.values())


@pytest.mark.django_db
def test_an_invalid_creation_saves_nothing_and_writes_no_event():
    partnership = PartnershipFactory()

    with pytest.raises(ValidationError):
        create_with_audit(actor=None, obj=Stakeholder(partnership=partnership, name=""), parent=partnership)

    assert not Stakeholder.objects.filter(partnership=partnership).exists()
    assert not AuditEvent.objects.filter(target_type__model="stakeholder").exists()


@pytest.mark.django_db
def test_a_deletion_removes_the_record_and_keeps_its_event_on_the_parent_page():
    stakeholder = a_stakeholder(name="Ministry of Health")
    partnership, key = stakeholder.partnership, stakeholder.pk

    delete_with_audit(actor=None, obj=stakeholder, parent=partnership, reason="Duplicate")

    assert not Stakeholder.objects.filter(pk=key).exists()
    event = AuditEvent.objects.for_object(partnership).get()
    assert (event.action, event.target_repr, event.reason) == (
        AuditEvent.Action.DELETE,
        "Ministry of Health",
        "Duplicate",
    )
