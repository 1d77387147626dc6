from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from twinning.accounts import access
from twinning.core.forms import IndicatorMultipleChoiceField, ModelForm, PersonChoiceField, VersionedForm
from twinning.core.reference import country_choices
from twinning.directory.models import HealthArea, Institution, Person
from twinning.knowledge.files import ACCEPTED_EXTENSIONS
from twinning.knowledge.models import COMMENT_MAX, Document, Practice, Setting
from twinning.knowledge.services import DOCUMENT_FIELDS
from twinning.partnerships.models import Partnership, Pillar
from twinning.planning.models import Indicator

if TYPE_CHECKING:
    from twinning.accounts.models import User

TEXT_FIELDS = (
    "title",
    "summary",
    "problem",
    "what_was_done",
    "needs_staff",
    "needs_equipment",
    "needs_cost",
    "conditions",
    "results",
    "language",
    "setting",
)
ACCEPT = ",".join(f".{e}" for e in ACCEPTED_EXTENSIONS)


def language_choices() -> list[tuple[str, Any]]:
    """The UI languages first (search stems them), then a few more written in the programme's countries."""
    more: list[tuple[str, Any]] = [
        ("ar", _("Arabic")),
        ("sw", _("Swahili")),
        ("am", _("Amharic")),
        ("uk", _("Ukrainian")),
    ]
    return [*settings.LANGUAGES, *more]


class PracticeForm(ModelForm):
    partnerships = forms.ModelMultipleChoiceField(
        queryset=Partnership.objects.none(), to_field_name="uuid", label=_("Partnerships behind it")
    )
    institutions = forms.ModelMultipleChoiceField(
        queryset=Institution.objects.none(),
        to_field_name="uuid",
        required=False,
        label=_("Institutions behind it"),
    )
    pillars = forms.ModelMultipleChoiceField(
        queryset=Pillar.objects.none(), required=False, label=_("Pillars")
    )
    health_areas = forms.ModelMultipleChoiceField(
        queryset=HealthArea.objects.all(), to_field_name="code", required=False, label=_("Health areas")
    )
    indicators = IndicatorMultipleChoiceField(
        queryset=Indicator.objects.none(),
        to_field_name="uuid",
        required=False,
        label=_("Indicators that show the effect"),
        help_text=_("Their approved figures are shown live on the practice's page."),
    )
    contact_person = PersonChoiceField(
        queryset=Person.objects.none(), to_field_name="uuid", required=False, label=_("Contact person")
    )
    countries = forms.MultipleChoiceField(choices=(), required=False, label=_("Countries"))
    language = forms.ChoiceField(choices=(), label=_("Language it is written in"))

    class Meta:
        model = Practice
        fields = list(TEXT_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "problem",
                "what_was_done",
                "needs_staff",
                "needs_equipment",
                "needs_cost",
                "conditions",
            )
        } | {"summary": forms.Textarea(attrs={"rows": 4}), "results": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: "User", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partnerships = Partnership.objects.filter(access.in_practice_partnerships(user, via="")).order_by(
            "title"
        )
        if self.instance.pk:
            partnerships = (
                partnerships.filter(programme_id=self.instance.programme_id)
                | self.instance.partnerships.all()
            ).distinct()
        self.fields["partnerships"].queryset = partnerships  # type: ignore[attr-defined]
        programmes = partnerships.values("programme")
        self.fields["pillars"].queryset = Pillar.objects.filter(programme__in=programmes)  # type: ignore[attr-defined]
        # The programmes' common indicators and the own indicators of the user's partnerships, not another
        # partnership's.
        self.fields["indicators"].queryset = Indicator.objects.filter(  # type: ignore[attr-defined]
            Q(partnership__isnull=True, programme__in=programmes)
            | Q(partnership__in=partnerships.values("pk"))
        ).order_by("code", "partnership__title")
        self.fields["institutions"].queryset = Institution.objects.filter(  # type: ignore[attr-defined]
            side_links__partnership__in=partnerships.values("pk")
        ).distinct()
        self.fields["contact_person"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            institution__side_links__partnership__in=partnerships.values("pk")
        ).distinct()
        self.fields["countries"].choices = country_choices()  # type: ignore[attr-defined]
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]
        self.fields["setting"].choices = [("", "—"), *Setting.choices]  # type: ignore[attr-defined]
        if self.instance.pk:
            practice = self.instance
            self.initial.update(
                partnerships=[p.uuid for p in practice.partnerships.all()],
                institutions=[i.uuid for i in practice.institutions.all()],
                pillars=[p.pk for p in practice.pillars.all()],
                health_areas=[h.code for h in practice.health_areas.all()],
                indicators=[i.uuid for i in practice.indicators.all()],
                contact_person=practice.contact_person.uuid if practice.contact_person else None,
                countries=[c.country for c in practice.countries.all()],
            )

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in TEXT_FIELDS},
            **{
                name: list(data[name])
                for name in (
                    "partnerships",
                    "institutions",
                    "pillars",
                    "health_areas",
                    "indicators",
                    "countries",
                )
            },
            "contact_person": data["contact_person"],
        }


class PracticeEditForm(PracticeForm, VersionedForm):
    pass


class DocumentForm(ModelForm):
    language = forms.ChoiceField(choices=(), label=_("Language of this file"))
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, text or image; the size limit applies."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    class Meta:
        model = Document
        fields = list(DOCUMENT_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    language = forms.ChoiceField(choices=(), label=_("Language of this file"))
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    note = forms.CharField(label=_("What changed"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    to_status = forms.ChoiceField(choices=Practice.Status.choices, widget=forms.HiddenInput)
    # The status the page showed: a step asked from a status the practice has left since is not taken.
    from_status = forms.ChoiceField(choices=Practice.Status.choices, widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
