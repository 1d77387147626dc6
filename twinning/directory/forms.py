from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from twinning.core.forms import DateInput, ModelForm
from twinning.core.reference import country_choices, country_name
from twinning.directory.models import CountryPriority, HealthArea, Institution, Language, Person
from twinning.directory.services import INSTITUTION_EDITABLE_FIELDS


def institution_label(institution: Institution) -> str:
    """How a picker names an institution: "Gulu Regional Referral Hospital (Uganda)", the country in the reader's
    language. Shared by every institution picker (directory, partnerships, matching)."""
    return f"{institution.name} ({country_name(institution.country)})"


class InstitutionMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Institutions chosen by UUID (integer keys stay internal), by name, labelled with their country."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            queryset=Institution.objects.order_by("name").only("uuid", "name", "country"),
            to_field_name="uuid",
            **kwargs,  # type: ignore[arg-type]
        )

    def label_from_instance(self, obj: Institution) -> str:  # type: ignore[override]
        return institution_label(obj)


class InstitutionForm(ModelForm):
    country = forms.ChoiceField(label=_("Country"))
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.all(), to_field_name="code", required=False, label=_("Working languages")
    )
    expertise = forms.ModelMultipleChoiceField(
        queryset=HealthArea.objects.all(),
        to_field_name="code",
        required=False,
        label=_("Expertise it offers"),
    )
    needs = forms.ModelMultipleChoiceField(
        queryset=HealthArea.objects.all(), to_field_name="code", required=False, label=_("Needs it has")
    )

    class Meta:
        model = Institution
        fields = list(INSTITUTION_EDITABLE_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "---------"), *country_choices()]  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial.setdefault("expertise", [a.code for a in self.instance.expertise.all()])
            self.initial.setdefault("needs", [a.code for a in self.instance.needs.all()])


class InstitutionEditForm(InstitutionForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PersonForm(ModelForm):
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.all(), to_field_name="code", required=False, label=_("Languages")
    )

    class Meta:
        model = Person
        fields = ["full_name", "email", "cadre", "languages", "is_volunteer"]


class CountryPriorityForm(ModelForm):
    country = forms.ChoiceField(label=_("Country"))
    area = forms.ModelChoiceField(queryset=HealthArea.objects.all(), to_field_name="code", required=False)

    class Meta:
        model = CountryPriority
        fields = ["country", "text", "area", "source_document", "stated_on", "rank"]
        widgets = {"stated_on": DateInput, "text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "---------"), *country_choices()]  # type: ignore[attr-defined]
