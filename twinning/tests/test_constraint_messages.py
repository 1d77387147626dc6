"""A model constraint the user can run into says what went wrong, once, in the reader's language, on the page and
over the API: never Django's "Constraint “…” is violated." nor the constraint's name (issue 12; the walk over every
constraint is in knowledge/tests/test_findings_round3.py)."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from twinning.accounts.services import api_token_create
from twinning.contributions import services as contributions
from twinning.contributions.tests.factories import AwardFactory
from twinning.matching import services as matching
from twinning.planning.tests.factories import common_indicator
from twinning.sustainability.models import Answer
from twinning.sustainability.tests.factories import small_version
from twinning.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def api(user, method, url, body):
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return getattr(Client(), method)(
        url, data=json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def _says_it_plainly(text, message, constraint):
    assert message in text, text
    assert constraint not in text and "is violated" not in text and "already exists" not in text


# --- contributions: an award's reference is how finance names it -------------------------------------------------

SAME_REFERENCE = "The programme already has an award with this reference."
AWARD = {
    "donor": "Global Health Fund",
    "reference": "GHF-2024",
    "title": "Surgical training",
    "amount": "1000",
    "currency": "USD",
    "start_date": "2024-01-01",
    "end_date": "2024-12-31",
    "cost_share_basis": "generic",
}


def test_a_second_award_with_the_same_reference_is_refused_in_plain_words_on_the_page(client, world):
    AwardFactory(programme=world.programme, reference="GHF-2024")
    client.force_login(world.finance)
    response = client.post(reverse("contributions:awards", args=[world.programme.uuid]), AWARD)
    assert response.status_code == 400
    _says_it_plainly(response.content.decode(), SAME_REFERENCE, "award_reference_per_programme")
    assert world.programme.awards.count() == 1


def test_a_second_award_with_the_same_reference_is_refused_in_plain_words_over_the_api(world):
    AwardFactory(programme=world.programme, reference="GHF-2024")
    answer = api(
        world.finance, "post", f"/api/v1/contributions/programmes/{world.programme.uuid}/awards", AWARD
    )
    assert answer.status_code == 422
    _says_it_plainly(json.dumps(answer.json()), SAME_REFERENCE, "award_reference_per_programme")
    assert world.programme.awards.count() == 1


def test_a_second_award_with_the_same_reference_is_refused_in_the_readers_language(world):
    AwardFactory(programme=world.programme, reference="GHF-2024")
    fields = {**AWARD, "amount": Decimal(1000), "start_date": datetime.date(2024, 1, 1)}
    fields["end_date"] = datetime.date(2024, 12, 31)
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        contributions.award_create(actor=world.finance, programme=world.programme, **fields)
    assert refused.value.messages == ["Le programme a déjà une subvention avec cette référence."]


def test_time_without_a_giver_is_refused_once(world):
    person = PersonFactory(institution=world.partnership.side_links.get(side="resource").institution)
    with pytest.raises(ValidationError) as refused:
        contributions.time_entry_create(
            actor=world.member,
            partnership=world.partnership,
            side="resource",
            person=None,
            cadre=person.cadre or "surgeon",
            start_date=datetime.date(2024, 3, 4),
            end_date=datetime.date(2024, 3, 8),
            quantity=Decimal(5),
            unit="days",
        )
    messages = refused.value.messages
    assert messages.count("Say who gave the time: a person or an institution.") == 1, messages


# --- matching: a round scores on something -------------------------------------------------------------------------


def test_a_round_without_any_weight_is_refused_once_in_the_readers_language(world):
    zero = dict.fromkeys(
        [
            "coverage",
            "text",
            "mutual",
            "type",
            "specialties",
            "language",
            "time_zone",
            "capacity",
            "prior_ties",
        ],
        0,
    )
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        matching.round_create(actor=world.manager, programme=world.programme, name="2025", weights=zero)
    assert refused.value.messages == ["Donnez à au moins une composante du score un poids supérieur à zéro."]


# --- planning: one DHIS2 data element names one indicator ----------------------------------------------------------


def test_a_dhis2_data_element_of_another_indicator_is_refused_in_plain_words_over_the_api(world):
    common_indicator(world.manager, world.programme, code="HW1", dhis2_data_element="a1234567890")
    other = common_indicator(world.manager, world.programme, code="HW2")
    answer = api(
        world.manager,
        "patch",
        f"/api/v1/planning/indicators/{other.uuid}",
        {"dhis2_data_element": "a1234567890"},
    )
    assert answer.status_code == 422
    _says_it_plainly(
        json.dumps(answer.json()),
        "Another indicator of the programme already has this DHIS2 data element.",
        "indicator_dhis2_uid_per_programme",
    )
    other.refresh_from_db()
    assert other.dhis2_data_element == ""


# --- sustainability: an answer is a point or "not applicable" ------------------------------------------------------


def test_an_answer_with_a_point_and_not_applicable_is_refused_once():
    item = small_version().sections.first().items.first()
    item.allows_not_applicable = True
    answer = Answer(item=item, value=item.scale_min, not_applicable=True)
    with pytest.raises(ValidationError) as refused:
        answer.full_clean(exclude=["response"])
    assert refused.value.messages == ["Give a point on the scale or mark it not applicable, not both."]
