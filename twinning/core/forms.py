from django import forms
from django.core.exceptions import ValidationError

from twinning.directory.models import Institution


class DateInput(forms.DateInput):
    input_type = "date"


class VersionedForm(forms.Form):
    """Carries the version the person started editing from, so a concurrent change is detected."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class InstitutionMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Institutions chosen by UUID (integer keys stay internal), labelled with their country."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            queryset=Institution.objects.order_by("country", "name").only("uuid", "name", "country"),
            to_field_name="uuid",
            **kwargs,  # type: ignore[arg-type]
        )

    def label_from_instance(self, obj: Institution) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.country})"


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach a service's ValidationError to a form: on the field when the form has it, else to the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
