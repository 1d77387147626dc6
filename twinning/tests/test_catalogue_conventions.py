"""Each language's own conventions, over the whole catalogue: French puts a no-break space before : ; ? and !,
Russian never makes the reader's or author's gender guessable by "(а)" forms or a past-tense verb agreeing with a
person's name (noun phrases instead), and Portuguese writes month names in lower case."""

import datetime
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.formats import date_format

import twinning

LOCALE = Path(twinning.__file__).parent / "locale"


def _translations(language: str) -> list[tuple[str, str]]:
    found = []
    for domain in ("django", "djangojs"):
        with open(LOCALE / language / "LC_MESSAGES" / f"{domain}.po", "rb") as po:
            for message in read_po(po):
                if not message.id:
                    continue
                source = message.id if isinstance(message.id, str) else message.id[0]
                strings = message.string if isinstance(message.string, list | tuple) else [message.string]
                found += [(source, text) for text in strings if text]
    return found


def test_french_puts_a_no_break_space_before_colons_semicolons_and_question_and_exclamation_marks():
    faults = [
        (source, text) for source, text in _translations("fr") if re.search(r"[^\S\u00a0\u202f][:;?!]", text)
    ]
    assert faults == []
    # A mark glued to a word (no space at all) is code the reader types as shown: a URL, a header, "code: name".


def test_french_reasons_read_with_their_no_break_space():
    with translation.override("fr"):
        assert translation.gettext("Reason:").endswith("\u00a0:")


PERSON = r"%\((?:author|actor|name|who|user|person|inviter)\)s"
PAST_TENSE = r"[а-яё]+(?:л|ла|ло|ли)(?:ся|сь)?"


def test_russian_never_guesses_a_persons_gender():
    faults = [
        (source, text)
        for source, text in _translations("ru")
        if re.search(r"\w\((?:а|ла|ась|ой|ая)\)", text)
        or re.search(rf"{PERSON}\s+(?:не\s+)?{PAST_TENSE}(?![а-яё])", text)
    ]
    assert faults == []


HISTORY_ACTIONS = ("created", "changed", "deleted", "moved stage", "granted access", "revoked access")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        # A history line reads "<action> <kind> <object>": a participle ("créé", "creado") would have to agree with
        # a kind it does not know ("créé période"), so every language but English names the action with a noun.
        (
            "ru",
            [
                "создание:",
                "изменение:",
                "удаление:",
                "смена этапа:",
                "предоставление доступа:",
                "отзыв доступа:",
            ],
        ),
        (
            "fr",
            [
                "création\u00a0:",
                "modification\u00a0:",
                "suppression\u00a0:",
                "changement d'étape\u00a0:",
                "octroi d'accès\u00a0:",
                "retrait d'accès\u00a0:",
            ],
        ),
        (
            "es",
            [
                "creación:",
                "modificación:",
                "eliminación:",
                "cambio de etapa:",
                "concesión de acceso:",
                "revocación de acceso:",
            ],
        ),
        (
            "pt",
            [
                "criação:",
                "alteração:",
                "eliminação:",
                "mudança de etapa:",
                "concessão de acesso:",
                "revogação de acesso:",
            ],
        ),
    ],
)
def test_history_lines_name_the_action_with_a_noun(language, expected):
    with translation.override(language):
        assert [translation.pgettext("history action", action) for action in HISTORY_ACTIONS] == expected


def test_russian_comments_name_their_author_before_the_verb():
    with translation.override("ru"):
        comment = translation.gettext(
            "%(author)s commented on the %(period)s report of %(partnership)s: %(body)s"
        )
    assert comment.startswith("Комментарий от %(author)s")


@pytest.mark.parametrize(
    ("format_name", "expected"),
    [("DATE_FORMAT", "5 de março de 2026"), ("YEAR_MONTH_FORMAT", "março de 2026")],
)
def test_portuguese_dates_write_the_month_in_lower_case(format_name, expected):
    with translation.override("pt"):
        assert date_format(datetime.date(2026, 3, 5), format_name) == expected
        months = [date_format(datetime.date(2026, month, 1), "F") for month in range(1, 13)]
    assert all(name == name.lower() for name in months)


def test_other_languages_keep_djangos_month_names():
    with translation.override("fr"):
        assert date_format(datetime.date(2026, 3, 5)) == "5 mars 2026"
    with translation.override("ru"):
        assert date_format(datetime.date(2026, 3, 5)) == "5 марта 2026 г."
    with translation.override("es"):
        assert date_format(datetime.date(2026, 3, 5)) == "5 de marzo de 2026"


# The two sides of a partnership each have one name per language (docs/GLOSSARY.md): a tester read "côté hôte"
# beside "partenaire ressource" on one page. A message about the host side (or resource side) names it with its
# glossary term: French côté hôte / côté ressource; Spanish and Portuguese the host and support institution, in
# full (never "la anfitriona", "lado anfitrión", "parte anfitriona"); Russian принимающая / ресурсная сторона.
SIDE_TERMS = {
    "fr": {"host": r"côtés? hôtes?", "resource": r"côtés? ressources?"},
    "es": {"host": r"instituci(ón|ones) anfitrionas?", "resource": r"instituci(ón|ones) de apoyo"},
    "pt": {"host": r"instituiç(ão|ões) anfitriãs?", "resource": r"instituiç(ão|ões) de apoio"},
    "ru": {"host": r"принимающ\w+ сторон", "resource": r"ресурсн\w+ сторон"},
}
SIDE_OUTLIERS = {
    "fr": r"partenaires? ressources?|partenaires? hôtes?|institutions? hôtes?",
    "es": r"lado anfitrión|parte anfitriona|(la|las) anfitrionas?\b",
    "pt": r"lado anfitrião|parte anfitriã|(a|as) anfitriãs?\b",
    "ru": r"$^",
}


@pytest.mark.parametrize("language", sorted(SIDE_TERMS))
def test_each_side_of_a_partnership_has_one_name_in_each_language(language):
    wrong = []
    for source, text in _translations(language):
        for side, term in SIDE_TERMS[language].items():
            if re.search(rf"\b{side} sides?\b", source, re.I) and not re.search(term, text, re.I):
                wrong.append((source, text))
        if re.search(r"\b(host|resource) sides?\b", source, re.I) and re.search(
            SIDE_OUTLIERS[language], text, re.I
        ):
            wrong.append((source, text))
    assert wrong == []
