"""`cached_until_change`: figures kept under the audit change stamp are read back until an audited change commits."""

import pytest
from django.core.cache import cache, caches
from django.db import transaction
from django.urls import reverse

from twinning.audit.models import AuditEvent
from twinning.audit.services import (
    CHANGE_STAMP_KEY,
    audit_record,
    cached_until_change,
    change_stamp,
    hold_change_stamp,
)
from twinning.testing.factories import InstitutionFactory

# Committed transactions, as in production: the stamp is renewed when a change commits.
pytestmark = pytest.mark.django_db(transaction=True)


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def _change() -> None:
    with transaction.atomic():
        audit_record(actor=None, action=AuditEvent.Action.UPDATE, obj=InstitutionFactory())


def test_a_value_is_computed_once_and_again_after_the_next_audited_change_commits():
    compute = Counter()
    assert [cached_until_change("test:figure", compute, 60) for _ in range(3)] == [1, 1, 1]

    _change()

    assert [cached_until_change("test:figure", compute, 60) for _ in range(2)] == [2, 2]
    assert compute.calls == 2


def test_each_key_keeps_its_own_value():
    assert cached_until_change("test:a", lambda: "a", 60) == "a"
    assert cached_until_change("test:b", lambda: "b", 60) == "b"
    assert cached_until_change("test:a", lambda: "changed", 60) == "a"


def test_a_transaction_with_its_own_changes_computes_afresh_and_keeps_nothing():
    compute = Counter()
    with transaction.atomic():
        audit_record(actor=None, action=AuditEvent.Action.UPDATE, obj=InstitutionFactory())
        assert [cached_until_change("test:pending", compute, 60) for _ in range(2)] == [1, 2]
    # Committed now: the stamp is new, and nothing computed inside the transaction was kept.
    assert cached_until_change("test:pending", compute, 60) == 3
    assert cached_until_change("test:pending", compute, 60) == 3


def test_zero_seconds_computes_every_time():
    compute = Counter()
    assert [cached_until_change("test:never", compute, 0) for _ in range(3)] == [1, 2, 3]


def test_a_held_stamp_is_read_once_and_renewed_by_the_block_s_own_commits():
    with hold_change_stamp():
        first = change_stamp()
        cache.set(CHANGE_STAMP_KEY, "set by another process")
        assert change_stamp() == first  # read once: the rest of the request keys on what it first read
        _change()  # this request's own change commits
        renewed = change_stamp()
        assert renewed not in {first, "set by another process"}
        assert cache.get(CHANGE_STAMP_KEY) == renewed
    # Outside a request every call reads the shared cache.
    cache.set(CHANGE_STAMP_KEY, "set by another process")
    assert change_stamp() == "set by another process"


def test_every_request_holds_the_stamp_and_the_next_request_reads_it_afresh(client, world, monkeypatch):
    client.force_login(world.manager)
    url = reverse("partnerships:detail", args=[world.partnership.uuid])
    assert client.get(url).status_code == 200
    backend = caches["default"]
    reads: list[str] = []
    real_get = backend.get

    def counting_get(key, *args, **kwargs):
        reads.append(key)
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", counting_get)
    for _ in range(2):
        assert client.get(url).status_code == 200  # several cached parts, each keyed on the stamp
    assert reads.count(CHANGE_STAMP_KEY) == 2  # once per request
    assert len(reads) > 4
