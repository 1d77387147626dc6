"""How Twinning's concepts map to IATI 2.03 codes, in both directions (export and import).

Sources: IATI codelists ActivityStatus, OrganisationRole, OrganisationType, IndicatorMeasure, ResultType and the
OECD DAC 5-digit Sector list (vendored in codelists/); the health-area mapping is ours, chosen from the DAC
purpose codes' own descriptions (for example laboratories and equipment fall under 12191 Medical services).
"""

from twinning.directory.models import Institution
from twinning.partnerships.models import Stage
from twinning.planning.models import Indicator

# Our extension: which side of the partnership a participating organisation is on. IATI lets publishers add
# attributes in their own namespace (the schema's anyAttribute ##other); other readers ignore it.
TWINNING_NS = "https://twinning.health/ns/iati/1"
SIDE_ATTRIBUTE = f"{{{TWINNING_NS}}}side"
# The lifecycle stage itself, beside the IATI status it maps to (several stages share one status).
STAGE_ATTRIBUTE = f"{{{TWINNING_NS}}}stage"
# On a description we wrote because the partnership has none (its shared goal is empty).
GENERATED_ATTRIBUTE = f"{{{TWINNING_NS}}}generated"

STAGE_STATUS: dict[str, str] = {
    Stage.SCOPING: "1",
    Stage.MATCHING: "1",
    Stage.AGREEMENT: "1",
    Stage.PLANNING: "1",
    Stage.IMPLEMENTATION: "2",
    Stage.TRANSITION: "3",
    Stage.GRADUATED: "4",
    Stage.CLOSED: "4",
}
# The stage an imported activity starts in, by its IATI status (5 "cancelled" and 6 "suspended" end it).
STATUS_STAGE: dict[str, str] = {
    "1": Stage.PLANNING,
    "2": Stage.IMPLEMENTATION,
    "3": Stage.TRANSITION,
    "4": Stage.GRADUATED,
    "5": Stage.CLOSED,
    "6": Stage.CLOSED,
}


def stage_of(status: str, stage: str = "") -> str | None:
    """The stage an activity status (and our own stage attribute, when it agrees with the status) says."""
    if stage in Stage.values and STAGE_STATUS.get(stage) == status:
        return stage
    return STATUS_STAGE.get(status)


HEALTH_AREA_SECTOR = {
    "maternal-newborn": "13020",  # Reproductive health care
    "child-health": "12220",  # Basic health care
    "emergency-care": "12191",  # Medical services
    "surgery-anaesthesia": "12191",
    "infectious-disease": "12250",  # Infectious disease control
    "ncd": "12350",  # Other prevention and treatment of NCDs
    "mental-health": "12340",  # Promotion of mental health and well-being
    "oncology": "12191",
    "nursing-midwifery": "12281",  # Health personnel development
    "primary-care": "12220",
    "community-health": "12261",  # Health education
    "laboratory": "12191",
    "pharmacy": "12220",
    "infection-prevention": "12250",
    "quality-safety": "12110",  # Health policy and administrative management
    "health-information": "12196",  # Health statistics and data
    "health-management": "12110",
    "health-workforce": "12181",  # Medical education/training
    "biomedical-engineering": "12230",  # Basic health infrastructure
    "public-health": "12250",
    "rehabilitation": "12191",
    "research": "12182",  # Medical research
}
# A partnership whose plan and host institutions name no health area is health in general.
DEFAULT_SECTOR = "12110"
SECTOR_VOCABULARY_DAC5 = "1"

INSTITUTION_ORG_TYPE: dict[str, str] = {
    Institution.Type.HOSPITAL: "15",
    Institution.Type.UNIVERSITY: "80",
    Institution.Type.NURSING_SCHOOL: "80",
    Institution.Type.MINISTRY: "10",
    Institution.Type.PUBLIC_HEALTH_AGENCY: "15",
    Institution.Type.PROFESSIONAL_ASSOCIATION: "22",
    Institution.Type.NGO: "22",
    Institution.Type.COMMUNITY: "24",
    Institution.Type.OTHER: "90",
}
ORG_TYPE_INSTITUTION: dict[str, str] = {
    "10": Institution.Type.MINISTRY,
    "11": Institution.Type.MINISTRY,
    "15": Institution.Type.PUBLIC_HEALTH_AGENCY,
    "21": Institution.Type.NGO,
    "22": Institution.Type.NGO,
    "23": Institution.Type.NGO,
    "24": Institution.Type.COMMUNITY,
    "80": Institution.Type.UNIVERSITY,
}

ROLE_FUNDING, ROLE_ACCOUNTABLE, ROLE_EXTENDING, ROLE_IMPLEMENTING = "1", "2", "3", "4"

MEASURE_CODE: dict[str, str] = {
    Indicator.Measure.NUMBER: "1",  # Unit
    Indicator.Measure.PERCENTAGE: "2",  # Percentage
    Indicator.Measure.YES_NO: "1",
    Indicator.Measure.QUALITATIVE: "5",  # Qualitative
}
CODE_MEASURE: dict[str, str] = {
    "1": Indicator.Measure.NUMBER,
    "2": Indicator.Measure.PERCENTAGE,
    "3": Indicator.Measure.NUMBER,  # Nominal
    "4": Indicator.Measure.NUMBER,  # Ordinal
    "5": Indicator.Measure.QUALITATIVE,
}
RESULT_TYPE_OUTCOME = "2"
# Activity date types: 1 planned start, 2 actual start, 3 planned end, 4 actual end.
DATE_PLANNED_START, DATE_ACTUAL_START, DATE_PLANNED_END, DATE_ACTUAL_END = "1", "2", "3", "4"
TRANSACTION_INCOMING_COMMITMENT = "11"
BUDGET_TYPE_ORIGINAL = "1"
BUDGET_STATUS_INDICATIVE = "1"
# A practice's public page, linked as a document (FileFormat: an IANA media type; DocumentCategory A08 "Results,
# outcomes and outputs": a practice is what a partnership's results taught it).
DOCUMENT_FORMAT = "text/html"
DOCUMENT_CATEGORY_PRACTICE = "A08"
