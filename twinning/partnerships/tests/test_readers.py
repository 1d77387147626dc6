"""A partnership's readers (programme viewers, partnership viewers) see people's names and roles, not their e-mail
addresses, unless the programme grants contact details (docs/ACCESS.md); the page, the API and the history agree.
"""

import pytest
from django.urls import reverse

from twinning.accounts.services import api_token_create
from twinning.audit.models import AuditEvent
from twinning.partnerships import services
from twinning.partnerships.models import Stakeholder
from twinning.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
READERS = ["programme_viewer", "partnership_viewer"]
EMAIL = "liaison@moh.example.org"


@pytest.fixture
def stakeholder(world):
    return Stakeholder.objects.create(
        partnership=world.partnership,
        kind="ministry",
        name="MoH",
        contact_name="Dr Ama Liaison",
        contact_email=EMAIL,
    )


@pytest.fixture
def nameless_member(world):
    world.member.full_name = ""
    world.member.save()
    return world.member


def detail(client, world, role):
    client.force_login(getattr(world, role))
    return client.get(reverse("partnerships:detail", args=[world.partnership.uuid]))


@pytest.mark.parametrize("role", READERS)
def test_reader_sees_names_but_no_email_address(client, world, stakeholder, nameless_member, role):
    body = detail(client, world, role).content.decode()
    assert "Dr Ama Liaison" in body and world.coordinator.full_name in body
    assert EMAIL not in body
    assert nameless_member.email not in body and "(no name given)" in body


@pytest.mark.parametrize("role", ["coordinator", "member", "manager", "finance"])
def test_insiders_see_email_addresses(client, world, stakeholder, nameless_member, role):
    body = detail(client, world, role).content.decode()
    assert EMAIL in body and nameless_member.email in body


@pytest.mark.parametrize("role", READERS)
def test_a_programme_granting_contacts_shows_them_to_its_readers(client, world, stakeholder, role):
    world.programme.viewers_see_contacts = True
    world.programme.save()
    assert EMAIL in detail(client, world, role).content.decode()


def test_the_history_of_adding_a_member_hides_their_address_from_readers(client, world):
    services.membership_add(
        actor=world.coordinator,
        partnership=world.partnership,
        user=UserFactory(email="newcomer@example.org", full_name="Newcomer Person"),
        side="host",
        role="member",
    )
    body = detail(client, world, "programme_viewer").content.decode()
    assert "newcomer@example.org" not in body
    assert "newcomer@example.org" in detail(client, world, "coordinator").content.decode()


def test_readers_get_the_short_history_and_editors_the_full_one(client, world):
    services.partnership_update(
        actor=world.coordinator, partnership=world.partnership, data={"title": "Renamed partnership"}
    )
    short = detail(client, world, "programme_viewer")
    full = detail(client, world, "coordinator")
    assert short.context["history_full"] is False and full.context["history_full"] is True
    assert "The latest changes, in short." in short.content.decode()
    assert " → Renamed partnership" in full.content.decode()


# --- the API ----------------------------------------------------------------------------------------


def api_detail(client, world, role):
    who = getattr(world, role)
    _token, raw = api_token_create(actor=who, user=who, name="t")
    return client.get(f"/api/v1/partnerships/{world.partnership.uuid}", HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.parametrize("role", READERS)
def test_api_blanks_a_stakeholders_email_for_readers(client, world, stakeholder, role):
    response = api_detail(client, world, role)
    assert response.status_code == 200
    [found] = response.json()["stakeholders"]
    assert found["contact_name"] == "Dr Ama Liaison" and found["contact_email"] == ""
    assert Stakeholder.objects.get(pk=stakeholder.pk).contact_email == EMAIL


def test_api_gives_a_coordinator_the_stakeholders_email(client, world, stakeholder):
    [found] = api_detail(client, world, "coordinator").json()["stakeholders"]
    assert found["contact_email"] == EMAIL


def test_api_outsider_gets_404(client, world, stakeholder):
    assert api_detail(client, world, "outsider").status_code == 404


# --- what the programme grants ------------------------------------------------------------------------


def readers_url(world) -> str:
    return reverse("partnerships:programme_readers", args=[world.programme.uuid])


def test_the_manager_grants_viewers_evidence_and_contacts_with_an_audit_row(client, world):
    client.force_login(world.manager)
    assert client.get(readers_url(world)).status_code == 200
    response = client.post(readers_url(world), {"viewers_see_evidence": "on"})
    assert response.status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.viewers_see_evidence and not world.programme.viewers_see_contacts
    event = AuditEvent.objects.for_object(world.programme).first()
    assert event.changes == {"viewers_see_evidence": [False, True]}


@pytest.mark.parametrize("role", ["me_officer", "finance", "programme_viewer"])
def test_other_staff_may_not_change_what_viewers_see(client, world, role):
    client.force_login(getattr(world, role))
    assert client.get(readers_url(world)).status_code == 403
    assert client.post(readers_url(world), {"viewers_see_evidence": "on"}).status_code == 403
    world.programme.refresh_from_db()
    assert not world.programme.viewers_see_evidence


@pytest.mark.parametrize("role", ["outsider", "coordinator", "partnership_viewer"])
def test_those_outside_the_programme_staff_get_404(client, world, role):
    client.force_login(getattr(world, role))
    assert client.get(readers_url(world)).status_code == 404
