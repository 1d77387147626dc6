"""Demo data for exchanges and mentoring.

For every demo partnership that has started: site visits and placements both ways, workshops, a training
course given by the resource side, then a training of trainers' follow-up in which host staff trained at the
first course train colleagues (a cascade), unnamed trainees counted by cadre and sex, and mentoring pairs
across the two sides (either way round) with a log of sessions. One planned exchange lies in the future.

Deterministic for a given random.Random and day (`today`, which the demo loader passes in). The flagship (first) partnership goes through the services so its
records carry audit history; the others are bulk-inserted, valid by construction, to keep loading fast.
"""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from twinning.accounts.models import User
from twinning.core.choices import Side
from twinning.directory.models import Person
from twinning.exchanges import services
from twinning.exchanges.models import (
    Exchange,
    MentoringPair,
    MentoringSession,
    Participant,
    Sex,
    TraineeGroup,
    TrainingSetting,
    inclusive_days,
)
from twinning.partnerships.models import Partnership, PartnershipInstitution, Programme

BATCH = 2000
# The exchanges' titles are fixed names, stored in English and shown in the reader's language (gettext_noop puts
# them in the catalogues; Exchange.shown_title translates them through core.reference.shipped_name). The demo's
# purposes, outcomes, lessons, goals and session notes are fixed texts too, marked the same way and shown through
# the `shipped` template filter; what a user writes in those fields stays as written.
PLACEMENT_TITLE = gettext_noop("Long-term placement at the resource institution")
CALL_TITLE = gettext_noop("Monthly case-review call")
PLANNED_VISIT_TITLE = gettext_noop("Annual review visit")

VISITS = [
    (
        gettext_noop("Scoping visit to the host wards"),
        gettext_noop("Agree priorities with ward leads and see current practice."),
    ),
    (
        gettext_noop("Quality-improvement site visit"),
        gettext_noop("Review audit data and coach the improvement team."),
    ),
    (
        gettext_noop("Follow-up visit on the new protocols"),
        gettext_noop("Check how the new protocols are used and adjust them."),
    ),
]
RETURN_VISITS = [
    (
        gettext_noop("Host clinical leads visit the resource hospital"),
        gettext_noop("See how the resource side runs its services."),
    ),
    (
        gettext_noop("Observership for host nurses"),
        gettext_noop("Shadow colleagues and bring back ideas for the host wards."),
    ),
]
WORKSHOPS = [
    (
        gettext_noop("Regional dissemination workshop"),
        gettext_noop("Share results with district hospitals in the region."),
    ),
    (
        gettext_noop("Joint planning workshop"),
        gettext_noop("Review the year and set next year's activities."),
    ),
]
# Each course, and its repeat run by the host instructors it trained (the cascade).
TRAININGS = [
    gettext_noop("Emergency triage training course"),
    gettext_noop("Neonatal resuscitation course"),
    gettext_noop("Infection prevention and control course"),
    gettext_noop("Obstetric emergencies skills drill"),
    gettext_noop("Laboratory quality management course"),
]
CASCADE_TITLES = {
    "Emergency triage training course": gettext_noop(
        "Emergency triage training course (run by host instructors)"
    ),
    "Neonatal resuscitation course": gettext_noop("Neonatal resuscitation course (run by host instructors)"),
    "Infection prevention and control course": gettext_noop(
        "Infection prevention and control course (run by host instructors)"
    ),
    "Obstetric emergencies skills drill": gettext_noop(
        "Obstetric emergencies skills drill (run by host instructors)"
    ),
    "Laboratory quality management course": gettext_noop(
        "Laboratory quality management course (run by host instructors)"
    ),
}
HOST_LEARNED = [
    gettext_noop("A structured handover that cut missed observations."),
    gettext_noop("How to run a short daily safety huddle."),
    gettext_noop("Using simple audit charts to see progress week by week."),
]
RESOURCE_LEARNED = [
    gettext_noop("Clinical judgement with few diagnostics; ways to share tasks across cadres."),
    gettext_noop("Community follow-up through health workers, which the resource side wants to try at home."),
    gettext_noop("How to keep equipment working with local maintenance and few spare parts."),
]
OUTCOMES = [
    gettext_noop("Protocol adopted on two wards; audit planned in three months."),
    gettext_noop("Six staff certified; skills-lab sessions now run monthly by host staff."),
    gettext_noop("Action plan agreed with the hospital management team."),
]
GOALS = [
    gettext_noop("Lead a morbidity and mortality review each month."),
    gettext_noop("Publish the ward audit in a regional journal."),
    gettext_noop("Set up and run a skills lab with local trainers."),
    gettext_noop("Manage a quality-improvement project from start to finish."),
]
NOTES = [
    gettext_noop("Reviewed the audit data."),
    gettext_noop("Planned the next teaching session."),
    gettext_noop("Discussed a difficult case."),
    "",
]
UNNAMED_CADRES = ["nurse", "midwife", "clinical_officer", "chw", "physician"]


def clear_demo(programmes: QuerySet[Programme]) -> None:
    """Remove the exchanges and mentoring of the given (demo) programmes; the loader calls this first."""
    MentoringPair.objects.filter(partnership__programme__in=programmes).delete()
    Exchange.objects.filter(partnership__programme__in=programmes).delete()


def _people(partnership: Partnership) -> dict[str, list[Person]]:
    sides = dict(
        PartnershipInstitution.objects.filter(partnership=partnership).values_list("institution_id", "side")
    )
    people: dict[str, list[Person]] = {Side.HOST: [], Side.RESOURCE: []}
    for person in Person.objects.filter(institution_id__in=sides).order_by("full_name", "id"):
        people[sides[person.institution_id]].append(person)
    return people


class _Writer:
    """Collects rows; the flagship writes them through the services, the others in bulk."""

    def __init__(self, actor: User, use_services: bool, sexes: dict[int, str]) -> None:
        self.actor = actor
        self.use_services = use_services
        self.exchanges: list[Exchange] = []
        self.participants: list[Participant] = []
        self.groups: list[TraineeGroup] = []
        self.pairs: list[MentoringPair] = []
        self.sessions: list[MentoringSession] = []
        # Shared by both writers: one sex per person, whichever partnerships they take part in.
        self.sex = sexes

    def exchange(self, partnership: Partnership, **fields: Any) -> Exchange:
        if self.use_services:
            return services.exchange_create(actor=self.actor, partnership=partnership, **fields)
        row = Exchange(
            partnership=partnership, days=inclusive_days(fields["start_date"], fields["end_date"]), **fields
        )
        self.exchanges.append(row)
        return row

    def participant(
        self, exchange: Exchange, person: Person, side: str, role: str, rng: random.Random
    ) -> None:
        sex = self.sex.setdefault(person.pk, rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE]))
        setting = TrainingSetting.IN_SERVICE
        if self.use_services:
            services.participant_add(
                actor=self.actor,
                exchange=exchange,
                person=person,
                role=role,
                side=side,
                sex=sex,
                setting=setting,
            )
        else:
            self.participants.append(
                Participant(exchange=exchange, person=person, side=side, role=role, sex=sex, setting=setting)
            )

    def group(self, exchange: Exchange, sex: str, cadre: str, count: int, setting: str) -> None:
        if self.use_services:
            services.trainee_group_add(
                actor=self.actor, exchange=exchange, sex=sex, cadre=cadre, count=count, setting=setting
            )
        else:
            self.groups.append(
                TraineeGroup(exchange=exchange, sex=sex, cadre=cadre, count=count, setting=setting)
            )

    def pair(
        self, partnership: Partnership, mentor: Person, mentee: Person, mentor_side: str, **fields: Any
    ) -> MentoringPair:
        if self.use_services:
            return services.mentoring_pair_create(
                actor=self.actor, partnership=partnership, mentor=mentor, mentee=mentee, **fields
            )
        row = MentoringPair(
            partnership=partnership, mentor=mentor, mentee=mentee, mentor_side=mentor_side, **fields
        )
        self.pairs.append(row)
        return row

    def session(self, pair: MentoringPair, **fields: Any) -> None:
        if self.use_services:
            services.mentoring_session_add(actor=self.actor, pair=pair, **fields)
        else:
            self.sessions.append(MentoringSession(pair=pair, **fields))

    def flush(self) -> None:
        # Parents first, so the children's foreign keys have ids (bulk_create sets them on both databases).
        Exchange.objects.bulk_create(self.exchanges, batch_size=BATCH)
        Participant.objects.bulk_create(self.participants, batch_size=BATCH)
        TraineeGroup.objects.bulk_create(self.groups, batch_size=BATCH)
        MentoringPair.objects.bulk_create(self.pairs, batch_size=BATCH)
        MentoringSession.objects.bulk_create(self.sessions, batch_size=BATCH)
        self.exchanges, self.participants, self.groups, self.pairs, self.sessions = [], [], [], [], []


def _trip(rng: random.Random, start: datetime.date, length: int) -> tuple[datetime.date, datetime.date]:
    return start, start + datetime.timedelta(days=length - 1)


@dataclass
class _Setting:
    """One partnership's people, place and time span, which every kind of exchange below draws on."""

    partnership: Partnership
    hosts: list[Person]
    resources: list[Person]
    start: datetime.date
    span: int
    host_city: str
    country: str
    today: datetime.date

    def day(self, fraction: float) -> datetime.date:
        return self.start + datetime.timedelta(days=int(self.span * fraction))

    def completed(self, d: datetime.date) -> str:
        return Exchange.Status.COMPLETED if d <= self.today else Exchange.Status.PLANNED


def _one_partnership(
    writer: _Writer, partnership: Partnership, rng: random.Random, today: datetime.date
) -> None:
    people = _people(partnership)
    hosts, resources = people[Side.HOST], people[Side.RESOURCE]
    if len(hosts) < 2 or not resources:
        return
    start = partnership.start_date or today - datetime.timedelta(days=400)
    end = min(partnership.end_date or today, today)
    place = partnership.side_links.filter(side=Side.HOST).select_related("institution").first()
    setting = _Setting(
        partnership=partnership,
        hosts=hosts,
        resources=resources,
        start=start,
        span=max((end - start).days, 60),
        host_city=place.institution.city if place else "",
        country=place.institution.country if place else "",
        today=today,
    )
    _visits(writer, setting, rng)
    _trainings(writer, setting, rng)
    _workshop_call_and_planned_visit(writer, setting, rng)
    _mentoring(writer, setting, rng)


def _visits(writer: _Writer, s: _Setting, rng: random.Random) -> None:
    """Site visits from the resource side, and a return visit or placement from the host side."""
    partnership, hosts, resources = s.partnership, s.hosts, s.resources
    for i, (title, purpose) in enumerate(rng.sample(VISITS, 2)):
        begin, finish = _trip(rng, s.day(0.1 + 0.35 * i), rng.choice([5, 7, 10, 14]))
        exchange = writer.exchange(
            partnership,
            title=title,
            type=Exchange.Type.SITE_VISIT,
            direction=Exchange.Direction.RESOURCE_TO_HOST,
            status=s.completed(finish),
            start_date=begin,
            end_date=finish,
            place=s.host_city,
            country=s.country,
            purpose=purpose,
            trip_report=gettext_noop(
                "The team worked alongside ward staff every day and met the management team at the end."
            ),
            outcomes=rng.choice(OUTCOMES),
            host_learned=rng.choice(HOST_LEARNED),
            resource_learned=rng.choice(RESOURCE_LEARNED),
        )
        for person in rng.sample(resources, min(len(resources), rng.randint(1, 3))):
            writer.participant(exchange, person, Side.RESOURCE, Participant.Role.TRAVELLER, rng)
        writer.participant(exchange, rng.choice(hosts), Side.HOST, Participant.Role.HOST, rng)
    title, purpose = rng.choice(RETURN_VISITS)
    placement = rng.random() < 0.4
    begin, finish = _trip(rng, s.day(0.55), 90 if placement else rng.choice([10, 14]))
    back = writer.exchange(
        partnership,
        title=PLACEMENT_TITLE if placement else title,
        type=Exchange.Type.PLACEMENT if placement else Exchange.Type.SITE_VISIT,
        direction=Exchange.Direction.HOST_TO_RESOURCE,
        status=s.completed(finish),
        start_date=begin,
        end_date=finish,
        purpose=purpose,
        outcomes=rng.choice(OUTCOMES),
        host_learned=rng.choice(HOST_LEARNED),
        resource_learned=rng.choice(RESOURCE_LEARNED),
    )
    for person in rng.sample(hosts, min(len(hosts), 2)):
        writer.participant(back, person, Side.HOST, Participant.Role.TRAVELLER, rng)
    writer.participant(back, rng.choice(resources), Side.RESOURCE, Participant.Role.HOST, rng)


def _trainings(writer: _Writer, s: _Setting, rng: random.Random) -> None:
    """A training course by the resource side, then a training of trainers' cascade by host staff."""
    partnership, hosts, resources = s.partnership, s.hosts, s.resources
    course_title = rng.choice(TRAININGS)
    begin, finish = _trip(rng, s.day(0.25), 3)
    course = writer.exchange(
        partnership,
        title=course_title,
        type=Exchange.Type.TRAINING,
        direction=Exchange.Direction.RESOURCE_TO_HOST,
        status=s.completed(finish),
        start_date=begin,
        end_date=finish,
        place=s.host_city,
        country=s.country,
        purpose=gettext_noop(
            "Train a first group of host staff, some of whom will teach the course themselves."
        ),
        outcomes=gettext_noop(
            "Trainees passed the practical assessment; three were chosen as future instructors."
        ),
    )
    trainer = rng.choice(resources)
    writer.participant(course, trainer, Side.RESOURCE, Participant.Role.TRAINER, rng)
    trainees = hosts[: max(2, len(hosts) - 1)]
    for person in trainees:
        writer.participant(course, person, Side.HOST, Participant.Role.TRAINEE, rng)
    for cadre in rng.sample(UNNAMED_CADRES, 2):
        for sex in (Sex.FEMALE, Sex.MALE):
            writer.group(course, sex, cadre, rng.randint(2, 9), TrainingSetting.IN_SERVICE)
    # The cascade: one of the trainees runs the course for colleagues and students later on.
    new_trainer = trainees[0]
    cascade_trainees = [p for p in hosts if p not in trainees] + trainees[1:2]
    begin, finish = _trip(rng, s.day(0.6), 2)
    cascade = writer.exchange(
        partnership,
        title=CASCADE_TITLES[course_title],
        type=Exchange.Type.TRAINING,
        direction=Exchange.Direction.HOST_TO_HOST,
        status=s.completed(finish),
        start_date=begin,
        end_date=finish,
        place=s.host_city,
        country=s.country,
        purpose=gettext_noop(
            "Host instructors trained at the first course teach district colleagues and students."
        ),
        host_learned=gettext_noop("Host instructors can run the course without the resource side."),
    )
    writer.participant(cascade, new_trainer, Side.HOST, Participant.Role.TRAINER, rng)
    for person in cascade_trainees:
        writer.participant(cascade, person, Side.HOST, Participant.Role.TRAINEE, rng)
    for cadre in rng.sample(UNNAMED_CADRES, 2):
        writer.group(cascade, Sex.FEMALE, cadre, rng.randint(5, 15), TrainingSetting.PRE_SERVICE)
        writer.group(cascade, Sex.MALE, cadre, rng.randint(2, 8), TrainingSetting.IN_SERVICE)


def _workshop_call_and_planned_visit(writer: _Writer, s: _Setting, rng: random.Random) -> None:
    """A workshop, a virtual exchange and one planned visit in the future."""
    partnership, hosts, resources = s.partnership, s.hosts, s.resources
    title, purpose = rng.choice(WORKSHOPS)
    begin, finish = _trip(rng, s.day(0.8), 2)
    workshop = writer.exchange(
        partnership,
        title=title,
        type=Exchange.Type.WORKSHOP,
        direction=Exchange.Direction.HOST_TO_HOST,
        status=s.completed(finish),
        start_date=begin,
        end_date=finish,
        place=s.host_city,
        country=s.country,
        purpose=purpose,
    )
    for person in hosts[:3]:
        writer.participant(workshop, person, Side.HOST, Participant.Role.HOST, rng)
    virtual = writer.exchange(
        partnership,
        title=CALL_TITLE,
        type=Exchange.Type.VIRTUAL,
        direction=Exchange.Direction.RESOURCE_TO_HOST,
        status=s.completed(s.day(0.7)),
        start_date=s.day(0.7),
        end_date=s.day(0.7),
        purpose=gettext_noop("Discuss difficult cases together."),
    )
    writer.participant(virtual, rng.choice(resources), Side.RESOURCE, Participant.Role.TRAINER, rng)
    future = s.today + datetime.timedelta(days=rng.randint(30, 120))
    writer.exchange(
        partnership,
        title=PLANNED_VISIT_TITLE,
        type=Exchange.Type.SITE_VISIT,
        direction=Exchange.Direction.RESOURCE_TO_HOST,
        status=Exchange.Status.PLANNED,
        start_date=future,
        end_date=future + datetime.timedelta(days=6),
        place=s.host_city,
        country=s.country,
        purpose=gettext_noop("Review the year with the host team."),
    )


def _mentoring(writer: _Writer, s: _Setting, rng: random.Random) -> None:
    """Mentoring across the sides, mostly resource mentoring host, sometimes the other way round."""
    partnership, hosts, resources = s.partnership, s.hosts, s.resources
    for i in range(min(len(hosts), len(resources), rng.randint(1, 3))):
        host_mentors = i == 1
        mentor, mentee = (hosts[-1 - i], resources[i]) if host_mentors else (resources[i], hosts[i])
        began = s.day(0.15 + 0.1 * i)
        status = rng.choice(
            [MentoringPair.Status.ACTIVE, MentoringPair.Status.ACTIVE, MentoringPair.Status.COMPLETED]
        )
        pair = writer.pair(
            partnership,
            mentor,
            mentee,
            Side.HOST if host_mentors else Side.RESOURCE,
            goals=rng.choice(GOALS),
            status=status,
            start_date=began,
            end_date=s.day(0.9) if status == MentoringPair.Status.COMPLETED else None,
        )
        for k in range(rng.randint(3, 8)):
            when = began + datetime.timedelta(days=14 + 30 * k)
            if when > s.today:
                break
            writer.session(
                pair,
                date=when,
                mode=MentoringSession.Mode.REMOTE if rng.random() < 0.75 else MentoringSession.Mode.IN_PERSON,
                duration_minutes=rng.choice([30, 45, 60, 60, 90]),
                notes=rng.choice(NOTES),
            )


def load_demo(
    *,
    programme: Programme,
    partnerships: Sequence[Partnership],
    users: dict[str, Any],
    rng: random.Random,
    today: datetime.date,
) -> None:
    """Exchanges, trainings with cascades and mentoring for every demo partnership that has started by `today`."""
    admin = next(u for u in users.values() if u.is_superuser)
    sexes: dict[int, str] = {}
    bulk = _Writer(admin, use_services=False, sexes=sexes)
    for index, partnership in enumerate(partnerships):
        if partnership.start_date is None or partnership.start_date > today:
            continue
        if index == 0:
            _one_partnership(_Writer(admin, use_services=True, sexes=sexes), partnership, rng, today)
        else:
            _one_partnership(bulk, partnership, rng, today)
    bulk.flush()
