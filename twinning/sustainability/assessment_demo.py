"""Demo data for partnership health checks and readiness scorecards.

Two rounds of the partnership health check, a year apart, over the first partnerships that have started: in the
newest, the flagship's sides disagree sharply on "respectful and reciprocal" (the host side rates it low), and
another partnership still waits for its resource side. A transition-readiness round, answered by both sides,
for the longest-running partnerships. The flagship's rounds go through the services, so they carry history and
notifications; the others are bulk-inserted, valid by construction.

Deterministic for a given random.Random and day (`today`).
"""

import datetime
import random
from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from twinning.accounts.models import PartnershipMembership, User
from twinning.core.choices import Side
from twinning.partnerships.models import Partnership, Programme
from twinning.sustainability import services
from twinning.sustainability.models import (
    Answer,
    AssessmentRound,
    Instrument,
    InstrumentVersion,
    Item,
    Response,
)

HEALTH_PARTNERSHIPS = 6
READINESS_PARTNERSHIPS = 4
# The section the flagship's host side rates low in the newest round (a large mutuality gap).
GAP_SECTION = "respectful"


# Partnerships of the default demo other than the flagship have no coordinators with a sign-in; their rounds are
# answered by respondents made here (not demo logins: they cannot sign in), removed with the demo.
RESPONDENT_DOMAIN = "respondents.demo.twinning"


def clear_demo(programmes: QuerySet[Programme]) -> None:
    """Remove the assessment rounds of the given (demo) programmes and the respondents made for them; the loader
    calls this first."""
    AssessmentRound.objects.filter(partnership__programme__in=programmes).delete()
    User.objects.filter(email__iendswith=f"@{RESPONDENT_DOMAIN}").delete()
    # A shipped version no answer is left on is editable again (the rule of InstrumentVersion.frozen_at).
    answered = Answer.objects.given().values("item__section__version")
    InstrumentVersion.objects.filter(instrument__programme__isnull=True).exclude(pk__in=answered).update(
        frozen_at=None
    )


def _respondents(partnership: Partnership, index: int) -> dict[str, list[User]]:
    """The coordinators and members of each side; a side without any gets a coordinator made for the demo, named
    after someone of that side's institution."""
    found: dict[str, list[User]] = {Side.HOST: [], Side.RESOURCE: []}
    rows = (
        PartnershipMembership.objects.filter(
            partnership=partnership,
            role__in=(PartnershipMembership.Role.COORDINATOR, PartnershipMembership.Role.MEMBER),
        )
        .select_related("user")
        .order_by("role", "user__email")
    )
    for membership in rows:
        found[membership.side].append(membership.user)
    for side in (Side.HOST, Side.RESOURCE):
        if found[side]:
            continue
        link = partnership.side_links.filter(side=side).select_related("institution").first()
        person = link.institution.people.order_by("full_name").first() if link else None
        user = User(
            email=f"p{index}-{side}@{RESPONDENT_DOMAIN}", full_name=person.full_name if person else ""
        )
        user.set_unusable_password()
        user.save()
        PartnershipMembership.objects.create(
            user=user, partnership=partnership, side=side, role=PartnershipMembership.Role.COORDINATOR
        )
        found[side].append(user)
    return found


def _point(rng: random.Random, item: Item, level: float) -> int:
    """A point near `level` (0-1 of the way up the scale), a little noise either way."""
    span = item.scale_max - item.scale_min
    value = item.scale_min + round(level * span + rng.uniform(-0.8, 0.8))
    return max(item.scale_min, min(item.scale_max, value))


def _levels(rng: random.Random, side: str, section_code: str, gap: bool) -> float:
    if gap and section_code == GAP_SECTION:
        return 0.15 if side == Side.HOST else 0.9
    return rng.uniform(0.45, 0.85)


def _bulk_round(
    rng: random.Random,
    partnership: Partnership,
    version: InstrumentVersion,
    items: list[Item],
    due: datetime.date,
    sides: Sequence[str],
    people: dict[str, list[User]],
    admin: User,
) -> AssessmentRound:
    """A round whose `sides` have answered and submitted, written directly."""
    when = timezone.make_aware(datetime.datetime.combine(due - datetime.timedelta(days=7), datetime.time(10)))
    assessment_round = AssessmentRound.objects.create(
        partnership=partnership,
        instrument_version=version,
        title="",  # automatic: the instrument and year in each reader's language (shown_title)
        due_date=due,
        opened_by=admin,
        host_submitted_at=when if Side.HOST in sides else None,
        resource_submitted_at=when if Side.RESOURCE in sides else None,
    )
    answers = []
    for side in sides:
        for user in people[side][:2]:
            sheet = Response.objects.create(
                round=assessment_round, respondent=user, side=side, submitted_at=when
            )
            answers += [
                Answer(
                    response=sheet,
                    item=item,
                    value=_point(rng, item, _levels(rng, side, item.section.code, False)),
                )
                for item in items
            ]
    Answer.objects.bulk_create(answers)
    return assessment_round


def _flagship_round(
    rng: random.Random,
    partnership: Partnership,
    instrument: Instrument,
    items: list[Item],
    due: datetime.date,
    people: dict[str, list[User]],
    opener: User,
    gap: bool,
) -> AssessmentRound:
    """A round of the flagship through the services: each side's people answer, its coordinator submits."""
    assessment_round = services.round_open(
        actor=opener,
        partnership=partnership,
        instrument=instrument,
        due_date=due,
    )
    for side in (Side.HOST, Side.RESOURCE):
        for user in people[side]:
            answers = {
                item.pk: services.AnswerInput(
                    value=_point(rng, item, _levels(rng, side, item.section.code, gap)),
                    comment=gettext_noop(
                        "Visitors decide the agenda; our staff are rarely asked what they need."
                    )
                    if gap
                    and side == Side.HOST
                    and user == people[side][0]  # one host respondent says it, not each of them alike
                    and item.section.code == GAP_SECTION
                    and item.order == 1
                    else "",
                )
                for item in items
            }
            services.answers_save(actor=user, assessment_round=assessment_round, answers=answers, submit=True)
        coordinator = people[side][0]
        services.side_submit(actor=coordinator, assessment_round=assessment_round)
    return assessment_round


def load_demo(
    *,
    programme: Programme,
    partnerships: Sequence[Partnership],
    users: dict[str, Any],
    rng: random.Random,
    today: datetime.date,
) -> None:
    """Health-check rounds a year apart and readiness rounds for the demo partnerships that have started."""
    admin = next(u for u in users.values() if u.is_superuser)
    shipped = {i.kind: i for i in Instrument.objects.filter(programme__isnull=True)}
    started = [
        p for p in partnerships if p.start_date and p.start_date <= today - datetime.timedelta(days=400)
    ]
    health = shipped[Instrument.Kind.HEALTH_CHECK]
    readiness = shipped[Instrument.Kind.READINESS]
    last_year, this_year = today - datetime.timedelta(days=365), today - datetime.timedelta(days=20)
    for index, partnership in enumerate(started[:HEALTH_PARTNERSHIPS]):
        people = _respondents(partnership, index)
        version = health.versions.order_by("-number").first()
        assert version is not None
        items = list(Item.objects.filter(section__version=version).select_related("section"))
        if index == 0:
            opener = next((u for email, u in users.items() if email.startswith("manager@")), admin)
            _flagship_round(rng, partnership, health, items, last_year, people, opener, gap=False)
            latest = _flagship_round(rng, partnership, health, items, this_year, people, opener, gap=True)
            coordinator = people[Side.HOST][0]
            services.action_create(
                actor=coordinator,
                assessment_round=latest,
                title=gettext_noop("Both sides draft the agenda of every visit together, two weeks ahead"),
                owner=people[Side.RESOURCE][0],
                due_date=today + datetime.timedelta(days=30),
                section=latest.instrument_version.sections.get(code=GAP_SECTION),
            )
            continue
        _bulk_round(rng, partnership, version, items, last_year, Side.values, people, admin)
        # One partnership still waits for its resource side in the newest round.
        sides = [Side.HOST] if index == 1 else Side.values
        _bulk_round(rng, partnership, version, items, this_year, sides, people, admin)
    r_version = readiness.versions.order_by("-number").first()
    assert r_version is not None
    r_items = list(Item.objects.filter(section__version=r_version).select_related("section"))
    for index, partnership in enumerate(started[:READINESS_PARTNERSHIPS]):
        people = _respondents(partnership, index)
        if people[Side.HOST] and people[Side.RESOURCE]:
            _bulk_round(rng, partnership, r_version, r_items, this_year, Side.values, people, admin)
    # The bulk rounds write their answers directly: the versions they answered are frozen as answers_save would.
    answered = Answer.objects.given().filter(response__round__partnership__programme=programme)
    InstrumentVersion.objects.filter(
        pk__in=answered.values("item__section__version"), frozen_at__isnull=True
    ).update(frozen_at=timezone.now())
