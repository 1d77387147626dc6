"""Free text is capped alike at every door (forms, the API, the services behind both and imports): a 100,000-character
comment is refused with a clear, translated message and nothing is saved (tester's finding)."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import translation

from twinning.sustainability import services
from twinning.sustainability.limits import COMMENT_MAX, TEXT_MAX
from twinning.sustainability.models import Item, Response
from twinning.sustainability.models_transition import FollowUp, TransitionPlan
from twinning.sustainability.services import AnswerInput
from twinning.sustainability.tests.factories import RoundFactory
from twinning.sustainability.tests.test_api import URL, api

pytestmark = pytest.mark.django_db
HUGE = "x" * 100_000


def test_every_free_text_field_of_the_app_has_a_limit_on_the_model():
    """The kind, not one field: every TextField of the app is capped by a validator the services run and by a
    max_length the forms take; a new one without a cap fails here."""
    for model in apps.get_app_config("sustainability").get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.TextField):
                limits = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
                assert limits and field.max_length == limits[0] <= TEXT_MAX, (model.__name__, field.name)


def _round_and_item(world):
    assessment_round = RoundFactory(partnership=world.partnership)
    item = Item.objects.filter(section__version=assessment_round.instrument_version).first()
    return assessment_round, item


def test_a_huge_answer_comment_is_refused_on_the_page_with_a_translated_message(client, world):
    assessment_round, item = _round_and_item(world)
    client.force_login(world.member)
    url = reverse("sustainability:answers", args=[assessment_round.uuid])
    response = client.post(url, {f"item-{item.pk}": "4", f"comment-{item.pk}": HUGE, "version": "0"})
    assert response.status_code == 400
    assert f"at most {COMMENT_MAX} characters" in response.content.decode()
    assert not Response.objects.filter(round=assessment_round).exists()
    client.cookies["django_language"] = "fr"
    response = client.post(
        url, {f"item-{item.pk}": "4", f"comment-{item.pk}": HUGE, "version": "0"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    assert "caractères" in response.content.decode()


def test_a_long_answer_comment_is_refused_by_the_api_and_the_service(world):
    assessment_round, item = _round_and_item(world)
    key = f"{item.section.code}.{item.code}"
    too_long = "x" * (COMMENT_MAX + 1)
    response = api(world.member).put(
        f"{URL}/rounds/{assessment_round.uuid}/answers/mine",
        {"answers": [{"key": key, "value": 4, "comment": too_long}]},
        content_type="application/json",
    )
    assert response.status_code in (400, 422), response.json()
    assert f"at most {COMMENT_MAX} characters" in str(response.json())
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.answers_save(
            actor=world.member,
            assessment_round=assessment_round,
            answers={item.pk: AnswerInput(value=4, comment=too_long)},
        )
    assert f"at most {COMMENT_MAX} characters" in str(refused.value)
    assert not Response.objects.filter(round=assessment_round).exists()
    exactly = services.answers_save(
        actor=world.member,
        assessment_round=assessment_round,
        answers={item.pk: AnswerInput(value=4, comment="y" * COMMENT_MAX)},
    )
    assert exactly.answers.get().comment == "y" * COMMENT_MAX


def _open_follow_up(world) -> FollowUp:
    today = datetime.date.today()
    follow_up = FollowUp.objects.create(
        partnership=world.partnership,
        years_after=1,
        ended_on=today - datetime.timedelta(days=365),
        outcome="graduate",
        due_date=today,
        opens_on=today - datetime.timedelta(days=30),
    )
    follow_up.items.create(kind="activity", title="Triage")
    return follow_up


def test_a_huge_follow_up_comment_is_refused_on_the_page_and_by_the_api(client, world):
    follow_up = _open_follow_up(world)
    question = follow_up.items.get()
    client.force_login(world.coordinator)
    url = reverse("sustainability:follow_up", args=[world.partnership.uuid, follow_up.uuid])
    data = {
        "staff_retained": "some",
        "partner_contact": "none",
        "comment": HUGE,
        "version": follow_up.version,
        f"status_{question.pk}": "adapted",
        f"funded_{question.pk}": "ministry",
        f"note_{question.pk}": "",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert f"at most {TEXT_MAX} characters" in response.content.decode()
    answers = {
        "questions": [{"question": 1, "status": "adapted", "funded_by": "local_government"}],
        "staff_retained": "most",
        "partner_contact": "regular",
        "comment": "x" * (TEXT_MAX + 1),
    }
    response = api(world.member).put(
        f"{URL}/follow-ups/{follow_up.uuid}/answers", answers, content_type="application/json"
    )
    assert response.status_code == 422, response.json()
    follow_up.refresh_from_db()
    assert not follow_up.is_answered and follow_up.comment == ""


def test_a_long_transition_plan_summary_is_refused_by_the_api(world):
    response = api(world.coordinator).post(
        f"{URL}/transition-plans",
        {"partnership": str(world.partnership.uuid), "summary": "x" * (TEXT_MAX + 1)},
        content_type="application/json",
    )
    assert response.status_code == 422, response.json()
    assert not TransitionPlan.objects.filter(partnership=world.partnership).exists()


def test_a_huge_instrument_description_is_refused_on_the_page(client, world):
    client.force_login(world.manager)
    url = reverse("sustainability:instrument_create", args=[world.programme.uuid])
    response = client.post(url, {"name": "Ours", "kind": "other", "description": HUGE})
    assert response.status_code in (200, 400)
    assert f"at most {TEXT_MAX} characters" in response.content.decode()


def test_a_refused_statement_opens_where_it_was_sent_with_what_was_typed(client, world):
    """Tester's finding (issue 13): the statement's error sat inside the closed "Add a statement" panel and the alert
    under the unrelated "Add a section" form. The refused form now opens in its own section, keeps what was typed,
    and the alert at the top links to it; the other sections' panels stay closed and blank."""
    instrument = services.instrument_create(actor=world.manager, programme=world.programme, name="Ours")
    trust = services.section_add(actor=world.manager, instrument=instrument, title="Trust")
    services.section_add(actor=world.manager, instrument=instrument, title="Money")
    client.force_login(world.manager)
    url = reverse("sustainability:instrument", args=[instrument.uuid])
    response = client.post(
        url,
        {
            "what": "item",
            "section": trust.pk,
            "statement": "We plan together",
            "scale_min": "5",
            "scale_max": "1",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count(' open id="fix"') == 1
    opened = html[html.index(' open id="fix"') :]
    opened = opened[: opened.index("</details>")]
    assert "The highest point must be above the lowest." in opened
    assert "We plan together" in opened
    assert html.count("We plan together") == 1  # the other section's form is blank
    assert 'href="#fix"' in html.split('id="section-')[0]  # the alert comes before the sections
    assert not Item.objects.filter(statement="We plan together").exists()
