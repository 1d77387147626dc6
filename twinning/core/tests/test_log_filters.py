"""A refused request is logged as a warning line without a traceback (issue "Work that finds its people")."""

import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_403_is_logged_as_a_warning_without_a_traceback(client, world, caplog):
    client.force_login(world.programme_viewer)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("contributions:verification")).status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.WARNING and record.exc_info is None
