"""Read-only users (a programme's viewers, a partnership's viewers) on the pages of the joint action plan, the
transition plan, graduation and follow-ups: they read what docs/ACCESS.md lets them read, are offered no form that
writes, and get 403 when they post anyway; an outsider gets 404 everywhere (tester's finding: the API already
answered so)."""

import re

import pytest
from django.urls import reverse

from twinning.sustainability.tests import role_rules

pytestmark = pytest.mark.django_db

WRITE_FORM = re.compile(r'<form[^>]*method="post"[^>]*action="([^"]*)"', re.IGNORECASE)


def _pages(world, objects):
    p, r = world.partnership.uuid, objects["assessment_round_uuid"]
    return {
        "round": reverse("sustainability:round", args=[r]),
        "transition": reverse("sustainability:transition", args=[p]),
        "graduation": reverse("sustainability:graduation", args=[p]),
        "graduation_review": reverse("sustainability:graduation_review", args=[p, objects["review_uuid"]]),
        "follow_ups": reverse("sustainability:follow_ups", args=[p]),
        "follow_up": reverse("sustainability:follow_up", args=[p, objects["follow_up_uuid"]]),
    }


def _writes(world, objects):
    p, r = world.partnership.uuid, objects["assessment_round_uuid"]
    return [
        reverse("sustainability:action_add", args=[r]),
        reverse("sustainability:action_edit", args=[r, objects["action_uuid"]]),
        reverse("sustainability:transition_create", args=[p]),
        reverse("sustainability:transition_edit", args=[p]),
        reverse("sustainability:transition_sign", args=[p]),
        reverse("sustainability:transition_item_add", args=[p]),
        reverse("sustainability:transition_risk_add", args=[p]),
        reverse("sustainability:transition_milestone_add", args=[p]),
        reverse("sustainability:transition_part_remove", args=[p, objects["part_uuid"]]),
        reverse("sustainability:graduation_open", args=[p]),
        reverse("sustainability:graduation_review", args=[p, objects["review_uuid"]]),
        reverse("sustainability:follow_up", args=[p, objects["follow_up_uuid"]]),
    ]


@pytest.mark.parametrize("reader", ["programme_viewer", "partnership_viewer"])
def test_readers_read_the_pages_are_offered_no_write_form_and_get_403_on_writes(client, world, reader):
    objects = role_rules.objects(world)
    client.force_login(getattr(world, reader))
    writes = set(_writes(world, objects))
    for name, url in _pages(world, objects).items():
        response = client.get(url)
        if reader == "partnership_viewer" and name.startswith("graduation"):
            # Graduation evidence reads unapproved results: not for a partnership's viewers (docs/ACCESS.md).
            assert response.status_code == 403, name
            continue
        assert response.status_code == 200, name
        offered = set(WRITE_FORM.findall(response.content.decode())) & writes
        assert not offered, (name, offered)
    for url in writes:
        assert client.post(url, {"title": "x"}).status_code == 403, url


def test_an_outsider_gets_404_on_every_page_and_write(client, world):
    objects = role_rules.objects(world)
    client.force_login(world.outsider)
    for url in [*_pages(world, objects).values(), *_writes(world, objects)]:
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"title": "x"}).status_code == 404, url
