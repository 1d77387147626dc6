"""Writing a demo plan to the database, clearing it again, and finding out whether it is loaded."""

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from twinning.accounts.models import PartnershipMembership, ProgrammeRole, User
from twinning.audit.services import changes_recorded
from twinning.contributions import demo as contributions_demo
from twinning.core.choices import Side
from twinning.demo.plan import (
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    DEMO_UUID_MAX,
    DEMO_UUID_MIN,
    PROGRAMME_NAMES,
    SEED,
    InstitutionSpec,
    PartnershipSpec,
    Plan,
    UserSpec,
    build_plan,
)
from twinning.directory.models import (
    CountryPriority,
    HealthArea,
    Institution,
    InstitutionExpertise,
    InstitutionNeed,
    Language,
    Person,
)
from twinning.directory.selectors import institution_list
from twinning.directory.services import country_priority_create, institution_create, person_create
from twinning.exchanges import demo as exchanges_demo
from twinning.interop import demo as interop_demo
from twinning.interop.dhis2 import demo as dhis2_demo
from twinning.knowledge import demo as knowledge_demo
from twinning.knowledge.spread import demo as spread_demo
from twinning.matching import demo as matching_demo
from twinning.monitoring import demo as monitoring_demo
from twinning.partnerships.models import (
    Agreement,
    Partnership,
    PartnershipInstitution,
    Programme,
    StageChange,
    Stakeholder,
)
from twinning.partnerships.selectors import partnership_list
from twinning.partnerships.services import (
    agreement_create,
    membership_add,
    partnership_create,
    partnership_stage_change,
    programme_create,
    programme_role_grant,
    stakeholder_create,
)
from twinning.planning import demo as planning_demo
from twinning.reports import demo as reports_demo
from twinning.sustainability import assessment_demo
from twinning.sustainability import demo as sustainability_demo

BATCH = 2000

# Each app's demo draws from its own random stream, so adding draws to one app's demo leaves the others' data as
# it was.
APP_SEEDS = {
    "planning": SEED + 3,
    "contributions": SEED + 4,
    "exchanges": SEED + 5,
    "monitoring": SEED + 6,
    "matching": SEED + 7,
    "dhis2": SEED + 8,
    "knowledge_spread": SEED + 11,
    "sustainability": SEED + 9,
    "knowledge": SEED + 12,
    "assessments": SEED + 13,
    "reports": SEED + 14,
}


@dataclass
class Loaded:
    plan: Plan
    programme: Programme


def loaded_profile() -> str | None:
    """The profile whose demo programme is in the database, if any."""
    names = dict(Programme.objects.filter(name__in=PROGRAMME_NAMES.values()).values_list("name", "pk"))
    return next((profile for profile, name in PROGRAMME_NAMES.items() if name in names), None)


def demo_clear() -> None:
    """Delete every demo row: the demo programmes, the directory rows with demo UUIDs and the demo users."""
    demo_rows = models.Q(uuid__gte=DEMO_UUID_MIN, uuid__lte=DEMO_UUID_MAX)
    programmes = Programme.objects.filter(name__in=PROGRAMME_NAMES.values())
    # The apps' rows first, most dependent first: results protect plans, and plans, ledgers, exchanges and
    # matching rounds protect partnerships and programmes.
    spread_demo.clear_demo(programmes)
    # Transition sign-offs protect the users who signed them, among them the assessments' respondents.
    sustainability_demo.clear_demo(programmes)
    assessment_demo.clear_demo(programmes)
    knowledge_demo.clear_demo(programmes)
    monitoring_demo.clear_demo(programmes)
    planning_demo.clear_demo(programmes)
    contributions_demo.clear_demo(programmes)
    exchanges_demo.clear_demo(programmes)
    matching_demo.clear_demo(programmes)
    Partnership.objects.filter(programme__in=programmes).delete()
    programmes.delete()
    institutions = Institution.objects.filter(demo_rows)
    Person.objects.filter(demo_rows | models.Q(institution__in=institutions)).delete()
    institutions.delete()
    CountryPriority.objects.filter(demo_rows).delete()
    User.objects.filter(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}").delete()


def demo_load(profile: str = "default", scale_factor: float = 1.0) -> Loaded:
    """Replace any demo data with the given profile, in one transaction.

    The plan (directory, partnerships, their histories) is counted back from a fixed date, so it is the same
    every day. The apps' ledgers, exchanges and results run up to today, so the demo looks current: the day is
    read here, once, and handed to every app's demo.
    """
    plan = build_plan(profile, scale_factor)
    today = timezone.localdate()
    with transaction.atomic():
        demo_clear()
        write = _write_with_services if profile == "default" else _write_in_bulk
        programme = write(plan, today)
        changes_recorded()  # bulk rows without audit events: figures cached from the old demo are stale
    return Loaded(plan=plan, programme=programme)


def directory_counts(user: User) -> dict[str, int]:
    """What the pages show `user`, counted with the pages' own selectors: institutions (the directory list),
    the countries of its country filter, people of those institutions and partnerships (the partnership
    list). Keys are those names, values counts.

    Raises: nothing.
    """
    institutions = institution_list(user=user)
    return {
        "institutions": institutions.count(),
        "countries": Institution.objects.order_by().values_list("country", flat=True).distinct().count(),
        "people": Person.objects.filter(institution__in=institutions.values("pk")).count(),
        "partnerships": partnership_list(user=user).count(),
    }


# --- shared ---------------------------------------------------------------------------------------


def _institution_fields(spec: InstitutionSpec) -> dict[str, Any]:
    return {
        "uuid": spec.uuid,
        "name": spec.name,
        "short_name": spec.short_name,
        "type": spec.type,
        "country": spec.country.code,
        "region": spec.region,
        "city": spec.city,
        "description": spec.description,
        "time_zone": spec.country.time_zone,
        "capacity": spec.capacity,
        "iati_org_id": spec.iati_org_id,
        "dhis2_org_unit": spec.dhis2_org_unit,
    }


def _area_rows(plan: Plan, institutions: list[Institution], areas: dict[str, HealthArea]) -> None:
    expertise, needs = [], []
    for spec, inst in zip(plan.institutions, institutions, strict=True):
        expertise += [
            InstitutionExpertise(institution=inst, area=areas[a], depth=d) for a, d in spec.expertise.items()
        ]
        needs += [InstitutionNeed(institution=inst, area=areas[a], priority=p) for a, p in spec.needs.items()]
    InstitutionExpertise.objects.bulk_create(expertise, batch_size=BATCH)
    InstitutionNeed.objects.bulk_create(needs, batch_size=BATCH)


def _new_user(spec: UserSpec, password_hash: str) -> User:
    # One hash for every demo user: hashing "demo" hundreds of times would take longer than loading the rest.
    return User(
        email=spec.email,
        full_name=spec.full_name,
        password=password_hash,
        is_superuser=spec.is_superuser,
        is_staff=spec.is_superuser,
    )


def _lookups(plan: Plan) -> tuple[dict[str, Language], dict[str, HealthArea]]:
    codes = {c for i in plan.institutions for c in i.languages} | {
        c for p in plan.people for c in p.languages
    }
    languages = {lang.code: lang for lang in Language.objects.filter(code__in=codes)}
    missing = codes - set(languages)
    if missing:
        raise RuntimeError(f"Languages missing from the database (run migrate): {sorted(missing)}")
    return languages, {a.code: a for a in HealthArea.objects.all()}


# --- default profile: through the services, so the demo has audit history ----------------------------------


def _write_with_services(plan: Plan, today: datetime.date) -> Programme:
    users = _create_users(plan)
    admin = next(users[u.email] for u in plan.users if u.is_superuser)
    programme = programme_create(
        actor=admin,
        name=plan.programme_name,
        funders=plan.funders,
        reporting_currency="USD",
        description=plan.description,
    )
    for spec in plan.users:
        if spec.programme_role:
            programme_role_grant(
                actor=admin, programme=programme, user=users[spec.email], role=spec.programme_role
            )
    institutions = _directory_with_services(plan, admin)
    partnerships = [
        _partnership_with_services(admin, programme, spec, institutions) for spec in plan.partnerships
    ]
    for spec in plan.users:
        for index, side, role in spec.memberships:
            membership_add(
                actor=admin, partnership=partnerships[index], user=users[spec.email], side=side, role=role
            )
    _apps_demo(programme, partnerships, users, today)
    return programme


def _create_users(plan: Plan) -> dict[str, User]:
    password_hash = make_password(DEMO_PASSWORD)
    users = {}
    for spec in plan.users:
        user = _new_user(spec, password_hash)
        user.full_clean(exclude=["password"])
        user.save()
        users[spec.email] = user
    return users


def _directory_with_services(plan: Plan, admin: User) -> list[Institution]:
    languages, areas = _lookups(plan)
    institutions = [
        institution_create(
            actor=admin, languages=[languages[c] for c in spec.languages], **_institution_fields(spec)
        )
        for spec in plan.institutions
    ]
    _area_rows(plan, institutions, areas)
    for person in plan.people:
        person_create(
            actor=admin,
            institution=institutions[person.institution],
            languages=[languages[c] for c in person.languages],
            uuid=person.uuid,
            full_name=person.full_name,
            email=person.email,
            cadre=person.cadre,
            is_volunteer=person.is_volunteer,
        )
    for priority in plan.priorities:
        country_priority_create(
            actor=admin,
            uuid=priority.uuid,
            country=priority.country,
            text=priority.text,
            area=areas[priority.area],
            source_document=priority.source_document,
            stated_on=priority.stated_on,
            rank=priority.rank,
        )
    return institutions


def _apps_demo(
    programme: Programme, partnerships: list[Partnership], users: dict[str, User], today: datetime.date
) -> None:
    """Each app's own demo, after the partnerships and their people exist; plans before the results on them."""

    def common(app: str) -> dict[str, Any]:
        return {
            "programme": programme,
            "partnerships": partnerships,
            "users": users,
            "rng": random.Random(APP_SEEDS[app]),
        }

    planning_demo.load_demo(**common("planning"))
    monitoring_demo.load_demo(**common("monitoring"), today=today)
    contributions_demo.load_demo(**common("contributions"), today=today)
    exchanges_demo.load_demo(**common("exchanges"), today=today)
    matching_demo.load_demo(**common("matching"))
    # Health checks and readiness scores before graduation reviews, whose criteria read the readiness score.
    assessment_demo.load_demo(**common("assessments"), today=today)
    sustainability_demo.load_demo(**common("sustainability"), today=today)
    interop_demo.load_demo(programme=programme, users=users)
    dhis2_demo.load_demo(**common("dhis2"))
    # After the practice library's demo: adoptions and dissemination hang off its published practices.
    # The practice library before the replication register, which records adoptions of published practices.
    knowledge_demo.load_demo(**common("knowledge"))
    spread_demo.load_demo(**common("knowledge_spread"), today=today)
    # Last: the programme report covers what every other app has recorded.
    reports_demo.load_demo(**common("reports"))


def _partnership_with_services(
    admin: User, programme: Programme, spec: PartnershipSpec, institutions: list[Institution]
) -> Partnership:
    first_stage, started_on, first_note = spec.history[0]
    partnership = partnership_create(
        actor=admin,
        uuid=spec.uuid,
        programme=programme,
        title=spec.title,
        shared_goal=spec.shared_goal,
        start_date=spec.start_date,
        end_date=spec.end_date,
        stage=first_stage,
        stage_since=started_on,
        stage_note=first_note,
        hosts=[institutions[i] for i in spec.hosts],
        resources=[institutions[i] for i in spec.resources],
    )
    for stage, changed_on, note in spec.history[1:]:
        partnership = partnership_stage_change(
            actor=admin, partnership=partnership, stage=stage, changed_on=changed_on, note=note
        )
    for s in spec.stakeholders:
        stakeholder_create(
            actor=admin,
            partnership=partnership,
            uuid=s.uuid,
            kind=s.kind,
            name=s.name,
            institution=institutions[s.institution] if s.institution is not None else None,
            role=s.role,
            contact_name=s.contact_name,
            contact_email=s.contact_email,
        )
    for a in spec.agreements:
        agreement_create(
            actor=admin,
            partnership=partnership,
            uuid=a.uuid,
            title=a.title,
            host_signed_on=a.host_signed_on,
            resource_signed_on=a.resource_signed_on,
            notes=a.notes,
        )
    return partnership


# --- large profile: bulk inserts ------------------------------------------------------------------


def _write_in_bulk(plan: Plan, today: datetime.date) -> Programme:
    """Write the plan with bulk inserts, skipping per-row full_clean and audit rows.

    This is generated benchmark data: the plan is valid by construction, and an audit row per record would be
    most of the rows written and most of the time spent. The programme itself still goes through its service.
    """
    password_hash = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        [_new_user(spec, password_hash) for spec in plan.users], batch_size=BATCH
    )
    by_email = {u.email: u for u in users}
    admin = next(by_email[u.email] for u in plan.users if u.is_superuser)
    programme = programme_create(
        actor=admin,
        name=plan.programme_name,
        funders=plan.funders,
        reporting_currency="USD",
        description=plan.description,
    )
    ProgrammeRole.objects.bulk_create(
        ProgrammeRole(user=by_email[s.email], programme=programme, role=s.programme_role)
        for s in plan.users
        if s.programme_role
    )
    institutions = _directory_in_bulk(plan)
    partnerships = _partnerships_in_bulk(plan, programme, institutions, admin)
    PartnershipMembership.objects.bulk_create(
        [
            PartnershipMembership(
                user=by_email[s.email], partnership=partnerships[index], side=side, role=role
            )
            for s in plan.users
            for index, side, role in s.memberships
        ],
        batch_size=BATCH,
    )
    # Plans and results: through the services (with history) where the demo logins work, bulk copies elsewhere,
    # so the load benchmark's pages and the programme dashboard have a whole programme's data.
    through_services = {
        partnerships[index].pk for s in plan.users if s.is_demo_login for index, _side, _role in s.memberships
    }
    planning_demo.load_demo(
        programme=programme,
        partnerships=partnerships,
        users=by_email,
        rng=random.Random(APP_SEEDS["planning"]),
        through_services=through_services,
    )
    monitoring_demo.load_demo(
        programme=programme,
        partnerships=partnerships,
        users=by_email,
        rng=random.Random(APP_SEEDS["monitoring"]),
        today=today,
        through_services=through_services,
    )
    # contributions: a bulk-inserted ledger, so the benchmarks have data.
    contributions_demo.load_demo(
        programme=programme,
        partnerships=partnerships,
        users=by_email,
        rng=random.Random(APP_SEEDS["contributions"]),
        today=today,
        bulk=True,
    )
    return programme


def _directory_in_bulk(plan: Plan) -> list[Institution]:
    languages, areas = _lookups(plan)
    institutions = Institution.objects.bulk_create(
        [Institution(**_institution_fields(spec)) for spec in plan.institutions], batch_size=BATCH
    )
    InstitutionLanguage = Institution.languages.through
    InstitutionLanguage.objects.bulk_create(
        [
            InstitutionLanguage(institution_id=inst.pk, language_id=languages[code].pk)
            for spec, inst in zip(plan.institutions, institutions, strict=True)
            for code in spec.languages
        ],
        batch_size=BATCH,
    )
    _area_rows(plan, institutions, areas)
    people = Person.objects.bulk_create(
        [
            Person(
                uuid=spec.uuid,
                institution=institutions[spec.institution],
                full_name=spec.full_name,
                email=spec.email,
                cadre=spec.cadre,
                is_volunteer=spec.is_volunteer,
            )
            for spec in plan.people
        ],
        batch_size=BATCH,
    )
    PersonLanguage = Person.languages.through
    PersonLanguage.objects.bulk_create(
        [
            PersonLanguage(person_id=person.pk, language_id=languages[code].pk)
            for spec, person in zip(plan.people, people, strict=True)
            for code in spec.languages
        ],
        batch_size=BATCH,
    )
    CountryPriority.objects.bulk_create(
        CountryPriority(
            uuid=s.uuid,
            country=s.country,
            text=s.text,
            area=areas[s.area],
            source_document=s.source_document,
            stated_on=s.stated_on,
            rank=s.rank,
        )
        for s in plan.priorities
    )
    return institutions


def _partnerships_in_bulk(
    plan: Plan, programme: Programme, institutions: list[Institution], admin: User
) -> list[Partnership]:
    partnerships = Partnership.objects.bulk_create(
        [
            Partnership(
                uuid=p.uuid,
                programme=programme,
                title=p.title,
                shared_goal=p.shared_goal,
                start_date=p.start_date,
                end_date=p.end_date,
                stage=p.stage,
                version=len(p.history),
            )
            for p in plan.partnerships
        ],
        batch_size=BATCH,
    )
    links: list[PartnershipInstitution] = []
    changes: list[StageChange] = []
    stakeholders: list[Stakeholder] = []
    agreements: list[Agreement] = []
    for p, partnership in zip(plan.partnerships, partnerships, strict=True):
        links += _side_links(p, partnership, institutions)
        changes += [
            StageChange(partnership=partnership, stage=stage, changed_on=on, note=note, actor=admin)
            for stage, on, note in p.history
        ]
        stakeholders += _stakeholders(p, partnership, institutions)
        agreements += [
            Agreement(
                uuid=a.uuid,
                partnership=partnership,
                title=a.title,
                host_signed_on=a.host_signed_on,
                resource_signed_on=a.resource_signed_on,
                notes=a.notes,
            )
            for a in p.agreements
        ]
    PartnershipInstitution.objects.bulk_create(links, batch_size=BATCH)
    StageChange.objects.bulk_create(changes, batch_size=BATCH)
    Stakeholder.objects.bulk_create(stakeholders, batch_size=BATCH)
    Agreement.objects.bulk_create(agreements, batch_size=BATCH)
    return partnerships


def _side_links(
    p: PartnershipSpec, partnership: Partnership, institutions: list[Institution]
) -> list[PartnershipInstitution]:
    joined = p.history[0][1]
    return [
        PartnershipInstitution(
            partnership=partnership, institution=institutions[i], side=side, joined_on=joined
        )
        for side, indexes in ((Side.HOST, p.hosts), (Side.RESOURCE, p.resources))
        for i in indexes
    ]


def _stakeholders(
    p: PartnershipSpec, partnership: Partnership, institutions: list[Institution]
) -> list[Stakeholder]:
    return [
        Stakeholder(
            uuid=s.uuid,
            partnership=partnership,
            kind=s.kind,
            name=s.name,
            institution=institutions[s.institution] if s.institution is not None else None,
            role=s.role,
            contact_name=s.contact_name,
            contact_email=s.contact_email,
        )
        for s in p.stakeholders
    ]
