"""The practice pages: the library and its search, the workflow through the page, downloads, and the public
pages (only public practices, light, with titles and link previews)."""

import gzip
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from twinning.knowledge import services
from twinning.knowledge.models import DocumentVersion, Practice
from twinning.knowledge.samples import docx_bytes, pdf_bytes
from twinning.knowledge.tests.factories import PracticeFactory, publish_as_is

S = Practice.Status


def _practice_with_file(world, status, title):
    practice = PracticeFactory(partnership=world.partnership, title=title, summary=f"Summary of {title}")
    services.document_create(
        actor=world.admin,
        practice=practice,
        title=f"{title} toolkit",
        type="toolkit",
        language="en",
        file=SimpleUploadedFile("t.pdf", pdf_bytes(title, [f"Body of {title}"])),
    )
    Practice.objects.filter(pk=practice.pk).update(status=status)
    # As publication through the workflow does: the author's confirmation covers the file (and the text).
    DocumentVersion.objects.filter(document__practice=practice).update(cleared_at=timezone.now())
    if status == S.PUBLIC:
        return publish_as_is(practice)
    return Practice.objects.get(pk=practice.pk)


@pytest.fixture
def shelf(world):
    return {status: _practice_with_file(world, status, f"Shelf {status} item") for status in S.values}


def test_anonymous_crawl_of_the_public_pages_reaches_only_public_practices(client, world, shelf):
    seen, queue, found = set(), [reverse("practices:list")], set()
    while queue:
        url = queue.pop()
        if url in seen or not url.startswith("/practices/"):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        if response.get("Content-Disposition", "").startswith("attachment"):
            continue
        html = response.content.decode()
        found.update(re.findall(r"Shelf (\w+) item", html))
        queue.extend(re.findall(r'href="(/practices/[^"]*)"', html))
    assert found == {"public"}
    for status, practice in shelf.items():
        version = DocumentVersion.objects.get(document__practice=practice)
        expected = 200 if status == S.PUBLIC else 404
        assert client.get(reverse("practices:detail", args=[practice.uuid])).status_code == expected
        url = reverse("practices:download", args=[practice.uuid, version.uuid])
        assert client.get(url).status_code == expected


def test_public_search_finds_only_public_practices(client, world, shelf):
    html = client.get(reverse("practices:list"), {"q": "Shelf"}).content.decode()
    assert set(re.findall(r"Shelf (\w+) item", html)) == {"public"}


def test_public_pages_are_light_and_previewable(client, world, shelf, django_assert_max_num_queries):
    for _n in range(30):
        PracticeFactory(partnership=world.partnership, status=S.PUBLIC, summary="Light words " * 30)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("practices:list"))
    assert len(gzip.compress(response.content)) <= 30 * 1024
    html = response.content.decode()
    assert "<title>" in html and 'property="og:title"' in html
    detail = client.get(reverse("practices:detail", args=[shelf[S.PUBLIC].uuid])).content.decode()
    assert "<title>Shelf public item · Twinning</title>" in detail
    assert 'property="og:title" content="Shelf public item"' in detail
    assert 'property="og:description" content="Summary of Shelf public item"' in detail
    assert len(gzip.compress(detail.encode())) <= 30 * 1024


def test_downloads_are_attachments_counted_and_not_sniffed(client, world, shelf):
    practice = shelf[S.PUBLIC]
    version = DocumentVersion.objects.get(document__practice=practice)
    response = client.get(reverse("practices:download", args=[practice.uuid, version.uuid]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    client.force_login(world.member)
    client.get(reverse("knowledge:download", args=[practice.uuid, version.uuid]))
    version.refresh_from_db()
    assert version.downloads == 2


def test_the_library_list_has_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.member)
    url = reverse("knowledge:library")
    for _n in range(3):
        PracticeFactory(partnership=world.partnership)
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _n in range(20):
        PracticeFactory(partnership=world.partnership)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_search_from_the_library_highlights_matches(client, world, shelf):
    client.force_login(world.member)
    html = client.get(reverse("knowledge:library"), {"q": "Body"}).content.decode()
    assert "<mark>Body</mark>" in html


def test_writing_up_submitting_and_approving_through_the_pages(client, world):
    client.force_login(world.member)
    response = client.post(
        reverse("knowledge:create"),
        {
            "title": "Triage cards",
            "summary": "Colour cards.",
            "language": "en",
            "partnerships": [world.partnership.uuid],
        },
    )
    practice = Practice.objects.get(title="Triage cards")
    assert response.status_code == 302 and practice.author == world.member
    response = client.post(
        reverse("knowledge:document_create", args=[practice.uuid]),
        {
            "title": "Cards",
            "type": "training",
            "licence": "cc_by_4",
            "language": "fr",
            "file": SimpleUploadedFile("cartes.docx", docx_bytes("Cartes", ["Triage par couleurs"])),
        },
    )
    assert response.status_code == 302
    client.post(reverse("knowledge:move", args=[practice.uuid]), {"to_status": S.SUBMITTED})
    client.force_login(world.manager)
    refused = client.post(reverse("knowledge:move", args=[practice.uuid]), {"to_status": S.PROGRAMME})
    assert Practice.objects.get(pk=practice.pk).status == S.SUBMITTED and refused.status_code == 302
    client.post(
        reverse("knowledge:move", args=[practice.uuid]), {"to_status": S.PROGRAMME, "comment": "Fine"}
    )
    assert Practice.objects.get(pk=practice.pk).status == S.PROGRAMME
    client.force_login(world.programme_viewer)
    assert client.get(reverse("knowledge:detail", args=[practice.uuid])).status_code == 200


def test_a_hostile_upload_is_refused_on_the_page(client, world):
    practice = PracticeFactory(partnership=world.partnership)
    client.force_login(world.member)
    response = client.post(
        reverse("knowledge:document_create", args=[practice.uuid]),
        {
            "title": "Logo",
            "type": "other",
            "licence": "cc_by_4",
            "language": "en",
            "file": SimpleUploadedFile("logo.svg", b"<svg><script>alert(1)</script></svg>"),
        },
    )
    assert response.status_code == 400
    assert not practice.documents.exists()
