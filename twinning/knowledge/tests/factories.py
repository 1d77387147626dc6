"""Factories for the practice library, built on the shared ones."""

from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from twinning.knowledge.models import Document, DocumentVersion, Practice, PracticePartnership
from twinning.knowledge.search import reindex_practice
from twinning.knowledge.selectors import public_text_now
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
        if practice.status == Practice.Status.PUBLIC and practice.public_text is None:
            # As publishing does: the public reads the text as it is now.
            practice.public_text = public_text_now(practice)
            practice.save(update_fields=["public_text"])
        reindex_practice(practice)
        return practice


class DocumentFactory(DjangoModelFactory[Document]):
    class Meta:
        model = Document

    title = factory.Sequence(lambda n: f"Toolkit {n}")
    type = Document.Type.TOOLKIT


def publish_as_is(practice: Practice) -> Practice:
    """Publish the practice publicly without the workflow, as its author's confirmation and the public step do:
    its files and its text as they are now are what the public reads (cleared_at, public_text), and search holds
    the public copy. Returns the practice read again."""
    practice = Practice.objects.get(pk=practice.pk)
    practice.status = Practice.Status.PUBLIC
    practice.public_text = public_text_now(practice)
    practice.public_text_cleared_at = timezone.now()
    practice.save(update_fields=["status", "public_text", "public_text_cleared_at"])
    DocumentVersion.objects.filter(document__practice=practice, cleared_at__isnull=True).update(
        cleared_at=practice.public_text_cleared_at
    )
    reindex_practice(practice)
    return Practice.objects.get(pk=practice.pk)
