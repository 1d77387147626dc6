"""Faults a fresh tester found in the five languages (issue 15), each proven through the page, report or API."""

import pytest
from django.conf import settings
from django.urls import reverse

from twinning.core.reference import country_choices, name_sort_key
from twinning.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def in_language(client, language: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def test_the_gift_form_names_currencies_in_the_readers_language(client, world):
    client.force_login(world.coordinator)
    url = reverse("contributions:gift_add", args=[world.partnership.uuid])
    expected = {
        "en": "USD – US Dollar",
        "fr": "USD – dollar des États-Unis",
        "es": "USD – dólar estadounidense",
        "ru": "USD – доллар США",
        "pt": "USD – Dólar americano",
    }
    for language, label in expected.items():
        in_language(client, language)
        html = client.get(url).content.decode()
        assert f">{label}</option>" in html, language
    in_language(client, "fr")
    assert "US Dollar" not in client.get(url).content.decode()


def test_a_portuguese_sign_in_refusal_says_palavra_passe_as_the_form_does(client):
    UserFactory(email="ana@example.org")
    in_language(client, "pt")
    response = client.post("/login/", {"username": "ana@example.org", "password": "wrong password"})
    html = response.content.decode()
    assert response.status_code == 200 and "palavra-passe" in html.lower()
    assert "introduza um endereço de e-mail e uma palavra-passe corretos" in html.lower()
    assert "e password" not in html


def test_the_language_switcher_capitalises_every_languages_own_name(client):
    html = client.get("/login/").content.decode()
    for name in ("English", "Français", "Español", "Русский", "Português"):
        assert f">{name}</option>" in html
    assert ">français<" not in html and ">español<" not in html


def test_the_profile_language_choices_are_capitalised_alike(client):
    client.force_login(UserFactory())
    html = client.get(reverse("profile")).content.decode()
    assert "Français" in html and "Español" in html and "français" not in html


def test_names_sort_with_accented_letters_beside_their_base_letter():
    names = ["Ukraine", "Éthiopie", "Espagne", "France", "égypte", "Zambie"]
    assert sorted(names, key=name_sort_key) == [
        "égypte",
        "Espagne",
        "Éthiopie",
        "France",
        "Ukraine",
        "Zambie",
    ]


def test_country_pickers_sort_ethiopia_before_ukraine_in_french(settings):
    from django.utils import translation

    with translation.override("fr"):
        names = [name for _code, name in country_choices()]
    assert names.index("Éthiopie") < names.index("France") < names.index("Ukraine")


def test_money_shows_its_currencys_minor_unit_on_the_gift_page_and_in_the_gift_list(client, world):
    from decimal import Decimal

    from twinning.contributions.tests.factories import GiftFactory

    eur = GiftFactory(partnership=world.partnership, currency="EUR", fair_value=Decimal("1250.5"))
    yen = GiftFactory(partnership=world.partnership, currency="JPY", fair_value=Decimal("125000"))
    client.force_login(world.coordinator)
    in_language(client, "es")
    detail = client.get(reverse("contributions:gift_detail", args=[world.partnership.uuid, eur.uuid]))
    assert "1250,50\u00a0EUR" in detail.content.decode() or "1.250,50\u00a0EUR" in detail.content.decode()
    listing = client.get(reverse("contributions:ledger", args=[world.partnership.uuid]) + "?table=gifts")
    html = listing.content.decode()
    assert ">1250,50<" in html or ">1.250,50<" in html
    assert ">1250,5<" not in html and ">1.250,5<" not in html
    assert ">125.000<" in html and ">125.000,00<" not in html  # yen have no minor unit
    yen_page = client.get(reverse("contributions:gift_detail", args=[world.partnership.uuid, yen.uuid]))
    assert "125.000\u00a0JPY" in yen_page.content.decode()


def test_the_gift_download_writes_each_amount_with_its_currencys_places(client, world):
    import io
    from decimal import Decimal

    from openpyxl import load_workbook

    from twinning.contributions.tests.factories import GiftFactory

    GiftFactory(partnership=world.partnership, currency="EUR", fair_value=Decimal("1250.5"))
    client.force_login(world.coordinator)
    url = reverse("contributions:ledger", args=[world.partnership.uuid]) + "?table=gifts&format=xlsx"
    sheet = load_workbook(io.BytesIO(client.get(url).content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Fair value") + 1)
    assert cell.value == Decimal("1250.50") or cell.value == 1250.5
    assert cell.number_format == "#,##0.00"


def test_a_gift_is_named_with_the_languages_own_colon():
    from django.utils import translation

    from twinning.contributions.tests.factories import GiftFactory

    gift = GiftFactory(category="equipment", description="Oxygen concentrator")
    with translation.override("fr"):
        assert str(gift) == "Équipement\u00a0: Oxygen concentrator"
    with translation.override("en"):
        assert str(gift) == "Equipment: Oxygen concentrator"
