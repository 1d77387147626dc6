"""Forms of the ledger. They shape and type the input; the services validate the whole record and save it.

ModelForms for their field definitions only: `_post_clean` (the model's full_clean on a half-built instance)
is skipped because the service runs full_clean on the real record and its errors are attached to the form.
Related objects are chosen by UUID, from what the partnership or programme holds.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from twinning.contributions.models import (
    Allocation,
    Award,
    ContributionStatus,
    ExchangeRate,
    Gift,
    GiftEvidence,
    TimeEntry,
    ValuationRate,
)
from twinning.contributions.services import AWARD_FIELDS, GIFT_FIELDS, RATE_FIELDS, TIME_FIELDS
from twinning.core.forms import DateInput, ModelForm
from twinning.core.reference import country_choices, currency_choices
from twinning.directory.models import Institution, Person
from twinning.exchanges.models import Exchange
from twinning.partnerships.models import Partnership
from twinning.planning.models import Activity


class _ServiceValidatedForm(ModelForm):
    def _post_clean(self) -> None:
        # The service validates the complete record (see the module docstring).
        pass


def _by_uuid(field: forms.Field, queryset: QuerySet[Any]) -> None:
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset
    field.to_field_name = "uuid"


def _currency_field(**kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Currency"), choices=currency_choices, **kwargs)


class TimeEntryForm(_ServiceValidatedForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            # The status's own words, as every list and report writes them (one word for each state).
            (ContributionStatus.RECEIVED, ContributionStatus.RECEIVED.label),
            (ContributionStatus.PLEDGED, _("Pledged (not yet received)")),
        ],
    )
    country = forms.ChoiceField(
        label=_("Country of the volunteer"),
        choices=lambda: [("", _("From the person or institution")), *country_choices()],
        required=False,
    )

    class Meta:
        model = TimeEntry
        fields = list(TIME_FIELDS)
        # Not "time given": the status beside it says "Received", one word for each state.
        labels = {"quantity": _("Time volunteered")}
        widgets = {
            "start_date": DateInput,
            "end_date": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        institutions = Institution.objects.filter(side_links__partnership=partnership).order_by("name")
        _by_uuid(self.fields["institution"], institutions)
        _by_uuid(
            self.fields["person"],
            Person.objects.filter(institution__in=institutions)
            .select_related("institution")
            .order_by("full_name"),
        )
        _by_uuid(
            self.fields["exchange"], Exchange.objects.filter(partnership=partnership).order_by("-start_date")
        )
        _by_uuid(
            self.fields["activity"],
            Activity.objects.filter(objective__plan__partnership=partnership).order_by("title"),
        )
        self.fields["cadre"].required = False
        self.fields["cadre"].help_text = _("Taken from the person when left blank.")


class GiftForm(_ServiceValidatedForm):
    currency = _currency_field(initial="USD")

    class Meta:
        model = Gift
        fields = list(GIFT_FIELDS)
        widgets = {
            "gift_date": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
            "restrictions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _by_uuid(
            self.fields["contributor_institution"],
            Institution.objects.filter(side_links__partnership=partnership).order_by("name"),
        )
        self.fields["contributor_name"].required = False
        self.fields["contributor_name"].help_text = _("Taken from the institution for a partner's gift.")


class ReceiveForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)


class EvidenceForm(_ServiceValidatedForm):
    class Meta:
        model = GiftEvidence
        fields = ["file", "description"]


class AwardForm(_ServiceValidatedForm):
    currency = _currency_field(initial="USD")

    class Meta:
        model = Award
        fields = list(AWARD_FIELDS)
        widgets = {"start_date": DateInput, "end_date": DateInput, "notes": forms.Textarea(attrs={"rows": 2})}


class AllocationForm(_ServiceValidatedForm):
    class Meta:
        model = Allocation
        fields = ["partnership", "amount", "notes"]
        widgets = {"notes": forms.TextInput}

    def __init__(self, *args: Any, award: Award, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _by_uuid(self.fields["partnership"], Partnership.objects.filter(programme_id=award.programme_id))


class ValuationRateForm(_ServiceValidatedForm):
    currency = _currency_field(initial="USD")
    country = forms.ChoiceField(
        label=_("Country"), choices=lambda: [("", _("Any")), *country_choices()], required=False
    )

    class Meta:
        model = ValuationRate
        fields = list(RATE_FIELDS)
        widgets = {"valid_from": DateInput, "valid_to": DateInput}


class ExchangeRateForm(_ServiceValidatedForm):
    currency = _currency_field()

    class Meta:
        model = ExchangeRate
        fields = ["currency", "valid_from", "valid_to", "rate", "source"]
        widgets = {"valid_from": DateInput, "valid_to": DateInput}


class ExchangeRateImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "Columns: currency, valid_from, valid_to (YYYY-MM-DD), rate, and optionally source. CSV in UTF-8, "
            "UTF-16 (Unicode text) or Windows-1252."
        ),
    )

    def clean_file(self) -> Any:
        from twinning.core.validators import validate_upload_size

        upload = self.cleaned_data["file"]
        validate_upload_size(upload)
        return upload


class ClaimForm(forms.Form):
    award = forms.ModelChoiceField(label=_("Award"), queryset=Award.objects.none(), to_field_name="uuid")

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["award"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Award.objects.filter(allocations__partnership=partnership).order_by("reference")
