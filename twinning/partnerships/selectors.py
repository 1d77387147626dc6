"""Reads for programmes and partnerships, always starting from what the user may see."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from django.http import Http404

from twinning.accounts.access import PartnershipAccess, partnership_access, require, require_programme_editor
from twinning.accounts.models import User
from twinning.audit.services import cached_until_change
from twinning.core.dates import local_today, place_zone
from twinning.core.ids import parse_uuid
from twinning.partnerships.models import Partnership, PartnershipInstitution, Programme


def get_partnership_for_user(
    user: User, partnership_uuid: Any, *, write: bool = False, data_entry: bool = False
) -> tuple[Partnership, PartnershipAccess]:
    """The partnership and the user's access to it, if they may see it (Http404 otherwise). With write=True
    they must also change it (coordinators, programme editors), with data_entry=True enter data in it
    (members too); PermissionDenied otherwise.

    Raises: Http404, PermissionDenied.
    """
    partnership = (
        Partnership.objects.visible_to(user)
        .select_related("programme")
        .filter(uuid=parse_uuid(partnership_uuid))
        .first()
    )
    if partnership is None:
        raise Http404
    access = partnership_access(user, partnership)
    if write:
        require(access.can_edit)
    if data_entry:
        require(access.can_enter_data)
    return partnership, access


def get_programme_for_user(user: User, programme_uuid: Any, *, write: bool = False) -> Programme:
    """A programme the user may see (staff, or a member of one of its partnerships; Http404 otherwise) and,
    with write=True, edits as a manager or M&E officer (PermissionDenied otherwise).

    Raises: Http404, PermissionDenied.
    """
    programme = Programme.objects.visible_to(user).filter(uuid=parse_uuid(programme_uuid)).first()
    if programme is None:
        raise Http404
    if write:
        require_programme_editor(user, programme.pk)
    return programme


def get_programme_for_staff(user: User, programme_uuid: Any, *, write: bool = False) -> Programme:
    """A programme the user is staff of (Http404 otherwise: programme-wide pages are not for partnership
    members) and, with write=True, edits as a manager or M&E officer (PermissionDenied otherwise).

    Raises: Http404, PermissionDenied.
    """
    programme = Programme.objects.staffed_by(user).filter(uuid=parse_uuid(programme_uuid)).first()
    if programme is None:
        raise Http404
    if write:
        require_programme_editor(user, programme.pk)
    return programme


def partnership_list(
    *,
    user: User,
    q: str = "",
    programme: Programme | None = None,
    stage: str = "",
    country: str = "",
    institution_uuid: Any = None,
) -> QuerySet[Partnership]:
    """Visible partnerships with their sides prefetched, so a list page costs a fixed number of queries.

    Raises: Http404.
    """
    qs = Partnership.objects.visible_to(user).select_related("programme")
    if q.strip():
        qs = qs.filter(title__icontains=q.strip())
    if programme is not None:
        qs = qs.filter(programme=programme)
    if stage:
        qs = qs.filter(stage=stage)
    if country:
        qs = qs.filter(side_links__institution__country=country).distinct()
    if institution_uuid:
        qs = qs.filter(side_links__institution__uuid=parse_uuid(institution_uuid)).distinct()
    return with_sides(qs).order_by("title", "id")


def side_prefetches() -> list[Prefetch]:
    """Each side's institutions as plain lists, `host_links` and `resource_links` (one query per side).

    Lists rather than one prefetched queryset filtered in templates: a page of 25 rows then does no
    per-row queryset work, which was most of the list page's rendering time.

    Raises: nothing.
    """
    links = PartnershipInstitution.objects.select_related("institution").order_by("institution__name")
    return [
        Prefetch("side_links", queryset=links.filter(side="host"), to_attr="host_links"),
        Prefetch("side_links", queryset=links.filter(side="resource"), to_attr="resource_links"),
    ]


def with_sides(qs: QuerySet[Partnership]) -> QuerySet[Partnership]:
    """Partnerships with their host and resource institutions loaded (two queries whatever their number).

    Raises: nothing.
    """
    return qs.prefetch_related(*side_prefetches())


def partnership_rows(partnerships: QuerySet[Partnership], offset: int, limit: int) -> list[dict[str, Any]]:
    """One slice of `partnerships`, in its order, as plain rows: `{uuid, version, title, programme: {uuid, name},
    stage, start_date, end_date, hosts, resources}`, each side a list of `{uuid, name, country}` by institution name
    (the API list's items, partnerships.api.PartnershipOut). Two queries whatever the slice; no model instances:
    building 350 of them for a page of 50 was most of the API list's time (issue 10's load goal).

    Raises: nothing.
    """
    page = (
        partnerships.prefetch_related(None)
        .annotate(programme_uuid=F("programme__uuid"), programme_name=F("programme__name"))
        .values(
            "id",
            "uuid",
            "version",
            "title",
            "programme_uuid",
            "programme_name",
            "stage",
            "start_date",
            "end_date",
        )[offset : offset + limit]
    )
    rows: list[dict[str, Any]] = [dict(row) for row in page]
    sides: dict[tuple[int, str], list[dict[str, Any]]] = {}
    links = (
        PartnershipInstitution.objects.filter(partnership_id__in=[row["id"] for row in rows])
        .order_by("institution__name", "id")
        .values_list(
            "partnership_id", "side", "institution__uuid", "institution__name", "institution__country"
        )
    )
    for partnership_id, side, uuid, name, country in links:
        sides.setdefault((partnership_id, side), []).append({"uuid": uuid, "name": name, "country": country})
    for row in rows:
        row["programme"] = {"uuid": row.pop("programme_uuid"), "name": row.pop("programme_name")}
        row["hosts"] = sides.get((row["id"], "host"), [])
        row["resources"] = sides.get((row["id"], "resource"), [])
        del row["id"]
    return rows


# Bounds how long the list's country filter can miss a change made outside the services (the admin, a restore).
COUNTRIES_CACHE_SECONDS = 600


def partnership_countries(user: User) -> list[str]:
    """Country codes of the institutions in the user's partnerships (for the list filter), sorted. Kept in the
    shared cache per user under the audit change stamp (`audit.services.cached_until_change`, at most
    COUNTRIES_CACHE_SECONDS): the list shows the filter on every visit, and on a programme of 1,800 partnerships
    the query costs more than the page's own rows (issue 10's load goal).

    Raises: nothing.
    """
    return cached_until_change(
        f"partnerships:countries:{user.pk}",
        lambda: sorted(
            set(
                PartnershipInstitution.objects.filter(partnership__in=Partnership.objects.visible_to(user))
                .order_by()
                .values_list("institution__country", flat=True)
                .distinct()
            )
        ),
        COUNTRIES_CACHE_SECONDS,
    )


def partnership_zones(partnership_ids: Iterable[int], *, side: str = "host") -> dict[int, str]:
    """The IANA time zone each partnership's dates are read in, by partnership id (one query): its host
    institution's own zone (the first host by name that has one), else the first host's country zone (see
    `twinning.core.dates.place_zone`), else "" (the installation's zone; also for a partnership without a host).
    `side="resource"` reads the resource side instead, for a record that belongs there (a gift it receives).

    Rules about "today" use this place's date, not the server's (issue "Numbers people can trust").

    Raises: nothing.
    """
    ids = list(partnership_ids)
    own: dict[int, str] = {}
    guessed: dict[int, str] = {}
    for partnership_id, time_zone, country in (
        PartnershipInstitution.objects.filter(partnership_id__in=ids, side=side)
        .order_by("partnership_id", "institution__name", "institution_id")
        .values_list("partnership_id", "institution__time_zone", "institution__country")
    ):
        if time_zone:
            own.setdefault(partnership_id, time_zone)
        guessed.setdefault(partnership_id, place_zone("", country))
    return {pk: own.get(pk) or guessed.get(pk, "") for pk in ids}


def partnership_zone(partnership: Partnership, *, side: str = "host") -> str:
    """The IANA time zone of one partnership (its host institution's, see `partnership_zones`); one query.

    Raises: nothing.
    """
    return partnership_zones([partnership.pk], side=side)[partnership.pk]


def partnership_today(partnership: Partnership, *, side: str = "host") -> datetime.date:
    """Today's date where the partnership's host institution is, or its `side`'s (see `partnership_zones`);
    one query.

    Raises: nothing.
    """
    return local_today(partnership_zone(partnership, side=side))


def programme_zones(programme: Programme) -> set[str]:
    """Every time zone the host institutions of the programme's partnerships are in (each as
    `twinning.core.dates.place_zone` reads it; one query), e.g. to know which dates have begun somewhere.

    Raises: nothing.
    """
    return {
        place_zone(time_zone, country)
        for time_zone, country in PartnershipInstitution.objects.filter(
            partnership__programme=programme, side="host"
        )
        .values_list("institution__time_zone", "institution__country")
        .distinct()
    }
