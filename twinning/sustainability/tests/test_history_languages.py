"""The history reads in the reader's language whatever language the writer used: services store codes (a party, a
follow-up answer), never a label in the actor's language, and the history shows each code by its label in the
reader's language (core.history), with every field named by its translated label."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from twinning.audit.models import AuditEvent
from twinning.core.rendering import colon
from twinning.planning import services as planning
from twinning.planning.tests.factories import plan_with_indicator
from twinning.sustainability import transition_services
from twinning.sustainability.follow_ups import ItemAnswer, follow_up_answer
from twinning.sustainability.tests.test_follow_ups import _graduate
from twinning.sustainability.tests.transition_factories import plan_activities

pytestmark = pytest.mark.django_db


def _page(client, user, language, url) -> str:
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": language})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _in(language, text) -> str:
    with translation.override(language):
        return escape(translation.gettext(text))


def _colon(language) -> str:
    with translation.override(language):
        return colon()


def _transition_plan_signed_in_russian(world):
    plan = transition_services.transition_plan_create(
        actor=world.coordinator, partnership=world.partnership, summary="Handover"
    )
    activity = plan_activities(world, 1)[0]
    transition_services.transition_item_add(
        actor=world.coordinator,
        plan=plan,
        title=activity.title,
        kind="activity",
        activity=activity,
        owner_role="Training unit",
        funding_source="host_budget",
    )
    with translation.override("ru"):
        sign_off = transition_services.transition_plan_sign(
            actor=world.resource_coordinator, plan=plan, party="resource"
        )
    return plan, sign_off


def test_a_signature_is_stored_as_its_party_code_not_the_signers_words(world):
    _plan, sign_off = _transition_plan_signed_in_russian(world)
    event = AuditEvent.objects.for_object(sign_off).get(action="create")
    assert event.changes["party"] == [None, "resource"]


@pytest.mark.parametrize("language", ["fr", "ru"])
def test_a_signature_given_in_russian_reads_in_the_readers_language_on_the_transition_page(
    client, world, language
):
    _transition_plan_signed_in_russian(world)
    page = _page(
        client,
        world.coordinator,
        language,
        reverse("sustainability:transition", args=[world.partnership.uuid]),
    )
    party = _in(language, "Resource side")
    assert f"{_colon(language)}{party}</div>" in page  # a creation: the value it started with, no arrow
    assert "Resource side</div>" not in page
    if language == "fr":
        assert "Ресурсная сторона" not in page


@pytest.mark.parametrize("language", ["fr", "ru"])
def test_withdrawn_plan_signatures_are_named_by_party_in_the_readers_language(client, world, language):
    plan, _objective, _plan_indicator = plan_with_indicator(world)
    with translation.override("ru"):
        planning.plan_sign_off(actor=world.coordinator, plan=plan, party="host")
    planning.plan_update(actor=world.coordinator, plan=plan, data={"title": "Safer births, revised"})
    withdrawn = AuditEvent.objects.for_object(plan).filter(changes__has_key="sign_offs").get()
    assert withdrawn.changes["sign_offs"] == [["host"], []]
    signed = AuditEvent.objects.filter(action="create", changes__has_key="party").get()
    assert signed.changes["party"] == [None, "host"]
    page = _page(client, world.coordinator, language, reverse("planning:plan", args=[world.partnership.uuid]))
    host = _in(language, "Host side")
    assert f": {host} → —</div>" in page  # the sign-offs withdrawn
    assert f"{_colon(language)}{host}</div>" in page  # the signature (a creation: no arrow)
    assert "Host side" not in page
    if language == "fr":
        assert "Принимающая сторона" not in page


@pytest.mark.parametrize("language", ["fr", "ru"])
def test_follow_up_answers_read_as_labels_in_the_readers_language(client, world, language):
    follow_up = _graduate(world)[1]
    answers = {q.pk: ItemAnswer(status="running", funded_by="host_budget") for q in follow_up.items.all()}
    with translation.override("en"):
        follow_up_answer(
            actor=world.member,
            follow_up=follow_up,
            answers=answers,
            staff_retained="most",
            partner_contact="occasional",
        )
    event = AuditEvent.objects.for_object(follow_up).get(action="update")
    assert event.changes["Triage training 1"] == [None, "running · host_budget"]  # codes, in no language
    page = _page(
        client, world.coordinator, language, reverse("partnerships:detail", args=[world.partnership.uuid])
    )
    running, budget = _in(language, "Still running"), _in(language, "Host institution's budget line")
    assert f"<strong>Triage training 1</strong>{_colon(language)}— → {running} · {budget}</div>" in page
    assert "running · host_budget" not in page and "Still running" not in page
    staff = _in(language, "trained staff still in post")
    assert f"<strong>{staff}</strong>{_colon(language)}— → {_in(language, 'Most of them')}</div>" in page


def test_the_renderer_reads_a_stored_password_change_code_in_the_readers_language(world):
    from django.contrib.contenttypes.models import ContentType

    from twinning.core.history import history_entry
    from twinning.interop.models import Dhis2Server

    event = AuditEvent(
        action=AuditEvent.Action.UPDATE,
        target_type=ContentType.objects.get_for_model(Dhis2Server),
        target_id="1",
        target_repr="DHIS2",
        changes={"password or token": ["…", "changed"], "dry run": [None, True]},
    )
    with translation.override("ru"):
        line = history_entry(event, full=True, show_contacts=True)
    assert [(c.label, c.before, c.after) for c in line.changes] == [
        ("пароль или токен", "…", "изменено"),
        ("пробный запуск", "—", "да"),
    ]


@pytest.mark.parametrize("language", ["fr", "ru"])
def test_who_opened_a_round_is_labelled_in_the_readers_language_on_the_partnership_page(
    client, world, language
):
    from twinning.sustainability import services
    from twinning.sustainability.tests.test_services import DUE, health_check

    with translation.override("en"):
        services.round_open(
            actor=world.coordinator, partnership=world.partnership, instrument=health_check(), due_date=DUE
        )
    page = _page(
        client, world.coordinator, language, reverse("partnerships:detail", args=[world.partnership.uuid])
    )
    assert f"<strong>{_in(language, 'opened by')}</strong>{_colon(language)}" in page
    assert f"<strong>{_in(language, 'instrument version')}</strong>{_colon(language)}" in page
    assert "— → " not in page  # a creation lists the values it started with
    assert "<strong>opened by</strong>" not in page
