"""My work: a round waits for each side until it submits; joint actions wait for their owner."""

import datetime

import pytest

from twinning.core.choices import Side
from twinning.sustainability.assessment_work import work_counts, work_for_user
from twinning.sustainability.models import AssessmentAction
from twinning.sustainability.tests.factories import RoundFactory, sheet, submit_sides
from twinning.work import work_counts as all_counts

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2027, 1, 15)


def kinds(user):
    return [(item.kind, item.overdue) for item in work_for_user(user, today=TODAY)]


def test_a_round_waits_for_both_sides_until_each_submits(world):
    assessment_round = RoundFactory(partnership=world.partnership, due_date=datetime.date(2027, 1, 1))
    assert kinds(world.coordinator) == [("assessment", True)]
    assert kinds(world.member) == [("assessment", True)]
    assert kinds(world.resource_coordinator) == [("assessment", True)]
    assert kinds(world.manager) == [] and kinds(world.partnership_viewer) == []
    sheet(assessment_round, world.member, Side.HOST, {})
    assert kinds(world.member) == []  # handed in: the coordinator submits the side
    assert kinds(world.coordinator) == [("assessment", True)]
    submit_sides(assessment_round, Side.HOST)
    assert kinds(world.coordinator) == []
    assert work_counts(world.resource_coordinator) == {"assessment": 1}


def test_joint_actions_wait_for_their_owner_and_add_to_the_action_count(world):
    assessment_round = RoundFactory(partnership=world.partnership)
    submit_sides(assessment_round, Side.HOST, Side.RESOURCE)
    AssessmentAction.objects.create(
        round=assessment_round, title="Rotate chairs", owner=world.member, due_date=TODAY
    )
    AssessmentAction.objects.create(round=assessment_round, title="Done", owner=world.member, status="done")
    assert kinds(world.member) == [("action", False)]
    assert all_counts(world.member)["action"] == 1
    assert work_for_user(world.outsider, today=TODAY) == []
