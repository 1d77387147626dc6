"""The third round of tester findings on the knowledge app, each fixed as a kind: dates of what already happened,
constraint messages, one rule for form and API, search ranking and filters, counts of what is published, the
"setting" of a practice, workflow messages and notices, translated history, honest download counts, charts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from twinning.knowledge.models import DisseminationRecord, Practice, Setting
from twinning.knowledge.tests.spread_factories import DisseminationFactory, practice_of
from twinning.knowledge.tests.test_spread_api import api, record_body
from twinning.knowledge.tests.test_spread_views import record_data

pytestmark = pytest.mark.django_db
URL = "/api/v1/knowledge"
FUTURE = "A dissemination record is of something that already happened"


def _in_a_week() -> str:
    return (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


# --- 1. dates of what already happened -------------------------------------------------------------------


def test_the_page_refuses_a_dissemination_dated_in_the_future(client, world):
    client.force_login(world.member)
    url = reverse("knowledge:dissemination_create", args=[world.partnership.uuid])
    response = client.post(url, record_data(date=_in_a_week()))
    assert response.status_code == 400 and FUTURE in response.content.decode()
    assert not DisseminationRecord.objects.exists()


def test_the_api_refuses_a_dissemination_dated_in_the_future_on_create_and_patch(world):
    client = api(world.member)
    response = client.post(
        f"{URL}/dissemination", record_body(world, date=_in_a_week()), content_type="application/json"
    )
    assert response.status_code == 422 and FUTURE in str(response.json())
    saved = DisseminationFactory(partnership=world.partnership)
    patched = client.patch(
        f"{URL}/dissemination/{saved.uuid}",
        {"date": _in_a_week(), "version": saved.version},
        content_type="application/json",
    )
    assert patched.status_code == 422 and FUTURE in str(patched.json())
    saved.refresh_from_db()
    assert saved.date <= timezone.localdate() + datetime.timedelta(days=1)


def test_a_french_reader_is_told_in_french(client, world):
    client.force_login(world.member)
    url = reverse("knowledge:dissemination_create", args=[world.partnership.uuid])
    response = client.post(
        url, record_data(date=_in_a_week(), people_reached="1200"), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400 and "déjà eu lieu" in response.content.decode()


# --- 6. the setting of a practice is where it is carried out, not the settings of an app -------------------


@pytest.mark.parametrize(
    ("language", "setting", "training_sense"),
    [
        ("fr", "Milieu d'intervention", "Type de formation"),
        ("es", "Ámbito", "Tipo de formación"),
        ("ru", "Место применения", "Вид обучения"),
        ("pt", "Contexto", "Tipo de formação"),
    ],
)
def test_the_setting_of_a_practice_is_translated_as_where_it_is_carried_out(
    client, world, language, setting, training_sense
):
    practice = practice_of(world.partnership, setting=Setting.HOSPITAL)
    client.force_login(world.member)
    detail = client.get(reverse("knowledge:detail", args=[practice.uuid]), HTTP_ACCEPT_LANGUAGE=language)
    library = client.get(reverse("knowledge:library"), HTTP_ACCEPT_LANGUAGE=language)
    for page in (detail.content.decode(), library.content.decode()):
        assert setting in page.replace("&#x27;", "'") and training_sense not in page
    assert str(Practice._meta.get_field("setting").verbose_name)


def test_the_glossary_names_the_setting_of_a_practice_in_every_language():
    from pathlib import Path

    glossary = (Path(__file__).resolve().parents[3] / "docs" / "GLOSSARY.md").read_text()
    row = next(line for line in glossary.splitlines() if line.startswith("| setting (of a practice"))
    assert all(word in row for word in ("milieu d'intervention", "ámbito", "место применения", "contexto"))
