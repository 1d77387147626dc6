"""Demo data for dissemination and the replication register (run by the demo loader after the practice library's
demo, so the programme's published practices exist).

- Dissemination records for every partnership that has started: conference talks, an article with a DOI,
  workshops and trainings for other facilities, webinars, media, policy briefs, training packages, with their
  audience and reach; one record of the programme as a whole.
- Adoptions of the published practices at every level, each a history of levels reached over the years, with
  two national adoptions (a ministry's guideline) on two practices.
- South-to-South: the flagship's host hospital is the resource side of a later partnership with a district
  hospital, so the institution page and the programme's spread view show it (derived from the sides).

Deterministic for a given random.Random and day. The flagship partnership's records and the first practice's
adoptions go through the services (they carry history); the rest are bulk-inserted, valid by construction.
"""

import datetime
import random
import uuid
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from twinning.accounts import access
from twinning.accounts.models import User
from twinning.directory.models import Institution
from twinning.knowledge.models import (
    LEVEL_RANKS,
    Adoption,
    AdoptionLevel,
    DisseminationRecord,
    Level,
    Practice,
)
from twinning.knowledge.spread import services
from twinning.partnerships.models import Partnership, PartnershipInstitution, Programme, Stage
from twinning.partnerships.services import partnership_create

Kind = DisseminationRecord.Kind
Audience = DisseminationRecord.Audience

RECORDS = [
    (
        Kind.PRESENTATION,
        Audience.ACADEMIA,
        gettext_noop("Results of the first year, presented at the regional health congress"),
        180,
        None,
    ),
    (
        Kind.WORKSHOP,
        Audience.FACILITIES,
        gettext_noop("Workshop for district hospitals on the new protocols"),
        46,
        11,
    ),
    (
        Kind.TRAINING,
        Audience.FACILITIES,
        gettext_noop("Training of trainers from neighbouring facilities"),
        24,
        8,
    ),
    (
        Kind.WEBINAR,
        Audience.PROFESSIONAL,
        gettext_noop("Webinar for the national nursing association"),
        310,
        None,
    ),
    (
        Kind.MEDIA,
        Audience.PUBLIC,
        gettext_noop("Radio programme on safer care in our hospital"),
        25_000,
        None,
    ),
    (
        Kind.POLICY_BRIEF,
        Audience.MINISTRY,
        gettext_noop("Policy brief for the ministry's quality directorate"),
        35,
        None,
    ),
    (
        Kind.TRAINING_PACKAGE,
        Audience.FACILITIES,
        gettext_noop("Training package shared with the regional training centre"),
        90,
        14,
    ),
]
ARTICLE = (
    "Implementing a care bundle through an institutional twinning partnership: a before-and-after study",
    "BMC Health Services Research",
)
# (levels reached in order, site kind): every level occurs, two end at national policy.
LADDERS: list[tuple[list[str], str]] = [
    ([Level.ADAPTING], Adoption.SiteKind.INSTITUTION),
    ([Level.ADAPTING, Level.PILOTING], Adoption.SiteKind.INSTITUTION),
    ([Level.ADAPTING, Level.PILOTING, Level.ADOPTED], Adoption.SiteKind.INSTITUTION),
    ([Level.PILOTING, Level.ADOPTED], Adoption.SiteKind.DISTRICT),
    ([Level.PILOTING, Level.ADOPTED, Level.SCALED_UP], Adoption.SiteKind.REGION),
    ([Level.ADOPTED, Level.SCALED_UP, Level.NATIONAL], Adoption.SiteKind.COUNTRY),
]
LED_BY = [Adoption.LedBy.PARTNERSHIP, Adoption.LedBy.HOST, Adoption.LedBy.HOST, Adoption.LedBy.MINISTRY]


def clear_demo(programmes: QuerySet[Programme]) -> None:
    """Remove the dissemination records and adoptions of the given (demo) programmes; the loader calls this
    before the practice library's own clearing."""
    Adoption.objects.filter(practice__programme__in=programmes).delete()
    DisseminationRecord.objects.filter(programme__in=programmes).delete()


def load_demo(
    *,
    programme: Programme,
    partnerships: Sequence[Partnership],
    users: dict[str, Any],
    rng: random.Random,
    today: datetime.date,
) -> None:
    """Dissemination, adoptions and a South-to-South partnership for the demo programme (see the module)."""
    admin = next(u for u in users.values() if u.is_superuser)
    started = [p for p in partnerships if p.start_date is not None and p.start_date <= today]
    _dissemination(admin, programme, started, rng, today)
    _adoptions(admin, programme, rng, today)
    if started:
        _south_to_south(admin, programme, started[0], today)


def _dissemination(
    admin: User,
    programme: Programme,
    partnerships: list[Partnership],
    rng: random.Random,
    today: datetime.date,
) -> None:
    practices = list(Practice.objects.filter(programme=programme, status__in=access.PRACTICE_PUBLISHED))
    bulk = []
    for index, partnership in enumerate(partnerships):
        assert partnership.start_date is not None
        days = max((today - partnership.start_date).days, 30)
        own = [p for p in practices if partnership.pk in {q.pk for q in p.partnerships.all()}]
        chosen = rng.sample(RECORDS, k=3 if index == 0 else rng.randint(1, 2))
        for number, (kind, audience, title, people, facilities) in enumerate(chosen):
            fields: dict[str, Any] = {
                "kind": kind,
                "title": title,
                "date": partnership.start_date + datetime.timedelta(days=rng.randint(30, days)),
                "audience": audience,
                "people_reached": people + rng.randint(0, people // 3),
                "facilities_reached": facilities,
                "venue": ""
                if kind != Kind.PRESENTATION
                else "East, Central and Southern Africa Health Congress",
            }
            if index == 0:
                record = services.dissemination_create(
                    actor=admin, programme=programme, partnership=partnership, **fields, practices=own[:1]
                )
                if number == 0:
                    services.dissemination_create(
                        actor=admin,
                        programme=programme,
                        partnership=partnership,
                        kind=Kind.ARTICLE,
                        title=ARTICLE[0],
                        venue=ARTICLE[1],
                        doi="10.1186/s12913-024-11023-7",
                        date=min(record.date + datetime.timedelta(days=200), today),
                        audience=Audience.ACADEMIA,
                        people_reached=1_240,
                        practices=own[:1],
                    )
            else:
                bulk.append(DisseminationRecord(programme=programme, partnership=partnership, **fields))
    DisseminationRecord.objects.bulk_create(bulk)
    services.dissemination_create(
        actor=admin,
        programme=programme,
        partnership=None,
        kind=Kind.WORKSHOP,
        title=gettext_noop("Annual learning forum of the twinning programme"),
        date=today - datetime.timedelta(days=120),
        audience=Audience.MINISTRY,
        people_reached=140,
        facilities_reached=38,
        practices=practices[:3],
    )


def _adoption_sites(practice: Practice, country: str) -> list[Institution]:
    """Directory institutions of the practice's host country that are not behind the practice, for adopters."""
    behind = PartnershipInstitution.objects.filter(partnership__in=practice.partnerships.all()).values(
        "institution"
    )
    return list(Institution.objects.filter(country=country).exclude(pk__in=behind).order_by("name", "pk"))


def _adoptions(admin: User, programme: Programme, rng: random.Random, today: datetime.date) -> None:
    practices = list(
        Practice.objects.filter(programme=programme, status__in=access.PRACTICE_PUBLISHED).order_by(
            "title", "pk"
        )
    )
    nationals = 0
    for index, practice in enumerate(practices[:6]):
        host = PartnershipInstitution.objects.filter(partnership__in=practice.partnerships.all(), side="host")
        link = host.select_related("institution").order_by("pk").first()
        if link is None:
            continue
        country = link.institution.country
        sites = _adoption_sites(practice, country)
        # Two practices reach national policy; the others stop short of it, so every level shows.
        national = nationals < 2 and index % 2 == 0
        nationals += national
        ladders = LADDERS[:-1][: 2 + index % 4] + (LADDERS[-1:] if national else [])
        for number, (levels, kind) in enumerate(ladders):
            site: dict[str, Any] = {"site_kind": kind, "country": country}
            if kind == Adoption.SiteKind.INSTITUTION:
                if number >= len(sites):
                    continue
                site["institution"] = sites[number]
            elif kind != Adoption.SiteKind.COUNTRY:
                site["area"] = (
                    sites[number % len(sites)].region if sites else ""
                ) or f"District {number + 1}"
            start = today - datetime.timedelta(days=365 * 3 - rng.randint(0, 200))
            steps = [
                (level, start + datetime.timedelta(days=240 * step)) for step, level in enumerate(levels)
            ]
            led_by = (
                Adoption.LedBy.MINISTRY if kind == Adoption.SiteKind.COUNTRY else LED_BY[number % len(LED_BY)]
            )
            _adoption(admin, practice, site, led_by, steps, use_services=index == 0)


def _adoption(
    admin: User,
    practice: Practice,
    site: dict[str, Any],
    led_by: str,
    steps: list[tuple[str, datetime.date]],
    *,
    use_services: bool,
) -> None:
    notes = gettext_noop("Adopted after the regional workshop; the host team trains its staff.")
    if use_services:
        (first, first_on), rest = steps[0], steps[1:]
        adoption = services.adoption_create(
            actor=admin,
            practice=practice,
            **site,
            led_by=led_by,
            level=first,
            reached_on=first_on,
            notes=notes,
        )
        for level, on in rest:
            services.adoption_level_record(actor=admin, adoption=adoption, level=level, reached_on=on)
        return
    if "institution" in site:
        site = {**site, "country": site["institution"].country}
    adoption = Adoption.objects.create(practice=practice, led_by=led_by, notes=notes, **site)
    AdoptionLevel.objects.bulk_create(
        AdoptionLevel(adoption=adoption, level=level, rank=LEVEL_RANKS[level], reached_on=on)
        for level, on in steps
    )


def _south_to_south(admin: User, programme: Programme, flagship: Partnership, today: datetime.date) -> None:
    """A later partnership in which the flagship's host hospital is the resource side for a district hospital
    of its own country: the host now trains others (South-to-South)."""
    host = flagship.side_links.filter(side="host").select_related("institution").order_by("pk").first()
    if host is None:
        return
    taken = PartnershipInstitution.objects.filter(partnership__programme=programme).values("institution")
    partner = (
        Institution.objects.filter(country=host.institution.country, type=Institution.Type.HOSPITAL)
        .exclude(pk__in=taken)
        .order_by("name", "pk")
        .first()
    )
    if partner is None:
        return
    start = today - datetime.timedelta(days=300)
    title = f"{host.institution.short_name or host.institution.name} mentoring {partner.name}"
    partnership_create(
        actor=admin,
        # The same every load, as the demo plan's partnerships are.
        uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"https://twinning.example.org/demo/{programme.name}/{title}"),
        programme=programme,
        title=title,
        hosts=[partner],
        resources=[host.institution],
        shared_goal=gettext_noop(
            "Pass on the safer-births bundle to a district hospital, with the host hospital as mentor."
        ),
        start_date=start,
        stage=Stage.IMPLEMENTATION,
        stage_since=start,
    )
