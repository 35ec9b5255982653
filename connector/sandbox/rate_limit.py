"""Rate limiting: a token bucket per access token, answering 429 with ``Retry-After``.

FreshBooks publishes no limit (freshbooks-api.md section 3, "Rate limits"), so the numbers are
``Behaviour`` settings (checked as they are set) and the limiter is off until
``rate_limit_per_second`` is set. Limits
are kept per bearer token, because an app's calls are throttled per authorisation and two
connections must not slow each other; requests without a bearer token (the OAuth token
endpoint) share one bucket. Settings are read on every request, so a test can switch the
limit on, off or change it on a running sandbox; a change starts every bucket afresh, full.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from connector.sandbox.behaviour import Behaviour, check_burst, check_rate
from connector.sandbox.errors import AccountingError


@dataclass(frozen=True)
class RateLimit:
    per_second: float
    burst: int

    def __post_init__(self) -> None:
        check_rate(self.per_second)
        check_burst(self.burst)

    @classmethod
    def of(cls, behaviour: Behaviour) -> RateLimit | None:
        if behaviour.rate_limit_per_second is None:
            return None
        return cls(behaviour.rate_limit_per_second, behaviour.rate_limit_burst)


@dataclass
class _Bucket:
    tokens: float
    refilled_at: float


class TokenBuckets:
    """One bucket per key, refilled continuously at ``per_second`` up to ``burst`` tokens.

    Used from the server's event loop only, so it needs no lock.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._limit: RateLimit | None = None
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str, limit: RateLimit) -> float | None:
        """Spend a token for ``key``: None if one was there, else the seconds until one is."""
        if limit != self._limit:
            self._limit, self._buckets = limit, {}
        now = self._clock()
        bucket = self._buckets.setdefault(key, _Bucket(float(limit.burst), now))
        elapsed = now - bucket.refilled_at
        bucket.tokens = min(float(limit.burst), bucket.tokens + elapsed * limit.per_second)
        bucket.refilled_at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return (1 - bucket.tokens) / limit.per_second


class RateLimiting:
    """ASGI wrapper refusing requests over the limit before the API sees them."""

    def __init__(self, app: ASGIApp, behaviour: Behaviour, buckets: TokenBuckets | None = None):
        self.app = app
        self.behaviour = behaviour
        self.buckets = buckets or TokenBuckets()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = RateLimit.of(self.behaviour) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        wait = self.buckets.take(headers.get("authorization", ""), limit)
        if wait is None:
            await self.app(scope, receive, send)
            return
        # Retry-After takes whole seconds; rounding up never invites an early retry.
        retry_after = max(1, math.ceil(wait))
        refusal = AccountingError(
            429,
            429,
            f"Too many requests: this token may make {limit.per_second:g} requests a second "
            f"(bursts of {limit.burst}); retry after {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )
        await refusal.response(headers)(scope, receive, send)
