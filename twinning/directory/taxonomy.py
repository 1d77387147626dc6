"""The seeded health-system taxonomy for expertise, needs and priorities (codes are stable; names translate)."""

from typing import Any

import pycountry
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


def seed_languages_and_health_areas(language_model: Any, health_area_model: Any) -> None:
    """Create the seeded languages (every ISO 639-1 language pycountry knows) and the health areas above, keeping
    any that exist. Takes the model classes so that the data migration can pass its historical models and the test
    suite the real ones (a transactional test's flush empties these tables; the suite puts them back).

    Raises: nothing.
    """
    language_model.objects.bulk_create(
        [
            language_model(code=lang.alpha_2, name=lang.name)
            for lang in pycountry.languages
            if hasattr(lang, "alpha_2")
        ],
        ignore_conflicts=True,
    )
    health_area_model.objects.bulk_create(
        [
            health_area_model(code=code, name=name, order=i)
            for i, (code, name) in enumerate(HEALTH_AREAS, start=1)
        ],
        ignore_conflicts=True,
    )
