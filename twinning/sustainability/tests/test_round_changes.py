"""A tester's findings on rounds and dates (issue 13): a blank answer sheet froze the instrument version; a round
could be neither changed nor cancelled; a graduation decision dated 9999-12-31 read an odd extension message."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from twinning.accounts.models import Notification
from twinning.audit.models import AuditEvent
from twinning.core.choices import Side
from twinning.core.services import VersionConflict
from twinning.partnerships.models import ENDED_STAGES, Partnership
from twinning.sustainability import graduation_services, services
from twinning.sustainability.assessment_work import rounds_waiting
from twinning.sustainability.models import Answer, AssessmentRound, InstrumentVersion, Response
from twinning.sustainability.models_transition import GraduationReview
from twinning.sustainability.services import AnswerInput
from twinning.sustainability.tests.factories import submit_sides
from twinning.sustainability.tests.test_api import URL, api
from twinning.sustainability.tests.test_services import DUE, answer_all, health_check, items_of
from twinning.testing.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def _own_instrument(world):
    instrument = services.instrument_create(
        actor=world.manager, programme=world.programme, name="Visit check"
    )
    section = services.section_add(actor=world.manager, instrument=instrument, title="Visits")
    services.item_add(actor=world.manager, section=section, statement="Visits are planned together.")
    return instrument


def _programme_round(world, instrument=None):
    return services.round_open(
        actor=world.manager,
        partnership=world.partnership,
        instrument=instrument or health_check(),
        due_date=DUE,
    )


def _own_round(world):
    return services.round_open(
        actor=world.coordinator, partnership=world.partnership, instrument=health_check(), due_date=DUE
    )


# --- 1. only an answer given freezes a version -----------------------------------------------------------


def test_a_blank_sheet_leaves_the_version_editable_and_an_answer_freezes_it(world):
    instrument = _own_instrument(world)
    assessment_round = _programme_round(world, instrument)
    item = items_of(assessment_round)[0]
    services.answers_save(actor=world.coordinator, assessment_round=assessment_round, answers={})
    services.answers_save(
        actor=world.member, assessment_round=assessment_round, answers={item.pk: AnswerInput()}
    )
    assert Response.objects.filter(round=assessment_round).count() == 2
    version = InstrumentVersion.objects.get(pk=assessment_round.instrument_version_id)
    assert not version.is_frozen
    # Nobody really answered: the programme corrects the statement in the same version.
    changed = services.item_update(actor=world.manager, item=item, data={"statement": "Visits are agreed."})
    assert changed.pk == item.pk and instrument.versions.count() == 1
    services.answers_save(
        actor=world.member, assessment_round=assessment_round, answers={item.pk: AnswerInput(value=4)}
    )
    version.refresh_from_db()
    assert version.is_frozen
    moved = services.item_update(actor=world.manager, item=item, data={"statement": "Visits are shared."})
    assert moved.pk != item.pk and instrument.versions.count() == 2


def test_a_comment_alone_is_an_answer_and_freezes_the_version(world):
    assessment_round = _programme_round(world, _own_instrument(world))
    item = items_of(assessment_round)[0]
    services.answers_save(
        actor=world.coordinator,
        assessment_round=assessment_round,
        answers={item.pk: AnswerInput(comment="We never plan visits.")},
    )
    assert InstrumentVersion.objects.get(pk=assessment_round.instrument_version_id).is_frozen


def test_a_blank_sheet_saved_on_the_page_or_over_the_api_freezes_nothing(client, world):
    assessment_round = _programme_round(world, _own_instrument(world))
    client.force_login(world.coordinator)
    saved = client.post(
        reverse("sustainability:answers", args=[assessment_round.uuid]), {"version": "0", "save": ""}
    )
    assert saved.status_code == 302
    put = api(world.member).put(
        f"{URL}/rounds/{assessment_round.uuid}/answers/mine", {"answers": []}, content_type="application/json"
    )
    assert put.status_code == 200, put.json()
    assert Response.objects.filter(round=assessment_round).count() == 2
    assert not InstrumentVersion.objects.get(pk=assessment_round.instrument_version_id).is_frozen
    detail = api(world.manager).get(
        f"{URL}/instruments/{assessment_round.instrument_version.instrument.uuid}"
    )
    assert detail.status_code == 200 and detail.json()["frozen"] is False


# --- 2. changing and cancelling a round ------------------------------------------------------------------


def test_programme_staff_change_a_rounds_due_date_audited_and_both_sides_told(world):
    assessment_round = _programme_round(world)
    Notification.objects.all().delete()
    later = DUE - datetime.timedelta(days=30)
    services.round_update(
        actor=world.me_officer,
        assessment_round=assessment_round,
        data={"due_date": later, "title": "Health check, second half"},
        expected_version=assessment_round.version,
    )
    assessment_round.refresh_from_db()
    assert assessment_round.due_date == later and assessment_round.shown_title == "Health check, second half"
    event = AuditEvent.objects.filter(target_id=str(assessment_round.pk), action="update").latest("pk")
    assert event.changes["due_date"] == [DUE.isoformat(), later.isoformat()]
    told = set(Notification.objects.values_list("user__email", flat=True))
    assert {world.coordinator.email, world.resource_coordinator.email} <= told


def test_who_changes_a_round_depends_on_who_opened_it(world):
    programme_round = _programme_round(world)
    with pytest.raises(
        PermissionDenied, match="Only the programme's editors change a round the programme opened"
    ):
        services.round_update(actor=world.coordinator, assessment_round=programme_round, data={"title": "x"})
    with pytest.raises(PermissionDenied):
        services.round_cancel(actor=world.coordinator, assessment_round=programme_round)
    own = _own_round(world)
    assert own.opened_by_programme is False and programme_round.opened_by_programme is True
    services.round_update(actor=world.coordinator, assessment_round=own, data={"title": "Ours"})
    services.round_update(actor=world.manager, assessment_round=own, data={"title": "Ours, checked"})
    # Refused with the reason that fits a round the partnership opened, not the programme's (issue 13).
    own_reason = (
        "Only the partnership's coordinators and the programme's editors change a round the partnership"
    )
    for who in ("member", "partnership_viewer", "programme_viewer", "finance"):
        with pytest.raises(PermissionDenied, match=own_reason):
            services.round_update(actor=getattr(world, who), assessment_round=own, data={"title": "x"})
        with pytest.raises(PermissionDenied, match=own_reason):
            services.round_cancel(actor=getattr(world, who), assessment_round=own)
    with pytest.raises(Http404):
        services.round_update(actor=world.outsider, assessment_round=own, data={"title": "x"})
    with pytest.raises(Http404):
        services.round_cancel(actor=world.outsider, assessment_round=own)
    own.refresh_from_db()
    assert own.title == "Ours, checked" and not own.is_cancelled


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"due_date": datetime.date(9999, 12, 31)}, "due_date"),
        ({"due_date": datetime.date(1, 1, 1)}, "due_date"),
        ({"due_date": None}, "due_date"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_a_bad_change_is_refused_on_its_field_and_changes_nothing(world, data, field):
    assessment_round = _programme_round(world)
    with pytest.raises(ValidationError) as refused:
        services.round_update(actor=world.manager, assessment_round=assessment_round, data=data)
    assert field in refused.value.message_dict
    assessment_round.refresh_from_db()
    assert assessment_round.due_date == DUE and assessment_round.version == 1


def test_a_stale_change_is_a_conflict(world):
    assessment_round = _programme_round(world)
    services.round_update(actor=world.manager, assessment_round=assessment_round, data={"title": "A"})
    with pytest.raises(VersionConflict):
        services.round_update(
            actor=world.manager, assessment_round=assessment_round, data={"title": "B"}, expected_version=1
        )


def test_a_round_nobody_handed_in_is_cancelled_without_a_reason_and_stops_reminding(world):
    assessment_round = _programme_round(world)
    assert rounds_waiting(world.coordinator).filter(pk=assessment_round.pk).exists()
    services.round_cancel(actor=world.manager, assessment_round=assessment_round)
    assessment_round.refresh_from_db()
    assert assessment_round.status == AssessmentRound.Status.CANCELLED
    assert assessment_round.cancelled_by == world.manager
    assert not rounds_waiting(world.coordinator).filter(pk=assessment_round.pk).exists()
    assert not rounds_waiting(world.resource_coordinator).filter(pk=assessment_round.pk).exists()
    with pytest.raises(ValidationError):
        answer_all(world.coordinator, assessment_round, 3)
    with pytest.raises(ValidationError):
        services.side_submit(actor=world.coordinator, assessment_round=assessment_round)
    with pytest.raises(ValidationError):
        services.round_update(actor=world.manager, assessment_round=assessment_round, data={"title": "x"})
    with pytest.raises(ValidationError):
        services.round_cancel(actor=world.manager, assessment_round=assessment_round)


def test_a_round_with_handed_in_answers_is_withdrawn_with_a_reason_and_keeps_them(world):
    assessment_round = _programme_round(world)
    answer_all(world.coordinator, assessment_round, 4)
    services.side_submit(actor=world.coordinator, assessment_round=assessment_round)
    kept = Answer.objects.filter(response__round=assessment_round).count()
    with pytest.raises(ValidationError) as refused:
        services.round_cancel(actor=world.manager, assessment_round=assessment_round, reason="  ")
    assert "reason" in refused.value.message_dict
    assessment_round.refresh_from_db()
    assert not assessment_round.is_cancelled
    services.round_cancel(
        actor=world.manager, assessment_round=assessment_round, reason="The partnership paused its work."
    )
    assessment_round.refresh_from_db()
    assert (
        assessment_round.is_cancelled and assessment_round.cancel_reason == "The partnership paused its work."
    )
    assert Answer.objects.filter(response__round=assessment_round).count() == kept
    assert assessment_round.host_submitted_at is not None
    event = AuditEvent.objects.filter(target_id=str(assessment_round.pk)).latest("pk")
    assert event.reason == "The partnership paused its work." and "cancelled_at" in event.changes


def test_a_complete_round_is_neither_changed_nor_cancelled(world):
    assessment_round = _programme_round(world)
    for who in (world.coordinator, world.resource_coordinator):
        answer_all(who, assessment_round, 4)
        services.side_submit(actor=who, assessment_round=assessment_round)
    with pytest.raises(ValidationError):
        services.round_cancel(actor=world.manager, assessment_round=assessment_round, reason="Late")
    with pytest.raises(ValidationError):
        services.round_update(
            actor=world.manager, assessment_round=assessment_round, data={"due_date": DUE.replace(day=1)}
        )


def test_the_round_page_changes_and_cancels_a_round(client, world):
    assessment_round = _programme_round(world)
    round_url = reverse("sustainability:round", args=[assessment_round.uuid])
    edit_url = reverse("sustainability:round_edit", args=[assessment_round.uuid])
    cancel_url = reverse("sustainability:round_cancel", args=[assessment_round.uuid])
    client.force_login(world.coordinator)
    assert 'id="change-round"' not in client.get(round_url).content.decode()
    assert client.get(edit_url).status_code == 403
    client.force_login(world.manager)
    assert 'id="change-round"' in client.get(round_url).content.decode()
    assert client.get(edit_url).status_code == 200
    bad = client.post(edit_url, {"due_date": "9999-12-31", "title": "", "version": "1"})
    assert bad.status_code == 400 and "Give a date from" in bad.content.decode()
    assert client.post(edit_url, {"due_date": "2026-11-30", "title": "", "version": "1"}).status_code == 302
    assessment_round.refresh_from_db()
    assert assessment_round.due_date == datetime.date(2026, 11, 30)
    stale = client.post(edit_url, {"due_date": "2026-10-31", "title": "", "version": "1"})
    assert stale.status_code == 400
    unconfirmed = client.post(cancel_url, {"reason": "", "version": "2"})
    assert unconfirmed.status_code == 400 and 'name="confirm"' in unconfirmed.content.decode()
    assessment_round.refresh_from_db()
    assert not assessment_round.is_cancelled
    assert client.post(cancel_url, {"reason": "", "version": "2", "confirm": "on"}).status_code == 302
    page = client.get(round_url).content.decode()
    assert 'id="round-cancelled"' in page and 'id="change-round"' not in page and "Cancelled" in page
    # A cancelled round's change page sends its reader back to the round, saying why.
    gone = client.get(edit_url, follow=True)
    assert gone.redirect_chain == [(round_url, 302)]
    assert "can no longer change" in gone.content.decode()
    rounds = client.get(reverse("sustainability:partnership", args=[world.partnership.uuid])).content.decode()
    assert "Cancelled" in rounds


def test_the_round_page_asks_for_a_reason_once_answers_are_handed_in(client, world):
    assessment_round = _programme_round(world)
    answer_all(world.member, assessment_round, 3)
    client.force_login(world.manager)
    cancel_url = reverse("sustainability:round_cancel", args=[assessment_round.uuid])
    refused = client.post(cancel_url, {"reason": "", "version": "1", "confirm": "on"})
    assert refused.status_code == 400 and "say why it is cancelled" in refused.content.decode()
    assessment_round.refresh_from_db()
    assert not assessment_round.is_cancelled


def test_round_pages_outsider_404_and_readers_403(client, world):
    assessment_round = _programme_round(world)
    edit_url = reverse("sustainability:round_edit", args=[assessment_round.uuid])
    cancel_url = reverse("sustainability:round_cancel", args=[assessment_round.uuid])
    client.force_login(world.outsider)
    assert client.get(edit_url).status_code == 404
    assert client.post(cancel_url, {"version": "1"}).status_code == 404
    for who in (world.partnership_viewer, world.programme_viewer, world.member):
        client.force_login(who)
        assert client.get(edit_url).status_code == 403
        assert client.post(cancel_url, {"version": "1"}).status_code == 403
    assessment_round.refresh_from_db()
    assert not assessment_round.is_cancelled


def test_the_api_changes_and_cancels_a_round(world):
    assessment_round = _programme_round(world)
    path = f"{URL}/rounds/{assessment_round.uuid}"
    assert api(world.outsider).patch(path, {"title": "x"}, content_type="application/json").status_code == 404
    assert api(world.outsider).post(f"{path}/cancel", {}, content_type="application/json").status_code == 404
    for who in (world.partnership_viewer, world.coordinator):
        assert api(who).patch(path, {"title": "x"}, content_type="application/json").status_code == 403
        assert api(who).post(f"{path}/cancel", {}, content_type="application/json").status_code == 403
    client = api(world.manager)
    bad = client.patch(path, {"due_date": "9999-12-31"}, content_type="application/json")
    assert bad.status_code == 422, bad.json()
    assert client.patch(path, {"due_date": None}, content_type="application/json").status_code == 422
    assert client.patch(path, {"version": 1}, content_type="application/json").status_code == 422
    changed = client.patch(path, {"due_date": "2026-11-30", "version": 1}, content_type="application/json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["due_date"] == "2026-11-30"
    stale = client.post(f"{path}/cancel", {"version": 1}, content_type="application/json")
    assert stale.status_code == 409
    cancelled = client.post(f"{path}/cancel", {"reason": "Merged"}, content_type="application/json")
    assert cancelled.status_code == 200, cancelled.json()
    body = cancelled.json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "Merged" and body["cancelled_at"]
    listed = client.get(f"{URL}/rounds?partnership={world.partnership.uuid}").json()["items"]
    assert [r["status"] for r in listed] == ["cancelled"]
    item = items_of(assessment_round)[0]
    refused = api(world.coordinator).put(
        f"{path}/answers/mine",
        {"answers": [{"key": f"{item.section.code}.{item.code}", "value": 3}]},
        content_type="application/json",
    )
    assert refused.status_code == 422


# --- 3. decision dates in a sane range -------------------------------------------------------------------


def _review(world):
    return graduation_services.graduation_review_open(actor=world.manager, partnership=world.partnership)


def test_a_far_future_decision_date_is_refused_on_its_own_field(world):
    review = _review(world)
    with pytest.raises(ValidationError) as refused:
        graduation_services.graduation_review_decide(
            actor=world.manager,
            review=review,
            decision="extend",
            reason="More time",
            decided_on=datetime.date(9999, 12, 31),
            extended_to=datetime.date(2027, 6, 30),
        )
    errors = refused.value.message_dict
    assert errors == {"decided_on": ["A decision cannot be dated in the future."]}


@pytest.mark.parametrize("decided_on", [datetime.date(1, 1, 1), datetime.date(1900, 1, 1)])
def test_a_decision_dated_long_before_the_partnership_is_refused(world, decided_on):
    with pytest.raises(ValidationError) as refused:
        graduation_services.graduation_review_decide(
            actor=world.manager, review=_review(world), decision="close", reason="x", decided_on=decided_on
        )
    assert "Give a date from" in refused.value.message_dict["decided_on"][0]


def test_an_extension_to_9999_is_refused_with_the_last_date_allowed(world):
    review = _review(world)
    with pytest.raises(ValidationError) as refused:
        graduation_services.graduation_review_decide(
            actor=world.manager,
            review=review,
            decision="extend",
            reason="More time",
            extended_to=datetime.date(9999, 12, 31),
        )
    assert "no later than" in refused.value.message_dict["extended_to"][0]
    review.refresh_from_db()
    world.partnership.refresh_from_db()
    assert review.is_open and world.partnership.end_date is None


def test_graduating_with_a_funding_end_in_9999_is_refused_not_an_error(world):
    type(world.partnership).objects.filter(pk=world.partnership.pk).update(end_date=datetime.date(9999, 1, 1))
    world.partnership.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        graduation_services.graduation_review_decide(
            actor=world.manager, review=_review(world), decision="close", reason="Ended"
        )
    assert "correct the partnership's end date" in refused.value.message_dict["decision"][0]


def test_the_page_and_the_api_refuse_a_decision_in_year_9999(client, world):
    review = _review(world)
    client.force_login(world.manager)
    url = reverse("sustainability:graduation_review", args=[world.partnership.uuid, review.uuid])
    response = client.post(
        url,
        {
            "decision": "extend",
            "reason": "More time",
            "decided_on": "9999-12-31",
            "extended_to": "2027-06-30",
            "version": review.version,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be dated in the future" in html
    assert "Dec. 31, 9999" not in html and "The new end must be after" not in html
    answer = api(world.manager).post(
        f"{URL}/graduation-reviews/{review.uuid}/decision",
        {"decision": "extend", "reason": "More time", "extended_to": "9999-12-31"},
        content_type="application/json",
    )
    assert answer.status_code == 422, answer.json()
    assert (
        api(world.outsider)
        .post(
            f"{URL}/graduation-reviews/{review.uuid}/decision",
            {"decision": "close", "reason": "x"},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    assert (
        api(world.programme_viewer)
        .post(
            f"{URL}/graduation-reviews/{review.uuid}/decision",
            {"decision": "close", "reason": "x"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert GraduationReview.objects.get(pk=review.pk).is_open


def test_a_completed_rounds_change_page_sends_back_to_the_round(client, world):
    assessment_round = _programme_round(world)
    submit_sides(assessment_round, Side.HOST, Side.RESOURCE)
    client.force_login(world.manager)
    round_url = reverse("sustainability:round", args=[assessment_round.uuid])
    response = client.get(reverse("sustainability:round_edit", args=[assessment_round.uuid]), follow=True)
    assert response.redirect_chain == [(round_url, 302)]
    assert "the round is complete and can no longer change" in response.content.decode()


@pytest.mark.parametrize("stage", ENDED_STAGES)
def test_an_ended_partnership_takes_no_new_round(client, world, stage):
    """A graduated or closed partnership: the service refuses a round (one or many), the pages offer none and say
    why, and nothing is opened."""
    other = Partnership.objects.get(
        pk=PartnershipFactory(programme=world.programme, title="Still running").pk
    )
    world.partnership.stage = stage
    world.partnership.save()
    instrument = health_check()
    before = AssessmentRound.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.round_open(
            actor=world.manager, partnership=world.partnership, instrument=instrument, due_date=DUE
        )
    assert "has graduated or closed" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        services.rounds_open(
            actor=world.manager,
            programme=world.programme,
            instrument=instrument,
            partnerships=[other, world.partnership],
            due_date=DUE,
        )
    assert world.partnership.title in str(refused.value.message_dict["partnerships"])
    assert AssessmentRound.objects.count() == before
    client.force_login(world.manager)
    page = client.get(reverse("sustainability:partnership", args=[world.partnership.uuid])).content.decode()
    assert reverse("sustainability:round_open", args=[world.partnership.uuid]) not in page
    response = client.get(reverse("sustainability:round_open", args=[world.partnership.uuid]), follow=True)
    assert "takes no new assessment round" in response.content.decode()
    form = client.get(
        reverse("sustainability:programme_rounds", args=[world.programme.uuid])
    ).content.decode()
    assert str(other.uuid) in form and str(world.partnership.uuid) not in form
