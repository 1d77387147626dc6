from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from twinning.planning.periods import Period


class ReportForm(forms.Form):
    """The period and format of a donor report; the periods are those the report may cover."""

    period = forms.ChoiceField(label=_("Period"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("pdf", _("PDF (to read and print)")), ("xlsx", _("XLSX (a workbook to work with)"))],
        initial="pdf",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, periods: list[Period], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.periods = {p.id: p for p in periods}
        self.fields["period"].choices = [(p.id, p.label()) for p in periods]  # type: ignore[attr-defined]

    def clean_period(self) -> Period:
        return self.periods[self.cleaned_data["period"]]
