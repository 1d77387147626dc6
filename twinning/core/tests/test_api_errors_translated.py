"""An API refusal speaks the caller's language: pydantic's own English never reaches them, each field in error
comes with the label people read for it, and a period is named by its label ("T1 2024"), never by its id."""

import pytest
from django.utils import translation

from twinning.accounts.models import User
from twinning.core.api import field_label
from twinning.exchanges.tests.test_api import URL as EXCHANGES
from twinning.exchanges.tests.test_api import api, body
from twinning.monitoring.models import PeriodReport
from twinning.monitoring.services import report_get_or_create
from twinning.monitoring.tests.factories import monitored

pytestmark = pytest.mark.django_db


def _in(user, language):
    User.objects.filter(pk=user.pk).update(language=language)
    return api(user)


def test_a_french_callers_bad_exchange_is_refused_in_french_with_field_labels(world):
    sent = body(world, start_date="le 3 mars", title="", days="beaucoup", surprise=1)
    response = _in(world.member, "fr").post(EXCHANGES, sent, content_type="application/json")
    assert response.status_code == 422
    answer = response.json()
    assert answer["detail"] == "Certaines données ne sont pas valides."
    assert answer["labels"]["start_date"] == "Début"
    assert answer["labels"]["title"] == "Titre"
    text = " ".join(" ".join(messages) for messages in answer["errors"].values())
    for english in ("Input should", "valid date", "Extra inputs", "field required", "String should"):
        assert english not in text
    assert "Saisissez une date valide (AAAA-MM-JJ)." in answer["errors"]["start_date"]


def test_a_pydantic_error_without_its_own_wording_is_still_in_the_callers_language(world):
    sent = body(world, direction="sideways")
    response = _in(world.member, "ru").post(EXCHANGES, sent, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"]["direction"][0].startswith("Выберите")


def test_a_refused_period_is_named_by_its_label(client, world):
    from twinning.monitoring.tests.test_api import URL, auth

    monitored(world)
    report_get_or_create(world.partnership, "2024Q1")
    PeriodReport.objects.filter(partnership=world.partnership, period="2024Q1").update(status="approved")
    User.objects.filter(pk=world.member.pk).update(language="fr")
    payload = {
        "partnership": str(world.partnership.uuid),
        "indicator": "HW1",
        "period": "2024Q1",
        "value": "3",
    }
    response = client.patch(f"{URL}/results", payload, content_type="application/json", **auth(world.member))
    assert response.status_code == 422
    detail = response.json()["detail"]
    with translation.override("fr"):
        label = translation.gettext("Q%(n)s %(year)s") % {"n": 1, "year": 2024}
    assert label in detail and "2024Q1" not in detail


def test_a_field_label_is_the_word_people_read_and_an_unknown_name_stays_as_sent():
    with translation.override("pt"):
        assert field_label("objectives.0") not in ("objectives.0", "objectives", "Objectives")
        assert field_label("start_date") == translation.gettext("Starts")
        assert field_label("no_such_field") == "no_such_field"
