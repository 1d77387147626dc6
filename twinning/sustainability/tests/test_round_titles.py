"""A round opened without a typed title stores none and is called by its instrument and year in the reader's
language (AssessmentRound.shown_title): on its page, in lists and exports, over the API, in notifications
written in each recipient's language and in the history. A typed title is shown as typed (issue 13)."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from twinning.accounts.models import Notification
from twinning.accounts.services import api_token_create
from twinning.audit.models import AuditEvent
from twinning.sustainability import services
from twinning.sustainability.models import AssessmentRound, Instrument, Item
from twinning.sustainability.services import AnswerInput

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 12, 31)
ENGLISH = "Partnership health check 2026"


def health_check() -> Instrument:
    return Instrument.objects.get(programme__isnull=True, kind=Instrument.Kind.HEALTH_CHECK)


def french() -> str:
    with translation.override("fr"):
        title = f"{translation.gettext('Partnership health check')} 2026"
    assert title != ENGLISH  # else this test could not fail
    return title


def opened(world, title="", language="ru"):
    # Opened by someone reading Russian: an automatic title used to be stored in Russian for everyone.
    with translation.override(language):
        return services.round_open(
            actor=world.coordinator,
            partnership=world.partnership,
            instrument=health_check(),
            due_date=DUE,
            title=title,
        )


def test_an_automatic_title_is_not_stored_and_reads_in_each_language(world):
    assessment_round = opened(world)
    assessment_round.refresh_from_db()
    assert assessment_round.title == ""
    with translation.override("en"):
        assert assessment_round.shown_title == str(assessment_round) == ENGLISH
    with translation.override("fr"):
        assert assessment_round.shown_title == str(assessment_round) == french()


def test_a_typed_title_is_shown_as_typed_in_every_language(world):
    assessment_round = opened(world, title="  Midterm check  ")
    assert assessment_round.title == "Midterm check"
    for language in ("en", "fr"):
        with translation.override(language):
            assert assessment_round.shown_title == "Midterm check"


def test_the_round_page_and_the_partnerships_list_show_the_readers_title(client, world):
    assessment_round = opened(world)
    client.force_login(world.member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("sustainability:round", args=[assessment_round.uuid])).content.decode()
    assert f"<h1>{french()}</h1>" in page
    listed = client.get(reverse("sustainability:partnership", args=[world.partnership.uuid])).content.decode()
    assert french() in listed and ENGLISH not in listed
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("sustainability:round", args=[assessment_round.uuid])).content.decode()
    assert f"<h1>{ENGLISH}</h1>" in page


def test_the_api_answers_the_title_in_the_readers_language(world):
    _token, raw = api_token_create(actor=world.coordinator, user=world.coordinator, name="t")
    reader = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="fr")
    created = reader.post(
        "/api/v1/sustainability/rounds",
        {
            "partnership": str(world.partnership.uuid),
            "instrument": str(health_check().uuid),
            "due_date": "2026-12-31",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["title"] == french()
    assert AssessmentRound.objects.get().title == ""
    english = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    assert english.get(f"/api/v1/sustainability/rounds/{created.json()['uuid']}").json()["title"] == ENGLISH


def test_a_notification_names_the_round_in_the_recipients_language(world):
    assessment_round = opened(world)
    world.resource_coordinator.language = "fr"
    world.resource_coordinator.save(update_fields=["language"])
    items = Item.objects.filter(section__version=assessment_round.instrument_version)
    services.answers_save(
        actor=world.coordinator,
        assessment_round=assessment_round,
        answers={item.pk: AnswerInput(value=3) for item in items},
        submit=True,
    )
    Notification.objects.all().delete()
    services.side_submit(actor=world.coordinator, assessment_round=assessment_round)
    told = Notification.objects.get(user=world.resource_coordinator)
    with translation.override("fr"):  # worded when read, in the reader's language
        assert told.shown_message.startswith(french())


def test_the_history_names_the_round_in_the_readers_language(world):
    assessment_round = opened(world)
    created = AuditEvent.objects.get(target_id=str(assessment_round.pk), action="create")
    assert created.target_repr.endswith(" 2026") and created.target_repr != ENGLISH  # written in Russian
    assert created.target_names["en"] == ENGLISH
    assert created.target_names["fr"] == french()


def test_the_migration_blanks_automatic_titles_in_any_language_and_keeps_typed_ones(world):
    automatic_en = opened(world, title=ENGLISH)
    automatic_fr = opened(world, title=french())
    typed = opened(world, title="Midterm check")
    migration = importlib.import_module("twinning.sustainability.migrations.0006_round_title_may_be_blank")
    migration.blank_automatic_titles(apps, None)
    titles = dict(AssessmentRound.objects.values_list("pk", "title"))
    assert titles == {automatic_en.pk: "", automatic_fr.pk: "", typed.pk: "Midterm check"}
    migration.restore_english_titles(apps, None)
    assert AssessmentRound.objects.get(pk=automatic_fr.pk).title == ENGLISH
