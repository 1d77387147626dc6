"""Real browser: the language chooser (before and after signing in), a French page with French figures, and an
invitation a French-speaking coordinator sends to a Russian speaker, written in Russian."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from twinning.accounts.models import User
from twinning.contributions import services as contributions
from twinning.testing.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NNBSP, NBSP = "\u202f", "\u00a0"


def french(text: str) -> str:
    """The French of a source string, from the catalogue (the translators' words, whatever they become)."""
    with translation.override("fr"):
        translated = translation.gettext(text)
    assert translated != text, f"{text!r} is not translated into French"
    return translated


def choose_language(page: Page, name: str, button: str) -> None:
    """The chooser at the foot of every page: a select and a button, no JavaScript."""
    page.locator("footer select[name=language]").select_option(label=name)
    page.locator("footer").get_by_role("button", name=button).click()


def test_a_visitor_chooses_french_before_signing_in_and_reads_french_figures(page: Page, live_server, world):
    gift = contributions.gift_create(
        actor=world.resource_coordinator,
        partnership=world.partnership,
        category="equipment",
        contributor_kind="private",
        contributor_name="A donor",
        description="Oxygen concentrator",
        fair_value=Decimal("1234.5"),
        currency="USD",
        gift_date=datetime.date(2026, 10, 1),
        valuation_technique="market_price",
    )
    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    choose_language(page, "Français", "Change")

    expect(page.get_by_role("heading", level=1)).to_have_text(french("Sign in"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_label(french("Email"), exact=True).fill(world.finance.email)
    page.get_by_label(french("Password"), exact=True).fill("pw")
    page.get_by_role("button", name=french("Sign in")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        french("Welcome, %(name)s") % {"name": world.finance.get_short_name()}
    )
    nav = page.get_by_role("navigation", name=french("Main"))
    expect(nav.get_by_role("link", name=french("Partnerships"))).to_be_visible()
    expect(nav.get_by_role("link", name=french("My account"))).to_be_visible()

    page.goto(
        live_server.url + reverse("contributions:gift_detail", args=[world.partnership.uuid, gift.uuid])
    )
    value = page.locator("dt", has_text=french("Fair value")).locator("xpath=following-sibling::dd[1]")
    # A narrow no-break space groups thousands in French, a comma marks decimals; the code never wraps away.
    expect(value).to_have_text(f"1{NNBSP}234,50{NBSP}USD")
    expect(page.locator("body")).to_contain_text("1 octobre 2026")

    # Chosen while signed in, the language is saved on the profile and follows the person.
    choose_language(page, "English", french("Change"))
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Partnerships")
    ).to_be_visible()
    expect(page.locator("body")).to_contain_text(f"1,234.50{NBSP}USD")
    assert User.objects.get(pk=world.finance.pk).language == "en"


def test_an_invitation_from_a_french_coordinator_reaches_a_russian_speaker_in_russian(
    page: Page, live_server, world
):
    User.objects.filter(pk=world.coordinator.pk).update(language="fr")
    UserFactory(email="ivan@example.org", full_name="Ivan Petrov", language="ru")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(world.coordinator.email)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    # The profile's language wins over the page's as soon as the person is known.
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        french("Welcome, %(name)s").split("%")[0].strip()
    )

    page.goto(live_server.url + reverse("partnerships:detail", args=[world.partnership.uuid]))
    form = page.locator("form[action$='/members/']")
    form.locator("[name=email]").fill("ivan@example.org")
    form.locator("[name=role]").select_option("member")
    form.locator("button[type=submit]").click()
    expect(page.locator("#sides")).to_contain_text("Ivan Petrov")

    (email,) = mail.outbox
    assert email.to == ["ivan@example.org"]
    with translation.override("ru"):
        subject = translation.gettext("Invitation to %(partnership)s on Twinning")
        sign_in_line = translation.gettext("Sign in to see it:")
    assert "Twinning" in subject and "Invitation" not in subject  # translated, not English
    assert email.subject == subject % {"partnership": world.partnership}
    assert sign_in_line in email.body and "Sign in to see it" not in email.body
