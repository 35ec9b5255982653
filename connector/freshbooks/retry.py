"""Retrying requests FreshBooks could not serve, without ever applying a write twice.

A GET can be repeated freely. A POST or PUT that reached the server and got no clear answer
may already have been applied (a payment recorded, an invoice emailed), so it is repeated only
when FreshBooks said "not now" (429) or the connection failed before anything was sent. The
retrying happens in an httpx transport so the API calls and the OAuth token calls share it.

Each 429 the transport waits through is reported to the policy's ``on_throttled`` hook: a
limiter of concurrent calls must hear of throttling when it happens, not only once the retries
are spent (the client lets any number of observers share the hook, see ``ThrottleObservers``).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Failures that happen before the request leaves this machine: safe to repeat even for a write.
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (httpx.ConnectError, httpx.ConnectTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter; ``sleep`` is injectable so tests need not wait."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: bool = True
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    on_throttled: Callable[[float], None] | None = field(default=None, repr=False, compare=False)
    """Called with the pause before each repeat of a request FreshBooks refused with 429 (its
    ``Retry-After``, else the backoff), on the requesting thread, before the pause begins."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryPolicy needs max_attempts >= 1 and non-negative delays")

    def backoff(self, attempt: int) -> float:
        """The pause after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(0, ceiling) if self.jitter else ceiling


def retry_after_seconds(response: httpx.Response, *, now: datetime | None = None) -> float | None:
    """The server's requested pause from ``Retry-After`` (seconds or an HTTP date), if any."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


ThrottleObserver = Callable[[float], None]
"""Hears of one 429 the transport is about to wait through, with the pause in seconds."""


class ThrottleObservers:
    """The observers of one client's throttling; the client's retry policy reports to ``report``.

    Observers come and go while requests run on other threads (a posting run subscribes its
    limiter for as long as it lasts), so ``report`` reads a snapshot and never blocks them.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._observers: tuple[ThrottleObserver, ...] = ()

    def subscribe(self, observer: ThrottleObserver) -> None:
        with self._lock:
            self._observers = (*self._observers, observer)

    def unsubscribe(self, observer: ThrottleObserver) -> None:
        with self._lock:
            remaining = list(self._observers)
            remaining.remove(observer)
            self._observers = tuple(remaining)

    @contextmanager
    def observed_by(self, observer: ThrottleObserver) -> Iterator[None]:
        """``observer`` hears of every 429 inside the block, and of none after it."""
        self.subscribe(observer)
        try:
            yield
        finally:
            self.unsubscribe(observer)

    def report(self, pause: float) -> None:
        for observer in self._observers:
            observer(pause)


class RetryingTransport(httpx.BaseTransport):
    """Repeats a request while the policy allows and repeating cannot apply a write twice.

    The last answer is returned as it is (a 429 or 5xx included) and the last network error
    is raised as it is: deciding what they mean for the caller is the client's job.
    """

    def __init__(self, inner: httpx.BaseTransport, policy: RetryPolicy) -> None:
        self.inner = inner
        self.policy = policy

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        safe = request.method in SAFE_METHODS
        attempt = 1
        while True:
            try:
                response = self.inner.handle_request(request)
                # Read here: a connection dropped mid-body is a network failure like any other.
                response.read()
            except httpx.TransportError as exc:
                repeatable = safe or isinstance(exc, NOT_SENT_ERRORS)
                if not repeatable or attempt >= self.policy.max_attempts:
                    raise
                self._pause(request, type(exc).__name__, self.policy.backoff(attempt), attempt)
                attempt += 1
                continue
            delay = self._delay_before_repeating(response, safe, attempt)
            if delay is None:
                return response
            if response.status_code == 429 and self.policy.on_throttled is not None:
                self.policy.on_throttled(delay)
            self._pause(request, f"HTTP {response.status_code}", delay, attempt)
            attempt += 1

    def _pause(self, request: httpx.Request, cause: str, delay: float, attempt: int) -> None:
        # The path only: a query string can hold hundreds of ids.
        log.warning(
            "FreshBooks %s %s failed (%s) on attempt %d of %d; retrying in %.1f s",
            request.method,
            request.url.path,
            cause,
            attempt,
            self.policy.max_attempts,
            delay,
        )
        self.policy.sleep(delay)

    def _delay_before_repeating(
        self, response: httpx.Response, safe: bool, attempt: int
    ) -> float | None:
        if attempt >= self.policy.max_attempts:
            return None
        if response.status_code == 429:
            requested = retry_after_seconds(response)
            if requested is None:
                return self.policy.backoff(attempt)
            # Never retry before the server allows, and never park a run longer than max_delay:
            # past that the caller gets RateLimited with retry_after and can reschedule.
            return requested if requested <= self.policy.max_delay else None
        if safe and response.status_code >= 500:
            return self.policy.backoff(attempt)
        return None

    def close(self) -> None:
        self.inner.close()
