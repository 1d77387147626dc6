"""Interop records: DHIS2 servers a programme exchanges with, and the DHIS2 imports run (with their summaries)."""

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from twinning.core.models import BackgroundJob, TwinningModel
from twinning.partnerships.models import Partnership, Programme


class Dhis2Server(TwinningModel):
    """A DHIS2 instance a programme sends its results to and fetches values from, over the Web API.

    The password (or personal access token) is stored encrypted (`interop.dhis2.secrets`): the database alone,
    or a backup of it, does not give it away; it is decrypted only for a request to the server.
    """

    class Auth(models.TextChoices):
        BASIC = "basic", _("User name and password")
        TOKEN = "token", _("Personal access token")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="dhis2_servers", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=100)
    base_url = models.URLField(
        _("address"),
        max_length=300,
        validators=[URLValidator(schemes=["https", "http"])],
        help_text=_("The DHIS2 instance's address, e.g. https://dhis2.example.org (without /api)."),
    )
    auth = models.CharField(_("sign-in"), max_length=10, choices=Auth.choices, default=Auth.BASIC)
    username = models.CharField(_("user name"), max_length=150, blank=True)
    secret_encrypted = models.TextField(_("password or token (encrypted)"), blank=True, editable=False)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True, editable=False)
    last_check = models.CharField(_("last check"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("DHIS2 server")
        verbose_name_plural = _("DHIS2 servers")
        ordering = ["programme_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"],
                name="dhis2_server_name_per_programme",
                violation_error_message=_("The programme already has a DHIS2 server with this name."),
                violation_error_code="duplicate_server",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Dhis2Import(BackgroundJob, TwinningModel):
    """One DHIS2 import (a file uploaded, or values fetched from a server): who ran it, how, and its summary in
    DHIS2's shape. A large file waits here for the task worker, which records progress as it reads."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="dhis2_imports", verbose_name=_("programme")
    )
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dhis2_imports",
        verbose_name=_("partnership"),
    )
    server = models.ForeignKey(
        Dhis2Server,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
        verbose_name=_("server"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    source = models.CharField(_("file name"), max_length=200)
    format = models.CharField(_("format"), max_length=4)
    options = models.JSONField(_("options"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to="interop/dhis2/%Y/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    values_read = models.PositiveIntegerField(_("values read"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished"))

    class Meta:
        verbose_name = _("DHIS2 import")
        verbose_name_plural = _("DHIS2 imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} ({self.get_status_display()})"  # type: ignore[attr-defined]
