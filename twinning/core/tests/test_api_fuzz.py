"""A bounded schemathesis run over the whole API: no generated call (valid or not) may answer 5xx or break the
OpenAPI schema, with schemathesis' checks on; and afterwards, with the data the run left behind, every page of
the role matrix still renders for every role (see twinning/demo/tests/test_every_page_renders.py).

All checks but one: `positive_data_acceptance` expects every schema-valid request to succeed, which a schema
cannot promise here: a request may name a partnership that does not exist, a currency code that is well formed
but no ISO 4217 code, or break a rule between fields; those answer the documented 422 with the reason.

Bounded so it stays a test, not a campaign: a few positive and negative examples per operation, no shrinking.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from twinning.accounts.services import api_token_create
from twinning.demo.tests.test_every_page_renders import render_every_page
from twinning.testing.roles import ROLES

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 3


@pytest.fixture
def connection_kept() -> Iterator[None]:
    # The WSGI app would close the test transaction's connection at each request's end (PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def fuzz(operation: Any, headers: dict[str, str], mode: GenerationMode) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    call()


def test_fuzzed_api_calls_answer_no_5xx_and_keep_to_the_schema_then_every_page_renders(
    world, connection_kept
):
    _token, raw = api_token_create(actor=world.admin, user=world.admin, name="fuzz")
    # The WSGI test client does not decompress; the gzip middleware must leave the bodies readable.
    headers = {"Authorization": f"Bearer {raw}", "Accept-Encoding": "identity"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz(operation, headers, mode)
            except (Exception, BaseExceptionGroup) as exc:  # collected for every operation, reported together
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert operations > 50
    assert not failures, "\n\n".join(failures)

    users = [getattr(world, role) for role in ROLES if role != "anonymous"]
    objects = {
        "partnership_uuid": world.partnership.uuid,
        "programme_uuid": world.programme.uuid,
        "institution_uuid": world.partnership.side_links.get(side="host").institution.uuid,
    }
    page_failures, _left_out = render_every_page(users, objects)
    assert page_failures == []


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_a_write_to_an_address_naming_no_operation_answers_the_json_404(world, method):
    # Found by the run above: a malformed id under /api/v1/exchanges/ met the CSRF check's HTML 403 page.
    _token, raw = api_token_create(actor=world.admin, user=world.admin, name="t")
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(
        "/api/v1/exchanges/not-a-uuid",
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
