from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from twinning.accounts.access import data_entry_people_of, reviewers_of
from twinning.accounts.models import User
from twinning.core.forms import (
    DateInput,
    LocalizedDecimalField,
    LocalizedIntegerField,
    VersionedForm,
    add_service_errors,
    interpolate_lazy,
)
from twinning.core.numbers import current_locale, format_number
from twinning.core.rendering import labelled
from twinning.core.services import VersionConflict
from twinning.monitoring.models import EVIDENCE_EXTENSIONS, NARRATIVE_MAX, PeriodReport
from twinning.monitoring.selectors import EntryRow
from twinning.monitoring.services import ResultEntry
from twinning.partnerships.models import Partnership
from twinning.planning.models import Indicator

Measure = Indicator.Measure
ROW_VALUE_FIELDS = ("value", "numerator", "denominator", "text", "score")


class ResultRowForm(forms.Form):
    """One row of the data entry page: the typed fields the indicator's measure needs, and the version seen.

    Numbers are read the way the user's language writes them (`12,5` in Portuguese) and shown the same way;
    the service checks what they may be, so the form, the API and the import agree.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    value = LocalizedDecimalField(required=False, label=_("Value"))
    numerator = LocalizedDecimalField(required=False, label=_("Numerator"))
    denominator = LocalizedDecimalField(required=False, label=_("Denominator"))
    text = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label=_("Result")
    )
    score = LocalizedDecimalField(required=False, label=_("Score"))
    comment = forms.CharField(required=False, max_length=2000, label=_("Comment"))

    def __init__(self, *args: Any, measure: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        rules: dict[str, set[str]] = {
            Measure.NUMBER: {"value"},
            Measure.YES_NO: {"value"},
            Measure.PERCENTAGE: {"numerator", "denominator"},
            Measure.QUALITATIVE: {"text", "score"},
        }
        keep = rules.get(measure, {"value"})
        for name in ["value", "numerator", "denominator", "text", "score"]:
            if name not in keep:
                del self.fields[name]
        for name in ("value", "numerator", "denominator", "score"):
            if name in self.fields:
                self.fields[name].widget.attrs["size"] = 10
        if measure == Measure.YES_NO:
            self.fields["value"] = forms.ChoiceField(
                required=False, label=_("Answer"), choices=[("", "—"), ("1", _("Yes")), ("0", _("No"))]
            )

    @classmethod
    def for_row(cls, row: EntryRow) -> "ResultRowForm":
        r = row.result
        initial: dict[str, Any] = {}
        if r is not None:

            def shown(value: Decimal | None) -> str:
                # In the user's language ("12,5" in Portuguese): what the field shows reads back the same.
                return "" if value is None else format_number(value, locale=current_locale())

            yes_no = row.indicator.measure == Measure.YES_NO
            initial = {
                "version": r.version,
                # A yes/no answer is a choice of "1" or "0", not a number to format.
                "value": f"{r.value:.0f}" if yes_no and r.value is not None else shown(r.value),
                "numerator": shown(r.numerator),
                "denominator": shown(r.denominator),
                "text": r.text,
                "score": shown(r.score),
                "comment": r.comment,
            }
        form = cls(initial=initial, measure=row.indicator.measure, prefix=row.key)
        return form

    def entry(self, row: EntryRow) -> ResultEntry | None:
        """What this row asks the service to save, or None while the form is invalid."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return ResultEntry(
            key=row.key,
            plan_indicator=row.plan_indicator,
            option=row.option,
            values={name: data.get(name) for name in ROW_VALUE_FIELDS},
            comment=data.get("comment") or "",
            expected_version=data.get("version"),
        )


EntryForms = list[tuple[EntryRow, ResultRowForm]]


def posted_row_keys(data: QueryDict) -> set[str]:
    """The keys (EntryRow.key) of the rows a page of results posted: each row always posts its version."""
    return {name.removesuffix("-version") for name in data if name.endswith("-version")}


def typed_rows(data: QueryDict, rows: list[EntryRow]) -> EntryForms:
    """Every row of the page with its form: bound to what was posted for it, else showing the stored value.

    The forms share one copy of `data`, so attach_row_errors can move a conflicting row's version on.
    """
    data = data.copy()
    return [
        (row, ResultRowForm(data, measure=row.indicator.measure, prefix=row.key))
        if f"{row.key}-version" in data
        else (row, ResultRowForm.for_row(row))
        for row in rows
    ]


def _shown(row: EntryRow) -> str:
    """The stored values of a row as its fields display them: numbers in the user's format, a yes/no answer as
    its label ("Yes", never the stored 1)."""
    form = ResultRowForm.for_row(row)
    shown = []
    for name in ROW_VALUE_FIELDS:
        value = form.initial.get(name)
        if value in (None, ""):
            continue
        field = form.fields.get(name)
        if isinstance(field, forms.ChoiceField):
            value = dict(field.choices).get(value, value)  # type: ignore[arg-type]
        shown.append(str(value))
    return " / ".join(shown)


def attach_row_errors(rows: EntryForms, row_errors: dict[str, ValidationError]) -> None:
    """Put a page save's refusals (services.ResultsRejected.row_errors) beside their rows' fields.

    A row someone else saved meanwhile keeps what this person typed and says what is stored now; its version
    moves to the stored one, so saving again replaces the other value knowingly, never by accident.
    """
    for row, form in rows:
        exc = row_errors.get(row.key)
        if exc is None:
            continue
        if not isinstance(exc, VersionConflict):
            add_service_errors(form, exc)
            continue
        stored = row.result
        data: Any = form.data  # typed_rows' own copy of the posted data, so it may change
        data[form.add_prefix("version")] = str(stored.version) if stored else ""
        message: Any
        if stored is None:
            message = _("Someone else removed this value while you were typing. Save again to keep yours.")
        else:
            message = _(
                "Someone else saved this value while you were typing; it now reads %(value)s. Your value is "
                "kept here: save again to replace theirs."
            ) % {"value": _shown(row) or "—"}
            typed_comment = str(form.data.get(form.add_prefix("comment")) or "").strip()
            if stored.comment and stored.comment.strip() != typed_comment:
                message = _("%(message)s Their comment: %(comment)s") % {
                    "message": message,
                    "comment": stored.comment,
                }
        form.add_error(None, message)


def row_label(row: EntryRow) -> str:
    """How an error summary names a row: the indicator's code, and the option of a breakdown row."""
    if row.option is None:
        return str(row.indicator)
    return f"{row.indicator.code} · {labelled(row.option.category, row.option)}"


def entry_error_summary(rows: EntryForms) -> list[tuple[str, str]]:
    """(link target, message) for every error on the page's rows, in page order, for the summary at the top."""
    summary = []
    for row, form in rows:
        if not form.is_bound or not form.errors:
            continue
        label = row_label(row)
        for message in form.non_field_errors():
            summary.append((f"#row-{row.key}", labelled(label, message)))
        for field in form.visible_fields():
            for message in field.errors:
                summary.append((f"#{field.auto_id}", labelled(f"{label} · {field.label}", message)))
    return summary


class FeedbackForm(forms.Form):
    feedback = forms.CharField(label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason for unlocking"), max_length=2000)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000)


def _narrative_text(label: Any, help_text: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class NarrativeForm(forms.Form):
    """The period report's narrative; the version is that of the report (none before it exists)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    achievements = _narrative_text(_("Achievements"), _("What the partnership achieved in the period."))
    challenges = _narrative_text(_("Challenges"), _("What held it back, and how it was handled."))
    next_steps = _narrative_text(_("Next steps"), _("What comes next period."))

    @classmethod
    def for_report(cls, report: PeriodReport | None) -> "NarrativeForm":
        if report is None:
            return cls()
        return cls(
            initial={
                "version": report.version,
                "achievements": report.achievements,
                "challenges": report.challenges,
                "next_steps": report.next_steps,
            }
        )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    parent = forms.UUIDField(required=False, widget=forms.HiddenInput)
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("Make it an action for"), to_field_name="email"
    )
    due_date = forms.DateField(required=False, widget=DateInput, label=_("Due"))

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                data_entry_people_of(partnership.pk) | reviewers_of(partnership.programme_id)
            ).order_by("full_name", "email")
        )


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        # Lazy all through: formatted at import time, the hint would be English whatever the reader's language.
        help_text=interpolate_lazy(_("Allowed: %(types)s."), types=", ".join(EVIDENCE_EXTENSIONS)),
    )


UPLOAD_EXTENSIONS = (".xlsx", ".csv", ".txt", ".tsv")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in template (.xlsx, .csv, or .txt saved as Unicode text)"),
    )

    def clean_file(self) -> Any:
        from twinning.core.validators import validate_upload_size

        upload = self.cleaned_data["file"]
        validate_upload_size(upload)
        if not upload.name.lower().endswith(UPLOAD_EXTENSIONS):
            raise forms.ValidationError(_("Upload an .xlsx, .csv or .txt file."))
        return upload


class SettingsForm(VersionedForm):
    on_track_percent = LocalizedDecimalField(
        # xgettext:no-python-format
        label=_("On track from (% of target)"),
        max_digits=6,
        decimal_places=2,
        min_value=0,
        max_value=1000,
    )
    at_risk_percent = LocalizedDecimalField(
        # xgettext:no-python-format
        label=_("At risk from (% of target)"),
        max_digits=6,
        decimal_places=2,
        min_value=0,
        max_value=1000,
    )
    report_due_days = LocalizedIntegerField(
        label=_("Reports due (days after the period ends)"), min_value=0, max_value=365
    )
