from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from twinning.accounts.models import User
from twinning.core.forms import DateInput, LocalizedIntegerField, VersionedForm, creates_once_field
from twinning.partnerships.models import Partnership
from twinning.sustainability.limits import COMMENT_MAX, TEXT_MAX
from twinning.sustainability.models import AssessmentAction, Instrument, InstrumentVersion, Item, Section
from twinning.sustainability.services import AnswerInput

NOT_APPLICABLE = "na"


class RoundOpenForm(forms.Form):
    instrument = forms.ModelChoiceField(
        label=_("Instrument"), queryset=Instrument.objects.none(), to_field_name="uuid"
    )
    due_date = forms.DateField(label=_("Due"), widget=DateInput())
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Empty: the instrument's name and the year."),
    )

    def __init__(self, *args: Any, instruments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = instruments  # type: ignore[attr-defined]


class RoundEditForm(VersionedForm):
    """An open round's due date and title (services.round_update)."""

    due_date = forms.DateField(label=_("Due"), widget=DateInput())
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Empty: the instrument's name and the year."),
    )


class RoundCancelForm(VersionedForm):
    """Cancelling a round (services.round_cancel): the reason, required once answers were handed in."""

    reason = forms.CharField(
        label=_("Why is the round cancelled?"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed once anyone has handed in answers. Nothing is deleted: the answer sheets are kept as they are."
        ),
    )
    # Cancelling cannot be undone and tells both sides: one click on a button next to "Change" must not do it.
    confirm = forms.BooleanField(label=_("Yes, cancel this round"), required=True)


class ProgrammeRoundsForm(RoundOpenForm):
    partnerships = forms.ModelMultipleChoiceField(
        queryset=Partnership.objects.none(),
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
        label=_("Partnerships"),
    )

    def __init__(self, *args: Any, partnerships: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnerships"].queryset = partnerships  # type: ignore[attr-defined]


class AnswerSheetForm(forms.Form):
    """One field per item of the version ("item-<id>": a point, "na", or empty) and a comment beside each."""

    def __init__(
        self, *args: Any, version: InstrumentVersion, initial_answers: dict[int, Any], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        # The version of the person's sheet as read (0: none yet); a sheet saved since from another tab conflicts.
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
        self.sections: list[tuple[Section, list[tuple[Item, Any, Any]]]] = []
        for section in version.sections.all():
            rows = []
            for item in section.items.all():
                choices: list[tuple[str, str]] = [(str(v), label) for v, label in item.point_choices()]
                if item.allows_not_applicable:
                    choices.append((NOT_APPLICABLE, str(_("Not applicable"))))
                given = initial_answers.get(item.pk)
                initial = ""
                if given is not None:
                    initial = (
                        NOT_APPLICABLE
                        if given.not_applicable
                        else ("" if given.value is None else str(given.value))
                    )
                name = f"item-{item.pk}"
                self.fields[name] = forms.ChoiceField(
                    label=item.shown_statement,
                    choices=choices,
                    required=False,
                    widget=forms.RadioSelect,
                    initial=initial,
                    help_text=item.shown_guidance,
                )
                self.fields[f"comment-{item.pk}"] = forms.CharField(
                    label=_("Comment"),
                    required=False,
                    max_length=COMMENT_MAX,
                    widget=forms.Textarea(attrs={"rows": 1}),
                    initial=given.comment if given is not None else "",
                )
                rows.append((item, self[name], self[f"comment-{item.pk}"]))
            self.sections.append((section, rows))

    def answers(self) -> dict[int, AnswerInput]:
        result = {}
        for _section, rows in self.sections:
            for item, _field, _comment in rows:
                raw = self.cleaned_data.get(f"item-{item.pk}") or ""
                comment = self.cleaned_data.get(f"comment-{item.pk}") or ""
                result[item.pk] = AnswerInput(
                    value=int(raw) if raw and raw != NOT_APPLICABLE else None,
                    not_applicable=raw == NOT_APPLICABLE,
                    comment=comment,
                )
        return result


class ActionForm(VersionedForm):
    uuid = creates_once_field()
    title = forms.CharField(label=_("Action"), max_length=255)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Owner"))
    due_date = forms.DateField(label=_("Due"), required=False, widget=DateInput())
    status = forms.ChoiceField(label=_("Status"), choices=AssessmentAction.Status.choices)
    section = forms.ModelChoiceField(queryset=Section.objects.none(), required=False, label=_("Section"))

    def __init__(self, *args: Any, people: Any, sections: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]
        self.fields["section"].queryset = sections  # type: ignore[attr-defined]


class InstrumentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Instrument.Kind.choices, initial=Instrument.Kind.OTHER)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Section"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class ItemForm(forms.Form):
    statement = forms.CharField(
        label=_("Statement"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    guidance = forms.CharField(
        label=_("Guidance"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    scale_min = LocalizedIntegerField(label=_("Lowest point"), min_value=0, max_value=10, initial=1)
    scale_max = LocalizedIntegerField(label=_("Highest point"), min_value=0, max_value=10, initial=5)
    scale_labels = forms.CharField(
        label=_("Labels of the points"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One label a line, lowest point first; or none."),
    )
    allows_not_applicable = forms.BooleanField(label=_("'Not applicable' allowed"), required=False)

    def clean_scale_labels(self) -> list[str]:
        return [
            line.strip()
            for line in (self.cleaned_data.get("scale_labels") or "").splitlines()
            if line.strip()
        ]
