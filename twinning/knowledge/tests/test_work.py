"""My work: a submitted practice waits for the programme's editors until they publish it or return it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.knowledge import services
from twinning.knowledge.models import Practice
from twinning.knowledge.tests.factories import PracticeFactory
from twinning.knowledge.work import work_counts, work_for_user
from twinning.testing.factories import PartnershipFactory
from twinning.work import work_counts as all_counts
from twinning.work import work_for_user as all_work

pytestmark = pytest.mark.django_db
S = Practice.Status
TODAY = datetime.date(2026, 11, 30)


def submitted(world, partnership=None, **extra):
    practice = PracticeFactory(partnership=partnership or world.partnership, author=world.member, **extra)
    actor = world.member if partnership in (None, world.partnership) else world.admin
    services.practice_move(actor=actor, practice=practice, to_status=S.SUBMITTED)
    return practice


def test_a_submitted_practice_waits_for_the_programmes_editors(world):
    practice = submitted(world, title="Safe birth checklist")
    for editor in (world.manager, world.me_officer):
        (item,) = work_for_user(editor, today=TODAY)
        assert item.kind == "review_practice" and item.label == "Safe birth checklist"
        assert item.url == reverse("knowledge:detail", args=[practice.uuid])
        assert item.partnership == world.partnership.title
        assert item.date is not None
        assert work_counts(editor) == {"review_practice": 1}
        assert "review_practice" in all_counts(editor)
    # Those who cannot decide are not asked to: the author, the finance officer, viewers, outsiders.
    for who in (world.member, world.coordinator, world.finance, world.programme_viewer, world.outsider):
        assert work_for_user(who, today=TODAY) == [] and work_counts(who) == {}
    assert work_counts(world.other_coordinator) == {}


def test_the_decision_takes_the_practice_off_the_list(world):
    published = submitted(world)
    returned = submitted(world)
    PracticeFactory(partnership=world.partnership, status=S.DRAFT)  # a draft waits for nobody
    assert work_counts(world.manager) == {"review_practice": 2}
    services.practice_move(actor=world.manager, practice=published, to_status=S.PROGRAMME, comment="Good")
    services.practice_move(actor=world.manager, practice=returned, to_status=S.DRAFT, comment="Add costs")
    assert work_for_user(world.manager, today=TODAY) == [] and work_counts(world.manager) == {}


def test_another_programmes_submissions_are_not_listed(world):
    submitted(world, partnership=world.other_partnership)
    assert work_counts(world.manager) == {}


def test_the_list_and_the_count_take_a_fixed_number_of_queries(world):
    submitted(world)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            work_for_user(world.manager, today=TODAY)
            work_counts(world.manager)
        return len(ctx.captured_queries)

    few = count()
    for _n in range(4):
        submitted(world)
        submitted(world, partnership=PartnershipFactory(programme=world.programme))
    assert count() == few
    assert work_counts(world.manager) == {"review_practice": 9}


def test_my_work_page_lists_the_practice_and_the_navigation_counts_it(client, world):
    submitted(world, title="Safe birth checklist")
    client.force_login(world.manager)
    body = client.get(reverse("my_work")).text
    assert "Safe birth checklist" in body and "Review a practice" in body
    assert any(item.kind == "review_practice" for item in all_work(world.manager, today=TODAY))
