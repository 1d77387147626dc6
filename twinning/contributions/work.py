"""The contributions ledger's part of "My work" and finance's verification queue (reads only).

Who the work is for comes from the access rules: a gift waits for a signature from the coordinators and members
of its receiving side (`on_receiving_side`); received gifts and time wait for verification by the programme's
finance officers, or its editors where it has none (`in_finance_duty_programmes`); so do the exchange rates a
gift's date needs and the programme lacks.
"""

import datetime
from typing import Any

from django.db.models import CharField, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from twinning.accounts.access import in_finance_duty_programmes, in_finance_programmes, on_receiving_side
from twinning.accounts.models import User
from twinning.contributions.models import Basis, ContributionStatus, ExchangeRate, Gift, TimeEntry
from twinning.contributions.selectors import valuation_rate_exists
from twinning.core.rendering import labelled
from twinning.core.work import WorkItem

LIMIT = 50
RECEIVED = ContributionStatus.RECEIVED


def gifts_to_sign(user: User) -> QuerySet[Gift]:
    """Pledged gifts the user may sign for: they are a coordinator or member of the receiving side.

    Raises: nothing.
    """
    return Gift.objects.filter(Q(status=ContributionStatus.PLEDGED) & on_receiving_side(user))


def gifts_to_verify(user: User, *, duty: bool = True) -> QuerySet[Gift]:
    """Gifts signed for and not verified yet, in the programmes where verifying is the user's work (`duty`) or,
    with `duty=False`, wherever they may verify.

    Raises: nothing.
    """
    scope = in_finance_duty_programmes if duty else in_finance_programmes
    return Gift.objects.filter(Q(status=RECEIVED) & scope(user, via="partnership__programme"))


def gifts_awaiting_signature(user: User) -> QuerySet[Gift]:
    """Pledged gifts in the programmes where the user may verify: finance cannot verify them until the receiving
    side signs, so the queue shows them as waiting.

    Raises: nothing.
    """
    scope = in_finance_programmes(user, via="partnership__programme")
    return Gift.objects.filter(Q(status=ContributionStatus.PLEDGED) & scope)


def time_to_verify(user: User, *, duty: bool = True) -> QuerySet[TimeEntry]:
    """Volunteer time recorded and not verified yet, scoped as `gifts_to_verify`.

    Raises: nothing.
    """
    scope = in_finance_duty_programmes if duty else in_finance_programmes
    return TimeEntry.objects.filter(Q(status=RECEIVED) & scope(user, via="partnership__programme"))


def _missing_rates(user: User) -> QuerySet[Gift]:
    """Gifts in the user's finance-duty programmes whose currency has no exchange rate on the gift's date."""
    return (
        Gift.objects.filter(in_finance_duty_programmes(user, via="partnership__programme"))
        .exclude(currency=F("partnership__programme__reporting_currency"))
        .filter(~Exists(_covering_rate()))
    )


def _covering_rate() -> QuerySet[ExchangeRate]:
    """The exchange rates that convert the outer gift on its date (as `fx_expression` looks them up)."""
    return ExchangeRate.objects.filter(
        programme_id=OuterRef("partnership__programme_id"),
        currency=OuterRef("currency"),
        valid_from__lte=OuterRef("gift_date"),
        valid_to__gte=OuterRef("gift_date"),
    )


def _side_label(side: str) -> str:
    return _("the host side") if side == "host" else _("the resource side")


def _gift_label(gift: Gift) -> str:
    return labelled(gift.get_category_display(), gift.shown_description[:80])  # type: ignore[attr-defined]


def work_for_user(user: User, *, today: datetime.date | None = None, limit: int = LIMIT) -> list[WorkItem]:
    """The user's contributions work as WorkItems, at most `limit` of each kind: "sign_gift" (pledged gifts to
    sign for), "verify_gift" and "verify_time" (signed-for gifts and recorded time to verify), and
    "rate_missing" (one item per programme and currency whose gifts have no exchange rate for their dates, and
    one per programme and basis whose valuation rates leave time entries unvalued). None has a due date: gifts
    and time come newest first (by signing or start date), so the limit never hides a new hand-off.
    5 queries, however many items.

    Raises: nothing.
    """
    items = []
    related = ("partnership",)
    for gift in gifts_to_sign(user).select_related(*related).order_by("-gift_date", "-id")[:limit]:
        items.append(
            WorkItem(
                kind="sign_gift",
                label=_gift_label(gift),
                url=reverse("contributions:gift_detail", args=[gift.partnership.uuid, gift.uuid]),
                partnership=gift.partnership.title,
                period=date_format(gift.gift_date),
                date=gift.gift_date,
            )
        )
    for gift in gifts_to_verify(user).select_related(*related).order_by("-received_on", "-id")[:limit]:
        items.append(
            WorkItem(
                kind="verify_gift",
                label=_gift_label(gift),
                url=reverse("contributions:gift_detail", args=[gift.partnership.uuid, gift.uuid]),
                partnership=gift.partnership.title,
                period=date_format(gift.gift_date),
                date=gift.received_on or gift.gift_date,
            )
        )
    entries = time_to_verify(user).select_related("partnership", "person", "institution")
    for entry in entries.order_by("-start_date", "-id")[:limit]:
        giver = entry.person or entry.institution
        items.append(
            WorkItem(
                kind="verify_time",
                label=_("%(quantity)s %(unit)s by %(giver)s")
                % {
                    "quantity": entry.quantity,
                    "unit": entry.get_unit_display().lower(),  # type: ignore[attr-defined]
                    "giver": giver,
                },
                url=reverse("contributions:ledger", args=[entry.partnership.uuid]) + "?show=time",
                partnership=entry.partnership.title,
                period=f"{date_format(entry.start_date)} – {date_format(entry.end_date)}",
                date=entry.start_date,
            )
        )
    gaps = (
        _missing_rates(user)
        .values("partnership__programme__uuid", "partnership__programme__name", "currency")
        .annotate(n=Count("id"), first=Min("gift_date"), last=Max("gift_date"))
        .order_by("partnership__programme__name", "currency")[:limit]
    )
    for gap in gaps:
        items.append(
            WorkItem(
                kind="rate_missing",
                label=ngettext(
                    "No %(currency)s rate for %(n)s gift", "No %(currency)s rate for %(n)s gifts", gap["n"]
                )
                % {"currency": gap["currency"], "n": gap["n"]},
                url=reverse("contributions:exchange_rates", args=[gap["partnership__programme__uuid"]]),
                partnership=gap["partnership__programme__name"],
                period=f"{date_format(gap['first'])} – {date_format(gap['last'])}",
            )
        )
    for valuation_gap in _valuation_gaps(user)[:limit]:
        items.append(
            WorkItem(
                kind="rate_missing",
                label=_("No %(basis)s for %(n)s time entries")
                % {"basis": str(Basis(valuation_gap["basis"]).label).lower(), "n": valuation_gap["n"]},
                url=reverse("contributions:rates", args=[valuation_gap["partnership__programme__uuid"]]),
                partnership=valuation_gap["partnership__programme__name"],
                period=f"{date_format(valuation_gap['first'])} – {date_format(valuation_gap['last'])}",
            )
        )
    return items


def _time_with_rates(user: User) -> QuerySet[TimeEntry]:
    """Time entries of the user's finance-duty programmes, with `has_<basis>` saying a valuation rate values them."""
    return TimeEntry.objects.filter(in_finance_duty_programmes(user, via="partnership__programme")).annotate(
        **{f"has_{basis}": valuation_rate_exists(basis) for basis in Basis.values}
    )


def _valuation_gaps(user: User) -> list[dict[str, Any]]:
    """One row per programme and basis whose valuation rates leave time entries unvalued (programme uuid and
    name, basis, n, first and last start date). One query."""
    gaps = []
    entries = _time_with_rates(user)
    aggregates: dict[str, Any] = {}
    for basis in Basis.values:
        missing = Q(**{f"has_{basis}": False})
        aggregates[f"n_{basis}"] = Count("id", filter=missing)
        aggregates[f"first_{basis}"] = Min("start_date", filter=missing)
        aggregates[f"last_{basis}"] = Max("start_date", filter=missing)
    rows: Any = (
        entries.values("partnership__programme__uuid", "partnership__programme__name")
        .annotate(**aggregates)
        .order_by("partnership__programme__name")
    )
    for row in rows:
        for basis in Basis.values:
            if row[f"n_{basis}"]:
                gaps.append(
                    {
                        "partnership__programme__uuid": row["partnership__programme__uuid"],
                        "partnership__programme__name": row["partnership__programme__name"],
                        "basis": basis,
                        "n": row[f"n_{basis}"],
                        "first": row[f"first_{basis}"],
                        "last": row[f"last_{basis}"],
                    }
                )
    return gaps


def work_counts(user: User) -> dict[str, int]:
    """How many items of each contributions kind the user has (kinds with none left out); "rate_missing" counts,
    as the list does, the programme and currency pairs lacking an exchange rate and the programme and basis pairs
    lacking a valuation rate. 2 queries.

    Raises: nothing.
    """
    duty = in_finance_duty_programmes(user, via="partnership__programme")
    pledged = Q(status=ContributionStatus.PLEDGED) & on_receiving_side(user)
    missing = (
        duty & ~Q(currency=F("partnership__programme__reporting_currency")) & ~Q(Exists(_covering_rate()))
    )
    gifts = Gift.objects.filter(pledged | (Q(status=RECEIVED) & duty) | missing).aggregate(
        sign=Count("id", filter=pledged),
        verify=Count("id", filter=Q(status=RECEIVED) & duty),
        rate_missing=Count(
            Concat("partnership__programme_id", Value(":"), "currency", output_field=CharField()),
            filter=missing,
            distinct=True,
        ),
    )
    counts = {"sign_gift": gifts["sign"], "verify_gift": gifts["verify"]}
    time = _time_with_rates(user).aggregate(
        verify=Count("id", filter=Q(status=RECEIVED)),
        **{
            f"gaps_{basis}": Count(
                "partnership__programme_id", filter=Q(**{f"has_{basis}": False}), distinct=True
            )
            for basis in Basis.values
        },
    )
    counts["verify_time"] = time["verify"]
    counts["rate_missing"] = gifts["rate_missing"] + sum(time[f"gaps_{basis}"] for basis in Basis.values)
    return {kind: n for kind, n in counts.items() if n}


def waiting_for_signature(gift: Gift) -> str:
    """Whom a pledged gift waits for, as a sentence ("Waiting for the host side's signature.").

    Raises: nothing.
    """
    return _("Waiting for %(side)s to sign for it; it can be verified once they have.") % {
        "side": _side_label(gift.receiving_side)
    }
