"""A fresh tester's findings (issue 12, round 4): plurals, a bare 403 for a step the workflow does not take."""

import pytest
from django.test import Client
from django.urls import reverse

from twinning.accounts.services import api_token_create
from twinning.knowledge.models import Practice
from twinning.knowledge.tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db
S = Practice.Status


def test_a_manager_asking_for_a_step_the_workflow_does_not_take_is_told_why(client, world):
    practice = PracticeFactory(partnership=world.partnership, status=S.DRAFT)
    client.force_login(world.manager)
    response = client.post(reverse("knowledge:move", args=[practice.uuid]), {"to_status": "withdrawn"})
    assert response.status_code == 403
    assert "does not take this step" in response.content.decode()
    _token, raw = api_token_create(actor=world.manager, user=world.manager, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    refused = api.post(
        f"/api/v1/knowledge/practices/{practice.uuid}/steps",
        {"to_status": "withdrawn", "comment": "why"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and "does not take this step" in refused.content.decode()
    client.force_login(world.outsider)
    assert (
        client.post(reverse("knowledge:move", args=[practice.uuid]), {"to_status": "withdrawn"}).status_code
        == 404
    )
    client.force_login(world.manager)
    assert (
        client.post(reverse("knowledge:move", args=[practice.uuid]), {"to_status": "nonsense"}).status_code
        == 400
    )
    assert Practice.objects.get().status == S.DRAFT
