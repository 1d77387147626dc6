"""Forms of the DHIS2 pages: the export's choices, the import's upload and options, a server's settings."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from twinning.core.forms import IndicatorChoiceField
from twinning.core.periods import parse_period
from twinning.core.validators import validate_dhis2_uid
from twinning.interop.dhis2.export import FORMATS
from twinning.interop.dhis2.ids import IdScheme
from twinning.interop.dhis2.imports import ImportOptions
from twinning.interop.dhis2.parse import guess_format
from twinning.interop.models import Dhis2Server
from twinning.partnerships.models import Partnership
from twinning.planning.models import Indicator

FORMAT_CHOICES = [
    ("json", _("Data value set, JSON")),
    ("xml", _("Data value set, XML")),
    ("csv", _("Data value set, CSV")),
    ("adx", _("ADX (XML)")),
]
SCHEME_CHOICES = [(IdScheme.UID, _("UID")), (IdScheme.CODE, _("Code"))]
MAX_PERIODS = 200


class ExportForm(forms.Form):
    """What to export; the partnerships and indicators offered are those of the programme the user may see."""

    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="json", required=False)
    partnership = forms.ModelChoiceField(
        label=_("Partnership"),
        queryset=Partnership.objects.none(),
        required=False,
        empty_label=_("All partnerships"),
        to_field_name="uuid",
    )
    indicator = IndicatorChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.none(),
        required=False,
        empty_label=_("All indicators"),
        to_field_name="uuid",
    )
    periods = forms.CharField(
        label=_("Periods"),
        required=False,
        max_length=2000,
        help_text=_(
            "DHIS2 period identifiers separated by commas or spaces, e.g. 2025Q1 2025Q2; blank for all."
        ),
    )
    data_element_id_scheme = forms.ChoiceField(
        label=_("Data elements named by"), choices=SCHEME_CHOICES, initial=IdScheme.UID, required=False
    )

    def __init__(self, *args: Any, partnerships: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships  # type: ignore[attr-defined]
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]

    def clean_format(self) -> str:
        value = self.cleaned_data.get("format") or "json"
        if value not in FORMATS:
            raise ValidationError(_("Choose a format."))
        return value

    def clean_data_element_id_scheme(self) -> str:
        return self.cleaned_data.get("data_element_id_scheme") or IdScheme.UID

    def clean_periods(self) -> tuple[str, ...]:
        raw = (self.cleaned_data.get("periods") or "").replace(",", " ").split()
        bad = []
        for period_id in raw:
            try:
                parse_period(period_id)
            except ValueError:
                bad.append(period_id[:12])
        if bad:
            raise ValidationError(
                _("Not DHIS2 period identifiers Twinning reports in: %(ids)s.") % {"ids": ", ".join(bad[:10])}
            )
        if len(raw) > MAX_PERIODS:
            raise ValidationError(_("Choose at most %(count)s periods.") % {"count": MAX_PERIODS})
        return tuple(dict.fromkeys(raw))


class ImportForm(forms.Form):
    """A DHIS2 file to import and DHIS2's options for it."""

    file = forms.FileField(label=_("File"))
    format = forms.ChoiceField(
        label=_("Format"), choices=[("auto", _("From the file")), *FORMAT_CHOICES], initial="auto"
    )
    data_element_id_scheme = forms.ChoiceField(
        label=_("Data elements named by"),
        choices=[("", _("As the file says (else UID)")), *SCHEME_CHOICES],
        required=False,
    )
    mode = forms.ChoiceField(
        label=_("If some values cannot be imported"),
        choices=[
            ("atomic", _("Import nothing (DHIS2's atomic mode ALL)")),
            ("per_value", _("Import the others (DHIS2's per-value mode NONE)")),
        ],
        initial="atomic",
        widget=forms.RadioSelect,
    )
    strategy = forms.ChoiceField(
        label=_("What to do with the file's values"),
        choices=[
            ("CREATE_AND_UPDATE", _("Add and update results (DHIS2's CREATE_AND_UPDATE)")),
            ("DELETE", _("Delete the results the file names (DHIS2's DELETE)")),
        ],
        initial="CREATE_AND_UPDATE",
        required=False,
    )
    # On by default: a first look at a file should never write (untick it to import).
    dry_run = forms.BooleanField(
        label=_("Dry run: check and count, write nothing"), required=False, initial=True
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None and data.get("format") == "auto":
            upload.seek(0)
            head = upload.read(4096)
            upload.seek(0)
            guessed = guess_format(upload.name or "", head)
            if guessed is None:
                self.add_error("format", _("The format cannot be told from the file; choose it."))
            data["format"] = guessed
        return data

    def options(self) -> ImportOptions:
        data = self.cleaned_data
        return ImportOptions(
            dry_run=bool(data.get("dry_run")),
            atomic=data.get("mode") != "per_value",
            strategy=data.get("strategy") or "CREATE_AND_UPDATE",
            data_element_id_scheme=data.get("data_element_id_scheme") or None,
        )


def _periods(raw: str) -> tuple[str, ...]:
    ids = raw.replace(",", " ").split()
    bad = [p[:12] for p in ids if not _is_period(p)]
    if bad:
        raise ValidationError(
            _("Not DHIS2 period identifiers Twinning reports in: %(ids)s.") % {"ids": ", ".join(bad[:10])}
        )
    if len(ids) > MAX_PERIODS:
        raise ValidationError(_("Choose at most %(count)s periods.") % {"count": MAX_PERIODS})
    return tuple(dict.fromkeys(ids))


def _is_period(period_id: str) -> bool:
    try:
        parse_period(period_id)
    except ValueError:
        return False
    return True


class ServerForm(forms.Form):
    """A DHIS2 server's settings; the password or token is asked for, never shown."""

    name = forms.CharField(label=_("Name"), max_length=100)
    base_url = forms.URLField(
        label=_("Address"), max_length=300, help_text=_("e.g. https://dhis2.example.org (without /api)")
    )
    auth = forms.ChoiceField(label=_("Sign-in"), choices=Dhis2Server.Auth.choices)
    username = forms.CharField(label=_("User name"), max_length=150, required=False)
    secret = forms.CharField(
        label=_("Password or personal access token"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        max_length=500,
        help_text=_("Stored encrypted. Leave blank to keep the one stored."),
    )


class SendForm(forms.Form):
    periods = forms.CharField(
        label=_("Periods"),
        required=False,
        max_length=2000,
        help_text=_("DHIS2 period identifiers separated by commas or spaces; blank for all."),
    )
    dry_run = forms.BooleanField(label=_("Dry run on the server (it checks, writes nothing)"), required=False)

    def clean_periods(self) -> tuple[str, ...]:
        return _periods(self.cleaned_data.get("periods") or "")


class FetchForm(forms.Form):
    data_set = forms.CharField(label=_("Data set UID"), max_length=11, validators=[validate_dhis2_uid])
    periods = forms.CharField(label=_("Periods"), max_length=2000, help_text=_("e.g. 2025Q1 2025Q2"))
    org_unit = forms.CharField(
        label=_("Org unit UID (with its children)"), max_length=11, validators=[validate_dhis2_uid]
    )
    mode = forms.ChoiceField(
        label=_("If some values cannot be imported"),
        choices=[
            ("atomic", _("Import nothing (DHIS2's atomic mode ALL)")),
            ("per_value", _("Import the others (DHIS2's per-value mode NONE)")),
        ],
        initial="atomic",
        widget=forms.RadioSelect,
    )
    strategy = forms.ChoiceField(
        label=_("What to do with the file's values"),
        choices=[
            ("CREATE_AND_UPDATE", _("Add and update results (DHIS2's CREATE_AND_UPDATE)")),
            ("DELETE", _("Delete the results the file names (DHIS2's DELETE)")),
        ],
        initial="CREATE_AND_UPDATE",
        required=False,
    )
    # On by default: a first look at a file should never write (untick it to import).
    dry_run = forms.BooleanField(
        label=_("Dry run: check and count, write nothing"), required=False, initial=True
    )

    def clean_periods(self) -> tuple[str, ...]:
        periods = _periods(self.cleaned_data.get("periods") or "")
        if not periods:
            raise ValidationError(_("Give at least one period."))
        return periods

    def options(self) -> ImportOptions:
        return ImportOptions(
            dry_run=bool(self.cleaned_data.get("dry_run")), atomic=self.cleaned_data["mode"] != "per_value"
        )
