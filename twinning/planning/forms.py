from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from twinning.core.forms import DateInput, IndicatorChoiceField, LocalizedIntegerField, ModelForm
from twinning.core.numbers import SPACES, current_locale, parse_decimal
from twinning.directory.models import CountryPriority, Person
from twinning.partnerships.models import Partnership, Pillar, Programme
from twinning.planning.models import (
    Activity,
    DisaggregationCategory,
    Indicator,
    Objective,
    Plan,
    PlanIndicator,
    PlanningEvent,
    PlanningParticipant,
    PlanSignOff,
)
from twinning.planning.services import host_countries
from twinning.planning.services.common import (
    ACTIVITY_FIELDS,
    EVENT_FIELDS,
    INDICATOR_FIELDS,
    PLAN_FIELDS,
    PLAN_INDICATOR_FIELDS,
    PROGRESS_FIELDS,
)

YEAR = {"min_value": 2000, "max_value": 2100}


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, required=False, **kwargs)


class PlanForm(ModelForm):
    first_year = LocalizedIntegerField(label=_("First year"), **YEAR)
    last_year = LocalizedIntegerField(label=_("Last year"), **YEAR)
    version = VersionField()

    class Meta:
        model = Plan
        fields = list(PLAN_FIELDS)


class SignOffForm(forms.Form):
    party = forms.ChoiceField(choices=PlanSignOff.Party.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        help_text=_("For the ministry: who signed, and how (letter, meeting)."),
    )


class NewVersionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the plan changes"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class EventForm(ModelForm):
    class Meta:
        model = PlanningEvent
        fields = list(EVENT_FIELDS)
        widgets = {"date": DateInput, "summary": forms.Textarea(attrs={"rows": 2})}


class ParticipantForm(ModelForm):
    class Meta:
        model = PlanningParticipant
        fields = ["name", "group", "organisation"]


class ObjectiveForm(ModelForm):
    version = VersionField()

    class Meta:
        model = Objective
        fields = ["code", "statement", "pillar", "priorities"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2}), "priorities": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pillar"].queryset = Pillar.objects.filter(  # type: ignore[attr-defined]
            programme_id=partnership.programme_id
        ).order_by("order")
        self.fields["pillar"].to_field_name = "code"  # type: ignore[attr-defined]
        self.fields["priorities"].queryset = CountryPriority.objects.filter(  # type: ignore[attr-defined]
            country__in=host_countries(partnership)
        ).order_by("country", "rank")
        self.fields["priorities"].to_field_name = "uuid"  # type: ignore[attr-defined]
        if self.instance.pk:
            # model_to_dict gives primary keys; these fields are chosen by code and uuid.
            self.initial["pillar"] = self.instance.pillar.code
            self.initial["priorities"] = [p.uuid for p in self.instance.priorities.all()]


class ActivityForm(ModelForm):
    objective = forms.ModelChoiceField(
        queryset=Objective.objects.none(), to_field_name="uuid", label=_("Objective")
    )
    version = VersionField()

    class Meta:
        model = Activity
        fields = ["objective", *ACTIVITY_FIELDS]
        widgets = {
            "start_date": DateInput,
            "end_date": DateInput,
            "progress_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partnership = plan.partnership
        self.fields["objective"].queryset = plan.objectives.order_by("order", "code")  # type: ignore[attr-defined]
        field = self.fields["responsible_person"]
        field.queryset = (  # type: ignore[attr-defined]
            Person.objects.filter(institution__side_links__partnership=partnership)
            .distinct()
            .order_by("full_name")
        )
        field.to_field_name = "uuid"  # type: ignore[attr-defined]
        if self.instance.pk:
            # model_to_dict gives primary keys; these fields are chosen by uuid.
            self.initial["objective"] = self.instance.objective.uuid
            person = self.instance.responsible_person
            self.initial["responsible_person"] = person.uuid if person else None


class ProgressForm(ModelForm):
    version = VersionField()

    class Meta:
        model = Activity
        fields = list(PROGRESS_FIELDS)
        widgets = {"progress_note": forms.TextInput}


class AdoptForm(ModelForm):
    objective = forms.ModelChoiceField(
        queryset=Objective.objects.none(), to_field_name="uuid", label=_("Objective")
    )
    indicator = IndicatorChoiceField(
        queryset=Indicator.objects.none(), to_field_name="uuid", label=_("Indicator")
    )

    class Meta:
        model = PlanIndicator
        fields = ["objective", "indicator", "baseline_value", "baseline_date", "baseline_note", "end_target"]
        widgets = {"baseline_date": DateInput, "baseline_note": forms.TextInput}

    def __init__(self, *args: Any, plan: Plan, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = plan.objectives.order_by("order", "code")  # type: ignore[attr-defined]
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]

    def validate_unique(self) -> None:
        # The plan is set by the service, which refuses an indicator adopted twice.
        pass


class PlanIndicatorForm(ModelForm):
    objective = forms.ModelChoiceField(
        queryset=Objective.objects.none(), to_field_name="uuid", label=_("Objective")
    )
    version = VersionField()

    class Meta:
        model = PlanIndicator
        fields = list(PLAN_INDICATOR_FIELDS)
        widgets = {"baseline_date": DateInput, "baseline_note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = plan.objectives.order_by("order", "code")  # type: ignore[attr-defined]


class IndicatorForm(ModelForm):
    version = VersionField()

    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "categories": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["categories"]
        field.queryset = DisaggregationCategory.objects.filter(programme=programme)  # type: ignore[attr-defined]
        field.to_field_name = "code"  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["categories"] = [c.code for c in self.instance.categories.all()]
        # Only meaningful with a breakdown: left out, they keep the indicator's current (or default) rule.
        for name in ("breakdown", "missing_total"):
            self.fields[name].required = False
        # Nobody chose yet: the service takes the measure's rule (a percentage is never summed, issue 9).
        cross = self.fields["cross_aggregation"]
        cross.required = False
        cross.choices = [  # type: ignore[attr-defined]
            ("", _("By measure: weighted mean for a percentage, else sum")),
            *Indicator.CrossAggregation.choices,
        ]
        if not self.instance.pk:
            self.initial["cross_aggregation"] = ""

    def clean_breakdown(self) -> str:
        return self.cleaned_data.get("breakdown") or self.instance.breakdown

    def clean_missing_total(self) -> str:
        return self.cleaned_data.get("missing_total") or self.instance.missing_total

    def validate_unique(self) -> None:
        # Uniqueness depends on the programme and partnership the service sets; the service checks it.
        pass


def _parse_options(text: str) -> list[tuple[str, str]]:
    options = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, sep, name = line.partition(":")
        if not sep or not code.strip() or not name.strip():
            raise forms.ValidationError(
                _("Line %(number)s: write each option as code: name, e.g. female: Female."),
                params={"number": number},
            )
        options.append((code.strip(), name.strip()))
    return options


class DisaggregationForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=100)
    options = forms.CharField(
        label=_("Options"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line as code: name, e.g. female: Female."),
    )

    def clean_options(self) -> list[tuple[str, str]]:
        return _parse_options(self.cleaned_data["options"])


class OptionForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=100)


def parse_target_cell(raw: str) -> Decimal | None:
    """A grid cell typed the user's way (core.numbers): blank is no target; ValidationError otherwise."""
    if not raw or not raw.strip(SPACES):
        return None
    value = parse_decimal(raw, locale=current_locale())
    if abs(value) >= Decimal("1e14"):
        raise ValidationError(_("This number is too large."), code="max_value")
    return value
