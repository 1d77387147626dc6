"""The seeded health-system taxonomy for expertise, needs and priorities (codes are stable; names translate)."""

from django.utils.translation import gettext_noop as _

HEALTH_AREAS: list[tuple[str, str]] = [
    ("maternal-newborn", _("Maternal and newborn health")),
    ("child-health", _("Child health")),
    ("emergency-care", _("Emergency and critical care")),
    ("surgery-anaesthesia", _("Surgery and anaesthesia")),
    ("infectious-disease", _("Infectious diseases (HIV, TB, malaria)")),
    ("ncd", _("Non-communicable diseases")),
    ("mental-health", _("Mental health")),
    ("oncology", _("Cancer care")),
    ("nursing-midwifery", _("Nursing and midwifery practice")),
    ("primary-care", _("Primary health care")),
    ("community-health", _("Community health")),
    ("laboratory", _("Laboratory services")),
    ("pharmacy", _("Pharmacy and medicines supply")),
    ("infection-prevention", _("Infection prevention and control")),
    ("quality-safety", _("Quality improvement and patient safety")),
    ("health-information", _("Health information systems")),
    ("health-management", _("Health management and leadership")),
    ("health-workforce", _("Health workforce education")),
    ("biomedical-engineering", _("Biomedical engineering and equipment")),
    ("public-health", _("Public health and epidemiology")),
    ("rehabilitation", _("Rehabilitation")),
    ("research", _("Research and evaluation")),
]
