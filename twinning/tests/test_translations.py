"""The translation catalogues: complete, current and compiled; and text reaching people in their own language.

`COMPLETE_LANGUAGES` lists the languages whose translation is finished. For each of them the real catalogues
must have no untranslated, fuzzy or obsolete entry, no placeholder that differs from its source, and exactly the
strings the source has today (`make messages` run into a temporary copy). Translators add their language here
when they finish it; from then on a string added anywhere without its translation fails the suite. The checker
itself is proven on small catalogues written below, one complete and one with each fault.
"""

import datetime
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

import twinning
from twinning.accounts import notices
from twinning.accounts.notifications import notify
from twinning.accounts.services import invitation_send
from twinning.contributions import services as contributions
from twinning.directory.models import HealthArea
from twinning.partnerships.models import Pillar
from twinning.partnerships.services import programme_create
from twinning.testing.catalogues import (
    catalogue_faults,
    compiled_faults,
    currency_faults,
    placeholders,
    report,
    source_msgids,
)
from twinning.testing.factories import UserFactory

# Languages whose translation is finished: the translators add theirs when done (never remove one).
COMPLETE_LANGUAGES: list[str] = ["fr", "es", "ru", "pt"]

PACKAGE = Path(twinning.__file__).parent
LOCALE = PACKAGE / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]

HEADER = """\
msgid ""
msgstr ""
"Project-Id-Version: Twinning\\n"
"Language: fr\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"
"""

COMPLETE = (
    HEADER
    + """
msgid "Partnerships"
msgstr "Partenariats"

#, python-format
msgid "%(n)s of %(total)s done"
msgstr "%(n)s sur %(total)s faits"

#, python-format
msgid "%s hours on %d days"
msgstr "%s heures sur %d jours"

msgid "Hello {name}, 100%% sure"
msgstr "Bonjour {name}, sûr à 100%%"

#, python-format
msgid "One place left"
msgid_plural "%(n)s places left"
msgstr[0] "%(n)s place restante"
msgstr[1] "%(n)s places restantes"
"""
)

BROKEN = (
    HEADER
    + """
msgid "Partnerships"
msgstr ""

#, fuzzy
msgid "Institutions"
msgstr "Institutions"

#, python-format
msgid "%(n)s of %(total)s done"
msgstr "%(n)s sur %(totale)s faits"

#, python-format
msgid "%s hours on %d days"
msgstr "%s heures"

msgid "Hello {name}"
msgstr "Bonjour {nom}"

#, python-format
msgid "One place left"
msgid_plural "%(n)s places left"
msgstr[0] "%(n)s place restante"
msgstr[1] ""

#~ msgid "Gone from the source"
#~ msgstr "Disparu"
"""
)


def write_po(directory: Path, text: str, language: str = "fr", domain: str = "django") -> Path:
    path = directory / language / "LC_MESSAGES" / f"{domain}.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def kinds(faults) -> dict[str, str]:
    return {f.msgid: f.kind for f in faults}


# --- the checker, on catalogues written here ------------------------------------------------------------


def test_the_checker_passes_a_complete_catalogue(tmp_path):
    assert catalogue_faults(write_po(tmp_path, COMPLETE)) == []


def test_the_checker_names_each_fault_of_a_broken_catalogue(tmp_path):
    faults = catalogue_faults(write_po(tmp_path, BROKEN))
    assert sorted((f.kind, f.msgid) for f in faults) == [
        ("fuzzy", "Institutions"),
        ("obsolete", "Gone from the source"),
        ("placeholders", "%(n)s of %(total)s done"),
        ("placeholders", "%s hours on %d days"),
        ("placeholders", "Hello {name}"),
        ("untranslated", "One place left"),
        ("untranslated", "Partnerships"),
    ]
    assert "%(totale)s" in report(faults)


def test_a_fuzzy_header_is_a_fault(tmp_path):
    faults = catalogue_faults(write_po(tmp_path, "#, fuzzy\n" + COMPLETE))
    assert [(f.kind, f.msgid) for f in faults] == [("fuzzy", "")]


def test_a_percent_sign_in_prose_is_not_a_placeholder_when_marked_so(tmp_path):
    text = HEADER + '\n#, no-python-format\nmsgid "from (% of target)"\nmsgstr "dès (%% de la cible)"\n'
    assert catalogue_faults(write_po(tmp_path, text)) == []


def test_only_placeholders_are_checked_while_a_catalogue_is_being_translated(tmp_path):
    faults = catalogue_faults(write_po(tmp_path, BROKEN), placeholders_only=True)
    assert set(kinds(faults).values()) == {"placeholders"} and len(faults) == 3


@pytest.mark.parametrize(
    "text, expected",
    [
        ("%(n)s of %(total)s", {"%(n)s": 1, "%(total)s": 1}),
        ("%s and %d and %.1f", {"%s": 1, "%d": 1, "%f": 1}),
        ("100%% done", {}),
        ("{name} and {0} and {}", {"{name}": 1, "{0}": 1, "{}": 1}),
        ("{{ literal }}", {}),
        ("%(a)s, %(a)s", {"%(a)s": 2}),
        ("at risk from (50% of target)", {}),
    ],
)
def test_placeholders_are_read_in_every_form(text, expected):
    assert placeholders(text) == expected


def test_a_plural_form_may_keep_the_number_where_the_english_singular_has_none(tmp_path):
    russian = HEADER.replace("nplurals=2; plural=(n > 1);", "nplurals=3; plural=(n%10==1 ? 0 : 1);") + (
        '\n#, python-format\nmsgid "One place left"\nmsgid_plural "%(n)s places left"\n'
        'msgstr[0] "Осталось %(n)s место"\nmsgstr[1] "Осталось %(n)s места"\nmsgstr[2] "Осталось мест: %(count)s"\n'
    )
    faults = catalogue_faults(write_po(tmp_path, russian))
    assert [(f.kind, f.detail.split(":")[0]) for f in faults] == [("placeholders", "form 2")]


def test_a_catalogue_out_of_date_with_its_source_is_caught(tmp_path):
    source = tmp_path / "app"
    source.mkdir()
    (source / "views.py").write_text(
        'from django.utils.translation import gettext as _\n_("Kept")\n_("Added since")\n'
    )
    (source / "page.html").write_text('{% load i18n %}{% translate "From a template" %}')
    (source / "static").mkdir()
    (source / "static" / "app.js").write_text('alert(gettext("From a script"));\n')
    (source / "exchanges" / "tests").mkdir(parents=True)
    (source / "exchanges" / "tests" / "test_x.py").write_text(
        'from django.utils.translation import gettext as _\n_("Not me")\n'
    )
    catalogues = tmp_path / "locale"
    write_po(
        catalogues, HEADER + '\nmsgid "Kept"\nmsgstr "Gardé"\n\nmsgid "Removed since"\nmsgstr "Retiré"\n'
    )
    write_po(catalogues, HEADER + '\nmsgid "From a script"\nmsgstr "D\'un script"\n', domain="djangojs")

    extracted = source_msgids(source, "fr")
    assert {m for m, _ctx in extracted["django"]} == {"Kept", "Added since", "From a template"}
    faults = currency_faults(catalogues, "fr", extracted)
    assert sorted((f.kind, f.msgid) for f in faults) == [
        ("missing", "Added since"),
        ("missing", "From a template"),
        ("stale", "Removed since"),
    ]
    assert not (source / "locale").exists()  # the extraction wrote into its own copy only


def test_a_po_file_not_compiled_since_it_changed_is_caught(tmp_path):
    path = write_po(tmp_path, COMPLETE)
    assert [f.kind for f in compiled_faults(path)] == ["not compiled"]
    subprocess.run(["msgfmt", "-o", str(path.with_suffix(".mo")), str(path)], check=True)
    assert compiled_faults(path) == []
    path.write_text(COMPLETE.replace("Partenariats", "Jumelages"), encoding="utf-8")
    assert [f.kind for f in compiled_faults(path)] == ["not compiled"]


# --- the real catalogues ------------------------------------------------------------------------------


def test_every_language_but_english_has_a_catalogue_with_its_own_header():
    for language in TRANSLATED:
        path = LOCALE / language / "LC_MESSAGES" / "django.po"
        text = path.read_text(encoding="utf-8")
        assert f'"Language: {language}\\n"' in text, path
        assert [f for f in catalogue_faults(path) if f.msgid == "" and f.kind == "fuzzy"] == [], path


def test_every_translation_written_so_far_keeps_its_sources_placeholders():
    faults = [
        fault
        for language in TRANSLATED
        for path in sorted((LOCALE / language / "LC_MESSAGES").glob("*.po"))
        for fault in catalogue_faults(path, placeholders_only=True)
    ]
    assert not faults, report(faults)


def test_the_compiled_catalogues_are_those_of_the_po_files():
    faults = [f for path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")) for f in compiled_faults(path)]
    assert not faults, "Compile the catalogues (make install-dev):\n" + report(faults)


def test_the_complete_languages_are_complete_and_current():
    assert set(COMPLETE_LANGUAGES) <= set(TRANSLATED)
    faults = []
    for language in COMPLETE_LANGUAGES:
        for path in sorted((LOCALE / language / "LC_MESSAGES").glob("*.po")):
            faults.extend(catalogue_faults(path))
        faults.extend(currency_faults(LOCALE, language, source_msgids(PACKAGE, language)))
    assert not faults, "Run make messages, then translate:\n" + report(faults)


# --- text in its reader's language ------------------------------------------------------------------------


def russian(text: str) -> str:
    """The Russian of a source string, from the catalogue (the translators' words, whatever they become)."""
    with translation.override("ru"):
        translated = translation.gettext(text)
    assert translated != text, f"{text!r} is not translated into Russian"
    return translated


@pytest.mark.django_db
def test_an_invitation_to_a_russian_speaker_is_written_in_russian(django_capture_on_commit_callbacks, world):
    invitee = UserFactory(email="ivan@example.org", language="ru")
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        invitation_send(
            inviter=world.coordinator, user=invitee, partnership=world.partnership, new_account=True
        )
    (email,) = mail.outbox
    names = {"partnership": world.partnership, "inviter": world.coordinator}
    assert email.subject == russian("Invitation to %(partnership)s on Twinning") % names
    assert russian(
        "%(inviter)s has invited you to the partnership “%(partnership)s” on Twinning."
    ) % names in (email.body)
    assert russian("Choose your password to sign in for the first time:") in email.body
    assert "password" not in email.body.replace("password-reset", "")
    assert translation.get_language() == settings.LANGUAGE_CODE  # the sender's language is left as it was


@pytest.mark.django_db
def test_a_notification_reaches_each_person_in_their_language(django_capture_on_commit_callbacks, world):
    russian_reader = UserFactory(email="olga@example.org", language="ru")
    english_reader = UserFactory(email="john@example.org", language="en")
    approved = "Your results for %(period)s were approved."
    with translation.override("pt"), django_capture_on_commit_callbacks(execute=True):
        notify(
            [russian_reader, english_reader],
            actor=world.me_officer,
            message=notices.notice(approved, period=notices.period("2024")),
            url="/",
        )
    sent = {m.to[0]: m.body for m in mail.outbox}
    assert sent["olga@example.org"].startswith(russian(approved) % {"period": "2024"})
    assert sent["john@example.org"].startswith("Your results for 2024 were approved.")


@pytest.mark.django_db
def test_a_password_reset_email_is_written_in_the_accounts_language(client):
    UserFactory(email="ivan@example.org", language="ru")
    client.post("/password-reset/", {"email": "ivan@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    (email,) = mail.outbox
    # Django's own reset email, in Django's own Russian, although the page was asked for in English.
    assert "Вы получили это письмо" in email.body and "You're receiving" not in email.body


@pytest.mark.django_db
def test_the_shipped_pillars_are_stored_in_english_and_shown_in_the_readers_language(world):
    with translation.override("fr"):  # an administrator working in French sets the programme up
        programme = programme_create(actor=world.admin, name="Programme francophone")
    pillar = Pillar.objects.get(programme=programme, code="models_of_care")
    assert pillar.name == "Introducing new models of care and services"
    with translation.override("fr"):
        french_pillar = translation.gettext(pillar.name)
        french_area = translation.gettext("Maternal and newborn health")
        assert str(pillar) == french_pillar != pillar.name
        assert str(Pillar(name="Our own pillar")) == "Our own pillar"  # a programme's own name stays as typed
        assert (
            str(HealthArea.objects.get(code="maternal-newborn"))
            == french_area
            != "Maternal and newborn health"
        )


@pytest.mark.django_db
def test_a_french_reader_sees_french_figures_on_a_page(client, world):
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
    client.force_login(world.finance)
    client.post("/i18n/setlang/", {"language": "fr"})
    page = client.get(reverse("contributions:gift_detail", args=[world.partnership.uuid, gift.uuid]))
    page = page.content.decode()
    with translation.override("fr"):
        label = translation.gettext("Fair value")
    assert label != "Fair value" and label in page and "1\u202f234,50\u00a0USD" in page


def test_spanish_on_track_says_as_planned_not_in_progress():
    with translation.override("es"):
        assert translation.gettext("On track") == "Según lo previsto"
        assert translation.gettext("Off track") == "Con retraso"
