"""Group commit: concurrent deliveries share one store transaction, each answered only after it.

One transaction, and so one disk sync, per delivery held the receiver near 300 deliveries a
second. Here a delivery joins a queue; the first to find no commit running starts one, which takes
every event then waiting into a single ``record_many`` call and wakes each waiting request with
its own outcome. Deliveries that arrive meanwhile wait for the next commit, so batches grow with
the load and a lone delivery is committed at once, without waiting for company.
"""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool

from connector.store.events import WebhookEvent, WebhookEvents

# Bounds how long one transaction holds SQLite's write lock, and the work a failed batch repeats.
MAX_BATCH = 500

Waiting = tuple[WebhookEvent, "asyncio.Future[bool]"]


class GroupCommit:
    """Shared by every request of one app; lives on the event loop it is used from."""

    def __init__(self, events: WebhookEvents, *, max_batch: int = MAX_BATCH) -> None:
        self._events = events
        self._max_batch = max_batch
        self._waiting: list[Waiting] = []
        self._committer: asyncio.Task[None] | None = None

    async def record(self, event: WebhookEvent) -> bool:
        """Whether the event was new, once it is durably committed; its batch's StoreError if not.

        A request cancelled while it waits (the sender hung up) leaves its event in the batch:
        the event may be committed, and FreshBooks, never having seen a 200, sends it again.
        """
        outcome: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((event, outcome))
        if self._committer is None:
            self._committer = asyncio.create_task(self._commit_while_waiting())
        return await outcome

    async def _commit_while_waiting(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                await self._commit(batch)
        finally:
            self._committer = None

    async def _commit(self, batch: list[Waiting]) -> None:
        try:
            # Not abandoned on cancellation: the commit's outcome is known before anyone hears it.
            outcomes = await run_in_threadpool(self._events.record_many, [e for e, _ in batch])
        except asyncio.CancelledError:
            for _, outcome in batch:
                outcome.cancel()
            raise
        except Exception as error:
            # Nothing of a failed batch was kept, so every one of its requests is refused.
            for _, outcome in batch:
                if not outcome.done():
                    outcome.set_exception(error)
            return
        for (_, outcome), new in zip(batch, outcomes, strict=True):
            if not outcome.done():
                outcome.set_result(new)
