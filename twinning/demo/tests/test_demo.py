from io import StringIO

import pytest
from django.core.management import call_command

from twinning.accounts.models import PartnershipMembership, ProgrammeRole, User
from twinning.audit.models import AuditEvent
from twinning.demo.load import APP_SEEDS
from twinning.demo.plan import PROGRAMME_NAMES, build_plan
from twinning.directory.models import CountryPriority, Institution, Person
from twinning.partnerships.models import Partnership, Programme, Stage, StageChange, Stakeholder

pytestmark = pytest.mark.django_db(transaction=False)

LOGINS = [
    "admin@demo.twinning",
    "manager@demo.twinning",
    "me@demo.twinning",
    "finance@demo.twinning",
    "viewer@demo.twinning",
    "host-coordinator@demo.twinning",
    "resource-coordinator@demo.twinning",
    "member@demo.twinning",
    "other-coordinator@demo.twinning",
    "graduate-coordinator@demo.twinning",
]


def run_demo(*args: str, **options: object) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo() -> Programme:
    run_demo()
    return Programme.objects.get(name=PROGRAMME_NAMES["default"])


def check_the_demo_spans_at_least_twelve_countries_and_sixty_institutions(demo: Programme) -> None:
    countries = set(Institution.objects.values_list("country", flat=True))
    assert len(countries) >= 12
    assert Institution.objects.count() >= 60
    assert Person.objects.count() >= 4 * 60
    assert Person.objects.filter(is_volunteer=True).exists()
    host_countries = set(
        Institution.objects.filter(side_links__side="host").values_list("country", flat=True).distinct()
    )
    assert host_countries <= set(CountryPriority.objects.values_list("country", flat=True))


def check_the_demo_has_partnerships_in_every_stage_with_an_ordered_history(demo: Programme) -> None:
    partnerships = Partnership.objects.filter(programme=demo)
    assert partnerships.count() >= 20
    assert set(partnerships.values_list("stage", flat=True)) == set(Stage.values)
    for partnership in partnerships:
        history = list(StageChange.objects.filter(partnership=partnership).order_by("id"))
        dates = [c.changed_on for c in history]
        assert dates == sorted(dates) and len(set(dates)) == len(dates)
        assert history[-1].stage == partnership.stage
        assert partnership.side_links.filter(side="host").exists()
        assert partnership.side_links.filter(side="resource").exists()
    assert (
        Stakeholder.objects.filter(partnership__programme=demo, kind=Stakeholder.Kind.MINISTRY).count() >= 20
    )
    assert Stakeholder.objects.filter(
        partnership__programme=demo, kind=Stakeholder.Kind.LOCAL_GOVERNMENT
    ).exists()


def check_the_demo_partnerships_have_audit_history(demo: Programme) -> None:
    partnership = Partnership.objects.filter(programme=demo, stage=Stage.IMPLEMENTATION).first()
    actions = set(AuditEvent.objects.for_object(partnership).values_list("action", flat=True))
    assert {AuditEvent.Action.CREATE, AuditEvent.Action.STAGE} <= actions


def check_every_demo_login_exists_with_its_role(demo: Programme) -> None:
    users = {u.email: u for u in User.objects.filter(email__in=LOGINS)}
    assert set(users) == set(LOGINS)
    assert all(u.check_password("demo") for u in users.values())
    assert users["admin@demo.twinning"].is_superuser
    roles = dict(ProgrammeRole.objects.filter(programme=demo).values_list("user__email", "role"))
    assert roles == {
        "manager@demo.twinning": "manager",
        "me@demo.twinning": "me_officer",
        "finance@demo.twinning": "finance_officer",
        "viewer@demo.twinning": "viewer",
    }
    host = PartnershipMembership.objects.get(user=users["host-coordinator@demo.twinning"])
    resource = PartnershipMembership.objects.get(user=users["resource-coordinator@demo.twinning"])
    member = PartnershipMembership.objects.get(user=users["member@demo.twinning"])
    assert (host.side, host.role) == ("host", "coordinator")
    assert (resource.side, resource.role) == ("resource", "coordinator")
    assert member.role == "member"
    assert host.partnership == resource.partnership == member.partnership


def check_other_coordinator_cannot_see_the_host_coordinators_partnership(demo: Programme) -> None:
    host = User.objects.get(email="host-coordinator@demo.twinning")
    other = User.objects.get(email="other-coordinator@demo.twinning")
    theirs = PartnershipMembership.objects.get(user=host).partnership
    visible = Partnership.objects.visible_to(other)
    assert visible.count() == 1
    assert theirs not in visible
    assert theirs in Partnership.objects.visible_to(host)
    manager = User.objects.get(email="manager@demo.twinning")
    assert (
        Partnership.objects.visible_to(manager).count() == Partnership.objects.filter(programme=demo).count()
    )


def check_the_demo_iati_file_passes_the_schema_and_the_rules(demo: Programme) -> None:
    from twinning.interop.iati.collect import collect
    from twinning.interop.iati.export import build_document
    from twinning.interop.iati.rules import check

    root = build_document(collect(demo, Partnership.objects.all()))
    assert len(root) == Partnership.objects.filter(programme=demo).count()
    assert root.xpath("count(//result/indicator/period/actual)") > 0
    assert check(root) == []


def test_the_default_demo_loads_a_realistic_programme_with_a_login_per_role(demo):
    # One load for all these checks: the default demo takes a couple of seconds to write through the services.
    check_the_demo_spans_at_least_twelve_countries_and_sixty_institutions(demo)
    check_the_demo_has_partnerships_in_every_stage_with_an_ordered_history(demo)
    check_the_demo_partnerships_have_audit_history(demo)
    check_every_demo_login_exists_with_its_role(demo)
    check_other_coordinator_cannot_see_the_host_coordinators_partnership(demo)
    check_the_demo_iati_file_passes_the_schema_and_the_rules(demo)
    check_the_demo_graduation_reasons_agree_with_their_criteria(demo)
    check_a_demo_login_has_a_follow_up_to_answer(demo)
    check_each_graduate_hands_over_and_is_asked_about_its_own_work(demo)


def check_each_graduate_hands_over_and_is_asked_about_its_own_work(demo: Programme) -> None:
    """A tester found the newborn-care graduate (Tamale–Oslo) carrying the surgical one's (Mbale's) transition
    items: each earlier graduate's plan and follow-up questions are its own, and none is another's."""
    from twinning.sustainability.models_transition import FollowUpItem, TransitionItem

    titles = {}
    for partnership in Partnership.objects.filter(
        programme=demo,
        title__in=["Tamale–Oslo Newborn Care Partnership", "Mbale–Edinburgh Surgical Skills Partnership"],
    ):
        items = set(
            TransitionItem.objects.filter(plan__partnership=partnership).values_list("title", flat=True)
        )
        asked = set(
            FollowUpItem.objects.filter(follow_up__partnership=partnership).values_list("title", flat=True)
        )
        assert items and asked <= items, partnership.title
        titles[partnership.title.split("–")[0]] = items
    assert set(titles) == {"Tamale", "Mbale"}
    assert not titles["Tamale"] & titles["Mbale"]
    assert any("newborn" in t.lower() or "kangaroo" in t.lower() for t in titles["Tamale"])
    assert not any("surg" in t.lower() for t in titles["Tamale"])


def test_running_the_demo_again_keeps_it_and_reset_reloads_the_same_data_only(demo):
    mine = Institution.objects.create(name="Not a demo hospital", type="hospital", country="UG")
    before = {
        "institutions": sorted(Institution.objects.exclude(pk=mine.pk).values_list("uuid", "name")),
        "partnerships": sorted(Partnership.objects.values_list("uuid", "title", "stage", "start_date")),
        "history": sorted(StageChange.objects.values_list("partnership__uuid", "stage", "changed_on")),
    }
    assert "already loaded" in run_demo()
    assert Programme.objects.filter(name=PROGRAMME_NAMES["default"]).count() == 1

    output = run_demo("--reset")
    assert "manager@demo.twinning" in output
    after = {
        "institutions": sorted(Institution.objects.exclude(pk=mine.pk).values_list("uuid", "name")),
        "partnerships": sorted(Partnership.objects.values_list("uuid", "title", "stage", "start_date")),
        "history": sorted(StageChange.objects.values_list("partnership__uuid", "stage", "changed_on")),
    }
    assert after == before
    assert User.objects.filter(email__endswith="@demo.twinning").count() == len(LOGINS)
    assert Institution.objects.filter(pk=mine.pk).exists()


def test_the_plan_is_the_same_every_time():
    assert build_plan("default") == build_plan("default")


def test_each_apps_demo_has_its_own_random_seed():
    # Two apps seeded alike would draw the same numbers, so their demo data would move in step.
    assert len(set(APP_SEEDS.values())) == len(APP_SEEDS)


def test_the_large_profile_loads_a_programme_the_size_of_a_large_real_one():
    # The full benchmark profile: a few seconds, because it writes with bulk inserts.
    run_demo(scale="large")
    programme = Programme.objects.get(name=PROGRAMME_NAMES["large"])
    assert len(set(Institution.objects.values_list("country", flat=True))) == 34
    assert Institution.objects.count() == 600
    assert 8000 <= Person.objects.count() <= 10000
    assert Partnership.objects.filter(programme=programme).count() == 180
    assert PartnershipMembership.objects.filter(role="coordinator").count() == 2 * 180
    assert User.objects.get(email="manager@demo.twinning").check_password("demo")


def test_the_large_profile_loads_at_a_tenth_of_its_size():
    output = run_demo(scale="large", scale_factor=0.1)
    assert PROGRAMME_NAMES["large"] in output
    assert "already loaded" in run_demo()
    programme = Programme.objects.get(name=PROGRAMME_NAMES["large"])
    assert len(set(Institution.objects.values_list("country", flat=True))) == 34
    assert 60 <= Institution.objects.count() <= 70
    assert 600 <= Person.objects.count() <= 1200
    assert Partnership.objects.filter(programme=programme).count() == 18
    assert set(Partnership.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(LOGINS) <= set(User.objects.values_list("email", flat=True))
    assert PartnershipMembership.objects.filter(role="coordinator").count() >= 2 * 18
    manager = User.objects.get(email="manager@demo.twinning")
    assert Partnership.objects.visible_to(manager).count() == 18
    other = User.objects.get(email="other-coordinator@demo.twinning")
    host = User.objects.get(email="host-coordinator@demo.twinning")
    assert PartnershipMembership.objects.get(user=host).partnership not in Partnership.objects.visible_to(
        other
    )
    assert Institution.objects.first().languages.exists()


def test_the_huge_profile_is_ten_times_the_large_one():
    # The load benchmark's programme; loaded here at a hundredth, which is a tenth of the large profile.
    output = run_demo(scale="huge", scale_factor=0.01)
    assert PROGRAMME_NAMES["huge"] in output
    programme = Programme.objects.get(name=PROGRAMME_NAMES["huge"])
    assert 60 <= Institution.objects.count() <= 70
    assert Partnership.objects.filter(programme=programme).count() == 18
    assert User.objects.get(email="manager@demo.twinning").check_password("demo")


def check_a_demo_login_has_a_follow_up_to_answer(demo: Programme) -> None:
    """A tester found no demo login could answer a follow-up: graduate-coordinator coordinates the host side of a
    graduated partnership whose follow-up is open, unanswered, and theirs to answer."""
    from twinning.accounts.access import partnership_access
    from twinning.partnerships.selectors import partnership_today
    from twinning.sustainability.models_transition import FollowUp

    user = User.objects.get(email="graduate-coordinator@demo.twinning")
    membership = PartnershipMembership.objects.get(user=user)
    partnership = membership.partnership
    assert (membership.side, membership.role, partnership.stage) == ("host", "coordinator", Stage.GRADUATED)
    assert partnership_access(user, partnership).can_answer_follow_up
    today = partnership_today(partnership)
    waiting = FollowUp.objects.filter(partnership=partnership, answered_at__isnull=True, opens_on__lte=today)
    assert waiting.exists()


def check_the_demo_graduation_reasons_agree_with_their_criteria(demo: Programme) -> None:
    """A decided review's reason says "Every criterion met" only when its kept evidence says so, and otherwise
    names each criterion that was not met."""
    from twinning.sustainability.models_transition import GraduationReview

    decided = GraduationReview.objects.filter(partnership__programme=demo).exclude(decision="")
    assert decided.count() >= 2
    for review in decided:
        missing = [c["label"] for c in review.evidence if c["met"] is False]
        if missing:
            assert "Every criterion met" not in review.reason
            assert all(label in review.reason for label in missing), review.reason
        else:
            assert review.reason.startswith("Every criterion met")
