"""What a tester saw displayed wrongly: the instrument's history listing a scale's labels alphabetically, a
comment two respondents of a side wrote alike shown twice, the trend chart dating its rounds in ISO while its
table writes dates in the reader's language."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from twinning.accounts.models import User
from twinning.core.choices import Side
from twinning.sustainability import services
from twinning.sustainability.models import Answer, Item
from twinning.sustainability.tests.factories import RoundFactory, sheet, small_version, submit_sides
from twinning.testing.factories import partnership_member

pytestmark = pytest.mark.django_db

LABELS = ["Never", "Rarely", "Sometimes", "Often", "Always"]


def test_the_instrument_history_lists_a_scales_labels_in_scale_order(client, world):
    instrument = services.instrument_create(
        actor=world.manager, programme=world.programme, name="Team climate"
    )
    section = services.section_add(actor=world.manager, instrument=instrument, title="Trust")
    item = services.item_add(
        actor=world.manager, section=section, statement="We trust each other.", scale_labels=LABELS
    )
    services.item_update(actor=world.manager, item=item, data={"scale_labels": [*LABELS[:4], "Every time"]})
    client.force_login(world.manager)
    body = client.get(reverse("sustainability:instrument", args=[instrument.uuid])).content.decode()
    history = body[body.index('id="history"') :]
    assert ", ".join(LABELS) in history  # as created
    assert ", ".join([*LABELS[:4], "Every time"]) in history  # as changed
    assert "Always, Never" not in history


def test_a_comment_two_respondents_of_a_side_wrote_alike_is_shown_once_saying_so(client, world):
    assessment_round = RoundFactory(partnership=world.partnership)
    items = list(Item.objects.filter(section__version=assessment_round.instrument_version).order_by("pk"))
    second_host = partnership_member(world.partnership, email="second-host@example.org")
    for person, side in ((world.coordinator, Side.HOST), (second_host, Side.HOST)):
        sheet(assessment_round, person, side, {item.pk: 2 for item in items})
    sheet(assessment_round, world.resource_coordinator, Side.RESOURCE, {item.pk: 4 for item in items})
    submit_sides(assessment_round, Side.HOST, Side.RESOURCE)
    said = "Visitors decide the agenda."
    Answer.objects.filter(response__round=assessment_round, item=items[0]).exclude(
        response__side=Side.RESOURCE
    ).update(comment=said)
    Answer.objects.filter(
        response__round=assessment_round, item=items[1], response__side=Side.RESOURCE
    ).update(comment=said)
    client.force_login(world.coordinator)
    body = client.get(reverse("sustainability:round", args=[assessment_round.uuid])).content.decode()
    rows = re.findall(r'<tr class="comment-row">.*?</tr>', body, re.S)
    assert len(rows) == 2
    assert rows[0].count(said) == 1 and "(2 respondents wrote this)" in rows[0]
    # The other side saying the same words is another voice: shown under its own statement, without a count.
    assert rows[1].count(said) == 1 and "wrote this" not in rows[1] and "badge resource" in rows[1]


@pytest.mark.parametrize("language", ["en", "fr", "ru"])
def test_the_trend_chart_dates_its_rounds_as_its_table_does(client, world, language):
    version = small_version()
    items = list(Item.objects.filter(section__version=version))
    dues = [datetime.date(2025, 3, 31), datetime.date(2026, 3, 31)]
    for due in dues:
        assessment_round = RoundFactory(
            partnership=world.partnership, instrument_version=version, due_date=due
        )
        sheet(assessment_round, world.coordinator, Side.HOST, {item.pk: 3 for item in items})
        sheet(assessment_round, world.resource_coordinator, Side.RESOURCE, {item.pk: 4 for item in items})
        submit_sides(assessment_round, Side.HOST, Side.RESOURCE)
    User.objects.filter(pk=world.coordinator.pk).update(language=language)
    client.force_login(world.coordinator)
    body = client.get(reverse("sustainability:partnership", args=[world.partnership.uuid])).content.decode()
    chart = body[
        body.index("<svg", body.index('id="trends"')) : body.index("</svg>", body.index('id="trends"'))
    ]
    table = body[body.index('id="table-trend-1"') :]
    with translation.override(language):
        shown = [str(date_format(due, "DATE_FORMAT")) for due in dues]
    for text in shown:
        assert f">{text}</text>" in chart and re.search(rf"<td[^>]*>{re.escape(text)}</td>", table)
    assert "2026-03-31" not in chart
