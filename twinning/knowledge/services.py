"""Writes for the practice library: practices, the publication workflow, documents and their versions.

Each service checks access first (access.practice_access, access.in_practice_partnerships), validates everything,
then saves, audits and rebuilds the practice's search entries in one transaction.
"""

import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from twinning.accounts import access, notices
from twinning.accounts.models import User
from twinning.accounts.notifications import notify
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record
from twinning.core.reference import validate_country
from twinning.core.services import create_with_audit, lock_current, refuse_unknown_fields, update_with_audit
from twinning.core.validators import validate_upload_size
from twinning.directory.models import HealthArea, Institution, Person
from twinning.knowledge.files import inspect_upload
from twinning.knowledge.models import Document, DocumentVersion, Practice, PracticeCountry, PracticeStep
from twinning.knowledge.search import reindex_practice
from twinning.knowledge.selectors import public_text_now
from twinning.partnerships.models import Partnership, PartnershipInstitution, Pillar
from twinning.planning.models import Indicator

S = Practice.Status
PRACTICE_FIELDS = (
    "title",
    "summary",
    "problem",
    "what_was_done",
    "needs_staff",
    "needs_equipment",
    "needs_cost",
    "conditions",
    "results",
    "language",
    "setting",
    "partnerships",
    "institutions",
    "pillars",
    "health_areas",
    "indicators",
    "contact_person",
    "countries",
)
DOCUMENT_FIELDS = ("title", "type", "description", "licence")
# Steps up are approvals and a return or withdrawal tells the authors why: each needs a comment.
COMMENT_REQUIRED = {(S.SUBMITTED, S.PROGRAMME), (S.PROGRAMME, S.PUBLIC), (S.SUBMITTED, S.DRAFT)}


def _check_links(
    *,
    actor: User,
    partnerships: list[Partnership],
    pillars: Iterable[Pillar],
    indicators: Iterable[Indicator],
    countries: Iterable[str],
    known: frozenset[int] = frozenset(),
    institutions: Iterable[Institution] | None = None,
    contact_person: Person | None = None,
) -> dict[str, list[str]]:
    """Partnerships: at least one, all of one programme, each one the actor may write a practice for. Pillars
    and indicators of that programme; a partnership's own indicator only of the practice's partnerships.
    Partnerships in `known` (already behind the practice) need not be the actor's. Institutions behind it are
    sides of its partnerships, and its contact person works at one of them (`None`: not being changed)."""
    errors: dict[str, list[str]] = {}
    if not partnerships:
        return {"partnerships": [_("Choose the partnership (or partnerships) behind the practice.")]}
    programmes = {p.programme_id for p in partnerships}
    allowed = set(
        Partnership.objects.filter(access.in_practice_partnerships(actor, via=""))
        .filter(pk__in=[p.pk for p in partnerships])
        .values_list("pk", flat=True)
    )
    if len(programmes) > 1:
        errors["partnerships"] = [_("Choose partnerships of one programme.")]
    elif any(p.pk not in allowed and p.pk not in known for p in partnerships):
        errors["partnerships"] = [_("Choose partnerships you work in.")]
    programme_id = partnerships[0].programme_id
    if any(p.programme_id != programme_id for p in pillars):
        errors["pillars"] = [_("Choose pillars of the partnership's programme.")]
    own = {p.pk for p in partnerships}
    if any(
        i.programme_id != programme_id or (i.partnership_id is not None and i.partnership_id not in own)
        for i in indicators
    ):
        errors["indicators"] = [_("Choose indicators of the practice's partnerships or their programme.")]
    for code in countries:
        try:
            validate_country(code)
        except ValidationError as exc:
            errors["countries"] = list(exc.messages)
    sides = PartnershipInstitution.objects.filter(partnership__in=[p.pk for p in partnerships])
    wanted = {i.pk for i in institutions or ()}
    if wanted and len(set(sides.filter(institution__in=wanted).values_list("institution", flat=True))) != len(
        wanted
    ):
        errors["institutions"] = [_("Choose institutions on a side of the practice's partnerships.")]
    if contact_person is not None and not sides.filter(institution=contact_person.institution_id).exists():
        errors["contact_person"] = [
            _("Choose a contact person who works at an institution of the practice's partnerships.")
        ]
    return errors


@transaction.atomic
def practice_create(
    *,
    actor: User,
    partnerships: Iterable[Partnership],
    title: str,
    summary: str,
    countries: Iterable[str] = (),
    pillars: Iterable[Pillar] = (),
    health_areas: Iterable[HealthArea] = (),
    indicators: Iterable[Indicator] = (),
    institutions: Iterable[Institution] = (),
    contact_person: Person | None = None,
    **fields: Any,
) -> Practice:
    """Write up a practice (a draft) for one or more partnerships of one programme; the actor is its author.

    `fields` are the other text fields of PRACTICE_FIELDS (problem, what_was_done, ..., language, setting).
    Raises: PermissionDenied (the actor writes practices nowhere), ValidationError, TypeError (unknown field).
    """
    access.require(access.can_create_practice(actor))
    refuse_unknown_fields(fields, PRACTICE_FIELDS, "practice")
    partnerships, pillars, indicators = list(partnerships), list(pillars), list(indicators)
    countries = sorted(set(countries))
    institutions = list(institutions)
    errors = _check_links(
        actor=actor,
        partnerships=partnerships,
        pillars=pillars,
        indicators=indicators,
        countries=countries,
        institutions=institutions,
        contact_person=contact_person,
    )
    practice = Practice(
        programme_id=partnerships[0].programme_id if partnerships else None,  # type: ignore[misc]
        title=title,
        summary=summary,
        contact_person=contact_person,
        author=actor,
        **fields,
    )
    try:
        practice.full_clean(exclude=["programme"] if not partnerships else None)
    except ValidationError as exc:
        errors = {**exc.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    m2m = {
        "partnerships": partnerships,
        "pillars": pillars,
        "health_areas": list(health_areas),
        "indicators": indicators,
        "institutions": institutions,
    }
    # The countries are rows beside the practice: its creation's audit row lists them with its links.
    create_with_audit(actor=actor, obj=practice, m2m=m2m, extra_values={"countries": countries})
    PracticeCountry.objects.bulk_create(PracticeCountry(practice=practice, country=c) for c in countries)
    reindex_practice(practice)
    return practice


@transaction.atomic
def practice_update(
    *, actor: User, practice: Practice, data: dict[str, Any], expected_version: int | None = None
) -> Practice:
    """Change the fields in `data` (names from PRACTICE_FIELDS; many-to-many values as iterables of objects,
    `countries` as ISO codes). A change clears the author's no-personal-data confirmation.

    Raises: Http404, PermissionDenied (members once it left draft), ValidationError, VersionConflict, TypeError.
    """
    rights = _rights(actor, practice)
    rights.require_edit()
    refuse_unknown_fields(data, PRACTICE_FIELDS, "practice")
    data = dict(data)
    countries = sorted(set(data.pop("countries"))) if "countries" in data else None
    known = frozenset(practice.partnerships.values_list("pk", flat=True))
    partnerships = list(data.get("partnerships", practice.partnerships.all()))
    errors = _check_links(
        known=known,
        actor=actor,
        partnerships=partnerships,
        pillars=data.get("pillars", ()),
        indicators=data.get("indicators", ()),
        countries=countries or (),
        institutions=data.get("institutions"),
        contact_person=data.get("contact_person"),
    )
    if partnerships and any(p.programme_id != practice.programme_id for p in partnerships):
        errors["partnerships"] = [_("A practice stays in its programme; choose partnerships of it.")]
    if errors:
        raise ValidationError(errors)
    extra: dict[str, list[Any]] = {}
    if countries is not None:
        before = sorted(practice.countries.values_list("country", flat=True))
        if before != countries:
            extra["countries"] = [before, countries]
    update_with_audit(
        actor=actor, obj=practice, data=data, expected_version=expected_version, extra_changes=extra or None
    )
    if extra:
        practice.countries.all().delete()
        PracticeCountry.objects.bulk_create(
            PracticeCountry(practice=practice, country=c) for c in countries or ()
        )
    _content_changed(practice)
    _ask_the_author_to_confirm_text(actor, practice)
    return practice


def _rights(actor: User, practice: Practice) -> access.PracticeAccess:
    rights = access.practice_access(actor, practice)
    if not rights.can_read:
        raise Http404
    return rights


def _content_changed(practice: Practice) -> None:
    """What was confirmed free of personal data is no longer what is there: the author confirms again."""
    if practice.no_personal_data_confirmed_at is not None:
        Practice.objects.filter(pk=practice.pk).update(no_personal_data_confirmed_at=None)
        practice.no_personal_data_confirmed_at = None
    reindex_practice(practice)


# --- the publication workflow ------------------------------------------------------------------------------


@transaction.atomic
def practice_move(*, actor: User, practice: Practice, to_status: str, comment: str = "") -> PracticeStep:
    """Move the practice one step through draft → submitted → published in the programme → published publicly
    → withdrawn (and back: a submission returned to draft, a withdrawn practice reopened). Who may move each step
    is access.PracticeAccess.can_move; approvals, returns and withdrawals need a comment; public publication
    needs the author's confirmation that it holds no patient or personal data.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    current = lock_current(practice)
    rights = _rights(actor, current)
    comment = comment.strip()
    access.require(to_status in S.values)
    rights.require_move(to_status)
    errors: list[str] = []
    if ((current.status, to_status) in COMMENT_REQUIRED or to_status == S.WITHDRAWN) and not comment:
        errors.append(_("Write a comment: the authors read it with the decision."))
    if to_status == S.PUBLIC and current.no_personal_data_confirmed_at is None:
        errors.append(
            _(
                "The author has not confirmed yet that the practice and its documents hold no patient or personal data."
            )
        )
    if errors:
        raise ValidationError({"comment": errors})
    step = PracticeStep.objects.create(
        practice=current, from_status=current.status, to_status=to_status, actor=actor, comment=comment
    )
    changes: dict[str, list[Any]] = {"status": [current.status, to_status]}
    current.status = to_status
    current.version += 1
    update_fields = ["status", "version", "updated_at"]
    if to_status == S.PUBLIC:
        current.published_at = timezone.now()
        # The author's confirmation, required above, covers the text as it is now (no change since clears it):
        # the public reads this copy until the author confirms a later one.
        current.public_text = public_text_now(current)
        current.public_text_cleared_at = current.no_personal_data_confirmed_at
        update_fields += ["published_at", "public_text", "public_text_cleared_at"]
    from_status = step.from_status
    current.save(update_fields=update_fields)
    if to_status == S.PUBLIC:
        # The author's confirmation, required above, covers every file the practice has now.
        DocumentVersion.objects.filter(document__practice=current, cleared_at__isnull=True).update(
            cleared_at=current.no_personal_data_confirmed_at
        )
    if S.PUBLIC in (from_status, to_status):
        # The public copy of its search entries is made or dropped.
        reindex_practice(current)
    practice.status, practice.version, practice.published_at = (
        current.status,
        current.version,
        current.published_at,
    )
    practice.public_text, practice.public_text_cleared_at = (
        current.public_text,
        current.public_text_cleared_at,
    )
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=current, changes=changes, reason=comment)
    _tell_the_author(actor, current, step)
    return step


def _tell_the_author(actor: User, practice: Practice, step: PracticeStep) -> None:
    """The author learns of every step of their practice (unless they took it), in their own language, with the
    reviewer's comment."""
    # The demo's titles and comments are shipped texts: each reader sees them in their own language.
    params = {
        "title": notices.shipped(practice.title),
        "from": notices.shipped(S(step.from_status).label),
        "to": notices.shipped(S(step.to_status).label),
    }
    if step.comment:
        params["comment"] = notices.shipped(step.comment)
        message = notices.Notice(
            gettext_noop("Your practice “%(title)s”: %(from)s → %(to)s. %(comment)s"), params
        )
    else:
        message = notices.Notice(gettext_noop("Your practice “%(title)s”: %(from)s → %(to)s."), params)
    notify(
        [practice.author],
        actor=actor,
        message=message,
        url=reverse("knowledge:detail", args=[practice.uuid]),
    )


def _ask_the_author_to_confirm(actor: User, practice: Practice, version: DocumentVersion) -> None:
    """A file added to a public practice shows publicly only once the author confirms it holds no patient or
    personal data: the author is asked (unless they added it), in their own language."""
    notify(
        [practice.author],
        actor=actor,
        message=notices.notice(
            gettext_noop(
                "A file (%(file)s) was added to your public practice “%(title)s”. It shows publicly once you "
                "confirm that it holds no patient or personal data."
            ),
            file=notices.text(version.file_name),
            title=notices.text(practice.title),
        ),
        url=reverse("knowledge:detail", args=[practice.uuid]),
    )


def _ask_the_author_to_confirm_text(actor: User, practice: Practice) -> None:
    """An edit to a public practice shows publicly only once the author confirms it holds no patient or personal
    data: the author is asked (unless they made it), in their own language."""
    if practice.status != S.PUBLIC:
        return
    notify(
        [practice.author],
        actor=actor,
        message=notices.notice(
            gettext_noop(
                "Your public practice “%(title)s” was changed. The public page keeps showing the earlier text "
                "until you confirm that the new text holds no patient or personal data."
            ),
            title=notices.text(practice.title),
        ),
        url=reverse("knowledge:detail", args=[practice.uuid]),
    )


@transaction.atomic
def practice_confirm_no_personal_data(*, actor: User, practice: Practice) -> Practice:
    """The author states that the practice and every document hold no patient or personal data (required before
    public publication; a later change of content or documents clears it). It covers every file there is now
    (DocumentVersion.cleared_at) and the text as it is now (Practice.public_text): on a public practice, the
    files added and the text changed since then show publicly from now on (pages, search, link previews).

    Raises: Http404, PermissionDenied.
    """
    current = lock_current(practice)
    access.require(_rights(actor, current).can_confirm_no_personal_data())
    now = timezone.now()
    before = current.public_text_cleared_at
    current.no_personal_data_confirmed_at = now
    current.public_text = public_text_now(current)
    current.public_text_cleared_at = now
    current.save(update_fields=["no_personal_data_confirmed_at", "public_text", "public_text_cleared_at"])
    practice.no_personal_data_confirmed_at = now
    practice.public_text, practice.public_text_cleared_at = current.public_text, now
    # The confirmation covers every file there is now: on a public practice, the files added since show publicly.
    DocumentVersion.objects.filter(document__practice=current, cleared_at__isnull=True).update(cleared_at=now)
    changes: dict[str, list[Any]] = {"no_personal_data_confirmed_at": [None, now.isoformat()]}
    if current.status == S.PUBLIC:
        changes["public_text_cleared_at"] = [before.isoformat() if before else None, now.isoformat()]
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=current, changes=changes)
    # The public copy of its search entries now holds this text and these files.
    reindex_practice(current)
    return practice


# --- documents ------------------------------------------------------------------------------------------


def _new_version(
    *, actor: User, document: Document, language: str, file: UploadedFile, note: str, number: int
) -> DocumentVersion:
    errors: dict[str, list[str]] = {}
    try:
        validate_upload_size(file)
        inspected = inspect_upload(file, file.name or "")
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    version = DocumentVersion(
        document=document,
        language=language,
        number=number,
        file=file,
        file_name=(file.name or "")[-255:],
        file_type=inspected.file_type,
        size=file.size or 0,
        sha256=digest.hexdigest(),
        note=note,
        text=inspected.text,
        extraction=inspected.extraction,
        uploaded_by=actor,
    )
    try:
        version.full_clean(exclude=["document"])
    except ValidationError as exc:
        errors = exc.message_dict
    if errors:
        raise ValidationError(errors)
    version.save()
    if document.practice.status == S.PUBLIC:
        _ask_the_author_to_confirm(actor, document.practice, version)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=version,
        changes={
            "language": [None, language],
            "number": [None, number],
            "file_name": [None, version.file_name],
        },
        parent=document.practice,
    )
    return version


@transaction.atomic
def document_create(
    *,
    actor: User,
    practice: Practice,
    title: str,
    type: str,
    language: str,
    file: UploadedFile,
    description: str = "",
    licence: str = Document.Licence.CC_BY,
    note: str = "",
) -> Document:
    """Attach a document to the practice with its first file (version 1 of the edition in `language`); its text
    is extracted for search.

    Raises: Http404, PermissionDenied, ValidationError (a refused file: type, size, unsafe content).
    """
    _rights(actor, practice).require_edit()
    document = Document(practice=practice, title=title, type=type, description=description, licence=licence)
    errors: dict[str, list[str]] = {}
    try:
        document.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict
    try:
        DocumentVersion(language=language).clean_fields(
            exclude=[f.name for f in DocumentVersion._meta.fields if f.name != "language"]
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    create_with_audit(actor=actor, obj=document, parent=practice)
    _new_version(actor=actor, document=document, language=language, file=file, note=note, number=1)
    _content_changed(practice)
    return document


@transaction.atomic
def document_update(
    *, actor: User, document: Document, data: dict[str, Any], expected_version: int | None = None
) -> Document:
    """Change a document's title, type, description or licence.

    Raises: Http404, PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    _rights(actor, document.practice).require_edit()
    refuse_unknown_fields(data, DOCUMENT_FIELDS, "document")
    update_with_audit(
        actor=actor, obj=document, data=data, expected_version=expected_version, parent=document.practice
    )
    _content_changed(document.practice)
    _ask_the_author_to_confirm_text(actor, document.practice)
    return document


@transaction.atomic
def document_version_add(
    *, actor: User, document: Document, language: str, file: UploadedFile, note: str = ""
) -> DocumentVersion:
    """Upload a new version of the document's edition in `language` (a first one starts a new language
    edition); earlier versions stay readable.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    _rights(actor, document.practice).require_edit()
    lock_current(document)
    latest = document.versions.filter(language=language).aggregate(n=Max("number"))["n"] or 0
    version = _new_version(
        actor=actor, document=document, language=language, file=file, note=note, number=latest + 1
    )
    _content_changed(document.practice)
    return version


# A User-Agent naming itself so is a robot, not a reader (search engines, link checkers, archivers).
_ROBOT_WORDS = ("bot", "crawler", "spider")
# A reader downloading the same file twice in a day (a second device tab, a retry) is one reader.
DOWNLOAD_COUNTED_FOR = 24 * 60 * 60


def download_is_a_readers(
    *,
    user: Any,
    practice: Practice,
    version: DocumentVersion,
    method: str,
    range_header: str,
    user_agent: str,
) -> bool:
    """Whether a download shows a reader's interest: a GET (not HEAD), not the continuation of an interrupted
    download (a Range starting past the first byte), not a robot (its User-Agent says bot, crawler or spider),
    and not by the practice's own people (access.is_practice_insider: its author, the file's uploader, the
    programme's staff, an administrator).

    Raises: nothing.
    """
    if method != "GET":
        return False
    start = range_header.strip().lower().removeprefix("bytes=").split("-", 1)[0].strip()
    if range_header and start not in ("", "0"):
        return False
    agent = user_agent.lower()
    if any(word in agent for word in _ROBOT_WORDS):
        return False
    return not access.is_practice_insider(user, practice, uploader_id=version.uploaded_by_id)


def document_download_counted(version: DocumentVersion, *, reader: str) -> bool:
    """Count one download of the version by `reader` (a signed-in user's or a session's key), once a day per
    reader and version (the view has checked access and `download_is_a_readers`). One UPDATE, no audit row: a
    download changes nothing, and counting stays inside Twinning (no third-party analytics). Whether it
    counted.

    Raises: nothing.
    """
    key = "knowledge-download:" + hashlib.sha256(f"{version.pk}:{reader}".encode()).hexdigest()
    if not cache.add(key, 1, timeout=DOWNLOAD_COUNTED_FOR):
        return False
    DocumentVersion.objects.filter(pk=version.pk).update(downloads=F("downloads") + 1)
    return True
