"""Adaptive concurrency: as many FreshBooks calls in flight as the API allows, and no more.

FreshBooks publishes no rate limit (freshbooks-api.md section 8), so the limit is learned the way
TCP learns a window (AIMD): every answer that comes back fine widens the window by 1/window, about
one more call per round trip; a 429 halves it, once per window however many calls in flight are
refused together, and holds every new call until ``Retry-After`` has passed. A 429 means the
request was not applied, so the limiter sends it again itself; any other failure is the caller's.

Most 429s never reach the limiter as an error: the client's retrying transport waits through
them and sends again. So the limiter also listens to the client (``throttled``, subscribed to
``FreshBooksClient.throttling``) and shrinks the window when the 429 happens, while the refused
call keeps its place and the transport repeats it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from connector.errors import ConfigurationError
from connector.freshbooks.errors import RateLimited

T = TypeVar("T")

DEFAULT_PAUSE_SECONDS = 1.0
"""How long to hold calls after a 429 that names no Retry-After."""
PROBE_SLOWDOWN = 0.02
"""How much slower the window grows within a call of the size FreshBooks last refused. Posting
200 rows to a sandbox allowing 20 calls a second (50 ms each): at 0.1 it was refused 12 times
(a second of idle each), 21 s; at 0.02, 4 times, 15.7 s."""


class LimiterSettingsError(ConfigurationError):
    """Limits that leave no room for a call, or start outside their own bounds."""


class AdaptiveLimiter:
    """Gates calls from many threads; share one per FreshBooks connection and run."""

    def __init__(
        self,
        *,
        initial: float = 2.0,
        maximum: int = 16,
        max_throttles: int = 8,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``maximum`` caps the window (size the thread pool to it); a call refused with 429
        ``max_throttles`` times in a row raises the last RateLimited."""
        if maximum < 1 or not 1 <= initial <= maximum or max_throttles < 1:
            raise LimiterSettingsError(
                f"limiter settings initial={initial}, maximum={maximum}, "
                f"max_throttles={max_throttles} leave no room for a call",
                hint="use 1 <= initial <= maximum and max_throttles >= 1",
            )
        self.maximum = maximum
        self.max_throttles = max_throttles
        self._clock = clock
        self._window = float(initial)
        self._in_flight = 0
        self._resume_at = 0.0
        self._epoch = 0
        self._throttles = 0
        self._ceiling = math.inf  # no refusal yet
        self._ready = threading.Condition()
        # The epoch of the call this thread is running, for the 429s the transport reports.
        self._running = threading.local()

    @property
    def window(self) -> float:
        """The current number of calls allowed in flight (its floor, at least 1)."""
        with self._ready:
            return self._window

    @property
    def throttles(self) -> int:
        """How many 429s the limiter has seen: a benchmark reports it beside the wall time."""
        with self._ready:
            return self._throttles

    def run(self, call: Callable[[], T]) -> T:
        """Run ``call`` when the window has room; repeat it after each 429, as allowed."""
        refused = 0
        while True:
            epoch = self._acquire()
            try:
                result = self._in_epoch(epoch, call)
            except RateLimited as limited:
                refused += 1
                with self._ready:  # freed and throttled at once: no call slips in between
                    self._in_flight -= 1
                    self._throttled(epoch, limited.retry_after)
                if refused >= self.max_throttles:
                    raise
                continue
            except BaseException:
                self._release()
                raise
            self._succeeded()
            return result

    def throttled(self, pause: float) -> None:
        """A 429 the transport is waiting ``pause`` seconds through before sending again.

        Counts like a refused call (once per window, and every new call waits out the pause)
        but the call keeps its place in the window. From a thread not inside ``run`` (a look-up
        made outside the pool) it counts against the current window.
        """
        epoch = getattr(self._running, "epoch", None)
        with self._ready:
            self._throttled(self._epoch if epoch is None else epoch, pause)

    def _in_epoch(self, epoch: int, call: Callable[[], T]) -> T:
        self._running.epoch = epoch
        try:
            return call()
        finally:
            self._running.epoch = None

    def _acquire(self) -> int:
        with self._ready:
            while True:
                wait = self._resume_at - self._clock()
                if wait <= 0 and self._in_flight < max(1, int(self._window)):
                    self._in_flight += 1
                    return self._epoch
                self._ready.wait(timeout=wait if wait > 0 else None)

    def _release(self) -> None:
        with self._ready:
            self._in_flight -= 1
            self._ready.notify_all()

    def _succeeded(self) -> None:
        with self._ready:
            self._in_flight -= 1
            self._window = min(float(self.maximum), self._grown())
            self._ready.notify_all()

    def _grown(self) -> float:
        """The window after one more answer came back fine (call with the lock held).

        Below the window last refused, less one call, it grows by a call per round trip, but
        never past that point in one step: near a window of 1 a single answer would otherwise
        add a whole call and send straight back into the refusal. From there it probes slowly,
        since a refusal costs a whole Retry-After of idle time. Once past the refused window
        without a refusal, that refusal no longer says anything and growth is fast again.
        """
        if self._window >= self._ceiling:
            self._ceiling = math.inf
        fast_until = self._ceiling - 1
        if self._window < fast_until:
            return min(fast_until, self._window + 1 / self._window)
        return self._window + PROBE_SLOWDOWN / self._window

    def _throttled(self, epoch: int, retry_after: float | None) -> None:
        with self._ready:
            self._throttles += 1
            if epoch == self._epoch:
                # The first refusal of this window halves it; the calls that were in flight
                # beside it were sent under the old window and say nothing new.
                self._ceiling = self._window
                self._window = max(1.0, self._window / 2)
                self._epoch += 1
            pause = DEFAULT_PAUSE_SECONDS if retry_after is None else retry_after
            self._resume_at = max(self._resume_at, self._clock() + pause)
            self._ready.notify_all()
