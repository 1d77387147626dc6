"""A file a manager adds to a practice already public stays off the public pages, files and search until the
practice's author confirms it holds no patient or personal data (issue 12, round 4, finding 2)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from twinning.accounts.models import Notification
from twinning.accounts.services import api_token_create
from twinning.audit.models import AuditEvent
from twinning.knowledge import services
from twinning.knowledge.models import DocumentVersion, Practice
from twinning.knowledge.search import search
from twinning.knowledge.tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db
S = Practice.Status


def api(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def text_file(name: str, words: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, words.encode())


@pytest.fixture
def public_practice(world):
    practice = PracticeFactory(partnership=world.partnership, status=S.PROGRAMME, author=world.member)
    first = services.document_create(
        actor=world.manager,
        practice=practice,
        title="Ward checklist",
        type="toolkit",
        language="en",
        file=text_file("checklist.txt", "Thermoregulation checklist for the ward."),
    )
    services.practice_confirm_no_personal_data(actor=world.member, practice=practice)
    services.practice_move(actor=world.manager, practice=practice, to_status=S.PUBLIC, comment="Good")
    return practice, first


def test_a_file_added_to_a_public_practice_waits_for_the_authors_confirmation(world, public_practice):
    practice, first = public_practice
    old = first.versions.get()
    assert old.cleared_at is not None
    added = services.document_create(
        actor=world.manager,
        practice=practice,
        title="Case notes",
        type="case_study",
        language="en",
        file=text_file("cases.txt", "Zanzibarite incident list."),
    )
    newer = services.document_version_add(
        actor=world.manager,
        document=first,
        language="en",
        file=text_file("checklist2.txt", "Revised wording."),
    )
    new_file = added.versions.get()
    assert new_file.cleared_at is None and newer.cleared_at is None
    assert Notification.objects.filter(user=world.member).exists()

    anonymous = Client()
    page = anonymous.get(reverse("practices:detail", args=[practice.uuid])).content.decode()
    assert "Ward checklist" in page and "Case notes" not in page
    assert str(newer.uuid) not in page and str(old.uuid) in page
    assert (
        anonymous.get(reverse("practices:download", args=[practice.uuid, new_file.uuid])).status_code == 404
    )
    assert anonymous.get(reverse("practices:download", args=[practice.uuid, newer.uuid])).status_code == 404
    assert anonymous.get(reverse("practices:download", args=[practice.uuid, old.uuid])).status_code == 200
    assert search(user=AnonymousUser(), text="Zanzibarite").total == 0
    listed = anonymous.get(reverse("practices:list"), {"q": "Zanzibarite"}).content.decode()
    assert "Case notes" not in listed
    # Another programme's user reads the public practice, not its unconfirmed file.
    assert search(user=world.other_coordinator, text="Zanzibarite").total == 0
    detail = api(world.other_coordinator).get(f"/api/v1/knowledge/practices/{practice.uuid}").json()
    assert [d["title"] for d in detail["documents"]] == ["Ward checklist"]
    assert [f["uuid"] for f in detail["documents"][0]["files"]] == [str(old.uuid)]
    assert (
        api(world.other_coordinator)
        .get(f"/api/v1/knowledge/practices/{practice.uuid}/files/{new_file.uuid}")
        .status_code
        == 404
    )
    client = Client()
    client.force_login(world.other_coordinator)
    assert client.get(reverse("knowledge:download", args=[practice.uuid, new_file.uuid])).status_code == 404
    # The practice's own people read it whole, and are told the new files wait.
    assert search(user=world.member, text="Zanzibarite").total == 1
    client.force_login(world.member)
    own = client.get(reverse("knowledge:detail", args=[practice.uuid])).content.decode()
    assert "Case notes" in own and 'id="awaiting-confirmation"' in own
    assert client.get(reverse("knowledge:download", args=[practice.uuid, new_file.uuid])).status_code == 200

    # Only the author confirms (a read-only user may not); then the files show publicly, audited.
    client.force_login(world.partnership_viewer)
    assert client.post(reverse("knowledge:confirm", args=[practice.uuid])).status_code == 403
    client.force_login(world.outsider)
    assert client.post(reverse("knowledge:confirm", args=[practice.uuid])).status_code in (403, 404)
    assert not DocumentVersion.objects.get(pk=new_file.pk).cleared_at
    client.force_login(world.member)
    assert client.post(reverse("knowledge:confirm", args=[practice.uuid])).status_code == 302
    assert not DocumentVersion.objects.filter(cleared_at__isnull=True).exists()
    assert (
        AuditEvent.objects.filter(
            target_id=practice.pk, changes__has_key="no_personal_data_confirmed_at"
        ).count()
        == 2
    )
    page = anonymous.get(reverse("practices:detail", args=[practice.uuid])).content.decode()
    assert "Case notes" in page and str(newer.uuid) in page
    assert (
        anonymous.get(reverse("practices:download", args=[practice.uuid, new_file.uuid])).status_code == 200
    )
    assert search(user=AnonymousUser(), text="Zanzibarite").total == 1


def test_a_read_only_user_and_an_outsider_cannot_add_files_to_a_public_practice(world, public_practice):
    practice, _first = public_practice
    upload = {"title": "X", "type": "toolkit", "language": "en", "file": text_file("x.txt", "x")}
    assert (
        api(world.partnership_viewer)
        .post(f"/api/v1/knowledge/practices/{practice.uuid}/documents", upload)
        .status_code
        == 403
    )
    upload["file"] = text_file("x.txt", "x")
    assert (
        api(world.outsider).post(f"/api/v1/knowledge/practices/{practice.uuid}/documents", upload).status_code
        == 403
    )
    upload["file"] = text_file("x.exe", "x")
    refused = api(world.manager).post(f"/api/v1/knowledge/practices/{practice.uuid}/documents", upload)
    assert refused.status_code == 422
    assert practice.documents.count() == 1
