"""A fresh tester's findings (issue 12, round 4): unbounded free text that hung search and the worker, dates in
year 1 or 1066, and a duplicate adoption level said twice."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.accounts.services import api_token_create
from twinning.knowledge import search as search_module
from twinning.knowledge import services
from twinning.knowledge.files import inspect_upload
from twinning.knowledge.models import (
    MAX_EXTRACTED_CHARS,
    NOTES_MAX,
    SECTION_MAX,
    SUMMARY_MAX,
    AdoptionLevel,
    DisseminationRecord,
    Level,
    Practice,
    SearchEntry,
)
from twinning.knowledge.search import MAX_SNIPPET_SOURCE, search
from twinning.knowledge.spread import services as spread_services
from twinning.knowledge.tests.factories import PracticeFactory, publish_as_is
from twinning.knowledge.tests.spread_factories import AdoptionFactory, practice_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/knowledge"
S = Practice.Status


def api(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


# --- 1. free text is bounded on every door, and search never reads unbounded text ----------------------------


def test_the_service_refuses_a_summary_past_its_limit(world):
    with pytest.raises(ValidationError) as caught:
        services.practice_create(
            actor=world.member, partnerships=[world.partnership], title="Long", summary="lorem " * 35_000
        )
    assert "summary" in caught.value.message_dict
    practice = PracticeFactory(partnership=world.partnership)
    with pytest.raises(ValidationError) as caught:
        services.practice_update(
            actor=world.member, practice=practice, data={"what_was_done": "w" * (SECTION_MAX + 1)}
        )
    assert "what_was_done" in caught.value.message_dict
    assert not Practice.objects.filter(title="Long").exists()


def test_the_form_and_the_api_refuse_text_past_the_limits(client, world):
    client.force_login(world.member)
    response = client.post(
        reverse("knowledge:create"),
        {
            "title": "Long",
            "summary": "lorem " * 1000,
            "language": "en",
            "partnerships": [str(world.partnership.uuid)],
        },
    )
    assert response.status_code == 400 and not Practice.objects.filter(title="Long").exists()
    assert "at most 3000 characters" in response.content.decode()
    member = api(world.member)
    created = member.post(
        f"{URL}/practices",
        {"partnerships": [str(world.partnership.uuid)], "title": "Long", "summary": "x" * (SUMMARY_MAX + 1)},
        content_type="application/json",
    )
    assert created.status_code == 422
    record = member.post(
        f"{URL}/dissemination",
        {
            "partnership": str(world.partnership.uuid),
            "kind": "presentation",
            "title": "Talk",
            "date": "2025-03-10",
            "audience": "academia",
            "notes": "n" * (NOTES_MAX + 1),
        },
        content_type="application/json",
    )
    assert record.status_code == 422 and not DisseminationRecord.objects.exists()


def test_a_read_only_user_and_an_outsider_cannot_write_long_text(world):
    practice = PracticeFactory(partnership=world.partnership, status=S.PROGRAMME)
    body = {"summary": "short"}
    assert (
        api(world.partnership_viewer)
        .patch(f"{URL}/practices/{practice.uuid}", body, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        api(world.outsider)
        .patch(f"{URL}/practices/{practice.uuid}", body, content_type="application/json")
        .status_code
        == 404
    )


def test_extracted_text_is_capped():
    upload = SimpleUploadedFile("long.txt", ("word " * 400_000).encode())
    inspected = inspect_upload(upload, "long.txt")
    assert len(inspected.text) == MAX_EXTRACTED_CHARS


def test_search_over_long_repetitive_text_reads_only_bounded_excerpts(client, world, monkeypatch):
    practice = PracticeFactory(partnership=world.partnership, summary=("lorem " * 1000)[:SUMMARY_MAX])
    services.document_create(
        actor=world.admin,
        practice=practice,
        title="Long toolkit",
        type="toolkit",
        language="en",
        file=SimpleUploadedFile("long.txt", ("lorem " * 400_000).encode()),
    )
    publish_as_is(practice)
    # The stored and indexed text is at its cap, however long the file was.
    assert max(len(e.body) for e in SearchEntry.objects.all()) <= search_module.MAX_INDEXED_CHARS
    seen: list[int] = []
    real = search_module._snippet

    def spy(excerpt: str, text: str) -> str:
        seen.append(len(excerpt))
        return real(excerpt, text)

    monkeypatch.setattr(search_module, "_snippet", spy)
    with CaptureQueriesContext(connection) as queries:
        results = search(user=world.member, text="lorem")
    assert results.total == 2 and len(queries.captured_queries) <= 4
    assert all(len(hit.snippet) < 2000 for hit in results.hits)
    assert all(n <= MAX_SNIPPET_SOURCE for n in seen)
    # The pages and the API answer the same search.
    client.force_login(world.member)
    assert client.get(reverse("knowledge:library"), {"q": "lorem"}).status_code == 200
    anonymous = Client().get(reverse("practices:list"), {"q": "lorem"})
    assert anonymous.status_code == 200 and len(anonymous.content) < 100_000
    found = api(world.member).get(f"{URL}/search", {"q": "lorem"})
    assert found.status_code == 200 and found.json()["count"] == 2
    assert search(user=AnonymousUser(), text="lorem").total == 2


def test_search_refuses_bad_input_over_the_api(world):
    assert api(world.member).get(f"{URL}/search", {"q": "x" * 201}).status_code == 422


# --- 3. dates within a sane range ---------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "1066-10-14", "1979-12-31"])
def test_a_dissemination_date_in_the_far_past_is_refused_on_every_door(client, world, day):
    member = api(world.member)
    response = member.post(
        f"{URL}/dissemination",
        {
            "partnership": str(world.partnership.uuid),
            "kind": "presentation",
            "title": "Talk",
            "date": day,
            "audience": "academia",
        },
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "date" in response.content.decode()
    client.force_login(world.member)
    page = client.post(
        reverse("knowledge:dissemination_create", args=[world.partnership.uuid]),
        {"kind": "presentation", "title": "Talk", "date": day, "audience": "academia"},
    )
    assert page.status_code == 400
    with pytest.raises(ValidationError) as caught:
        spread_services.dissemination_create(
            actor=world.member,
            programme=world.programme,
            partnership=world.partnership,
            kind="presentation",
            title="Talk",
            date=datetime.date.fromisoformat(day),
            audience="academia",
        )
    assert "Give a date from" in caught.value.message_dict["date"][0]
    assert not DisseminationRecord.objects.exists()


def test_an_adoption_level_in_the_far_past_is_refused(client, world):
    adoption = AdoptionFactory(practice=practice_of(world.partnership), level=Level.ADAPTING)
    with pytest.raises(ValidationError) as caught:
        spread_services.adoption_level_record(
            actor=world.member, adoption=adoption, level=Level.PILOTING, reached_on=datetime.date(1066, 1, 1)
        )
    assert "reached_on" in caught.value.message_dict
    refused = api(world.member).post(
        f"{URL}/adoptions/{adoption.uuid}/levels",
        {"level": "piloting", "reached_on": "0001-01-01"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    client.force_login(world.member)
    page = client.post(
        reverse("knowledge:adoption_level_add", args=[adoption.uuid]),
        {"level": "piloting", "reached_on": "1066-01-01"},
    )
    assert page.status_code == 400
    assert AdoptionLevel.objects.count() == 1


# --- 6. a level already recorded is said once ----------------------------------------------------------------


def test_a_level_already_recorded_is_said_once(client, world):
    adoption = AdoptionFactory(practice=practice_of(world.partnership), level=Level.ADAPTING)
    with pytest.raises(ValidationError) as caught:
        spread_services.adoption_level_record(
            actor=world.member, adoption=adoption, level=Level.ADAPTING, reached_on=datetime.date(2025, 2, 1)
        )
    assert len(caught.value.messages) == 1
    client.force_login(world.member)
    page = client.post(
        reverse("knowledge:adoption_level_add", args=[adoption.uuid]),
        {"level": "adapting", "reached_on": "2025-02-01"},
    )
    body = page.content.decode()
    assert page.status_code == 400
    assert body.count("already recorded") == 1
    refused = api(world.member).post(
        f"{URL}/adoptions/{adoption.uuid}/levels",
        {"level": "adapting", "reached_on": "2025-02-01"},
        content_type="application/json",
    )
    assert refused.status_code == 422 and refused.content.decode().count("already recorded") == 1
    assert (
        api(world.partnership_viewer)
        .post(
            f"{URL}/adoptions/{adoption.uuid}/levels",
            {"level": "adapting", "reached_on": "2025-02-01"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
