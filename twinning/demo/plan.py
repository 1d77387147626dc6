"""The demo programme as plain data: a deterministic plan that the loaders write to the database.

Every choice comes from one seeded `random.Random` and every date is counted back from ANCHOR, never from today,
so two runs produce the same programme (the same names, dates and UUIDs).
"""

import datetime
import hashlib
import random
import unicodedata
import uuid
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from twinning.core.reference import country_name
from twinning.demo.data import (
    COUNTRIES,
    DEFAULT_COUNTRY_COUNT,
    HOST_TEMPLATES,
    INSTITUTION_DESCRIPTIONS,
    PRIORITY_TEXTS,
    RESOURCE_TEMPLATES,
    SAINTS,
    STAGE_NOTES,
    THEMES,
    Country,
)
from twinning.partnerships.models import DEMO_ADDENDUM_TITLE, DEMO_AGREEMENT_TITLE

ANCHOR = datetime.date(2026, 1, 1)
SEED = 20260101
DEMO_PASSWORD = "demo"
DEMO_EMAIL_DOMAIN = "demo.twinning"

# Every UUID the demo writes starts with this prefix, so `--reset` can find the demo's directory rows (which belong
# to no programme) without touching anyone else's; a random uuid4 has this prefix with odds of 1 in 4 billion.
DEMO_UUID_PREFIX = "de70de70"
DEMO_UUID_MIN = uuid.UUID(DEMO_UUID_PREFIX + "0" * 24)
DEMO_UUID_MAX = uuid.UUID(DEMO_UUID_PREFIX + "f" * 24)

PROGRAMME_NAMES = {
    "default": "Health Partnerships Alliance",
    "large": "Global Health Twinning Network",
    "huge": "Worldwide Health Twinning Federation",
}
# How many times the large profile's institutions and partnerships each profile has: "huge" is the load
# benchmark's programme (issue "Hardening": ten times the large profile).
LARGE_MULTIPLES = {"large": 1, "huge": 10}
# The demo's funders (each award's donor): stored in English, shown in the reader's language (Award.shown_donor).
FUNDER_NAMES = [
    gettext_noop("Northbridge Foundation"),
    gettext_noop("Alder Global Health Trust"),
    gettext_noop("Kestrel Fund for Health Equity"),
    gettext_noop("Meridian Development Agency"),
]
NORTHBRIDGE, ALDER, KESTREL, MERIDIAN = FUNDER_NAMES
FUNDERS = {
    "default": "\n".join([NORTHBRIDGE, ALDER, KESTREL]),
    "large": "\n".join([NORTHBRIDGE, ALDER, MERIDIAN]),
    "huge": "\n".join([NORTHBRIDGE, ALDER, MERIDIAN, KESTREL]),
}

STAGE_PATH = ("scoping", "matching", "agreement", "planning", "implementation", "transition", "graduated")
ALL_STAGES = (*STAGE_PATH, "closed")
# Days a completed stage lasted, and days the current stage has lasted so far.
STAGE_DAYS = {
    "scoping": (45, 120),
    "matching": (30, 90),
    "agreement": (45, 150),
    "planning": (60, 150),
    "implementation": (540, 1300),
    "transition": (180, 400),
}
ELAPSED_DAYS = {
    "scoping": (10, 100),
    "matching": (10, 80),
    "agreement": (20, 120),
    "planning": (10, 120),
    "implementation": (60, 1000),
    "transition": (30, 300),
    "graduated": (30, 700),
    "closed": (30, 500),
}
DEFAULT_STAGE_COUNTS = {
    "scoping": 2,
    "matching": 2,
    "agreement": 3,
    "planning": 3,
    "implementation": 6,
    "transition": 2,
    "graduated": 2,
    "closed": 2,
}
LARGE_STAGE_WEIGHTS = {
    "scoping": 8,
    "matching": 8,
    "agreement": 8,
    "planning": 10,
    "implementation": 40,
    "transition": 10,
    "graduated": 10,
    "closed": 6,
}

HOST_TYPE_WEIGHTS = {
    "hospital": 45,
    "university": 12,
    "nursing_school": 12,
    "public_health_agency": 6,
    "community": 10,
    "ngo": 8,
    "professional_association": 7,
}
RESOURCE_TYPE_WEIGHTS = {
    "hospital": 45,
    "university": 30,
    "nursing_school": 15,
    "professional_association": 5,
    "ngo": 5,
}
# Institutions that can be a partnership's main twin; the others join as second institutions or stakeholders.
TWIN_TYPES = {"hospital", "university", "nursing_school"}

CADRES = {
    "hospital": (
        "physician",
        "surgeon",
        "nurse",
        "nurse",
        "midwife",
        "clinical_officer",
        "pharmacist",
        "lab",
        "manager",
    ),
    "university": ("educator", "educator", "physician", "public_health", "nurse", "lab"),
    "nursing_school": ("educator", "educator", "nurse", "midwife", "manager"),
    "ministry": ("manager", "public_health", "public_health", "physician"),
    "public_health_agency": ("public_health", "lab", "lab", "manager"),
    "community": ("chw", "chw", "public_health", "manager", "nurse"),
    "ngo": ("manager", "public_health", "chw", "nurse"),
    "professional_association": ("nurse", "midwife", "physician", "manager"),
}
HOST_ONLY_CADRES = {"clinical_officer"}

AREA_CODES = (
    *(code for code, _phrase, _goal in THEMES),
    "community-health",
    "pharmacy",
    "biomedical-engineering",
    "public-health",
    "health-management",
    "research",
)

_TRANSLIT = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "ı": "i", "'": ""})


def demo_uuid(*key: object) -> uuid.UUID:
    digest = hashlib.sha1(":".join(str(k) for k in key).encode()).hexdigest()
    return uuid.UUID(DEMO_UUID_PREFIX + digest[8:32], version=4)


def ascii_slug(text: str, sep: str = "") -> str:
    plain = unicodedata.normalize("NFKD", text.translate(_TRANSLIT)).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in plain.lower()).split()
    return sep.join(words)


def acronym(name: str) -> str:
    skip = {"of", "and", "the", "de", "del", "la", "des", "du", "da", "dos", "der", "am", "for", "s", "e.v."}
    words = [w for w in name.replace(",", " ").replace("–", " ").split() if w.lower() not in skip]
    letters = "".join(w[0] for w in words if w[0].isalpha()).upper()
    return ascii_slug(letters).upper()[:12]


@dataclass
class InstitutionSpec:
    index: int
    uuid: uuid.UUID
    name: str
    short_name: str
    type: str
    country: Country
    region: str
    city: str
    capacity: int
    description: str
    languages: list[str]
    expertise: dict[str, int]  # area code -> depth
    needs: dict[str, int]  # area code -> priority
    dhis2_org_unit: str = ""
    iati_org_id: str = ""
    people: list[int] = field(default_factory=list)

    @property
    def host(self) -> bool:
        return self.country.host


@dataclass
class PersonSpec:
    uuid: uuid.UUID
    institution: int
    full_name: str
    email: str
    cadre: str
    languages: list[str]
    is_volunteer: bool


@dataclass
class PrioritySpec:
    uuid: uuid.UUID
    country: str
    text: str
    area: str
    source_document: str
    stated_on: datetime.date
    rank: int


@dataclass
class StakeholderSpec:
    uuid: uuid.UUID
    kind: str
    name: str
    institution: int | None
    role: str
    contact_name: str = ""
    contact_email: str = ""


@dataclass
class AgreementSpec:
    uuid: uuid.UUID
    title: str
    host_signed_on: datetime.date | None
    resource_signed_on: datetime.date | None
    notes: str = ""


@dataclass
class PartnershipSpec:
    index: int
    uuid: uuid.UUID
    title: str
    shared_goal: str
    hosts: list[int]
    resources: list[int]
    history: list[tuple[str, datetime.date, str]]
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    stakeholders: list[StakeholderSpec] = field(default_factory=list)
    agreements: list[AgreementSpec] = field(default_factory=list)

    @property
    def stage(self) -> str:
        return self.history[-1][0]


@dataclass
class UserSpec:
    email: str
    full_name: str
    label: str  # what the login is for, printed in the logins table
    is_superuser: bool = False
    programme_role: str | None = None
    memberships: list[tuple[int, str, str]] = field(default_factory=list)  # (partnership index, side, role)
    is_demo_login: bool = True


@dataclass
class Plan:
    profile: str
    programme_name: str
    funders: str
    description: str
    institutions: list[InstitutionSpec]
    people: list[PersonSpec]
    priorities: list[PrioritySpec]
    partnerships: list[PartnershipSpec]
    users: list[UserSpec]

    @property
    def countries(self) -> set[str]:
        return {i.country.code for i in self.institutions}


def demo_logins(flagship: int, other: int) -> list[UserSpec]:
    """The demo's sign-ins, one per role; the three partnership roles share one partnership, `other` another."""
    d = DEMO_EMAIL_DOMAIN
    return [
        UserSpec(f"admin@{d}", "Alex Morgan", "administrator (superuser)", is_superuser=True),
        UserSpec(f"manager@{d}", "Grace Achieng", "programme manager", programme_role="manager"),
        UserSpec(f"me@{d}", "Tomás Rivera", "M&E officer", programme_role="me_officer"),
        UserSpec(
            f"finance@{d}",
            "Ingrid Larsen",
            "finance officer (verifies contributions; reads the rest)",
            programme_role="finance_officer",
        ),
        UserSpec(f"viewer@{d}", "Hannah Weber", "programme viewer, e.g. a donor", programme_role="viewer"),
        UserSpec(
            f"host-coordinator@{d}",
            "Joseph Okello",
            "host coordinator",
            memberships=[(flagship, "host", "coordinator")],
        ),
        UserSpec(
            f"resource-coordinator@{d}",
            "Sarah Mitchell",
            "resource coordinator",
            memberships=[(flagship, "resource", "coordinator")],
        ),
        UserSpec(
            f"member@{d}", "Florence Auma", "partnership member", memberships=[(flagship, "host", "member")]
        ),
        UserSpec(
            f"other-coordinator@{d}",
            "Olena Kovalenko",
            "host coordinator",
            memberships=[(other, "host", "coordinator")],
        ),
        # Made a member of a partnership that graduated years ago by the sustainability demo (which creates that
        # partnership), so one login answers an open follow-up.
        UserSpec(
            f"graduate-coordinator@{d}",
            "Abena Mensah",
            "host coordinator of a graduated partnership (answers its overdue follow-up)",
        ),
    ]


class _Planner:
    def __init__(self, profile: str, scale_factor: float) -> None:
        self.profile = profile
        self.rng = random.Random(f"{SEED}:{profile}")
        self.scale = scale_factor
        self.institutions: list[InstitutionSpec] = []
        self.people: list[PersonSpec] = []
        self.names: set[str] = set()
        self.usage: dict[int, int] = {}

    # --- directory -----------------------------------------------------------------------------

    def institution_types(self, country: Country, count: int) -> list[str]:
        if self.profile == "default":
            if country.host:
                fourth = ("university", "nursing_school", "community", "ngo", "public_health_agency")
                return ["ministry", "hospital", "hospital", fourth[len(self.institutions) % len(fourth)]][
                    :count
                ]
            third = ("nursing_school", "professional_association", "ngo")
            return ["hospital", "university", third[len(self.institutions) % len(third)]][:count]
        weights = HOST_TYPE_WEIGHTS if country.host else RESOURCE_TYPE_WEIGHTS
        kinds = self.rng.choices(list(weights), weights=list(weights.values()), k=count)
        return (["ministry", *kinds[1:]] if country.host else kinds)[:count]

    def institution_name(self, country: Country, kind: str, city: str, region: str) -> str:
        cname = country_name(country.code)
        if kind == "ministry":
            generic = country.ministry in {"Ministry of Health", "Ministry of Health and Population"}
            return f"{country.ministry}, {cname}" if generic else country.ministry
        templates = (HOST_TEMPLATES if country.host else RESOURCE_TEMPLATES)[country.style][kind]
        for attempt in range(12):
            template = self.rng.choice(templates)
            saint = self.rng.choice(SAINTS)
            name = template.format(
                city=city,
                region=region,
                country=cname,
                saint=saint,
                saint_es={"Mary": "María"}.get(saint, "José"),
            )
            if name not in self.names:
                return name
            if attempt > 4:
                city, region = self.rng.choice(country.places)
        n = 2
        while f"{name} – Campus {n}" in self.names:
            n += 1
        return f"{name} – Campus {n}"

    def description(self, kind: str, host: bool, region: str) -> str:
        """An institution's description: one of `INSTITUTION_DESCRIPTIONS`, its figures filled in (stored in
        English, shown in the reader's language through Institution.shown_description)."""
        r = self.rng
        if kind == "hospital":
            beds = r.randrange(120, 900, 10)
            if host:
                return INSTITUTION_DESCRIPTIONS["host_hospital"] % {
                    "beds": beds,
                    "people": f"{r.randrange(300, 3000, 50) * 1000:,}",
                    "region": region,
                }
            return INSTITUTION_DESCRIPTIONS["resource_hospital"] % {"beds": beds}
        figures = {
            "university": {"students": f"{r.randrange(2, 30) * 500:,}"},
            "nursing_school": {"graduates": r.randrange(8, 60) * 10},
            "community": {"workers": r.randrange(4, 60) * 10},
        }
        return INSTITUTION_DESCRIPTIONS[kind] % figures.get(kind, {})

    def add_institution(self, country: Country, kind: str) -> InstitutionSpec:
        r = self.rng
        city, region = r.choice(country.places)
        if kind == "ministry":
            city, region = country.places[0] if country.code not in CAPITALS else CAPITALS[country.code]
        name = self.institution_name(country, kind, city, region)
        self.names.add(name)
        index = len(self.institutions)
        areas = list(AREA_CODES)
        r.shuffle(areas)
        if country.host:
            needs = {a: r.choice((2, 3, 3)) for a in areas[: r.randint(3, 5)]}
            expertise = {a: r.choice((1, 2)) for a in areas[5 : 5 + r.randint(1, 2)]}
            capacity = 10 if kind == "ministry" else r.randint(1, 2)
        else:
            expertise = {a: r.choice((2, 3, 3)) for a in areas[: r.randint(3, 6)]}
            needs = {a: r.choice((1, 2)) for a in areas[6 : 6 + r.randint(1, 2)]}
            capacity = r.randint(1, 4)
        languages = list(country.languages[: r.randint(1, len(country.languages))])
        if "en" not in languages and r.random() < 0.5:
            languages.append("en")
        spec = InstitutionSpec(
            index=index,
            uuid=demo_uuid(self.profile, "institution", index),
            name=name[:255],
            short_name=acronym(name) if len(name) > 30 else "",
            type=kind,
            country=country,
            region=region,
            city=city,
            capacity=capacity,
            description=self.description(kind, country.host, region),
            languages=languages,
            expertise=expertise,
            needs=needs,
        )
        if country.host and kind in {"hospital", "public_health_agency", "community"}:
            alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
            spec.dhis2_org_unit = r.choice(alphabet[:52]) + "".join(r.choice(alphabet) for _ in range(10))
        if not country.host and kind in {"university", "ngo"}:
            pattern = {"GB": "GB-CHC-{:06d}", "US": "US-EIN-{:09d}", "NL": "NL-KVK-{:08d}"}.get(country.code)
            if pattern:
                spec.iati_org_id = pattern.format(r.randrange(10 ** int(pattern[-3:-2])))
        self.institutions.append(spec)
        return spec

    def add_people(self, inst: InstitutionSpec, count: int) -> None:
        r = self.rng
        country = inst.country
        domain = f"{ascii_slug(inst.short_name or inst.name, '-')[:40]}.example"
        used: set[str] = set()
        for _ in range(count):
            given, family = r.choice(country.given), r.choice(country.family)
            cadre = r.choice(CADRES[inst.type])
            if not country.host and cadre in HOST_ONLY_CADRES:
                cadre = "physician"
            email = ""
            if r.random() < 0.6:
                local = f"{ascii_slug(given, '-')}.{ascii_slug(family, '-')}"
                while local in used:
                    local += str(r.randint(1, 9))
                used.add(local)
                email = f"{local}@{domain}"
            languages = [country.languages[0]]
            if "en" not in languages and r.random() < 0.6:
                languages.append("en")
            if not country.host and r.random() < 0.25:
                languages.append(r.choice(("fr", "es", "pt", "sw")))
            index = len(self.people)
            inst.people.append(index)
            self.people.append(
                PersonSpec(
                    uuid=demo_uuid(self.profile, "person", index),
                    institution=inst.index,
                    full_name=f"{given} {family}",
                    email=email,
                    cadre=cadre,
                    languages=list(dict.fromkeys(languages)),
                    is_volunteer=r.random() < (0.35 if not country.host else 0.05),
                )
            )

    def priorities(self, countries: list[Country]) -> list[PrioritySpec]:
        result = []
        for country in countries:
            if not country.host:
                continue
            stated_on = ANCHOR - datetime.timedelta(days=self.rng.randrange(200, 1400))
            texts = self.rng.sample(PRIORITY_TEXTS, self.rng.randint(3, 5))
            for rank, (area, text) in enumerate(texts, start=1):
                result.append(
                    PrioritySpec(
                        uuid=demo_uuid(self.profile, "priority", country.code, rank),
                        country=country.code,
                        text=text,
                        area=area,
                        source_document=country.strategy,
                        stated_on=stated_on,
                        rank=rank,
                    )
                )
        return result

    # --- partnerships --------------------------------------------------------------------------

    def pick(self, candidates: list[InstitutionSpec]) -> InstitutionSpec:
        """The least-used candidate (ties broken at random), so partnerships spread over the directory."""
        low = min(self.usage.get(c.index, 0) for c in candidates)
        choice = self.rng.choice([c for c in candidates if self.usage.get(c.index, 0) == low])
        self.usage[choice.index] = low + 1
        return choice

    def history(self, stage: str) -> list[tuple[str, datetime.date, str]]:
        r = self.rng
        if stage == "closed":
            path = [
                *STAGE_PATH[: STAGE_PATH.index(r.choice(("matching", "agreement", "implementation"))) + 1],
                "closed",
            ]
        else:
            path = list(STAGE_PATH[: STAGE_PATH.index(stage) + 1])
        durations = [r.randint(*STAGE_DAYS[s]) for s in path[:-1]]
        elapsed = r.randint(*ELAPSED_DAYS[path[-1]])
        day = ANCHOR - datetime.timedelta(days=sum(durations) + elapsed)
        result = []
        for i, s in enumerate(path):
            note = (
                r.choice(STAGE_NOTES[s])
                if s in STAGE_NOTES
                else gettext_noop("Concept note received from the host institution.")
            )
            result.append((s, day, note))
            if i < len(durations):
                day += datetime.timedelta(days=durations[i])
        return result

    def stakeholders(self, p: PartnershipSpec, host: InstitutionSpec) -> list[StakeholderSpec]:
        country = host.country
        ministry = next((i for i in self.institutions if i.country is country and i.type == "ministry"), None)
        contact = self.people[ministry.people[0]] if ministry and ministry.people else None
        result = [
            StakeholderSpec(
                uuid=demo_uuid(self.profile, "stakeholder", p.index, "ministry"),
                kind="ministry",
                name=ministry.name if ministry else country.ministry,
                institution=ministry.index if ministry else None,
                role=gettext_noop(
                    "Aligns the objectives with national priorities; sits on the steering committee."
                ),
                contact_name=contact.full_name if contact else "",
                contact_email=contact.email if contact else "",
            )
        ]
        if p.stage == "scoping":
            return result
        local = {
            "es": f"Dirección de Área de Salud de {host.region}",
            "fr": f"Délégation Régionale de la Santé Publique, {host.region}",
            "pt": f"Direcção Provincial de Saúde de {host.region}",
            "east": f"{host.region} Health Department",
        }.get(country.style, f"{host.city} District Health Office")
        result.append(
            StakeholderSpec(
                uuid=demo_uuid(self.profile, "stakeholder", p.index, "local"),
                kind="local_government",
                name=local,
                institution=None,
                role=gettext_noop("Owns the district health plan; contributes staff time and facilities."),
                contact_name=f"{self.rng.choice(country.given)} {self.rng.choice(country.family)}",
            )
        )
        if self.rng.random() < 0.7:
            community = [
                i for i in self.institutions if i.country is country and i.type in {"community", "ngo"}
            ]
            org = self.rng.choice(community) if community else None
            result.append(
                StakeholderSpec(
                    uuid=demo_uuid(self.profile, "stakeholder", p.index, "community"),
                    kind="community",
                    name=org.name if org else f"{host.city} Community Health Committee",
                    institution=org.index if org else None,
                    role=gettext_noop(
                        "Represents patients and communities; mobilises community health workers."
                    ),
                )
            )
        return result

    def agreements(
        self, p: PartnershipSpec, hosts: list[InstitutionSpec], resources: list[InstitutionSpec]
    ) -> None:
        dates = {s: d for s, d, _note in p.history}
        if "agreement" not in dates:
            return
        r = self.rng
        title = DEMO_AGREEMENT_TITLE % {
            "hosts": " and ".join(i.name for i in hosts),
            "resources": " and ".join(i.name for i in resources),
        }
        host_signed: datetime.date | None
        resource_signed: datetime.date | None
        if "planning" in dates:
            host_signed = dates["planning"] - datetime.timedelta(days=r.randint(1, 30))
            resource_signed = dates["planning"] - datetime.timedelta(days=r.randint(1, 30))
        elif p.stage == "agreement":
            host_signed = (
                dates["agreement"] + datetime.timedelta(days=r.randint(5, 15)) if r.random() < 0.6 else None
            )
            resource_signed = None
        else:  # closed while agreeing
            host_signed = resource_signed = None
        p.agreements.append(
            AgreementSpec(
                uuid=demo_uuid(self.profile, "agreement", p.index, 1),
                title=title[:255],
                host_signed_on=host_signed,
                resource_signed_on=resource_signed,
                notes="" if resource_signed else gettext_noop("Awaiting signature."),
            )
        )
        if "transition" in dates:
            signed = dates["transition"] + datetime.timedelta(days=r.randint(5, 25))
            p.agreements.append(
                AgreementSpec(
                    uuid=demo_uuid(self.profile, "agreement", p.index, 2),
                    title=DEMO_ADDENDUM_TITLE,
                    host_signed_on=signed,
                    resource_signed_on=signed + datetime.timedelta(days=r.randint(0, 10)),
                    notes=gettext_noop(
                        "Sets out which activities the host institution funds after the grant ends."
                    ),
                )
            )

    def partnerships(self, stages: list[str]) -> list[PartnershipSpec]:
        r = self.rng
        hosts_by_country: dict[str, list[InstitutionSpec]] = {}
        for inst in self.institutions:
            if inst.host and inst.type in TWIN_TYPES:
                hosts_by_country.setdefault(inst.country.code, []).append(inst)
        resources = [i for i in self.institutions if not i.host and i.type in TWIN_TYPES]
        titles: set[str] = set()
        result = []
        host_countries = list(hosts_by_country)
        for index, stage in enumerate(stages):
            country = host_countries[index % len(host_countries)]
            host = self.pick(hosts_by_country[country])
            themes = [t for t in THEMES if t[0] in host.needs] or list(THEMES)
            area, phrase, goal = r.choice(themes)
            experts = [i for i in resources if area in i.expertise] or resources
            resource = self.pick(experts)
            resource.expertise.setdefault(area, 3)
            host.needs.setdefault(area, 3)
            host_side, resource_side = [host], [resource]
            if r.random() < 0.25:
                extra = [
                    i
                    for i in self.institutions
                    if i.country is host.country and i.host and i is not host and i.type != "ministry"
                ]
                if extra:
                    host_side.append(r.choice(extra))
            if r.random() < 0.2:
                extra = [i for i in resources if i.country is resource.country and i is not resource]
                if extra:
                    resource_side.append(r.choice(extra))
            title = f"{host.city}–{resource.city} {phrase} Partnership"
            if title in titles:
                title = f"{host.short_name or host.name} and {resource.short_name or resource.name}: {phrase}"
            n = 2
            base = title
            while title in titles:
                title, n = f"{base} ({n})", n + 1
            titles.add(title)
            p = PartnershipSpec(
                index=index,
                uuid=demo_uuid(self.profile, "partnership", index),
                title=title[:255],
                shared_goal=goal % {"host": host.name},
                hosts=[i.index for i in host_side],
                resources=[i.index for i in resource_side],
                history=self.history(stage),
            )
            dates = {s: d for s, d, _note in p.history}
            if "planning" in dates:
                p.start_date = dates["planning"]
                ended = dates.get("graduated") or dates.get("closed")
                p.end_date = ended or p.start_date.replace(year=p.start_date.year + r.choice((3, 4, 5)))
            p.stakeholders = self.stakeholders(p, host)
            self.agreements(p, host_side, resource_side)
            result.append(p)
        return result


# Ministries sit in the capital, which is not always among the places the partnerships are in.
CAPITALS = {
    "UG": ("Kampala", "Central"),
    "KE": ("Nairobi", "Nairobi County"),
    "TZ": ("Dodoma", "Dodoma Region"),
    "ET": ("Addis Ababa", "Addis Ababa"),
    "MW": ("Lilongwe", "Central Region"),
    "GH": ("Accra", "Greater Accra"),
    "NP": ("Kathmandu", "Bagmati"),
    "KH": ("Phnom Penh", "Phnom Penh"),
    "GT": ("Guatemala City", "Guatemala"),
    "PE": ("Lima", "Lima"),
    "UA": ("Kyiv", "Kyiv"),
    "MD": ("Chișinău", "Chișinău"),
    "RW": ("Kigali", "Kigali"),
    "ZM": ("Lusaka", "Lusaka"),
    "MZ": ("Maputo", "Maputo"),
    "SL": ("Freetown", "Western Area"),
    "LR": ("Monrovia", "Montserrado County"),
    "CM": ("Yaoundé", "Centre"),
    "BD": ("Dhaka", "Dhaka Division"),
    "LA": ("Vientiane", "Vientiane Prefecture"),
    "VN": ("Hà Nội", "Hà Nội"),
    "BO": ("La Paz", "La Paz"),
    "HN": ("Tegucigalpa", "Francisco Morazán"),
    "GE": ("Tbilisi", "Tbilisi"),
    "KG": ("Bishkek", "Chüy Region"),
}


def build_plan(profile: str = "default", scale_factor: float = 1.0) -> Plan:
    """The whole demo programme for a profile ("default", "large" or "huge"); `scale_factor` scales the big ones."""
    planner = _Planner(profile, scale_factor)
    r = planner.rng
    if profile == "default":
        countries = list(COUNTRIES[:DEFAULT_COUNTRY_COUNT])
        for country in countries:
            for kind in planner.institution_types(country, 4 if country.host else 3):
                planner.add_people(planner.add_institution(country, kind), r.randint(3, 6))
        stages = [s for s, n in DEFAULT_STAGE_COUNTS.items() for _ in range(n)]
    elif profile in LARGE_MULTIPLES:
        scale_factor *= LARGE_MULTIPLES[profile]
        countries = list(COUNTRIES)
        total = max(len(countries) * 2, round(600 * scale_factor))
        host_countries = [c for c in countries if c.host]
        resource_countries = [c for c in countries if not c.host]
        host_total = round(total * 0.75)
        for group, group_total in ((host_countries, host_total), (resource_countries, total - host_total)):
            for n, country in enumerate(group):
                count = group_total // len(group) + (1 if n < group_total % len(group) else 0)
                for kind in planner.institution_types(country, count):
                    planner.add_people(planner.add_institution(country, kind), r.randint(8, 22))
        n_partnerships = max(len(ALL_STAGES) * 2, round(180 * scale_factor))
        stages = list(ALL_STAGES) + r.choices(
            list(LARGE_STAGE_WEIGHTS),
            weights=list(LARGE_STAGE_WEIGHTS.values()),
            k=n_partnerships - len(ALL_STAGES),
        )
    else:
        raise ValueError(f"Unknown demo profile: {profile}")
    r.shuffle(stages)
    priorities = planner.priorities(countries)
    partnerships = planner.partnerships(stages)
    implementing = [p.index for p in partnerships if p.stage == "implementation"]
    users = demo_logins(implementing[0], implementing[1])
    if profile in LARGE_MULTIPLES:
        taken = {(implementing[0], "host"), (implementing[0], "resource"), (implementing[0], "member")}
        users += _coordinators(planner, partnerships, skip=taken | {(implementing[1], "host")})
    return Plan(
        profile=profile,
        programme_name=PROGRAMME_NAMES[profile],
        funders=FUNDERS[profile],
        description=(
            "A multi-country programme of institution-to-institution twinning partnerships that strengthen "
            "hospitals, training institutions and community health services. (Demo data: every name is fictional.)"
        ),
        institutions=planner.institutions,
        people=planner.people,
        priorities=priorities,
        partnerships=partnerships,
        users=users,
    )


def _coordinators(
    planner: _Planner, partnerships: list[PartnershipSpec], skip: set[tuple[int, str]]
) -> list[UserSpec]:
    """A coordinator per side and one member for every partnership (bar the places demo logins hold)."""
    r = planner.rng
    users = []
    for p in partnerships:
        for side, inst_index, role in (
            ("host", p.hosts[0], "coordinator"),
            ("resource", p.resources[0], "coordinator"),
            ("host", p.hosts[0], "member"),
        ):
            country = planner.institutions[inst_index].country
            suffix = side if role == "coordinator" else "member"
            if (p.index, suffix) in skip:
                continue
            users.append(
                UserSpec(
                    email=f"p{p.index + 1:03d}-{suffix}@{DEMO_EMAIL_DOMAIN}",
                    full_name=f"{r.choice(country.given)} {r.choice(country.family)}",
                    label=f"{side} {role}",
                    memberships=[(p.index, side, role)],
                    is_demo_login=False,
                )
            )
    return users
