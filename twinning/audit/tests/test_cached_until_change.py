"""`cached_until_change`: figures kept under the audit change stamp are read back until an audited change commits."""

import pytest
from django.db import transaction

from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record, cached_until_change
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
