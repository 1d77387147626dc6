from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from twinning.core.forms import DateInput, ModelForm, PersonChoiceField, VersionedForm, creates_once_field
from twinning.directory.models import Person
from twinning.knowledge.models import Practice
from twinning.partnerships.models import Partnership
from twinning.planning.models import Activity
from twinning.sustainability.follow_ups import ItemAnswer
from twinning.sustainability.limits import COMMENT_MAX, TEXT_MAX
from twinning.sustainability.models_transition import (
    FollowUp,
    FollowUpItem,
    FundingSource,
    GraduationPolicy,
    GraduationReview,
    TransitionItem,
    TransitionMilestone,
    TransitionPlan,
    TransitionRisk,
    TransitionSignOff,
)
from twinning.sustainability.transition_services import ITEM_FIELDS, PLAN_FIELDS, POLICY_FIELDS


class GraduationPolicyForm(ModelForm):
    class Meta:
        model = GraduationPolicy
        fields = list(POLICY_FIELDS)


class TransitionPlanForm(ModelForm):
    class Meta:
        model = TransitionPlan
        fields = list(PLAN_FIELDS)
        widgets = {"summary": forms.Textarea(attrs={"rows": 4}), "handover_date": DateInput}


class TransitionPlanEditForm(TransitionPlanForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TransitionItemForm(ModelForm):
    uuid = creates_once_field()

    activity = forms.ModelChoiceField(
        queryset=Activity.objects.none(),
        to_field_name="uuid",
        required=False,
        label=_("Activity of the plan"),
    )
    practice = forms.ModelChoiceField(
        queryset=Practice.objects.none(),
        to_field_name="uuid",
        required=False,
        label=_("Practice of the library"),
    )
    owner = PersonChoiceField(
        queryset=Person.objects.none(), to_field_name="uuid", required=False, label=_("Responsible person")
    )

    class Meta:
        model = TransitionItem
        fields = list(ITEM_FIELDS)
        widgets = {"takes_over_on": DateInput, "note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"title": _("An activity, a practice, or a role the host side takes over.")}

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(  # type: ignore[attr-defined]
            objective__plan__partnership=partnership
        ).order_by("objective__plan__number", "objective__order", "title")
        self.fields["practice"].queryset = (  # type: ignore[attr-defined]
            Practice.objects.filter(partnership_links__partnership=partnership)
            .exclude(status=Practice.Status.WITHDRAWN)
            .order_by("title")
        )
        self.fields["owner"].queryset = (  # type: ignore[attr-defined]
            Person.objects.filter(
                institution__side_links__partnership=partnership, institution__side_links__side="host"
            )
            .select_related("institution")
            .order_by("full_name")
        )


class TransitionRiskForm(ModelForm):
    uuid = creates_once_field()

    class Meta:
        model = TransitionRisk
        fields = ["risk", "mitigation"]
        widgets = {"mitigation": forms.Textarea(attrs={"rows": 2})}


class TransitionMilestoneForm(ModelForm):
    uuid = creates_once_field()

    class Meta:
        model = TransitionMilestone
        fields = ["title", "due_date"]
        widgets = {"due_date": DateInput}


class SignForm(VersionedForm):
    """The plan's version the signer read rides along, so a plan changed since the page was loaded is refused
    rather than signed unseen (a tester's finding, issue 13)."""

    party = forms.ChoiceField(choices=TransitionSignOff.Party.choices, label=_("Sign for"))
    note = forms.CharField(required=False, max_length=COMMENT_MAX, label=_("Note"))


class GraduationOpenForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}), label=_("Note")
    )


class GraduationDecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=GraduationReview.Decision.choices, widget=forms.RadioSelect, label=_("Decision")
    )
    reason = forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason"))
    decided_on = forms.DateField(required=False, widget=DateInput, label=_("Decided on"))
    extended_to = forms.DateField(
        required=False,
        widget=DateInput,
        label=_("Funding extended to"),
        help_text=_("Only for an extension."),
    )
    confirm_unmet = forms.BooleanField(
        required=False,
        label=_("Graduate although not every criterion is met"),
        help_text=_("Needed to graduate while a criterion is not met; say why in the reason."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, all_met: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if all_met:
            # Nothing to confirm: every criterion that applies is met.
            del self.fields["confirm_unmet"]


class FollowUpAnswerForm(forms.Form):
    """One status, funder and note per question, then the three questions about the whole partnership."""

    staff_retained = forms.ChoiceField(
        choices=[("", "—"), *FollowUp.StaffRetained.choices],
        label=_("Of the staff trained, how many are still in post?"),
    )
    partner_contact = forms.ChoiceField(
        choices=[("", "—"), *FollowUp.Contact.choices], label=_("Is contact with the partner continuing?")
    )
    comment = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Anything else"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, follow_up: FollowUp, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions: list[FollowUpItem] = list(follow_up.items.all())
        for q in self.questions:
            self.fields[f"status_{q.pk}"] = forms.ChoiceField(
                choices=[("", "—"), *FollowUpItem.Status.choices],
                required=False,
                label=q.shown_title,
                initial=q.status,
            )
            self.fields[f"funded_{q.pk}"] = forms.ChoiceField(
                choices=[("", "—"), *FundingSource.choices],
                required=False,
                label=_("Funded by"),
                initial=q.funded_by,
            )
            self.fields[f"note_{q.pk}"] = forms.CharField(
                required=False, max_length=500, label=_("Note"), initial=q.note
            )
        self.initial.setdefault("staff_retained", follow_up.staff_retained)
        self.initial.setdefault("partner_contact", follow_up.partner_contact)
        self.initial.setdefault("comment", follow_up.comment)
        self.initial.setdefault("version", follow_up.version)

    @property
    def rows(self) -> list[tuple[FollowUpItem, Any, Any, Any]]:
        """(question, status field, funder field, note field) for the template."""
        return [
            (q, self[f"status_{q.pk}"], self[f"funded_{q.pk}"], self[f"note_{q.pk}"]) for q in self.questions
        ]

    def answers(self) -> dict[int, ItemAnswer]:
        data = self.cleaned_data
        return {
            q.pk: ItemAnswer(
                status=data.get(f"status_{q.pk}", ""),
                funded_by=data.get(f"funded_{q.pk}", ""),
                note=data.get(f"note_{q.pk}", ""),
            )
            for q in self.questions
        }

    def add_item_errors(self, errors: dict[str, list[str]]) -> None:
        """The service names a question's errors `item_<id>`: show them on its status field."""
        for key, messages in errors.items():
            name = f"status_{key[5:]}" if key.startswith("item_") else key
            self.add_error(name if name in self.fields else None, messages)
