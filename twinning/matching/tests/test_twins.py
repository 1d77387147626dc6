"""Find a twin from the directory: the round's ranking for one institution, scoped to what the user sees."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.accounts.models import ProgrammeRole
from twinning.audit.models import AuditEvent
from twinning.directory.models import Language
from twinning.matching import services
from twinning.matching.models import RoundApplicant
from twinning.matching.selectors import recommendations
from twinning.matching.tests.factories import institution
from twinning.matching.twins import TwinQuery, twin_search
from twinning.partnerships.models import Partnership, PartnershipInstitution
from twinning.testing.factories import ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

WEIGHTS = {
    "coverage": 40,
    "text": 20,
    "mutual": 0,
    "type": 10,
    "specialties": 5,
    "language": 10,
    "time_zone": 5,
    "capacity": 5,
    "prior_ties": 5,
}


def gulu_and_candidates():
    gulu = institution(
        "Gulu Hospital",
        languages=("en", "fr"),
        needs={"maternal-newborn": (3, "neonatal resuscitation and obstetric emergencies")},
    )
    others = [
        institution(
            "Leeds Teaching Hospitals",
            country="GB",
            time_zone="Europe/London",
            capacity=2,
            expertise={"maternal-newborn": (3, "obstetric emergencies and neonatal resuscitation courses")},
        ),
        institution(
            "Hospices de Lyon",
            country="FR",
            languages=("fr",),
            time_zone="Europe/Paris",
            expertise={"laboratory": (3, "microbiology laboratory accreditation and culture testing")},
        ),
        institution(
            "CHU de Québec",
            country="CA",
            languages=("fr",),
            time_zone="America/Toronto",
            expertise={"maternal-newborn": (2, "neonatal care")},
        ),
        institution(
            "Oslo University Hospital",
            country="NO",
            languages=("no",),
            time_zone="Europe/Oslo",
            expertise={"maternal-newborn": (3, "neonatal resuscitation")},
        ),
    ]
    return gulu, others


def manager_of_a_programme():
    programme = ProgrammeFactory()
    manager = UserFactory()
    ProgrammeRole.objects.create(user=manager, programme=programme, role=ProgrammeRole.Role.MANAGER)
    return programme, manager


def named(candidates):
    return [(c.institution.name, round(c.score, 4), c.excluded_by) for c in candidates]


def test_the_ranking_equals_the_rounds_ranking_for_the_same_institutions_and_weights():
    Language.objects.get_or_create(code="no", defaults={"name": "Norwegian"})
    programme, manager = manager_of_a_programme()
    gulu, others = gulu_and_candidates()
    services.conflict_declare(
        actor=manager, programme=programme, institution_a=gulu, institution_b=others[2], reason="Dispute"
    )
    round = services.round_create(actor=manager, programme=programme, name="Round", weights=WEIGHTS)
    host = services.applicant_add(actor=manager, round=round, institution=gulu, side="host")
    for inst in others:
        services.applicant_add(actor=manager, round=round, institution=inst, side="resource")
    ranked, excluded = recommendations(round, host)

    search = twin_search(
        user=manager, institution=gulu, query=TwinQuery(side="host", programme=programme, weights=WEIGHTS)
    )
    assert [n for n, _s, _e in named(search.ranked)] == ["Leeds Teaching Hospitals", "Hospices de Lyon"]
    assert named(search.ranked) == [(c.applicant.institution.name, round_(c.score), []) for c in ranked]
    assert named(search.excluded) == [
        (c.applicant.institution.name, round_(c.score), c.excluded_by) for c in excluded
    ]
    assert {n: e for n, _s, e in named(search.excluded)} == {
        "CHU de Québec": ["conflict"],
        "Oslo University Hospital": ["no_language"],
    }
    assert [p.__dict__ for p in search.ranked[0].parts] == [p.__dict__ for p in ranked[0].parts]
    # Without a programme (nor its weights) the same search uses the engine's defaults and no conflicts.
    plain = twin_search(user=manager, institution=gulu, query=TwinQuery(side="host"))
    assert "CHU de Québec" in [c.institution.name for c in plain.ranked]
    assert plain.weights_from is None


def round_(score):
    return round(score, 4)


def test_the_programmes_latest_round_gives_the_default_weights():
    programme, manager = manager_of_a_programme()
    gulu, _others = gulu_and_candidates()
    round = services.round_create(actor=manager, programme=programme, name="Spring", weights=WEIGHTS)
    search = twin_search(user=manager, institution=gulu, query=TwinQuery(programme=programme))
    assert search.weights == WEIGHTS and search.weights_from == round


def with_english(*institutions):
    english = Language.objects.get(code="en")
    for inst in institutions:
        inst.languages.add(english)


def test_an_outsider_sees_no_partnership_facts_a_member_does(world):
    host = world.partnership.side_links.get(side="host").institution
    resource = world.partnership.side_links.get(side="resource").institution
    with_english(host, resource)
    member = twin_search(user=world.coordinator, institution=host, query=TwinQuery(side="host"))
    outsider = twin_search(user=world.outsider, institution=host, query=TwinQuery(side="host"))
    seen = {c.institution.pk: c for c in member.ranked + member.excluded}[resource.pk]
    unseen = {c.institution.pk: c for c in outsider.ranked + outsider.excluded}[resource.pk]
    assert seen.partnered and not unseen.partnered
    ties = lambda c: next(p.value for p in c.parts if p.name == "prior_ties")  # noqa: E731
    # An active partnership is not an earlier one (as in a round): no points for it.
    assert ties(seen) == 0.0 and ties(unseen) == 0.0
    # The partnership takes a place of each, as the member knows; the outsider sees the directory's figure.
    assert seen.places == resource.capacity - 1 and unseen.places == resource.capacity


def test_the_other_sides_pool_leaves_out_institutions_known_only_on_the_same_side(world):
    host = world.partnership.side_links.get(side="host").institution
    other_host = world.other_partnership.side_links.get(side="host").institution
    fresh = institution("New Hospital")
    names = lambda s: {c.institution.pk for c in s.ranked + s.excluded}  # noqa: E731
    search = twin_search(user=world.admin, institution=fresh, query=TwinQuery(side="host"))
    assert host.pk not in names(search) and other_host.pk not in names(search)
    # South-to-South: the new hospital mentors hosts, scored as the resource side.
    south = twin_search(user=world.admin, institution=fresh, query=TwinQuery(side="host", south=True))
    assert host.pk in names(south) and south.query.role == "resource" and south.query.pool == "host"


def test_filters_narrow_the_candidates():
    programme, manager = manager_of_a_programme()
    gulu, others = gulu_and_candidates()

    def found(**kw):
        search = twin_search(user=manager, institution=gulu, query=TwinQuery(**kw))
        return {c.institution.name for c in search.ranked + search.excluded}

    assert found(country="FR") == {"Hospices de Lyon"}
    assert found(language="fr") == {"Hospices de Lyon", "CHU de Québec"}
    assert found(area="laboratory") == {"Hospices de Lyon"}
    assert found(type="university") == set()
    partnership = Partnership.objects.create(programme=programme, title="P")
    PartnershipInstitution.objects.create(partnership=partnership, institution=others[1], side="resource")
    assert found(programme=programme, within="in") == {"Hospices de Lyon"}
    assert "Hospices de Lyon" not in found(programme=programme, within="out")


def test_a_search_takes_the_same_queries_for_a_larger_directory():
    programme, manager = manager_of_a_programme()
    gulu, _others = gulu_and_candidates()
    with CaptureQueriesContext(connection) as small:
        twin_search(user=manager, institution=gulu, query=TwinQuery(programme=programme))
    for n in range(12):
        institution(f"Extra {n}", country="GB", expertise={"laboratory": (2, "culture testing")})
    with CaptureQueriesContext(connection) as large:
        search = twin_search(user=manager, institution=gulu, query=TwinQuery(programme=programme))
    assert search.considered == 16
    assert len(large.captured_queries) == len(small.captured_queries)


# --- acting on a search -----------------------------------------------------------------------------


def test_a_manager_starts_a_partnership_in_scoping_with_both_sides_and_the_reason_audited(client, world):
    gulu, others = gulu_and_candidates()
    client.force_login(world.manager)
    response = client.post(
        reverse("matching:twin_start", args=[gulu.uuid]),
        {
            "candidate": others[0].uuid,
            "role": "host",
            "programme": world.programme.uuid,
            "reason": "Same needs",
        },
    )
    partnership = Partnership.objects.get(title="Gulu Hospital – Leeds Teaching Hospitals")
    assert response.status_code == 302 and response["Location"].endswith(f"/{partnership.uuid}/")
    assert partnership.stage == "scoping" and partnership.programme == world.programme
    sides = set(partnership.side_links.values_list("institution__name", "side"))
    assert sides == {("Gulu Hospital", "host"), ("Leeds Teaching Hospitals", "resource")}
    assert AuditEvent.objects.filter(target_id=partnership.pk, action="create", reason="Same needs").exists()
    # The page now marks Leeds as a partner of Gulu.
    body = client.get(reverse("matching:twins", args=[gulu.uuid])).content.decode()
    assert "Already partners" in body


def test_acting_needs_a_reason_and_a_programme_editor(client, world):
    gulu, others = gulu_and_candidates()
    url = reverse("matching:twin_start", args=[gulu.uuid])
    data = {"candidate": others[0].uuid, "role": "host", "programme": world.programme.uuid, "reason": ""}
    client.force_login(world.manager)
    response = client.post(url, data)
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    for role in ("programme_viewer", "finance", "coordinator", "outsider"):
        client.force_login(getattr(world, role))
        assert client.post(url, {**data, "reason": "Fits"}).status_code == 403
    count = Partnership.objects.count()
    # An editor of another programme cannot start one in this programme either.
    client.force_login(world.other_coordinator)
    assert client.post(url, {**data, "reason": "Fits"}).status_code == 403
    assert Partnership.objects.count() == count


def test_a_manager_adds_both_to_an_open_round_with_the_reason_audited(client, world):
    gulu, others = gulu_and_candidates()
    round = services.round_create(actor=world.manager, programme=world.programme, name="Open round")
    services.applicant_add(actor=world.manager, round=round, institution=others[0], side="resource")
    client.force_login(world.me_officer)
    url = reverse("matching:twin_round_add", args=[gulu.uuid])
    data = {"candidate": others[0].uuid, "role": "host", "round": round.uuid, "reason": "Try in the round"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert set(RoundApplicant.objects.filter(round=round).values_list("institution__name", "side")) == {
        ("Gulu Hospital", "host"),
        ("Leeds Teaching Hospitals", "resource"),
    }
    added = RoundApplicant.objects.get(round=round, institution=gulu)
    assert AuditEvent.objects.filter(target_id=added.pk, reason="Try in the round").exists()
    # The other way round, Gulu would be a resource: refused, nothing changes.
    response = client.post(url, {**data, "role": "resource"})
    assert response.status_code == 400 and "on the other side" in response.content.decode()
    assert RoundApplicant.objects.filter(round=round).count() == 2


def test_the_page_lists_candidates_with_parts_and_the_weights_and_accepts_changed_weights(client, world):
    gulu, _others = gulu_and_candidates()
    client.force_login(world.outsider)
    url = reverse("matching:twins", args=[gulu.uuid])
    body = client.get(url).content.decode()
    assert "Leeds Teaching Hospitals" in body and "Expertise covers needs: 35%" in body
    assert 'name="candidate"' not in body  # an outsider cannot act
    body = client.get(
        url, {**{f"weight_{p}": "0" for p in WEIGHTS}, "weight_language": "10"}
    ).content.decode()
    assert "Working languages: 100%" in body
    response = client.get(url, {**{f"weight_{p}": "0" for p in WEIGHTS}})
    assert response.status_code == 400 and "at least one part" in response.content.decode()
    assert client.get(url, {"weight_text": "²", "country": "<b>", "within": "x"}).status_code == 400
