"""Pickers never offer two options that read alike: people who share a name, indicators that share a code."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from twinning.core.forms import IndicatorChoiceField, PersonChoiceField
from twinning.directory.models import Person
from twinning.planning.models import Indicator
from twinning.testing.factories import InstitutionFactory, PartnershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _labels(field):
    return [label for value, label in field.choices if value != ""]


def test_people_who_share_a_name_are_told_apart_by_email_then_profession_then_number():
    hospital = InstitutionFactory(name="Mulago National Referral Hospital", short_name="MNRH")
    PersonFactory(institution=hospital, full_name="John Banda", email="john.banda@mulago.example")
    PersonFactory(institution=hospital, full_name="John Banda", email="", cadre="nurse")
    PersonFactory(institution=hospital, full_name="John Banda", email="", cadre="nurse")
    PersonFactory(institution=hospital, full_name="Grace Akello")
    field = PersonChoiceField(queryset=Person.objects.all(), to_field_name="uuid")
    labels = _labels(field)
    assert "Grace Akello (MNRH)" in labels
    assert "John Banda (MNRH) · john.banda@mulago.example" in labels
    nurse = Person(cadre="nurse").get_cadre_display()
    assert sorted(label for label in labels if "@" not in label and "Banda" in label) == [
        f"John Banda (MNRH) · {nurse} (1)",
        f"John Banda (MNRH) · {nurse} (2)",
    ]
    assert len(set(labels)) == len(labels) == 4


def test_a_partnerships_own_indicators_with_one_code_name_their_partnership_in_one_query():
    first, second = PartnershipFactory(title="Gulu–Leeds"), PartnershipFactory(title="Mbale–Bristol")
    for partnership in (first, second):
        Indicator.objects.create(
            programme=partnership.programme,
            partnership=partnership,
            code="MENTOR",
            name="Mentoring sessions held",
        )
    Indicator.objects.create(programme=first.programme, code="DEATHS", name="Maternal deaths")
    field = IndicatorChoiceField(queryset=Indicator.objects.order_by("code", "pk"), to_field_name="uuid")
    with CaptureQueriesContext(connection) as queries:
        labels = _labels(field)
    assert labels == [
        "DEATHS Maternal deaths",
        "MENTOR Mentoring sessions held (Gulu–Leeds)",
        "MENTOR Mentoring sessions held (Mbale–Bristol)",
    ]
    assert len(queries) == 1


NAMES = ["Zomba Central Hospital", "Élan Santé", "Elgon Hospital", "abidjan clinic"]
READER_ORDER = ["abidjan clinic", "Élan Santé", "Elgon Hospital", "Zomba Central Hospital"]


def test_a_picker_of_names_sorts_accented_names_beside_their_letter_on_both_databases():
    from django import forms

    from twinning.directory.models import Institution

    for name in NAMES:
        InstitutionFactory(name=name)
    if connection.vendor == "sqlite":
        # The fault itself: SQLite sorts bytes, so lower case and accented capitals come after "Z".
        assert list(Institution.objects.values_list("name", flat=True))[-1] != "Zomba Central Hospital"
    single = forms.ModelChoiceField(queryset=Institution.objects.all())
    several = forms.ModelMultipleChoiceField(queryset=Institution.objects.order_by("-name"))
    assert _labels(single) == READER_ORDER
    assert _labels(several) == READER_ORDER[::-1]


def test_a_modelforms_own_foreign_key_picker_and_the_people_picker_sort_names_too():
    from django import forms

    hospitals = [InstitutionFactory(name=name, short_name="") for name in NAMES]
    for hospital in hospitals:
        PersonFactory(institution=hospital, full_name=f"Ana {hospital.name}")

    class PersonForm(forms.ModelForm):
        class Meta:
            model = Person
            fields = ["institution"]

    assert [label for value, label in PersonForm().fields["institution"].choices if value][:4] == READER_ORDER
    people = _labels(PersonChoiceField(queryset=Person.objects.all()))
    assert [label.split(" (")[0] for label in people] == [f"Ana {name}" for name in READER_ORDER]


def test_a_picker_in_a_chosen_order_keeps_it():
    from django import forms

    from twinning.directory.models import HealthArea

    HealthArea.objects.all().delete()
    for order, name in enumerate(["Zoonoses", "Anaesthesia", "Émergences"]):
        HealthArea.objects.create(code=f"a{order}", name=name, order=order)
    field = forms.ModelChoiceField(queryset=HealthArea.objects.all())
    assert _labels(field) == ["Zoonoses", "Anaesthesia", "Émergences"]
