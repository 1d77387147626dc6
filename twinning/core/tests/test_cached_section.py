"""`{% cached_section %}` keeps a page's costliest parts rendered under the audit change stamp (issue 10's load goal):
read back until a change commits, each reader's own CSRF token, never a form's input, never another reader's
permissions or history."""

import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.partnerships import services
from twinning.testing.factories import partnership_member

# Committed transactions, as in production: the stamp is renewed when a change commits.
pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _get(client, world):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("partnerships:detail", args=[world.partnership.uuid]))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _stakeholder(world, name):
    services.stakeholder_create(
        actor=world.coordinator, partnership=world.partnership, kind="ministry", name=name, role="Steering"
    )


def test_the_sections_are_read_back_until_a_change_commits_then_show_it(client, world):
    _stakeholder(world, "District health office")
    client.force_login(world.coordinator)
    first, computed = _get(client, world)
    again, cached = _get(client, world)
    assert cached < computed  # the stakeholders and stage changes are not read again
    assert "District health office" in again

    _stakeholder(world, "Regional hospital board")
    fresh, recomputed = _get(client, world)
    assert "Regional hospital board" in fresh and "Regional hospital board" not in first
    assert recomputed == computed


def test_a_page_from_the_cache_holds_the_readers_own_csrf_token_which_the_site_accepts(world):
    second = partnership_member(world.partnership, email="second-coordinator@example.org")  # the same access
    first_client, second_client = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_client.force_login(world.coordinator)
    second_client.force_login(second)
    first_page, computed = _get(first_client, world)
    second_page, cached = _get(second_client, world)
    assert cached < computed  # the second reader's sections came from the cache

    first_tokens, second_tokens = set(TOKEN.findall(first_page)), set(TOKEN.findall(second_page))
    assert len(second_tokens) == 1 and first_tokens != second_tokens
    response = second_client.post(
        reverse("partnerships:stakeholder_add", args=[world.partnership.uuid]),
        {
            "kind": "community",
            "name": "Mothers' group",
            "role": "",
            "csrfmiddlewaretoken": second_tokens.pop(),
        },
    )
    assert response.status_code == 302
    assert world.partnership.stakeholders.filter(name="Mothers' group").exists()


def test_what_someone_typed_into_a_refused_form_is_never_kept_for_others(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        reverse("partnerships:stakeholder_add", args=[world.partnership.uuid]),
        {"kind": "not-a-kind", "name": "Typed-by-the-coordinator-4711", "role": ""},
    )
    assert response.status_code == 400
    assert "Typed-by-the-coordinator-4711" in response.content.decode()

    other = Client()
    other.force_login(partnership_member(world.partnership, email="second-coordinator@example.org"))
    assert "Typed-by-the-coordinator-4711" not in _get(other, world)[0]
    assert "Typed-by-the-coordinator-4711" not in _get(client, world)[0]


def test_each_reader_sees_the_sections_and_history_their_own_permissions_give(client, world):
    _stakeholder(world, "District health office")
    client.force_login(world.coordinator)  # fills the cache with an editor's sections and full history
    editor_page, _ = _get(client, world)
    assert "Add a stakeholder" in editor_page and "The latest changes, in short." not in editor_page

    client.force_login(world.partnership_viewer)
    viewer_page, _ = _get(client, world)
    assert "Add a stakeholder" not in viewer_page and "The latest changes, in short." in viewer_page
    assert "District health office" in viewer_page

    client.force_login(world.coordinator)
    assert _get(client, world)[0].count("Add a stakeholder") == editor_page.count("Add a stakeholder")


def test_a_dependency_that_does_not_name_itself_renders_afresh_every_time(world, rf):
    template = Template(
        '{% load core %}{% cached_section "test" thing %}{{ counter.next }}{% endcached_section %}'
    )

    class Counter:
        calls = 0

        def next(self):
            self.calls += 1
            return self.calls

    counter = Counter()
    request = rf.get("/")
    for thing in (world.partnership, world.partnership):  # a model instance: its text need not identify it
        template.render(
            Context({"thing": thing, "counter": counter, "cache_sections": True, "csrf_token": "t"})
        )
    assert counter.calls == 2
    for _ in range(2):  # a plain value: rendered once, then read back
        template.render(Context({"thing": 7, "counter": counter, "cache_sections": True, "csrf_token": "t"}))
    assert counter.calls == 3
    for _ in range(2):  # no cache_sections: always afresh
        template.render(Context({"thing": 7, "counter": counter, "csrf_token": "t", "request": request}))
    assert counter.calls == 5


def test_the_partnership_list_from_the_cache_is_each_readers_own_and_follows_the_query_string(client, world):
    mine, theirs = world.partnership.title, world.other_partnership.title
    client.force_login(world.manager)
    with CaptureQueriesContext(connection) as computed:
        first = client.get(reverse("partnerships:list")).content.decode()
    with CaptureQueriesContext(connection) as cached:
        again = client.get(reverse("partnerships:list")).content.decode()
    assert len(cached) < len(computed)  # the count, the page and the sides are not read again
    assert mine in first and mine in again and theirs not in again

    searched = client.get(reverse("partnerships:list"), {"q": "no such title"}).content.decode()
    assert "No partnerships match." in searched and mine not in searched

    client.force_login(world.other_coordinator)
    other = client.get(reverse("partnerships:list")).content.decode()
    assert theirs in other and mine not in other


def test_an_institutions_people_from_the_cache_show_e_mail_addresses_only_to_who_may_see_them(client, world):
    from twinning.directory.services import person_create

    institution = world.partnership.side_links.get(side="host").institution
    person_create(
        actor=world.coordinator,
        institution=institution,
        full_name="Dr Achieng Otieno",
        email="achieng@example.org",
        cadre="physician",
    )
    url = reverse("directory:detail", args=[institution.uuid])
    client.force_login(world.coordinator)  # fills the cache with the contacts shown
    assert "achieng@example.org" in client.get(url).content.decode()

    client.force_login(world.programme_viewer)  # sees the people, not their addresses
    viewer_page = client.get(url).content.decode()
    assert "Dr Achieng Otieno" in viewer_page and "achieng@example.org" not in viewer_page

    client.force_login(world.outsider)
    assert "Dr Achieng Otieno" not in client.get(url).content.decode()

    person_create(actor=world.coordinator, institution=institution, full_name="Sr Mary Auma", cadre="nurse")
    client.force_login(world.programme_viewer)
    assert "Sr Mary Auma" in client.get(url).content.decode()
