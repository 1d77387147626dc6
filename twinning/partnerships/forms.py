from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from twinning.accounts.models import PartnershipMembership
from twinning.core.choices import Side
from twinning.core.forms import DateInput, ModelForm, VersionedForm
from twinning.directory.forms import InstitutionMultipleChoiceField
from twinning.partnerships.models import Agreement, Partnership, Programme, Stage, Stakeholder
from twinning.partnerships.services import PARTNERSHIP_FIELDS


class PartnershipForm(ModelForm):
    hosts = InstitutionMultipleChoiceField(label=_("Host institutions"), help_text=_("In the host country."))
    resources = InstitutionMultipleChoiceField(
        label=_("Resource institutions"), help_text=_("The partners that bring resources and expertise.")
    )

    class Meta:
        model = Partnership
        fields = list(PARTNERSHIP_FIELDS)
        widgets = {
            "start_date": DateInput,
            "end_date": DateInput,
            "shared_goal": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hosts, resources = data.get("hosts") or [], data.get("resources") or []
        if {i.pk for i in hosts} & {i.pk for i in resources}:
            self.add_error("resources", _("An institution cannot be on both sides of a partnership."))
        return data


class PartnershipCreateForm(PartnershipForm):
    programme = forms.ModelChoiceField(
        queryset=Programme.objects.none(), to_field_name="uuid", label=_("Programme")
    )
    stage = forms.ChoiceField(choices=Stage.choices, initial=Stage.SCOPING, label=_("Stage"))

    class Meta(PartnershipForm.Meta):
        fields = ["programme", *PARTNERSHIP_FIELDS, "stage"]

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        only = list(programmes[:2])
        if len(only) == 1:
            self.fields["programme"].initial = only[0].uuid
        self.order_fields(
            ["programme", "title", "shared_goal", "start_date", "end_date", "stage", "hosts", "resources"]
        )


class PartnershipEditForm(PartnershipForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StageForm(VersionedForm):
    stage = forms.ChoiceField(choices=Stage.choices, label=_("New stage"))
    changed_on = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StakeholderForm(ModelForm):
    class Meta:
        model = Stakeholder
        fields = ["kind", "name", "role", "contact_name", "contact_email"]
        widgets = {"role": forms.Textarea(attrs={"rows": 2})}


class AgreementForm(ModelForm):
    class Meta:
        model = Agreement
        fields = ["title", "document", "host_signed_on", "resource_signed_on", "notes"]
        widgets = {
            "host_signed_on": DateInput,
            "resource_signed_on": DateInput,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class MemberForm(forms.Form):
    email = forms.EmailField(
        label=_("Email of the person"),
        help_text=_("Someone without an account gets one, and an email to choose their password."),
    )
    full_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    side = forms.ChoiceField(choices=Side.choices, label=_("Side"))
    role = forms.ChoiceField(choices=PartnershipMembership.Role.choices, label=_("Role"))

    def __init__(self, *args: Any, sides: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["side"].choices = [c for c in Side.choices if c[0] in sides]  # type: ignore[attr-defined]


class ReaderGrantsForm(forms.Form):
    """What a programme's readers (viewers) may see beyond the default; see docs/ACCESS.md."""

    viewers_see_evidence = forms.BooleanField(
        required=False,
        label=_("Viewers see evidence files"),
        help_text=_(
            "Registers, receipts and photos attached to results and gifts; they may hold personal data."
        ),
    )
    viewers_see_contacts = forms.BooleanField(
        required=False,
        label=_("Viewers see contact details"),
        help_text=_("People's e-mail addresses and phone numbers; names and roles are always shown."),
    )
