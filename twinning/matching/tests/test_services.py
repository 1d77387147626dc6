import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from twinning.audit.models import AuditEvent
from twinning.matching import services
from twinning.matching.models import (
    MatchDecision,
    MatchingJob,
    MatchingRound,
    ProposedPair,
    UnmatchedApplicant,
)
from twinning.matching.selectors import recommendations, round_results
from twinning.matching.tests.factories import area, institution, small_round
from twinning.partnerships.models import Partnership

pytestmark = pytest.mark.django_db


def run(round, actor, capture):
    with capture(execute=True):
        job = services.round_run(actor=actor, round=round)
    job.refresh_from_db()
    round.refresh_from_db()
    return job


def test_manager_runs_a_round_and_both_assignments_pair_the_obvious_twins(
    world, django_capture_on_commit_callbacks
):
    round, _apps = small_round(world.manager, world.programme)
    job = run(round, world.manager, django_capture_on_commit_callbacks)
    assert job.status == MatchingJob.Status.DONE and job.progress == 100
    assert round.status == MatchingRound.Status.COMPUTED
    results = round_results(round)
    for pairs in (results.optimal, results.stable):
        named = {(p.host.institution.name, p.resource.institution.name) for p in pairs}
        assert named == {
            ("Gulu Hospital", "Leeds Teaching Hospitals"),
            ("Mbarara Hospital", "Hospices de Lyon"),
        }
    assert results.optimal_total == sum(p.score for p in results.optimal)
    # Québec is left over in both, with a reason.
    assert {u.applicant.institution.name for u in results.unmatched_optimal} == {"CHU de Québec"}
    assert results.unmatched_stable[0].reason == UnmatchedApplicant.Reason.PREFERRED_OTHERS
    pair = results.optimal[0]
    assert set(pair.parts) >= {"coverage", "text", "language", "time_zone"}


def test_declared_conflict_excludes_a_pair_and_recommendations_say_so(
    world, django_capture_on_commit_callbacks
):
    round, apps = small_round(world.manager, world.programme)
    services.conflict_declare(
        actor=world.me_officer,
        programme=world.programme,
        institution_a=apps["leeds"].institution,
        institution_b=apps["gulu"].institution,
        reason="Shared trustee",
    )
    run(round, world.manager, django_capture_on_commit_callbacks)
    assert not ProposedPair.objects.filter(round=round, host=apps["gulu"], resource=apps["leeds"]).exists()
    ranked, excluded = recommendations(round, apps["gulu"])
    reasons = {c.applicant.institution.name: c.excluded_by for c in excluded}
    assert reasons["Leeds Teaching Hospitals"] == ["conflict"]
    assert reasons["Hospices de Lyon"] == ["no_language"]
    assert ranked == []  # Québec speaks French only, too
    ranked, excluded = recommendations(round, apps["mbarara"])
    assert next(c.applicant.institution.name for c in ranked) == "Hospices de Lyon"
    assert abs(sum(p.points for p in ranked[0].parts) - ranked[0].score) < 0.01


def test_accepting_a_pair_creates_a_scoping_partnership_and_is_audited(
    world, django_capture_on_commit_callbacks
):
    round, apps = small_round(world.manager, world.programme)
    run(round, world.manager, django_capture_on_commit_callbacks)
    decision = services.decision_accept(
        actor=world.manager, round=round, host=apps["gulu"], resource=apps["leeds"], reason="Good fit"
    )
    partnership = decision.partnership
    assert partnership.stage == "scoping" and partnership.programme == world.programme
    assert set(partnership.side_links.values_list("side", "institution__name")) == {
        ("host", "Gulu Hospital"),
        ("resource", "Leeds Teaching Hospitals"),
    }
    assert decision.score is not None
    assert AuditEvent.objects.filter(target_id=str(decision.pk), reason="Good fit").exists()
    with pytest.raises(ValidationError, match="already decided"):
        services.decision_accept(actor=world.manager, round=round, host=apps["gulu"], resource=apps["leeds"])


def test_capacity_is_never_exceeded_by_decisions(world, django_capture_on_commit_callbacks):
    round, apps = small_round(world.manager, world.programme)
    services.decision_accept(actor=world.manager, round=round, host=apps["mbarara"], resource=apps["lyon"])
    count = Partnership.objects.count()
    with pytest.raises(ValidationError, match="no places left"):
        services.decision_override(
            actor=world.manager,
            round=round,
            host=apps["mbarara"],
            proposed_resource=apps["lyon"],
            resource=apps["quebec"],
            reason="Prefer Québec too",
        )
    assert Partnership.objects.count() == count


def test_override_needs_a_reason_and_refuses_an_excluded_pair(world):
    round, apps = small_round(world.manager, world.programme)
    with pytest.raises(ValidationError) as exc:
        services.decision_override(
            actor=world.manager, round=round, host=apps["gulu"], proposed_resource=apps["leeds"], reason=" "
        )
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError, match="No common working language"):
        services.decision_override(
            actor=world.manager,
            round=round,
            host=apps["gulu"],
            proposed_resource=apps["leeds"],
            resource=apps["lyon"],
            reason="Try Lyon",
        )
    assert not MatchDecision.objects.exists()
    decision = services.decision_override(
        actor=world.manager, round=round, host=apps["gulu"], proposed_resource=apps["leeds"], reason="Not now"
    )
    assert decision.partnership is None and decision.kind == "overridden"


@pytest.mark.parametrize("role", ["finance", "programme_viewer", "coordinator", "outsider"])
def test_only_programme_editors_open_and_run_rounds(world, role):
    user = getattr(world, role)
    with pytest.raises(PermissionDenied):
        services.round_create(actor=user, programme=world.programme, name="R")
    round, apps = small_round(world.manager, world.programme)
    with pytest.raises(PermissionDenied):
        services.round_run(actor=user, round=round)
    with pytest.raises(PermissionDenied):
        services.decision_accept(actor=user, round=round, host=apps["gulu"], resource=apps["leeds"])


def test_round_without_both_sides_cannot_run(world):
    round = services.round_create(actor=world.manager, programme=world.programme, name="Empty")
    with pytest.raises(ValidationError, match="at least one host"):
        services.round_run(actor=world.manager, round=round)
    assert not MatchingJob.objects.exists()


def test_weights_must_not_all_be_zero(world):
    with pytest.raises(ValidationError):
        services.round_create(
            actor=world.manager,
            programme=world.programme,
            name="Zero",
            weights=dict.fromkeys(
                [
                    "coverage",
                    "text",
                    "mutual",
                    "type",
                    "specialties",
                    "language",
                    "time_zone",
                    "capacity",
                    "prior_ties",
                ],
                0,
            ),
        )
    assert not MatchingRound.objects.exists()


def test_large_round_is_queued_as_a_task(world, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(services, "INLINE_PAIRS", 1)
    round, _apps = small_round(world.manager, world.programme)
    job = run(round, world.manager, django_capture_on_commit_callbacks)
    # The test settings use the immediate backend: the task ran, through the same job row.
    assert job.status == MatchingJob.Status.DONE
    assert round.pairs.exists()


def test_profile_update_validates_every_row_then_writes_and_audits(world):
    inst = world.partnership.side_links.get(side="host").institution
    with pytest.raises(ValidationError) as exc:
        services.profile_update(
            actor=world.coordinator,
            institution=inst,
            needs=[{"area": area("laboratory"), "priority": 9}, {"area": None}],
            expertise=[],
        )
    assert len(exc.value.message_dict["needs"]) == 2
    assert not inst.need_items.exists()
    services.profile_update(
        actor=world.coordinator,
        institution=inst,
        needs=[{"area": area("laboratory"), "priority": 3, "description": "blood culture"}],
        expertise=[{"area": area("pharmacy"), "depth": 1, "description": ""}],
    )
    assert inst.need_items.get().priority == 3
    assert AuditEvent.objects.filter(target_id=str(inst.pk), changes__has_key="needs").exists()
    with pytest.raises(PermissionDenied):
        services.profile_update(actor=world.member, institution=inst, needs=[], expertise=[])


def test_institution_profile_helper_sets_languages(db):
    inst = institution("X", languages=("en", "fr"))
    assert inst.languages.count() == 2
