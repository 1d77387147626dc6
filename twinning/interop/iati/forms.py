from django import forms
from django.utils.translation import gettext_lazy as _

from twinning.core.forms import BLANK_LABEL
from twinning.core.reference import country_choices
from twinning.partnerships.models import IatiOrganisationType


class PublicationForm(forms.Form):
    iati_org_id = forms.CharField(
        label=_("IATI organisation identifier"),
        max_length=100,
        required=False,
        help_text=_("The organisation that publishes the programme's activities, e.g. GB-CHC-202918."),
    )
    iati_org_type = forms.ChoiceField(label=_("IATI organisation type"), choices=IatiOrganisationType.choices)
    published = forms.BooleanField(
        label=_("Publish the activity file at its public address"),
        required=False,
        help_text=_(
            "Anyone, without an account, may then read it; register that address with the IATI Registry."
        ),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("IATI activity file (XML, version 2.01 to 2.03)"))
    default_country = forms.ChoiceField(
        label=_("Country of organisations the file does not place"),
        required=False,
        help_text=_(
            "Used only for new institutions whose IATI reference does not name a country; hosts take the "
            "activity's recipient country."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Only check: show what would change, write nothing"), required=False, initial=True
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["default_country"].choices = [("", BLANK_LABEL), *country_choices()]  # type: ignore[attr-defined]
