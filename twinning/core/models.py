import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class TwinningModel(models.Model):
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
