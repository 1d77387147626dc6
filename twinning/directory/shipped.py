"""Texts Twinning ships for institutions: the demo's institution descriptions, stored in English with their figures
filled in and shown in the reader's language (Institution.shown_description). They live here, below the demo, so
that the model that reads them imports nothing above its layer; twinning.demo writes them.
"""

from django.utils.translation import gettext_noop

# Institutions' descriptions by kind, their figures filled in by the generator; stored in English and shown in the
# reader's language (Institution.shown_description, core.reference.shipped_format).
INSTITUTION_DESCRIPTIONS: dict[str, str] = {
    "host_hospital": gettext_noop(
        "%(beds)s-bed public hospital serving about %(people)s people in %(region)s."
    ),
    "resource_hospital": gettext_noop(
        "%(beds)s-bed teaching hospital with a global-health office and a long record of partnerships."
    ),
    "ministry": gettext_noop(
        "National ministry responsible for health policy, planning and the public health system."
    ),
    "university": gettext_noop(
        "Trains doctors, nurses and allied health professionals; about %(students)s students."
    ),
    "nursing_school": gettext_noop(
        "Diploma and degree programmes in nursing and midwifery; about %(graduates)s graduates a year."
    ),
    "public_health_agency": gettext_noop(
        "Surveillance, laboratory and outbreak-response services for the region."
    ),
    "community": gettext_noop(
        "Community organisation working with about %(workers)s community health workers."
    ),
    "ngo": gettext_noop("Non-profit organisation supporting health services and health-worker training."),
    "professional_association": gettext_noop(
        "Professional body that sets standards and runs continuing education for its members."
    ),
}
