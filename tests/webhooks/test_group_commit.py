"""Concurrent deliveries committed together: each answered after its own batch's commit.

A batch is recognisable in the store by its events' shared ``received_at``: one transaction
stamps all of them with one time.
"""

import asyncio

import httpx
from sqlalchemy import create_engine, text

from connector.freshbooks.signature import HEADER, signature
from connector.store import InvalidRecordError, Store, WebhookCallback, WebhookEvent
from connector.webhooks import create_app
from connector.webhooks.group_commit import GroupCommit
from tests.webhooks.conftest import EXAMPLE_VERIFIER, FORM, hook

INVOICE_EVENTS = ["invoice.update"]

# A consumer that has handled nothing: it sees every event the receiver buffered.
READER = "webhook-tests"


def _fields(object_id: str) -> list[tuple[str, str]]:
    return [("name", "invoice.update"), ("object_id", object_id), ("account_id", "xZNQ1X")]


def _event(callback: WebhookCallback, object_id: str, path_token: str | None = None):
    fields = tuple(_fields(object_id))
    token = path_token or callback.path_token
    return WebhookEvent(token, "xZNQ1X", "invoice.update", object_id, fields)


async def _deliver_together(
    app, deliveries: list[tuple[WebhookCallback, str]]
) -> list[httpx.Response]:
    """Posts every delivery at once through one client, as FreshBooks' parallel retries would."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as client:

        async def deliver(callback: WebhookCallback, object_id: str) -> httpx.Response:
            fields = _fields(object_id)
            body = "&".join(f"{name}={value}" for name, value in fields)
            headers = {**FORM, HEADER: signature(fields, EXAMPLE_VERIFIER)}
            return await client.post(hook(callback), content=body, headers=headers)

        return await asyncio.gather(*(deliver(cb, object_id) for cb, object_id in deliveries))


def _batches(store: Store) -> int:
    return len(
        {event.received_at for event in store.events.pending(READER, INVOICE_EVENTS, 10_000)}
    )


def test_many_concurrent_deliveries_are_all_committed_in_few_transactions(store: Store, callback):
    object_ids = [str(number) for number in range(200)]

    responses = asyncio.run(
        _deliver_together(create_app(store), [(callback, oid) for oid in object_ids])
    )

    assert [response.status_code for response in responses] == [200] * 200
    stored = store.events.pending(READER, INVOICE_EVENTS, 1000)
    assert sorted(event.object_id for event in stored) == sorted(object_ids)
    assert all(event.deliveries == 1 for event in stored)
    assert _batches(store) < 50


def test_repeats_within_one_batch_count_as_deliveries_of_one_event(store: Store, callback):
    deliveries = [(callback, "7")] * 5 + [(callback, "8")] * 2 + [(callback, "9")]

    responses = asyncio.run(_deliver_together(create_app(store), deliveries))

    assert [response.status_code for response in responses] == [200] * 8
    counted = {e.object_id: e.deliveries for e in store.events.pending(READER, INVOICE_EVENTS, 10)}
    assert counted == {"7": 5, "8": 2, "9": 1}


def test_each_waiting_event_learns_whether_it_was_new(store: Store, callback):
    commits = GroupCommit(store.events)

    async def record_together() -> list[bool]:
        ids = ["1", "2", "1", "3", "2"]
        return await asyncio.gather(*(commits.record(_event(callback, oid)) for oid in ids))

    assert asyncio.run(record_together()) == [True, True, False, True, False]
    assert _batches(store) == 1


def test_a_batch_never_exceeds_its_limit(store: Store, callback):
    commits = GroupCommit(store.events, max_batch=3)

    async def record_together() -> list[bool]:
        return await asyncio.gather(*(commits.record(_event(callback, str(n))) for n in range(7)))

    assert asyncio.run(record_together()) == [True] * 7
    assert _batches(store) == 3


def test_a_failed_batch_fails_every_one_of_its_events_and_keeps_none(store: Store, callback):
    commits = GroupCommit(store.events)

    async def record_together() -> list[bool | BaseException]:
        events = [_event(callback, "1"), _event(callback, "2", "gone"), _event(callback, "3")]
        failed = await asyncio.gather(
            *(commits.record(event) for event in events), return_exceptions=True
        )
        recovered = await commits.record(_event(callback, "4"))
        return [*failed, recovered]

    *failed, recovered = asyncio.run(record_together())

    assert all(isinstance(outcome, InvalidRecordError) for outcome in failed)
    assert recovered is True
    assert [event.object_id for event in store.events.pending(READER, INVOICE_EVENTS, 10)] == ["4"]


def test_a_delivery_whose_sender_hung_up_does_not_stop_the_others(store: Store, callback):
    commits = GroupCommit(store.events)

    async def abandon_one() -> bool:
        abandoned = asyncio.create_task(commits.record(_event(callback, "1")))
        kept = asyncio.create_task(commits.record(_event(callback, "2")))
        await asyncio.sleep(0)
        abandoned.cancel()
        return await kept

    assert asyncio.run(abandon_one()) is True
    # The abandoned event was already in the batch: kept, and harmless when FreshBooks resends it.
    stored = [event.object_id for event in store.events.pending(READER, INVOICE_EVENTS, 10)]
    assert stored == ["1", "2"]


def test_a_store_failure_answers_503_for_its_whole_batch_and_loses_no_acknowledged_event(
    store: Store, store_path: str, callback
):
    app = create_app(store)
    first = asyncio.run(_deliver_together(app, [(callback, str(n)) for n in range(10)]))
    assert [response.status_code for response in first] == [200] * 10
    # The database itself refuses one event, and with it the transaction of its batch.
    engine = create_engine(store_path)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON webhook_events "
                "WHEN NEW.object_id = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END"
            )
        )
    engine.dispose()

    doomed = [(callback, str(n)) for n in range(10, 20)] + [(callback, "poison")]
    second = asyncio.run(_deliver_together(app, doomed))

    assert [response.status_code for response in second] == [503] * 11
    assert {response.text for response in second} == {"state store unavailable, retry later"}
    stored = sorted(
        int(event.object_id) for event in store.events.pending(READER, INVOICE_EVENTS, 100)
    )
    assert stored == list(range(10))


def test_a_callback_is_read_afresh_until_it_is_verified(store: Store):
    app = create_app(store)
    pending = store.events.add_callback("invoice")
    assert asyncio.run(_deliver_together(app, [(pending, "1")]))[0].status_code == 401

    store.events.set_verifier(pending.path_token, EXAMPLE_VERIFIER, 2001)

    assert asyncio.run(_deliver_together(app, [(pending, "1")]))[0].status_code == 200


def test_concurrent_deliveries_are_committed_together_on_each_backend(store_url: str):
    with Store.open(store_url) as store:
        token = store.events.add_callback("invoice").path_token
        store.events.set_verifier(token, EXAMPLE_VERIFIER, 2001)
        callback = store.events.mark_verified(token)
        deliveries = [(callback, str(number)) for number in range(50)] + [(callback, "0")] * 3

        responses = asyncio.run(_deliver_together(create_app(store), deliveries))

        assert [response.status_code for response in responses] == [200] * 53
        counted = {
            e.object_id: e.deliveries for e in store.events.pending(READER, INVOICE_EVENTS, 100)
        }
        assert counted == {str(number): 4 if number == 0 else 1 for number in range(50)}
        assert _batches(store) < 53
