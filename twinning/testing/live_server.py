"""A live test server that takes requests one at a time on the tests' in-memory SQLite database.

On SQLite the test database lives in memory, in SQLite's shared cache, and every thread that touches it (the test's,
and each of the live server's request threads) has its own connection to it. Two requests at once (a page and the
service worker fetching the forms it keeps offline, say) then meet inside SQLite's shared cache, which has no busy
wait: CI once saw "bad parameter or other API misuse" and a 500 on the transition plan page. So, on that database
only, the server handles one request at a time, whole, and every query of any thread waits for the request in hand.
On PostgreSQL nothing changes: its connections wait for each other as in production.
"""

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

# Re-entrant: a request holds it for its whole handling, and each query inside takes it again.
_in_memory_database_lock = threading.RLock()


def _uses_in_memory_sqlite(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]


def _one_query_at_a_time(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict
) -> Any:
    with _in_memory_database_lock:
        return execute(sql, params, many, context)


def _queries_wait_for_the_request_in_hand(
    sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any
) -> None:
    if _uses_in_memory_sqlite(connection) and _one_query_at_a_time not in connection.execute_wrappers:
        connection.execute_wrappers.append(_one_query_at_a_time)


connection_created.connect(_queries_wait_for_the_request_in_hand, dispatch_uid="twinning-live-server-queries")


class OneRequestAtATimeOnSQLiteServer(ThreadedWSGIServer):
    """Django's threaded test server; on an in-memory SQLite database, one request is handled at a time.

    A request is handled whole under the lock, a streamed body included; queries from other threads (the test's)
    wait for it (`connection_created` above gives every such connection the waiting wrapper).
    """

    def set_app(self, application: "WSGIApplication | None") -> None:
        assert application is not None

        def one_request_at_a_time(environ: dict, start_response: Callable[..., Any]) -> Iterable[bytes]:
            # Asked per request: the server starts before the test database (and its in-memory name) is set up.
            if not _uses_in_memory_sqlite(connections["default"]):
                return application(environ, start_response)
            with _in_memory_database_lock:
                result = application(environ, start_response)
                try:
                    return list(result)
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()

        super().set_app(one_request_at_a_time)
