"""Factories for the practice library, built on the shared ones."""

from typing import Any

import factory
from factory.django import DjangoModelFactory

from twinning.knowledge.models import Document, Practice, PracticePartnership
from twinning.knowledge.search import reindex_practice
from twinning.partnerships.models import Partnership


class PracticeFactory(DjangoModelFactory[Practice]):
    """A practice of one partnership (pass `partnership`; its programme is the practice's)."""

    class Meta:
        model = Practice
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Practice {n}")
    summary = "A checklist used at every birth, so that no step is missed."
    status = Practice.Status.DRAFT

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Practice:
        partnership: Partnership = kwargs.pop("partnership")
        kwargs.setdefault("programme", partnership.programme)
        practice = super()._create(model_class, *args, **kwargs)
        PracticePartnership.objects.create(practice=practice, partnership=partnership)
        reindex_practice(practice)
        return practice


class DocumentFactory(DjangoModelFactory[Document]):
    class Meta:
        model = Document

    title = factory.Sequence(lambda n: f"Toolkit {n}")
    type = Document.Type.TOOLKIT
