"""Background work: large results uploads are imported by the task worker (`twinning db_worker`)."""

from django.tasks import task

from twinning.monitoring.imports import import_job_run


@task
def import_job_task(job_id: int) -> None:
    # Takes the job's id, not the object: the worker reads the current row.
    import_job_run(job_id)
