"""Sign-in lockout (per account and per address) and API rate limits (per token, per address, guessed tokens)."""

import hashlib
import os
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from twinning.accounts.services import api_token_create
from twinning.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
API = "/api/v1/institutions"


def sign_in(client: Client, email: str, password: str, address: str = "10.0.0.1") -> object:
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def person():
    user = UserFactory(email="grace@example.org")
    user.set_password("right-password-123")
    user.save()
    return user


@override_settings(AXES_FAILURE_LIMIT=5)
def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, person):
    for _attempt in range(4):
        assert sign_in(client, person.email, "wrong").status_code == 200
    locked = sign_in(client, person.email, "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    refused = sign_in(client, person.email, "right-password-123")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=5)
def test_the_lock_holds_from_another_address_because_it_is_per_account(client, person):
    for attempt in range(5):
        sign_in(client, person.email, "wrong", address=f"10.0.1.{attempt}")
    assert sign_in(Client(), person.email, "right-password-123", address="10.9.9.9").status_code == 429


@override_settings(AXES_FAILURE_LIMIT=5)
def test_one_address_trying_many_accounts_is_locked_out(client, person):
    for attempt in range(5):
        sign_in(client, f"guess{attempt}@example.org", "wrong", address="10.0.2.1")
    assert sign_in(client, person.email, "right-password-123", address="10.0.2.1").status_code == 429
    assert sign_in(Client(), person.email, "right-password-123", address="10.0.2.2").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=5)
def test_an_administrator_unlocks_the_account_and_the_right_password_works_again(client, person):
    for _attempt in range(5):
        sign_in(client, person.email, "wrong")
    call_command("axes_reset_username", person.email, verbosity=0)
    call_command("axes_reset_ip", "10.0.0.1", verbosity=0)
    response = sign_in(client, person.email, "right-password-123")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


@override_settings(AXES_FAILURE_LIMIT=5)
def test_a_successful_sign_in_clears_earlier_failures(client, person):
    for _attempt in range(4):
        sign_in(client, person.email, "wrong")
    assert sign_in(client, person.email, "right-password-123").status_code == 302
    client.logout()
    for _attempt in range(4):
        assert sign_in(client, person.email, "wrong").status_code == 200


def bearer(user) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, user=user, name="tests")
    return {"Authorization": f"Bearer {raw}"}


@override_settings(API_THROTTLE_RATES={"address": "1000/min", "token": "3/min", "failed_token": "100/h"})
def test_a_token_over_its_rate_gets_429_with_retry_after(client, person):
    headers = bearer(person)
    for _call in range(3):
        assert client.get(API, headers=headers).status_code == 200
    response = client.get(API, headers=headers)
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many requests. Wait a while, then try again."}
    assert int(response["Retry-After"]) > 0
    # Another token of another person is not held back by it.
    assert client.get(API, headers=bearer(UserFactory())).status_code == 200


@override_settings(API_THROTTLE_RATES={"address": "4/min", "token": "1000/min", "failed_token": "100/h"})
def test_one_address_over_its_rate_gets_429_whatever_token_it_sends(client, person):
    for _call in range(4):
        assert client.get(API, headers=bearer(UserFactory()), REMOTE_ADDR="10.1.0.1").status_code == 200
    assert client.get(API, headers=bearer(person), REMOTE_ADDR="10.1.0.1").status_code == 429
    assert client.get(API, headers=bearer(person), REMOTE_ADDR="10.1.0.2").status_code == 200


@override_settings(API_THROTTLE_RATES={"address": "1000/min", "token": "1000/min", "failed_token": "5/h"})
def test_guessed_tokens_meet_a_limit_and_then_even_a_real_token_waits(client, person):
    for guess in range(5):
        response = client.get(
            API, headers={"Authorization": f"Bearer tw_guess{guess}"}, REMOTE_ADDR="10.2.0.1"
        )
        assert response.status_code == 401
    response = client.get(API, headers={"Authorization": "Bearer tw_guess6"}, REMOTE_ADDR="10.2.0.1")
    assert response.status_code == 429
    assert client.get(API, headers=bearer(person), REMOTE_ADDR="10.2.0.1").status_code == 429
    assert client.get(API, headers=bearer(person), REMOTE_ADDR="10.2.0.2").status_code == 200


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # any failure means: no Redis here
        return False


def test_redis_url_puts_the_shared_cache_in_redis():
    def backend(**extra: str) -> str:
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | extra
        code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={**env, "DJANGO_SETTINGS_MODULE": "twinning.settings", "DEBUG": "true"},
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()

    assert backend() == "django.core.cache.backends.db.DatabaseCache"
    assert backend(REDIS_URL=REDIS_URL) == "twinning.core.cache.ReusedClientRedisCache"


@pytest.mark.skipif(not _redis_answers(), reason="no Redis server answers at TEST_REDIS_URL")
@override_settings(
    CACHES={"default": {"BACKEND": "twinning.core.cache.ReusedClientRedisCache", "LOCATION": REDIS_URL}},
    API_THROTTLE_RATES={"address": "1000/min", "token": "3/min", "failed_token": "100/h"},
)
def test_the_rate_limit_holds_with_the_cache_in_redis(client, person):
    from django.core.cache import cache

    cache.clear()
    headers = bearer(person)
    for _call in range(3):
        assert client.get(API, headers=headers).status_code == 200
    assert client.get(API, headers=headers).status_code == 429
    cache.clear()


@override_settings(API_THROTTLE_RATES={"address": "1000/min", "token": "1000/min", "failed_token": "100/h"})
def test_the_rate_limit_keeps_one_small_number_per_token_however_many_calls(client, person):
    from django.core.cache import cache

    from twinning.core.throttling import TokenThrottle

    headers = bearer(person)
    for _call in range(5):
        assert client.get(API, headers=headers).status_code == 200
    key = TokenThrottle()._key("t" + hashlib.sha256(headers["Authorization"].encode()).hexdigest())
    window = int(time.time() // 60)
    counts = [cache.get(f"{key}:{w}") for w in (window - 1, window)]
    assert all(c is None or isinstance(c, int) for c in counts)  # a count, not a list of call times
    assert sum(c or 0 for c in counts) == 5


@pytest.mark.parametrize(
    ("minutes", "english", "russian"),
    [(1, "Try again in 1 minute,", "через 1 минуту"), (5, "Try again in 5 minutes,", "через 5 минут")],
)
def test_the_lockout_message_counts_its_minutes_in_words(client, person, minutes, english, russian):
    import datetime

    with override_settings(AXES_FAILURE_LIMIT=1, AXES_COOLOFF_TIME=datetime.timedelta(minutes=minutes)):
        locked = sign_in(client, person.email, "wrong")
        assert locked.status_code == 429
        assert english in locked.content.decode()
        client.cookies["django_language"] = "ru"
        assert russian in sign_in(client, person.email, "wrong").content.decode()


@pytest.mark.skipif(not _redis_answers(), reason="no Redis server answers at TEST_REDIS_URL")
def test_the_redis_cache_keeps_one_client_per_pool_and_reads_back_what_it_wrote_from_many_threads():
    import threading

    from twinning.core.cache import ReusedClientRedisCache

    cache = ReusedClientRedisCache(REDIS_URL, {"KEY_PREFIX": "reused-client-test"})
    cache.clear()
    cache.set("figure", {"total": 12}, 60)
    assert cache.get("figure") == {"total": 12}
    assert cache.add("figure-count", 0, 60) and cache.incr("figure-count", 2) == 2
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client and cache._cache.get_client() is client

    seen: list[int] = []

    def read_and_write(n: int) -> None:
        for i in range(20):
            cache.set(f"thread-{n}-{i}", n * i, 60)
            seen.append(cache.get(f"thread-{n}-{i}") - n * i)

    threads = [threading.Thread(target=read_and_write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [0] * 160
    cache.clear()
