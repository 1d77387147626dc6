"""What the graduation criteria read from the assessment rounds: the latest transition-readiness score and the
joint actions past their due date."""

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.utils import timezone

from twinning.partnerships.models import Partnership
from twinning.sustainability.models import AssessmentAction, Instrument
from twinning.sustainability.scores import score_round
from twinning.sustainability.selectors import latest_round_scores


def latest_readiness(partnership: Partnership) -> tuple[str, datetime.date, Decimal] | None:
    """(round title, date both sides had submitted, combined score 0-100 to one decimal) of the partnership's
    newest completed transition-readiness round, or None when there is none (four or five queries).

    Raises: nothing.
    """
    found = latest_round_scores(partnership=partnership, kind=Instrument.Kind.READINESS)
    if found is None or found.overall.combined is None:
        return None
    done = max(d for d in (found.round.host_submitted_at, found.round.resource_submitted_at) if d is not None)
    score = score_round(found.overall.combined)
    assert score is not None
    return found.round.shown_title, timezone.localdate(done), score


def overdue_joint_actions(
    partnership: Partnership, today: datetime.date
) -> Iterator[tuple[str, datetime.date | None]]:
    """(title, due date) of the partnership's joint actions still open (open or in progress) and past due.

    Raises: nothing.
    """
    yield from (
        AssessmentAction.objects.filter(
            round__partnership=partnership,
            status__in=[AssessmentAction.Status.OPEN, AssessmentAction.Status.IN_PROGRESS],
            due_date__lt=today,
        )
        .order_by("due_date", "id")
        .values_list("title", "due_date")
    )
