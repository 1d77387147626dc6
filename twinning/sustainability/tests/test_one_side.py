"""A statement or section only one side scored (the other marked it "not applicable" or left it blank): its
combined score is that side's alone and it has no mutuality gap, and the round's page, its download and the API
say so beside the number, with the numbers worked out by hand here. Before both sides submit nothing says so: a
side's missing score then means "not shown yet", and saying "one side only" would tell the other side's answers."""

import csv
import io

import pytest
from django.urls import reverse

from twinning.accounts.services import api_token_create
from twinning.core.choices import Side
from twinning.sustainability.models import Item
from twinning.sustainability.scores import Scored, score_note
from twinning.sustainability.tests.factories import RoundFactory, sheet, small_version, submit_sides

pytestmark = pytest.mark.django_db

URL = "/api/v1/sustainability"


def _round(world, *, revealed: bool = True):
    """Two sections of two statements on a 1-5 scale. Host: 5, not applicable | not applicable, not applicable.
    Resource: 3, 4 | 2, 5. By hand, on 0-100: statement 1 host 100, resource 50, combined 75, gap 50;
    statement 2 resource 75 alone; section 1 host 100, resource 62.5, combined 81.25, and its gap over statement
    1, the only one both sides scored, 100 - 50 = 50 (not 100 - 62.5 = 37.5: statement 2, which the host side
    marked not applicable, is no disagreement); section 2 resource (25 + 100) / 2 = 62.5 alone; overall host 100,
    resource 62.5, combined 81.25, gap over section 1, the only section both scored: 50."""
    version = small_version(sections=2, items=2)
    items = list(Item.objects.filter(section__version=version).order_by("section__order", "order"))
    assessment_round = RoundFactory(partnership=world.partnership, instrument_version=version)
    host = dict(zip([i.pk for i in items], [5, None, None, None], strict=True))
    resource = dict(zip([i.pk for i in items], [3, 4, 2, 5], strict=True))
    sheet(assessment_round, world.coordinator, Side.HOST, host)
    sheet(assessment_round, world.resource_coordinator, Side.RESOURCE, resource)
    submit_sides(assessment_round, Side.HOST, *([Side.RESOURCE] if revealed else []))
    return assessment_round, items


def test_only_side_names_the_side_that_alone_makes_the_combined_score():
    assert Scored(None, 75.0).only_side == Side.RESOURCE
    assert Scored(None, 75.0).combined == 75.0 and Scored(None, 75.0).gap is None
    assert Scored(40.0, None).only_side == Side.HOST
    assert Scored(40.0, 60.0).only_side is None and Scored(None, None).only_side is None
    assert Scored(40.0, None, revealed=False).only_side is None  # not shown yet is not "not scored"
    assert "Host side only" in score_note(Scored(40.0, None)) and score_note(Scored(1.0, 2.0)) == ""


def test_the_round_page_says_which_lines_one_side_alone_scored(client, world):
    assessment_round, _items = _round(world)
    client.force_login(world.coordinator)
    body = client.get(reverse("sustainability:round", args=[assessment_round.uuid])).content.decode()
    assert 'id="one-side-note"' in body
    rows = body[body.index('<table class="data results') : body.index("</table>", body.index("data results"))]
    lines = rows.split("<tr ")[1:]  # section 1, its two statements, section 2, its two statements, overall
    section_1, statement_1, statement_2, section_2 = lines[0], lines[1], lines[2], lines[3]
    overall = lines[-1]
    assert ">75.0<" in statement_1 and ">50.0<" in statement_1 and "side only" not in statement_1
    assert ">75.0 <" in statement_2 and "resource side only" in statement_2 and "no gap" in statement_2
    assert "81.3" in section_1 and ">50.0<" in section_1 and "side only" not in section_1
    assert "over shared statements" in section_1 and "37.5" not in section_1
    assert ">62.5 <" in section_2 and "resource side only" in section_2 and "no gap" in section_2
    assert "81.3" in overall and ">50.0<" in overall and "side only" not in overall
    assert "over shared statements" in overall and "over shared statements" not in statement_1
    assert 'id="shared-gap-note"' in body


def test_the_download_writes_the_note_beside_a_line_one_side_alone_scored(client, world):
    assessment_round, _items = _round(world)
    client.force_login(world.coordinator)
    response = client.get(reverse("sustainability:round", args=[assessment_round.uuid]), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, lines = rows[0], rows[1:]
    note, combined, gap = (
        header.index("Note"),
        header.index("Combined"),
        header.index("Gap (host − resource)"),
    )
    statement_2, section_2 = lines[2], lines[3]
    assert (statement_2[combined], statement_2[gap]) == ("75", "")
    assert statement_2[note].startswith("Resource side only")
    assert (section_2[combined], section_2[gap]) == ("62.5", "")
    assert section_2[note].startswith("Resource side only")
    assert lines[1][note] == ""
    assert lines[0][note].startswith("Gap over the statements both sides scored")
    assert lines[-1][note].startswith("Gap over the statements both sides scored")
    assert (lines[0][combined], lines[0][gap]) == ("81.3", "50")
    assert (lines[-1][combined], lines[-1][gap]) == ("81.3", "50")
    assert {(line[header.index("Instrument")], line[header.index("Version")]) for line in lines} == {
        (assessment_round.instrument_version.instrument.name, str(assessment_round.instrument_version.number))
    }


def test_the_api_names_the_only_side_once_both_submitted_and_never_before(world):
    from django.test import Client

    _token, raw = api_token_create(actor=world.coordinator, user=world.coordinator, name="test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assessment_round, _items = _round(world)
    detail = api.get(f"{URL}/rounds/{assessment_round.uuid}").json()
    first, second = detail["sections"]
    assert [i["only_side"] for i in first["items"]] == [None, "resource"]
    assert (first["items"][1]["combined"], first["items"][1]["gap"]) == (75.0, None)
    assert (first["only_side"], second["only_side"], detail["overall"]["only_side"]) == (
        None,
        "resource",
        None,
    )
    assert (second["combined"], second["gap"]) == (62.5, None)
    assert (detail["overall"]["combined"], detail["overall"]["gap"]) == (81.3, 50.0)
    assert (first["gap"], first["gap_over_shared_statements"]) == (50.0, True)
    assert detail["overall"]["gap_over_shared_statements"] is True
    assert [i["gap_over_shared_statements"] for i in first["items"]] == [False, False]
    assert second["gap_over_shared_statements"] is False  # one side only: no gap at all

    waiting, _items = _round(world, revealed=False)
    seen = api.get(f"{URL}/rounds/{waiting.uuid}").json()
    scored = [seen["overall"], *seen["sections"], *(i for s in seen["sections"] for i in s["items"])]
    assert {line["only_side"] for line in scored} == {None}
    assert seen["sections"][1]["host"] is None and seen["sections"][1]["resource"] is None
