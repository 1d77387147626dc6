"""Every free-text field people type is bounded on its model (core.limits.text_field or a MaxLengthValidator), so
the form, the API, imports and services all refuse longer text. The exemptions are text that Twinning writes
itself, each named here with its reason."""

from django.apps import apps
from django.core.validators import MaxLengthValidator
from django.db import models

# "app_label.Model.field": why it needs no bound of its own.
EXEMPT = {
    "audit.AuditEvent.reason": "a copy of a reason typed elsewhere (bounded there) or written by code; the audit "
    "log never refuses to record a change",
    "interop.Dhis2Server.secret_encrypted": "ciphertext written by code from a password or token that the "
    "form and the API bound",
    "knowledge.SearchEntry.body": "the search index, written by code from bounded fields and capped at "
    "search.MAX_INDEXED_CHARS",
    "knowledge.SearchEntry.stems": "the search index's word stems, written by code from the bounded body",
    "matching.MatchingJob.error": "a stored error log written by the matching task",
    "monitoring.ImportJob.summary": "an import's summary written by the import task",
    "reports.ReportJob.summary": "a report job's summary written by the report task",
}


def _bounded(field: models.Field) -> bool:
    return bool(field.max_length) or any(isinstance(v, MaxLengthValidator) for v in field.validators)


def test_every_text_field_people_type_is_bounded():
    unbounded = sorted(
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("twinning.")
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and not _bounded(field)
    )
    assert [name for name in unbounded if name not in EXEMPT] == []


def test_every_exemption_names_an_unbounded_text_field():
    # An exemption that no longer applies (the field was bounded, renamed or removed) is dropped from the list.
    for name in EXEMPT:
        app_label, model_name, field_name = name.split(".")
        field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
        assert isinstance(field, models.TextField) and not _bounded(field), name
