"""A job page that polls says so when no task worker has picked its job up for far longer than expected,
instead of saying forever that it updates by itself."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from twinning.interop.models import Dhis2Import
from twinning.monitoring.models import ImportJob
from twinning.monitoring.tests.factories import monitored
from twinning.reports.models import ReportJob

pytestmark = pytest.mark.django_db

WAITING = "Still waiting for the task worker since"


def queued_long_ago(model, job) -> None:
    model.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))


def jobs(world):
    monitored(world)
    report = ReportJob.objects.create(
        programme=world.programme, period="2024", format="pdf", requested_by=world.manager
    )
    dhis2 = Dhis2Import.objects.create(
        programme=world.programme, requested_by=world.manager, source="values.json", format="json"
    )
    results = ImportJob.objects.create(
        partnership=world.partnership, period="2024Q1", requested_by=world.member, source="results.csv"
    )
    return [
        (ReportJob, report, world.manager, reverse("reports:job", args=[report.uuid])),
        (Dhis2Import, dhis2, world.manager, reverse("interop:dhis2_import_detail", args=[dhis2.uuid])),
        (
            ImportJob,
            results,
            world.member,
            reverse("monitoring:import_job", args=[world.partnership.uuid, "2024Q1", results.uuid]),
        ),
    ]


def test_a_job_queued_moments_ago_says_the_page_updates_by_itself(client, world):
    for _model, _job, who, url in jobs(world):
        client.force_login(who)
        page = client.get(url).content.decode()
        assert "updates by itself" in page and WAITING not in page, url


def test_a_job_queued_long_ago_says_the_worker_is_missing_and_keeps_polling(client, world):
    for model, job, who, url in jobs(world):
        queued_long_ago(model, job)
        client.force_login(who)
        for page in (client.get(url), client.get(url, headers={"HX-Request": "true"})):
            text = page.content.decode()
            assert WAITING in text and "twinning db_worker" in text and "hx-trigger" in text, url
            assert "updates by itself;" not in text, url


def test_a_running_job_is_not_reported_as_waiting_for_the_worker(world):
    job = ReportJob.objects.create(
        programme=world.programme, period="2024", format="pdf", status=ReportJob.Status.RUNNING
    )
    queued_long_ago(ReportJob, job)
    job.refresh_from_db()
    assert job.waiting_for_worker_since is None
