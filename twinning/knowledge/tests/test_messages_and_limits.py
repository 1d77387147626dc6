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


def test_a_step_asked_from_a_page_another_editor_has_moved_on_is_not_taken_and_gives_the_comment_back(
    client, world
):
    """Tester's finding (issue 12): the M&E officer returns to draft from a page on which the manager has just
    published the practice; she is told what happened, with her comment, not a 403 for a step she never chose."""
    from django.contrib.messages import get_messages

    practice = PracticeFactory(partnership=world.partnership, status=S.SUBMITTED)
    client.force_login(world.manager)
    url = reverse("knowledge:move", args=[practice.uuid])
    assert (
        client.post(
            url, {"to_status": "programme", "from_status": "submitted", "comment": "Good"}
        ).status_code
        == 302
    )
    assert Practice.objects.get().status == S.PROGRAMME
    client.force_login(world.me_officer)

    response = client.post(url, {"to_status": "draft", "from_status": "submitted", "comment": "needs work"})

    assert response.status_code == 302 and response["Location"].endswith(f"/{practice.uuid}/")
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said[-2:] == [
        "This practice was moved meanwhile and is now: Published in the programme. Your step was not taken.",
        "Your comment was not recorded: needs work",
    ]
    assert Practice.objects.get().status == S.PROGRAMME
    # The page carries the status it showed, so the form sends it.
    page = client.get(reverse("knowledge:detail", args=[practice.uuid])).content.decode()
    assert 'name="from_status" value="programme"' in page
