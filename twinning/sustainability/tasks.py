"""Background work: follow-up reminders, sent by the task worker (`twinning db_worker`).

Tasks take ids, not objects: the worker reads the current rows. Each step is sent at most once whatever runs it
and however often (see follow_ups.follow_up_reminder_send), so queuing a step twice, or a sweep beside it, is safe.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.tasks import task

from twinning.partnerships.selectors import partnership_zones
from twinning.sustainability.follow_ups import follow_up_reminder_send, reminders_send_due, step_dates
from twinning.sustainability.models_transition import FollowUp

# Reminders leave in the morning where the host side is.
SEND_AT = datetime.time(8, 0)


@task
def follow_up_reminder_task(follow_up_id: int, step: str) -> bool:
    return follow_up_reminder_send(follow_up_id=follow_up_id, step=step)


@task
def follow_up_reminders_sweep_task() -> int:
    return reminders_send_due()


def _zone(name: str) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def queue_reminders(follow_up_ids: list[int]) -> int:
    """Queue each reminder step of these follow-ups for the morning of its day where the host side is; returns
    how many were queued. With a backend that cannot defer tasks (the tests' immediate one), nothing is queued:
    the daily sweep (`twinning follow_up_reminders`) sends them when due.

    Raises: nothing.
    """
    if not follow_up_reminder_task.get_backend().supports_defer:
        return 0
    follow_ups = list(FollowUp.objects.filter(pk__in=follow_up_ids))
    zones = partnership_zones({f.partnership_id for f in follow_ups})
    queued = 0
    for follow_up in follow_ups:
        tz = _zone(zones.get(follow_up.partnership_id, ""))
        for step, day in step_dates(follow_up).items():
            run_after = datetime.datetime.combine(day, SEND_AT, tzinfo=tz)
            follow_up_reminder_task.using(run_after=run_after).enqueue(follow_up.pk, str(step))
            queued += 1
    return queued
