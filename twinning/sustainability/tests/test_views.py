"""The pages: neither side's answers show to anyone outside it before both submit (page, export, history)."""

import csv
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.core.choices import Side
from twinning.partnerships.models import Partnership
from twinning.sustainability import services
from twinning.sustainability.models import Item
from twinning.sustainability.services import AnswerInput
from twinning.sustainability.tests.factories import RoundFactory, sheet, submit_sides
from twinning.sustainability.tests.test_services import DUE, answer_all, health_check
from twinning.testing.factories import PartnershipFactory

pytestmark = pytest.mark.django_db
SECRET = "Our visitors never ask what we think"


@pytest.fixture
def half_done(world):
    """The host side has answered (with a telling comment) and submitted; the resource side has not."""
    assessment_round = RoundFactory(partnership=world.partnership)
    items = list(Item.objects.filter(section__version=assessment_round.instrument_version))
    answers = {item.pk: AnswerInput(value=2, comment=SECRET) for item in items}
    services.answers_save(
        actor=world.coordinator, assessment_round=assessment_round, answers=answers, submit=True
    )
    services.side_submit(actor=world.coordinator, assessment_round=assessment_round)
    assessment_round.refresh_from_db()
    return assessment_round


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("who", ["resource_coordinator", "manager", "programme_viewer", "admin"])
def test_the_page_and_its_downloads_hide_the_host_answers_from_everyone_outside_it(
    client, world, half_done, who
):
    url = reverse("sustainability:round", args=[half_done.uuid])
    page = _get(client, getattr(world, who), url)
    assert page.status_code == 200
    body = page.content.decode()
    assert SECRET not in body
    assert "25.0" not in body  # the host side's score (2 on 1-5)
    for kind in ("csv", "xlsx"):
        download = client.get(url, {"format": kind, "table": "results"})
        assert download.status_code == 200
        # The factories' section and statement names carry sequence numbers, which may be 25 too.
        content = re.sub(rb"(Section|Statement) \d+", b"", download.content)
        assert b"25" not in content.replace(b"2025", b"").replace(b"2026", b"") or kind == "xlsx"
    csv = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert "25.0" not in csv and ",25" not in csv


def test_the_host_side_sees_its_own_scores_before_the_other_side_submits(client, world, half_done):
    body = _get(client, world.member, reverse("sustainability:round", args=[half_done.uuid])).content.decode()
    assert "25.0" in body


def test_the_history_hides_the_answer_sheets_until_both_sides_submit(client, world, half_done):
    url = reverse("sustainability:round", args=[half_done.uuid])
    body = _get(client, world.resource_coordinator, url).content.decode()
    assert "answers of host side" not in body.lower()
    sheet(half_done, world.resource_coordinator, Side.RESOURCE, {})
    submit_sides(half_done, Side.RESOURCE)
    body = client.get(url).content.decode()
    assert "answers of host side" in body.lower()
    assert SECRET in body  # revealed: the comments are shared with both sides


def test_after_both_submit_the_large_gap_is_highlighted(client, world, half_done):
    items = list(Item.objects.filter(section__version=half_done.instrument_version))
    answers = {item.pk: AnswerInput(value=5) for item in items}
    services.answers_save(
        actor=world.resource_coordinator, assessment_round=half_done, answers=answers, submit=True
    )
    services.side_submit(actor=world.resource_coordinator, assessment_round=half_done)
    body = _get(
        client, world.programme_viewer, reverse("sustainability:round", args=[half_done.uuid])
    ).content.decode()
    assert "gap-large" in body and "-75.0" in body
    assert SECRET not in body  # readers read scores, not comments


def test_an_outsider_gets_404_on_every_page_of_a_round(client, world, half_done):
    client.force_login(world.other_coordinator)
    for name in ("sustainability:round", "sustainability:answers", "sustainability:side_submit"):
        response = (
            client.post(reverse(name, args=[half_done.uuid]))
            if name != "sustainability:round"
            else client.get(reverse(name, args=[half_done.uuid]))
        )
        assert response.status_code == 404


def test_answering_through_the_page(client, world):
    assessment_round = RoundFactory(partnership=world.partnership)
    items = list(Item.objects.filter(section__version=assessment_round.instrument_version))
    client.force_login(world.resource_coordinator)
    data = {f"item-{item.pk}": "4" for item in items} | {"submit": "1", "version": "0"}
    response = client.post(reverse("sustainability:answers", args=[assessment_round.uuid]), data)
    assert response.status_code == 302
    response = client.post(reverse("sustainability:side_submit", args=[assessment_round.uuid]))
    assessment_round.refresh_from_db()
    assert assessment_round.resource_submitted_at is not None


def test_a_point_off_the_scale_is_refused_on_the_page(client, world):
    assessment_round = RoundFactory(partnership=world.partnership)
    item = Item.objects.filter(section__version=assessment_round.instrument_version).first()
    client.force_login(world.member)
    response = client.post(
        reverse("sustainability:answers", args=[assessment_round.uuid]),
        {f"item-{item.pk}": "9", "version": "0"},
    )
    assert response.status_code == 400
    assert not assessment_round.responses.exists()


def _scored_partnership(world, host=3, resource=1):
    """A partnership of the world's programme with a health-check round both sides answered and submitted."""
    assessment_round = RoundFactory(partnership=PartnershipFactory(programme=world.programme))
    items = list(Item.objects.filter(section__version=assessment_round.instrument_version))
    sheet(assessment_round, world.admin, Side.HOST, {i.pk: host for i in items})
    sheet(assessment_round, world.manager, Side.RESOURCE, {i.pk: resource for i in items})
    submit_sides(assessment_round, Side.HOST, Side.RESOURCE)
    assessment_round.instrument_version.instrument.kind = "health_check"
    assessment_round.instrument_version.instrument.save()
    return assessment_round.partnership


def test_the_programme_view_costs_the_same_queries_for_more_partnerships(
    client, world, django_assert_num_queries
):
    _scored_partnership(world)
    client.force_login(world.manager)
    url = reverse("sustainability:programme", args=[world.programme.uuid])
    client.get(url)  # the session's first request does one-off lookups
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as few_csv:
        assert client.get(url + "?format=csv").status_code == 200
    for _i in range(4):
        _scored_partnership(world)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    # each row: its largest gap 50 (the column the rows are sorted by), host 50 and gap 50
    assert response.content.decode().count(">50<") == 15
    with django_assert_num_queries(len(few_csv.captured_queries)):
        assert client.get(url + "?format=csv").status_code == 200


def test_the_programme_view_shows_the_largest_gaps_a_page_at_a_time_and_downloads_them_all(client, world):
    for _i in range(settings.PAGE_SIZE):
        _scored_partnership(world, host=3, resource=3)
    widest = _scored_partnership(world, host=5, resource=1)
    total = Partnership.objects.filter(programme=world.programme).count()
    client.force_login(world.manager)
    url = reverse("sustainability:programme", args=[world.programme.uuid])
    first = client.get(url).content.decode()
    assert first.count('<tr><td><a href="/sustainability/') == settings.PAGE_SIZE
    assert widest.title in first and ">100<" in first
    second = client.get(url + "?page=2").content.decode()
    assert second.count('<tr><td><a href="/sustainability/') == total - settings.PAGE_SIZE
    assert widest.title not in second
    download = client.get(url + "?format=csv").content.decode("utf-8-sig").splitlines()
    assert len(download) == 1 + total
    assert download[1].startswith(widest.title)


def test_each_programme_row_names_the_instrument_its_scores_come_from(client, world):
    # A tester's finding (issue 13): a partnership whose newest health check was the programme's own instrument
    # of that kind read as if on the shipped 10-principle one, "version 1" of another questionnaire.
    from twinning.sustainability.models import Instrument

    shipped = Instrument.objects.get(programme__isnull=True, code="partnership-health-check")
    on_shipped = RoundFactory(
        partnership=PartnershipFactory(programme=world.programme),
        instrument_version=shipped.versions.get(number=1),
    )
    items = list(Item.objects.filter(section__version=on_shipped.instrument_version))
    sheet(on_shipped, world.admin, Side.HOST, {i.pk: 4 for i in items})
    sheet(on_shipped, world.manager, Side.RESOURCE, {i.pk: 4 for i in items})
    submit_sides(on_shipped, Side.HOST, Side.RESOURCE)
    own = _scored_partnership(world)
    own_instrument = Instrument.objects.get(versions__rounds__partnership=own)
    own_instrument.name = "Our district check"
    own_instrument.save()
    client.force_login(world.manager)
    url = reverse("sustainability:programme", args=[world.programme.uuid])
    page = client.get(url).content.decode()
    assert "Health check: instrument" in page and "Our district check, version 1" in page
    assert f"{shipped.name}, version 1" in page
    header, *lines = csv.reader(client.get(url + "?format=csv").content.decode("utf-8-sig").splitlines())
    named = {line[0]: line[header.index("Health check: instrument")] for line in lines}
    assert named == {
        own.title: "Our district check, version 1",
        on_shipped.partnership.title: f"{shipped.name}, version 1",
        world.partnership.title: "",  # no completed round: no instrument to name
    }


def test_the_mutual_benefit_page_reads_for_every_reader(client, world):
    response = _get(
        client, world.partnership_viewer, reverse("sustainability:benefit", args=[world.partnership.uuid])
    )
    assert response.status_code == 200
    assert "People trained" in response.content.decode()


def test_the_shipped_health_check_reads_in_the_respondents_language(client, world):
    """The shipped instruments' statements, sections, scale and name are stored in English and shown translated
    (issue 15: the seeded reference data in every language); a programme's own wording shows as written."""
    from twinning.sustainability.models import Instrument

    shipped = Instrument.objects.get(programme__isnull=True, code="partnership-health-check")
    version = shipped.versions.get(number=1)
    assessment_round = RoundFactory(partnership=world.partnership, instrument_version=version)
    client.force_login(world.member)
    url = reverse("sustainability:round", args=[assessment_round.uuid])
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Nous partageons un même but pour le partenariat" in french
    assert "Tout à fait d&#x27;accord" in french or "Tout à fait d'accord" in french
    assert "Harmonisé et aligné" in french
    assert "We share one goal for the partnership" not in french
    russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Обе стороны имеют равный голос в решениях о партнёрстве." in russian
    instrument_page = client.get(
        reverse("sustainability:instrument", args=[shipped.uuid]), HTTP_ACCEPT_LANGUAGE="pt"
    )
    assert "Avaliação da saúde da parceria" in instrument_page.content.decode()


def test_a_sheet_saved_from_a_stale_second_tab_is_a_conflict_not_an_overwrite(client, world):
    assessment_round = RoundFactory(partnership=world.partnership)
    item = Item.objects.filter(section__version=assessment_round.instrument_version).first()
    url = reverse("sustainability:answers", args=[assessment_round.uuid])
    client.force_login(world.member)
    assert client.post(url, {f"item-{item.pk}": "4", "version": "0"}).status_code == 302
    stale = client.post(url, {f"item-{item.pk}": "2", "version": "0"})
    assert stale.status_code == 400
    assert "Someone else changed this record" in stale.content.decode()
    saved = assessment_round.responses.get()
    assert saved.answers.get(item=item).value == 4
    assert client.post(url, {f"item-{item.pk}": "2", "version": str(saved.version)}).status_code == 302
    assert assessment_round.responses.get().answers.get(item=item).value == 2


def test_a_blank_sheet_is_not_handed_in_on_the_page(client, world):
    assessment_round = RoundFactory(partnership=world.partnership)
    client.force_login(world.coordinator)
    url = reverse("sustainability:answers", args=[assessment_round.uuid])
    response = client.post(url, {"version": "0", "submit": "1"})
    assert response.status_code == 400
    assert "Answer at least one statement" in response.content.decode()
    assert not assessment_round.responses.filter(submitted_at__isnull=False).exists()


def test_a_point_and_not_applicable_together_are_refused_in_words(world):
    assessment_round = RoundFactory(partnership=world.partnership)
    item = Item.objects.filter(section__version=assessment_round.instrument_version).first()
    with pytest.raises(ValidationError) as refused:
        services.answers_save(
            actor=world.member,
            assessment_round=assessment_round,
            answers={item.pk: services.AnswerInput(value=3, not_applicable=True)},
        )
    assert "not both" in refused.value.message_dict[f"item-{item.pk}"][0]


def test_a_gap_on_one_section_is_the_largest_gap_even_when_the_overall_gap_is_small(world):
    # A tester: 75 against 0 on "respectful and reciprocal" showed as the overall 7.5 and sorted low.
    from twinning.sustainability.selectors import programme_sustainability

    uniform = _scored_partnership(world, host=5, resource=2)  # 75 points apart on every section
    assessment_round = RoundFactory(partnership=PartnershipFactory(programme=world.programme))
    items = list(
        Item.objects.filter(section__version=assessment_round.instrument_version).order_by("section__order")
    )
    sections = {i.section_id for i in items}
    first = items[0].section_id
    sheet(assessment_round, world.admin, Side.HOST, {i.pk: 5 for i in items})
    sheet(
        assessment_round,
        world.manager,
        Side.RESOURCE,
        {i.pk: 1 if i.section_id == first else 5 for i in items},
    )
    submit_sides(assessment_round, Side.HOST, Side.RESOURCE)
    assessment_round.instrument_version.instrument.kind = "health_check"
    assessment_round.instrument_version.instrument.save()
    rows = programme_sustainability(
        programme_id=world.programme.pk, partnerships=Partnership.objects.filter(programme=world.programme)
    )
    by_partnership = {row.partnership.pk: row for row in rows}
    one_section = by_partnership[assessment_round.partnership_id]
    assert one_section.health_scores.gap == pytest.approx(100 / len(sections))
    assert one_section.largest_gap == pytest.approx(100)
    assert by_partnership[uniform.pk].largest_gap == pytest.approx(75)  # more than the other's overall 50
    assert [row.partnership.pk for row in rows][:2] == [assessment_round.partnership_id, uniform.pk]


def test_a_change_to_an_answered_instrument_says_it_made_a_new_version(client, world):
    """Tester's finding (issue 13): a change to an answered version is saved in a new version without a word; the
    editor is now told which version the change went to and that answered rounds keep the old one."""
    instrument = services.instrument_create(actor=world.manager, programme=world.programme, name="Ours")
    trust = services.section_add(actor=world.manager, instrument=instrument, title="Trust")
    services.item_add(actor=world.manager, section=trust, statement="We plan together")
    answered = services.round_open(
        actor=world.manager, partnership=world.partnership, instrument=instrument, due_date=DUE
    )
    answer_all(world.member, answered, 3)
    client.force_login(world.manager)
    url = reverse("sustainability:instrument", args=[instrument.uuid])
    first = client.post(url, {"what": "section", "title": "Money"}, follow=True)
    assert "Saved as version 2: version 1 has been answered" in first.content.decode()
    assert list(instrument.versions.values_list("number", flat=True).order_by("number")) == [1, 2]
    again = client.post(url, {"what": "section", "title": "Time"}, follow=True)
    assert "Saved." in again.content.decode() and "Saved as version" not in again.content.decode()
    assert instrument.versions.count() == 2


def test_whoever_submits_a_side_is_told_of_answers_saved_but_not_handed_in(client, world):
    """Tester's finding (issue 13): the coordinator could submit the side while a member's answers sat saved and
    not handed in, and those answers were silently left out. The submit card now names who has not handed in."""
    assessment_round = services.round_open(
        actor=world.manager, partnership=world.partnership, instrument=health_check(), due_date=DUE
    )
    answer_all(world.member, assessment_round, 3, submit=False)
    client.force_login(world.coordinator)
    url = reverse("sustainability:round", args=[assessment_round.uuid])
    page = client.get(url).content.decode()
    assert 'id="not-handed-in"' in page and str(world.member) in page.split('id="not-handed-in"')[1][:300]
    answer_all(world.member, assessment_round, 3, submit=True)
    assert 'id="not-handed-in"' not in client.get(url).content.decode()
    # The member, who cannot submit the side, is not shown the warning about themselves.
    answer_all(world.member, assessment_round, 4, submit=False)
    client.force_login(world.member)
    assert 'id="not-handed-in"' not in client.get(url).content.decode()


def test_whoever_submits_a_side_is_told_of_their_own_answers_not_handed_in_as_their_own(client, world):
    """Tester's finding (issue 13): the coordinator was warned of their own saved sheet in the third person, by
    their own name, as if someone else's."""
    assessment_round = services.round_open(
        actor=world.manager, partnership=world.partnership, instrument=health_check(), due_date=DUE
    )
    answer_all(world.coordinator, assessment_round, 3, submit=False)
    client.force_login(world.coordinator)
    url = reverse("sustainability:round", args=[assessment_round.uuid])
    page = client.get(url).content.decode()
    assert 'id="own-not-handed-in"' in page and "Your own answers are saved but not handed in" in page
    assert 'id="not-handed-in"' not in page
    answer_all(world.member, assessment_round, 3, submit=False)
    page = client.get(url).content.decode()
    warned = page.split('id="not-handed-in"')[1][:300]
    assert (
        'id="own-not-handed-in"' in page
        and str(world.member) in warned
        and str(world.coordinator) not in warned
    )
