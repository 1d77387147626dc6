from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from twinning.core.forms import DateInput, ModelForm, PersonChoiceField, VersionedForm
from twinning.directory.models import Person
from twinning.exchanges.models import (
    REPORT_EXTENSIONS,
    Exchange,
    MentoringPair,
    MentoringSession,
    Participant,
    Sex,
    TraineeGroup,
    TrainingSetting,
)
from twinning.exchanges.services import EXCHANGE_FIELDS, SESSION_FIELDS
from twinning.partnerships.models import Partnership
from twinning.planning.models import Activity, Objective


class ExchangeForm(ModelForm):
    objectives = forms.ModelMultipleChoiceField(
        queryset=Objective.objects.none(), to_field_name="uuid", required=False, label=_("Objectives served")
    )
    activities = forms.ModelMultipleChoiceField(
        queryset=Activity.objects.none(), to_field_name="uuid", required=False, label=_("Activities served")
    )

    class Meta:
        model = Exchange
        fields = list(EXCHANGE_FIELDS)
        widgets = {
            "start_date": DateInput,
            "end_date": DateInput,
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "trip_report": forms.Textarea(attrs={"rows": 5}),
            "outcomes": forms.Textarea(attrs={"rows": 3}),
            "host_learned": forms.Textarea(attrs={"rows": 2}),
            "resource_learned": forms.Textarea(attrs={"rows": 2}),
            "report_file": forms.ClearableFileInput(
                attrs={"accept": ",".join(f".{e}" for e in REPORT_EXTENSIONS)}
            ),
        }
        help_texts = {
            "country": _("ISO code, e.g. UG."),
            "report_file": _("PDF, Word, OpenDocument, text or image; the size limit applies."),
        }

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["objectives"].queryset = Objective.objects.filter(  # type: ignore[attr-defined]
            plan__partnership=partnership
        ).order_by("plan_id", "order", "code")
        self.fields["activities"].queryset = Activity.objects.filter(  # type: ignore[attr-defined]
            objective__plan__partnership=partnership
        ).order_by("objective_id", "start_date", "title")
        if self.instance.pk:
            self.initial["objectives"] = [o.uuid for o in self.instance.objectives.all()]
            self.initial["activities"] = [a.uuid for a in self.instance.activities.all()]

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").upper()


class ExchangeEditForm(ExchangeForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ParticipantForm(forms.Form):
    person = PersonChoiceField(queryset=Person.objects.none(), to_field_name="uuid", label=_("Person"))
    role = forms.ChoiceField(choices=Participant.Role.choices, label=_("Role"))
    sex = forms.ChoiceField(choices=Sex.choices, initial=Sex.UNKNOWN, label=_("Sex"))
    setting = forms.ChoiceField(
        choices=[("", _("Not recorded")), *TrainingSetting.choices],
        required=False,
        label=_("In-service or pre-service"),
        help_text=_("For trainees."),
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class TraineeGroupForm(ModelForm):
    class Meta:
        model = TraineeGroup
        fields = ["cadre", "sex", "setting", "count"]


class MentoringPairForm(ModelForm):
    mentor = PersonChoiceField(queryset=Person.objects.none(), to_field_name="uuid", label=_("Mentor"))
    mentee = PersonChoiceField(queryset=Person.objects.none(), to_field_name="uuid", label=_("Mentee"))

    class Meta:
        model = MentoringPair
        fields = ["mentor", "mentee", "goals", "status", "start_date", "end_date"]
        widgets = {"start_date": DateInput, "end_date": DateInput, "goals": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = people  # type: ignore[attr-defined]
        self.fields["mentee"].queryset = people  # type: ignore[attr-defined]


class MentoringPairEditForm(VersionedForm):
    goals = forms.CharField(label=_("Goals"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(choices=MentoringPair.Status.choices, label=_("Status"))
    start_date = forms.DateField(label=_("Starts"), required=False, widget=DateInput)
    end_date = forms.DateField(label=_("Ends"), required=False, widget=DateInput)


class MentoringSessionForm(ModelForm):
    class Meta:
        model = MentoringSession
        fields = list(SESSION_FIELDS)
        widgets = {"date": DateInput, "notes": forms.Textarea(attrs={"rows": 2})}
