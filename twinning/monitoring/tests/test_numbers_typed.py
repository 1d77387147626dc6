"""Issue 9 §4: results typed the way people write numbers, through the service, the entry page and the API.

A Portuguese user types `12,5`, a numerator `4,5` over 50 and a score `3,5`: right is 12.5, 9 % and 3.5.
"""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from twinning.monitoring import services
from twinning.monitoring.models import Result
from twinning.monitoring.tests.factories import measures_a_change, monitored
from twinning.monitoring.tests.test_api import auth

pytestmark = pytest.mark.django_db


def save(world, adoption, period, locale, **values):
    return services.result_save(
        actor=world.member, plan_indicator=adoption, period=period, values=values, locale=locale
    )


def test_the_service_reads_a_portuguese_decimal_comma(world):
    m = monitored(world)
    measures_a_change(m.trained)
    assert save(world, m.trained, "2024Q1", "pt", value="12,5").value == Decimal("12.5")
    deaths = save(world, m.deaths, "2024Q1", "pt", numerator="4,5", denominator="50")
    assert (deaths.numerator, deaths.denominator, deaths.value) == (Decimal("4.5"), Decimal(50), Decimal(9))
    story = save(world, m.story, "2024", "pt", text="Triage works", score="3,5")
    assert story.score == Decimal("3.5")


@pytest.mark.parametrize(
    ("locale", "typed", "message"),
    [
        (None, "12,5", "“12,5” is not a number in the API's form"),
        ("en", "12,5", "“12,5” is not a number. Enter a number such as 12.5."),
        ("fr", "1.234", "“1.234” could be read two ways."),
        ("pt", "1e3", "“1e3” is not a number. Enter a number such as 12,5."),
    ],
)
def test_the_service_refuses_what_it_cannot_read_and_saves_nothing(world, locale, typed, message):
    m = monitored(world)
    with pytest.raises(ValidationError) as caught:
        save(world, m.trained, "2024Q1", locale, value=typed)
    assert caught.value.message_dict["value"][0].startswith(message)
    assert not Result.objects.exists()


def entry_post(client, world, adoption, period, language, **fields):
    client.force_login(world.member)
    client.post("/i18n/setlang/", {"language": language})  # the language chooser at the foot of every page
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    url = f"/monitoring/{world.partnership.uuid}/{period}/rows/{adoption.uuid}/total/"
    prefix = f"{adoption.uuid}-total"
    return client.post(url, {f"{prefix}-{k}": v for k, v in fields.items()}, HTTP_HX_REQUEST="true")


def test_a_portuguese_user_types_decimal_commas_on_the_entry_page(client, world):
    m = monitored(world)
    measures_a_change(m.trained)
    response = entry_post(client, world, m.trained, "2024Q1", "pt", value="12,5")
    assert response.status_code == 200
    assert Result.objects.get(indicator=m.trained.indicator).value == Decimal("12.5")
    assert 'value="12,5"' in response.content.decode()  # shown back the way they write it
    entry_post(client, world, m.deaths, "2024Q1", "pt", numerator="4,5", denominator="50")
    assert Result.objects.get(indicator=m.deaths.indicator).value == Decimal(9)
    entry_post(client, world, m.story, "2024", "pt", text="Triage works", score="3,5")
    assert Result.objects.get(indicator=m.story.indicator).score == Decimal("3.5")
    page = client.get(f"/monitoring/{world.partnership.uuid}/2024Q1/")
    assert 'value="4,5"' in page.content.decode() and 'inputmode="decimal"' in page.content.decode()


def test_an_english_user_typing_a_decimal_comma_is_told_and_nothing_is_saved(client, world):
    m = monitored(world)
    response = entry_post(client, world, m.trained, "2024Q1", "en", value="12,5")
    assert "“12,5” is not a number. Enter a number such as 12.5." in response.content.decode()
    assert not Result.objects.exists()


def test_an_ambiguous_number_is_refused_on_the_entry_page(client, world):
    m = monitored(world)
    response = entry_post(client, world, m.trained, "2024Q1", "fr", value="1.234")
    with translation.override("fr"):
        expected = str(
            ValidationError(
                translation.gettext(
                    "“%(text)s” could be read two ways. Enter %(thousands)s for the thousands, or %(decimal)s "
                    "for the decimal number."
                )
                % {"text": "1.234", "thousands": "1234", "decimal": "1,234"}
            ).messages[0]
        )
    assert expected in response.content.decode()
    assert not Result.objects.exists()


def put(client, world, user, indicator, period, **body):
    payload = {"partnership": str(world.partnership.uuid), "indicator": indicator, "period": period, **body}
    return client.patch("/api/v1/monitoring/results", payload, content_type="application/json", **auth(user))


def test_the_api_takes_json_numbers_and_machine_strings(client, world):
    measures_a_change(monitored(world).trained)
    assert put(client, world, world.member, "HW1", "2024Q1", value="12.5").json()["value"] == "12.5000"
    deaths = put(client, world, world.member, "MDA", "2024Q1", numerator=4.5, denominator=50)
    assert Decimal(deaths.json()["value"]) == Decimal(9)
    story = put(client, world, world.member, "STORY", "2024", text="Triage works", score="3.5")
    assert Decimal(story.json()["score"]) == Decimal("3.5")


@pytest.mark.parametrize("typed", ["12,5", "1,234", "1e3", "NaN", "1_000", True])
def test_the_api_refuses_locale_forms_with_422_and_saves_nothing(client, world, typed):
    monitored(world)
    response = put(client, world, world.member, "HW1", "2024Q1", value=typed)
    assert response.status_code == 422
    message = response.json()["errors"]["value"][0]
    assert ("such as “12.5”" in message) or message == "Enter a number."
    assert not Result.objects.exists()


def test_the_api_schema_says_which_number_forms_it_takes(client):
    schema = client.get("/api/v1/openapi.json").json()
    value = schema["components"]["schemas"]["ResultIn"]["properties"]["value"]
    assert 'such as "12.5"' in str(value) and 'such as "12,5" is refused' in str(value)
