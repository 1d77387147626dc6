"""Who may use each monitoring URL (see twinning/testing/roles.py)."""

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from twinning.monitoring import services
from twinning.monitoring.models import Evidence, ImportJob, PeriodReport, ReviewComment
from twinning.partnerships.models import Pillar
from twinning.planning.models import Indicator, Objective, Plan, PlanIndicator
from twinning.testing import roles

read = ("get", roles.partnership_read)
# An unapproved period's results and every evidence file (the programme grants readers none): 403 for readers.
insider = ("get", roles.partnership_insider_read)
enter = ("post", roles.partnership_data_entry)
REVIEWERS = {"manager", "me_officer", "admin"}


def review(role: str) -> Any:
    """Approve, return, unlock: the programme's managers and M&E officers only."""
    if role == "anonymous":
        return 302
    if role in roles.OUTSIDERS:
        return 404
    return roles.OK if role in REVIEWERS else 403


def own_import_job(role: str) -> Any:
    """A background import's page: only the member who uploaded the file; 404 for everyone else in scope."""
    answer = roles.partnership_data_entry(role)
    return answer if answer != roles.OK or role == "member" else 404


RULES = {
    "monitoring:due": ("get", roles.signed_in),
    "monitoring:notifications_read": ("post", lambda role: 302),
    "monitoring:programme": ("get", roles.programme_read),
    "monitoring:programme#csv": ("get", roles.programme_read),
    "monitoring:programme#xlsx": ("get", roles.programme_read),
    "monitoring:settings": ("get", roles.programme_write),
    "monitoring:settings#post": ("post", roles.programme_write),
    "monitoring:partnership": read,
    "monitoring:partnership#csv": read,
    "monitoring:partnership#xlsx": read,
    "monitoring:entry": insider,
    "monitoring:entry#approved": read,
    "monitoring:row_save": enter,
    "monitoring:save_all": enter,
    "monitoring:submit": enter,
    "monitoring:narrative": ("post", roles.partnership_write),
    "monitoring:return": ("post", review),
    "monitoring:approve": ("post", review),
    "monitoring:unlock": ("post", review),
    "monitoring:comment_add": enter,
    "monitoring:action_done": enter,
    "monitoring:evidence_add": enter,
    "monitoring:evidence_file": insider,
    "monitoring:evidence_file#approved": insider,
    "monitoring:evidence_delete": enter,
    "monitoring:template": insider,
    "monitoring:template#approved": read,
    "monitoring:upload": ("get", roles.partnership_data_entry),
    "monitoring:upload#post": enter,
    "monitoring:import_job": ("get", own_import_job),
}


def _evidence(report: PeriodReport, uuid: Any = None) -> Evidence:
    return Evidence.objects.create(
        **({"uuid": uuid} if uuid else {}),
        report=report,
        title="Register",
        file=SimpleUploadedFile("register.pdf", b"%PDF-1.4 register"),
    )


def _agreed_plan_in_force(world: Any) -> PlanIndicator:
    """An agreed earlier plan version (number 0), in force while planning's role rules draft version 1."""
    from django.utils import timezone

    plan = Plan.objects.create(
        partnership=world.partnership,
        title="Agreed plan",
        first_year=2024,
        last_year=2026,
        number=0,
        status=Plan.Status.SUPERSEDED,
        agreed_at=timezone.now(),
    )
    pillar, _created = Pillar.objects.get_or_create(
        programme=world.programme, code="capacity", defaults={"name": "Capacity"}
    )
    objective = Objective.objects.create(plan=plan, code="M1", statement="Skilled staff", pillar=pillar)
    indicator = Indicator.objects.create(
        programme=world.programme, code="MON-HW", name="Trained", frequency="quarterly"
    )
    return PlanIndicator.objects.create(plan=plan, objective=objective, indicator=indicator)


def objects(world: Any) -> dict[str, Any]:
    adoption = _agreed_plan_in_force(world)
    services.result_save(
        actor=world.member, plan_indicator=adoption, period="2024Q1", values={"value": Decimal(5)}
    )
    report = PeriodReport.objects.get(partnership=world.partnership, period="2024Q1")
    comment = ReviewComment.objects.create(report=report, author=world.member, body="Check", is_action=True)
    services.result_save(
        actor=world.member, plan_indicator=adoption, period="2024Q2", values={"value": Decimal(7)}
    )
    approved = PeriodReport.objects.get(partnership=world.partnership, period="2024Q2")
    PeriodReport.objects.filter(pk=approved.pk).update(status=PeriodReport.Status.APPROVED)
    approved_evidence = _evidence(approved)
    return {
        "monitoring:entry#approved": {"period_id": "2024Q2"},
        "monitoring:template#approved": {"period_id": "2024Q2"},
        "monitoring:evidence_file#approved": {
            "period_id": "2024Q2",
            "result_evidence_uuid": approved_evidence.uuid,
        },
        "period_id": "2024Q1",
        "adoption_uuid": adoption.uuid,
        "option_key": "total",
        "review_comment_uuid": comment.uuid,
        "result_evidence_uuid": _evidence(report).uuid,
        "job_uuid": ImportJob.objects.create(
            partnership=world.partnership,
            period="2024Q1",
            requested_by=world.member,
            source="results.csv",
            status=ImportJob.Status.DONE,
        ).uuid,
    }


def restore(world: Any, objects: dict[str, Any]) -> None:
    report = PeriodReport.objects.get(partnership=world.partnership, period="2024Q1")
    if report.status != PeriodReport.Status.DRAFT:
        PeriodReport.objects.filter(pk=report.pk).update(status=PeriodReport.Status.DRAFT)
    if not Evidence.objects.filter(uuid=objects["result_evidence_uuid"]).exists():
        _evidence(report, objects["result_evidence_uuid"])
