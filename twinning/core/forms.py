import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.forms.models import ModelFormMetaclass
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from twinning.core.numbers import SPACES, current_locale, format_number, parse_decimal
from twinning.core.reference import name_sort_key

# The empty choice of every picker, in the reader's language. Django's own catalogues leave it untranslated in
# Spanish, Russian and Portuguese, so ours carries it; CoreConfig.ready() makes it Django's blank choice label
# (model choice fields and ModelChoiceField), and pickers that build their own choices use it too.
BLANK_LABEL = gettext_lazy("- Select an option -")


def interpolate_lazy(message: Any, **values: Any) -> Any:
    """`message % values`, formatted when shown rather than now: for texts built at import time (a field's
    label or help text in a class body), which would otherwise be fixed in the language active at start-up."""
    return lazy(lambda: str(message) % values, str)()


class DateInput(forms.DateInput):
    """`<input type="date">`: its value is always ISO 8601 (the browser shows it the reader's way). Django would
    write the active language's first input format ("30/06/2028" in French), which a date box cannot read: it
    showed empty, and saving the form erased the date (a tester, editing a transition plan in French)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%Y-%m-%d")


class NumberInput(forms.TextInput):
    """A text box for a number typed the user's way, showing the current value in the user's language.

    Not `<input type="number">`: browsers differ on whether it takes a decimal comma, and a scroll wheel changes
    its value. `inputmode` still brings up the numeric keyboard on phones.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return format_number(value, locale=current_locale())
        return super().format_value(value)


class LocalizedDecimalField(forms.DecimalField):
    """A decimal typed the way the user's language writes numbers (`12,5` in Portuguese), read by
    `core.numbers.parse_decimal`; ambiguous or special forms get its message. Issue 9 §4."""

    widget = NumberInput

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, Decimal):
            return value
        if value in self.empty_values or not str(value).strip(SPACES):
            return None
        return parse_decimal(str(value), locale=current_locale())


class LocalizedIntegerField(forms.IntegerField):
    """A whole number typed the user's way (`1.500` is 1500 in Portuguese, never 1); see LocalizedDecimalField."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", NumberInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if value in self.empty_values or not str(value).strip(SPACES):
            return None
        number = parse_decimal(str(value), locale=current_locale())
        if number != number.to_integral_value():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(number)


def localized_formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """The form field of a model field, with numbers read the user's way (every ModelForm's callback)."""
    if not db_field.choices:
        if isinstance(db_field, models.DecimalField):
            kwargs.setdefault("form_class", LocalizedDecimalField)
        elif isinstance(db_field, models.IntegerField):
            kwargs.setdefault("form_class", LocalizedIntegerField)
    return db_field.formfield(**kwargs)


class _LocalizedModelFormMetaclass(ModelFormMetaclass):
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> type:
        meta = attrs.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(localized_formfield)
        return super().__new__(mcs, name, bases, attrs)


class ModelForm(forms.ModelForm, metaclass=_LocalizedModelFormMetaclass):
    """Every ModelForm of the product: as Django's, with its number fields reading numbers the user's way."""


def creates_once_field() -> forms.UUIDField:
    """A hidden field carrying the UUID of the record a form creates, chosen when the form is shown (and kept when
    it is shown again with errors): posting the form twice, by a double click or a resend after a lost answer,
    names the same record, and the create service returns it instead of making a second one
    (core.services.created_before).
    """
    return forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)


class VersionedForm(forms.Form):
    """Carries the version the person started editing from, so a concurrent change is detected."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach a service's ValidationError to a form: on the field when the form has it, else to the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def ask_for_files_again(form: forms.BaseForm) -> None:
    """On a refused form, say beside each file field that got a file that it must be chosen again: a browser
    never refills a file input, so the page coming back with the other typed values cannot keep it."""
    if not form.is_bound or not form.errors:
        return
    for name, field in form.fields.items():
        if (
            isinstance(field, forms.FileField)
            and form.files.get(form.add_prefix(name))
            and name not in form.errors
        ):
            form.add_error(
                name, _("Choose this file again: nothing was saved, and the browser does not keep it.")
            )


class _SelectRelated:
    """A model choice field whose option labels read related rows: its queryset joins them (`related`), so a
    picker of n options costs one query, not n + 1."""

    related: tuple[str, ...] = ()

    def _set_queryset(self, queryset: Any) -> None:
        super()._set_queryset(  # type: ignore[misc]
            None if queryset is None else queryset.select_related(*self.related)
        )

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined]


def person_label(person: Any) -> str:
    """A person as a picker offers them: name and institution, since two people may share a name."""
    institution = person.institution
    return f"{person.full_name} ({institution.short_name or institution.name})"


def indicator_label(indicator: Any) -> str:
    """An indicator as a picker offers it: code and name, and for a partnership's own indicator the partnership,
    since partnerships of one programme often define their own with the same code."""
    if indicator.partnership_id is None:
        return str(indicator)
    return f"{indicator} ({indicator.partnership.title})"


_TEXT_FIELDS = (models.CharField, models.TextField)


def name_ordering(queryset: Any) -> str | None:
    """ "asc" or "desc" when `queryset` is ordered by a text (a name, a title, a code) first, as the database sorts
    it: byte order on SQLite ("Élan" after "Zomba"), the collation's on PostgreSQL; else None. Such a picker's
    options are sorted again with `name_sort_key`; one ordered by number, date or position (objectives,
    periods) keeps its order.

    Raises: nothing.
    """
    query = queryset.query
    ordering = list(query.order_by) or (list(queryset.model._meta.ordering) if query.default_ordering else [])
    if not ordering or not isinstance(ordering[0], str) or ordering[0] == "?":
        return None
    model, field = queryset.model, None
    for part in ordering[0].lstrip("-").split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if field.is_relation:
            model = field.related_model
    if not isinstance(field, _TEXT_FIELDS):
        return None
    return "desc" if ordering[0].startswith("-") else "asc"


class NameOrderedChoices(forms.models.ModelChoiceIterator):
    """The options of every model picker (CoreConfig.ready() makes it Django's ModelChoiceField iterator, so
    pickers that Django builds for a ModelForm's foreign keys and the admin's are covered too): when the
    queryset is ordered by a name, the options are sorted by their label as the reader sees it, with
    `name_sort_key`, so both databases and every language list "Élan" beside "Elgon" (issue 15)."""

    def labelled(self, objects: list[Any]) -> list[tuple[Any, str]]:
        return [(obj, self.field.label_from_instance(obj)) for obj in objects]

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        options = self.labelled(list(self.queryset))
        if direction := name_ordering(self.queryset):
            options.sort(key=lambda option: name_sort_key(option[1]), reverse=direction == "desc")
        for obj, label in options:
            yield (self.choice(obj)[0], label)


class _PersonChoices(NameOrderedChoices):
    """The people of a picker, where two of one institution who share a name are told apart by their email or,
    without one, their profession (a large hospital has more than one John Banda)."""

    def labelled(self, objects: list[Any]) -> list[tuple[Any, str]]:
        labels = _told_apart(
            [person_label(p) for p in objects], [lambda p: p.email or p.get_cadre_display()], objects
        )
        return list(zip(objects, labels, strict=True))


def _told_apart(labels: list[str], details: list[Any], objects: list[Any]) -> list[str]:
    """`labels` with each detail in turn added to those still shared, then numbered (1, 2...) in UUID order
    where even the details are the same, so no two options of a picker read alike."""
    for detail in details:
        counts = Counter(labels)
        labels = [
            f"{label} · {detail(o)}" if counts[label] > 1 else label
            for label, o in zip(labels, objects, strict=True)
        ]
    counts = Counter(labels)
    seen: Counter[str] = Counter()
    numbered = []
    for label, obj in sorted(zip(labels, objects, strict=True), key=lambda pair: str(pair[1].uuid)):
        if counts[label] > 1:
            seen[label] += 1
            label = f"{label} ({seen[label]})"
        numbered.append((obj, label))
    by_object = {id(obj): label for obj, label in numbered}
    return [by_object[id(obj)] for obj in objects]


class PersonChoiceField(_SelectRelated, forms.ModelChoiceField):
    related = ("institution",)
    iterator = _PersonChoices

    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


class IndicatorChoiceField(_SelectRelated, forms.ModelChoiceField):
    related = ("partnership",)

    def label_from_instance(self, obj: Any) -> str:
        return indicator_label(obj)


class IndicatorMultipleChoiceField(_SelectRelated, forms.ModelMultipleChoiceField):
    related = ("partnership",)

    def label_from_instance(self, obj: Any) -> str:
        return indicator_label(obj)
