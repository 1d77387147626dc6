"""The shared cache in Redis, with one client object per connection pool.

Django's Redis backend builds a new `redis.Redis` for every cache call, and redis-py's constructor fills a table of
about 170 response callbacks each time: some 1,700 Python calls per cache read. A page makes a dozen cache calls
(the session, the audit change stamp, the figures and rendered parts kept under it), so the plan page spent some
40 % of its function calls building clients (issue 10's load goal). A `redis.Redis` shares its connection pool and is
safe to use from many threads, so one per pool is kept and reused; everything else is Django's backend unchanged.
"""

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # The stubs leave out the backend's private attributes, which this subclass of it uses as Django does.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ReusedClientRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` with a client kept per connection pool (see the module)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
