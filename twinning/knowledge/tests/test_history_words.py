"""What a practice's histories say, as a reader reads them (fresh tester, issue 12): a document version named by
its language and version number in words, an adoption level by its date in the reader's format and never by its
internal rank, a creation's values folded away, and rows that stack on a phone; the "publish publicly" step is
offered only once the author has confirmed that the practice holds no personal data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from twinning.audit.models import AuditEvent
from twinning.core.history import history_entries
from twinning.knowledge import services
from twinning.knowledge.models import DocumentVersion, Level, Practice
from twinning.knowledge.spread import services as spread_services
from twinning.knowledge.tests.factories import PracticeFactory
from twinning.knowledge.tests.spread_factories import AdoptionFactory, practice_of
from twinning.knowledge.tests.test_public_confirmation import text_file

pytestmark = pytest.mark.django_db
S = Practice.Status


def _lines(obj):
    return history_entries(AuditEvent.objects.for_object(obj), full=True, show_contacts=False)


def test_a_document_version_is_named_by_its_language_and_number_in_words(world):
    practice = PracticeFactory(partnership=world.partnership, status=S.DRAFT, author=world.member)
    document = services.document_create(
        actor=world.member,
        practice=practice,
        title="Ward checklist",
        type="toolkit",
        language="fr",
        file=text_file("checklist.txt", "Thermoregulation checklist."),
    )
    version = DocumentVersion.objects.get(document=document)
    with translation.override("en"):
        assert str(version) == "Ward checklist (French, version 1)"
        assert "(French, version 1)" in _lines(version)[0].target
    with translation.override("fr"):
        assert "(français, version 1)" in _lines(version)[0].target


def test_an_adoption_level_reads_its_date_in_the_readers_format_and_hides_its_rank(world):
    adoption = AdoptionFactory(practice=practice_of(world.partnership), level=False)
    level = spread_services.adoption_level_record(
        actor=world.coordinator, adoption=adoption, level=Level.ADOPTED, reached_on=datetime.date(2024, 3, 22)
    )
    assert "rank" not in AuditEvent.objects.for_object(level).get().changes
    with translation.override("fr"):
        (line,) = _lines(level)
        assert line.target == "Adoptée (22 mars 2024)"
        assert [c.label for c in line.changes] == ["niveau", "atteint le"]
    # An event written before the rank was left out still does not show it.
    AuditEvent.objects.filter(pk=AuditEvent.objects.for_object(level).get().pk).update(
        changes={"level": [None, "adopted"], "rank": [None, 3], "reached_on": [None, "2024-03-22"]}
    )
    with translation.override("en"):
        assert [c.label for c in _lines(level)[0].changes] == ["level", "reached on"]


def test_the_history_folds_a_creations_values_and_stacks_on_a_phone(client, world):
    practice = services.practice_create(
        actor=world.member,
        partnerships=[world.partnership],
        title="Kangaroo care",
        summary="What we learned.",
    )
    client.force_login(world.member)
    page = client.get(reverse("knowledge:detail", args=[practice.uuid])).content.decode()
    history = page[page.index('id="history"') :]
    assert '<table class="work-list">' in history
    folded = history[history.index("<details><summary>") :]
    assert "values it started with</summary>" in folded[:80]
    assert "Kangaroo care" in folded[: folded.index("</details>")]
    assert 'data-label="Changes:' in history and 'data-label="Who:' in history


def test_publish_publicly_is_offered_only_once_the_author_has_confirmed(client, world):
    practice = PracticeFactory(partnership=world.partnership, status=S.PROGRAMME, author=world.member)
    client.force_login(world.manager)
    url = reverse("knowledge:detail", args=[practice.uuid])
    assert 'value="public"' not in client.get(url).content.decode()
    services.practice_confirm_no_personal_data(actor=world.member, practice=practice)
    assert 'value="public"' in client.get(url).content.decode()
