"""Every page of the role matrix renders for every demo login after the demo is loaded: real, varied data (signed
and edited plans, reviewed results, verified gifts) must never meet a page or helper that answers 500, and no
rendering helper may have had to fall back (it logs at ERROR when it does; see twinning/core/rendering.py).
"""

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch

from twinning.accounts.models import PartnershipMembership, User
from twinning.contributions.models import Award, Gift, GiftEvidence
from twinning.core.tests.test_role_matrix import MATRIX, url_for
from twinning.exchanges.models import Exchange, MentoringPair
from twinning.interop.models import Dhis2Import, Dhis2Server
from twinning.knowledge.models import Adoption, DisseminationRecord, Document, DocumentVersion, Practice
from twinning.matching.models import DeclaredConflict, MatchingRound, RoundApplicant
from twinning.monitoring.models import Evidence, ImportJob, PeriodReport
from twinning.partnerships.models import Agreement, Partnership, Stakeholder
from twinning.planning.models import Activity, Objective, Plan, PlanIndicator
from twinning.reports.models import ReportJob
from twinning.sustainability.models import AssessmentAction, AssessmentRound, Instrument
from twinning.sustainability.models_transition import FollowUp, GraduationReview
from twinning.testing.weight import Weigher

pytestmark = pytest.mark.django_db

# One login per kind of page a role is shown: every editing control (admin), programme-wide reading (finance),
# a side's coordinator, data entry (member). The other roles see subsets of these pages.
DEMO_LOGINS = [
    "admin@demo.twinning",
    "finance@demo.twinning",
    "host-coordinator@demo.twinning",
    "member@demo.twinning",
]


def first_uuid(queryset: Any) -> Any:
    return queryset.order_by("pk").values_list("uuid", flat=True).first()


def demo_objects(partnership: Partnership) -> dict[str, Any]:
    """URL arguments naming the demo's objects around the flagship partnership (None where the demo has none)."""
    programme = partnership.programme
    plan = Plan.objects.filter(partnership=partnership).order_by("-number").first()
    report = PeriodReport.objects.filter(partnership=partnership).order_by("-period").first()
    round = MatchingRound.objects.filter(programme=programme).order_by("pk").first()
    adoption = PlanIndicator.objects.filter(plan=plan).order_by("pk").first()
    gift = Gift.objects.filter(partnership=partnership).order_by("pk").first()
    practice = Practice.objects.filter(partnerships=partnership).order_by("pk").first()
    document = Document.objects.filter(practice=practice).order_by("pk").first()
    return {
        "partnership_uuid": partnership.uuid,
        "programme_uuid": programme.uuid,
        "institution_uuid": partnership.side_links.get(side="host").institution.uuid,
        "agreement_uuid": first_uuid(Agreement.objects.filter(partnership=partnership)),
        "stakeholder_uuid": first_uuid(Stakeholder.objects.filter(partnership=partnership)),
        "plan_uuid": plan.uuid if plan else None,
        "objective_uuid": first_uuid(Objective.objects.filter(plan=plan)),
        "activity_uuid": first_uuid(Activity.objects.filter(objective__plan=plan)),
        "plan_indicator_uuid": adoption.uuid if adoption else None,
        "indicator_uuid": adoption.indicator.uuid if adoption else None,
        "period_id": report.period if report else None,
        "result_evidence_uuid": first_uuid(Evidence.objects.filter(report=report)),
        "job_uuid": first_uuid(ImportJob.objects.filter(partnership=partnership, period=report.period))
        if report
        else None,
        "round_uuid": round.uuid if round else None,
        "applicant_uuid": first_uuid(RoundApplicant.objects.filter(round=round)),
        "conflict_uuid": first_uuid(DeclaredConflict.objects.filter(programme=programme)),
        "exchange_uuid": first_uuid(Exchange.objects.filter(partnership=partnership)),
        "pair_uuid": first_uuid(MentoringPair.objects.filter(partnership=partnership)),
        "award_uuid": first_uuid(Award.objects.filter(programme=programme)),
        "gift_uuid": gift.uuid if gift else None,
        "assessment_round_uuid": first_uuid(AssessmentRound.objects.filter(partnership=partnership)),
        "action_uuid": first_uuid(AssessmentAction.objects.filter(round__partnership=partnership)),
        "instrument_uuid": first_uuid(Instrument.objects.filter(programme__isnull=True)),
        "evidence_uuid": first_uuid(GiftEvidence.objects.filter(gift=gift)),
        "record_uuid": first_uuid(DisseminationRecord.objects.filter(partnership=partnership)),
        "import_uuid": first_uuid(Dhis2Import.objects.filter(programme=programme)),
        "server_uuid": first_uuid(Dhis2Server.objects.filter(programme=programme)),
        "report_job_uuid": first_uuid(ReportJob.objects.filter(programme=programme)),
        "review_uuid": first_uuid(GraduationReview.objects.filter(partnership__programme=programme)),
        "follow_up_uuid": first_uuid(FollowUp.objects.filter(partnership__programme=programme)),
        **_register_objects(partnership),
        "practice_uuid": practice.uuid if practice else None,
        "document_uuid": document.uuid if document else None,
        "version_uuid": first_uuid(DocumentVersion.objects.filter(document=document)),
        "uidb64": "MQ",
        "token": "set-password",
        "language": "fr",  # the web manifest of one language
    }


def _register_objects(partnership: Partnership) -> dict[str, Any]:
    """The replication register's pages of an adoption of one of the programme's practices (the flagship's own may
    not have spread yet): none until the demo holds published practices, whose adoptions the register records."""
    adoption = (
        Adoption.objects.filter(practice__partnerships__programme=partnership.programme, levels__isnull=False)
        .order_by("pk")
        .select_related("practice")
        .first()
    )
    if adoption is None:
        return {}
    practice = {"practice_uuid": adoption.practice.uuid}
    return {
        "practice_adoption_uuid": adoption.uuid,
        "level_uuid": adoption.levels.order_by("rank").values_list("uuid", flat=True).last(),
        "knowledge:practice_spread#published": practice,
        "knowledge:adoption_create#published": practice,
        "knowledge:adoption_create#published-post": practice,
    }


class Pickers(HTMLParser):
    """The options of every <select> of a page, by the select's name: [(name, [option labels])]."""

    def __init__(self) -> None:
        super().__init__()
        self.selects: list[tuple[str, list[str]]] = []
        self._label: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "select":
            self.selects.append((dict(attrs).get("name") or "", []))
        elif tag == "option" and self.selects:
            self._label = []

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self._label.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._label is not None:
            self.selects[-1][1].append(" ".join("".join(self._label).split()))
            self._label = None


def repeated_choices(html: str) -> list[str]:
    """Choices a picker offers twice under the same label (a person cannot tell which is which)."""
    parser = Pickers()
    parser.feed(html)
    repeated = []
    for name, labels in parser.selects:
        for label, n in Counter(labels).items():
            if n > 1 and label:
                repeated.append(f"{name}: {label!r} {n} times")
    return repeated


class FallbackLog(logging.Handler):
    """Collects what rendering helpers logged when they had to show a value plainly."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render_every_page(
    users: Iterable[User],
    objects: dict[str, Any],
    *,
    login: Callable[[Client, User], None] | None = None,
    weigh: bool = False,
) -> tuple[list[str], list[str]]:
    """GET every page of the role matrix as each user; the failures (5xx, a helper's fallback, a picker offering
    one choice twice; with `weigh`, a page over the slow-link budget) and the pages left out because `objects` lacks
    an argument they need."""
    client = Client(raise_request_exception=False)
    weigher = Weigher(client.get)
    failures: list[str] = []
    missing: set[str] = set()
    handler = FallbackLog()
    logger = logging.getLogger("twinning.core.rendering")
    logger.addHandler(handler)
    try:
        for user in users:
            client.force_login(user)
            for name, (method, _rule) in sorted(MATRIX.items()):
                if method != "get":
                    continue
                try:
                    url = url_for(name, objects)
                except (
                    KeyError,
                    NoReverseMatch,
                ) as exc:  # an argument the objects lack: reported, not rendered
                    missing.add(f"{name} ({exc})")
                    continue
                response = client.get(url)
                if response.status_code >= 500:
                    failures.append(f"{user.email} GET {url}: {response.status_code}")
                elif response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                    for repeated in repeated_choices(response.content.decode()):
                        failures.append(f"{user.email} GET {url}: {repeated}")
                    if weigh:
                        for problem in weigher.weigh(url, response.content).problems():
                            failures.append(f"{user.email} GET {problem}")
                for message in handler.messages:
                    failures.append(f"{user.email} GET {url}: {message}")
                handler.messages.clear()
    finally:
        logger.removeHandler(handler)
    return failures, sorted(missing)


def demo_with_files() -> dict[str, Any]:
    """Load the demo and add what it lacks for every page to open (a scanned register, a finished import, a
    gift's receipt); the URL arguments naming the objects around its flagship partnership."""
    call_command("demo", stdout=StringIO())
    flagship = PartnershipMembership.objects.get(user__email="host-coordinator@demo.twinning").partnership
    # The demo files no scanned documents and runs no background import; one of each lets their pages be opened.
    report = PeriodReport.objects.filter(partnership=flagship).order_by("-period").first()
    gift = Gift.objects.filter(partnership=flagship).order_by("pk").first()
    if report is not None:
        Evidence.objects.create(
            report=report, title="Register", file=SimpleUploadedFile("r.pdf", b"%PDF-1.4")
        )
        ImportJob.objects.create(
            partnership=flagship,
            period=report.period,
            requested_by=User.objects.get(email="member@demo.twinning"),
            source="results.xlsx",
            status=ImportJob.Status.DONE,
            summary="Imported: 2 new, 0 updated, 0 unchanged, 0 conflicts, 0 blank rows skipped.",
            details={"conflicts": [{"row": 3, "label": "HW1 2024Q1", "message": "Kept."}], "total": 1},
        )
    if gift is not None:
        GiftEvidence.objects.create(gift=gift, file=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4"))
    objects = demo_objects(flagship)
    absent = sorted(key for key, value in objects.items() if value is None)
    assert absent == [], f"The demo has no {absent} around its flagship partnership; the pages need one."
    return objects


def test_every_page_renders_for_every_demo_login_after_the_demo():
    objects = demo_with_files()
    users = User.objects.filter(email__in=DEMO_LOGINS).order_by("email")
    # The demo's amounts of data: every page within the slow-link budget (twinning/testing/weight.py) too.
    failures, missing = render_every_page(users, objects, weigh=True)
    assert missing == []
    assert failures == [], "\n".join(failures)
