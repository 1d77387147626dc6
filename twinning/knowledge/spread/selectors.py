"""Reads for dissemination records, the replication register and the spread figures, always starting from what
the user may see: dissemination records by `DisseminationRecord.objects.visible_to`, adoptions by the practices
the user sees (`Adoption.objects.visible_to`), partnership sides by `access.in_visible_partnerships`.

Every figure is computed at read time from the rows (never stored), in a fixed number of queries whatever the
number of records.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone

from twinning.accounts import access
from twinning.accounts.models import User
from twinning.audit.services import cached_until_change
from twinning.core.ids import parse_uuid
from twinning.directory.models import Institution
from twinning.knowledge.models import (
    LEVEL_RANKS,
    Adoption,
    AdoptionLevel,
    DisseminationRecord,
    Level,
    Practice,
    level_of_rank,
)
from twinning.partnerships.models import Partnership, PartnershipInstitution, Pillar, Programme

# --- dissemination ---------------------------------------------------------------------------------


def dissemination_list(
    *,
    user: User,
    programme: Programme | None = None,
    partnership: Partnership | None = None,
    practice: Practice | None = None,
    kind: str = "",
    year: int | None = None,
) -> QuerySet[DisseminationRecord]:
    """Dissemination records the user may see, newest first, with their partnership loaded; filtered by
    programme, by recording partnership (or one involved), by practice, kind and calendar year.

    Raises: nothing.
    """
    qs = DisseminationRecord.objects.visible_to(user).select_related("partnership", "programme")
    if programme is not None:
        qs = qs.filter(programme=programme)
    if partnership is not None:
        involved = DisseminationRecord.partnerships.through.objects.filter(partnership=partnership)
        qs = qs.filter(Q(partnership=partnership) | Q(pk__in=involved.values("disseminationrecord_id")))
    if practice is not None:
        qs = qs.filter(practices=practice)
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(date__year=year)
    return qs.order_by("-date", "title", "id")


def get_dissemination_for_user(user: User, record_uuid: Any, *, write: bool = False) -> DisseminationRecord:
    """The dissemination record with this UUID among those the user may see, with its other partnerships and
    the practices it shared that the user may see (a draft practice of another partnership stays hidden). With
    `write`, the user must be able to change it (`access.can_write_record`).

    Raises: Http404, PermissionDenied.
    """
    record = (
        DisseminationRecord.objects.visible_to(user)
        .filter(uuid=parse_uuid(record_uuid))
        .select_related("programme", "partnership__programme")
        .prefetch_related(
            Prefetch("partnerships", queryset=Partnership.objects.order_by("title")),
            Prefetch("practices", queryset=Practice.objects.visible_to(user).order_by("title")),
        )
        .first()
    )
    if record is None:
        raise Http404
    if write:
        access.require(can_write_dissemination(user, record))
    return record


def can_write_dissemination(user: User, record: DisseminationRecord) -> bool:
    """Whether the user may change the record (the rule: `access.can_write_record`).

    Raises: nothing.
    """
    return access.can_write_record(user, programme_id=record.programme_id, partnership=record.partnership)


# --- adoptions --------------------------------------------------------------------------------------


def with_current_level(adoptions: QuerySet[Adoption]) -> QuerySet[Any]:
    """Each adoption with `current_rank` (the highest level reached: 1 adapting ... 5 national, see
    `level_of_rank`), `since` (the day it was reached) and `first_on` (the day its first level was reached).
    Two subqueries and an aggregate, no extra rows.

    Raises: nothing.
    """
    latest = AdoptionLevel.objects.filter(adoption=OuterRef("pk")).order_by("-rank", "-reached_on")
    return adoptions.annotate(
        current_rank=Subquery(latest.values("rank")[:1]),
        since=Subquery(latest.values("reached_on")[:1]),
        first_on=Min("levels__reached_on"),
    )


def adoption_list(
    *,
    user: User,
    practice: Practice | None = None,
    programme: Programme | None = None,
    level: str = "",
    country: str = "",
) -> QuerySet[Any]:
    """Adoptions of the practices the user may see, each with `current_rank` (see `level_of_rank`), `since`
    and `first_on` (dates); the practice and institution loaded. `level` filters on the current level.

    Raises: nothing.
    """
    qs = with_current_level(Adoption.objects.visible_to(user)).select_related("practice", "institution")
    if practice is not None:
        qs = qs.filter(practice=practice)
    if programme is not None:
        qs = qs.filter(practice__programme=programme)
    if level in LEVEL_RANKS:
        qs = qs.filter(current_rank=LEVEL_RANKS[level])
    if country:
        qs = qs.filter(country=country.upper())
    return qs.order_by("first_on", "country", "area", "id")


def get_adoption_for_user(user: User, adoption_uuid: Any, *, write: bool = False) -> Adoption:
    """The adoption with this UUID among those the user may see (its practice visible to them), with its levels
    in order and its current level. With `write`, the user must be able to record the practice's adoptions
    (`access.can_record_adoptions`).

    Raises: Http404, PermissionDenied.
    """
    adoption = (
        with_current_level(Adoption.objects.visible_to(user))
        .filter(uuid=parse_uuid(adoption_uuid))
        .select_related("practice__programme", "institution")
        .prefetch_related(Prefetch("levels", queryset=AdoptionLevel.objects.order_by("rank")))
        .first()
    )
    if adoption is None:
        raise Http404
    if write:
        access.require(can_record_adoptions_of(user, adoption.practice))
    return adoption


def can_record_adoptions_of(user: User, practice: Practice) -> bool:
    """Whether the user may record and change the adoptions of a practice they see (the rule:
    `access.can_record_adoptions`). One or two queries.

    Raises: nothing.
    """
    partnership_ids = set(practice.partnership_links.values_list("partnership_id", flat=True))
    return access.can_record_adoptions(
        user, programme_id=practice.programme_id, partnership_ids=partnership_ids
    )


def can_see_adoption_evidence(user: User, adoption: Adoption) -> bool:
    """Whether the user may download the adoption's evidence file (`access.can_see_record_evidence`).

    Raises: nothing.
    """
    practice = adoption.practice
    partnership_ids = set(practice.partnership_links.values_list("partnership_id", flat=True))
    return access.can_see_record_evidence(user, programme=practice.programme, partnership_ids=partnership_ids)


def adoption_levels(adoption: Adoption) -> list[AdoptionLevel]:
    """The levels an adoption reached, lowest (earliest) first.

    Raises: nothing.
    """
    return sorted(adoption.levels.all(), key=lambda row: (row.rank, row.reached_on))


# --- the spread of one practice ---------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where a practice comes from: a partnership behind it and its host institutions."""

    partnership: Partnership
    hosts: list[Institution]


@dataclass
class Spread:
    """A practice's origin and its adopters over time: `adoptions` (with their levels prefetched, earliest
    first), `by_level` (current level → count, every level present), `countries` (distinct adopting countries)."""

    practice: Practice
    origins: list[Origin]
    adoptions: list[Any]
    by_level: dict[str, int]
    countries: list[str]


def practice_spread(*, user: User, practice: Practice) -> Spread:
    """The spread of a practice the caller resolved for the user: origin and adopters. Four queries.

    Raises: nothing.
    """
    hosts = PartnershipInstitution.objects.filter(side="host").select_related("institution")
    partnerships = practice.partnerships.order_by("title").prefetch_related(
        Prefetch("side_links", queryset=hosts, to_attr="host_links")
    )
    origins = [Origin(p, [link.institution for link in p.host_links]) for p in partnerships]
    adoptions = list(
        adoption_list(user=user, practice=practice).prefetch_related(
            Prefetch("levels", queryset=AdoptionLevel.objects.order_by("rank"))
        )
    )
    counts = Counter(level_of_rank(a.current_rank) for a in adoptions)
    return Spread(
        practice=practice,
        origins=origins,
        adoptions=adoptions,
        by_level={level: counts.get(level, 0) for level in Level.values},
        countries=sorted({a.country for a in adoptions}),
    )


# --- South-to-South ------------------------------------------------------------------------------------


@dataclass
class SouthToSouth:
    """An institution that was the host side of a partnership and is the resource side of a later one:
    `hosted` and `resourced` are the partnerships on each side (those the reader may see), earliest first,
    `since` the start of the first partnership in which it is the resource side after having been a host."""

    institution: Institution
    hosted: list[Partnership] = field(default_factory=list)
    resourced: list[Partnership] = field(default_factory=list)
    since: datetime.date | None = None


def partnership_start(partnership: Partnership) -> datetime.date:
    """When a partnership began, for ordering: its funding start, or the day it was recorded.

    Raises: nothing.
    """
    return partnership.start_date or partnership.created_at.date()


def south_to_south(
    *, user: User, programme: Programme | None = None, institution: Institution | None = None
) -> list[SouthToSouth]:
    """Institutions that went from the host side of one partnership to the resource side of a later one,
    derived from the partnerships' sides (nothing is stored): only partnerships the user may see count, so a
    reader never learns of a partnership through this. Ordered by institution name. Two queries.

    Raises: nothing.
    """
    links = PartnershipInstitution.objects.filter(access.in_visible_partnerships(user))
    if programme is not None:
        links = links.filter(partnership__programme=programme)
    if institution is not None:
        links = links.filter(institution=institution)
    both = links.values("institution").annotate(sides=Count("side", distinct=True)).filter(sides=2)
    rows = links.filter(institution__in=both.values("institution")).select_related(
        "institution", "partnership"
    )
    by_institution: dict[int, list[PartnershipInstitution]] = defaultdict(list)
    for link in rows:
        by_institution[link.institution_id].append(link)
    found = []
    for institution_links in by_institution.values():
        item = _south_to_south_of(institution_links)
        if item is not None:
            found.append(item)
    return sorted(found, key=lambda s: (s.institution.name, s.institution.pk))


def _south_to_south_of(links: list[PartnershipInstitution]) -> SouthToSouth | None:
    hosted = sorted((link.partnership for link in links if link.side == "host"), key=partnership_start)
    resourced = sorted((link.partnership for link in links if link.side == "resource"), key=partnership_start)
    if not hosted or not resourced:
        return None
    first_host = partnership_start(hosted[0])
    later = [p for p in resourced if partnership_start(p) > first_host]
    if not later:
        return None
    return SouthToSouth(
        institution=links[0].institution, hosted=hosted, resourced=later, since=partnership_start(later[0])
    )


# --- programme figures -----------------------------------------------------------------------------------


@dataclass
class ReachYear:
    year: int
    records: int
    people: int
    facilities: int


@dataclass
class ProgrammeSpread:
    """The replication register of a programme as the user may see it.

    `by_level`: current level → adoptions; `by_country`: country → {level: adoptions}; `by_pillar`: pillar →
    {level: adoptions} (an adoption counts under each pillar of its practice); `national`: (practice, [country
    codes]) for every practice adopted as national policy somewhere; `reach`: dissemination by calendar year.
    """

    by_level: dict[str, int]
    by_country: dict[str, dict[str, int]]
    by_pillar: list[tuple[Pillar, dict[str, int]]]
    national: list[tuple[Practice, list[str]]]
    reach: list[ReachYear]
    total: int


def _empty_levels() -> dict[str, int]:
    return {level: 0 for level in Level.values}


def dissemination_reach(*, user: User, programme: Programme) -> list[ReachYear]:
    """Dissemination records, people and facilities reached per calendar year (earliest first), of the records
    the user may see; unknown counts add nothing. One query.

    Raises: nothing.
    """
    rows = (
        dissemination_list(user=user, programme=programme)
        .order_by()
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(records=Count("pk"), people=Sum("people_reached"), facilities=Sum("facilities_reached"))
        .order_by("year")
    )
    return [ReachYear(r["year"], r["records"], r["people"] or 0, r["facilities"] or 0) for r in rows]


def _published_adoptions(user: User, programme: Programme) -> QuerySet[Any]:
    """The adoptions a programme's figures count: those of its published practices (in the programme or
    publicly), as `practices_published` counts them, whoever reads. Staff also see drafts, submissions and
    withdrawn practices in the register, but a figure that changed with the reader's role would not be one
    figure."""
    return adoption_list(user=user, programme=programme).filter(
        practice__status__in=access.PRACTICE_PUBLISHED
    )


def programme_spread(*, user: User, programme: Programme) -> ProgrammeSpread:
    """Adoptions by level, country and pillar, the practices with a national adoption, and dissemination reach
    by year, over what the user may see of the programme's published practices. Five queries.

    Raises: nothing.
    """
    rows = list(_published_adoptions(user, programme).values("practice_id", "country", "current_rank"))
    by_level = _empty_levels()
    by_country: dict[str, dict[str, int]] = defaultdict(_empty_levels)
    national: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        level = level_of_rank(row["current_rank"])
        if not level:
            continue
        by_level[level] += 1
        by_country[row["country"]][level] += 1
        if level == Level.NATIONAL:
            national[row["practice_id"]].add(row["country"])
    practice_ids = {row["practice_id"] for row in rows}
    links = Practice.pillars.through.objects.filter(practice_id__in=practice_ids).values_list(
        "practice_id", "pillar_id"
    )
    pillars_of: dict[int, list[int]] = defaultdict(list)
    for practice_id, pillar_id in links:
        pillars_of[practice_id].append(pillar_id)
    pillar_counts: dict[int, dict[str, int]] = defaultdict(_empty_levels)
    for row in rows:
        level = level_of_rank(row["current_rank"])
        for pillar_id in pillars_of.get(row["practice_id"], []) if level else []:
            pillar_counts[pillar_id][level] += 1
    pillars = Pillar.objects.filter(programme=programme).order_by("order", "pk")
    practices = Practice.objects.filter(pk__in=national).order_by("title")
    return ProgrammeSpread(
        by_level=by_level,
        by_country=dict(sorted(by_country.items())),
        by_pillar=[(p, pillar_counts[p.pk]) for p in pillars if p.pk in pillar_counts],
        national=[(p, sorted(national[p.pk])) for p in practices],
        reach=dissemination_reach(user=user, programme=programme),
        total=sum(by_level.values()),
    )


@dataclass
class Pillar5:
    """The programme dashboard's pillar-5 figures: practices published (in the programme or publicly),
    adoptions by current level, national adoptions (adoptions at national level, and the practices they
    concern), dissemination reach by year."""

    practices_published: int
    by_level: dict[str, int]
    national_adoptions: int
    national_practices: int
    reach: list[ReachYear]


def pillar5_figures(*, user: User, programme: Programme) -> Pillar5:
    """The pillar-5 figures of a programme over what the user may see of its published practices, computed now.
    Four queries.

    Raises: nothing.
    """
    published = (
        Practice.objects.visible_to(user)
        .filter(programme=programme, status__in=access.PRACTICE_PUBLISHED)
        .count()
    )
    rows = list(_published_adoptions(user, programme).values("practice_id", "current_rank"))
    by_level = _empty_levels()
    for row in rows:
        if row["current_rank"]:
            by_level[level_of_rank(row["current_rank"])] += 1
    national = [row for row in rows if row["current_rank"] == LEVEL_RANKS[Level.NATIONAL]]
    return Pillar5(
        practices_published=published,
        by_level=by_level,
        national_adoptions=len(national),
        national_practices=len({row["practice_id"] for row in national}),
        reach=dissemination_reach(user=user, programme=programme),
    )


# Bounds how long the dashboard's pillar-5 figures can miss a change made outside the services (the admin, a
# database restore); every change through the services renews the audit change stamp, and with it the key.
PILLAR5_CACHE_SECONDS = 600


def pillar5_figures_cached(*, user: User, programme: Programme) -> Pillar5:
    """`pillar5_figures`, kept in the shared cache for this user and programme under the audit change stamp
    (`audit.services.change_stamp`, renewed when any audited change commits, role changes included) and the
    date, for at most PILLAR5_CACHE_SECONDS: the programme dashboard shows them on every visit and their four
    queries cost more to build than to run (each starts from what the user may see). Per user, because the
    figures count what that user may see. Computed afresh, and not cached, inside a transaction that has made
    changes itself.

    Raises: nothing.
    """
    return cached_until_change(
        f"knowledge:pillar5:{programme.pk}:{user.pk}:{timezone.now().date()}",
        lambda: pillar5_figures(user=user, programme=programme),
        PILLAR5_CACHE_SECONDS,
    )
