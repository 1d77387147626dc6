"""An edit to a practice already public reaches its programme's readers at once and the public (pages, search,
link previews, the API for other programmes' users) only once its author confirms the new text holds no patient
or personal data (Practice.public_text; issue 12)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from twinning.accounts.models import Notification
from twinning.audit.models import AuditEvent
from twinning.knowledge import services
from twinning.knowledge.models import Document, Practice
from twinning.knowledge.search import search
from twinning.knowledge.tests.factories import PracticeFactory
from twinning.knowledge.tests.test_public_confirmation import api

pytestmark = pytest.mark.django_db
S = Practice.Status


@pytest.fixture
def public_practice(world):
    practice = PracticeFactory(
        partnership=world.partnership,
        status=S.PROGRAMME,
        author=world.member,
        title="Kangaroo care on the ward",
        summary="Mothers hold their babies skin to skin.",
    )
    document = services.document_create(
        actor=world.manager,
        practice=practice,
        title="Ward checklist",
        type="toolkit",
        language="en",
        file=SimpleUploadedFile("checklist.txt", b"Thermoregulation checklist for the ward."),
    )
    services.practice_confirm_no_personal_data(actor=world.member, practice=practice)
    services.practice_move(actor=world.manager, practice=practice, to_status=S.PUBLIC, comment="Good")
    return Practice.objects.get(pk=practice.pk), document


def edit(world, practice, document):
    services.practice_update(
        actor=world.manager,
        practice=practice,
        data={"title": "Kangaroo care, second edition", "summary": "Zanzibarite Mrs Example, bed 4."},
    )
    # As the pages and the API do: the document is read again under the practice being edited.
    document = Document.objects.get(pk=document.pk)
    document.practice = practice
    services.document_update(
        actor=world.manager, document=document, data={"title": "Checklist of Mr Example"}
    )


def public_page(practice) -> str:
    response = Client().get(reverse("practices:detail", args=[practice.uuid]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_edit_to_a_public_practice_stays_off_the_public_pages_until_the_author_confirms(
    world, public_practice
):
    practice, document = public_practice
    edit(world, practice, document)

    page = public_page(practice)
    assert "Kangaroo care on the ward" in page and "skin to skin" in page and "Ward checklist" in page
    assert "second edition" not in page and "Zanzibarite" not in page and "Mr Example" not in page
    assert '<meta property="og:title" content="Kangaroo care on the ward">' in page
    listed = Client().get(reverse("practices:list")).content.decode()
    assert "Kangaroo care on the ward" in listed and "second edition" not in listed
    # Public search neither finds the new words nor shows the new title.
    assert search(user=AnonymousUser(), text="Zanzibarite").total == 0
    found = Client().get(reverse("practices:list"), {"q": "kangaroo"}).content.decode()
    assert "Kangaroo care on the ward" in found.replace("<mark>", "").replace("</mark>", "")
    assert "second edition" not in found
    hits = search(user=AnonymousUser(), text="checklist").hits
    assert [h.document.title for h in hits if h.document] == ["Ward checklist"]
    # Another programme's user reads the public text too: library page, search and API.
    outside = world.other_coordinator
    assert search(user=outside, text="Zanzibarite").total == 0
    client = Client()
    client.force_login(outside)
    detail = client.get(reverse("knowledge:detail", args=[practice.uuid])).content.decode()
    assert "Kangaroo care on the ward" in detail and "Zanzibarite" not in detail
    body = api(outside).get(f"/api/v1/knowledge/practices/{practice.uuid}").json()
    assert body["title"] == "Kangaroo care on the ward" and body["documents"][0]["title"] == "Ward checklist"

    # The programme's readers read the current text, and the author is asked to confirm it.
    assert search(user=world.programme_viewer, text="Zanzibarite").total == 1
    viewer = Client()
    viewer.force_login(world.programme_viewer)
    assert "second edition" in viewer.get(reverse("knowledge:detail", args=[practice.uuid])).content.decode()
    assert Notification.objects.filter(user=world.member, message__contains="was changed").exists()
    author = Client()
    author.force_login(world.member)
    own = author.get(reverse("knowledge:detail", args=[practice.uuid])).content.decode()
    assert 'id="text-awaiting-confirmation"' in own
    assert reverse("knowledge:confirm", args=[practice.uuid]) in own

    response = author.post(reverse("knowledge:confirm", args=[practice.uuid]))
    assert response.status_code == 302
    page = public_page(practice)
    assert "second edition" in page and "Zanzibarite" in page and "Checklist of Mr Example" in page
    assert '<meta property="og:title" content="Kangaroo care, second edition">' in page
    assert search(user=AnonymousUser(), text="Zanzibarite").total == 1
    assert (
        'id="text-awaiting-confirmation"'
        not in author.get(reverse("knowledge:detail", args=[practice.uuid])).content.decode()
    )
    event = AuditEvent.objects.filter(changes__has_key="public_text_cleared_at").get()
    assert event.actor == world.member


def test_a_practice_published_publicly_shows_the_text_it_had_then(world, public_practice):
    practice, _document = public_practice
    assert practice.public_text["title"] == "Kangaroo care on the ward"
    assert practice.public_text_cleared_at == practice.no_personal_data_confirmed_at
    assert search(user=AnonymousUser(), text="skin").total == 1


def test_withdrawing_takes_the_public_copy_out_of_search(world, public_practice):
    practice, _document = public_practice
    services.practice_move(actor=world.manager, practice=practice, to_status=S.WITHDRAWN, comment="Old")
    assert search(user=AnonymousUser(), text="kangaroo").total == 0
    assert Client().get(reverse("practices:detail", args=[practice.uuid])).status_code == 404


def test_confirming_is_refused_to_a_reader_and_hidden_from_an_outsider(world, public_practice):
    practice, document = public_practice
    edit(world, practice, document)
    url = reverse("knowledge:confirm", args=[practice.uuid])
    for reader in (world.programme_viewer, world.other_coordinator, world.manager):
        client = Client()
        client.force_login(reader)
        assert client.post(url).status_code == 403, reader
    hidden = PracticeFactory(partnership=world.partnership, status=S.PROGRAMME, author=world.member)
    client = Client()
    client.force_login(world.outsider)
    assert client.post(reverse("knowledge:confirm", args=[hidden.uuid])).status_code == 404
    assert "Zanzibarite" not in public_page(practice)
