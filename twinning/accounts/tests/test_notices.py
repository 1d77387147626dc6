"""Notices are stored as what they say and worded in the reader's language; emails in the recipient's."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import escape

from twinning.accounts import notices
from twinning.accounts.models import Notification, User
from twinning.accounts.notifications import email_language, notify
from twinning.core.periods import period_label
from twinning.knowledge import services as knowledge
from twinning.knowledge.models import Practice
from twinning.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

APPROVED = "Your results for %(period)s were approved."
PRACTICE_STEP = "Your practice “%(title)s”: %(from)s → %(to)s. %(comment)s"


def translated(language: str, text: str) -> str:
    with translation.override(language):
        result = translation.gettext(text)
    assert result != text or language == "en", f"{text!r} is not translated into {language}"
    return result


def approved(language: str, period_id: str = "2026Q1") -> str:
    with translation.override(language):
        return translated(language, APPROVED) % {"period": period_label(period_id)}


def approval_notice() -> notices.Notice:
    return notices.notice(APPROVED, period=notices.period("2026Q1"))


def send(recipients, actor, message, language="fr", **kwargs):
    with translation.override(language):
        return notify(recipients, actor=actor, message=message, url="/somewhere/", **kwargs)


def due_page(client, user, language):
    client.force_login(user)
    return page_in(client, language)


def page_in(client, language):
    return client.get(reverse("monitoring:due"), HTTP_ACCEPT_LANGUAGE=language).content.decode()


# --- emails: the recipient's language ---------------------------------------------------------------------


def test_a_french_senders_notice_is_emailed_in_the_russian_its_recipient_last_used(
    world, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=world.coordinator.pk).update(last_language="ru")
    world.coordinator.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        send([world.coordinator], world.me_officer, approval_notice(), language="fr")
    (email,) = mail.outbox
    assert email.body.startswith(approved("ru")) and email.subject == approved("ru")
    assert email.body.endswith("/somewhere/")


def test_the_profile_language_wins_over_the_last_one_used_and_unknown_is_the_senders(
    world, django_capture_on_commit_callbacks
):
    chose = UserFactory(email="chose@example.org", language="es", last_language="ru")
    invitee = UserFactory(
        email="new@example.org", last_language=""
    )  # never signed in: the sender's language is the best guess
    with django_capture_on_commit_callbacks(execute=True):
        send([chose, invitee], world.me_officer, approval_notice(), language="fr")
    sent = {m.to[0]: m.body for m in mail.outbox}
    assert sent["chose@example.org"].startswith(approved("es"))
    assert sent["new@example.org"].startswith(approved("fr"))
    assert email_language(chose) == "es" and email_language(invitee) == ""
    assert email_language(User(last_language="xx")) == ""  # a code no longer offered is not used


def test_an_emails_subject_is_worded_in_the_recipients_language(world, django_capture_on_commit_callbacks):
    reader = UserFactory(email="olga@example.org", last_language="ru")
    subject = notices.notice(
        "Results returned for correction: %(partnership)s, %(period)s",
        partnership=notices.text("Kampala–Leeds"),
        period=notices.period("2026Q1"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        send([reader], world.me_officer, approval_notice(), subject=subject)
    (email,) = mail.outbox
    with translation.override("ru"):
        expected = translated("ru", "Results returned for correction: %(partnership)s, %(period)s") % {
            "partnership": "Kampala–Leeds",
            "period": period_label("2026Q1"),
        }
    assert email.subject == expected


def test_notify_leaves_out_the_actor_repeats_nobody_and_inactive_people(world):
    inactive = UserFactory(is_active=False)
    rows = send(
        [world.coordinator, world.member, world.manager, None, world.member, inactive],
        world.manager,
        approval_notice(),
    )
    assert sorted(row.user.pk for row in rows) == sorted([world.coordinator.pk, world.member.pk])


# --- in the app: the reader's language --------------------------------------------------------------------


def test_a_notice_is_stored_as_its_message_id_and_parameters_with_its_english_wording(world):
    (row,) = send([world.coordinator], world.me_officer, approval_notice(), language="fr")
    row.refresh_from_db()
    assert row.message_id == APPROVED and row.params == {"period": ["period", "2026Q1"]}
    assert row.message == APPROVED % {"period": period_label("2026Q1")}  # English, whoever sent it


def test_the_same_notice_reads_in_portuguese_on_a_portuguese_page(client, world):
    send([world.coordinator], world.me_officer, approval_notice(), language="fr")
    page = due_page(client, world.coordinator, "pt")
    assert escape(approved("pt")) in page and escape(approved("fr")) not in page


def test_changing_the_profile_language_changes_how_an_old_notice_reads(client, world):
    send([world.coordinator], world.me_officer, approval_notice(), language="fr")
    assert escape(approved("ru")) in due_page(client, world.coordinator, "ru")
    User.objects.filter(pk=world.coordinator.pk).update(language="es")
    assert escape(approved("es")) in due_page(client, world.coordinator, "ru")


def test_a_notice_written_before_message_ids_shows_its_stored_text(client, world):
    Notification.objects.create(user=world.coordinator, message="Vos résultats ont été approuvés.", url="/")
    page = due_page(client, world.coordinator, "pt")
    assert escape("Vos résultats ont été approuvés.") in page


def test_a_shipped_label_in_a_notice_is_read_in_the_readers_language(world):
    practice = knowledge.practice_create(
        actor=world.member, partnerships=[world.partnership], title="Bundle", summary="What we learned."
    )
    knowledge.practice_move(actor=world.member, practice=practice, to_status=Practice.Status.SUBMITTED)
    with translation.override("ru"):  # the reviewer works in Russian
        knowledge.practice_move(
            actor=world.manager, practice=practice, to_status=Practice.Status.DRAFT, comment="Add the costs."
        )
    notice = Notification.objects.get(user=world.member)
    # Stored in English, not in the reviewer's Russian.
    assert (notice.params or {})["from"] == ["shipped", "Submitted for review"]
    with translation.override("pt"):
        expected = translated("pt", PRACTICE_STEP) % {
            "title": "Bundle",
            "from": translated("pt", "Submitted for review"),
            "to": translated("pt", "Draft"),
            "comment": "Add the costs.",
        }
        assert notice.shown_message == expected


def test_an_outsider_does_not_see_someone_elses_notices(client, world):
    send([world.coordinator], world.me_officer, approval_notice(), language="en")
    assert escape(approved("fr")) not in due_page(client, world.outsider, "fr")
    assert escape(approved("en")) not in page_in(client, "en")
    assert escape(approved("en")) in due_page(client, world.coordinator, "en")


def test_the_notices_page_does_not_ask_more_queries_for_more_notices(client, world):
    send([world.coordinator], world.me_officer, approval_notice())
    due_page(client, world.coordinator, "pt")  # records the language read in, once
    with CaptureQueriesContext(connection) as few:
        page_in(client, "pt")
    for n in range(8):
        send(
            [world.coordinator],
            world.me_officer,
            notices.notice(
                "A gift to %(partnership)s was signed for and waits for verification: %(gift)s",
                partnership=notices.text("Kampala–Leeds"),
                gift=notices.text(f"Gift {n}"),
            ),
        )
    with CaptureQueriesContext(connection) as many:
        page = page_in(client, "pt")
    assert "Gift 7" in page and len(many.captured_queries) == len(few.captured_queries)


# --- the language a signed-in person last used ------------------------------------------------------------


def last_language_writes(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("UPDATE") and "last_language" in q["sql"]
    ]


def test_a_signed_in_page_records_its_language_once_and_then_costs_no_query(client, world):
    client.force_login(world.coordinator)
    with CaptureQueriesContext(connection) as first:
        page_in(client, "ru")
    assert len(last_language_writes(first)) == 1
    assert User.objects.get(pk=world.coordinator.pk).last_language == "ru"
    with CaptureQueriesContext(connection) as again:
        page_in(client, "ru")
    assert (
        last_language_writes(again) == [] and len(again.captured_queries) == len(first.captured_queries) - 1
    )
    page_in(client, "es")
    assert User.objects.get(pk=world.coordinator.pk).last_language == "es"


def test_a_visitors_page_records_nothing(client):
    with CaptureQueriesContext(connection) as captured:
        client.get("/login/", HTTP_ACCEPT_LANGUAGE="ru")
    assert last_language_writes(captured) == []


# --- wording: each kind of parameter, and nothing ever breaks a page ---------------------------------------


def test_each_kind_of_parameter_is_worded_in_the_readers_language():
    message = "%(day)s|%(hours)s|%(side)s|%(label)s|%(round)s|%(period)s|%(typed)s"
    stored = notices.notice(
        message,
        day=notices.date(datetime.date(2026, 3, 31)),
        hours=notices.number(Decimal("12.5")),
        side=notices.side("host"),
        label=notices.shipped(Practice.Status.DRAFT.label),
        round=notices.words(notices.shipped("Partnership health check"), notices.text(2026)),
        period=notices.period("2026Q1"),
        typed=notices.text("Draft"),
    ).encoded_params()
    with translation.override("fr"):
        assert notices.word(message, "", stored).split("|") == [
            date_format(datetime.date(2026, 3, 31), "DATE_FORMAT"),
            "12,5",
            translated("fr", "Host").lower(),
            translated("fr", "Draft"),
            translated("fr", "Partnership health check") + " 2026",
            period_label("2026Q1"),
            "Draft",  # typed text is shown as typed, even when it happens to be a shipped word
        ]


def test_a_plural_notice_chooses_its_form_by_its_count():
    singular = (
        "%(years)s year after %(partnership)s ended, please tell the programme what still runs: "
        "the follow-up is open and due on %(date)s."
    )
    plural = singular.replace("year after", "years after")
    day = datetime.date(2030, 1, 1)
    for years, english in ((1, singular), (3, plural)):
        stored = notices.notice(
            singular,
            plural=plural,
            years=notices.count(years),
            partnership=notices.text("P"),
            date=notices.date(day),
        )
        for language in ("en", "ru"):
            with translation.override(language):
                form = translation.ngettext(singular, plural, years)
                assert form != english or language == "en"
                assert stored.word() == form % {"years": years, "partnership": "P", "date": date_format(day)}


def test_a_translation_that_lost_a_placeholder_gives_the_english_wording(monkeypatch):
    stored = approval_notice().encoded_params()
    monkeypatch.setattr(translation, "gettext", lambda text: "Vos résultats %(periode)s")
    assert notices.word(APPROVED, "", stored) == APPROVED % {"period": period_label("2026Q1")}


def test_a_malformed_row_shows_what_it_can_and_never_raises():
    assert notices.word("On %(day)s", "", {"day": ["date", "not a date"]}) == "On not a date"
    assert notices.word("On %(day)s", "", {"day": ["no such kind", "x"]}) == "On x"
    assert notices.word("On %(day)s", "", {"day": "bare"}) == "On bare"
    assert notices.word("On %(day)s", "", {}, fallback="Stored text") == "Stored text"
    assert notices.word("On %(day)s", "", ["not", "a", "dict"], fallback="Stored") == "Stored"
    assert notices.word("", "", None, fallback="Old row") == "Old row"


def test_a_notices_parameters_are_bounded():
    assert len(notices.text("x" * 5000).value) == notices.TEXT_MAX
    with pytest.raises(ValueError):
        notices.notice("too many", **{f"p{n}": notices.text(n) for n in range(notices.MAX_PARAMS + 1)})
    with pytest.raises(ValueError):
        notices.words(notices.words(notices.text("a")))
    with pytest.raises(ValueError):
        notices.notice("%(n)s things", plural="%(n)s thing")  # a plural needs its count
    with pytest.raises(ValueError):
        notices.Notice("raw", {"a": "not a Param"})  # type: ignore[dict-item]


def test_a_number_in_a_notice_is_grouped_as_the_reader_groups_thousands():
    """Fresh tester (issue 15): "registou 1250,5 horas" in Portuguese; a number read in a sentence is grouped."""
    stored = notices.notice("%(hours)s", hours=notices.number(Decimal("1250.50"))).encoded_params()
    for language, shown in (("pt", "1.250,5"), ("en", "1,250.5"), ("fr", "1\u202f250,5")):
        with translation.override(language):
            assert notices.word("%(hours)s", "", stored) == shown
    whole = notices.notice("%(hours)s", hours=notices.number(Decimal("1200.00"))).encoded_params()
    with translation.override("es"):
        assert notices.word("%(hours)s", "", whole) in ("1.200", "1200")  # CLDR: Spanish groups from 5 digits
