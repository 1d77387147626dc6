"""What a fresh tester found on the knowledge pages, each fixed as a kind: links between a practice and its
Spread page, a derived adoption count, a 403 that says which workflow rule stops a member, DOIs given as links."""

from pathlib import Path

import pytest
from django.urls import reverse

from twinning.knowledge.models import DisseminationRecord, Practice
from twinning.knowledge.tests.spread_factories import AdoptionFactory, practice_of
from twinning.knowledge.tests.test_spread_api import api

pytestmark = pytest.mark.django_db
S = Practice.Status


def test_a_practice_links_its_spread_page_and_the_spread_page_links_back(client, world):
    practice = practice_of(world.partnership)
    client.force_login(world.member)
    detail = client.get(reverse("knowledge:detail", args=[practice.uuid])).content.decode()
    assert f'href="{reverse("knowledge:practice_spread", args=[practice.uuid])}"' in detail
    spread = client.get(reverse("knowledge:practice_spread", args=[practice.uuid])).content.decode()
    assert f'href="{reverse("knowledge:detail", args=[practice.uuid])}"' in spread


def test_a_reader_outside_the_programme_gets_no_spread_link(client, world):
    practice = practice_of(world.partnership, status=S.PUBLIC)
    client.force_login(world.outsider)
    detail = client.get(reverse("knowledge:detail", args=[practice.uuid])).content.decode()
    assert "spread-link" not in detail


def test_the_adoption_count_on_the_practice_is_derived_from_the_register(client, world):
    practice = practice_of(world.partnership)
    AdoptionFactory(practice=practice)
    AdoptionFactory(practice=practice)
    client.force_login(world.member)
    detail = client.get(reverse("knowledge:detail", args=[practice.uuid])).content.decode()
    assert "Spread: 2 adopting sites" in detail
    spread = client.get(reverse("knowledge:practice_spread", args=[practice.uuid])).content.decode()
    assert "2 adopting sites" in spread


def test_no_demo_practice_writes_a_count_of_sites_into_its_text():
    from twinning.knowledge import demo

    source = Path(demo.__file__).read_text()
    assert "sites use it today" not in source and "four district hospitals" not in source


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (S.SUBMITTED, "return it to draft"),
        (S.PROGRAMME, "withdraw it, reopen it as a draft"),
        (S.PUBLIC, "withdraw it, reopen it as a draft"),
        (S.WITHDRAWN, "reopen it as a draft first"),
    ],
)
def test_a_member_editing_a_practice_past_draft_is_told_the_workflow_rule(client, world, status, says):
    practice = practice_of(world.partnership, status=status)
    client.force_login(world.coordinator)
    response = client.get(reverse("knowledge:edit", args=[practice.uuid]))
    assert response.status_code == 403
    assert says in response.content.decode()


def test_the_api_says_the_same_workflow_rule(world):
    practice = practice_of(world.partnership, status=S.PROGRAMME)
    response = api(world.coordinator).patch(
        f"/api/v1/knowledge/practices/{practice.uuid}",
        {"title": "New", "version": practice.version},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "withdraw it, reopen it as a draft" in response.json()["detail"]


def test_a_403_without_a_reason_keeps_the_general_message(client, world):
    practice = practice_of(world.partnership, status=S.PROGRAMME)
    client.force_login(world.programme_viewer)
    response = client.get(reverse("knowledge:edit", args=[practice.uuid]))
    assert response.status_code == 403
    assert "Your role does not allow this action here" in response.content.decode()


@pytest.mark.parametrize(
    "given",
    [
        "https://doi.org/10.1186/s12913-024-10000-1",
        "http://dx.doi.org/10.1186/s12913-024-10000-1",
        "HTTPS://WWW.DOI.ORG/10.1186/s12913-024-10000-1",
        "doi: 10.1186/s12913-024-10000-1",
        " 10.1186/s12913-024-10000-1 ",
    ],
)
def test_a_doi_given_as_a_link_is_stored_bare_through_the_page(client, world, given):
    client.force_login(world.member)
    data = {
        "kind": "article",
        "title": "Article on the bundle",
        "date": "2025-04-02",
        "audience": "academia",
        "doi": given,
    }
    response = client.post(reverse("knowledge:dissemination_create", args=[world.partnership.uuid]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert DisseminationRecord.objects.get().doi == "10.1186/s12913-024-10000-1"


def test_a_doi_link_to_something_that_is_no_doi_is_still_refused(client, world):
    client.force_login(world.member)
    data = {
        "kind": "article",
        "title": "Article",
        "date": "2025-04-02",
        "audience": "academia",
        "doi": "https://doi.org/not-a-doi",
    }
    response = client.post(reverse("knowledge:dissemination_create", args=[world.partnership.uuid]), data)
    assert response.status_code == 400
    assert not DisseminationRecord.objects.exists()


def test_the_api_stores_a_doi_link_bare(world):
    response = api(world.member).post(
        "/api/v1/knowledge/dissemination",
        {
            "partnership": str(world.partnership.uuid),
            "kind": "article",
            "title": "Article",
            "date": "2025-04-02",
            "audience": "academia",
            "doi": "https://doi.org/10.1186/s12913-024-10000-1",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert DisseminationRecord.objects.get().doi == "10.1186/s12913-024-10000-1"


# --- shipped vocabularies in the reader's language ----------------------------------------------------------

KNOWLEDGE_PILLAR_FR = "Élargir les connaissances par la diffusion des programmes réussis"
EMERGENCY_FR = "Urgences et soins intensifs"


def _practice_with_vocabulary(world, status=S.PROGRAMME):
    from twinning.directory.models import HealthArea
    from twinning.partnerships.models import Pillar

    practice = practice_of(world.partnership, status=status)
    pillar, _ = Pillar.objects.get_or_create(
        programme=world.programme,
        code="knowledge",
        defaults={"name": "Expanding knowledge through dissemination of successful programmes", "order": 5},
    )
    practice.pillars.add(pillar)
    area, _ = HealthArea.objects.get_or_create(
        code="emergency-care", defaults={"name": "Emergency and critical care"}
    )
    practice.health_areas.add(area)
    return practice


def test_a_french_practice_page_shows_the_french_pillar_and_health_area(client, world):
    practice = _practice_with_vocabulary(world)
    client.force_login(world.member)
    html = client.get(
        reverse("knowledge:detail", args=[practice.uuid]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert KNOWLEDGE_PILLAR_FR in html and EMERGENCY_FR in html
    assert "Expanding knowledge through dissemination" not in html


def test_the_french_public_pages_and_filters_show_french_names(client, world):
    practice = _practice_with_vocabulary(world, status=S.PUBLIC)
    listing = client.get(reverse("practices:list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert KNOWLEDGE_PILLAR_FR in listing
    detail = client.get(reverse("practices:detail", args=[practice.uuid]), HTTP_ACCEPT_LANGUAGE="fr")
    assert EMERGENCY_FR in detail.content.decode()
    client.force_login(world.member)
    library = client.get(reverse("knowledge:library"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert KNOWLEDGE_PILLAR_FR in library and EMERGENCY_FR in library


def test_the_french_programme_spread_table_shows_the_french_pillar(client, world):
    practice = _practice_with_vocabulary(world)
    AdoptionFactory(practice=practice)
    client.force_login(world.manager)
    url = reverse("knowledge:programme_spread", args=[world.programme.uuid])
    assert KNOWLEDGE_PILLAR_FR in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()


# --- counts in the reader's number format --------------------------------------------------------------------


def test_people_reached_shows_the_locales_thousands_separator(client, world):
    from twinning.knowledge.tests.spread_factories import DisseminationFactory

    record = DisseminationFactory(
        partnership=world.partnership, people_reached=12500, facilities_reached=1400
    )
    client.force_login(world.member)
    url = reverse("knowledge:dissemination_detail", args=[record.uuid])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "12,500" in english and "1,400" in english
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "12\u202f500" in french and "1\u202f400" in french


def test_list_counts_are_grouped_in_the_readers_language(client, world):
    from twinning.knowledge.tests.spread_factories import DisseminationFactory

    DisseminationFactory.create_batch(2, partnership=world.partnership)
    client.force_login(world.member)
    url = reverse("knowledge:dissemination_list", args=[world.partnership.uuid])
    assert "2 enregistrements" in client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()


def test_a_member_approving_their_own_submission_is_told_who_approves(client, world):
    practice = practice_of(world.partnership, status=S.SUBMITTED)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("knowledge:move", args=[practice.uuid]), {"to_status": "programme", "comment": "ok"}
    )
    assert response.status_code == 403
    assert "Only the programme&#x27;s managers and M&amp;E officers approve" in response.content.decode()
    assert Practice.objects.get(pk=practice.pk).status == S.SUBMITTED
