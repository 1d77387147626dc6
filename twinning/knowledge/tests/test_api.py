"""The practice library over the API: write up, upload, publish, search, download; scoping and bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from twinning.accounts.services import api_token_create
from twinning.knowledge.models import Practice
from twinning.knowledge.samples import pdf_bytes
from twinning.knowledge.tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/knowledge"


def api(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_write_up_upload_publish_search_and_download(world):
    member = api(world.member)
    created = member.post(
        f"{URL}/practices",
        {
            "partnerships": [str(world.partnership.uuid)],
            "title": "Bubble CPAP",
            "summary": "Low-cost breathing support.",
            "countries": ["ug"],
            "setting": "hospital",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    practice = created.json()
    assert practice["status"] == "draft" and practice["countries"] == ["UG"]
    upload = member.post(
        f"{URL}/practices/{practice['uuid']}/documents",
        {
            "title": "CPAP protocol",
            "type": "protocol",
            "language": "en",
            "file": SimpleUploadedFile("cpap.pdf", pdf_bytes("CPAP", ["Oxygen blender calibration steps."])),
        },
    )
    assert upload.status_code == 201, upload.content
    file_uuid = upload.json()["files"][0]["uuid"]
    assert upload.json()["files"][0]["extraction"] == "done"
    assert (
        member.post(
            f"{URL}/practices/{practice['uuid']}/steps",
            {"to_status": "submitted"},
            content_type="application/json",
        ).status_code
        == 200
    )
    manager = api(world.manager)
    refused = manager.post(
        f"{URL}/practices/{practice['uuid']}/steps",
        {"to_status": "programme"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    approved = manager.post(
        f"{URL}/practices/{practice['uuid']}/steps",
        {"to_status": "programme", "comment": "Well documented"},
        content_type="application/json",
    )
    assert approved.json()["status"] == "programme"
    viewer = api(world.programme_viewer)
    found = viewer.get(f"{URL}/search", {"q": "blender calibration"}).json()
    assert found["count"] == 1 and found["items"][0]["file"] == file_uuid
    assert "<mark>" in found["items"][0]["snippet"]
    download = viewer.get(f"{URL}/practices/{practice['uuid']}/files/{file_uuid}")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"


def test_outsiders_get_404_and_readers_403(world):
    practice = PracticeFactory(partnership=world.partnership, status=Practice.Status.PROGRAMME)
    assert api(world.other_coordinator).get(f"{URL}/practices/{practice.uuid}").status_code == 404
    assert api(world.other_coordinator).get(f"{URL}/search", {"q": practice.title}).json()["count"] == 0
    response = api(world.programme_viewer).patch(
        f"{URL}/practices/{practice.uuid}", {"title": "Mine"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_bad_input_is_422_and_writes_nothing(world):
    member = api(world.member)
    response = member.post(
        f"{URL}/practices",
        {"partnerships": [str(world.partnership.uuid)], "title": "X", "summary": "Y", "pillars": ["nope"]},
        content_type="application/json",
    )
    assert response.status_code == 422
    response = member.post(
        f"{URL}/practices",
        {"partnerships": [str(world.other_partnership.uuid)], "title": "X", "summary": "Y"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not Practice.objects.exists()
    practice = PracticeFactory(partnership=world.partnership)
    hostile = member.post(
        f"{URL}/practices/{practice.uuid}/documents",
        {
            "title": "T",
            "type": "other",
            "language": "en",
            "file": SimpleUploadedFile("x.docx", b"MZ\x00binary"),
        },
    )
    assert hostile.status_code == 422 and not practice.documents.exists()


def test_the_list_has_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    client = api(world.member)
    for _n in range(3):
        PracticeFactory(partnership=world.partnership)
    client.get(f"{URL}/practices")
    with django_assert_max_num_queries(20) as few:
        client.get(f"{URL}/practices")
    for _n in range(15):
        PracticeFactory(partnership=world.partnership)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"{URL}/practices").json()["count"] == 18
