from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from twinning.accounts.access import in_edited_programmes
from twinning.core.choices import Side
from twinning.core.forms import LocalizedIntegerField, ModelForm
from twinning.core.reference import country_choices, name_sort_key
from twinning.directory.forms import institution_label
from twinning.directory.models import HealthArea, Institution, InstitutionExpertise, InstitutionNeed, Language
from twinning.matching.engine.scoring import PARTS
from twinning.matching.models import MAX_WEIGHT, PART_LABELS, MatchingRound, RoundApplicant
from twinning.matching.selectors import PAIR_METHODS, PAIR_SHOW
from twinning.matching.services import ROUND_FIELDS
from twinning.matching.twins import MAX_SHOWN, weights_valid
from twinning.partnerships.models import Programme


class InstitutionChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Institution.objects.order_by("name").only("uuid", "name", "country"),
            to_field_name="uuid",
            **kwargs,
        )

    def label_from_instance(self, obj: Institution) -> str:  # type: ignore[override]
        return institution_label(obj)


class RoundForm(ModelForm):
    class Meta:
        model = MatchingRound
        fields = list(ROUND_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class RoundEditForm(RoundForm):
    """The round form with the version the person started from: a tampered or stale one is a form error."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            key: _("The page was sent without the version it was opened at; open the round again and retry.")
            for key in ("required", "invalid", "min_value", "max_value")
        },
    )


class RoundCreateForm(RoundForm):
    programme: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, to_field_name="uuid", label=_("Programme")
    )

    class Meta(RoundForm.Meta):
        fields = ["programme", *ROUND_FIELDS]

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]


class ApplicantForm(forms.Form):
    institution = InstitutionChoiceField(label=_("Institution"))
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices)
    capacity = LocalizedIntegerField(
        label=_("Places"),
        min_value=0,
        max_value=50,
        required=False,
        help_text=_("Leave empty to use the directory's figure."),
    )


class ApplicantChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=RoundApplicant.objects.none(), to_field_name="uuid", **kwargs)


class DecisionForm(forms.Form):
    ACTIONS = [("accept", _("Accept")), ("override", _("Override"))]

    action = forms.ChoiceField(label=_("Decision"), choices=ACTIONS)
    host = ApplicantChoiceField(label=_("Host"))
    proposed = ApplicantChoiceField(label=_("Proposed twin"), required=False)
    resource = ApplicantChoiceField(label=_("Twin instead"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    def __init__(self, *args: Any, round: MatchingRound, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        applicants = RoundApplicant.objects.filter(round=round).select_related("institution")
        self.fields["host"].queryset = applicants.filter(side="host")  # type: ignore[attr-defined]
        self.fields["proposed"].queryset = applicants.filter(side="resource")  # type: ignore[attr-defined]
        self.fields["resource"].queryset = applicants.filter(side="resource")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "accept" and not data.get("proposed"):
            self.add_error("proposed", _("Choose the twin to accept."))
        return data


class PairFilterForm(forms.Form):
    """Filters of a round's list of pairs (a GET form: a value it does not know counts as no filter)."""

    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=list(zip(PAIR_SHOW, [_("All pairs"), _("To decide"), _("Decided")], strict=True)),
    )
    method = forms.ChoiceField(
        label=_("Assignment"),
        required=False,
        choices=list(zip(PAIR_METHODS, [_("Either"), _("Optimal"), _("Stable"), _("Both")], strict=True)),
    )

    def filters(self) -> dict[str, str]:
        """The valid filters typed (q, show, method), defaults for the rest."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": (data.get("q") or "").strip(),
            "show": data.get("show") or "all",
            "method": data.get("method") or "all",
        }


class ConflictForm(forms.Form):
    institution_a = InstitutionChoiceField(label=_("Institution"))
    institution_b = InstitutionChoiceField(label=_("Must not be paired with"))
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.TextInput)


class NeedForm(forms.Form):
    area = forms.ModelChoiceField(queryset=HealthArea.objects.all(), label=_("Area"), to_field_name="code")
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=InstitutionNeed.Priority.choices, coerce=int, initial=2
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=2000)


class ExpertiseForm(forms.Form):
    area = forms.ModelChoiceField(queryset=HealthArea.objects.all(), label=_("Area"), to_field_name="code")
    depth = forms.TypedChoiceField(
        label=_("Depth"), choices=InstitutionExpertise.Depth.choices, coerce=int, initial=2
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=2000)


NeedFormSet = formset_factory(NeedForm, extra=2, can_delete=True, max_num=30, validate_max=True)
ExpertiseFormSet = formset_factory(ExpertiseForm, extra=2, can_delete=True, max_num=30, validate_max=True)


def formset_rows(formset: Any) -> list[dict[str, Any]]:
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("area")
    ]


class TwinSearchForm(forms.Form):
    """What "Find a twin" looks for (a GET form: values it does not know count as no filter)."""

    side = forms.ChoiceField(
        label=_("This institution is on the side of"),
        choices=Side.choices,
        required=False,
    )
    south = forms.BooleanField(
        label=_("South-to-South: it mentors institutions of its own side"), required=False
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    area = forms.ChoiceField(label=_("Health area"), required=False)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), to_field_name="uuid", required=False
    )
    shown = LocalizedIntegerField(
        label=_("Candidates shown"), min_value=1, max_value=MAX_SHOWN, required=False
    )
    within = forms.ChoiceField(
        label=_("Candidates"),
        required=False,
        choices=[
            ("any", _("in the programme or not")),
            ("in", _("in the programme's partnerships")),
            ("out", _("outside the programme")),
        ],
    )

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["country"].choices = [("", _("any")), *country_choices()]  # type: ignore[attr-defined]
        self.fields["type"].choices = [("", _("any")), *Institution.Type.choices]  # type: ignore[attr-defined]
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", _("any")),
            *sorted(
                (
                    (lang.code, str(lang))
                    for lang in Language.objects.filter(institutions__isnull=False).distinct()
                ),
                key=lambda choice: name_sort_key(choice[1]),
            ),
        ]
        self.fields["area"].choices = [  # type: ignore[attr-defined]
            ("", _("any")),
            *((area.code, str(area)) for area in HealthArea.objects.all()),
        ]
        for part in PARTS:
            self.fields[f"weight_{part}"] = forms.IntegerField(
                label=PART_LABELS[part], min_value=0, max_value=MAX_WEIGHT, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = {p: v for p in PARTS if (v := data.get(f"weight_{p}")) is not None}
        if not weights_valid(data.get("programme"), given):
            raise forms.ValidationError(_("Give at least one part of the score a weight above zero."))
        return data


class TwinActionForm(forms.Form):
    """Act on a twin search: the candidate chosen, the side the institution takes, why, and where."""

    candidate = InstitutionChoiceField(
        label=_("Candidate"), error_messages={"required": _("Choose a candidate.")}
    )
    role = forms.ChoiceField(label=_("Side"), choices=Side.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), to_field_name="uuid", required=False
    )
    round = forms.ModelChoiceField(
        label=_("Open round"), queryset=MatchingRound.objects.none(), to_field_name="uuid", required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        edited = Programme.objects.filter(in_edited_programmes(user, via=""))
        self.fields["programme"].queryset = edited  # type: ignore[attr-defined]
        self.fields["round"].queryset = MatchingRound.objects.filter(  # type: ignore[attr-defined]
            programme__in=edited
        ).exclude(status=MatchingRound.Status.CLOSED)
