"""The demo's programme report: the manager has asked for the newest year's report as XLSX, which the task worker
(`twinning db_worker`, started by `make demo`) builds, so the reports page shows a job and its file."""

import random

from twinning.accounts.models import User
from twinning.partnerships.models import Partnership, Programme
from twinning.planning.periods import Frequency
from twinning.reports.selectors import programme_report_periods
from twinning.reports.services import report_job_create


def load_demo(
    *, programme: Programme, partnerships: list[Partnership], users: dict[str, User], rng: random.Random
) -> None:
    """Ask for the programme's report of its newest year that has begun (or its newest period), as the
    programme manager, in English.

    Raises: nothing (the demo's plans give the programme periods to report on; none means no report).
    """
    periods = programme_report_periods(programme)
    if not periods:
        return
    period = next((p for p in periods if p.frequency == Frequency.YEARLY), periods[0])
    manager = users.get("manager@demo.twinning") or next(u for u in users.values() if u.is_superuser)
    report_job_create(actor=manager, programme=programme, period=period, format="xlsx", language="en")
