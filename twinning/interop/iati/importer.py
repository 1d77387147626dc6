"""Importing another publisher's IATI activity file: partnerships by `iati-identifier`, institutions by
organisation reference, plans with indicators, baselines, targets and actuals, written only through the apps'
services (so every rule, permission and audit row applies).

One code path for the dry run and the import, in one pass over the file: the reader streams the activities
one at a time (see reader.py) and each is written as soon as it is read, all in one transaction, which a dry
run (or any problem, found by the reader or by a service, however late in the file) rolls back. So memory
follows the largest activity, not the file; a dry run shows exactly what would change, including what the
services would refuse; nothing is written unless everything can be; and a second import of the same file
changes nothing (each write happens only where the stored value differs). Once the reader has found a
problem in the file, the rest is only read (for its problems), and the summary holds the file's problems
alone, as if nothing had been tried.

Which organisation is on which side: our own attribute (twinning:side, written by our export) when present;
else implementing organisations (role 4) in a recipient country are the host side and the other implementing
ones the resource side; a file without implementing organisations gives the accountable one (role 2, often
the host government) as host and the extending one (role 3) as resource. Funders are never a side.
"""

import contextlib
import uuid as uuid_module
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from twinning.accounts.access import programme_access, require
from twinning.accounts.models import User
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record
from twinning.core.reference import country_name
from twinning.directory.models import Institution
from twinning.directory.services import institution_create, institution_update
from twinning.interop.iati import mapping as m
from twinning.interop.iati.codelists import codes
from twinning.interop.iati.plans import PlanImporter
from twinning.interop.iati.reader import ActivityIn, FileIn, FileRefused, OrganisationIn, read_file
from twinning.interop.iati.rules import Problem
from twinning.partnerships.models import Partnership, Programme, Stage
from twinning.partnerships.services import (
    partnership_create,
    partnership_sides_set,
    partnership_stage_change,
    partnership_update,
)


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do): changes in words, counts, problems, what is left out or
    waits (`warnings`) and the IATI rules the file breaks where the import does not need them (`rule_breaks`:
    they do not stop it), each with the path of the element it is about."""

    dry_run: bool
    changes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rule_breaks: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def outcome(self) -> str:
        """The outcome in one sentence, as the page and the API say it: refused, imported with so many changes
        (as many as `counts` adds up to), or nothing changed and why; a dry run says what an import would do."""
        if self.problems:
            return _("The file cannot be imported as it is:") if self.dry_run else _("Nothing was imported:")
        n = sum(self.counts.values())
        if n and self.written:
            return ngettext("Imported: %(n)s change made.", "Imported: %(n)s changes made.", n) % {"n": n}
        if n:
            return ngettext(
                "The file can be imported. Importing it would make %(n)s change:",
                "The file can be imported. Importing it would make %(n)s changes:",
                n,
            ) % {"n": n}
        if self.written and self.warnings:
            return _(
                "Nothing changed: everything in the file that can be imported is already recorded; what is left "
                "out or waiting is listed below."
            )
        if self.written:
            return _("Nothing changed: every value in the file is already recorded.")
        if self.warnings:
            return _(
                "Importing this file would change nothing: everything in it that can be imported is already "
                "recorded; what is left out or waiting is listed below."
            )
        return _("Importing this file would change nothing: every value in it is already recorded.")

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def change(self, what: str, text: str) -> None:
        self.count(what)
        self.changes.append(text)

    def refuse(self, path: str, exc: Exception) -> None:
        """A service's refusal, as problems at `path`."""
        if isinstance(exc, ValidationError):
            messages = (
                [
                    f"{k}: {' '.join(v)}" if k != "__all__" else " ".join(v)
                    for k, v in exc.message_dict.items()
                ]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
        else:
            messages = [str(exc) or _("You may not change this.")]
        self.problems += [Problem(path, message) for message in messages]


class _Rollback(Exception):
    pass


def _country_of(org: OrganisationIn) -> str:
    """The country an organisation reference names by its registration agency ("GB-CHC-…" is British)."""
    prefix = org.ref[:2].upper()
    return prefix if len(org.ref) > 2 and org.ref[2] == "-" and prefix in codes("Country") else ""


def _sides(activity: ActivityIn) -> dict[str, list[OrganisationIn]]:
    marked = [o for o in activity.organisations if o.side in ("host", "resource")]
    if marked:
        return {side: [o for o in marked if o.side == side] for side in ("host", "resource")}
    implementing = [o for o in activity.organisations if o.role == m.ROLE_IMPLEMENTING]
    if implementing:
        hosts = [o for o in implementing if _country_of(o) in activity.countries] or implementing[:1]
        return {"host": hosts, "resource": [o for o in implementing if o not in hosts]}
    return {
        "host": [o for o in activity.organisations if o.role == m.ROLE_ACCOUNTABLE],
        "resource": [o for o in activity.organisations if o.role == m.ROLE_EXTENDING],
    }


class Importer:
    """One import run inside a transaction; fills `summary` as it goes."""

    def __init__(
        self, actor: User, programme: Programme, summary: ImportSummary, default_country: str
    ) -> None:
        self.actor = actor
        self.programme = programme
        self.summary = summary
        self.default_country = default_country
        self.plans = PlanImporter(actor, programme, summary)

    def institution(self, org: OrganisationIn, side: str, activity: ActivityIn) -> Institution | None:
        if not org.name and not org.ref:
            self.summary.problems.append(
                Problem(org.path, _("The organisation has neither a name nor a reference."))
            )
            return None
        found = (
            Institution.objects.filter(iati_org_id=org.ref).first()
            if org.ref
            else Institution.objects.filter(name__iexact=org.name).order_by("pk").first()
        )
        try:
            if found is None:
                return self._new_institution(org, side, activity)
            if org.name and found.name != org.name:
                found = institution_update(actor=self.actor, institution=found, data={"name": org.name[:255]})
                self.summary.change(
                    "institutions_updated",
                    _("Rename institution %(ref)s to %(name)s") % {"ref": org.ref, "name": org.name},
                )
        except (ValidationError, PermissionDenied) as exc:
            self.summary.refuse(org.path, exc)
            return None
        return found

    def _new_institution(self, org: OrganisationIn, side: str, activity: ActivityIn) -> Institution | None:
        # A host is in the country the activity benefits; a resource institution's country only its
        # reference (or the person importing) can tell.
        country = _country_of(org)
        if not country and side == "host":
            country = (activity.countries[:1] or [""])[0]
        country = country or self.default_country
        if not country:
            self.summary.problems.append(
                Problem(
                    org.path,
                    _(
                        "The file does not say which country %(name)s is in: add it to the directory with its IATI "
                        "identifier %(ref)s, or choose a country for such organisations, and import again."
                    )
                    % {"name": org.name or org.ref, "ref": org.ref or "-"},
                )
            )
            return None
        institution = institution_create(
            actor=self.actor,
            name=(org.name or org.ref)[:255],
            type=m.ORG_TYPE_INSTITUTION.get(org.type, Institution.Type.OTHER),
            country=country,
            iati_org_id=org.ref,
        )
        self.summary.change(
            "institutions_created",
            _("Add institution %(name)s (%(country)s) to the directory")
            % {"name": institution.name, "country": country_name(country)},
        )
        return institution

    def find_partnership(self, identifier: str) -> Partnership | None:
        """By its imported identifier, or as our own export names it ("<organisation>-<uuid>")."""
        query = Q(iati_identifier=identifier)
        prefix = f"{self.programme.iati_org_id}-"
        if self.programme.iati_org_id and identifier.startswith(prefix):
            with contextlib.suppress(ValueError):
                query |= Q(uuid=uuid_module.UUID(identifier.removeprefix(prefix)), programme=self.programme)
        return Partnership.objects.filter(query).select_related("programme").first()

    def activity(self, activity: ActivityIn) -> None:
        sides = _sides(activity)
        institutions = {
            side: [i for o in orgs if (i := self.institution(o, side, activity)) is not None]
            for side, orgs in sides.items()
        }
        if not sides["host"] or not sides["resource"]:
            self.summary.problems.append(
                Problem(
                    activity.path,
                    _(
                        "A partnership needs institutions on both sides: the file names no %(side)s organisation "
                        "(implementing organisations, or the accountable and extending ones)."
                    )
                    % {"side": _("host") if not sides["host"] else _("resource")},
                )
            )
            return
        if len(institutions["host"]) < len(sides["host"]) or len(institutions["resource"]) < len(
            sides["resource"]
        ):
            return
        partnership = self.find_partnership(activity.identifier)
        try:
            if partnership is None:
                partnership = self._create(activity, institutions)
            else:
                self._update(partnership, activity, institutions)
        except (ValidationError, PermissionDenied) as exc:
            self.summary.refuse(activity.path, exc)
            return
        if partnership is not None:
            self.plans.activity(partnership, activity)

    def _create(self, activity: ActivityIn, institutions: dict[str, list[Institution]]) -> Partnership:
        partnership = partnership_create(
            actor=self.actor,
            programme=self.programme,
            title=activity.title[:255],
            hosts=institutions["host"],
            resources=institutions["resource"],
            shared_goal=activity.description,
            start_date=activity.planned_start,
            end_date=activity.planned_end,
            stage=m.stage_of(activity.status, activity.stage) or Stage.PLANNING,
            iati_identifier=activity.identifier,
            reason=_("Imported from IATI"),
        )
        self.summary.change(
            "partnerships_created",
            _("Create partnership %(title)s (%(id)s)")
            % {"title": partnership.title, "id": activity.identifier},
        )
        return partnership

    def _update(
        self, partnership: Partnership, activity: ActivityIn, institutions: dict[str, list[Institution]]
    ) -> None:
        if partnership.programme_id != self.programme.pk:
            raise ValidationError(
                _("Partnership %(id)s belongs to another programme.") % {"id": activity.identifier}
            )
        wanted: dict[str, Any] = {
            "title": activity.title[:255],
            "shared_goal": activity.description,
            "start_date": activity.planned_start,
            "end_date": activity.planned_end,
        }
        data = {k: v for k, v in wanted.items() if getattr(partnership, k) != v}
        if data:
            partnership_update(actor=self.actor, partnership=partnership, data=data)
            self.summary.change(
                "partnerships_updated",
                _("Change %(fields)s of partnership %(title)s")
                % {"fields": ", ".join(sorted(data)), "title": partnership.title},
            )
        current = {
            side: {link.institution_id for link in partnership.side_links.all() if link.side == side}
            for side in ("host", "resource")
        }
        if any(current[side] != {i.pk for i in institutions[side]} for side in current):
            partnership_sides_set(
                actor=self.actor,
                partnership=partnership,
                hosts=institutions["host"],
                resources=institutions["resource"],
            )
            self.summary.change(
                "partnerships_updated",
                _("Change the sides of partnership %(title)s") % {"title": partnership.title},
            )
        stage = m.stage_of(activity.status, activity.stage)
        changed = (
            stage != partnership.stage
            if activity.stage
            else m.STAGE_STATUS[partnership.stage] != activity.status
        )
        if stage and changed:
            partnership_stage_change(
                actor=self.actor, partnership=partnership, stage=stage, note=_("Imported from IATI")
            )
            self.summary.change(
                "partnerships_updated",
                _("Move partnership %(title)s to %(stage)s")
                % {"title": partnership.title, "stage": Stage(stage).label},
            )


def iati_import(
    *,
    actor: User,
    programme: Programme,
    data: bytes | IO[bytes],
    dry_run: bool,
    default_country: str = "",
    name: str = "",
) -> ImportSummary:
    """Import an IATI 2.0x activity file into the programme (programme editors; PermissionDenied otherwise), or
    with `dry_run` say what it would change. `data` is the file's bytes or a binary file (an upload), read
    as a stream. Nothing is written when any problem is found; the import is audited on the programme with
    its counts, in the same transaction. `default_country` is the country of organisations whose country the
    file does not say; `name` is the file's name, for the audit row.

    Raises: PermissionDenied. Every other refusal is a problem in the summary.
    """
    require(programme_access(actor, programme.pk, programme).can_import_iati)
    summary = ImportSummary(dry_run=dry_run)
    try:
        file = read_file(data)
        with transaction.atomic():
            _write(file, Importer(actor, programme, summary, default_country))
            summary.problems = file.problems + summary.problems
            summary.rule_breaks = file.warnings
            if file.problems:  # the file's own problems alone, as when nothing is tried
                summary.changes, summary.counts = [], {}
                summary.problems, summary.warnings = file.problems, []
            if summary.problems or dry_run:
                raise _Rollback
            audit_record(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                obj=programme,
                changes={"iati_import": [None, dict(sorted(summary.counts.items()))]},
                reason=_("IATI file imported: %(name)s") % {"name": name or "-"},
            )
    except FileRefused as exc:  # before reading, or on the way: whatever was tried is rolled back
        return ImportSummary(dry_run=dry_run, problems=[Problem("/", str(exc))])
    except _Rollback:
        return _deduplicated(summary)
    summary.written = True
    return _deduplicated(summary)


def _write(file: FileIn, importer: Importer) -> None:
    """Each activity as it is read, until the file shows a problem (then the rest is read for its problems)."""
    for activity in file:
        if not file.problems:
            importer.activity(activity)


def _deduplicated(summary: ImportSummary) -> ImportSummary:
    """The same problem found twice (a plan checked, then written) is said once."""
    summary.problems = list(dict.fromkeys(summary.problems))
    summary.warnings = list(dict.fromkeys(summary.warnings))
    summary.rule_breaks = list(dict.fromkeys(summary.rule_breaks))
    return summary
