import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _


def _choice_labels(field: models.Field) -> dict[Any, Any]:
    # The field's choices as value -> label, built once per field and kept on it: the labels stay lazy, so each
    # is translated when shown, in the reader's language.
    labels = field.__dict__.get("_twinning_choice_labels")
    if labels is None:
        labels = {make_hashable(value): label for value, label in field.flatchoices}
        field.__dict__["_twinning_choice_labels"] = labels
    return labels


class ChoiceDisplay(models.Model):
    """`get_<field>_display()` that translates only the label it returns.

    Django's builds a dict of every choice on each call, hashing each lazy label on the way, which translates
    every label of the field: a page with a status per row translated the whole list of statuses for each row
    (about a tenth of the plan page's rendering). Same result: the label of the stored value, else the value.
    """

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> Any:
        if not isinstance(field.choices, list | tuple):  # callable choices may change: Django's way
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        value = getattr(self, field.attname)
        return force_str(_choice_labels(field).get(make_hashable(value), value), strings_only=True)


class TwinningModel(ChoiceDisplay):
    """Base for every record people create or edit.

    The UUID is the public name of a row (URLs, API, offline clients may generate it);
    integer keys stay internal. `version` grows on every update so that two people (or an
    offline client syncing late) editing the same row are detected rather than overwritten.
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class BackgroundJob:
    """For a job row the task worker picks up (`status` with QUEUED and RUNNING, and `created_at`).

    The worker takes a queued job within seconds; a job still queued long after that means no worker runs (it
    died, or was never started), and a page that keeps saying it "updates by itself" would then wait forever
    without telling anyone. `waiting_for_worker_since` lets the page say so (core/includes/worker_waiting.html).
    """

    # Far longer than the worker takes to pick a job up when it runs (it polls every second or so).
    WORKER_WAIT = timedelta(minutes=2)

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)  # type: ignore[attr-defined]

    @property
    def waiting_for_worker_since(self) -> datetime | None:
        """When the job was queued, if it has waited far longer than expected; otherwise None."""
        if self.status != self.Status.QUEUED:  # type: ignore[attr-defined]
            return None
        created: datetime | None = self.created_at  # type: ignore[attr-defined]
        if created is None or timezone.now() - created < self.WORKER_WAIT:
            return None
        return created
