"""Transition plans: drafted by the coordinators, signed by both sides (and the ministry when the programme asks),
a change after a signature withdrawing the signatures; access, bad input and audit."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from twinning.audit.models import AuditEvent
from twinning.partnerships.models import ENDED_STAGES
from twinning.sustainability import transition_services as services
from twinning.sustainability.models_transition import TransitionItem, TransitionPlan, TransitionSignOff
from twinning.sustainability.tests.transition_factories import plan_activities, signed_plan
from twinning.sustainability.work import transition_plans_to_sign
from twinning.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_both_sides_sign_and_the_plan_is_signed(world):
    plan = signed_plan(world)
    assert plan.is_signed
    assert set(plan.sign_offs.values_list("party", flat=True)) == {"host", "resource"}
    assert AuditEvent.objects.for_object(plan).filter(action="update").exists()


def test_a_change_after_signing_withdraws_every_signature_and_says_why(world):
    plan = signed_plan(world)
    services.transition_risk_add(
        actor=world.coordinator, plan=plan, risk="Budget cut", mitigation="Ask the district"
    )
    plan.refresh_from_db()
    assert not plan.is_signed and not plan.sign_offs.exists()
    event = AuditEvent.objects.for_object(plan).filter(reason__icontains="needs signing again").get()
    assert event.changes["sign_offs"][1] == []


def test_editing_the_summary_withdraws_signatures_but_saving_the_same_text_does_not(world):
    plan = signed_plan(world)
    services.transition_plan_update(actor=world.coordinator, plan=plan, data={"summary": "Handover"})
    assert TransitionPlan.objects.get().is_signed
    services.transition_plan_update(actor=world.coordinator, plan=plan, data={"summary": "New words"})
    assert not TransitionPlan.objects.get().is_signed


def test_the_ministry_signs_when_the_programme_asks(world):
    services.graduation_policy_set(
        actor=world.manager, programme=world.programme, data={"transition_requires_ministry": True}
    )
    plan = services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    services.transition_item_add(
        actor=world.coordinator, plan=plan, title="Triage", kind="role", owner_role="Head of nursing"
    )
    services.transition_plan_sign(actor=world.coordinator, plan=plan, party="host")
    services.transition_plan_sign(actor=world.resource_coordinator, plan=plan, party="resource")
    plan.refresh_from_db()
    assert not plan.is_signed
    with pytest.raises(PermissionDenied):
        services.transition_plan_sign(actor=world.member, plan=plan, party="ministry")
    services.transition_plan_sign(actor=world.manager, plan=plan, party="ministry", note="Signed by the DHO")
    plan.refresh_from_db()
    assert plan.is_signed


def test_only_a_coordinator_of_that_side_signs_for_it(world):
    plan = services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    services.transition_item_add(
        actor=world.coordinator, plan=plan, title="Triage", kind="role", owner_role="Head of nursing"
    )
    with pytest.raises(PermissionDenied):
        services.transition_plan_sign(actor=world.coordinator, plan=plan, party="resource")
    with pytest.raises(PermissionDenied):
        services.transition_plan_sign(actor=world.member, plan=plan, party="host")
    with pytest.raises(ValidationError):
        services.transition_plan_sign(actor=world.coordinator, plan=plan, party="ministry")
    assert not TransitionSignOff.objects.exists()


def test_an_empty_plan_cannot_be_signed_and_a_side_signs_once(world):
    plan = services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    with pytest.raises(ValidationError, match="takes over"):
        services.transition_plan_sign(actor=world.coordinator, plan=plan, party="host")
    services.transition_item_add(
        actor=world.coordinator, plan=plan, title="Triage", kind="role", owner_role="Head of nursing"
    )
    services.transition_plan_sign(actor=world.coordinator, plan=plan, party="host")
    with pytest.raises(ValidationError, match="already signed"):
        services.transition_plan_sign(actor=world.coordinator, plan=plan, party="host")


def test_one_plan_per_partnership_and_readers_cannot_draft(world):
    services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    with pytest.raises(ValidationError):
        services.transition_plan_create(actor=world.manager, partnership=world.partnership)
    with pytest.raises(PermissionDenied):
        services.transition_plan_create(actor=world.programme_viewer, partnership=world.other_partnership)


def test_an_item_owner_must_be_of_the_host_side_and_its_activity_of_the_partnership(world):
    plan = services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    stranger = PersonFactory()
    with pytest.raises(ValidationError) as caught:
        services.transition_item_add(
            actor=world.coordinator, plan=plan, title="Triage", kind="role", owner=stranger
        )
    assert "owner" in caught.value.message_dict
    host = world.partnership.side_links.get(side="host").institution
    owner = PersonFactory(institution=host)
    item = services.transition_item_add(
        actor=world.coordinator,
        plan=plan,
        title="Triage",
        kind="role",
        owner=owner,
        owner_role="Head of nursing",
        funding_source="ministry",
        takes_over_on=datetime.date(2026, 1, 1),
    ).saved
    assert item.owner == owner and item.get_funding_source_display() == "Ministry of health"


def test_an_incomplete_item_is_refused_and_nothing_is_saved(world):
    """An activity item without its activity, a practice item without its practice, an item that continues
    without an owner or a funder: each refused with its reason, on its field."""
    plan = services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    activity = plan_activities(world, 1)[0]
    complete: dict[str, Any] = {
        "title": "Triage training",
        "owner_role": "Training unit",
        "funding_source": "host_budget",
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "activity"}, "activity"),
        ({"kind": "practice"}, "practice"),
        ({"kind": "role", "activity": activity}, "activity"),
        ({"kind": "activity", "activity": activity, "owner_role": ""}, "owner"),
        ({"kind": "activity", "activity": activity, "owner_role": "   "}, "owner"),
        ({"kind": "activity", "activity": activity, "funding_source": "none"}, "funding_source"),
    ]
    for change, field in cases:
        with pytest.raises(ValidationError) as refused:
            services.transition_item_add(actor=world.coordinator, plan=plan, **{**complete, **change})
        assert field in refused.value.message_dict, (change, refused.value.message_dict)
    assert not TransitionItem.objects.exists()
    # What does not continue needs no owner or funder; a complete activity item is accepted.
    services.transition_item_add(
        actor=world.coordinator,
        plan=plan,
        kind="activity",
        activity=activity,
        title="Old register",
        continues=False,
        owner_role="",
        funding_source="none",
    )
    services.transition_item_add(
        actor=world.coordinator, plan=plan, kind="activity", activity=activity, **complete
    )
    assert TransitionItem.objects.count() == 2


def test_an_incomplete_item_on_the_page_and_the_api_says_why(client, world):
    services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("sustainability:transition_item_add", args=[world.partnership.uuid]),
        {"kind": "activity", "title": "Triage training", "continues": "on", "funding_source": "host_budget"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose the activity of the plan" in html and "Say who owns it after the end" in html
    plan = TransitionPlan.objects.get()
    answer = client.post(
        f"/api/v1/sustainability/transition-plans/{plan.uuid}/items",
        {"title": "Triage", "kind": "activity", "funding_source": "ministry"},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) >= {"activity", "owner"}
    assert not TransitionItem.objects.exists()


def test_bad_input_saves_nothing(world):
    plan = services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    with pytest.raises(ValidationError):
        services.transition_item_add(actor=world.coordinator, plan=plan, title="", funding_source="lottery")
    with pytest.raises(TypeError):
        services.transition_item_add(actor=world.coordinator, plan=plan, title="x", colour="red")
    assert not TransitionItem.objects.exists()


# --- pages ---------------------------------------------------------------------------------------------


def test_coordinators_draft_fill_and_sign_the_plan_on_its_page(client, world):
    client.force_login(world.coordinator)
    url = reverse("sustainability:transition", args=[world.partnership.uuid])
    assert "Draft the transition plan" in client.get(url).content.decode()
    response = client.post(
        reverse("sustainability:transition_create", args=[world.partnership.uuid]),
        {"summary": "Who takes over what", "handover_date": "2026-06-30"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("sustainability:transition_item_add", args=[world.partnership.uuid]),
        {
            "kind": "activity",
            "title": "Triage training",
            "activity": str(plan_activities(world, 1)[0].uuid),
            "owner_role": "Training unit",
            "continues": "on",
            "funding_source": "host_budget",
        },
    )
    assert response.status_code == 302
    version = TransitionPlan.objects.get().version
    sign = reverse("sustainability:transition_sign", args=[world.partnership.uuid])
    assert client.post(sign, {"party": "host", "version": version}).status_code == 302
    client.force_login(world.resource_coordinator)
    assert client.post(sign, {"party": "resource", "version": version}).status_code == 302
    html = client.get(url).content.decode()
    assert TransitionPlan.objects.get().is_signed
    assert "Triage training" in html and "Signed" in html


def test_a_signature_over_a_plan_changed_since_the_page_was_loaded_is_refused(client, world):
    # A tester's finding (issue 13): the page the coordinator loaded carries the plan's version; the M&E officer
    # adds an item meanwhile; the sign form posted from the old page signs nothing and shows the current plan.
    plan = services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    services.transition_item_add(
        actor=world.coordinator,
        plan=plan,
        title="Triage",
        kind="role",
        owner_role="Nurse",
        funding_source="ministry",
    )
    url = reverse("sustainability:transition", args=[world.partnership.uuid])
    sign = reverse("sustainability:transition_sign", args=[world.partnership.uuid])
    for signer, party in ((world.resource_coordinator, "resource"), (world.coordinator, "host")):
        client.force_login(signer)
        read = TransitionPlan.objects.get().version
        assert f'name="version" value="{read}"' in client.get(url).content.decode()
        services.transition_risk_add(actor=world.me_officer, plan=plan, risk=f"Turnover of the {party} side")
        refused = client.post(sign, {"party": party, "version": read})
        html = refused.content.decode()
        assert refused.status_code == 400 and not plan.sign_offs.exists()
        assert "Someone else changed this record" in html and f"Turnover of the {party} side" in html
        current = TransitionPlan.objects.get().version
        assert current > read and f'name="version" value="{current}"' in html
    # From the page as it is now, the signature is recorded.
    assert client.post(sign, {"party": "host", "version": current}).status_code == 302
    assert list(plan.sign_offs.values_list("party", flat=True)) == ["host"]


def test_a_bad_item_comes_back_with_its_message(client, world):
    services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("sustainability:transition_item_add", args=[world.partnership.uuid]),
        {"kind": "activity", "title": "", "funding_source": "host_budget"},
    )
    assert response.status_code == 400
    assert not TransitionItem.objects.exists()


def test_outsider_gets_404_and_viewer_403(client, world):
    services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    client.force_login(world.outsider)
    assert client.get(reverse("sustainability:transition", args=[world.partnership.uuid])).status_code == 404
    client.force_login(world.partnership_viewer)
    assert client.get(reverse("sustainability:transition", args=[world.partnership.uuid])).status_code == 200
    response = client.post(
        reverse("sustainability:transition_risk_add", args=[world.partnership.uuid]), {"risk": "x"}
    )
    assert response.status_code == 403


def test_a_copy_already_carrying_the_new_text_still_withdraws_the_signatures(world):
    # A model form puts the posted values on the plan before the service sees it (tester's finding 1).
    plan = signed_plan(world)
    plan.summary = "New words"
    plan.handover_date = datetime.date(2026, 9, 30)
    services.transition_plan_update(
        actor=world.coordinator,
        plan=plan,
        data={"summary": "New words", "handover_date": datetime.date(2026, 9, 30)},
        expected_version=plan.version,
    )
    saved = TransitionPlan.objects.get()
    assert not saved.is_signed and not saved.sign_offs.exists()
    assert saved.summary == "New words"


@pytest.mark.parametrize(
    "posted",
    [{"summary": "New words", "handover_date": ""}, {"summary": "Handover", "handover_date": "2026-09-30"}],
)
def test_editing_a_signed_plan_on_its_page_withdraws_every_signature(client, world, posted):
    plan = signed_plan(world)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("sustainability:transition_edit", args=[world.partnership.uuid]),
        {**posted, "version": plan.version},
    )
    assert response.status_code == 302
    saved = TransitionPlan.objects.get()
    assert not saved.is_signed and not saved.sign_offs.exists()
    assert AuditEvent.objects.for_object(saved).filter(reason__icontains="needs signing again").exists()


def test_saving_the_edit_form_unchanged_keeps_the_signatures(client, world):
    plan = signed_plan(world)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("sustainability:transition_edit", args=[world.partnership.uuid]),
        {"summary": "Handover", "handover_date": "", "version": plan.version},
    )
    assert response.status_code == 302
    assert TransitionPlan.objects.get().is_signed


def test_the_edit_page_hides_from_outsiders_and_refuses_readers(client, world):
    plan = signed_plan(world)
    url = reverse("sustainability:transition_edit", args=[world.partnership.uuid])
    client.force_login(world.outsider)
    assert client.post(url, {"summary": "x", "version": plan.version}).status_code == 404
    client.force_login(world.partnership_viewer)
    assert client.post(url, {"summary": "x", "version": plan.version}).status_code == 403
    assert TransitionPlan.objects.get().is_signed


def test_a_change_that_withdraws_the_signatures_says_so_and_one_that_does_not_stays_quiet(client, world):
    """Tester's finding (issue 13): editing a signed plan or adding a risk to it withdrew the signatures while the page
    said only "Your changes are saved." (or nothing)."""
    said = '<li class="warning">The transition plan changed after it was signed; it needs signing again.</li>'
    plan = signed_plan(world)
    client.force_login(world.coordinator)
    page = client.post(
        reverse("sustainability:transition_edit", args=[world.partnership.uuid]),
        {"summary": "New words", "handover_date": "", "version": plan.version},
        follow=True,
    )
    assert said in page.content.decode()
    risk_url = reverse("sustainability:transition_risk_add", args=[world.partnership.uuid])
    quiet = client.post(risk_url, {"risk": "Staff leave", "mitigation": "Train two"}, follow=True)
    assert quiet.status_code == 200 and said not in quiet.content.decode()  # nothing was signed any more
    again = TransitionPlan.objects.get()
    services.transition_plan_sign(actor=world.coordinator, plan=again, party="host")
    told = client.post(risk_url, {"risk": "Budget cut", "mitigation": "Ministry line"}, follow=True)
    assert said in told.content.decode()
    assert not TransitionPlan.objects.get().sign_offs.exists()


@pytest.mark.parametrize("stage", ENDED_STAGES)
def test_an_ended_partnerships_unsigned_plan_waits_in_no_ones_work(world, stage):
    """Tester's finding (issue 13): a graduated partnership's unsigned plan still asked its coordinators to sign
    it in My work, for ever. Once the partnership has ended, no one is asked."""
    plan = services.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    services.transition_item_add(
        actor=world.coordinator, plan=plan, title="Triage", kind="role", owner_role="Head of nursing"
    )
    assert [p.pk for p in transition_plans_to_sign(world.coordinator)] == [plan.pk]
    world.partnership.stage = stage
    world.partnership.save()
    assert not transition_plans_to_sign(world.coordinator).exists()
