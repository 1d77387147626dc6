"""Scores, combined scores and mutuality gaps against an independent computation (issue 13)."""

import statistics
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinning.accounts.models import PartnershipMembership
from twinning.core.choices import Side
from twinning.sustainability import scores, selectors
from twinning.sustainability.tests.factories import RoundFactory, sheet, small_version, submit_sides
from twinning.testing.factories import PartnershipFactory, ProgrammeFactory, partnership_member

pytestmark = pytest.mark.django_db


def expected(version, sheets_by_side):
    """The rule from the issue, written out plainly: per item the mean of the side's points, scaled to 0-100;
    a section the mean of its items, overall the mean of the sections; combined the mean of both sides."""
    result: dict[tuple, float] = {}
    for side, sheets in sheets_by_side.items():
        section_scores = []
        for section in version.sections.all():
            item_scores = []
            for item in section.items.all():
                points = [s[item.pk] for s in sheets if s.get(item.pk) is not None]
                if points:
                    item_scores.append(
                        (statistics.mean(points) - item.scale_min) / (item.scale_max - item.scale_min) * 100
                    )
                    result[(side, "item", item.pk)] = item_scores[-1]
            if item_scores:
                section_scores.append(statistics.mean(item_scores))
                result[(side, "section", section.pk)] = section_scores[-1]
        if section_scores:
            result[(side, "overall")] = statistics.mean(section_scores)
    return result


def expected_gaps(version, want):
    """The gaps by the rule written out plainly: per section, host minus resource over the statements both sides
    scored (the sides' section scores when neither scored a statement the other did not); overall, over the
    sections both scored, each by that basis (the overall scores when every scored section is shared whole).
    Each difference is of the scores as shown (rounded first). {("section", id) | ("overall",): gap or None}."""

    def shown(host, resource):
        shown_host, shown_resource = scores.score_round(host), scores.score_round(resource)
        if shown_host is None or shown_resource is None:
            return None
        return shown_host - shown_resource

    gaps: dict[tuple[str, ...], Decimal | None] = {}
    bases, whole = [], True
    for section in version.sections.all():
        host_items = {i.pk for i in section.items.all() if ("host", "item", i.pk) in want}
        resource_items = {i.pk for i in section.items.all() if ("resource", "item", i.pk) in want}
        if not host_items and not resource_items:
            continue
        shared = host_items & resource_items
        if host_items == resource_items:
            basis = (want[("host", "section", section.pk)], want[("resource", "section", section.pk)])
        else:
            whole = False
            basis = (
                statistics.mean(want[("host", "item", i)] for i in shared) if shared else None,
                statistics.mean(want[("resource", "item", i)] for i in shared) if shared else None,
            )
        if host_items and resource_items:
            gaps[("section", section.pk)] = shown(*basis)
        if None not in basis:
            bases.append(basis)
    if ("host", "overall") in want and ("resource", "overall") in want:
        if whole:
            gaps[("overall",)] = shown(want[("host", "overall")], want[("resource", "overall")])
        else:
            gaps[("overall",)] = shown(
                statistics.mean(h for h, _r in bases) if bases else None,
                statistics.mean(r for _h, r in bases) if bases else None,
            )
    return gaps


def test_normalise_spans_0_to_100():
    assert scores.normalise(1, 1, 5) == 0
    assert scores.normalise(5, 1, 5) == 100
    assert scores.normalise(4, 1, 7) == 50


def test_gap_and_combined_need_both_sides():
    assert scores.Scored(80, 40).gap == 40
    assert scores.Scored(80, 40).combined == 60
    assert scores.Scored(80, 40).is_large_gap
    assert not scores.Scored(50, 40).is_large_gap
    assert scores.Scored(80, None).gap is None
    assert scores.Scored(80, None).combined == 80
    assert scores.Scored(None, None).combined is None


answer = st.one_of(st.none(), st.integers(min_value=1, max_value=7))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    host=st.lists(st.lists(answer, min_size=4, max_size=4), min_size=1, max_size=3),
    resource=st.lists(st.lists(answer, min_size=4, max_size=4), min_size=1, max_size=3),
)
def test_round_scores_match_an_independent_computation(host, resource):
    version = small_version(sections=2, items=2, low=1, high=7)
    assessment_round = RoundFactory(instrument_version=version)
    items = [item for section in version.sections.all() for item in section.items.all()]
    given_sheets: dict[str, list[dict[int, int | None]]] = {Side.HOST: [], Side.RESOURCE: []}
    for side, rows in ((Side.HOST, host), (Side.RESOURCE, resource)):
        for row in rows:
            person = partnership_member(
                assessment_round.partnership, PartnershipMembership.Role.MEMBER, side=side
            )
            values = {item.pk: value for item, value in zip(items, row, strict=True)}
            sheet(assessment_round, person, side, values)
            given_sheets[side].append(values)
    # A sheet not submitted counts for nothing.
    late = partnership_member(assessment_round.partnership, PartnershipMembership.Role.MEMBER)
    sheet(assessment_round, late, Side.HOST, {item.pk: 7 for item in items}, submitted=False)
    submit_sides(assessment_round, Side.HOST, Side.RESOURCE)

    result = selectors.round_scores(assessment_round=assessment_round)
    want = expected(version, given_sheets)
    for section_line in result.sections:
        for line in section_line.items:
            for side in scores.SIDES:
                assert line.scored.side(side) == pytest.approx(want.get((side, "item", line.item.pk)))
            if line.scored.gap is not None:
                shown = [scores.score_round(want[(side, "item", line.item.pk)]) for side in scores.SIDES]
                assert shown[0] is not None and shown[1] is not None
                assert scores.score_round(line.scored.gap) == shown[0] - shown[1]
        for side in scores.SIDES:
            assert section_line.scored.side(side) == pytest.approx(
                want.get((side, "section", section_line.section.pk))
            )
    for side in scores.SIDES:
        assert result.overall.side(side) == pytest.approx(want.get((side, "overall")))
    gaps = expected_gaps(version, want)
    for section_line in result.sections:
        gap = section_line.scored.gap
        assert (None if gap is None else scores.score_round(gap)) == gaps.get(
            ("section", section_line.section.pk)
        )
    gap = result.overall.gap
    assert (None if gap is None else scores.score_round(gap)) == gaps.get(("overall",))
    assert result.sheets == {Side.HOST: len(host), Side.RESOURCE: len(resource)}


def _instrument_kind(version, kind):
    version.instrument.kind = kind
    version.instrument.save()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    partnerships=st.lists(
        st.tuples(
            st.lists(st.lists(answer, min_size=4, max_size=4), min_size=1, max_size=2),
            st.lists(st.lists(answer, min_size=4, max_size=4), min_size=1, max_size=2),
        ),
        min_size=1,
        max_size=3,
    ),
    low=st.integers(min_value=0, max_value=1),
)
def test_programme_scores_match_an_independent_computation(partnerships, low):
    """The programme view averages in the database (selectors.section_scores): its overall scores and largest
    gaps agree with the rule written out plainly and with the round's own page (round_scores), and an older
    completed round and a round still waiting for a side do not count."""
    programme = ProgrammeFactory()
    version = small_version(sections=2, items=2, low=low, high=7)
    _instrument_kind(version, "health_check")
    items = [item for section in version.sections.all() for item in section.items.all()]
    wanted = {}
    for host, resource in partnerships:
        partnership = PartnershipFactory(programme=programme)
        older = RoundFactory(partnership=partnership, instrument_version=version, due_date=date(2025, 6, 30))
        person = partnership_member(partnership, PartnershipMembership.Role.MEMBER, side=Side.HOST)
        sheet(older, person, Side.HOST, {item.pk: 7 for item in items})
        submit_sides(older, Side.HOST, Side.RESOURCE)
        newest = RoundFactory(partnership=partnership, instrument_version=version, due_date=date(2026, 6, 30))
        given_sheets: dict[str, list[dict[int, int | None]]] = {Side.HOST: [], Side.RESOURCE: []}
        for side, rows in ((Side.HOST, host), (Side.RESOURCE, resource)):
            for row in rows:
                person = partnership_member(partnership, PartnershipMembership.Role.MEMBER, side=side)
                values = {item.pk: v for item, v in zip(items, row, strict=True)}
                sheet(newest, person, side, values)
                given_sheets[side].append(values)
        submit_sides(newest, Side.HOST, Side.RESOURCE)
        RoundFactory(partnership=partnership, instrument_version=version, due_date=date(2027, 6, 30))
        wanted[partnership.pk] = (
            expected(version, given_sheets),
            selectors.round_scores(assessment_round=newest),
        )

    rows = selectors.programme_sustainability(
        programme_id=programme.pk, partnerships=programme.partnerships.all()
    )
    assert len(rows) == len(partnerships)
    for row in rows:
        want, page = wanted[row.partnership.pk]
        assert row.waiting == 1
        assert (
            row.health_instrument
            == f"{version.instrument.shown_name}, version {version.number}"
            == str(version)
        )
        assert row.readiness_instrument is None and row.readiness_version is None
        for side in scores.SIDES:
            assert row.health_scores.side(side) == pytest.approx(want.get((side, "overall")), abs=1e-9)
            assert row.health_scores.side(side) == pytest.approx(page.overall.side(side), abs=1e-9)
        assert row.health_scores.gap == page.overall.gap
        assert row.health_scores.partial_gap == page.overall.partial_gap
        for line in page.sections:
            assert row.health_sections.get(line.section.pk, scores.Scored(None, None)).gap == line.scored.gap
        gaps = [(abs(s.scored.gap), s.section.pk) for s in page.sections if s.scored.gap is not None]
        titles = {s.section.pk: s.section.title for s in page.sections}
        assert row.health_gap_section == (titles[max(gaps)[1]] if gaps else "")
