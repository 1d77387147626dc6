"""Reads for exchanges and mentoring, always starting from what the user may see.

The summaries are aggregate queries computed at read time: their query count does not depend on how many
exchanges, participants or trainees there are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, F, Max, Prefetch, Q, QuerySet, Sum, When
from django.http import Http404
from django.utils.translation import gettext as _

from twinning.accounts.access import require_data_entry
from twinning.accounts.models import User
from twinning.core.ids import parse_uuid
from twinning.directory.models import Person
from twinning.exchanges.models import (
    Exchange,
    MentoringPair,
    MentoringSession,
    Participant,
    Sex,
    TraineeGroup,
    TrainingSetting,
)
from twinning.partnerships.models import Partnership, Programme

# --- lists and lookups ---------------------------------------------------------------------------


def exchange_list(
    *,
    user: User,
    partnership: Partnership | None = None,
    programme: Programme | None = None,
    type: str = "",
    direction: str = "",
    status: str = "",
    year: int | None = None,
) -> QuerySet[Exchange]:
    """Visible exchanges, with how many people took part, in a fixed number of queries.

    Raises: nothing.
    """
    qs = Exchange.objects.visible_to(user).select_related("partnership")
    if partnership is not None:
        qs = qs.filter(partnership=partnership)
    if programme is not None:
        qs = qs.filter(partnership__programme=programme)
    if type:
        qs = qs.filter(type=type)
    if direction:
        qs = qs.filter(direction=direction)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(start_date__year=year)
    return qs.annotate(
        participant_count=Count("participants", distinct=True),
        named_trainee_count=Count("participants", filter=Q(participants__role="trainee"), distinct=True),
    ).order_by("-start_date", "title", "id")


def exchange_detail_queryset() -> QuerySet[Exchange]:
    """Exchanges with everything their page shows loaded in a fixed number of queries.

    Raises: nothing.
    """
    return Exchange.objects.select_related("partnership__programme").prefetch_related(
        Prefetch(
            "participants",
            queryset=Participant.objects.select_related("person__institution").order_by(
                "role", "person__full_name"
            ),
        ),
        "trainee_groups",
        "objectives",
        "activities",
    )


def get_exchange(partnership: Partnership, exchange_uuid: Any) -> Exchange:
    """An exchange of a partnership the caller already resolved for the user (404 if not in it).

    Raises: Http404.
    """
    exchange = (
        exchange_detail_queryset().filter(partnership=partnership, uuid=parse_uuid(exchange_uuid)).first()
    )
    if exchange is None:
        raise Http404
    exchange.partnership = partnership
    return exchange


def get_exchange_for_user(user: User, exchange_uuid: Any, *, write: bool = False) -> Exchange:
    """The exchange with this UUID among those the user may see, loaded for its page. With `write`, the user
    must also enter data in its partnership (`access.require_data_entry`, the rule every exchange service
    applies), so a read-only caller is refused before the view reads what they sent.

    Raises: Http404, PermissionDenied.
    """
    visible = Exchange.objects.visible_to(user).filter(uuid=parse_uuid(exchange_uuid))
    exchange = exchange_detail_queryset().filter(pk__in=visible.values("pk")).first()
    if exchange is None:
        raise Http404
    if write:
        require_data_entry(user, exchange.partnership)
    return exchange


def mentoring_pair_list(*, user: User, partnership: Partnership | None = None, status: str = "") -> QuerySet:
    """Mentoring pairs the user may see (of one partnership, in one status), with session count and minutes.

    Raises: nothing.
    """
    qs = MentoringPair.objects.visible_to(user).select_related(
        "partnership", "mentor__institution", "mentee__institution"
    )
    if partnership is not None:
        qs = qs.filter(partnership=partnership)
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        session_count=Count("sessions"),
        minutes=Sum("sessions__duration_minutes"),
    ).order_by("mentor__full_name", "mentee__full_name", "id")


def get_mentoring_pair(partnership: Partnership, pair_uuid: Any) -> MentoringPair:
    """A mentoring pair of this partnership by UUID (the caller has checked access to the partnership).

    Raises: Http404.
    """
    pair = (
        MentoringPair.objects.filter(partnership=partnership, uuid=parse_uuid(pair_uuid))
        .select_related("mentor__institution", "mentee__institution")
        .first()
    )
    if pair is None:
        raise Http404
    pair.partnership = partnership
    return pair


def get_mentoring_pair_for_user(user: User, pair_uuid: Any, *, write: bool = False) -> MentoringPair:
    """The mentoring pair with this UUID among those the user may see. With `write`, the user must also enter
    data in its partnership (`access.require_data_entry`, as the mentoring services require).

    Raises: Http404, PermissionDenied.
    """
    pair = (
        MentoringPair.objects.visible_to(user)
        .filter(uuid=parse_uuid(pair_uuid))
        .select_related("partnership__programme", "mentor__institution", "mentee__institution")
        .first()
    )
    if pair is None:
        raise Http404
    if write:
        require_data_entry(user, pair.partnership)
    return pair


def partnership_people(partnership: Partnership) -> QuerySet[Person]:
    """People who may take part: those working at the partnership's institutions.

    Raises: nothing.
    """
    return (
        Person.objects.filter(institution__side_links__partnership=partnership)
        .select_related("institution")
        .order_by("full_name", "id")
    )


# --- summaries -----------------------------------------------------------------------------------


@dataclass
class DirectionRow:
    direction: str
    label: str
    completed: int = 0
    planned: int = 0
    participants: int = 0
    person_days: int = 0


@dataclass
class TrainedCell:
    cadre: str
    label: str
    by_sex: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_sex.values())


@dataclass
class ExchangeSummary:
    directions: list[DirectionRow]
    trained: list[TrainedCell]
    sexes: list[tuple[str, str]]
    trained_by_sex: dict[str, int]
    named_trained: int
    unnamed_trained: int
    trained_by_setting: dict[str, int]
    trainers_from_trainees: int
    mentoring_by_status: dict[str, int]
    mentoring_sessions: int
    mentoring_minutes: int
    mentoring_by_mode: dict[str, int]
    by_partnership: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_exchanges(self) -> int:
        return sum(r.completed for r in self.directions)

    @property
    def total_person_days(self) -> int:
        return sum(r.person_days for r in self.directions)

    @property
    def total_trained(self) -> int:
        return self.named_trained + self.unnamed_trained

    @property
    def mentoring_hours(self) -> float:
        return round(self.mentoring_minutes / 60, 1)


def exchange_summary(
    *, partnership: Partnership | None = None, programme: Programme | None = None
) -> ExchangeSummary:
    """Exchanges by direction, person-days and unique people trained by cadre and sex.

    Counts completed exchanges (planned ones are shown apart; cancelled ones not at all). A named trainee is
    counted once however many trainings they attended; unnamed trainees are counts and are added as given.

    Raises: ValueError (neither a partnership nor a programme given).
    """
    if partnership is not None:
        scope = Q(partnership=partnership)
    elif programme is not None:
        scope = Q(partnership__programme=programme)
    else:
        raise ValueError("Give a partnership or a programme.")
    exchanges = Exchange.objects.filter(scope)
    completed = exchanges.filter(status=Exchange.Status.COMPLETED)
    participants = Participant.objects.filter(exchange__in=completed)
    trainees = participants.filter(role=Participant.Role.TRAINEE)
    groups = TraineeGroup.objects.filter(exchange__in=completed)
    trained = _trained_by_cadre(trainees, groups)
    trained_by_sex: dict[str, int] = defaultdict(int)
    for c in trained:
        for sex, n in c.by_sex.items():
            trained_by_sex[sex] += n
    by_setting: dict[str, int] = defaultdict(int)
    for setting, n in trainees.values_list("setting").annotate(n=Count("person", distinct=True)).order_by():
        by_setting[setting] += n
    for setting, n in groups.values_list("setting").annotate(n=Sum("count")).order_by():
        by_setting[setting] += n or 0
    # Trainees who went on to train others in the same scope: the first step of a training cascade.
    trainers_from_trainees = participants.filter(
        role=Participant.Role.TRAINER, person__in=trainees.values("person")
    ).aggregate(n=Count("person", distinct=True))["n"]
    pairs = MentoringPair.objects.filter(scope)
    sessions = MentoringSession.objects.filter(pair__in=pairs)
    by_mode = {
        mode: minutes or 0
        for mode, minutes in sessions.values_list("mode").annotate(m=Sum("duration_minutes")).order_by()
    }
    summary = ExchangeSummary(
        directions=_by_direction(exchanges, participants),
        trained=trained,
        sexes=[(s, str(label)) for s, label in Sex.choices],
        trained_by_sex=dict(trained_by_sex),
        named_trained=trainees.aggregate(n=Count("person", distinct=True))["n"] or 0,
        unnamed_trained=groups.aggregate(n=Sum("count"))["n"] or 0,
        # "not_recorded": trainees whose setting nobody gave (never guessed as in-service).
        trained_by_setting={s: by_setting.get(s, 0) for s in TrainingSetting.values}
        | {"not_recorded": by_setting.get("", 0)},
        trainers_from_trainees=trainers_from_trainees or 0,
        mentoring_by_status=dict(pairs.values_list("status").annotate(n=Count("id")).order_by()),
        mentoring_sessions=sessions.count(),
        mentoring_minutes=sum(by_mode.values()),
        mentoring_by_mode=by_mode,
    )
    if programme is not None and partnership is None:
        summary.by_partnership = _by_partnership(programme)
    return summary


def _by_direction(exchanges: QuerySet[Exchange], participants: QuerySet[Participant]) -> list[DirectionRow]:
    """Completed and planned exchanges, participants and person-days (of completed ones) per direction."""
    rows = {d: DirectionRow(d, str(label)) for d, label in Exchange.Direction.choices}
    for direction, status, n in (
        exchanges.values_list("direction", "status").annotate(n=Count("id")).order_by()
    ):
        if status == Exchange.Status.COMPLETED:
            rows[direction].completed = n
        elif status == Exchange.Status.PLANNED:
            rows[direction].planned = n
    for direction, n, days in (
        participants.values_list("exchange__direction")
        .annotate(n=Count("id"), days=Sum("exchange__days"))
        .order_by()
    ):
        rows[direction].participants = n
        rows[direction].person_days = days or 0
    return list(rows.values())


def _trained_by_cadre(trainees: QuerySet[Participant], groups: QuerySet[TraineeGroup]) -> list[TrainedCell]:
    """People trained per cadre and sex (named ones once each, unnamed ones as counted), in cadre order."""
    cadre_labels = dict(Person.Cadre.choices)
    cells: dict[str, TrainedCell] = {}

    def cell(cadre: str) -> TrainedCell:
        if cadre not in cells:
            cells[cadre] = TrainedCell(cadre, str(cadre_labels.get(cadre, cadre) or _("Not recorded")))
        return cells[cadre]

    # A person counts once, under the sex any of their rows records ("not recorded" only when none does):
    # rows left "not recorded" stay so (see services._settle_sex), and conflicting values are refused there.
    recorded = Max(Case(When(~Q(sex=Sex.UNKNOWN), then=F("sex")), default=None, output_field=CharField()))
    for _person, cadre, sex in (
        trainees.values_list("person_id", "person__cadre").annotate(recorded=recorded).order_by()
    ):
        key = sex or Sex.UNKNOWN
        cell(cadre).by_sex[key] = cell(cadre).by_sex.get(key, 0) + 1
    for cadre, sex, n in groups.values_list("cadre", "sex").annotate(n=Sum("count")).order_by():
        cell(cadre).by_sex[sex] = cell(cadre).by_sex.get(sex, 0) + (n or 0)
    order = list(cadre_labels)
    return sorted(cells.values(), key=lambda c: order.index(c.cadre) if c.cadre in order else len(order))


def _by_partnership(programme: Programme) -> list[dict[str, Any]]:
    """One row per partnership of the programme: completed exchanges, person-days, people trained."""
    partnerships = Partnership.objects.filter(programme=programme).order_by("title", "id")
    done = Q(exchanges__status=Exchange.Status.COMPLETED)
    counts = dict(partnerships.annotate(n=Count("exchanges", filter=done)).values_list("id", "n").order_by())
    days = dict(
        Participant.objects.filter(
            exchange__partnership__programme=programme, exchange__status=Exchange.Status.COMPLETED
        )
        .values_list("exchange__partnership_id")
        .annotate(d=Sum("exchange__days"))
        .order_by()
    )
    named = dict(
        Participant.objects.filter(
            exchange__partnership__programme=programme,
            exchange__status=Exchange.Status.COMPLETED,
            role=Participant.Role.TRAINEE,
        )
        .values_list("exchange__partnership_id")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    unnamed = dict(
        TraineeGroup.objects.filter(
            exchange__partnership__programme=programme, exchange__status=Exchange.Status.COMPLETED
        )
        .values_list("exchange__partnership_id")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return [
        {
            "partnership": p,
            "exchanges": counts.get(p.pk, 0),
            "person_days": days.get(p.pk, 0) or 0,
            "trained": (named.get(p.pk, 0) or 0) + (unnamed.get(p.pk, 0) or 0),
        }
        for p in partnerships.only("id", "uuid", "title")
    ]


# --- training cascade ----------------------------------------------------------------------------


@dataclass
class CascadeNode:
    person: Person
    exchange: Exchange | None  # the training where this person was trained (None for a root trainer)
    children: list["CascadeNode"] = field(default_factory=list)
    unnamed: int = 0  # unnamed trainees of the trainings this person gave

    @property
    def size(self) -> int:
        """Everyone trained below this node, named or not."""
        return sum(1 + c.size for c in self.children) + self.unnamed


MAX_CASCADE_DEPTH = 8


def training_cascade(partnership: Partnership) -> list[CascadeNode]:
    """Trainers → their trainees → the people those trainees trained later, as trees.

    Two queries whatever the size: the trainer and trainee rows, and the unnamed trainee counts; the trees
    are built in memory. A trainee's own trainings count only from the date they were trained, and a person
    already on the path is not repeated, so a loop in the data cannot recurse forever.

    Raises: nothing.
    """
    rows = list(
        Participant.objects.filter(
            exchange__partnership=partnership,
            exchange__status=Exchange.Status.COMPLETED,
            role__in=[Participant.Role.TRAINER, Participant.Role.TRAINEE],
        )
        .select_related("person__institution", "exchange")
        .order_by("exchange__start_date", "exchange_id", "person__full_name")
    )
    unnamed_by_exchange = dict(
        TraineeGroup.objects.filter(
            exchange__partnership=partnership, exchange__status=Exchange.Status.COMPLETED
        )
        .values_list("exchange_id")
        .annotate(n=Sum("count"))
        .order_by()
    )
    trainings = _Trainings(rows, unnamed_by_exchange)
    roots: list[CascadeNode] = []
    seen_roots: set[int] = set()
    for row in rows:
        if row.role != Participant.Role.TRAINER or row.person_id in seen_roots:
            continue
        trained_on = trainings.first_trained.get(row.person_id)
        # A trainer who was trained here first appears under their own trainer, not as a root.
        if trained_on is not None and trained_on <= row.exchange.start_date:
            continue
        seen_roots.add(row.person_id)
        node = trainings.tree(row.person, None, None, frozenset({row.person_id}), 0)
        if node.size:  # a trainer with nobody trained (a call, say) is no cascade
            roots.append(node)
    return roots


class _Trainings:
    """Who trained whom at which completed training, indexed for building the cascade trees."""

    def __init__(self, rows: list[Participant], unnamed_by_exchange: dict[int, int]) -> None:
        self.unnamed_by_exchange = unnamed_by_exchange
        trainers_of: dict[int, list[Participant]] = defaultdict(list)
        self.trainees_of: dict[int, list[Participant]] = defaultdict(list)
        self.gave: dict[int, list[Exchange]] = defaultdict(list)  # person → the trainings they gave, by date
        for row in rows:
            if row.role == Participant.Role.TRAINER:
                trainers_of[row.exchange_id].append(row)
                self.gave[row.person_id].append(row.exchange)
            else:
                self.trainees_of[row.exchange_id].append(row)
        self.first_trained: dict[int, Any] = {}
        for row in rows:
            # Only a training with a trainer on record can place its trainees under someone.
            if row.role == Participant.Role.TRAINEE and trainers_of.get(row.exchange_id):
                self.first_trained.setdefault(row.person_id, row.exchange.start_date)

    def tree(
        self, person: Person, via: Exchange | None, since: Any, path: frozenset[int], depth: int
    ) -> CascadeNode:
        """`person` (trained at `via`) and everyone they trained from `since` on, `depth` levels down."""
        node = CascadeNode(person=person, exchange=via)
        if depth >= MAX_CASCADE_DEPTH:
            return node
        for training in self.gave.get(person.pk, []):
            if since is not None and training.start_date < since:
                continue
            node.unnamed += self.unnamed_by_exchange.get(training.pk, 0) or 0
            for trainee in self.trainees_of.get(training.pk, []):
                if trainee.person_id in path:
                    continue
                node.children.append(
                    self.tree(
                        trainee.person, training, training.start_date, path | {trainee.person_id}, depth + 1
                    )
                )
        return node


@dataclass
class BenefitBySide:
    """What each side of one partnership gained from completed exchanges and mentoring, keyed by side ("host",
    "resource"): people trained (named trainees of that side, once each, plus unnamed trainees of trainings
    that went to that side), mentoring pairs and sessions in which that side was mentored, and what that side
    wrote it learned (the exchanges' `host_learned` / `resource_learned`, newest first, with the exchange)."""

    trained: dict[str, int]
    mentored_pairs: dict[str, int]
    mentored_sessions: dict[str, int]
    learned: dict[str, list[tuple[Exchange, str]]]


# Unnamed trainees are counted for the side a training went to: its direction's receiving side.
RECEIVING_SIDE = {
    Exchange.Direction.RESOURCE_TO_HOST: "host",
    Exchange.Direction.HOST_TO_RESOURCE: "resource",
    Exchange.Direction.HOST_TO_HOST: "host",
}


def benefit_by_side(partnership: Partnership, *, learned_limit: int = 5) -> BenefitBySide:
    """Each side's gains from the partnership's completed exchanges and its mentoring (see BenefitBySide), for
    the mutual benefit balance (issue 13). Six queries, however many exchanges.

    Raises: nothing.
    """
    completed = Exchange.objects.filter(partnership=partnership, status=Exchange.Status.COMPLETED)
    trained = {"host": 0, "resource": 0}
    named = (
        Participant.objects.filter(exchange__in=completed, role=Participant.Role.TRAINEE)
        .values_list("side")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    for side, n in named:
        trained[side] += n
    unnamed = (
        TraineeGroup.objects.filter(exchange__in=completed)
        .values_list("exchange__direction")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for direction, n in unnamed:
        trained[RECEIVING_SIDE.get(direction, "host")] += n or 0
    mentored_pairs = {"host": 0, "resource": 0}
    mentored_sessions = {"host": 0, "resource": 0}
    pairs = MentoringPair.objects.filter(partnership=partnership).exclude(
        status=MentoringPair.Status.PROPOSED
    )
    for mentor_side, n, sessions in (
        pairs.values_list("mentor_side")
        .annotate(n=Count("id", distinct=True), s=Count("sessions"))
        .order_by()
    ):
        mentee_side = "resource" if mentor_side == "host" else "host"
        mentored_pairs[mentee_side] += n
        mentored_sessions[mentee_side] += sessions
    learned: dict[str, list[tuple[Exchange, str]]] = {}
    for side in ("host", "resource"):
        field_name = f"{side}_learned"
        rows = completed.exclude(**{field_name: ""}).order_by("-end_date", "id")[:learned_limit]
        learned[side] = [(e, getattr(e, field_name)) for e in rows]
    return BenefitBySide(trained, mentored_pairs, mentored_sessions, learned)
