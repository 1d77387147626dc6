"""The demo reads in the reader's language: after the demo is loaded, the key pages of its flagship partnership
and programme, rendered in French, show none of the demo's fixed English names (plan title, objectives,
activities, indicators, units, disaggregations) where the French catalogue has a translation (issue 15). A name a
programme types stays as typed; only what the demo ships, marked with gettext_noop where it is defined, is
translated."""

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from twinning.accounts.models import PartnershipMembership, User
from twinning.exchanges import demo as exchanges_demo
from twinning.exchanges.models import Exchange
from twinning.monitoring.models import PeriodReport
from twinning.planning import demo as planning_demo

pytestmark = pytest.mark.django_db


def demo_names() -> list[str]:
    """Every fixed name the planning and exchanges demos write into the database (their gettext_noop lists)."""
    names = [planning_demo.PLAN_TITLE, planning_demo.REVISION_ACTIVITY]
    names += [text for texts in planning_demo.OBJECTIVES.values() for text in texts]
    names += [text for texts in planning_demo.ACTIVITIES.values() for text in texts]
    names += [name for _code, name, *_rest in planning_demo.COMMON]
    names += [name for _code, name, *_rest in planning_demo.OWN]
    for _code, name, options in planning_demo.CATEGORIES:
        names += [name, *(label for _option, label in options)]
    return [name for name in names if name]


def exchange_names() -> list[str]:
    """The exchanges demo's titles. Not looked for on the plan page: its planning workshop's summary (narrative
    prose) begins with the words of an exchange title."""
    names = [exchanges_demo.PLACEMENT_TITLE, exchanges_demo.CALL_TITLE, exchanges_demo.PLANNED_VISIT_TITLE]
    names += [title for title, _purpose in exchanges_demo.VISITS + exchanges_demo.RETURN_VISITS]
    names += [title for title, _purpose in exchanges_demo.WORKSHOPS]
    names += [*exchanges_demo.TRAININGS, *exchanges_demo.CASCADE_TITLES.values()]
    return [name for name in names if name]


def demo_units() -> list[str]:
    return [
        unit
        for unit in [row[4] for row in planning_demo.COMMON] + [row[3] for row in planning_demo.OWN]
        if unit
    ]


def english_left(page: str, all_names: list[str]) -> list[str]:
    """The demo's names (each with a French translation) that `page` still shows in English. A name of more than
    one word counts wherever it stands; a one-word name ("Female", "people") is an ordinary English word that the
    demo's own narrative prose may use, so a unit counts only where the displays write it, in brackets. The
    history section is left out: it quotes the values as they were recorded (the audit trail)."""
    page = re.sub(r'<section id="history".*?</section>', " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    with translation.override("fr"):
        names = [name for name in all_names if " " in name and translation.gettext(name) != name]
        units = [unit for unit in demo_units() if translation.gettext(unit) != unit]
    left = [name for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)]
    return left + [f"({unit})" for unit in units if f"({unit})" in text]


@pytest.mark.parametrize("language", ["fr", "es", "ru", "pt"])
def test_every_demo_name_has_its_translation(language):
    with translation.override(language):
        names = demo_names() + exchange_names() + demo_units()
        assert [name for name in names if translation.gettext(name) == name] == ["%"]


def test_the_demos_key_pages_in_french_show_no_english_demo_name():
    call_command("demo", stdout=StringIO())
    flagship = PartnershipMembership.objects.get(user__email="host-coordinator@demo.twinning").partnership
    report = PeriodReport.objects.filter(partnership=flagship).order_by("-period").first()
    assert report is not None
    admin = User.objects.get(email="admin@demo.twinning")
    User.objects.filter(pk=admin.pk).update(language="fr")
    client = Client()
    client.force_login(admin)
    pages = {
        "plan": reverse("planning:plan", args=[flagship.uuid]),
        "entry": reverse("monitoring:entry", args=[flagship.uuid, report.period]),
        "monitoring": reverse("monitoring:partnership", args=[flagship.uuid]),
        "programme dashboard": reverse("monitoring:programme", args=[flagship.programme.uuid]),
        "partnership": reverse("partnerships:detail", args=[flagship.uuid]),
    }
    left = {}
    for key, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, key
        page = response.content.decode()
        assert 'lang="fr"' in page, key
        if found := english_left(page, demo_names()):
            left[key] = found
    assert left == {}
    # The plan page shows the demo's plan in French; an exchange's page its title.
    plan_page = html.unescape(client.get(pages["plan"]).content.decode())
    assert "Plan stratégique 2024-2026" in plan_page
    exchange = Exchange.objects.filter(partnership=flagship, title=exchanges_demo.CALL_TITLE).get()
    page = client.get(reverse("exchanges:detail", args=[flagship.uuid, exchange.uuid])).content.decode()
    assert "Appel mensuel de revue de cas" in html.unescape(page) and not english_left(page, exchange_names())
