"""Demo data for the practice library: a dozen practices across the five pillars, written up by the demo
partnerships, with documents (small real PDF and DOCX files) in several languages, some with a second version;
some published publicly, some in the programme, some waiting for review, one draft and one withdrawn.

Everything goes through the services, so the practices carry their workflow steps and audit history, and
search finds the words inside the files. Deterministic for a given random.Random.
"""

import random
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from twinning.accounts.models import User
from twinning.directory.models import HealthArea, Person
from twinning.knowledge import services
from twinning.knowledge.models import Practice
from twinning.knowledge.samples import docx_bytes, pdf_bytes
from twinning.partnerships.models import Partnership, Programme

S = Practice.Status

# title, pillar code, setting, health-area codes, final status, summary, what was done, documents
# (title, type, [(language, format, paragraphs)]).
PRACTICES: list[tuple[Any, ...]] = [
    (
        gettext_noop("Safer births bundle with a labour-ward checklist"),
        "models_of_care",
        "hospital",
        ["maternal-newborn"],
        S.PUBLIC,
        gettext_noop(
            "A checklist used at admission, before pushing, soon after birth and before discharge, with a daily "
            "huddle that reviews every near miss."
        ),
        gettext_noop(
            "Midwives on both sides adapted the WHO Safe Childbirth Checklist to local drugs and referral routes, "
            "trained every shift and audited use weekly."
        ),
        [
            (
                gettext_noop("Labour-ward checklist toolkit"),
                "toolkit",
                [
                    (
                        "en",
                        "pdf",
                        [
                            "Check the partograph at every vaginal examination.",
                            "Oxytocin within one minute of birth.",
                        ],
                    ),
                    (
                        "fr",
                        "docx",
                        [
                            "Vérifier le partogramme à chaque toucher vaginal.",
                            "Ocytocine dans la minute qui suit la naissance.",
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        gettext_noop("Kangaroo mother care for small babies"),
        "models_of_care",
        "hospital",
        ["child-health"],
        S.PUBLIC,
        gettext_noop(
            "Continuous skin-to-skin contact for babies under 2,000 g, started in the ward and continued at home."
        ),
        gettext_noop(
            "A six-bed kangaroo unit opened beside the neonatal ward; mothers stay with their babies day and night."
        ),
        [
            (
                gettext_noop("Kangaroo care protocol"),
                "protocol",
                [
                    ("en", "pdf", ["Thermoregulation by skin-to-skin contact for at least 20 hours a day."]),
                    (
                        "pt",
                        "docx",
                        ["Termorregulação pelo contacto pele a pele durante pelo menos 20 horas por dia."],
                    ),
                ],
            ),
        ],
    ),
    (
        gettext_noop("Community health worker home visits after birth"),
        "community",
        "community",
        ["child-health", "community-health"],
        S.PUBLIC,
        gettext_noop(
            "Community health workers visit every mother on days 1, 3 and 7 after birth and refer danger signs."
        ),
        gettext_noop(
            "Volunteers were recruited by village health committees and given phones to report each visit."
        ),
        [
            (
                gettext_noop("Home visit training package"),
                "training",
                [("en", "docx", ["Danger signs: fast breathing, fever, poor feeding, yellow skin."])],
            ),
        ],
    ),
    (
        gettext_noop("Mothers' groups for breastfeeding support"),
        "community",
        "primary_care",
        ["child-health"],
        S.PROGRAMME,
        gettext_noop("Monthly peer groups led by experienced mothers at the health centre."),
        gettext_noop(
            "Health centre nurses trained twelve peer leaders and hosted the groups after vaccination clinics."
        ),
        [
            (
                gettext_noop("Peer leader guide"),
                "training",
                [("es", "docx", ["Guía para madres líderes: lactancia exclusiva durante seis meses."])],
            )
        ],
    ),
    (
        gettext_noop("Simulation-based emergency obstetric drills"),
        "capacity",
        "hospital",
        ["maternal-newborn"],
        S.PUBLIC,
        gettext_noop("Monthly in-situ drills for postpartum haemorrhage, eclampsia and shoulder dystocia."),
        gettext_noop(
            "Resource-side trainers ran the first drills; host midwives now lead them with a low-cost mannequin."
        ),
        [
            (
                gettext_noop("Drill scenarios and debrief forms"),
                "curriculum",
                [
                    (
                        "en",
                        "pdf",
                        ["Postpartum haemorrhage drill: call for help, massage the uterus, give oxytocin."],
                    ),
                    ("ru", "docx", ["Учения по послеродовому кровотечению: массаж матки и окситоцин."]),
                ],
            ),
        ],
    ),
    (
        gettext_noop("Mentoring scheme for newly qualified nurses"),
        "capacity",
        "hospital",
        ["nursing-midwifery"],
        S.SUBMITTED,
        gettext_noop(
            "Each new nurse is paired with an experienced mentor for six months, with remote sessions across the twins."
        ),
        gettext_noop(
            "Mentors meet mentees weekly on the ward and monthly online with a mentor from the resource side."
        ),
        [
            (
                gettext_noop("Mentoring handbook"),
                "toolkit",
                [("en", "pdf", ["Weekly mentoring conversations follow a simple reflective model."])],
            )
        ],
    ),
    (
        gettext_noop("Laboratory quality management step by step"),
        "capacity",
        "laboratory",
        ["laboratory"],
        S.PROGRAMME,
        gettext_noop(
            "A stepwise path to accreditation for district laboratories, with internal quality control every day."
        ),
        gettext_noop(
            "Laboratory scientists from both sides wrote standard operating procedures and ran external quality rounds."
        ),
        [
            (
                gettext_noop("Quality control SOPs"),
                "protocol",
                [("en", "pdf", ["Levey-Jennings charts for daily internal quality control."])],
            )
        ],
    ),
    (
        gettext_noop("Nurse anaesthetist curriculum"),
        "professions",
        "school",
        ["surgery-anaesthesia"],
        S.PUBLIC,
        gettext_noop(
            "A two-year diploma curriculum for nurse anaesthetists, accredited by the national nursing council."
        ),
        gettext_noop(
            "The nursing school and the resource university co-wrote the modules and co-teach the first cohort."
        ),
        [
            (
                gettext_noop("Curriculum and competency framework"),
                "curriculum",
                [
                    ("en", "pdf", ["Module 3: airway management, spinal anaesthesia and safe sedation."]),
                    ("fr", "pdf", ["Module 3 : gestion des voies aériennes et anesthésie rachidienne."]),
                ],
            ),
        ],
    ),
    (
        gettext_noop("Clinical officer surgical task sharing"),
        "professions",
        "hospital",
        ["surgery-anaesthesia"],
        S.SUBMITTED,
        gettext_noop(
            "Clinical officers trained to perform caesarean sections and hernia repairs under supervision."
        ),
        gettext_noop("A log book of supervised procedures and quarterly outcome reviews."),
        [
            (
                gettext_noop("Supervision log book"),
                "other",
                [("en", "docx", ["Each procedure is signed by the supervising surgeon."])],
            )
        ],
    ),
    (
        gettext_noop("Regional dissemination of the triage model"),
        "knowledge",
        "health_system",
        ["emergency-care"],
        S.PUBLIC,
        gettext_noop(
            "The emergency triage model spread from the twinned hospital to the district hospitals of its region."
        ),
        gettext_noop(
            "Host triage nurses trained district teams and a policy brief went to the regional health office."
        ),
        [
            (
                gettext_noop("Policy brief: emergency triage for district hospitals"),
                "policy_brief",
                [("en", "pdf", ["Colour-coded triage reduced waiting time for emergency cases."])],
            ),
            (
                gettext_noop("Case study of the first district"),
                "case_study",
                [("en", "docx", ["Within six months, every patient was triaged on arrival."])],
            ),
        ],
    ),
    (
        gettext_noop("Open learning library for health workers"),
        "knowledge",
        "school",
        ["health-workforce"],
        S.DRAFT,
        gettext_noop("Short video lessons and quizzes that run offline on phones."),
        gettext_noop("Lessons recorded by both sides, shared on memory cards where there is no internet."),
        [],
    ),
    (
        gettext_noop("Paper-based referral slip (replaced)"),
        "models_of_care",
        "primary_care",
        ["primary-care"],
        S.WITHDRAWN,
        gettext_noop("A carbon-copy referral slip between health centres and the hospital."),
        gettext_noop("Replaced by the district's electronic referral system in the second year."),
        [],
    ),
]
PATH: dict[str, list[str]] = {
    S.DRAFT: [],
    S.SUBMITTED: [S.SUBMITTED],
    S.PROGRAMME: [S.SUBMITTED, S.PROGRAMME],
    S.PUBLIC: [S.SUBMITTED, S.PROGRAMME, S.PUBLIC],
    S.WITHDRAWN: [S.SUBMITTED, S.PROGRAMME, S.WITHDRAWN],
}
COMMENTS: dict[str, str] = {
    S.PROGRAMME: gettext_noop("Clear and complete; shared with the whole programme."),
    S.PUBLIC: gettext_noop("Checked for personal data; published for everyone."),
    S.WITHDRAWN: gettext_noop("Replaced by the district's new system."),
}


def clear_demo(programmes: QuerySet[Programme]) -> None:
    """Remove the practices of the given (demo) programmes; the loader calls this before partnerships go."""
    Practice.objects.filter(programme__in=programmes).delete()


def _file(title: str, language: str, kind: str, paragraphs: list[str]) -> SimpleUploadedFile:
    content = pdf_bytes(title, paragraphs) if kind == "pdf" else docx_bytes(title, paragraphs)
    return SimpleUploadedFile(f"{title[:40].lower().replace(' ', '-')}-{language}.{kind}", content)


def load_demo(
    *, programme: Programme, partnerships: Sequence[Partnership], users: dict[str, Any], rng: random.Random
) -> None:
    """A dozen practices of the first partnerships, with documents, moved along the workflow."""
    admin = next(u for u in users.values() if u.is_superuser)
    manager = next((u for u in users.values() if u.email.startswith("manager@")), admin)
    author = next((u for u in users.values() if u.email.startswith("member@")), admin)
    pillars = {p.code: p for p in programme.pillars.all()}
    areas = {a.code: a for a in HealthArea.objects.all()}
    started = [p for p in partnerships if p.side_links.exists()] or list(partnerships)
    for index, spec in enumerate(PRACTICES):
        title, pillar, setting, area_codes, status, summary, done, documents = spec
        partnership = started[index % min(len(started), 4)]
        writer: User = author if index == 0 or partnership == started[0] else admin
        countries = sorted(
            {link.institution.country for link in partnership.side_links.select_related("institution")}
        )
        contact = (
            Person.objects.filter(institution__side_links__partnership=partnership)
            .order_by("full_name")
            .first()
        )
        practice = services.practice_create(
            actor=writer,
            partnerships=[partnership],
            title=title,
            summary=summary,
            what_was_done=done,
            # No count of the sites using it here: that figure is the replication register's, derived from
            # the adoptions on the Spread page, and a number written into the text would soon disagree with it.
            results=gettext_noop(
                "Reported in the partnership's indicators; the Spread page lists the sites that use it."
            ),
            setting=setting,
            pillars=[pillars[pillar]] if pillar in pillars else [],
            health_areas=[areas[c] for c in area_codes if c in areas],
            countries=[c for c in countries if c],
            contact_person=contact,
            institutions=[link.institution for link in partnership.side_links.select_related("institution")],
        )
        for doc_title, doc_type, editions in documents:
            first_language, first_kind, first_text = editions[0]
            document = services.document_create(
                actor=writer,
                practice=practice,
                title=doc_title,
                type=doc_type,
                language=first_language,
                file=_file(doc_title, first_language, first_kind, first_text),
            )
            for language, kind, text in editions[1:]:
                services.document_version_add(
                    actor=writer,
                    document=document,
                    language=language,
                    file=_file(doc_title, language, kind, text),
                )
            if index % 3 == 0:
                services.document_version_add(
                    actor=writer,
                    document=document,
                    language=first_language,
                    file=_file(
                        doc_title,
                        first_language,
                        first_kind,
                        [*first_text, gettext_noop("Revised after the first year.")],
                    ),
                    note=gettext_noop("Revised after the first year."),
                )
        _move(practice, status, writer=writer, manager=manager, admin=admin)


def _move(practice: Practice, status: str, *, writer: User, manager: User, admin: User) -> None:
    for step in PATH[status]:
        if step == S.PUBLIC:
            services.practice_confirm_no_personal_data(
                actor=writer if writer == practice.author else admin, practice=practice
            )
        actor = writer if step == S.SUBMITTED else manager
        services.practice_move(actor=actor, practice=practice, to_status=step, comment=COMMENTS.get(step, ""))
