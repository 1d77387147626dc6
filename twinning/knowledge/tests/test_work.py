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


def test_a_public_practices_author_is_asked_to_confirm_what_changed_and_no_one_else(world):
    """Issue 12: an edit or a new file on a public practice waits for the author's confirmation; the author's
    My work says so until they confirm (else the change stays off the public page unseen)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    practice = PracticeFactory.create(
        partnership=world.partnership, status=S.PROGRAMME, author=world.member, title="Kangaroo care"
    )
    services.practice_confirm_no_personal_data(actor=world.member, practice=practice)
    services.practice_move(actor=world.manager, practice=practice, to_status=S.PUBLIC, comment="Good")
    assert work_counts(world.member) == {}  # confirmed as it is: nothing waits

    practice = Practice.objects.get(pk=practice.pk)
    services.practice_update(actor=world.manager, practice=practice, data={"title": "Kangaroo care, 2nd"})

    (item,) = work_for_user(world.member, today=TODAY)
    assert (item.kind, item.label) == ("confirm_practice", "Kangaroo care, 2nd")
    assert item.url == reverse("knowledge:detail", args=[practice.uuid])
    assert work_counts(world.member) == {"confirm_practice": 1} and "confirm_practice" in all_counts(
        world.member
    )
    for who in (world.manager, world.coordinator, world.programme_viewer, world.outsider):
        assert work_counts(who) == {}

    services.practice_confirm_no_personal_data(
        actor=world.member, practice=Practice.objects.get(pk=practice.pk)
    )
    assert work_counts(world.member) == {}
    # A file a manager adds waits the same way.
    services.document_create(
        actor=world.manager,
        practice=Practice.objects.get(pk=practice.pk),
        title="Ward checklist",
        type="toolkit",
        language="en",
        file=SimpleUploadedFile("checklist.txt", b"Thermoregulation checklist."),
    )
    assert [i.kind for i in all_work(world.member, today=TODAY) if i.kind == "confirm_practice"] == [
        "confirm_practice"
    ]
