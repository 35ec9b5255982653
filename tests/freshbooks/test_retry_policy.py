from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from connector.freshbooks import FreshBooksClient, MemoryTokenStore, RetryPolicy
from connector.freshbooks.errors import RateLimited
from connector.freshbooks.retry import retry_after_seconds
from tests.freshbooks.conftest import sandbox_config, sandbox_token


def test_backoff_doubles_up_to_the_ceiling_without_jitter():
    policy = RetryPolicy(base_delay=0.5, max_delay=3, jitter=False)
    assert [policy.backoff(attempt) for attempt in range(1, 6)] == [0.5, 1.0, 2.0, 3, 3]


def test_full_jitter_stays_between_zero_and_the_ceiling():
    policy = RetryPolicy(base_delay=1, max_delay=30, jitter=True)
    delays = [policy.backoff(4) for _ in range(200)]
    assert all(0 <= delay <= 8 for delay in delays)
    assert len(set(delays)) > 1


@pytest.mark.parametrize("kwargs", [{"max_attempts": 0}, {"base_delay": -1}, {"max_delay": -0.1}])
def test_policy_refuses_nonsense(kwargs):
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


def response_with(retry_after):
    return httpx.Response(429, headers={"Retry-After": retry_after})


def test_retry_after_in_seconds():
    assert retry_after_seconds(response_with("7")) == 7.0
    assert retry_after_seconds(response_with("-3")) == 0.0


def test_retry_after_as_http_date():
    now = datetime(2024, 5, 10, 12, 0, 0, tzinfo=UTC)
    later = datetime(2024, 5, 10, 12, 0, 45, tzinfo=UTC)
    header = format_datetime(later, usegmt=True)
    assert retry_after_seconds(response_with(header), now=now) == 45.0
    earlier = format_datetime(datetime(2024, 5, 10, 11, 0, tzinfo=UTC), usegmt=True)
    assert retry_after_seconds(response_with(earlier), now=now) == 0.0


def test_retry_after_absent_or_unreadable():
    assert retry_after_seconds(httpx.Response(429)) is None
    assert retry_after_seconds(response_with("soon")) is None


# -- throttling reported while the transport waits: a client on the sandbox over real HTTP ----

IDENTITY = "/users/me"


def throttle(sandbox, retry_after=2, times=1):
    sandbox.faults.add(
        method="GET", path_regex=IDENTITY, status=429, retry_after=retry_after, times=times
    )


def test_each_429_waited_through_reaches_the_observers_with_its_pause(client, sandbox, sleeps):
    heard = []
    throttle(sandbox, retry_after=2, times=2)

    with client.throttling.observed_by(heard.append):
        assert client.identity()

    assert heard == [2.0, 2.0] and sleeps == [2.0, 2.0]


def test_a_429_without_retry_after_is_reported_with_the_backoff(client, sandbox, sleeps):
    heard = []
    throttle(sandbox, retry_after=None)

    with client.throttling.observed_by(heard.append):
        client.identity()

    assert heard == sleeps == [0.5]


def test_a_429_not_waited_for_is_raised_not_reported(client, sandbox, sleeps):
    heard = []
    throttle(sandbox, retry_after=600)

    with client.throttling.observed_by(heard.append), pytest.raises(RateLimited):
        client.identity()

    assert heard == [] and sleeps == []


def test_the_429_that_exhausts_the_attempts_is_raised_the_others_reported(client, sandbox):
    heard = []
    throttle(sandbox, retry_after=1, times=None)

    with client.throttling.observed_by(heard.append), pytest.raises(RateLimited):
        client.identity()

    assert heard == [1.0, 1.0, 1.0], "four attempts: three waited through, the last raised"


def test_other_failures_are_not_throttling(client, sandbox, sleeps):
    heard = []
    sandbox.faults.add(method="GET", path_regex=IDENTITY, status=503)

    with client.throttling.observed_by(heard.append):
        client.identity()

    assert heard == [] and sleeps == [0.5]


def test_an_observer_hears_nothing_once_its_block_ends(client, sandbox):
    heard = []
    with client.throttling.observed_by(heard.append):
        pass
    throttle(sandbox)

    client.identity()

    assert heard == []


def test_the_policy_s_own_hook_still_hears_and_clients_on_one_policy_hear_only_their_own(
    sandbox,
):
    by_policy, by_first = [], []
    policy = RetryPolicy(jitter=False, sleep=lambda _: None, on_throttled=by_policy.append)
    config, token = sandbox_config(sandbox.info), sandbox_token(sandbox.info)
    with (
        FreshBooksClient(config, MemoryTokenStore(token), retry=policy) as first,
        FreshBooksClient(config, MemoryTokenStore(token), retry=policy) as second,
        first.throttling.observed_by(by_first.append),
    ):
        throttle(sandbox, retry_after=3)
        second.identity()

    assert by_policy == [3.0] and by_first == []
