from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        """Events about the object itself and about the records that hang off it (its children)."""
        ct = ContentType.objects.get_for_model(obj)
        key = str(obj.pk)
        return self.filter(
            models.Q(target_type=ct, target_id=key) | models.Q(parent_type=ct, parent_id=key)
        ).select_related("actor", "target_type")


class AuditEvent(models.Model):
    """One change, written by a service in the same transaction as the change itself."""

    class Action(models.TextChoices):
        # Read in a history line as "{action} {kind} {target}"; the context lets a language say it without
        # agreeing with the actor's gender (Russian uses nouns: "изменение: результат …").
        CREATE = "create", pgettext_lazy("history action", "created")
        UPDATE = "update", pgettext_lazy("history action", "changed")
        DELETE = "delete", pgettext_lazy("history action", "deleted")
        STAGE = "stage", pgettext_lazy("history action", "moved stage")
        GRANT = "grant", pgettext_lazy("history action", "granted access")
        REVOKE = "revoke", pgettext_lazy("history action", "revoked access")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("record type")
    )
    target_id = models.CharField(max_length=64, verbose_name=_("record key"))
    target_repr = models.CharField(_("object"), max_length=300)
    # The object's name in each other language where it reads differently ({"fr": "…"}): many names are made
    # of translated words ("answers of host side", "Volunteer time: 3 days"), and the history is read in the
    # reader's language, not the writer's. Empty for names that are the same in every language.
    target_names = models.JSONField(default=dict, blank=True, verbose_name=_("record names"))
    # The record a child belongs to (a stakeholder's partnership), so the parent's page shows the whole history.
    parent_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("parent record type"),
    )
    parent_id = models.CharField(max_length=64, blank=True, verbose_name=_("parent record key"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
            models.Index(fields=["parent_type", "parent_id"], name="audit_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_repr}"
