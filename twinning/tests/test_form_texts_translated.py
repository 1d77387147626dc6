"""No English left in forms read in another language: every label and help text of every form class is translated
when shown (never fixed at import time, never a model field's bare name), the empty choice of a picker is in the
reader's language, and the shipped disaggregation names on the results entry page too."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.utils import translation
from django.utils.functional import Promise

import twinning
from twinning.monitoring.tests.factories import monitored


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for module_info in pkgutil.walk_packages(twinning.__path__, "twinning."):
        name = module_info.name
        if ".tests" in name or ".migrations" in name or not name.rsplit(".", 1)[-1].startswith("forms"):
            continue
        module = importlib.import_module(name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def test_every_form_field_label_and_help_text_is_translated_when_shown():
    classes = _form_classes()
    assert len(classes) > 40  # the scan found the project's forms
    untranslated = [
        f"{cls.__module__}.{cls.__name__}.{name}: label={field.label!r} help_text={field.help_text!r}"
        for cls in classes
        for name, field in cls.base_fields.items()
        if not isinstance(field.widget, forms.HiddenInput)
        and (
            not isinstance(field.label, Promise)
            or (field.help_text and not isinstance(field.help_text, Promise))
        )
    ]
    assert untranslated == []


def _as(client, user, language):
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": language})


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "es", "ru", "pt"])
def test_the_volunteer_time_form_speaks_the_readers_language(client, world, language):
    _as(client, world.member, language)
    page = client.get(f"/contributions/partnerships/{world.partnership.uuid}/time/new/").text
    for english in ("Person", "Institution", "Exchange", "Activity"):
        assert f">{english}<" not in page and f">{english}:" not in page
    with translation.override(language):
        person = translation.gettext("person")
        blank = translation.gettext("- Select an option -")
    assert person != "person" and person[0].upper() + person[1:] in page
    assert blank != "- Select an option -" and blank in page
    assert "- Select an option -" not in page and "---------" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "ru"])
def test_the_entry_page_shows_evidence_hint_and_shipped_option_names_in_the_readers_language(
    client, world, language
):
    monitored(world)
    _as(client, world.member, language)
    page = client.get(f"/monitoring/{world.partnership.uuid}/2024Q1/").text
    with translation.override(language):
        from twinning.core.rendering import labelled

        shown = labelled(translation.gettext("Sex"), translation.gettext("Female"))
        allowed = translation.gettext("Allowed: %(types)s.") % {"types": "pdf"}
    assert shown in page and "Sex: Female" not in page
    assert allowed.split(":")[0] in page and "Allowed: pdf" not in page


@pytest.mark.django_db
def test_a_programmes_own_option_name_stays_as_typed(world):
    from twinning.planning.models import DisaggregationCategory, DisaggregationOption

    category = DisaggregationCategory(name="Tranche d'âge")
    with translation.override("ru"):
        assert str(DisaggregationOption(category=category, name="15-24 ans")) == "15-24 ans"
        assert str(category) == "Tranche d'âge"
