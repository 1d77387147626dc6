from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from twinning.core.forms import BLANK_LABEL, DateInput, ModelForm
from twinning.core.reference import country_choices, country_name
from twinning.directory.models import CountryPriority, HealthArea, Institution, Language, Person
from twinning.directory.services import INSTITUTION_EDITABLE_FIELDS


def institution_label(institution: Institution) -> str:
    """How a picker names an institution: "Gulu Regional Referral Hospital (Uganda)", the country in the reader's
    language. Shared by every institution picker (directory, partnerships, matching)."""
    return f"{institution.name} ({country_name(institution.country)})"


# How many institutions a search picker offers at once: a programme's directory may hold thousands.
PICKER_LIMIT = 30


def institution_picker_choices(
    *, selected: Any = None, query: str = "", limit: int = PICKER_LIMIT
) -> list[Any]:
    """The options of a search picker: a blank, the institution already chosen (`selected`, a UUID or an
    Institution), and the first `limit` institutions whose name, short name or city contain `query` (none
    without a query), then a disabled line when more match or none does. Two queries at most, however
    large the directory.

    Raises: nothing.
    """
    choices: list[Any] = [("", "—")]
    shown: set[str] = set()
    if isinstance(selected, Institution):
        chosen: Institution | None = selected
    else:
        try:
            chosen = Institution.objects.filter(uuid=str(selected)).only("uuid", "name", "country").first()
        except (ValueError, ValidationError):
            chosen = None
    if chosen is not None:
        choices.append((str(chosen.uuid), institution_label(chosen)))
        shown.add(str(chosen.uuid))
    query = query.strip()[:100]
    if not query:
        return choices
    found = list(
        Institution.objects.search(query).order_by("name", "id").only("uuid", "name", "country")[: limit + 1]
    )
    for institution in found[:limit]:
        if str(institution.uuid) not in shown:
            choices.append((str(institution.uuid), institution_label(institution)))
    if len(found) > limit:
        choices.append(("-", _("More than %(n)s match: type more of the name.") % {"n": limit}))
    elif not found:
        choices.append(("-", _("No institution matches “%(q)s”.") % {"q": query}))
    return choices


class InstitutionSearchSelect(forms.Select):
    """A select that holds only the chosen institution and the matches of a search box beside it, never the
    whole directory: typing in the box asks the server for matches (htmx, `directory:institution_options`);
    without script, the text typed is sent with the form and the form comes back offering its matches. The
    form sets `choices` with `institution_picker_choices`."""

    template_name = "directory/widgets/institution_search.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["search_name"] = f"{name}{SEARCH_SUFFIX}"
        context["widget"]["search_value"] = getattr(self, "search_value", "")
        return context

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if value == "-":  # the "more match" and "none matches" lines
            option["attrs"]["disabled"] = True
        return option


SEARCH_SUFFIX = "_search"


class InstitutionMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Institutions chosen by UUID (integer keys stay internal), by name, labelled with their country."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            queryset=Institution.objects.order_by("name").only("uuid", "name", "country"),
            to_field_name="uuid",
            **kwargs,  # type: ignore[arg-type]
        )

    def label_from_instance(self, obj: Institution) -> str:  # type: ignore[override]
        return institution_label(obj)


class InstitutionForm(ModelForm):
    country = forms.ChoiceField(label=_("Country"))
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.all(), to_field_name="code", required=False, label=_("Working languages")
    )
    expertise = forms.ModelMultipleChoiceField(
        queryset=HealthArea.objects.all(),
        to_field_name="code",
        required=False,
        label=_("Expertise it offers"),
    )
    needs = forms.ModelMultipleChoiceField(
        queryset=HealthArea.objects.all(), to_field_name="code", required=False, label=_("Needs it has")
    )

    class Meta:
        model = Institution
        fields = list(INSTITUTION_EDITABLE_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", BLANK_LABEL), *country_choices()]  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial.setdefault("expertise", [a.code for a in self.instance.expertise.all()])
            self.initial.setdefault("needs", [a.code for a in self.instance.needs.all()])


class InstitutionEditForm(InstitutionForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PersonForm(ModelForm):
    languages = forms.ModelMultipleChoiceField(
        queryset=Language.objects.all(), to_field_name="code", required=False, label=_("Languages")
    )

    class Meta:
        model = Person
        fields = ["full_name", "email", "cadre", "languages", "is_volunteer"]


class CountryPriorityForm(ModelForm):
    country = forms.ChoiceField(label=_("Country"))
    area = forms.ModelChoiceField(
        queryset=HealthArea.objects.all(), to_field_name="code", required=False, label=_("Health area")
    )

    class Meta:
        model = CountryPriority
        fields = ["country", "text", "area", "source_document", "stated_on", "rank"]
        widgets = {"stated_on": DateInput, "text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", BLANK_LABEL), *country_choices()]  # type: ignore[attr-defined]
