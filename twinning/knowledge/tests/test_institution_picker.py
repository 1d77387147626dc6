"""The adoption form's institution picker: it offers the chosen institution and the matches of a search, never
the whole directory, in the same few queries however large the directory is; without script, the text typed
comes back with the form offering its matches."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.knowledge.models import Adoption
from twinning.knowledge.spread.forms import AdoptionForm
from twinning.knowledge.tests.spread_factories import practice_of
from twinning.testing.factories import InstitutionFactory

pytestmark = pytest.mark.django_db
OPTIONS = reverse("directory:institution_options")


def data(**overrides):
    return {
        "site_kind": "institution",
        "level": "piloting",
        "reached_on": "2025-02-01",
        "led_by": "host",
        **overrides,
    }


def institution_select(html: str) -> str:
    return re.search(r'<select name="institution".*?</select>', html, re.S).group(0)


@pytest.fixture
def directory():
    for n in range(40):
        InstitutionFactory(name=f"District Hospital {n:02}", country="UG")
    return InstitutionFactory(name="Lira Regional Referral Hospital", city="Lira", country="UG")


def test_the_form_page_lists_no_institution_until_one_is_searched(client, world, directory):
    practice = practice_of(world.partnership)
    client.force_login(world.member)
    page = client.get(reverse("knowledge:adoption_create", args=[practice.uuid])).text
    select = institution_select(page)
    assert select.count("<option") == 1 and "Hospital" not in select
    assert 'name="institution_search"' in page and f'hx-get="{OPTIONS}"' in page


def test_the_search_offers_matches_with_their_country(client, world, directory):
    client.force_login(world.member)
    body = client.get(OPTIONS, {"institution_search": "lira"}).text
    assert f'value="{directory.uuid}"' in body and "Lira Regional Referral Hospital (Uganda)" in body
    assert "District Hospital" not in body
    many = client.get(OPTIONS, {"institution_search": "hospital"}).text
    assert many.count("<option") == 1 + 30 + 1  # the blank, the first 30, then "type more"
    assert "More than 30 match" in many and "disabled" in many
    none = client.get(OPTIONS, {"institution_search": "zzz"}).text
    assert "No institution matches" in none
    # The chosen institution stays offered while another name is typed.
    kept = client.get(
        OPTIONS, {"institution_search": "District Hospital 01", "institution": str(directory.uuid)}
    )
    assert f'value="{directory.uuid}"' in kept.text and "District Hospital 01" in kept.text
    assert client.get(OPTIONS, {"institution_search": "x", "institution": "not-a-uuid"}).status_code == 200


def test_the_search_takes_the_same_queries_however_large_the_directory(client, world, directory):
    client.force_login(world.member)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(OPTIONS, {"institution_search": "hospital", "institution": str(directory.uuid)})
        return len(ctx.captured_queries)

    few = count()
    for n in range(60):
        InstitutionFactory(name=f"Health Centre Hospital {n}")
    assert count() == few


def test_the_form_renders_in_the_same_queries_however_large_the_directory(directory):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            str(AdoptionForm(data(institution=str(directory.uuid), institution_search="district")))
        return len(ctx.captured_queries)

    few = count()
    for n in range(60):
        InstitutionFactory(name=f"District Clinic {n}")
    assert count() == few


def test_any_institution_of_the_directory_is_accepted(client, world, directory):
    practice = practice_of(world.partnership)
    client.force_login(world.member)
    response = client.post(
        reverse("knowledge:adoption_create", args=[practice.uuid]), data(institution=str(directory.uuid))
    )
    assert response.status_code == 302 and Adoption.objects.get().institution == directory


def test_without_script_the_typed_text_comes_back_with_its_matches(client, world, directory):
    practice = practice_of(world.partnership)
    client.force_login(world.member)
    response = client.post(
        reverse("knowledge:adoption_create", args=[practice.uuid]), data(institution_search="Lira")
    )
    assert response.status_code == 400 and not Adoption.objects.exists()
    select = institution_select(response.text)
    assert f'value="{directory.uuid}"' in select and "District Hospital" not in select
    assert 'value="Lira"' in response.text


def test_the_search_is_for_signed_in_users(client, directory):
    assert client.get(OPTIONS, {"institution_search": "lira"}).status_code == 302
