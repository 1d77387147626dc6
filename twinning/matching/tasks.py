"""Background work: large rounds are computed by the task worker (`manage.py db_worker`)."""

from django.tasks import task

from twinning.matching.compute import job_execute


@task
def compute_round_task(job_id: int) -> None:
    # Takes the job's id, not the object: the worker reads the current row.
    job_execute(job_id)
