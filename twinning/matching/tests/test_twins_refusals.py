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


# --- the search page --------------------------------------------------------------------------------------


def test_only_an_ended_partnership_counts_as_an_earlier_one_in_the_search_and_the_round(world):
    from twinning.matching.compute import round_context
    from twinning.matching.tests.factories import small_round
    from twinning.matching.twins import TwinQuery, twin_search

    round, apps = small_round(world.manager, world.programme)
    gulu, leeds = apps["gulu"].institution, apps["leeds"].institution
    partnership = Partnership.objects.create(
        programme=world.programme, title="Gulu–Leeds", stage=Stage.PLANNING
    )
    PartnershipInstitution.objects.create(partnership=partnership, institution=gulu, side="host")
    PartnershipInstitution.objects.create(partnership=partnership, institution=leeds, side="resource")

    def ties():
        search = twin_search(user=world.admin, institution=gulu, query=TwinQuery(side="host"))
        found = next(c for c in search.ranked + search.excluded if c.institution.pk == leeds.pk)
        context, hosts, resources = round_context(round)
        i = next(k for k, a in enumerate(hosts) if a.institution_id == gulu.pk)
        j = next(k for k, a in enumerate(resources) if a.institution_id == leeds.pk)
        in_round = float(context.parts([i], [j])["prior_ties"][0, 0])
        return next(p.value for p in found.parts if p.name == "prior_ties"), in_round

    assert ties() == (0.0, 0.0)
    Partnership.objects.filter(pk=partnership.pk).update(stage=Stage.GRADUATED)
    assert ties() == (1.0, 1.0)


@pytest.mark.parametrize("typed", ["999", "-5", "abc", "3,5", "1.5"])
def test_an_invalid_weight_is_shown_beside_its_field_with_what_was_typed_and_nothing_is_computed(
    client, typed
):
    _programme, manager = manager_of_a_programme()
    gulu, _others = gulu_and_candidates()
    client.force_login(manager)
    response = client.get(reverse("matching:twins", args=[gulu.uuid]), {"weight_coverage": typed})
    body = response.content.decode()
    assert response.status_code == 400
    field = body[body.index('name="weight_coverage"') :].split("</label>", 1)[0]
    assert f'value="{typed}"' in field and 'aria-invalid="true"' in field and "errorlist" in field
    assert "Correct the search above" in body and "Leeds Teaching Hospitals" not in body


def test_the_country_filter_is_a_select_of_the_directorys_countries(client):
    _programme, manager = manager_of_a_programme()
    gulu, _others = gulu_and_candidates()
    client.force_login(manager)
    url = reverse("matching:twins", args=[gulu.uuid])
    body = client.get(url).content.decode()
    assert '<select name="country"' in body and '<option value="FR">' in body
    body = client.get(url, {"country": "FR"}).content.decode()
    assert "Hospices de Lyon" in body and "Leeds Teaching Hospitals" not in body
    assert client.get(url, {"country": "ZZ"}).status_code == 400


def test_a_cut_list_says_so_and_shows_more(client):
    _programme, manager = manager_of_a_programme()
    gulu, _others = gulu_and_candidates()
    for n in range(30):
        institution(f"Extra {n:02}", country="GB")
    client.force_login(manager)
    url = reverse("matching:twins", args=[gulu.uuid])
    body = client.get(url).content.decode()
    assert "25 of 33 acceptable candidates shown." in body and "shown=125" in body
    body = client.get(url, {"shown": "125"}).content.decode()
    assert "acceptable candidates shown" not in body and "Extra 29" in body


def test_a_refused_action_keeps_the_candidate_reason_and_round_chosen(client, world):
    gulu, (leeds, lyon, *_rest) = gulu_and_candidates()
    round = services.round_create(actor=world.manager, programme=world.programme, name="Open round")
    services.applicant_add(actor=world.manager, round=round, institution=lyon, side="host")
    client.force_login(world.manager)
    data = {
        "candidate": lyon.uuid,
        "role": "host",
        "round": round.uuid,
        "reason": "Lyon speaks French",
        "search": f"programme={world.programme.uuid}",
    }
    response = client.post(reverse("matching:twin_round_add", args=[gulu.uuid]), data)
    body = response.content.decode()
    assert response.status_code == 400 and "on the other side" in body
    lyon_radio = body[body.index(f'value="{lyon.uuid}"') :].split(">", 1)[0]
    leeds_radio = body[body.index(f'value="{leeds.uuid}"') :].split(">", 1)[0]
    assert "checked" in lyon_radio and "checked" not in leeds_radio
    assert 'value="Lyon speaks French"' in body
    assert f'<option value="{round.uuid}" selected>' in body
    # The search form searches again at the search's address, not the action's.
    assert f'action="{reverse("matching:twins", args=[gulu.uuid])}"' in body


def test_the_api_refuses_unknown_filters_and_rounds_the_score_parts():
    _programme, manager = manager_of_a_programme()
    gulu, _others = gulu_and_candidates()
    url = f"/api/v1/matching/institutions/{gulu.uuid}/twins"
    client = api(manager)
    for name, value in (("type", "castle"), ("language", "xx"), ("area", "nowhere"), ("country", "ZZ")):
        response = client.get(url, {name: value})
        assert response.status_code == 422 and name in response.content.decode(), name
    assert client.get(url, {"country": "fr", "language": "fr"}).status_code == 200
    found = client.get(url).json()
    for c in found["ranked"] + found["excluded"]:
        for part in c["parts"]:
            for key in ("value", "weight", "points"):
                assert part[key] == round(part[key], 3), (part, key)
