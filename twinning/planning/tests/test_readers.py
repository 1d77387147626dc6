"""A draft plan version is unapproved work: readers (programme and partnership viewers) see the agreed versions
only, on the pages and over the API (docs/ACCESS.md)."""

import pytest
from django.urls import reverse

from twinning.accounts.services import api_token_create
from twinning.planning import services
from twinning.planning.tests.factories import agree, plan_with_indicator

pytestmark = pytest.mark.django_db
READERS = ["programme_viewer", "partnership_viewer"]


@pytest.fixture
def versions(world):
    """Version 1 agreed, version 2 a draft being worked on."""
    plan, _objective, _adoption = plan_with_indicator(world)
    agreed = agree(world, plan)
    draft = services.plan_new_version(actor=world.coordinator, plan=agreed)
    return agreed, draft


@pytest.mark.parametrize("role", READERS)
def test_reader_sees_the_plan_in_force_not_the_draft(client, world, versions, role):
    agreed, draft = versions
    client.force_login(getattr(world, role))
    response = client.get(reverse("planning:plan", args=[world.partnership.uuid]))
    assert response.status_code == 200
    assert response.context["plan"].pk == agreed.pk
    assert [v.pk for v in response.context["versions"]] == [agreed.pk]
    draft_url = reverse("planning:version", args=[world.partnership.uuid, draft.uuid])
    adoption = draft.plan_indicators.first()
    adoption_url = reverse("planning:plan_indicator", args=[world.partnership.uuid, adoption.uuid])
    for url in (draft_url, adoption_url):
        refused = client.get(url)
        assert refused.status_code == 403
        # Said as a page the role may not read, not as one it may read but not change (fresh tester).
        page = refused.content.decode()
        assert "This is not open to your role" in page and "not change it" not in page
        assert "readers see a version once it is agreed" in page


def test_the_coordinator_works_on_the_draft(client, world, versions):
    _agreed, draft = versions
    client.force_login(world.coordinator)
    response = client.get(reverse("planning:plan", args=[world.partnership.uuid]))
    assert response.context["plan"].pk == draft.pk
    assert len(response.context["versions"]) == 2


def test_outsider_gets_404_for_the_draft(client, world, versions):
    _agreed, draft = versions
    client.force_login(world.outsider)
    assert (
        client.get(reverse("planning:version", args=[world.partnership.uuid, draft.uuid])).status_code == 404
    )


def _api(client, user, path):
    _token, raw = api_token_create(actor=user, user=user, name="t")
    return client.get(f"/api/v1/planning{path}", HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.parametrize("role", READERS)
def test_api_gives_readers_the_agreed_versions_only(client, world, versions, role):
    agreed, draft = versions
    listed = _api(client, getattr(world, role), f"/partnerships/{world.partnership.uuid}/plans").json()
    assert [p["uuid"] for p in listed] == [str(agreed.uuid)]
    assert _api(client, getattr(world, role), f"/plans/{draft.uuid}").status_code == 403
    assert _api(client, getattr(world, role), f"/plans/{agreed.uuid}").status_code == 200


def test_api_gives_a_member_every_version(client, world, versions):
    listed = _api(client, world.member, f"/partnerships/{world.partnership.uuid}/plans").json()
    assert len(listed) == 2
