"""The spread figures against an independent computation: random registers, counted in plain Python."""

import datetime
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinning.accounts.models import ProgrammeRole
from twinning.knowledge.models import Adoption, AdoptionLevel, DisseminationRecord, Level, Practice
from twinning.knowledge.spread.selectors import pillar5_figures, programme_spread
from twinning.knowledge.tests.spread_factories import practice_of
from twinning.testing.factories import PartnershipFactory, ProgrammeFactory, programme_staff

pytestmark = pytest.mark.django_db

LEVELS = Level.values  # rank = index + 1
STATUSES = [s.value for s in Practice.Status]
PUBLISHED = {Practice.Status.PROGRAMME, Practice.Status.PUBLIC}
COUNTRIES = ["UG", "KE", "TZ"]

practice_spec = st.tuples(st.sampled_from(STATUSES), st.sets(st.integers(0, 1)))
adoption_spec = st.tuples(
    st.integers(0, 2),  # which practice
    st.sampled_from(COUNTRIES),
    st.sets(st.integers(1, 5), min_size=1),  # the ranks reached
    st.dates(min_value=datetime.date(2019, 1, 1), max_value=datetime.date(2024, 12, 31)),
)
record_spec = st.tuples(
    st.dates(min_value=datetime.date(2021, 1, 1), max_value=datetime.date(2025, 12, 31)),
    st.one_of(st.none(), st.integers(0, 5000)),
    st.one_of(st.none(), st.integers(0, 50)),
)


def build(practices, adoptions, records):
    programme = ProgrammeFactory()
    pillars = [programme.pillars.create(code=f"p{i}", name=f"Pillar {i}", order=i) for i in range(2)]
    partnership = PartnershipFactory(programme=programme)
    rows = []
    for index, (status, pillar_ids) in enumerate(practices):
        practice = practice_of(partnership, status=status, title=f"Practice {index}")
        practice.pillars.set([pillars[i] for i in pillar_ids])
        rows.append(practice)
    kept, sites = [], set()
    for number, (p, country, ranks, start) in enumerate(adoptions):
        national = 5 in ranks
        site = (p, country) if national else (p, country, number)
        if site in sites:
            continue  # a whole country adopts a practice once
        sites.add(site)
        kept.append((p, country, ranks))
        adoption = Adoption.objects.create(
            practice=rows[p],
            site_kind="country" if national else "region",
            area="" if national else f"Area {number}",
            country=country,
            led_by="partnership",
        )
        for step, rank in enumerate(sorted(ranks)):
            AdoptionLevel.objects.create(
                adoption=adoption,
                level=LEVELS[rank - 1],
                rank=rank,
                reached_on=start + datetime.timedelta(days=90 * step),
            )
    for day, people, facilities in records:
        DisseminationRecord.objects.create(
            programme=programme,
            partnership=partnership,
            kind="presentation",
            title="Talk",
            date=day,
            audience="academia",
            people_reached=people,
            facilities_reached=facilities,
        )
    return programme, pillars, kept


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    practices=st.lists(practice_spec, min_size=3, max_size=3),
    adoptions=st.lists(adoption_spec, max_size=10),
    records=st.lists(record_spec, max_size=6),
    reader=st.booleans(),
)
def test_figures_match_a_plain_python_count(db, practices, adoptions, records, reader):
    programme, pillars, kept = build(practices, adoptions, records)
    role = ProgrammeRole.Role.VIEWER if reader else ProgrammeRole.Role.MANAGER
    user = programme_staff(programme, role)
    # A viewer reads what is published in the programme, a manager every practice (drafts included), but the
    # programme's figures count the published practices' adoptions for both: one figure whoever reads it.
    seen = {i for i, (status, _p) in enumerate(practices) if status in PUBLISHED}
    visible = [(p, country, max(ranks)) for p, country, ranks in kept if p in seen]

    by_level = Counter(LEVELS[rank - 1] for _p, _c, rank in visible)
    by_country: dict[str, Counter] = defaultdict(Counter)
    by_pillar: dict[int, Counter] = defaultdict(Counter)
    for p, country, rank in visible:
        by_country[country][LEVELS[rank - 1]] += 1
        for pillar in practices[p][1]:
            by_pillar[pillar][LEVELS[rank - 1]] += 1
    national = [(p, country) for p, country, rank in visible if rank == 5]
    reach: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for day, people, facilities in records:
        reach[day.year][0] += 1
        reach[day.year][1] += people or 0
        reach[day.year][2] += facilities or 0

    figures = pillar5_figures(user=user, programme=programme)
    assert figures.by_level == {level: by_level.get(level, 0) for level in LEVELS}
    assert figures.practices_published == sum(1 for status, _p in practices if status in PUBLISHED)
    assert figures.national_adoptions == len(national)
    assert figures.national_practices == len({p for p, _c in national})
    assert [(r.year, r.records, r.people, r.facilities) for r in figures.reach] == [
        (year, *reach[year]) for year in sorted(reach)
    ]

    spread = programme_spread(user=user, programme=programme)
    assert spread.total == len(visible)
    assert {c: {k: v for k, v in levels.items() if v} for c, levels in spread.by_country.items()} == {
        c: dict(counts) for c, counts in by_country.items()
    }
    assert {p.code: {k: v for k, v in levels.items() if v} for p, levels in spread.by_pillar} == {
        pillars[i].code: dict(counts) for i, counts in by_pillar.items()
    }
    assert {(p.title, tuple(codes)) for p, codes in spread.national} == {
        (f"Practice {p}", tuple(sorted({c for q, c in national if q == p}))) for p, _c in national
    }
