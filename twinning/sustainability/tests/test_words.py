"""Counts read right in every language (ngettext: "1 year", "3 года", "5 лет"), and each language names an
assessment or matching round with the one word of docs/GLOSSARY.md."""

import datetime
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import translation

from twinning.sustainability.models_transition import FollowUp
from twinning.sustainability.transition_views import _follow_ups_table

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.django_db
def test_follow_up_years_read_as_one_year_and_several_years(world):
    made = [
        FollowUp(
            partnership=world.partnership,
            years_after=n,
            ended_on=datetime.date(2024, 1, 1),
            outcome="graduate",
            due_date=datetime.date(2030, 1, 1),
            opens_on=datetime.date(2029, 12, 1),
        )
        for n in (1, 3, 5)
    ]
    for f in made:
        f.question_count = 0

    def labels(lang: str) -> list[str]:
        with translation.override(lang):
            table = _follow_ups_table(world.partnership, made, datetime.date(2025, 1, 1))
            return [str(row[0].text) for row in table.rows] + [str(f).rsplit(": ", 1)[-1] for f in made]

    assert labels("en") == [
        "1 year after the end",
        "3 years after the end",
        "5 years after the end",
        "follow-up after 1 year",
        "follow-up after 3 years",
        "follow-up after 5 years",
    ]
    russian = labels("ru")
    assert "1 год" in russian[0] and "3 года" in russian[1] and "5 лет" in russian[2]
    assert labels("fr")[0] == "1 an après la fin" and labels("pt")[1] == "3 anos após o fim"


@pytest.mark.django_db
def test_the_follow_up_page_says_one_year(client, world):
    follow_up = FollowUp.objects.create(
        partnership=world.partnership,
        years_after=1,
        ended_on="2024-01-01",
        outcome="graduate",
        due_date="2030-01-01",
        opens_on="2029-12-01",
    )
    client.force_login(world.manager)
    from django.urls import reverse

    html = client.get(reverse("sustainability:follow_up", args=[world.partnership.uuid, follow_up.uuid]))
    assert "Follow-up 1 year after the end" in html.content.decode()
    assert "1 years" not in html.content.decode()


# The glossary's word for a round, in each language (docs/GLOSSARY.md: "matching round").
ROUND = {"fr": r"\bcycles?\b", "es": r"\brondas?\b", "ru": r"раунд", "pt": r"\brodadas?\b"}
NOT_ROUND = {
    "fr": r"\btours?\b",
    "es": r"\b(vueltas?|ciclos?)\b",
    "ru": r"(цикл|тур\b)",
    "pt": r"\brondas?\b",
}


@pytest.mark.parametrize("lang", sorted(ROUND))
def test_each_language_names_a_round_with_one_word(lang):
    with open(LOCALE / lang / "LC_MESSAGES" / "django.po", "rb") as fh:
        catalogue = read_po(fh, locale=lang)
    named = 0
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not any(re.search(r"\brounds?\b", i or "") for i in ids):
            continue
        for text in strings:
            assert not re.search(NOT_ROUND[lang], text or "", re.I), (ids[0], text)
            named += bool(re.search(ROUND[lang], text or "", re.I))
    assert named > 40
