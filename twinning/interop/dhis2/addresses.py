"""Which addresses a DHIS2 server may have: the address a programme editor types is fetched by this server, so
without a check it could reach what only this server can (its own loopback services, the cloud's metadata
service at 169.254.169.254, machines of the private network): server-side request forgery.

Every address the host name resolves to is checked, when the server is saved and again on every connection
(a name can resolve elsewhere by then); the connection goes to the address that was checked. Loopback, private
and shared (carrier-grade NAT) addresses are allowed only with the setting DHIS2_ALLOW_PRIVATE_ADDRESSES (a
ministry's in-house DHIS2 on its own network; the tests' stand-in server on 127.0.0.1); link-local (the metadata
service), multicast, reserved and unspecified addresses never are.
"""

import http.client
import ipaddress
import socket
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddress(OSError):
    """The host resolves to an address this server must not connect to (its message says which and why)."""


def refusal(address: Address) -> str | None:
    """Why `address` may not be connected to, or None when it may.

    Raises: nothing.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_link_local or address.is_multicast or address.is_unspecified or address.is_reserved:
        return _("%(address)s is a link-local, multicast or reserved address.") % {"address": address}
    if address.is_global:
        return None
    if settings.DHIS2_ALLOW_PRIVATE_ADDRESSES and (
        address.is_private or address.is_loopback or address in _SHARED
    ):
        return None
    return _(
        "%(address)s is a loopback or private network address; an administrator may allow those for a DHIS2 "
        "on the organisation's own network (DHIS2_ALLOW_PRIVATE_ADDRESSES)."
    ) % {"address": address}


_SHARED = ipaddress.ip_network("100.64.0.0/10")


def resolve(host: str, port: int) -> list[tuple[Any, ...]]:
    """getaddrinfo's TCP answers for `host`, every one of them checked.

    Raises: BlockedAddress (any address refused), OSError (the name does not resolve).
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for info in infos:
        reason = refusal(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))
        if reason:
            raise BlockedAddress(_("The server's address cannot be used: %(reason)s") % {"reason": reason})
    return infos


def check_url(url: str) -> None:
    """Refuse a server address whose host resolves to any address `refusal` refuses. A name that does not
    resolve now is accepted (it is checked again on every connection).

    Raises: ValidationError (on the field "base_url").
    """
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return
    try:
        resolve(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except BlockedAddress as exc:
        raise ValidationError({"base_url": str(exc)}) from None
    except (OSError, UnicodeError, ValueError):
        return


_DEFAULT_TIMEOUT: Any = getattr(socket, "_GLOBAL_DEFAULT_TIMEOUT", None)


def _guarded_connection(
    address: tuple[str, int], timeout: Any = _DEFAULT_TIMEOUT, source_address: Any = None
) -> socket.socket:
    """socket.create_connection to an address of `address`'s host that `resolve` checked."""
    host, port = address
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in resolve(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not _DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(_("The name resolves to no address."))


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection


class GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_GuardedHTTPConnection, req)


class GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]
