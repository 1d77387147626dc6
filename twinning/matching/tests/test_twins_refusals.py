"""Find a twin refuses what a round would: excluded pairs and a second partnership of the same two."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, close_old_connections, connection
from django.urls import reverse

from twinning.matching import services
from twinning.matching.models import DeclaredConflict, RoundApplicant
from twinning.matching.tests.factories import institution
from twinning.matching.tests.test_api import api
from twinning.matching.tests.test_twins import gulu_and_candidates, manager_of_a_programme
from twinning.partnerships.models import Partnership, PartnershipInstitution, Stage

pytestmark = pytest.mark.django_db


def conflict(programme, x, y):
    a, b = sorted((x, y), key=lambda i: i.pk)
    DeclaredConflict.objects.create(programme=programme, institution_a=a, institution_b=b, reason="A dispute")


def _start_data(world, candidate):
    return {"candidate": candidate.uuid, "role": "host", "programme": world.programme.uuid, "reason": "Fits"}


def test_an_excluded_candidate_cannot_be_started_on_the_web_or_the_api(client, world):
    gulu, (leeds, lyon, _quebec, oslo) = gulu_and_candidates()
    full = institution("Full Hospital", country="GB", capacity=0)
    conflict(world.programme, gulu, lyon)
    client.force_login(world.manager)
    url = reverse("matching:twin_start", args=[gulu.uuid])
    expected = {
        oslo: "no common working language",
        lyon: "A conflict is declared",
        full: "has no places left",
    }
    for candidate, message in expected.items():
        response = client.post(url, _start_data(world, candidate))
        assert response.status_code == 400 and message in response.content.decode(), candidate.name
        response = api(world.manager).post(
            f"/api/v1/matching/institutions/{gulu.uuid}/twins/partnership",
            {
                "programme": str(world.programme.uuid),
                "candidate": str(candidate.uuid),
                "role": "host",
                "reason": "Fits",
            },
            content_type="application/json",
        )
        assert response.status_code == 422 and message in response.content.decode(), candidate.name
    assert not Partnership.objects.filter(programme=world.programme, institutions=gulu).exists()
    # The pair a round would accept is started.
    assert client.post(url, _start_data(world, leeds)).status_code == 302


def test_a_pair_the_round_would_exclude_is_not_added_to_a_round(client, world):
    gulu, (_leeds, lyon, _quebec, oslo) = gulu_and_candidates()
    conflict(world.programme, gulu, lyon)
    round = services.round_create(actor=world.manager, programme=world.programme, name="Open round")
    client.force_login(world.manager)
    url = reverse("matching:twin_round_add", args=[gulu.uuid])
    for candidate in (oslo, lyon):
        data = {"candidate": candidate.uuid, "role": "host", "round": round.uuid, "reason": "Try"}
        assert client.post(url, data).status_code == 400
    assert not RoundApplicant.objects.filter(round=round).exists()


def test_the_same_two_are_not_started_twice_while_their_partnership_is_active(client, world):
    gulu, (leeds, *_rest) = gulu_and_candidates()
    leeds.capacity = 5
    leeds.save()
    gulu.capacity = 5
    gulu.save()
    client.force_login(world.manager)
    url = reverse("matching:twin_start", args=[gulu.uuid])
    assert client.post(url, _start_data(world, leeds)).status_code == 302
    response = client.post(url, _start_data(world, leeds))
    assert response.status_code == 400 and "already partners in this programme" in response.content.decode()
    # Leeds as the host, Gulu the resource: the same two, refused as well.
    response = client.post(url, {**_start_data(world, leeds), "role": "resource"})
    assert response.status_code == 400
    assert Partnership.objects.filter(institutions=gulu).filter(institutions=leeds).count() == 1
    # Once it has closed, they may twin again.
    Partnership.objects.filter(institutions=gulu).update(stage=Stage.CLOSED)
    assert client.post(url, _start_data(world, leeds)).status_code == 302


def test_an_already_partnered_candidate_is_never_chosen_for_the_user(client, world):
    programme, manager = manager_of_a_programme()
    gulu, (leeds, *_rest) = gulu_and_candidates()
    leeds.capacity = 5
    leeds.save()
    gulu.capacity = 5
    gulu.save()
    partnership = Partnership.objects.create(programme=programme, title="Gulu–Leeds")
    PartnershipInstitution.objects.create(partnership=partnership, institution=gulu, side="host")
    PartnershipInstitution.objects.create(partnership=partnership, institution=leeds, side="resource")
    client.force_login(manager)
    body = client.get(
        reverse("matching:twins", args=[gulu.uuid]), {"programme": programme.uuid}
    ).content.decode()
    leeds_radio = body[body.index(f'value="{leeds.uuid}"') :].split(">", 1)[0]
    assert "Already partners" in body and "checked" not in leeds_radio and "disabled" in leeds_radio
    assert body.count(" checked>") == 1  # the best candidate that is not a partner yet


@pytest.mark.django_db(transaction=True)
def test_parallel_starts_of_the_same_pair_create_one_partnership():
    programme, manager = manager_of_a_programme()
    gulu, (leeds, *_rest) = gulu_and_candidates()
    for inst in (gulu, leeds):
        inst.capacity = 5
        inst.save()
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("threads need a database file or PostgreSQL")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def start() -> None:
        try:
            barrier.wait()
            services.twin_partnership_start(
                actor=manager,
                programme=programme,
                institution=gulu,
                candidate=leeds,
                role="host",
                reason="Fits",
            )
            outcomes.append("created")
        except ValidationError:
            outcomes.append("refused")
        except OperationalError:  # SQLite: the database was busy past its timeout
            outcomes.append("busy")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) in (["created", "refused"], ["busy", "created"])
    assert (
        Partnership.objects.filter(programme=programme, institutions=gulu).filter(institutions=leeds).count()
        == 1
    )
