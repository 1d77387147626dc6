"""\"My work\": each hand-off lands in the next person's list, scoped to what they may see, in few queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.accounts.models import ProgrammeRole
from twinning.contributions import services as contributions
from twinning.contributions.tests.factories import ExchangeRateFactory, GiftFactory, TimeEntryFactory
from twinning.monitoring import services as monitoring
from twinning.monitoring.tests.factories import monitored
from twinning.planning.tests.factories import draft_plan, objective
from twinning.testing.factories import PartnershipFactory
from twinning.work import work_counts, work_for_user

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


def kinds(user, kind=None):
    items = work_for_user(user, today=TODAY)
    return [i for i in items if i.kind == kind] if kind else items


def pledge(world, **extra):
    return contributions.gift_create(
        actor=world.resource_coordinator,
        partnership=world.partnership,
        category="equipment",
        contributor_kind="private",
        contributor_name="A donor",
        description="Oxygen concentrator",
        fair_value=Decimal("1000"),
        currency="USD",
        gift_date=datetime.date(2026, 10, 1),
        valuation_technique="market_price",
        **extra,
    )


# --- gifts: pledged -> the receiving side signs -> finance verifies --------------------------------------


def test_a_pledged_gift_waits_for_the_receiving_side_then_for_finance(world):
    gift = pledge(world)
    for who in (world.coordinator, world.member):  # the host side receives
        [item] = kinds(who, "sign_gift")
        assert item.partnership == world.partnership.title and "Oxygen concentrator" in item.label
        assert item.url == reverse("contributions:gift_detail", args=[world.partnership.uuid, gift.uuid])
    for who in (world.resource_coordinator, world.finance, world.manager, world.partnership_viewer):
        assert not kinds(who, "sign_gift")
    assert not kinds(world.finance, "verify_gift")  # finance cannot verify before the host signs

    contributions.gift_receive(actor=world.member, gift=gift)
    assert not kinds(world.coordinator, "sign_gift")
    [item] = kinds(world.finance, "verify_gift")
    assert item.partnership == world.partnership.title
    # The programme has a finance officer: verifying is theirs, not the manager's to-do.
    assert not kinds(world.manager, "verify_gift")

    contributions.gift_verify(actor=world.finance, gift=gift)
    assert not kinds(world.finance, "verify_gift")


def test_without_a_finance_officer_the_editors_verify(world):
    ProgrammeRole.objects.filter(user=world.finance).delete()
    gift = pledge(world)
    contributions.gift_receive(actor=world.coordinator, gift=gift)
    assert kinds(world.manager, "verify_gift") and kinds(world.me_officer, "verify_gift")


def test_time_recorded_waits_for_finance(world):
    TimeEntryFactory(partnership=world.partnership)
    [item] = kinds(world.finance, "verify_time")
    assert item.partnership == world.partnership.title and "10" in item.label
    assert item.url.endswith("?show=time")


def test_a_gift_in_a_currency_without_a_rate_for_its_date_asks_finance_for_one(world):
    GiftFactory(partnership=world.partnership, currency="GBP", gift_date=datetime.date(2023, 6, 1))
    GiftFactory(partnership=world.partnership, currency="GBP", gift_date=datetime.date(2024, 6, 1))
    ExchangeRateFactory(programme=world.programme, currency="GBP")  # covers 2024 only
    [item] = kinds(world.finance, "rate_missing")
    assert "GBP" in item.label and "1" in item.label
    assert item.url == reverse("contributions:exchange_rates", args=[world.programme.uuid])
    assert work_counts(world.finance)["rate_missing"] == 1


# --- reports: returned -> coordinators fix; submitted -> reviewers review ------------------------------


def test_a_returned_report_is_work_to_fix_for_the_partnership_and_submitted_ones_to_review(world):
    m = monitored(world)
    monitoring.result_save(
        actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "12"}
    )
    report = monitoring.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")
    for who in (world.manager, world.me_officer):
        [item] = kinds(who, "review")
        assert item.partnership == world.partnership.title and item.period == "Q1 2024"
    assert not kinds(world.finance, "review") and not kinds(world.coordinator, "review")

    monitoring.report_return(actor=world.me_officer, report=report, feedback="Q1 looks too high")
    assert not kinds(world.manager, "review")
    for who in (world.coordinator, world.resource_coordinator, world.member):
        [item] = kinds(who, "fix")
        assert item.period == "Q1 2024" and item.overdue
        assert item.url == reverse("monitoring:entry", args=[world.partnership.uuid, "2024Q1"])
    assert not kinds(world.partnership_viewer, "fix")
    # Overdue first: the returned report leads the list.
    assert kinds(world.coordinator)[0].kind == "fix"


def test_a_report_returned_before_its_period_ends_still_needs_fixing(world):
    m = monitored(world)
    monitoring.result_save(
        actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "12"}
    )
    report = monitoring.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")
    monitoring.report_return(actor=world.manager, report=report, feedback="Recount")
    # On the last day of the quarter the period has not ended, so it is not "due", yet it is returned.
    [item] = kinds_on(world.coordinator, datetime.date(2024, 3, 31), "fix")
    assert not item.overdue


def kinds_on(user, today, kind):
    return [i for i in work_for_user(user, today=today) if i.kind == kind]


def test_action_items_name_their_partnership_period_and_due_date(world):
    m = monitored(world)
    for period in ("2024Q1", "2024Q2"):
        monitoring.result_save(
            actor=world.member, plan_indicator=m.trained, period=period, values={"value": "12"}
        )
    reports = world.partnership.period_reports.order_by("period")
    for report, due in zip(reports, (datetime.date(2026, 12, 15), datetime.date(2026, 11, 1)), strict=True):
        monitoring.comment_add(
            actor=world.me_officer,
            report=report,
            body="Please attach the corrected register.",
            assignee=world.member,
            due_date=due,
        )
    items = kinds(world.member, "action")
    assert [(i.period, i.due_date, i.overdue) for i in items] == [
        ("Q2 2024", datetime.date(2026, 11, 1), True),
        ("Q1 2024", datetime.date(2026, 12, 15), False),
    ]
    assert all(i.partnership == world.partnership.title for i in items)
    everything = kinds(world.member)
    overdue = [i.overdue for i in everything]
    assert overdue == sorted(overdue, reverse=True)  # overdue items first
    assert everything.index(items[0]) < everything.index(items[1])


# --- plans ----------------------------------------------------------------------------------------------


def test_each_side_signs_a_draft_plan_once(world):
    plan = draft_plan(world.coordinator, world.partnership)
    assert not kinds(world.coordinator, "sign_plan")  # nothing to sign without an objective
    objective(world.coordinator, plan)
    assert kinds(world.coordinator, "sign_plan") and kinds(world.resource_coordinator, "sign_plan")
    assert not kinds(world.member, "sign_plan") and not kinds(world.manager, "sign_plan")
    from twinning.planning import services as planning

    planning.plan_sign_off(actor=world.coordinator, plan=plan, party="host")
    assert not kinds(world.coordinator, "sign_plan")
    [item] = kinds(world.resource_coordinator, "sign_plan")
    assert "resource" in item.label and item.period == "2024–2026"


# --- scope and cost -------------------------------------------------------------------------------------


def _everything(world, partnership):
    """One item of every kind in `partnership` (whose host coordinator is world.other_coordinator)."""
    gift = GiftFactory(partnership=partnership, currency="GBP")
    GiftFactory(
        partnership=partnership, status="received", received_by=world.other_coordinator, received_on=TODAY
    )
    TimeEntryFactory(partnership=partnership)
    return gift


def test_an_outsider_sees_none_of_another_partnerships_work(world):
    _everything(world, world.partnership)
    pledge(world)
    for who in (world.outsider, world.other_coordinator):
        assert kinds(who) == [] or all(i.partnership != world.partnership.title for i in kinds(who))
        assert all(i.partnership != world.partnership.title for i in kinds(who))
    assert kinds(world.outsider) == [] and work_counts(world.outsider) == {}
    assert work_counts(world.programme_viewer) == {}


def test_counts_agree_with_the_list(world):
    _everything(world, world.partnership)
    pledge(world)
    for who in (world.finance, world.coordinator, world.member):
        listed: dict[str, int] = {}
        for item in kinds(who):
            listed[item.kind] = listed.get(item.kind, 0) + 1
        assert work_counts(who) == {k: v for k, v in listed.items() if k not in ("enter", "fix")} | {
            k: v for k, v in work_counts(who).items() if k in ("enter", "fix")
        }


@pytest.mark.parametrize("role", ["finance", "coordinator", "manager"])
def test_query_count_does_not_grow_with_the_work(world, role):
    user = getattr(world, role)
    monitored(world)
    _everything(world, world.partnership)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            work_for_user(user, today=TODAY)
            work_counts(user)
        return len(ctx.captured_queries)

    few = count()
    for _n in range(5):
        _everything(world, world.partnership)
        _everything(world, PartnershipFactory(programme=world.programme))
    assert count() == few


# --- pages ----------------------------------------------------------------------------------------------


def test_home_lists_my_work_and_the_navigation_counts_it(client, world):
    gift = pledge(world)
    client.force_login(world.coordinator)
    body = client.get(reverse("home")).text
    assert 'id="my-work"' in body and "Sign for a gift" in body and "Oxygen concentrator" in body
    assert reverse("contributions:gift_detail", args=[world.partnership.uuid, gift.uuid]) in body
    assert 'id="nav-my-work"' in body
    page = client.get(reverse("my_work")).text
    assert "Sign for a gift: 1" in page and world.partnership.title in page


def test_a_viewers_navigation_has_no_to_do_pages(client, world):
    pledge(world)
    for who in (world.programme_viewer, world.partnership_viewer):
        client.force_login(who)
        body = client.get(reverse("home")).text
        assert 'id="nav-my-work"' not in body and f'href="{reverse("monitoring:due")}"' not in body
        assert 'id="my-work"' not in body


def test_results_due_page_names_each_action_items_partnership_and_period(client, world):
    m = monitored(world)
    for period in ("2024Q1", "2024Q2"):
        monitoring.result_save(
            actor=world.member, plan_indicator=m.trained, period=period, values={"value": "12"}
        )
        report = world.partnership.period_reports.get(period=period)
        monitoring.comment_add(
            actor=world.me_officer,
            report=report,
            body="Please attach the corrected register.",
            assignee=world.member,
            due_date=datetime.date(2026, 12, 1),
        )
    client.force_login(world.member)
    body = client.get(reverse("monitoring:due")).text
    assert f"{world.partnership.title} · Q1 2024" in body and f"{world.partnership.title} · Q2 2024" in body


def test_results_due_lists_a_returned_report(client, world):
    m = monitored(world)
    monitoring.result_save(
        actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "12"}
    )
    report = monitoring.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")
    monitoring.report_return(actor=world.me_officer, report=report, feedback="Recount")
    client.force_login(world.coordinator)
    body = client.get(reverse("monitoring:due")).text
    assert "Returned for correction" in body
    assert "Fix returned results" in client.get(reverse("home")).text


# --- hand-offs notify the next person ---------------------------------------------------------------------


def test_each_gift_hand_off_notifies_the_next_person_in_app_and_by_email(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    from twinning.accounts.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        gift = pledge(world)
    host = Notification.objects.get(user=world.coordinator)
    assert "waits for your side to sign" in host.message and "Oxygen concentrator" in host.message
    assert host.url == reverse("contributions:gift_detail", args=[world.partnership.uuid, gift.uuid])
    assert not Notification.objects.filter(user=world.resource_coordinator).exists()  # the giver's side
    assert [m.to for m in mailoutbox] == [[world.coordinator.email]]
    assert host.url in mailoutbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        contributions.gift_receive(actor=world.coordinator, gift=gift)
    assert Notification.objects.filter(
        user=world.finance, message__contains="waits for verification"
    ).exists()
    assert not Notification.objects.filter(user=world.manager).exists()  # the programme has a finance officer
    assert mailoutbox[-1].to == [world.finance.email]


def test_recorded_time_notifies_finance(world, django_capture_on_commit_callbacks, mailoutbox):
    from twinning.accounts.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        contributions.time_entry_create(
            actor=world.member,
            partnership=world.partnership,
            side="resource",
            institution=world.partnership.side_links.get(side="resource").institution,
            start_date=datetime.date(2026, 10, 1),
            end_date=datetime.date(2026, 10, 2),
            quantity=Decimal("3"),
            unit="days",
            cadre="nurse",
        )
    notice = Notification.objects.get(user=world.finance)
    assert "24" in notice.message and notice.url.startswith(reverse("contributions:verification"))
    assert mailoutbox[-1].to == [world.finance.email]


def test_a_failed_save_sends_nothing(world, django_capture_on_commit_callbacks, mailoutbox):
    from django.core.exceptions import ValidationError

    from twinning.accounts.models import Notification

    gift = pledge(world)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        contributions.gift_receive(
            actor=world.coordinator, gift=gift, received_on=TODAY + datetime.timedelta(9)
        )
    assert not Notification.objects.filter(user=world.finance).exists() and mailoutbox == []


# --- finance's verification queue -------------------------------------------------------------------------


def test_finance_lists_what_waits_for_verification_across_partnerships(client, world):
    second = PartnershipFactory(programme=world.programme, title="Second twin")
    GiftFactory(
        partnership=second,
        description="Incubator",
        status="received",
        received_by=world.coordinator,
        received_on=TODAY,
    )
    GiftFactory(partnership=world.partnership, description="Pledged monitor")
    GiftFactory(
        partnership=world.other_partnership,
        description="Someone else's",
        status="received",
        received_by=world.other_coordinator,
        received_on=TODAY,
    )
    TimeEntryFactory(partnership=world.partnership)
    client.force_login(world.finance)
    url = reverse("contributions:verification")
    body = client.get(url).text
    assert "Incubator" in body and "Second twin" in body and "Someone else" not in body
    assert "Pledged monitor" not in body
    pledged = client.get(url, {"show": "pledged"}).text
    assert "Pledged monitor" in pledged and "Waiting for the host side" in pledged
    assert world.partnership.title in client.get(url, {"show": "time"}).text
    client.force_login(world.outsider)
    assert "Incubator" not in client.get(url).text


def test_verifying_from_the_queue_returns_to_it(client, world):
    gift = GiftFactory(
        partnership=world.partnership, status="received", received_by=world.coordinator, received_on=TODAY
    )
    client.force_login(world.finance)
    queue = reverse("contributions:verification") + "?show=gifts"
    verify = reverse("contributions:gift_verify", args=[world.partnership.uuid, gift.uuid])
    response = client.post(verify, {"next": queue})
    assert response.status_code == 302 and response["Location"] == queue
    gift.refresh_from_db()
    assert gift.status == "verified"
    other = GiftFactory(
        partnership=world.partnership, status="received", received_by=world.coordinator, received_on=TODAY
    )
    elsewhere = client.post(
        reverse("contributions:gift_verify", args=[world.partnership.uuid, other.uuid]),
        {"next": "https://example.com/"},
    )
    assert elsewhere["Location"] == reverse(
        "contributions:gift_detail", args=[world.partnership.uuid, other.uuid]
    )


def test_the_queue_query_count_does_not_grow_with_rows(client, world):
    client.force_login(world.finance)
    url = reverse("contributions:verification")
    GiftFactory(
        partnership=world.partnership, status="received", received_by=world.coordinator, received_on=TODAY
    )
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    few = count()
    for _n in range(8):
        GiftFactory(
            partnership=world.partnership, status="received", received_by=world.coordinator, received_on=TODAY
        )
    assert count() == few


def test_finance_sees_whom_a_pledged_gift_waits_for(client, world):
    gift = pledge(world)
    client.force_login(world.finance)
    body = client.get(reverse("contributions:gift_detail", args=[world.partnership.uuid, gift.uuid])).text
    assert "Waiting for the host side to sign for it; it can be verified once they have." in body


def test_a_notice_is_emailed_in_its_recipients_profile_language_else_the_one_they_last_used(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    from django.utils import translation

    from twinning.accounts import notices
    from twinning.accounts.notifications import notify

    world.coordinator.language = "pt"  # a profile language, when users have one
    world.coordinator.last_language = "ru"
    world.member.last_language = "es"  # no profile language: the one last used
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        rows = notify(
            [world.coordinator, world.member, world.manager, None, world.member],
            actor=world.manager,
            message=notices.notice("Approved."),
            url="/somewhere/",
        )
    assert {row.user for row in rows} == {world.coordinator, world.member}
    sent = {m.to[0]: m.body for m in mailoutbox}
    for user, language in ((world.coordinator, "pt"), (world.member, "es")):
        with translation.override(language):
            expected = translation.gettext("Approved.")
        assert expected != "Approved." and sent[user.email].startswith(expected)


def test_time_no_valuation_rate_values_asks_finance_for_one(world):
    from twinning.contributions.tests.factories import ValuationRateFactory

    TimeEntryFactory(partnership=world.partnership, start_date=datetime.date(2024, 3, 1))
    TimeEntryFactory(
        partnership=world.partnership,
        start_date=datetime.date(2024, 6, 1),
        end_date=datetime.date(2024, 6, 2),
    )
    for basis in ("generic", "local"):
        ValuationRateFactory(programme=world.programme, basis=basis)  # from 2020, any cadre and country
    [item] = kinds(world.finance, "rate_missing")
    assert item.label == "No fair value by profession and country for 2 time entries"
    assert item.url == reverse("contributions:rates", args=[world.programme.uuid])
    assert work_counts(world.finance)["rate_missing"] == 1
    ValuationRateFactory(programme=world.programme, basis="fair_value", cadre="nurse", country="GB")
    assert not kinds(world.finance, "rate_missing") and "rate_missing" not in work_counts(world.finance)


@pytest.mark.django_db(transaction=True)
@override_settings(MY_WORK_CACHE_SECONDS=600)
def test_the_navigation_count_is_read_back_until_a_change_commits(client, world):
    pledge(world)
    client.force_login(world.coordinator)

    def page() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(reverse("my_work")).text
        return body, len(queries)

    badge = 'Items waiting for you">{}</span>'
    first, computed = page()
    again, cached = page()
    assert badge.format(1) in first and badge.format(1) in again
    assert cached < computed  # the counts' queries are skipped
    pledge(world)
    body, _ = page()
    assert badge.format(2) in body


def test_a_gift_signed_today_is_listed_though_many_older_ones_wait(client, world):
    """Issue "Work that finds its people": with more than 50 gifts to verify, My work listed the oldest 50 and
    said nothing of the rest; the one signed today was missing and the queue put it last."""
    first = PartnershipFactory(programme=world.programme, title="Aardvark twin")
    for n in range(51):
        GiftFactory(
            partnership=first,
            description=f"Old gift {n}",
            status="received",
            received_by=world.coordinator,
            received_on=TODAY - datetime.timedelta(days=30 + n),
        )
    GiftFactory(
        partnership=world.partnership,
        description="Signed today",
        status="received",
        received_by=world.coordinator,
        received_on=TODAY,
    )
    listed = kinds(world.finance, "verify_gift")
    assert len(listed) == 50 and "Signed today" in listed[0].label
    client.force_login(world.finance)
    body = client.get(reverse("my_work")).text
    assert "Signed today" in body
    queue = reverse("contributions:verification") + "?show=gifts&amp;order=newest"
    assert f'<a href="{queue}">2 more</a>' in body
    newest = client.get(reverse("contributions:verification"), {"show": "gifts", "order": "newest"}).text
    assert "Signed today" in newest
    assert "Signed today" not in client.get(reverse("contributions:verification"), {"show": "gifts"}).text


def test_a_viewer_cannot_open_the_verification_queue(client, world):
    client.force_login(world.programme_viewer)
    assert client.get(reverse("contributions:verification")).status_code == 403


def test_the_ledger_says_what_an_empty_value_means(client, world):
    GiftFactory(partnership=world.partnership)
    client.force_login(world.finance)
    html = client.get(reverse("contributions:ledger", args=[world.partnership.uuid])).text
    assert "A value of —" not in html and "An empty value is not converted yet" in html
