from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from connector.freshbooks import RetryPolicy
from connector.freshbooks.retry import retry_after_seconds


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
