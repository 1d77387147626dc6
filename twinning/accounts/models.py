import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from twinning.accounts import notices
from twinning.core.choices import Choices, Side


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who signs in. Login is by email; there is no username."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # Blank follows the browser (Accept-Language) or the language chooser; set, it wins everywhere the person
    # is signed in and is the language of every email and notification written to them.
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=settings.LANGUAGES, default=""
    )
    # The language of the person's last signed-in page (accounts.middleware records it when it changes): what
    # emails to them are written in when they have not chosen a language (accounts.notifications).
    last_language = models.CharField(
        _("last language used"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        default="",
        editable=False,
    )
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class ProgrammeRole(models.Model):
    """A user's role on the programme staff; it gives sight of every partnership of the programme."""

    class Role(Choices):
        MANAGER = "manager", _("Programme manager")
        ME_OFFICER = "me_officer", _("M&E officer")
        FINANCE_OFFICER = "finance_officer", _("Finance officer")
        VIEWER = "viewer", _("Viewer")

    # Roles that may change the programme's partnerships; finance officers and viewers read only here.
    EDITOR_ROLES = (Role.MANAGER, Role.ME_OFFICER)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="programme_roles",
        verbose_name=_("user"),
    )
    programme = models.ForeignKey(
        "partnerships.Programme",
        on_delete=models.CASCADE,
        related_name="staff_roles",
        verbose_name=_("programme"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("programme role")
        verbose_name_plural = _("programme roles")
        # One role per person and programme keeps "what may I do here" unambiguous.
        constraints = [
            models.UniqueConstraint(
                fields=["user", "programme"],
                name="one_role_per_programme",
                violation_error_message=_(
                    "This person already has a role in the programme: change that role."
                ),
                violation_error_code="duplicate_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.programme}"


class PartnershipMembership(models.Model):
    """A user's place in one partnership, on one side (host or resource)."""

    class Role(Choices):
        COORDINATOR = "coordinator", _("Coordinator")
        MEMBER = "member", _("Member")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("partnership"),
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))

    class Meta:
        verbose_name = _("partnership membership")
        verbose_name_plural = _("partnership memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partnership"],
                name="one_membership_per_partnership",
                violation_error_message=_(
                    "This person is already a member of the partnership: change their role or side instead."
                ),
                violation_error_code="duplicate_membership",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "side", "role"], name="membership_side_role")]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} ({self.side}) - {self.partnership}"


class Notification(models.Model):
    """An in-app notice to one person (the same event is also emailed): a hand-off that waits for them.

    It lives with the users, below every domain app, so that each app's services notify the next person
    (`twinning.accounts.notifications.notify`) without importing another app.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    # Before message ids, the text itself, written once in one language; now the English wording, shown only
    # if the message id cannot be worded. Rows written before have no message id and show this text.
    message = models.CharField(_("message"), max_length=300)
    # What the notice says (accounts.notices): an English message id and its parameters, worded when shown in
    # the reader's language.
    message_id = models.CharField(_("message id"), max_length=500, blank=True, default="", editable=False)
    message_plural = models.CharField(
        _("plural message id"), max_length=500, blank=True, default="", editable=False
    )
    params = models.JSONField(_("parameters"), null=True, blank=True, editable=False)
    url = models.CharField(max_length=300, blank=True, verbose_name=_("link"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read on"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        # The unread count is asked on pages; the index keeps it a cheap lookup.
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.shown_message

    @property
    def shown_message(self) -> str:
        """The notice in the reader's (active) language; the stored text for a row written before message ids.
        Every display goes through here. Raises: nothing."""
        return notices.word(self.message_id, self.message_plural, self.params, fallback=self.message)


def hash_token(raw: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough; a slow KDF would only slow every API call.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the token is shown once, when created."""

    PREFIX = "tw_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(
        max_length=64, unique=True, editable=False, verbose_name=_("token fingerprint")
    )
    hint = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def generate() -> str:
        return ApiToken.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def mark_used(self) -> None:
        now = timezone.now()
        # Writing on every call would make each API read a write; once a minute is enough to show use.
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
