"""The shape of one piece of work waiting for someone: what each app's `work_for_user` selector returns.

Each domain app lists the work of its own hand-offs (reports to enter, fix or review, plans to sign, gifts to sign
for or verify, time to verify, exchange rates missing, action items); the project level (`twinning/work.py`)
merges them into one "My work" list. The type lives here, below every app, so that no app imports another's.
"""

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The kinds of work, in the order the navigation counts them; the label says what to do.
KINDS: dict[str, Promise] = {
    "enter": _("Enter results"),
    "fix": _("Fix returned results"),
    "review": _("Review results"),
    "sign_plan": _("Sign the plan"),
    "sign_gift": _("Sign for a gift"),
    "verify_gift": _("Verify a gift"),
    "verify_time": _("Verify volunteer time"),
    "rate_missing": _("Add an exchange rate"),
    "action": _("Action item"),
    "sign_transition": _("Sign the transition plan"),
    "decide_graduation": _("Decide a graduation review"),
    "follow_up": _("Answer a follow-up"),
    "assessment": _("Answer an assessment"),
    "review_practice": _("Review a practice"),
    "confirm_practice": _("Confirm a public practice's changes"),
}


@dataclass(frozen=True)
class WorkItem:
    """One thing a person should do next, with where it belongs and when it is due.

    `kind` is a key of KINDS; `label` says what the item is (a gift's description, an action item's text);
    `partnership` and `period` are display names ("" when the item has none); `due_date` is a date or None
    (no date: listed after the dated items); `overdue` says the due date has passed; `url` is the page where the
    work is done; `waiting_for` says who must act first when the item is blocked ("" when it is not); `date` is
    when the item was handed over (a gift's date of signing, a report's submission; None when unknown): items
    without a due date are listed newest first by it, so a new hand-off is seen at once.
    """

    kind: str
    label: str
    url: str
    partnership: str = ""
    period: str = ""
    due_date: datetime.date | None = None
    overdue: bool = False
    waiting_for: str = ""
    date: datetime.date | None = None

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))


def is_overdue(due_date: datetime.date | None, today: datetime.date) -> bool:
    """True when a due date is set and has passed (`today` itself is not overdue).

    Raises: nothing.
    """
    return due_date is not None and due_date < today
