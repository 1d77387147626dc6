"""POST-only addresses: whoever may not see the object gets 404 whatever the method; 405 only tells a member.

Every view declared with `core.http.post_only` is found by walking the URL resolver, so a view added later is
tested too. Its URL is filled with the world's partnership and programme where it names them (real objects the
outsider may not see) and with unknown ids elsewhere.
"""

import uuid

import pytest
from django.http import Http404
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from twinning.core.http import post_only

pytestmark = pytest.mark.django_db
REAL = {"partnership_uuid", "programme_uuid"}
# URL arguments that only say where inside a partnership or programme (no object of their own).
PLACES = {"period_id": "2024Q1", "category_code": "sex", "option_key": "total"}


def _walk(resolver: URLResolver, namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, inner)
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "post_only", False):
            yield f"{namespace}{pattern.name}", list(pattern.pattern.converters)


POST_ONLY = sorted(_walk(get_resolver()))
WITH_OBJECTS = [(name, arguments) for name, arguments in POST_ONLY if arguments]


def _url(world, name: str, arguments: list[str]) -> str:
    kwargs: dict[str, object] = {}
    for argument in arguments:
        if argument == "partnership_uuid":
            kwargs[argument] = world.partnership.uuid
        elif argument == "programme_uuid":
            kwargs[argument] = world.programme.uuid
        elif argument in PLACES:
            kwargs[argument] = PLACES[argument]
        elif argument.endswith("_id"):
            kwargs[argument] = 987654
        else:
            kwargs[argument] = uuid.uuid4()
    return reverse(name, kwargs=kwargs)


def test_the_walk_finds_the_post_only_views():
    assert len(POST_ONLY) >= 75
    assert ("exchanges:delete", ["partnership_uuid", "exchange_uuid"]) in POST_ONLY


@pytest.mark.parametrize(("name", "arguments"), WITH_OBJECTS, ids=[name for name, _a in WITH_OBJECTS])
def test_an_outsider_gets_404_whatever_the_method(client, world, name, arguments):
    url = _url(world, name, arguments)
    client.force_login(world.outsider)
    for method in ("get", "put", "delete", "patch"):
        assert getattr(client, method)(url).status_code == 404, (method, url)
    assert client.post(url).status_code == 404, url


PARTNERSHIP_ONLY = [
    (name, arguments) for name, arguments in WITH_OBJECTS if set(arguments) <= REAL | set(PLACES)
]


@pytest.mark.parametrize(("name", "arguments"), PARTNERSHIP_ONLY, ids=[name for name, _a in PARTNERSHIP_ONLY])
def test_someone_who_may_see_the_object_gets_405_for_another_method(client, world, name, arguments):
    url = _url(world, name, arguments)
    client.force_login(world.manager)
    response = client.get(url)
    assert response.status_code == 405, url
    assert response["Allow"] == "POST"


def test_a_read_only_member_learns_405_not_404(client, world):
    url = reverse("exchanges:delete", args=[world.partnership.uuid, uuid.uuid4()])
    client.force_login(world.partnership_viewer)
    assert client.get(url).status_code == 405
    client.force_login(world.other_coordinator)
    assert client.get(url).status_code == 404


def test_an_address_whose_arguments_name_no_known_object_answers_404_to_other_methods(rf, world):
    view = post_only(lambda request, thing_uuid: None)  # type: ignore[arg-type,return-value]
    request = rf.get("/")
    request.user = world.manager
    with pytest.raises(Http404):
        view(request, thing_uuid=uuid.uuid4())
    assert post_only(lambda request: None)(request).status_code == 405  # type: ignore[arg-type,return-value]
