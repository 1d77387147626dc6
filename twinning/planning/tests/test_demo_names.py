"""The demo's indicators are named in the reader's language: their names and units are stored in English, marked
for the catalogues where the demo defines them, and every display goes through the indicator's own display
(`str`, `shown_name`, `unit_to_show`); an indicator a programme named itself is shown as typed (issue 15)."""

import pytest
from django.utils import translation

from twinning.accounts.models import User
from twinning.monitoring.tests.factories import monitored
from twinning.planning.demo import COMMON, OWN
from twinning.planning.models import Indicator

pytestmark = pytest.mark.django_db

DEMO_NAMES = [row[1] for row in COMMON] + [row[1] for row in OWN]


@pytest.mark.parametrize("language", ["fr", "es", "ru", "pt"])
def test_every_demo_indicator_name_has_its_translation(language):
    with translation.override(language):
        for name in DEMO_NAMES:
            assert Indicator(code="X", name=name).shown_name != name, (language, name)


def test_a_demo_indicator_reads_in_french_and_a_typed_one_as_typed():
    with translation.override("fr"):
        demo = Indicator(code="HW-TRAINED", name="Health workers trained", unit="people")
        assert str(demo) == "HW-TRAINED Agents de santé formés"
        assert demo.unit_to_show == "personnes"
        typed = Indicator(code="OWN", name="Nurses on the night rota", unit="nurses")
        assert (typed.shown_name, typed.unit_to_show) == ("Nurses on the night rota", "nurses")


def test_the_entry_page_in_french_shows_no_english_demo_indicator_name(client, world):
    m = monitored(world)
    Indicator.objects.filter(pk=m.trained.indicator_id).update(name="Health workers trained", unit="people")
    User.objects.filter(pk=world.member.pk).update(language="fr")
    client.force_login(world.member)
    entry = client.get(f"/monitoring/{world.partnership.uuid}/2024Q1/")
    assert entry.status_code == 200
    html = entry.content.decode()
    assert "Agents de santé formés" in html and "personnes" in html
    assert "Health workers trained" not in html
