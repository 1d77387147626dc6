"""The demo prints counts that the pages then show: the directory's institutions and countries, and the
partnership list's partnerships, as the demo's administrator sees them."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from twinning.accounts.models import User
from twinning.directory.models import Institution

pytestmark = pytest.mark.django_db


def shown_count(client, url: str, noun: str) -> int:
    """The "N <noun>" count a list page shows above its results."""
    found = re.search(rf"(\d+) {noun}\b", client.get(url).content.decode())
    assert found, f"{url} shows no count of {noun}"
    return int(found.group(1))


def test_the_demo_prints_the_counts_the_directory_then_shows_every_time(client):
    out = StringIO()
    call_command("demo", stdout=out)
    printed = out.getvalue()
    client.force_login(User.objects.get(email="admin@demo.twinning"))

    institutions = shown_count(client, reverse("directory:list"), "institutions")
    partnerships = shown_count(client, reverse("partnerships:list"), "partnerships")
    directory = client.get(reverse("directory:list")).content.decode()
    country_filter = re.search(r'<select name="country">(.*?)</select>', directory, re.S)
    assert country_filter
    countries = country_filter.group(1).count("<option") - 1  # less "All"

    assert f"The directory lists {institutions} institutions in {countries} countries" in printed
    assert f"; {partnerships} partnerships." in printed
    assert institutions == Institution.objects.count()  # the matching round's applicants are in it too

    again = StringIO()
    call_command("demo", stdout=again)  # already loaded: says so, and prints the same counts
    assert "already loaded" in again.getvalue()
    counts = re.search(r"The directory lists .*\n", printed)
    assert counts
    assert counts.group(0) in again.getvalue()
