"""Texts Twinning ships for partnerships: the demo's partnership themes, whose shared goals are stored in English
and shown in the reader's language (Partnership.shown_shared_goal). They live here, below the demo, so that the
model that reads them imports nothing above its layer; twinning.demo writes them.
"""

from django.utils.translation import gettext_noop

# Partnership themes: the health area they work on, a title phrase and a shared goal. The goals are stored in
# English with the host's name filled in, and shown in the reader's language (Partnership.shown_shared_goal matches
# the stored text against these patterns, core.reference.shipped_format).
THEMES: tuple[tuple[str, str, str], ...] = (
    (
        "maternal-newborn",
        "Safer Births",
        gettext_noop(
            "Reduce maternal and newborn deaths at %(host)s by strengthening emergency obstetric and newborn care."
        ),
    ),
    (
        "emergency-care",
        "Emergency Care",
        gettext_noop("Build a triage-based emergency unit at %(host)s that sees the sickest patients first."),
    ),
    (
        "surgery-anaesthesia",
        "Safe Surgery and Anaesthesia",
        gettext_noop(
            "Make surgery at %(host)s safer through the surgical safety checklist, anaesthesia training and equipment care."
        ),
    ),
    (
        "nursing-midwifery",
        "Nursing Leadership",
        gettext_noop(
            "Grow a cadre of nurse and midwife leaders at %(host)s who mentor others and run quality projects."
        ),
    ),
    (
        "infectious-disease",
        "HIV and TB Care",
        gettext_noop(
            "Improve retention in HIV and TB care at %(host)s with community follow-up and better laboratory turnaround."
        ),
    ),
    (
        "ncd",
        "Chronic Disease Care",
        gettext_noop(
            "Set up nurse-led clinics at %(host)s for hypertension and diabetes, with follow-up in the community."
        ),
    ),
    (
        "mental-health",
        "Mental Health",
        gettext_noop(
            "Bring mental-health care into primary care around %(host)s and train staff to recognise and treat depression."
        ),
    ),
    (
        "oncology",
        "Cancer Care",
        gettext_noop("Start cervical-cancer screening and a palliative-care service at %(host)s."),
    ),
    (
        "laboratory",
        "Laboratory Quality",
        gettext_noop(
            "Bring the laboratory at %(host)s to accreditation through quality management and biomedical support."
        ),
    ),
    (
        "infection-prevention",
        "Infection Prevention",
        gettext_noop(
            "Cut hospital-acquired infections at %(host)s through hand hygiene, sterilisation and surveillance."
        ),
    ),
    (
        "child-health",
        "Child Health",
        gettext_noop(
            "Reduce deaths of children under five at %(host)s through emergency triage and paediatric ward rounds."
        ),
    ),
    (
        "health-information",
        "Health Information",
        gettext_noop(
            "Use routine data at %(host)s for decisions: a working DHIS2 dashboard reviewed monthly by the management team."
        ),
    ),
    (
        "primary-care",
        "Primary Care",
        gettext_noop(
            "Strengthen the primary-care network around %(host)s with supportive supervision and referral feedback."
        ),
    ),
    (
        "health-workforce",
        "Health Professions Education",
        gettext_noop(
            "Modernise the curriculum at %(host)s with skills labs, simulation and clinical mentors."
        ),
    ),
    (
        "rehabilitation",
        "Rehabilitation",
        gettext_noop(
            "Start a physiotherapy and rehabilitation service at %(host)s for trauma and stroke patients."
        ),
    ),
    (
        "quality-safety",
        "Patient Safety",
        gettext_noop(
            "Build a patient-safety culture at %(host)s: incident reporting, morbidity and mortality reviews, and audits."
        ),
    ),
)

SHIPPED_SHARED_GOALS: tuple[str, ...] = tuple(goal for _area, _phrase, goal in THEMES)
