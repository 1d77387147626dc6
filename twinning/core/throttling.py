"""API rate limits, on ninja's throttling classes, with rates read from settings.API_THROTTLE_RATES on every
request (so a deployment's environment and the tests can change them) and state in the shared cache (so the
limits hold across web processes).

- `AddressThrottle`: every call per client address (REMOTE_ADDR, or X-Forwarded-For behind NUM_PROXIES).
- `TokenThrottle`: every call per credential (the bearer token, else the signed-in session's user).
- `FailedTokenThrottle`: failed token sign-ins per address, checked before a token is looked up.
"""

import hashlib
import time

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES[self.scope or ""]

    def _refresh_rate(self) -> None:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def _key(self, ident: str | None) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class _CountingThrottle(_SettingsRateThrottle):
    def allow_request(self, request: HttpRequest) -> bool:
        """A fixed-window counter: one increment of one small number in the shared cache per call, whatever the
        rate. (ninja's own keeps the time of every call in the window as a list, read and rewritten on every
        call: at 1,200 calls a minute a 10 kB value written on each one.) A burst across a window's edge may
        pass up to twice the rate for a moment; the limit over any two windows holds.
        """
        self._refresh_rate()
        self.key = self.get_cache_key(request)
        if self.key is None or self.num_requests is None or not self.duration:
            return True
        self.now = time.time()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        try:
            count = self.cache.incr(key)
        except ValueError:  # the window's first call
            count = 1 if self.cache.add(key, 1, self.duration + 1) else self.cache.incr(key)
        return count <= self.num_requests

    def wait(self) -> float:
        return max(1.0, self.window_ends - self.now)


class AddressThrottle(_CountingThrottle):
    scope = "address"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return self._key(self.get_ident(request))


class TokenThrottle(_CountingThrottle):
    scope = "token"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        header = request.headers.get("Authorization", "")
        if header:
            # Never the token itself in a cache key: a hash names it as well.
            return self._key("t" + hashlib.sha256(header.encode()).hexdigest())
        user = getattr(request, "auth", None) or getattr(request, "user", None)
        return self._key(f"u{user.pk}" if user is not None and user.pk else self.get_ident(request))


class FailedTokenThrottle(_SettingsRateThrottle):
    """Counts only failures: `exhausted` before looking a token up, `record_failure` when it matched none."""

    scope = "failed_token"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        return self._key(self.get_ident(request))

    def exhausted(self, request: HttpRequest) -> bool:
        self._refresh_rate()
        self.key = self.get_cache_key(request)
        self.now = time.time()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - (self.duration or 0)]
        return self.num_requests is not None and len(self.history) >= self.num_requests

    def record_failure(self) -> None:
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
