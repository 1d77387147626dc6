"""Who may see and do what: every access rule and scope of Twinning, each written once.

The rules, from DESIGN.md ("Who uses it"):
- Programme staff (manager, M&E officer, finance officer, viewer) see their programme and every partnership in
  it; managers and M&E officers ("editors") change them, set up matching rounds and common indicators, and
  review period reports; finance officers manage the contributions ledger's money side (awards, allocations,
  cost-share claims, valuation and exchange rates, verifying time and gifts) and read everything else; viewers
  (donors, ministries, evaluators) only read.
- Partnership coordinators see their partnerships and change them (plans, stakeholders, agreements, stage); each
  manages the members of their own side (a programme manager manages both) and signs plans for that side.
  Members enter data (results, exchanges, contributions); partnership viewers only read. Whoever is on the side
  that received a gift (coordinator or member) signs for its arrival.
- Sustainability (issue 13): coordinators draft a partnership's transition plan and sign it for their side (the
  ministry's signature is recorded by someone who edits the partnership, as for strategic plans); programme
  managers and M&E officers open graduation reviews and decide them; the host side's coordinators and members
  answer the post-funding follow-ups, and keep access to them after the partnership graduates or closes.
- Everyone else does not see a programme or partnership at all: the views and the API answer 404, and a
  read-only user's write answers 403.
- The institution directory is readable by every signed-in user; programme editors maintain it, a coordinator
  the institutions on their own side. People's names and emails are personal data: programme staff and members
  of partnerships with the institution see them.
- A history table shows only the events of records its reader may see (`history_for_user`): a person's events
  on their institution's page follow the rule for people, not the page's.
- Readers (a programme's viewers: donors, ministries, evaluators; and a partnership's viewers) read what the
  programme shows the outside world, not how it is made. The table below (also in docs/ACCESS.md) is the rule;
  `PartnershipAccess.is_reader` / `ProgrammeAccess.is_reader` say who is a reader, and the `can_see_*`
  answers say what they may see. A programme may grant its readers more (`Programme.viewers_see_evidence`,
  `Programme.viewers_see_contacts`), edited by its managers.

  | What                                              | Reader                         | When refused          |
  |---------------------------------------------------|--------------------------------|-----------------------|
  | approved period results, dashboards, roll-ups     | yes (approved periods only)    | unapproved: 403       |
  | period report status (draft, submitted, approved) | yes                            |                       |
  | an unapproved period's entry page and template    | no                             | 403                   |
  | the review conversation, feedback, action items   | no                             | hidden / 403          |
  | evidence files                                    | no, unless the programme grants| hidden / 403          |
  | people's names and roles                          | yes                            |                       |
  | people's e-mail addresses and phone numbers       | no, unless the programme grants| hidden (no 403)       |
  | agreed plan versions                              | yes                            |                       |
  | a draft plan version (page, adoption, API)        | no (the plan in force instead) | 403                   |
  | exchanges, contribution ledger summaries          | yes                            |                       |
  | dissemination records, spread figures             | yes                            |                       |
  | evidence of dissemination and adoptions           | no, unless the programme grants| hidden / 403          |
  | a practice's replication register                 | of practices published         | writes 403            |
  | history                                           | short: who, when, what changed | bookkeeping hidden    |
  | a period's narrative (achievements, challenges)   | yes (approved periods only)    | unapproved: left out  |
  | donor reports (PDF, XLSX)                         | yes, holding what they see     |                       |

  Outsiders still get 404 for everything: existence is private to those in scope. A reader in scope asking for a
  forbidden object gets 403, as for a write, because they know the period or file exists from pages they see.
- Anyone who reads the directory may search it for twins; facts from partnerships enter a search only from
  partnerships the reader may see, declared conflicts only for the programme's staff, and only programme
  editors act on the results (start a partnership, add both to a round).
- IATI (interop): a partnership's IATI activity file is for everyone who reads the partnership, the programme's
  file for its staff; both hold only agreed plans and approved results ("export only figures that are right").
  Managers set the programme's IATI organisation and publish its file; once published (and only then) the file
  is readable without an account at its stable public address (`iati_file_is_public`). Importing an IATI file
  is programme editors' work, and each partnership it changes must be one they edit.
- An administrator (superuser) may do everything.

How the code uses this module:
- Scopes are `Q` filters built from the user's roles (`in_visible_partnerships(user, via="partnership")`), so
  every queryset starts from what the user may see; the models' `visible_to` querysets call them.
- Predicates answer one question (`can_edit_institution`); `partnership_access` and `programme_access` compute
  once, per request, an object that answers every question about one partnership or programme.
- Enforcers (`require_*`) raise: `Http404` when the user may not see the object, `PermissionDenied` when they
  may see it but not do this.
- Services enforce; views and APIs ask (to show a button, or to refuse a form before validating it).

This module sits in the accounts layer: it never imports the apps above it at run time, so it filters on its own
models (ProgrammeRole, PartnershipMembership) and takes higher layers' objects by their attributes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Protocol

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from twinning.accounts.models import PartnershipMembership, ProgrammeRole, User
from twinning.audit.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


# The layers above (partnerships, planning, directory) are taken by their attributes, so this module names none
# of them, not even for the type checker.
class PartnershipLike(Protocol):
    @property
    def pk(self) -> Any: ...
    @property
    def programme_id(self) -> int: ...


class ProgrammeLike(Protocol):
    @property
    def pk(self) -> Any: ...


class IndicatorLike(Protocol):
    @property
    def programme_id(self) -> int: ...
    @property
    def partnership(self) -> PartnershipLike | None: ...


class GiftLike(Protocol):
    @property
    def partnership(self) -> PartnershipLike: ...
    @property
    def receiving_side(self) -> str: ...


class InstitutionLike(Protocol):
    @property
    def pk(self) -> Any: ...


EDITOR_ROLES = ProgrammeRole.EDITOR_ROLES
# Readers: donors, ministries and evaluators on a programme's staff, and a partnership's viewers.
READER_PROGRAMME_ROLES = (ProgrammeRole.Role.VIEWER,)
READER_MEMBERSHIP_ROLES = (PartnershipMembership.Role.VIEWER,)
# What a programme may grant its readers beyond the defaults (flags on the Programme model).
GRANT_EVIDENCE = "evidence"
GRANT_CONTACTS = "contacts"
GRANT_FIELDS = {GRANT_EVIDENCE: "viewers_see_evidence", GRANT_CONTACTS: "viewers_see_contacts"}
# Finance officers are read-only elsewhere, but the money side of the contributions ledger is their work.
FINANCE_ROLES = (*EDITOR_ROLES, ProgrammeRole.Role.FINANCE_OFFICER)
# Partnership roles that enter data (results, exchanges, contributions); viewers only read.
DATA_ENTRY_ROLES = (PartnershipMembership.Role.COORDINATOR, PartnershipMembership.Role.MEMBER)
BOTH_SIDES = frozenset({"host", "resource"})


# --- scopes: Q filters over any model that reaches a programme or partnership ---------------------------


def _in(via: str) -> str:
    return f"{via}__in" if via else "pk__in"


def _then(via: str, name: str) -> str:
    return f"{via}__{name}" if via else name


def _nothing() -> Q:
    return Q(pk__in=[])


def in_staff_programmes(user: "User | AnonymousUser", via: str = "programme") -> Q:
    """Rows whose programme (reached through `via`; "" for programmes themselves) the user is staff of.

    Every programme for an administrator, none for an anonymous user."""
    if not user.is_authenticated:
        return _nothing()
    if user.is_superuser:
        return Q()
    return Q(**{_in(via): ProgrammeRole.objects.filter(user=user).values("programme")})


def in_edited_programmes(user: "User | AnonymousUser", via: str = "programme") -> Q:
    """Rows whose programme the user edits (manager or M&E officer); every programme for an administrator."""
    if not user.is_authenticated:
        return _nothing()
    if user.is_superuser:
        return Q()
    roles = ProgrammeRole.objects.filter(user=user, role__in=EDITOR_ROLES)
    return Q(**{_in(via): roles.values("programme")})


def in_visible_partnerships(user: "User | AnonymousUser", via: str = "partnership") -> Q:
    """Rows whose partnership (reached through `via`; "" for partnerships themselves) the user may see:
    the partnerships of the programmes they are staff of, and those they are a member of."""
    if not user.is_authenticated:
        return _nothing()
    if user.is_superuser:
        return Q()
    memberships = PartnershipMembership.objects.filter(user=user)
    return in_staff_programmes(user, _then(via, "programme")) | Q(
        **{_in(via): memberships.values("partnership")}
    )


def in_visible_programmes(user: "User | AnonymousUser", via: str = "") -> Q:
    """Rows whose programme the user may see: staff of it, or a member of one of its partnerships."""
    if not user.is_authenticated:
        return _nothing()
    if user.is_superuser:
        return Q()
    memberships = PartnershipMembership.objects.filter(user=user)
    return in_staff_programmes(user, via) | Q(**{_in(via): memberships.values("partnership__programme")})


def in_visible_instruments(user: "User | AnonymousUser", via: str = "") -> Q:
    """Assessment instruments (reached through `via`; "" for instruments themselves) the user may see and use:
    those shipped with Twinning (no programme) for every signed-in user, and a programme's own instruments for
    everyone who sees that programme (its staff, and members of its partnerships).

    Raises: nothing.
    """
    if not user.is_authenticated:
        return _nothing()
    return Q(**{_then(via, "programme__isnull"): True}) | in_visible_programmes(user, _then(via, "programme"))


def can_edit_instrument(user: "User | AnonymousUser", programme_id: int | None) -> bool:
    """A programme's own assessment instruments: its editors (manager, M&E officer); the instruments shipped with
    Twinning (`programme_id` None): administrators only, since every programme uses them.

    Raises: nothing.
    """
    if programme_id is None:
        return bool(user.is_authenticated and user.is_superuser)
    return programme_access(user, programme_id).can_edit


def in_data_entry_partnerships(user: "User | AnonymousUser", via: str = "partnership") -> Q:
    """Rows of the partnerships where the user enters data as a coordinator or member (their own work, so
    programme staff and administrators get only the partnerships they belong to)."""
    if not user.is_authenticated:
        return _nothing()
    memberships = PartnershipMembership.objects.filter(user=user, role__in=DATA_ENTRY_ROLES)
    return Q(**{_in(via): memberships.values("partnership")})


def in_finance_programmes(user: "User | AnonymousUser", via: str = "programme") -> Q:
    """Rows of the programmes whose contributions the user may verify (finance officers and editors,
    `can_manage_finance`); every programme for an administrator."""
    if not user.is_authenticated:
        return _nothing()
    if user.is_superuser:
        return Q()
    roles = ProgrammeRole.objects.filter(user=user, role__in=FINANCE_ROLES)
    return Q(**{_in(via): roles.values("programme")})


def in_finance_duty_programmes(user: "User | AnonymousUser", via: str = "programme") -> Q:
    """Rows of the programmes where verifying time and gifts and keeping exchange rates is the user's work
    ("My work"): the programmes they are a finance officer of, and those they edit that have no finance officer.

    Editors may verify anywhere they edit (`can_manage_finance`); this only says whose to-do list the work lands
    in, so a manager's list is not filled with the finance officer's work. None for an administrator who holds no
    role (they may do it, but it is nobody's to-do list through them).
    """
    if not user.is_authenticated:
        return _nothing()
    finance = ProgrammeRole.Role.FINANCE_OFFICER
    with_finance = ProgrammeRole.objects.filter(role=finance).values("programme")
    mine = ProgrammeRole.objects.filter(user=user).filter(
        Q(role=finance) | (Q(role__in=EDITOR_ROLES) & ~Q(programme__in=with_finance))
    )
    return Q(**{_in(via): mine.values("programme")})


def on_receiving_side(
    user: "User | AnonymousUser", via: str = "partnership", side: str = "receiving_side"
) -> Q:
    """Rows (gifts) whose receiving side, named in the row's field `side`, is the user's side of the partnership
    reached through `via`, as a coordinator or member: those who sign for a gift's arrival (`can_sign_receipt`)."""
    if not user.is_authenticated:
        return _nothing()
    return Q(
        Exists(
            PartnershipMembership.objects.filter(
                user=user, role__in=DATA_ENTRY_ROLES, partnership=OuterRef(via), side=OuterRef(side)
            )
        )
    )


def coordinated_side(user: "User | AnonymousUser", via: str = "partnership") -> Subquery:
    """The side ("host", "resource") the user coordinates in the partnership reached through `via`, as an
    expression to annotate rows with (NULL where they coordinate nothing): each side's coordinators sign plans
    for it (`can_sign_plan_for`)."""
    memberships = PartnershipMembership.objects.filter(
        role=PartnershipMembership.Role.COORDINATOR, partnership=OuterRef(via)
    )
    memberships = memberships.filter(user=user) if user.is_authenticated else memberships.none()
    return Subquery(memberships.values("side")[:1])


def in_follow_up_partnerships(user: "User | AnonymousUser", via: str = "partnership") -> Q:
    """Rows of the partnerships whose post-funding follow-ups the user answers (`can_answer_follow_up`): those
    where they are a coordinator or member of the host side, whatever the partnership's stage ("My work").

    Raises: nothing.
    """
    if not user.is_authenticated:
        return _nothing()
    memberships = PartnershipMembership.objects.filter(user=user, side="host", role__in=DATA_ENTRY_ROLES)
    return Q(**{_in(via): memberships.values("partnership")})


def follow_up_answerers_of(partnership_id: int) -> Q:
    """Users who answer the partnership's follow-ups (its host side's coordinators and members); a filter on
    users.

    Raises: nothing.
    """
    memberships = PartnershipMembership.objects.filter(
        partnership_id=partnership_id, side="host", role__in=DATA_ENTRY_ROLES
    )
    return Q(pk__in=memberships.values("user"))


def answering_membership(
    user: "User | AnonymousUser", via: str = "partnership", field: str = "side"
) -> Subquery:
    """The `field` ("side" or "role") of the user's coordinator or member place in the partnership reached through
    `via`, as an expression to annotate rows with (NULL where they answer for no side): the side a person answers
    assessment rounds for (`PartnershipAccess.assessment_side`), and whether they also submit it (coordinators).
    """
    memberships = PartnershipMembership.objects.filter(partnership=OuterRef(via), role__in=DATA_ENTRY_ROLES)
    memberships = memberships.filter(user=user) if user.is_authenticated else memberships.none()
    return Subquery(memberships.values(field)[:1])


def in_draft_partnerships(user: "User | AnonymousUser", via: str = "partnership") -> Q:
    """Rows of the partnerships whose unapproved work (draft results, periods under review) the user sees: staff
    other than viewers, and coordinators and members. Readers see a period's results once approved, so a
    selector of results combines this with "its period is approved".

    Raises: nothing.
    """
    if not user.is_authenticated:
        return _nothing()
    if user.is_superuser:
        return Q()
    staff = ProgrammeRole.objects.filter(user=user).exclude(role__in=READER_PROGRAMME_ROLES)
    members = PartnershipMembership.objects.filter(user=user, role__in=DATA_ENTRY_ROLES)
    return Q(**{_in(_then(via, "programme")): staff.values("programme")}) | Q(
        **{_in(via): members.values("partnership")}
    )


def in_graduation_partnerships(user: "User | AnonymousUser", via: str = "partnership") -> Q:
    """Rows of the partnerships whose graduation reviews the user reads (`can_read_graduation`): those whose
    unapproved work they see (`in_draft_partnerships`), and every partnership of the programmes they view.

    Raises: nothing.
    """
    if not user.is_authenticated:
        return _nothing()
    viewing = ProgrammeRole.objects.filter(user=user, role__in=READER_PROGRAMME_ROLES)
    return in_draft_partnerships(user, via) | Q(**{_in(_then(via, "programme")): viewing.values("programme")})


def reviewers_of(programme_id: int) -> Q:
    """Users who review the programme's reports (its managers and M&E officers); a filter on users."""
    return Q(
        pk__in=ProgrammeRole.objects.filter(programme_id=programme_id, role__in=EDITOR_ROLES).values("user")
    )


def finance_duty_of(programme_id: int) -> Q:
    """Users whose work it is to verify the programme's time and gifts (its finance officers, or its editors
    when it has none; see in_finance_duty_programmes); a filter on users."""
    roles = ProgrammeRole.objects.filter(programme_id=programme_id)
    finance = roles.filter(role=ProgrammeRole.Role.FINANCE_OFFICER)
    return Q(pk__in=finance.values("user")) | (
        Q(pk__in=roles.filter(role__in=EDITOR_ROLES).values("user")) & ~Q(Exists(finance))
    )


def side_coordinators_of(partnership_id: int, side: str) -> Q:
    """Users who coordinate that side ("host", "resource") of the partnership; a filter on users."""
    memberships = PartnershipMembership.objects.filter(
        partnership_id=partnership_id, side=side, role=PartnershipMembership.Role.COORDINATOR
    )
    return Q(pk__in=memberships.values("user"))


def data_entry_people_of(partnership_id: int) -> Q:
    """Users who enter the partnership's data (its coordinators and members); a filter on users."""
    memberships = PartnershipMembership.objects.filter(
        partnership_id=partnership_id, role__in=DATA_ENTRY_ROLES
    )
    return Q(pk__in=memberships.values("user"))


def grants_of(programme: Any) -> frozenset[str]:
    """What a programme (any object with the Programme model's `viewers_see_*` flags) grants its readers:
    a set of GRANT_EVIDENCE and GRANT_CONTACTS. An object without the flags grants nothing.

    Raises: nothing.
    """
    return frozenset(name for name, attr in GRANT_FIELDS.items() if getattr(programme, attr, False))


# --- one programme ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeAccess:
    """What one user may do in one programme as its staff (or as an administrator)."""

    role: str | None = None
    is_admin: bool = False
    grants: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_reader(self) -> bool:
        """A viewer (donor, ministry, evaluator): reads what the programme shows outside (see the table above)."""
        return not self.is_admin and self.role in READER_PROGRAMME_ROLES

    @property
    def can_see_drafts(self) -> bool:
        """Results of periods not approved yet, and what goes into them; not for readers."""
        return self.is_staff and not self.is_reader

    @property
    def can_see_contacts(self) -> bool:
        """People's e-mail addresses and phone numbers; readers only when the programme grants it."""
        return self.is_staff and (not self.is_reader or GRANT_CONTACTS in self.grants)

    @property
    def is_staff(self) -> bool:
        """Programme-wide pages (dashboards, rounds, ledgers) are for the programme's staff."""
        return self.is_admin or self.role is not None

    @property
    def can_edit(self) -> bool:
        """Managers and M&E officers: partnerships, matching, common indicators, settings, reviews."""
        return self.is_admin or self.role in EDITOR_ROLES

    @property
    def can_manage_finance(self) -> bool:
        """Finance officers and editors: verify time and gifts, awards, allocations, claims, rates."""
        return self.is_admin or self.role in FINANCE_ROLES

    @property
    def can_read_reports(self) -> bool:
        """The programme's donor report (every partnership) is for its staff, viewers included; a reader's report
        holds only approved periods, as their dashboards do."""
        return self.is_staff

    @property
    def can_manage(self) -> bool:
        """Managers change the programme itself and grant its staff roles."""
        return self.is_admin or self.role == ProgrammeRole.Role.MANAGER

    @property
    def can_publish_iati(self) -> bool:
        """The programme's IATI organisation and whether its file is public are the programme's own settings."""
        return self.can_manage

    @property
    def can_import_iati(self) -> bool:
        """An IATI import creates partnerships and plans: editors' work (each partnership checked again)."""
        return self.can_edit


def programme_role(user: "User | AnonymousUser", programme_id: int) -> str | None:
    """The user's staff role in the programme (a ProgrammeRole.Role value), or None."""
    if not user.is_authenticated:
        return None
    return (
        ProgrammeRole.objects.filter(user=user, programme_id=programme_id)
        .values_list("role", flat=True)
        .first()
    )


def programme_access(
    user: "User | AnonymousUser", programme_id: int, programme: Any = None
) -> ProgrammeAccess:
    """What the user may do in the programme; one query (none for administrators and anonymous users).

    Pass the `programme` object itself when it is at hand, so what it grants its readers is known
    (`grants_of`); without it a reader is granted nothing.

    Raises: nothing.
    """
    if not user.is_authenticated:
        return ProgrammeAccess()
    if user.is_superuser:
        return ProgrammeAccess(is_admin=True)
    return ProgrammeAccess(role=programme_role(user, programme_id), grants=grants_of(programme))


def is_programme_editor(user: "User | AnonymousUser", programme_id: int | None = None) -> bool:
    """Manager or M&E officer of the given programme (of any programme when none is given)."""
    if programme_id is not None:
        return programme_access(user, programme_id).can_edit
    if not user.is_authenticated:
        return False
    return user.is_superuser or ProgrammeRole.objects.filter(user=user, role__in=EDITOR_ROLES).exists()


def does_any_work(user: "User | AnonymousUser") -> bool:
    """Whether the user acts anywhere (enters, reviews, verifies, signs): an administrator, programme staff other
    than a viewer, or a coordinator or member of a partnership. Someone who only reads (a programme or
    partnership viewer) is not offered to-do pages in the navigation. One query.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    acting_staff = ProgrammeRole.objects.filter(user=user).exclude(role=ProgrammeRole.Role.VIEWER)
    entering = PartnershipMembership.objects.filter(user=user, role__in=DATA_ENTRY_ROLES)
    return User.objects.filter(pk=user.pk).filter(Exists(acting_staff) | Exists(entering)).exists()


def verifies_anywhere(user: "User | AnonymousUser") -> bool:
    """Whether the user may verify contributions in some programme (a finance officer or editor there, or an
    administrator): who may open finance's verification queue. One query (none for an administrator).
    """
    if not user.is_authenticated:
        return False
    return user.is_superuser or ProgrammeRole.objects.filter(user=user, role__in=FINANCE_ROLES).exists()


def enters_data_anywhere(user: "User | AnonymousUser") -> bool:
    """Whether the user enters data in at least one partnership (`PartnershipAccess.can_enter_data` somewhere): an
    administrator, a programme editor (manager, M&E officer), or a partnership's coordinator or member.

    The floor of a write whose partnership is named in its body rather than its path (results, exchanges,
    dissemination, adoptions): checked before the body is read, so a caller who may enter data nowhere (a viewer)
    is refused 403 whatever the body, malformed or not, as a path-addressed write refuses them (`core.api`,
    "a body-addressed write"). One query at most (none for administrators and anonymous users).

    Raises: nothing.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    editing = ProgrammeRole.objects.filter(user=user, role__in=EDITOR_ROLES)
    entering = PartnershipMembership.objects.filter(user=user, role__in=DATA_ENTRY_ROLES)
    return User.objects.filter(pk=user.pk).filter(Exists(editing) | Exists(entering)).exists()


def edits_a_partnership_anywhere(user: "User | AnonymousUser") -> bool:
    """Whether the user edits at least one partnership (`PartnershipAccess.can_edit` somewhere): an administrator,
    a programme editor, or a partnership's coordinator. The floor of body-addressed writes that are the
    partnership's editors' work (transition plans, assessment rounds, new institutions), checked before the body
    is read as `enters_data_anywhere` is. One query at most (none for administrators and anonymous users).

    Raises: nothing.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    editing = ProgrammeRole.objects.filter(user=user, role__in=EDITOR_ROLES)
    coordinating = PartnershipMembership.objects.filter(
        user=user, role=PartnershipMembership.Role.COORDINATOR
    )
    return User.objects.filter(pk=user.pk).filter(Exists(editing) | Exists(coordinating)).exists()


def is_programme_staff(user: "User | AnonymousUser") -> bool:
    """On the staff of any programme (or an administrator)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or ProgrammeRole.objects.filter(user=user).exists()


# --- one partnership --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnershipAccess:
    """What one user may do in one partnership; `partnership_access` computes it with two small queries."""

    can_read: bool = False
    can_edit: bool = False
    managed_sides: frozenset[str] = field(default_factory=frozenset)
    programme_role: str | None = None
    membership_role: str | None = None
    membership_side: str | None = None
    is_admin: bool = False
    grants: frozenset[str] = field(default_factory=frozenset)

    @property
    def cache_key(self) -> str:
        """What this access is made of, as text: every permission below is computed from these fields alone, so
        two readers with the same key may do exactly the same, and a page part rendered for one serves the other
        (core's `{% cached_section %}`, issue 10). Sets are sorted: their order is not the same in every process."""
        return repr(
            tuple(
                tuple(sorted(value)) if isinstance(value, frozenset) else value
                for value in (getattr(self, f.name) for f in fields(self))
            )
        )

    @property
    def programme(self) -> ProgrammeAccess:
        """The same user's access to the partnership's programme."""
        return ProgrammeAccess(role=self.programme_role, is_admin=self.is_admin, grants=self.grants)

    @property
    def is_reader(self) -> bool:
        """Reads only: a programme viewer or a partnership viewer, with no role that does more here."""
        return (
            self.can_read
            and not self.is_admin
            and self.programme_role in (None, *READER_PROGRAMME_ROLES)
            and self.membership_role in (None, *READER_MEMBERSHIP_ROLES)
        )

    @property
    def can_see_drafts(self) -> bool:
        """Results of a period not approved yet (its entry page, spreadsheet and values in dashboards)."""
        return self.can_read and not self.is_reader

    def can_see_period(self, *, approved: bool) -> bool:
        """A period's results and report: readers only once the programme approved them."""
        return self.can_read and (approved or self.can_see_drafts)

    @property
    def can_see_conversation(self) -> bool:
        """The review conversation, the reviewers' feedback and the action items are internal work."""
        return self.can_read and not self.is_reader

    @property
    def can_read_joint_actions(self) -> bool:
        """An assessment round's joint action plan: internal work, as the conversation is, and read by the
        programme's staff, viewers included, who follow what partnerships do with their results (issue 13: "the
        programme reads results"). Reading only: `can_change_joint_actions` changes it."""
        return self.can_see_conversation or (self.can_read and self.programme.is_staff)

    @property
    def can_change_joint_actions(self) -> bool:
        """Those who see the conversation and enter data (coordinators, members, programme editors) agree and
        change the joint action plan."""
        return self.can_see_conversation and self.can_enter_data

    @property
    def can_see_evidence(self) -> bool:
        """Evidence files may hold personal data (registers, attendance lists): readers when granted."""
        return self.can_read and (not self.is_reader or GRANT_EVIDENCE in self.grants)

    @property
    def can_see_contacts(self) -> bool:
        """People's e-mail addresses and phone numbers (names and roles are for every reader)."""
        return self.can_read and (not self.is_reader or GRANT_CONTACTS in self.grants)

    @property
    def can_manage_members(self) -> bool:
        return bool(self.managed_sides)

    @property
    def can_enter_data(self) -> bool:
        """Coordinators, members and programme editors enter results, exchanges, time and gifts."""
        return self.can_edit or self.membership_role in DATA_ENTRY_ROLES

    @property
    def can_write_narrative(self) -> bool:
        """A period report's narrative (achievements, challenges, next steps) is written by those who run the
        partnership: its coordinators, and programme editors (who edit every partnership)."""
        return self.can_edit

    @property
    def can_read_reports(self) -> bool:
        """Donor reports of the partnership (PDF, XLSX): everyone who reads it; a reader's report holds only what
        they see on the pages (approved periods, no conversation or evidence)."""
        return self.can_read

    @property
    def can_review(self) -> bool:
        """Programme managers and M&E officers approve, return and unlock the partnership's period reports."""
        return self.programme.can_edit

    @property
    def can_discuss(self) -> bool:
        """Those who enter the results and those who review them talk about them."""
        return self.can_enter_data or self.can_review

    @property
    def can_manage_finance(self) -> bool:
        return self.programme.can_manage_finance

    @property
    def assessment_side(self) -> str | None:
        """The side a person answers an assessment round for: coordinators and members answer for their own side
        (each on their own sheet); programme staff, viewers and administrators belong to no side and answer none."""
        return self.membership_side if self.membership_role in DATA_ENTRY_ROLES else None

    @property
    def assessment_submit_side(self) -> str | None:
        """The side whose answers the user submits in an assessment round (its coordinators), or None."""
        if self.membership_role == PartnershipMembership.Role.COORDINATOR:
            return self.membership_side
        return None

    @property
    def can_open_assessment(self) -> bool:
        """Programme editors open rounds for chosen partnerships; a partnership's coordinators open one for itself."""
        return self.can_edit

    def can_change_assessment_round(self, *, opened_by_programme: bool) -> bool:
        """Changing a round's due date or title, and cancelling it: the programme's editors for every round; the
        partnership's coordinators (and other editors of it) only for a round the partnership opened for itself,
        since a round the programme asked for is the programme's to change (issue 13)."""
        return self.programme.can_edit or (self.can_edit and not opened_by_programme)

    def require_change_assessment_round(self, *, opened_by_programme: bool) -> None:
        """Enforce `can_change_assessment_round`, saying why the user is refused: a round the programme opened is
        the programme's editors' alone; one the partnership opened is also its coordinators' (a member refused
        there was told the programme's reason: a tester's finding, issue 13).

        Raises: PermissionDenied.
        """
        require(
            self.can_change_assessment_round(opened_by_programme=opened_by_programme),
            _("Only the programme's editors change a round the programme opened.")
            if opened_by_programme
            else _(
                "Only the partnership's coordinators and the programme's editors change a round the partnership opened."
            ),
        )

    def require_assessment_side(self) -> str:
        """The side the user answers assessment rounds for (`assessment_side`); PermissionDenied for whoever
        answers for no side (programme staff, viewers, administrators).

        Raises: PermissionDenied.
        """
        side = self.assessment_side
        require(side is not None, _("Only the coordinators and members of each side answer."))
        assert side is not None
        return side

    def sees_assessment_answers(self, side: str, *, revealed: bool) -> bool:
        """Whether the user sees a side's answers and scores in an assessment round (issue 13): once both sides
        have submitted (`revealed`), everyone who reads the partnership sees the scores; before that, only the
        people of that side, so that neither side anchors on the other. Programme staff and administrators are on
        no side, so they too wait until both sides are in (they see who has submitted, not what)."""
        if not self.can_read:
            return False
        if revealed:
            return True
        return self.membership_side == side and self.membership_role is not None

    def sees_assessment_comments(self, side: str, *, revealed: bool) -> bool:
        """The comments written beside answers: as the answers (sees_assessment_answers), but never for readers,
        who read scores only (what the programme shows outside, not how it is made)."""
        return self.sees_assessment_answers(side, revealed=revealed) and not self.is_reader

    def can_sign_receipt(self, side: str) -> bool:
        """Only someone on the side that received a gift (coordinator or member) can say it arrived."""
        return self.is_admin or (self.membership_side == side and self.membership_role in DATA_ENTRY_ROLES)

    @property
    def can_answer_follow_up(self) -> bool:
        """A post-funding follow-up is answered by the host side (its coordinators and members). The partnership's
        stage does not matter: its people keep their memberships, and so their access, after it graduates or
        closes, so that they can answer the follow-ups years later (issue 13)."""
        return self.is_admin or (self.membership_side == "host" and self.membership_role in DATA_ENTRY_ROLES)

    @property
    def can_read_graduation(self) -> bool:
        """Graduation reviews and their criteria, which read results not approved yet: those who see drafts, and
        the programme's viewers, who follow the programme's graduations (read-only: `can_decide_graduation`
        changes them). A partnership's own viewers do not."""
        return self.can_see_drafts or (self.can_read and self.programme_role in READER_PROGRAMME_ROLES)

    @property
    def can_decide_graduation(self) -> bool:
        """Programme managers and M&E officers open graduation reviews and record the decision."""
        return self.programme.can_edit

    def can_sign_plan_for(self, *, requires_ministry: bool) -> list[str]:
        """The parties this user may sign a plan for: their own side (coordinators) and, when the plan asks for
        it, the ministry, recorded on its behalf by someone who edits the partnership."""
        parties = []
        if self.membership_role == PartnershipMembership.Role.COORDINATOR and self.membership_side:
            parties.append(self.membership_side)
        if requires_ministry and self.can_edit:
            parties.append("ministry")
        return parties


def partnership_access(user: "User | AnonymousUser", partnership: PartnershipLike) -> PartnershipAccess:
    """What the user may do in the partnership (an object with `pk` and `programme_id`; for a reader, its
    `programme` is read for what it grants, so load it with the partnership).

    Raises: nothing.
    """
    if not user.is_authenticated:
        return PartnershipAccess()
    if user.is_superuser:
        return PartnershipAccess(can_read=True, can_edit=True, managed_sides=BOTH_SIDES, is_admin=True)
    role = programme_role(user, partnership.programme_id)
    membership = (
        PartnershipMembership.objects.filter(user=user, partnership_id=partnership.pk)
        .values_list("role", "side")
        .first()
    )
    m_role, m_side = membership if membership else (None, None)
    is_coordinator = m_role == PartnershipMembership.Role.COORDINATOR
    reads_only = role in (None, *READER_PROGRAMME_ROLES) and m_role in (None, *READER_MEMBERSHIP_ROLES)
    grants = grants_of(getattr(partnership, "programme", None)) if reads_only else frozenset()
    sides: frozenset[str] = frozenset()
    if role == ProgrammeRole.Role.MANAGER:
        sides = BOTH_SIDES
    elif is_coordinator and m_side:
        sides = frozenset({m_side})
    return PartnershipAccess(
        can_read=role is not None or m_role is not None,
        can_edit=role in EDITOR_ROLES or is_coordinator,
        managed_sides=sides,
        programme_role=role,
        membership_role=m_role,
        membership_side=m_side,
        grants=grants,
    )


def can_edit_indicator(user: "User | AnonymousUser", indicator: IndicatorLike) -> bool:
    """A programme's common indicator: its editors; a partnership's own indicator: whoever edits the partnership."""
    if indicator.partnership is None:
        return is_programme_editor(user, indicator.programme_id)
    return partnership_access(user, indicator.partnership).can_edit


# --- the institution directory ----------------------------------------------------------------------


def can_edit_institution(user: "User | AnonymousUser", institution: InstitutionLike) -> bool:
    """Programme editors maintain the directory; a coordinator maintains the institutions on their side."""
    if is_programme_editor(user):
        return True
    if not user.is_authenticated:
        return False
    return PartnershipMembership.objects.filter(
        user=user,
        role=PartnershipMembership.Role.COORDINATOR,
        partnership__side_links__institution_id=institution.pk,
        partnership__side_links__side=F("side"),
    ).exists()


def can_create_institution(user: "User | AnonymousUser") -> bool:
    """Programme editors and partnership coordinators add institutions to the directory."""
    return edits_a_partnership_anywhere(user)


# --- finding a twin from the directory --------------------------------------------------------------


def twin_facts(user: "User | AnonymousUser", via: str = "partnership") -> Q:
    """Partnership rows a twin search may read (sides taken, places used, earlier and active partnerships of
    two institutions): those of the partnerships the user may see, so that a search, open to everyone who
    reads the directory, shows an outsider nothing the directory and their own partnerships do not."""
    return in_visible_partnerships(user, via)


def can_see_conflicts(user: "User | AnonymousUser", programme_id: int) -> bool:
    """A programme's declared conflicts of interest (disputes, shared owners) are for its staff only."""
    return programme_access(user, programme_id).is_staff


def can_start_twinning(user: "User | AnonymousUser", programme_id: int | None = None) -> bool:
    """Acting on a twin search (starting a partnership, adding both to a round) is programme editors' work: of
    the given programme, or of any programme when none is given (the floor a request is held to before the
    programme or round it names is read).

    Raises: nothing.
    """
    return is_programme_editor(user, programme_id)


def can_see_people_of(user: "User | AnonymousUser", institution: InstitutionLike) -> bool:
    """People's names and emails are personal data: staff, and members of partnerships with the institution."""
    if is_programme_staff(user):
        return True
    return (
        user.is_authenticated
        and PartnershipMembership.objects.filter(
            user=user, partnership__side_links__institution_id=institution.pk
        ).exists()
    )


def can_see_contacts_of(user: "User | AnonymousUser", institution: InstitutionLike) -> bool:
    """The e-mail addresses and phone numbers of an institution's people (who also sees their names): staff
    other than viewers, coordinators and members of partnerships with the institution, and readers of a
    programme that grants them contacts (Programme.viewers_see_contacts).

    Raises: nothing.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff = ProgrammeRole.objects.filter(user=user).filter(
        ~Q(role__in=READER_PROGRAMME_ROLES) | Q(programme__viewers_see_contacts=True)
    )
    if staff.exists():
        return True
    return (
        PartnershipMembership.objects.filter(
            user=user, partnership__side_links__institution_id=institution.pk
        )
        .filter(Q(role__in=DATA_ENTRY_ROLES) | Q(partnership__programme__viewers_see_contacts=True))
        .exists()
    )


def sees_contacts_anywhere(user: "User | AnonymousUser") -> bool:
    """Whether the user may see people's e-mail addresses on pages tied to no one programme (a user's name
    falls back to their e-mail address only for them): administrators, staff other than viewers, coordinators
    and members, and readers of a programme that grants contacts.

    Raises: nothing.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if (
        ProgrammeRole.objects.filter(user=user)
        .filter(~Q(role__in=READER_PROGRAMME_ROLES) | Q(programme__viewers_see_contacts=True))
        .exists()
    ):
        return True
    return (
        PartnershipMembership.objects.filter(user=user)
        .filter(Q(role__in=DATA_ENTRY_ROLES) | Q(partnership__programme__viewers_see_contacts=True))
        .exists()
    )


# --- the practice library (knowledge) ---------------------------------------------------------------------

# The values of knowledge.Practice.Status, named here because the rules below depend on them.
PRACTICE_DRAFT = "draft"
PRACTICE_SUBMITTED = "submitted"
PRACTICE_PROGRAMME = "programme"
PRACTICE_PUBLIC = "public"
PRACTICE_WITHDRAWN = "withdrawn"
PRACTICE_PUBLISHED = (PRACTICE_PROGRAMME, PRACTICE_PUBLIC)


class PracticeLike(Protocol):
    @property
    def programme_id(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def author_id(self) -> int | None: ...


def practice_scope(user: "User | AnonymousUser", links: QuerySet[Any]) -> Q:
    """Practices (rows of knowledge.Practice) the user may read; `links` are the practice-partnership rows
    (knowledge.PracticePartnership), passed in so this module names no higher layer.

    - anyone, signed in or not: practices published publicly;
    - every programme user (its staff, members of any of its partnerships, viewers included): practices
      published in the programme;
    - programme staff other than viewers: every practice of the programme, drafts included (they review them);
    - coordinators and members of a partnership behind a practice, and its author: that practice in any state.
    A partnership member never reads another partnership's draft. Administrators read everything.

    Raises: nothing.
    """
    public = Q(status=PRACTICE_PUBLIC)
    if not user.is_authenticated:
        return public
    if user.is_superuser:
        return Q()
    reviewing = ProgrammeRole.objects.filter(user=user).exclude(role__in=READER_PROGRAMME_ROLES)
    members = PartnershipMembership.objects.filter(user=user, role__in=DATA_ENTRY_ROLES)
    own = links.filter(partnership__in=members.values("partnership")).values("practice")
    return (
        public
        | (Q(status=PRACTICE_PROGRAMME) & in_visible_programmes(user, via="programme"))
        | Q(programme__in=reviewing.values("programme"))
        | Q(pk__in=own)
        | Q(author=user)
    )


def practice_insider_scope(user: "User | AnonymousUser", links: QuerySet[Any]) -> Q:
    """Practices whose every document the user reads, those not yet confirmed free of personal data included: the
    practice_scope rule without its "published publicly" part, except that the programme's users read a public
    practice's unconfirmed documents too (as they read it while it was published in the programme). Anyone else
    (an anonymous visitor, another programme's user) reads a public practice's confirmed documents only.

    Raises: nothing.
    """
    if not user.is_authenticated:
        return _nothing()
    if user.is_superuser:
        return Q()
    reviewing = ProgrammeRole.objects.filter(user=user).exclude(role__in=READER_PROGRAMME_ROLES)
    members = PartnershipMembership.objects.filter(user=user, role__in=DATA_ENTRY_ROLES)
    own = links.filter(partnership__in=members.values("partnership")).values("practice")
    return (
        (Q(status__in=PRACTICE_PUBLISHED) & in_visible_programmes(user, via="programme"))
        | Q(programme__in=reviewing.values("programme"))
        | Q(pk__in=own)
        | Q(author=user)
    )


def _next_step_needed(status: str, to_status: str) -> str | None:
    """What must happen first when someone who works on a practice asks for a step the workflow does not
    take from where it is (a submission straight to public, a draft straight to published...)."""
    if status == PRACTICE_SUBMITTED and to_status == PRACTICE_PUBLIC:
        return _(
            "A submitted practice is published in the programme first. Publish it in the programme; once the "
            "author has confirmed it holds no personal data, publish it publicly."
        )
    if status == PRACTICE_DRAFT and to_status in PRACTICE_PUBLISHED:
        return _(
            "A draft is submitted for review first; the programme's managers and M&E officers then publish it in "
            "the programme, and after that publicly."
        )
    if status == PRACTICE_WITHDRAWN and to_status != PRACTICE_DRAFT:
        return _("A withdrawn practice is reopened as a draft first, then submitted for review again.")
    if status == PRACTICE_PUBLIC and to_status in (PRACTICE_DRAFT, PRACTICE_SUBMITTED, PRACTICE_PROGRAMME):
        return _("A public practice is withdrawn first, then reopened as a draft.")
    if status == PRACTICE_PROGRAMME and to_status in (PRACTICE_DRAFT, PRACTICE_SUBMITTED):
        return _("A published practice is withdrawn first, then reopened as a draft.")
    return None


@dataclass(frozen=True)
class PracticeAccess:
    """What one user may do with one practice; `practice_access` computes it (two small queries at most).

    Who moves each step of the publication workflow (issue 12):

    | Step                                   | From                               | Who                          |
    |----------------------------------------|------------------------------------|------------------------------|
    | submit for review                      | draft                              | its partnerships' members    |
    | return to draft, with a comment        | submitted                          | programme editors            |
    | publish in the programme, with comment | submitted                          | programme editors            |
    | publish publicly, with a comment       | published in the programme         | programme editors, once the  |
    |                                        |                                    | author confirmed no personal |
    |                                        |                                    | data                         |
    | withdraw, with a comment               | submitted or published             | members and editors          |
    | reopen as a draft                      | withdrawn                          | members and editors          |

    Members edit a practice and upload documents while it is a draft; editors at any stage but withdrawn. Only
    the author (or an administrator) confirms that it holds no patient or personal data.
    """

    can_read: bool = False
    is_member: bool = False
    is_editor: bool = False
    is_author: bool = False
    is_admin: bool = False
    status: str = PRACTICE_DRAFT

    @property
    def can_edit(self) -> bool:
        """Change the practice's content and its documents."""
        if self.status == PRACTICE_WITHDRAWN:
            return False
        return self.is_editor or (self.is_member and self.status == PRACTICE_DRAFT)

    def require_edit(self) -> None:
        """PermissionDenied (403) unless the user may change the practice, saying which workflow rule stops them
        (a member facing a submitted or published practice, anyone facing a withdrawn one).

        Raises: PermissionDenied.
        """
        if self.can_edit:
            return
        if self.status == PRACTICE_WITHDRAWN and (self.is_member or self.is_editor):
            require(
                False, _("A withdrawn practice is not changed: reopen it as a draft first, then edit it.")
            )
        if self.is_member and self.status == PRACTICE_SUBMITTED:
            require(
                False,
                _(
                    "A practice submitted for review is changed only by the programme's managers and M&E "
                    "officers. Ask them to return it to draft, or withdraw it and reopen it as a draft."
                ),
            )
        if self.is_member and self.status in PRACTICE_PUBLISHED:
            require(
                False,
                _(
                    "A published practice is changed only by the programme's managers and M&E officers. To "
                    "change it yourself, withdraw it, reopen it as a draft, edit it and submit it again."
                ),
            )
        require(False)

    def require_move(self, to_status: str) -> None:
        """PermissionDenied (403) unless the user may move the practice to `to_status`, saying why when a
        member asks for a step only programme editors take (approving, publishing, returning to draft).

        Raises: PermissionDenied.
        """
        if self.can_move(to_status):
            return
        editors_only = {
            (PRACTICE_SUBMITTED, PRACTICE_DRAFT),
            (PRACTICE_SUBMITTED, PRACTICE_PROGRAMME),
            (PRACTICE_PROGRAMME, PRACTICE_PUBLIC),
        }
        if self.is_member and (self.status, to_status) in editors_only:
            require(
                False,
                _(
                    "Only the programme's managers and M&E officers approve, publish or return a practice; "
                    "they see it in their review list."
                ),
            )
        if self.is_member or self.is_editor:
            require(
                False,
                _next_step_needed(self.status, to_status)
                or _(
                    "The publication workflow does not take this step from the practice's current stage. Its "
                    "steps are: draft, submitted for review, published in the programme, published publicly; a "
                    "submitted or published practice may be withdrawn, and a withdrawn one reopened as a draft."
                ),
            )
        require(False)

    @property
    def can_review(self) -> bool:
        """Approve a step up (or return a submission): the programme's managers and M&E officers."""
        return self.is_editor

    @property
    def can_see_history(self) -> bool:
        """The workflow's comments and the change history are for those who work on the practice."""
        return self.is_member or self.is_editor or self.is_author

    def can_confirm_no_personal_data(self) -> bool:
        """The author (or an administrator) confirms, before public publication and again, while the practice is
        public, for content added since (a document a manager uploaded stays off the public pages until then)."""
        return (self.is_author or self.is_admin) and self.status != PRACTICE_WITHDRAWN

    def can_move(self, to_status: str) -> bool:
        """Whether the user may move the practice from its status to `to_status` (the table above)."""
        step = (self.status, to_status)
        if step == (PRACTICE_DRAFT, PRACTICE_SUBMITTED):
            return self.is_member or self.is_editor
        if step in (
            (PRACTICE_SUBMITTED, PRACTICE_DRAFT),
            (PRACTICE_SUBMITTED, PRACTICE_PROGRAMME),
            (PRACTICE_PROGRAMME, PRACTICE_PUBLIC),
        ):
            return self.is_editor
        if to_status == PRACTICE_WITHDRAWN and self.status in (PRACTICE_SUBMITTED, *PRACTICE_PUBLISHED):
            return self.is_member or self.is_editor
        if step == (PRACTICE_WITHDRAWN, PRACTICE_DRAFT):
            return self.is_member or self.is_editor
        return False


def practice_access(
    user: "User | AnonymousUser", practice: PracticeLike, partnership_ids: "list[int] | None" = None
) -> PracticeAccess:
    """What the user may do with the practice. `partnership_ids` are the partnerships behind it (read from
    `practice.partnerships` when not given). The caller has found the practice through a `practice_scope`
    query, so `can_read` is true for anyone but an outsider asking about a public practice, who only reads.

    Raises: nothing.
    """
    status = practice.status
    if not user.is_authenticated:
        return PracticeAccess(can_read=status == PRACTICE_PUBLIC, status=status)
    if user.is_superuser:
        return PracticeAccess(
            can_read=True, is_member=True, is_editor=True, is_author=True, is_admin=True, status=status
        )
    if partnership_ids is None:
        partnership_ids = [p.pk for p in practice.partnerships.all()]  # type: ignore[attr-defined]
    role = programme_role(user, practice.programme_id)
    is_member = PartnershipMembership.objects.filter(
        user=user, role__in=DATA_ENTRY_ROLES, partnership_id__in=partnership_ids
    ).exists()
    is_editor = role in EDITOR_ROLES
    is_author = practice.author_id == user.pk
    sees_programme = (
        role is not None
        or PartnershipMembership.objects.filter(
            user=user, partnership__programme_id=practice.programme_id
        ).exists()
    )
    can_read = (
        status == PRACTICE_PUBLIC
        or (status == PRACTICE_PROGRAMME and sees_programme)
        or (role is not None and role not in READER_PROGRAMME_ROLES)
        or is_member
        or is_author
    )
    return PracticeAccess(
        can_read=can_read, is_member=is_member, is_editor=is_editor, is_author=is_author, status=status
    )


def can_create_practice(user: "User | AnonymousUser") -> bool:
    """Coordinators and members write up their partnerships' practices; programme editors may too."""
    return enters_data_anywhere(user)


def is_practice_insider(user: "User | AnonymousUser", practice: Any, uploader_id: int | None = None) -> bool:
    """Whether the user wrote the practice or runs its programme: an administrator, staff of its programme
    (not its viewers: donors and ministries read), its author or the uploader of the file at hand. What they do with it (downloading a document, say) is their own
    work, not readers' interest. One query at most (none for anonymous users).
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.pk in (practice.author_id, uploader_id):
        return True
    staff = ProgrammeRole.objects.filter(user=user, programme_id=practice.programme_id)
    return staff.exclude(role=ProgrammeRole.Role.VIEWER).exists()


def in_practice_partnerships(user: "User | AnonymousUser", via: str = "partnership") -> Q:
    """Partnerships (reached through `via`; "" for partnerships themselves) a practice may be written for by
    the user: those they enter data in, and every partnership of the programmes they edit.

    Raises: nothing.
    """
    if not user.is_authenticated:
        return _nothing()
    if user.is_superuser:
        return Q()
    return in_data_entry_partnerships(user, via) | in_edited_programmes(user, _then(via, "programme"))


# --- dissemination and the replication register (knowledge) ------------------------------------------


def in_programme_records(
    user: "User | AnonymousUser", via_programme: str = "programme", via_partnership: str = "partnership"
) -> Q:
    """Rows that belong to a programme and may belong to one of its partnerships (dissemination records): the
    programme's staff (viewers included: what was shared is what a programme shows) see all of them, a
    partnership's members and viewers those of their partnership. Every row for an administrator.

    Raises: nothing.
    """
    if not user.is_authenticated:
        return _nothing()
    if user.is_superuser:
        return Q()
    memberships = PartnershipMembership.objects.filter(user=user)
    return in_staff_programmes(user, via_programme) | Q(
        **{_in(via_partnership): memberships.values("partnership")}
    )


def can_write_record(
    user: "User | AnonymousUser", *, programme_id: int, partnership: PartnershipLike | None
) -> bool:
    """Who records and changes a dissemination record: for a partnership's record, whoever enters its data
    (coordinators, members, programme editors); for a programme-wide one (no partnership), the programme's
    editors.

    Raises: nothing.
    """
    if partnership is not None:
        return partnership_access(user, partnership).can_enter_data
    return programme_access(user, programme_id).can_edit


def require_record_write(
    user: "User | AnonymousUser", *, programme_id: int, partnership: PartnershipLike | None
) -> None:
    """Enforce `can_write_record`: Http404 when the user does not see the partnership (or, for a
    programme-wide record, is not the programme's staff), PermissionDenied when they only read it.

    Raises: Http404, PermissionDenied.
    """
    if partnership is not None:
        require_data_entry(user, partnership)
        return
    programme = programme_access(user, programme_id)
    if not programme.is_staff:
        raise Http404
    require(programme.can_edit)


def can_record_adoptions(
    user: "User | AnonymousUser", *, programme_id: int, partnership_ids: "list[int] | set[int]"
) -> bool:
    """Who records and updates the adoptions of a practice: the programme's editors, and the coordinators and
    members of a partnership behind the practice (its viewers only read). The caller has resolved the practice
    for the user (404 outside what they see).

    Raises: nothing.
    """
    if not user.is_authenticated:
        return False
    if programme_access(user, programme_id).can_edit:
        return True
    return PartnershipMembership.objects.filter(
        user=user, role__in=DATA_ENTRY_ROLES, partnership_id__in=list(partnership_ids)
    ).exists()


def can_see_record_evidence(
    user: "User | AnonymousUser",
    *,
    programme: Any,
    partnership: PartnershipLike | None = None,
    partnership_ids: "list[int] | set[int] | None" = None,
) -> bool:
    """Evidence files of dissemination records and adoptions (attendance lists, letters, photos: they may hold
    personal data), as for results' evidence: insiders of the partnership (`partnership`, or any of
    `partnership_ids` for an adoption of a practice several partnerships stand behind) and the programme's staff
    other than readers; readers only when the programme grants evidence (`viewers_see_evidence`).

    Raises: nothing.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff = programme_access(user, programme.pk, programme)
    if staff.is_staff:
        return not staff.is_reader or GRANT_EVIDENCE in staff.grants
    ids = [partnership.pk] if partnership is not None else list(partnership_ids or [])
    memberships = PartnershipMembership.objects.filter(user=user, partnership_id__in=ids)
    if memberships.filter(role__in=DATA_ENTRY_ROLES).exists():
        return True
    return GRANT_EVIDENCE in grants_of(programme) and memberships.exists()


# --- history ---------------------------------------------------------------------------------------------


# A page's history lists the events of its object and of the records that hang off it. Most children are seen
# by everyone who sees the page; these are not, so their events follow the child's own rule, not the page's.
# Keyed by (the page's model, the child's model) as "app_label.model"; each rule takes (user, the page's object).
# Each takes a page's object that has a `partnership` (a period report, a gift).
def _sees_conversation_of(user: "User | AnonymousUser", page: Any) -> bool:
    return partnership_access(user, page.partnership).can_see_conversation


def _sees_evidence_of(user: "User | AnonymousUser", page: Any) -> bool:
    return partnership_access(user, page.partnership).can_see_evidence


def _reads_joint_actions_of(user: "User | AnonymousUser", page: Any) -> bool:
    return partnership_access(user, page.partnership).can_read_joint_actions


def _round_revealed(user: "User | AnonymousUser", page: Any) -> bool:
    return bool(page.is_revealed)


HISTORY_CHILD_RULES: dict[tuple[str, str], Callable[[Any, Any], bool]] = {
    # People's names, emails and cadres are personal data (see can_see_people_of).
    ("directory.institution", "directory.person"): can_see_people_of,
    # A period report's conversation and evidence follow their own rules for readers (see the table above).
    ("monitoring.periodreport", "monitoring.reviewcomment"): _sees_conversation_of,
    ("monitoring.periodreport", "monitoring.evidence"): _sees_evidence_of,
    ("contributions.gift", "contributions.giftevidence"): _sees_evidence_of,
    # An assessment round's answer sheets are hidden from everyone until both sides have submitted (issue 13);
    # its joint action plan is internal work, read by the partnership's insiders and the programme's staff.
    ("sustainability.assessmentround", "sustainability.response"): _round_revealed,
    ("sustainability.assessmentround", "sustainability.assessmentaction"): _reads_joint_actions_of,
}


def history_for_user(user: "User | AnonymousUser", obj: Any) -> QuerySet[AuditEvent]:
    """The audit events a user may read on the page of `obj`, newest first.

    The caller has already checked that `user` sees `obj` (through its get_<thing>_for_user). Events about the
    object itself are shown; events about its children only when the user may see that child
    (HISTORY_CHILD_RULES), so a history table never shows what the page itself hides. Slice the result.
    """
    events = AuditEvent.objects.for_object(obj)
    page = obj._meta.label_lower
    hidden = [
        child
        for (parent, child), rule in HISTORY_CHILD_RULES.items()
        if parent == page and not rule(user, obj)
    ]
    if hidden:
        types = [ContentType.objects.get_by_natural_key(*label.split(".")) for label in hidden]
        events = events.exclude(target_type__in=types)
    return events


# --- public pages ----------------------------------------------------------------------------------------


def iati_file_is_public(programme: Any) -> bool:
    """Whether anyone, without an account, may read the programme's IATI activity file: only once a manager
    published it and the programme has the IATI organisation identifier the file needs.

    Raises: nothing.
    """
    return bool(getattr(programme, "iati_published", False) and getattr(programme, "iati_org_id", ""))


# --- DHIS2 interchange (interop) -------------------------------------------------------------------------
# What a DHIS2 file or server exchange may read and write, so the interop app asks rather than decides:
# - an export holds only results the user may see (`in_draft_partnerships` keeps readers to approved periods);
# - the mapping (data elements, org units, combos) renames what every partnership's values are sent as: the
#   programme's editors set it, as they set the common indicators;
# - an import writes results, so it needs data entry in every partnership it touches (`in_data_entry_partnerships`,
#   checked value by value); a programme-wide import is for the programme's editors;
# - a DHIS2 server's credentials send and fetch the whole programme's data: its editors configure and use it.


def can_map_dhis2(user: "User | AnonymousUser", programme_id: int) -> bool:
    """Whether the user sets the programme's DHIS2 mapping (its editors, or an administrator)."""
    return is_programme_editor(user, programme_id)


def can_import_dhis2_programme(user: "User | AnonymousUser", programme_id: int) -> bool:
    """Whether the user imports a DHIS2 file into the whole programme (its editors, or an administrator)."""
    return is_programme_editor(user, programme_id)


def can_use_dhis2_servers(user: "User | AnonymousUser", programme_id: int) -> bool:
    """Whether the user configures the programme's DHIS2 servers and sends to or fetches from them."""
    return is_programme_editor(user, programme_id)


# --- enforcers ----------------------------------------------------------------------------------------


def require(allowed: bool, message: str | None = None) -> None:
    """PermissionDenied (403) unless `allowed`; `message` is shown to the user when given."""
    if not allowed:
        raise PermissionDenied(message) if message else PermissionDenied


def require_admin(user: "User | AnonymousUser") -> None:
    """PermissionDenied unless the user is an administrator (who alone sets up programmes)."""
    require(user.is_superuser)


def require_self_or_admin(user: "User | AnonymousUser", owner_id: int) -> None:
    """PermissionDenied unless the user is the owner (of an API token, say) or an administrator."""
    require(user.pk == owner_id or user.is_superuser)


def require_programme_manager(user: "User | AnonymousUser", programme_id: int) -> None:
    """PermissionDenied unless the user manages the programme (or is an administrator)."""
    require(programme_access(user, programme_id).can_manage)


def require_edit(user: "User | AnonymousUser", partnership: PartnershipLike) -> PartnershipAccess:
    """The user's access to a partnership they may change; PermissionDenied otherwise."""
    access = partnership_access(user, partnership)
    require(access.can_edit)
    return access


def require_data_entry(user: "User | AnonymousUser", partnership: PartnershipLike) -> PartnershipAccess:
    """The user's access to a partnership they enter data in: Http404 if they cannot see it, 403 if they read only."""
    access = partnership_access(user, partnership)
    if not access.can_read:
        raise Http404
    require(access.can_enter_data)
    return access


def require_receipt_signer(user: "User | AnonymousUser", gift: GiftLike) -> PartnershipAccess:
    """The user's access to the gift's partnership if they may sign for its arrival (`can_sign_receipt`: a
    coordinator or member of the side that received it, or an administrator); PermissionDenied, with the
    reason, otherwise. The caller has found the gift through the user's scope (404 outside it).

    Raises: PermissionDenied.
    """
    access = partnership_access(user, gift.partnership)
    require(access.can_read)
    require(
        access.can_sign_receipt(gift.receiving_side),
        _("Only a coordinator or member of the receiving side can sign for a gift."),
    )
    return access


def require_side_manager(user: "User | AnonymousUser", partnership: PartnershipLike, side: str) -> None:
    """PermissionDenied unless the user manages the members of that side of the partnership."""
    require(side in partnership_access(user, partnership).managed_sides)


def require_programme_editor(user: "User | AnonymousUser", programme_id: int) -> None:
    """PermissionDenied unless the user is a manager or M&E officer of the programme (or an administrator)."""
    require(is_programme_editor(user, programme_id))


def require_finance(user: "User | AnonymousUser", programme: ProgrammeLike | int) -> None:
    """PermissionDenied unless the user is a finance officer or editor of the programme (or an administrator)."""
    programme_id = programme if isinstance(programme, int) else programme.pk
    require(programme_access(user, programme_id).can_manage_finance)
