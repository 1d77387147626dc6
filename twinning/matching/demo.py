"""Demo matching round: 24 hosts and 16 resources whose profiles make the results easy to follow.

Hosts in East and West Africa, Nepal and Peru state needs; resources in the UK, France, Spain, Canada and the
US offer expertise. Language splits the field (French-speaking hosts can only pair with French speakers), one
conflict is declared, one pair is accepted, so every part of the page has something to show.
"""

import random
from typing import Any

from django.utils.translation import gettext_noop

from twinning.accounts.models import User
from twinning.demo.plan import demo_uuid
from twinning.directory.models import HealthArea, Language
from twinning.directory.services import institution_create
from twinning.matching import services
from twinning.matching.models import DeclaredConflict, MatchDecision, MatchingRound, RoundApplicant
from twinning.partnerships.models import Partnership, Programme

NEEDS = {
    "maternal-newborn": "reduce neonatal deaths: resuscitation training, obstetric emergency drills",
    "emergency-care": "set up triage in the emergency department and train staff in trauma care",
    "laboratory": "microbiology laboratory quality, blood culture testing and accreditation",
    "surgery-anaesthesia": "safe anaesthesia and the surgical safety checklist in theatre",
    "mental-health": "community mental health services and counselling for depression",
    "infection-prevention": "hand hygiene, sterilisation and infection surveillance on the wards",
    "health-information": "electronic records and DHIS2 data quality",
    "oncology": "cervical cancer screening and palliative care",
}
HOSTS = [
    ("Gulu Regional Referral Hospital", "UG", "Africa/Kampala", ["en"]),
    ("Lira Regional Hospital", "UG", "Africa/Kampala", ["en"]),
    ("Mbale Regional Hospital", "UG", "Africa/Kampala", ["en"]),
    ("Kisumu County Hospital", "KE", "Africa/Nairobi", ["en", "sw"]),
    ("Nakuru Level 5 Hospital", "KE", "Africa/Nairobi", ["en", "sw"]),
    ("Machakos Level 5 Hospital", "KE", "Africa/Nairobi", ["en", "sw"]),
    ("Mwanza Bugando Centre", "TZ", "Africa/Dar_es_Salaam", ["en", "sw"]),
    ("Kigali University Teaching Hospital", "RW", "Africa/Kigali", ["en", "fr"]),
    ("Butare Teaching Hospital", "RW", "Africa/Kigali", ["fr", "en"]),
    ("CHU de Bouaké", "CI", "Africa/Abidjan", ["fr"]),
    ("CHU de Treichville", "CI", "Africa/Abidjan", ["fr"]),
    ("Hôpital régional de Thiès", "SN", "Africa/Dakar", ["fr"]),
    ("Hôpital régional de Ziguinchor", "SN", "Africa/Dakar", ["fr"]),
    ("CHU Gabriel Touré", "ML", "Africa/Bamako", ["fr"]),
    ("Hôpital de Kindu", "CD", "Africa/Lubumbashi", ["fr"]),
    ("Hospital Central de Beira", "MZ", "Africa/Maputo", ["pt"]),
    ("Hospital Provincial de Tete", "MZ", "Africa/Maputo", ["pt"]),
    ("Hospital de Referência de Nampula", "MZ", "Africa/Maputo", ["pt", "en"]),
    ("Pokhara Academy of Health Sciences", "NP", "Asia/Kathmandu", ["ne", "en"]),
    ("Dhulikhel Hospital", "NP", "Asia/Kathmandu", ["ne", "en"]),
    ("Hospital Antonio Lorena del Cusco", "PE", "America/Lima", ["es"]),
    ("Hospital Regional de Piura", "PE", "America/Lima", ["es"]),
    ("Hospital de Huancayo", "PE", "America/Lima", ["es"]),
    ("Tamale Teaching Hospital", "GH", "Africa/Accra", ["en"]),
]
RESOURCES = [
    ("Leeds Teaching Hospitals", "GB", "Europe/London", ["en"], "hospital", 2),
    ("Bristol Royal Infirmary", "GB", "Europe/London", ["en"], "hospital", 1),
    ("Liverpool School of Tropical Medicine", "GB", "Europe/London", ["en"], "university", 2),
    ("King's College Hospital", "GB", "Europe/London", ["en"], "hospital", 2),
    ("Hospices Civils de Lyon", "FR", "Europe/Paris", ["fr"], "hospital", 2),
    ("CHU de Bordeaux", "FR", "Europe/Paris", ["fr"], "hospital", 1),
    ("AP-HP Necker", "FR", "Europe/Paris", ["fr", "en"], "hospital", 1),
    ("CHU de Québec", "CA", "America/Toronto", ["fr", "en"], "hospital", 2),
    ("Hospital Clínic de Barcelona", "ES", "Europe/Madrid", ["es", "en"], "hospital", 2),
    ("Hospital La Paz", "ES", "Europe/Madrid", ["es"], "hospital", 1),
    ("Hospital de Santa Maria", "PT", "Europe/Lisbon", ["pt"], "hospital", 2),
    ("Johns Hopkins Bloomberg School", "US", "America/New_York", ["en", "es"], "university", 1),
    ("University of Toronto Nursing", "CA", "America/Toronto", ["en"], "nursing_school", 1),
    ("Karolinska Institutet", "SE", "Europe/Stockholm", ["en"], "university", 1),
    ("Oslo University Hospital", "NO", "Europe/Oslo", ["no", "en"], "hospital", 1),
    ("Charité Global Health", "DE", "Europe/Berlin", ["de", "en"], "hospital", 1),
]
EXPERTISE_WORDS = {
    "maternal-newborn": "neonatal resuscitation courses and obstetric emergency simulation",
    "emergency-care": "emergency department triage systems and trauma training",
    "laboratory": "clinical microbiology, blood culture and laboratory accreditation support",
    "surgery-anaesthesia": "anaesthesia training and surgical safety checklist roll-out",
    "mental-health": "community mental health teams and counselling programmes",
    "infection-prevention": "infection prevention and control, sterilisation services",
    "health-information": "electronic health records and DHIS2 data quality audits",
    "oncology": "cervical cancer screening programmes and palliative care",
}


def load_demo(
    *, programme: Programme, partnerships: list[Partnership], users: dict[str, User], rng: random.Random
) -> None:
    """One computed round with a declared conflict and one accepted pair."""
    admin = next(u for u in users.values() if u.is_superuser)
    areas = {a.code: a for a in HealthArea.objects.all()}
    langs = {lang.code: lang for lang in Language.objects.all()}
    codes = sorted(NEEDS)
    round = services.round_create(
        actor=admin,
        programme=programme,
        name=gettext_noop("2025 twinning call: first round"),
        description=gettext_noop("Hosts from the 2025 call and the resource institutions that volunteered."),
    )
    hosts = _hosts(admin, round, areas, langs, codes, rng)
    resources = _resources(admin, round, areas, langs, codes, rng)
    services.conflict_declare(
        actor=admin,
        programme=programme,
        institution_a=hosts[0].institution,
        institution_b=resources[0].institution,
        reason=gettext_noop("The two hospitals are in a dispute over an earlier equipment donation."),
    )
    # A small round is computed as soon as the run is recorded (no worker needed for the demo).
    services.round_run(actor=admin, round=round)
    round.refresh_from_db()
    _accept_the_best_pair(admin, round)


def _hosts(
    admin: User,
    round: MatchingRound,
    areas: dict[str, HealthArea],
    langs: dict[str, Language],
    codes: list[str],
    rng: random.Random,
) -> list[RoundApplicant]:
    """The host applicants, each stating one to three needs."""
    hosts = []
    for name, country, zone, languages in HOSTS:
        inst = institution_create(
            actor=admin,
            languages=[langs[c] for c in languages if c in langs],
            uuid=demo_uuid("matching", name),
            name=name,
            type="hospital",
            country=country,
            time_zone=zone,
            capacity=1,
        )
        chosen = rng.sample(codes, k=rng.randint(1, 3))
        services.profile_update(
            actor=admin,
            institution=inst,
            needs=[
                {"area": areas[c], "priority": 3 - k, "description": NEEDS[c]} for k, c in enumerate(chosen)
            ],
            expertise=[],
        )
        hosts.append(services.applicant_add(actor=admin, round=round, institution=inst, side="host"))
    return hosts


def _resources(
    admin: User,
    round: MatchingRound,
    areas: dict[str, HealthArea],
    langs: dict[str, Language],
    codes: list[str],
    rng: random.Random,
) -> list[RoundApplicant]:
    """The resource applicants, each offering two or three areas of expertise."""
    resources = []
    for name, country, zone, languages, kind, capacity in RESOURCES:
        inst = institution_create(
            actor=admin,
            languages=[langs[c] for c in languages if c in langs],
            uuid=demo_uuid("matching", name),
            name=name,
            type=kind,
            country=country,
            time_zone=zone,
            capacity=capacity,
        )
        chosen = rng.sample(codes, k=rng.randint(2, 3))
        services.profile_update(
            actor=admin,
            institution=inst,
            needs=[],
            expertise=[
                {"area": areas[c], "depth": rng.choice([2, 3]), "description": EXPERTISE_WORDS[c]}
                for c in chosen
            ],
        )
        resources.append(services.applicant_add(actor=admin, round=round, institution=inst, side="resource"))
    return resources


def _accept_the_best_pair(admin: User, round: MatchingRound) -> None:
    """Accept the highest-scoring pair that both the optimal and the stable assignment chose."""
    best = (
        round.pairs.filter(in_optimal=True, in_stable=True)
        .select_related("host", "resource")
        .order_by("-score")
    )
    first = best.first()
    if first is not None:
        services.decision_accept(
            actor=admin,
            round=round,
            host=first.host,
            resource=first.resource,
            reason=gettext_noop("Strongest fit in both assignments; both sides confirmed interest."),
        )


def clear_demo(programmes: Any) -> None:
    """Rows of the demo programmes that protect partnerships or institutions."""
    MatchDecision.objects.filter(round__programme__in=programmes).delete()
    MatchingRound.objects.filter(programme__in=programmes).delete()
    DeclaredConflict.objects.filter(programme__in=programmes).delete()
