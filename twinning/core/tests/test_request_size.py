"""Bodies over the limit answer 413 with a clear message, on the web and the API, before anything reads them."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from twinning.accounts.services import api_token_create
from twinning.contributions.models import ExchangeRate

pytestmark = pytest.mark.django_db
SMALL = {"MAX_UPLOAD_BYTES": 2000, "DATA_UPLOAD_MAX_MEMORY_SIZE": 1000}


def rates_url(world) -> str:
    return reverse("contributions:exchange_rate_import", args=[world.programme.uuid])


@override_settings(**SMALL)
def test_an_upload_over_the_limit_answers_413(client, world):
    client.force_login(world.finance)
    response = client.post(rates_url(world), {"file": SimpleUploadedFile("r.csv", b"x" * 5000)})
    assert response.status_code == 413
    assert "at most 2.0" in response.content.decode()
    assert not ExchangeRate.objects.exists()


@override_settings(**SMALL)
def test_an_upload_within_the_limit_is_read(client, world):
    client.force_login(world.finance)
    body = b"currency,valid_from,valid_to,rate\nGBP,2024-01-01,2024-12-31,1.2\n"
    assert client.post(rates_url(world), {"file": SimpleUploadedFile("r.csv", body)}).status_code == 302


@override_settings(**SMALL)
def test_a_form_body_over_the_limit_answers_413(client, world):
    client.force_login(world.finance)
    assert client.post(rates_url(world), {"note": "x" * 3000}).status_code == 413


@override_settings(**SMALL)
def test_an_api_body_over_the_limit_answers_413_in_json(world):
    _token, raw = api_token_create(actor=world.finance, user=world.finance, name="t")
    response = Client().post(
        f"/api/v1/contributions/programmes/{world.programme.uuid}/exchange-rates/import",
        data=json.dumps({"csv": "x" * 3000}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


@override_settings(DEBUG=False, **SMALL)
def test_a_body_found_too_large_while_read_answers_413(client, world):
    # Many small form fields, each under the limit, over it together: found only while the form is parsed.
    client.force_login(world.finance)
    fields = {f"f{n}": "x" * 90 for n in range(20)}
    response = client.post(rates_url(world), {**fields, "file": SimpleUploadedFile("r.csv", b"a")})
    assert response.status_code == 413


@override_settings(**SMALL)
def test_a_json_body_over_the_limit_names_the_body_limit_not_the_file_limit(world):
    # A tester's 3 MB JSON body was told "files may be at most 10.0 MB": no file was sent, and the limit
    # that refused it was the body's (DATA_UPLOAD_MAX_MEMORY_SIZE).
    _token, raw = api_token_create(actor=world.member, user=world.member, name="t")
    response = Client().post(
        "/api/v1/knowledge/practices",
        data=json.dumps({"summary": "x" * 3000}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert "body may be at most 1000" in detail and "files" not in detail


@override_settings(**SMALL)
def test_an_upload_over_the_limit_still_names_the_file_limit(client, world):
    client.force_login(world.finance)
    response = client.post(rates_url(world), {"file": SimpleUploadedFile("r.csv", b"x" * 5000)})
    assert response.status_code == 413 and "files may be at most 2.0" in response.content.decode()
