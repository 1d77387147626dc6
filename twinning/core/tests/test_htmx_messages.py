"""An htmx answer carries the messages queued while answering it, unless it makes the browser load another page."""

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse

from twinning.core.middleware import HtmxMessagesMiddleware


def _answer(rf, *, htmx=True, status=200, headers=None, content_type="text/html; charset=utf-8"):
    request = rf.post("/somewhere/")
    request.htmx = htmx
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    messages.error(request, "Make a new version to change an agreed plan.")

    def view(_request):
        response = HttpResponse(
            "<section id='objectives'></section>", status=status, content_type=content_type
        )
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    response = HtmxMessagesMiddleware(view)(request)
    # Messages read during the request are not kept for the next one (MessageMiddleware stores only unread ones).
    return response.content.decode(), request._messages.used


def test_a_partial_answer_carries_the_queued_messages_out_of_band_and_consumes_them(rf):
    body, read = _answer(rf)
    assert body.startswith("<section id='objectives'></section>")
    assert '<div id="messages" hx-swap-oob="true" ' in body and "Make a new version" in body
    assert read


@pytest.mark.parametrize(
    "case",
    [
        {"htmx": False},
        {"status": 400},
        {"status": 302},
        {"headers": {"HX-Refresh": "true"}},
        {"headers": {"HX-Redirect": "/elsewhere/"}},
        {"content_type": "application/json"},
    ],
)
def test_anything_else_leaves_the_messages_for_the_next_page(rf, case):
    body, read = _answer(rf, **case)
    assert "hx-swap-oob" not in body and "Make a new version" not in body
    assert not read
