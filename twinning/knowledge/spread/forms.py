"""Forms for dissemination records and adoptions; the editable fields come from the services that save them."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from twinning.core.forms import DateInput, LocalizedIntegerField, ModelForm
from twinning.core.reference import country_choices
from twinning.directory.forms import SEARCH_SUFFIX, InstitutionSearchSelect, institution_picker_choices
from twinning.directory.models import Institution
from twinning.knowledge.models import (
    COMMENT_MAX,
    EVIDENCE_EXTENSIONS,
    NOTES_MAX,
    Adoption,
    DisseminationRecord,
    Level,
    Practice,
    normalise_doi,
)
from twinning.knowledge.spread.services import ADOPTION_FIELDS, DISSEMINATION_FIELDS
from twinning.partnerships.models import Partnership

_EVIDENCE_WIDGET = forms.ClearableFileInput(attrs={"accept": ",".join(f".{e}" for e in EVIDENCE_EXTENSIONS)})
_EVIDENCE_HELP = _("PDF, Word, Excel, OpenDocument, text or image; the size limit applies.")


class DisseminationForm(ModelForm):
    partnerships = forms.ModelMultipleChoiceField(
        queryset=Partnership.objects.none(),
        to_field_name="uuid",
        required=False,
        label=_("Other partnerships involved"),
    )
    practices = forms.ModelMultipleChoiceField(
        queryset=Practice.objects.none(), to_field_name="uuid", required=False, label=_("Practices shared")
    )
    people_reached = LocalizedIntegerField(label=_("People reached"), required=False, min_value=0)
    facilities_reached = LocalizedIntegerField(label=_("Facilities reached"), required=False, min_value=0)

    class Meta:
        model = DisseminationRecord
        fields = list(DISSEMINATION_FIELDS)
        widgets = {
            "date": DateInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "evidence_file": _EVIDENCE_WIDGET,
        }
        help_texts = {
            "evidence_file": _EVIDENCE_HELP,
            "doi": _("For a journal article, e.g. 10.1186/s12913-024-10000-1."),
        }

    def __init__(self, *args: Any, programme: Any, practices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnerships"].queryset = Partnership.objects.filter(  # type: ignore[attr-defined]
            programme=programme
        ).order_by("title")
        self.fields["practices"].queryset = practices  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["partnerships"] = [p.uuid for p in self.instance.partnerships.all()]
            self.initial["practices"] = [p.uuid for p in self.instance.practices.all()]

    def clean_doi(self) -> str:
        # A DOI pasted as its link (https://doi.org/10.…) is the same DOI: stored bare, then checked by the model.
        return normalise_doi(self.cleaned_data.get("doi", ""))


class DisseminationEditForm(DisseminationForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class InstitutionChoiceField(forms.ModelChoiceField):
    """An institution of the directory, chosen by UUID and labelled with its country."""

    def label_from_instance(self, obj: Institution) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.country_name})"


class AdoptionForm(forms.Form):
    """A new adoption: its site, who led it and the first level reached."""

    site_kind = forms.ChoiceField(choices=Adoption.SiteKind.choices, label=_("Adopting site"))
    institution = InstitutionChoiceField(
        queryset=Institution.objects.none(),
        to_field_name="uuid",
        required=False,
        label=_("Institution"),
        help_text=_("From the directory, inside or outside the programme."),
        widget=InstitutionSearchSelect,
    )
    area = forms.CharField(label=_("District or region"), max_length=200, required=False)
    country = forms.ChoiceField(
        label=_("Country"), required=False, help_text=_("For a district, a region or the whole country.")
    )
    level = forms.ChoiceField(choices=Level.choices, label=_("Level reached"))
    reached_on = forms.DateField(label=_("Reached on"), widget=DateInput)
    level_note = forms.CharField(
        label=_("About this level"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    led_by = forms.ChoiceField(choices=Adoption.LedBy.choices, label=_("Led by"))
    led_by_other = forms.CharField(label=_("Led by (other)"), max_length=200, required=False)
    evidence_file = forms.FileField(
        label=_("Evidence file"), required=False, widget=_EVIDENCE_WIDGET, help_text=_EVIDENCE_HELP
    )
    evidence_url = forms.URLField(
        label=_("Evidence link"), max_length=500, required=False, assume_scheme="https"
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=NOTES_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any institution of the directory is accepted; the picker offers only the chosen one and the matches
        # of the text typed in its search box (never the whole directory, which may hold thousands).
        field = self.fields["institution"]
        field.queryset = Institution.objects.all()  # type: ignore[attr-defined]
        search = str(self.data.get(f"{self.add_prefix('institution')}{SEARCH_SUFFIX}", ""))[:100]
        selected = (
            self.data.get(self.add_prefix("institution"))
            if self.is_bound
            else self.initial.get("institution")
        )
        field.widget.choices = institution_picker_choices(selected=selected or None, query=search)  # type: ignore[attr-defined]
        field.widget.search_value = search  # type: ignore[attr-defined]
        self.fields["country"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]


class AdoptionEditForm(ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Adoption
        fields = list(ADOPTION_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "evidence_file": _EVIDENCE_WIDGET}
        help_texts = {"evidence_file": _EVIDENCE_HELP}


class AdoptionLevelForm(forms.Form):
    level = forms.ChoiceField(choices=Level.choices, label=_("Level reached"))
    reached_on = forms.DateField(label=_("Reached on"), widget=DateInput)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
