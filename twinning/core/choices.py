from django.db import models
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    """The two sides of a twinning partnership."""

    HOST = "host", _("Host")
    RESOURCE = "resource", _("Resource")
