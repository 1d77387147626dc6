"""A small client of DHIS2's Web API (`/api/me`, `/api/dataValueSets`), over the standard library's HTTP.

Requests carry the server's credentials (basic authentication, or DHIS2's `ApiToken` scheme) decrypted for that
request only; redirects are not followed (they could carry the credentials elsewhere); answers are read with a
timeout and a size limit, a data value set into a temporary file so memory does not grow with it.
"""

import base64
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from twinning.interop.dhis2 import addresses, secrets
from twinning.interop.models import Dhis2Server

TIMEOUT = 60
CHUNK = 1 << 16


class Dhis2Error(Exception):
    """The server could not be reached, refused the credentials or answered something unexpected."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No proxy from the environment: the connection must go to the address `addresses` checked.
_OPENER = urllib.request.build_opener(
    _NoRedirect, urllib.request.ProxyHandler({}), addresses.GuardedHTTPHandler, addresses.GuardedHTTPSHandler
)


def _url(server: Dhis2Server, path: str, params: dict[str, Any] | None = None) -> str:
    query = f"?{urllib.parse.urlencode(params, doseq=True)}" if params else ""
    return f"{server.base_url.rstrip('/')}/api/{path}{query}"


def _headers(server: Dhis2Server) -> dict[str, str]:
    secret = secrets.decrypt(server.secret_encrypted)
    if server.auth == Dhis2Server.Auth.TOKEN:
        auth = f"ApiToken {secret}"
    else:
        auth = "Basic " + base64.b64encode(f"{server.username}:{secret}".encode()).decode()
    return {"Authorization": auth, "Accept": "application/json"}


def _open(server: Dhis2Server, request: urllib.request.Request) -> Any:
    try:
        return _OPENER.open(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise Dhis2Error(
                _("The server refused the user name, password or token (HTTP %(code)s).") % {"code": exc.code}
            ) from None
        body = exc.read(CHUNK).decode("utf-8", "replace")
        summary = _summary_of(body)
        if summary is not None:  # DHIS2 answers a refused import with 409 and its summary
            raise Dhis2Conflict(summary) from None
        raise Dhis2Error(_("The server answered HTTP %(code)s.") % {"code": exc.code}) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, addresses.BlockedAddress):
            raise Dhis2Error(str(exc.reason)) from None
        raise Dhis2Error(
            _("The server cannot be reached: %(reason)s") % {"reason": str(getattr(exc, "reason", exc))[:200]}
        ) from None
    except addresses.BlockedAddress as exc:
        raise Dhis2Error(str(exc)) from None
    except (TimeoutError, OSError) as exc:
        raise Dhis2Error(
            _("The server cannot be reached: %(reason)s") % {"reason": str(getattr(exc, "reason", exc))[:200]}
        ) from None


class Dhis2Conflict(Dhis2Error):
    """The server refused an import and said why, in its import summary."""

    def __init__(self, summary: dict[str, Any]) -> None:
        super().__init__(summary.get("description") or _("The server refused the import."))
        self.summary = summary


def _summary_of(body: str) -> dict[str, Any] | None:
    """DHIS2's import summary from an answer (2.38+ wraps it in `response`), or None."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("response"), dict):
        data = data["response"]
    return data if isinstance(data, dict) and "importCount" in data else None


def check(server: Dhis2Server) -> str:
    """Who the server says the credentials are ("Signed in as ..."), from `/api/me`.

    Raises: Dhis2Error, ValidationError (credentials unreadable).
    """
    request = urllib.request.Request(
        _url(server, "me", {"fields": "username,displayName"}), headers=_headers(server)
    )
    with _open(server, request) as answer:
        try:
            me = json.loads(answer.read(CHUNK))
        except ValueError:
            raise Dhis2Error(_("The address answers, but not as a DHIS2 server.")) from None
    name = me.get("displayName") or me.get("username") or "?"
    return _("Signed in as %(name)s.") % {"name": str(name)[:100]}


def send(server: Dhis2Server, body: IO[bytes], length: int, *, dry_run: bool) -> dict[str, Any]:
    """POST a JSON data value set (`body`, `length` bytes, streamed) to `/api/dataValueSets`; the server's
    import summary.

    Raises: Dhis2Error (Dhis2Conflict with the summary when the server refused the values).
    """
    params = {"dryRun": str(dry_run).lower(), "importStrategy": "CREATE_AND_UPDATE", "async": "false"}
    headers = {**_headers(server), "Content-Type": "application/json", "Content-Length": str(length)}
    request = urllib.request.Request(
        _url(server, "dataValueSets", params), data=body, headers=headers, method="POST"
    )
    with _open(server, request) as answer:
        summary = _summary_of(answer.read(settings.DHIS2_IMPORT_MAX_BYTES).decode("utf-8", "replace"))
    if summary is None:
        raise Dhis2Error(_("The server did not answer with an import summary."))
    return summary


def fetch(server: Dhis2Server, params: dict[str, Any]) -> str:
    """GET `/api/dataValueSets.json` with `params` (dataSet, period, orgUnit, children...) into a temporary file;
    returns its path (the caller deletes it).

    Raises: Dhis2Error.
    """
    request = urllib.request.Request(_url(server, "dataValueSets.json", params), headers=_headers(server))
    with tempfile.NamedTemporaryFile(delete=False, suffix=".json") as target:
        size = 0
        try:
            with _open(server, request) as answer:
                while chunk := answer.read(CHUNK):
                    size += len(chunk)
                    if size > settings.DHIS2_IMPORT_MAX_BYTES:
                        raise Dhis2Error(
                            _("The server's answer is larger than this server accepts for DHIS2 imports.")
                        )
                    target.write(chunk)
        except Dhis2Error:
            os.unlink(target.name)
            raise
    return target.name
