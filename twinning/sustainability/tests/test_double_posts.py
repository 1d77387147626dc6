"""A form posted twice (a double click on "Add to the plan", "Add") adds one record: each create form carries the
UUID of the record it is about to make, chosen when the form is shown, and the create services return the record
already made under it (core.services.created_before, as offline entry does). Tester's finding: the same action
showed twice after a double click."""

import re
import uuid

import pytest
from django.urls import reverse

from twinning.audit.models import AuditEvent
from twinning.sustainability import services, transition_services
from twinning.sustainability.models import AssessmentAction
from twinning.sustainability.models_transition import TransitionRisk
from twinning.sustainability.tests import role_rules
from twinning.sustainability.tests.test_api import URL, api
from twinning.sustainability.tests.transition_factories import signed_plan

pytestmark = pytest.mark.django_db
HIDDEN_UUID = re.compile(r'<input type="hidden" name="uuid" value="([0-9a-f-]{36})"')


def _revealed_round(world):
    objects = role_rules._assessment_objects(world)
    return AssessmentAction.objects.get(uuid=objects["action_uuid"]).round


def test_an_action_form_posted_twice_adds_one_action(client, world):
    assessment_round = _revealed_round(world)
    client.force_login(world.coordinator)
    page = client.get(reverse("sustainability:round", args=[assessment_round.uuid])).content.decode()
    shown = HIDDEN_UUID.findall(page)
    assert shown, "the add form carries the new action's id"
    data = {"uuid": shown[-1], "title": "Agree the next visit", "status": "open", "version": "1"}
    url = reverse("sustainability:action_add", args=[assessment_round.uuid])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert assessment_round.actions.filter(title="Agree the next visit").count() == 1
    made = assessment_round.actions.get(title="Agree the next visit")
    assert str(made.uuid) == shown[-1]
    assert AuditEvent.objects.filter(target_id=str(made.pk), action="create").count() == 1
    # The same words posted again from a form shown afresh are a second action, as the person meant.
    again = HIDDEN_UUID.findall(
        client.get(reverse("sustainability:round", args=[assessment_round.uuid])).content.decode()
    )[-1]
    assert again != shown[-1]
    assert client.post(url, {**data, "uuid": again}).status_code == 302
    assert assessment_round.actions.filter(title="Agree the next visit").count() == 2


def test_the_action_service_and_api_return_the_action_already_made_under_the_id(world):
    assessment_round = _revealed_round(world)
    key = uuid.uuid4()
    first = services.action_create(
        actor=world.coordinator, assessment_round=assessment_round, uuid=key, title="A"
    )
    second = services.action_create(
        actor=world.coordinator, assessment_round=assessment_round, uuid=key, title="A"
    )
    assert first.pk == second.pk and assessment_round.actions.filter(uuid=key).count() == 1
    client = api(world.coordinator)
    path = f"{URL}/rounds/{assessment_round.uuid}/actions"
    body = {"uuid": str(uuid.uuid4()), "title": "Share the minutes"}
    one = client.post(path, body, content_type="application/json")
    two = client.post(path, body, content_type="application/json")
    assert one.status_code == two.status_code == 201, two.json()
    assert one.json()["uuid"] == two.json()["uuid"] == body["uuid"]
    assert assessment_round.actions.filter(title="Share the minutes").count() == 1


def test_an_id_of_another_round_is_refused(world):
    assessment_round = _revealed_round(world)
    other = _revealed_round(world)
    taken = other.actions.get().uuid
    with pytest.raises(Exception) as refused:
        services.action_create(
            actor=world.coordinator, assessment_round=assessment_round, uuid=taken, title="A"
        )
    assert "another record" in str(refused.value)
    assert not assessment_round.actions.filter(uuid=taken).exists()


def test_a_transition_form_posted_twice_adds_one_part_and_withdraws_the_signatures_once(client, world):
    plan = signed_plan(world)
    client.force_login(world.coordinator)
    page = client.get(reverse("sustainability:transition", args=[world.partnership.uuid])).content.decode()
    assert len(HIDDEN_UUID.findall(page)) == 3  # item, risk and milestone forms
    key = str(uuid.uuid4())
    url = reverse("sustainability:transition_risk_add", args=[world.partnership.uuid])
    data = {"uuid": key, "risk": "The budget line is cut", "mitigation": "Ask the ministry early"}
    assert client.post(url, data).status_code == 302
    withdrawn = AuditEvent.objects.count()
    assert client.post(url, data).status_code == 302
    assert TransitionRisk.objects.filter(plan=plan, risk="The budget line is cut").count() == 1
    assert AuditEvent.objects.count() == withdrawn  # the second post wrote nothing
    milestone = {"uuid": str(uuid.uuid4()), "title": "Handover", "due_date": "2027-01-31"}
    for _ in range(2):
        transition_services.transition_milestone_add(
            actor=world.coordinator,
            plan=plan,
            title="Handover",
            due_date=milestone["due_date"],
            uuid=uuid.UUID(milestone["uuid"]),
        )
    assert plan.milestones.filter(title="Handover").count() == 1
