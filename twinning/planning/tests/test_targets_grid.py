"""The targets grid writes only what the person changed: another person's change elsewhere stays, and a cell
both changed is a conflict shown with the typed value kept."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from twinning.planning import services
from twinning.planning.models import Target
from twinning.planning.tests.factories import plan_with_indicator

pytestmark = pytest.mark.django_db


def grid_post(page_html: str, **typed: str) -> dict[str, str]:
    """What the browser posts from the grid as served: every cell and its `seen-` field, with `typed` changes."""
    data = dict(re.findall(r'name="((?:seen-)?t-[^"]+)" (?:id="[^"]+" )?value="([^"]*)"', page_html))
    for name, value in typed.items():
        data[name] = value
    return data


def urls(world, adoption):
    args = [world.partnership.uuid, adoption.uuid]
    return reverse("planning:plan_indicator", args=args), reverse("planning:targets_save", args=args)


def test_someone_elses_change_to_another_cell_stays(client, world):
    _plan, _o, adoption = plan_with_indicator(world)
    services.targets_save(
        actor=world.coordinator, plan_indicator=adoption, values={("2024Q1", None): Decimal(10)}
    )
    page, save = urls(world, adoption)
    client.force_login(world.coordinator)
    served = client.get(page).content.decode()
    assert 'name="seen-t-2024Q1-_all" value="10"' in served
    # Meanwhile another coordinator changes Q1.
    services.targets_save(
        actor=world.resource_coordinator, plan_indicator=adoption, values={("2024Q1", None): Decimal(11)}
    )
    response = client.post(save, grid_post(served, **{"t-2024Q2-_all": "12"}))
    assert response.status_code == 302
    assert {t.period: t.value for t in Target.objects.filter(option=None)} == {
        "2024Q1": Decimal(11),
        "2024Q2": Decimal(12),
    }


def test_a_cell_both_changed_is_a_conflict_and_saving_again_replaces_knowingly(client, world):
    _plan, _o, adoption = plan_with_indicator(world)
    services.targets_save(
        actor=world.coordinator, plan_indicator=adoption, values={("2024Q1", None): Decimal(10)}
    )
    page, save = urls(world, adoption)
    client.force_login(world.coordinator)
    served = client.get(page).content.decode()
    services.targets_save(
        actor=world.resource_coordinator, plan_indicator=adoption, values={("2024Q1", None): Decimal(11)}
    )
    response = client.post(save, grid_post(served, **{"t-2024Q1-_all": "15", "t-2024Q2-_all": "12"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else set this target to 11" in html
    assert 'name="t-2024Q1-_all" id="t-2024Q1-_all" value="15"' in html  # the typed value is kept
    assert 'aria-describedby="t-2024Q1-_all-error"' in html and 'id="t-2024Q1-_all-error"' in html
    assert 'name="t-2024Q2-_all" id="t-2024Q2-_all" value="12"' in html
    assert 'name="seen-t-2024Q1-_all" value="11"' in html  # moved on to what is stored
    assert {t.period: t.value for t in Target.objects.filter(option=None)} == {"2024Q1": Decimal(11)}
    again = client.post(save, grid_post(html))
    assert again.status_code == 302
    assert {t.period: t.value for t in Target.objects.filter(option=None)} == {
        "2024Q1": Decimal(15),
        "2024Q2": Decimal(12),
    }


def test_a_bad_cell_keeps_every_typed_cell_with_its_error_beside_it(client, world):
    _plan, _o, adoption = plan_with_indicator(world)
    page, save = urls(world, adoption)
    client.force_login(world.coordinator)
    served = client.get(page).content.decode()
    response = client.post(save, grid_post(served, **{"t-2024Q1-_all": "10", "t-2024Q2-_all": "lots"}))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="10"' in html and 'value="lots"' in html
    assert 'aria-invalid="true" aria-describedby="t-2024Q2-_all-error"' in html
    assert not Target.objects.exists()
