"""No English field names in another language: every field of every model of the project carries a translated
label, because that label is what the change history, the admin, model forms and validation messages show. A field
left without one gets Django's made-up label ("opened by"), which is English in every language."""

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps
from django.utils.functional import Promise, lazy

# Only the automatic primary key: it is never shown on a page nor written in a change (the history hides keys, see
# core.history.BOOKKEEPING). Every other field may reach a reader one day, so it is labelled now.
UNLABELLED_ON_PURPOSE = frozenset({"id"})


def _unlabelled(model_classes) -> list[str]:
    return [
        f"{model._meta.label}.{field.name}: {field.verbose_name!r}"
        for model in model_classes
        for field in [*model._meta.concrete_fields, *model._meta.local_many_to_many]
        if field.name not in UNLABELLED_ON_PURPOSE and not isinstance(field.verbose_name, Promise)
    ]


def _unnamed(model_classes) -> list[str]:
    """Models whose own name is Django's made-up English ("plan sign off"): the history names the record's kind
    with it ("created: plan sign off …" in Russian)."""
    return [
        f"{model._meta.label}.{option}"
        for model in model_classes
        for option in ("verbose_name", "verbose_name_plural")
        if not isinstance(model._meta.original_attrs.get(option), Promise)
    ]


def test_every_project_model_has_a_translated_name():
    project = [model for model in apps.get_models() if model.__module__.startswith("twinning.")]
    assert _unnamed(project) == []


def test_every_field_of_every_project_model_has_a_translated_label():
    project = [model for model in apps.get_models() if model.__module__.startswith("twinning.")]
    assert len(project) > 60  # the walk found the project's models
    assert _unlabelled(project) == []


@isolate_apps("twinning.core")
def test_a_field_left_with_djangos_made_up_label_is_found():
    class Labelled(models.Model):  # noqa: DJ008 (never shown)
        owner = models.ForeignKey(
            "self", on_delete=models.CASCADE, verbose_name=lazy(str, str)("owner")
        )  # a Promise, as gettext_lazy gives

        class Meta:
            app_label = "core"

    class Unlabelled(models.Model):  # noqa: DJ008 (never shown)
        opened_by = models.ForeignKey("self", on_delete=models.CASCADE)
        note = models.CharField("note", max_length=10)

        class Meta:
            app_label = "core"

    assert _unlabelled([Labelled]) == []
    assert _unnamed([Unlabelled]) == ["core.Unlabelled.verbose_name", "core.Unlabelled.verbose_name_plural"]
    assert [line.split(":")[0] for line in _unlabelled([Unlabelled])] == [
        "core.Unlabelled.opened_by",
        "core.Unlabelled.note",
    ]
