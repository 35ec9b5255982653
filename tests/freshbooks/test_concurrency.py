"""The adaptive limiter on its own: AIMD, one halving per window, and the 429s it is told of."""

from __future__ import annotations

import pytest

from connector.errors import ConfigurationError
from connector.freshbooks.concurrency import AdaptiveLimiter, LimiterSettingsError
from connector.freshbooks.errors import RateLimited


class Clock:
    """A clock the test moves: pauses are checked against it, never waited for."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refusal(retry_after: float | None = 0.0) -> RateLimited:
    return RateLimited(
        status=429, method="POST", path="/payments", message="slow down", retry_after=retry_after
    )


@pytest.mark.parametrize(
    "settings",
    [
        {"maximum": 0},
        {"initial": 0.5},
        {"initial": 5, "maximum": 4},
        {"max_throttles": 0},
    ],
    ids=["no-maximum", "initial-below-one", "initial-above-maximum", "no-throttles"],
)
def test_settings_that_leave_no_room_for_a_call_are_refused(settings):
    with pytest.raises(LimiterSettingsError) as caught:
        AdaptiveLimiter(**settings)
    assert isinstance(caught.value, ConfigurationError)
    assert "leave no room for a call" in str(caught.value)


def test_successes_widen_the_window_up_to_the_maximum():
    limiter = AdaptiveLimiter(initial=2, maximum=4)

    assert limiter.run(lambda: "done") == "done"
    assert limiter.window == pytest.approx(2.5)
    for _ in range(100):
        limiter.run(lambda: None)
    assert limiter.window == 4


def test_after_a_refusal_near_one_call_the_window_creeps_back_instead_of_jumping():
    limiter = AdaptiveLimiter(initial=2, clock=Clock())
    limiter.throttled(0.0)

    for _ in range(20):
        limiter.run(lambda: None)

    # One answer at a window of 1 would add a whole call and go straight back to the two
    # calls FreshBooks refused; twenty answers still keep a single call in flight.
    assert 1 < limiter.window < 2


def test_once_past_the_refused_window_the_window_grows_fast_again():
    limiter = AdaptiveLimiter(initial=4, clock=Clock())
    limiter.throttled(0.0)
    answers_to_get_back = 0
    while limiter.window < 4:
        limiter.run(lambda: None)
        answers_to_get_back += 1

    for _ in range(20):
        limiter.run(lambda: None)

    assert answers_to_get_back > 100, "the last call before the refused window is probed slowly"
    assert limiter.window > 6


def test_a_429_the_transport_waits_through_halves_the_window_once_and_the_call_completes():
    clock = Clock()
    limiter = AdaptiveLimiter(initial=8, maximum=16, clock=clock)

    def call_refused_twice_then_served() -> str:
        # What the retrying transport does: report each 429 on the calling thread, then repeat.
        limiter.throttled(2.0)
        limiter.throttled(2.0)
        return "served"

    assert limiter.run(call_refused_twice_then_served) == "served"
    assert limiter.throttles == 2
    # Halved once (both refusals belong to the same window), then widened by the success.
    assert limiter.window == pytest.approx(4 + 1 / 4)


def test_a_new_call_s_429_after_the_halving_halves_again():
    clock = Clock()
    limiter = AdaptiveLimiter(initial=8, clock=clock)
    limiter.run(lambda: limiter.throttled(0.0))
    clock.now += 1

    limiter.run(lambda: limiter.throttled(0.0))

    assert limiter.throttles == 2
    assert limiter.window < 3


def test_a_429_reported_and_then_raised_by_the_same_call_halves_once():
    clock = Clock()
    limiter = AdaptiveLimiter(initial=8, clock=clock)
    attempts = []

    def call() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            limiter.throttled(0.0)
            raise refusal(0.0)
        return "served"

    assert limiter.run(call) == "served"
    assert limiter.throttles == 2 and len(attempts) == 2
    assert limiter.window == pytest.approx(4 + 1 / 4)


def test_a_429_reported_outside_any_call_counts_against_the_current_window():
    limiter = AdaptiveLimiter(initial=8, clock=Clock())

    limiter.throttled(0.0)
    limiter.throttled(0.0)

    assert limiter.throttles == 2 and limiter.window == 2


def test_a_call_refused_max_throttles_times_raises_the_last_refusal():
    limiter = AdaptiveLimiter(initial=4, max_throttles=3, clock=Clock())
    attempts = []

    def always_refused() -> None:
        attempts.append(1)
        raise refusal(0.0)

    with pytest.raises(RateLimited):
        limiter.run(always_refused)
    assert len(attempts) == 3 and limiter.throttles == 3
    assert limiter.run(lambda: "the slot was given back") == "the slot was given back"


def test_another_failure_is_the_caller_s_and_frees_the_slot():
    limiter = AdaptiveLimiter(initial=1, maximum=1)

    def broken() -> None:
        raise KeyError("not a throttle")

    with pytest.raises(KeyError):
        limiter.run(broken)
    assert limiter.throttles == 0
    assert limiter.run(lambda: "next") == "next"
