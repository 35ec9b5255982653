"""Rate limiting: a token bucket per access token, 429 with Retry-After, logged like any answer."""

from __future__ import annotations

import httpx
import pytest

from connector.errors import ConfigurationError
from connector.sandbox import Sandbox
from connector.sandbox.behaviour import Behaviour, RateLimitSettingError
from connector.sandbox.oauth_routes import DEFAULT_SCOPE
from connector.sandbox.rate_limit import RateLimit, TokenBuckets
from tests.sandbox.envelopes import errors_of

# Slow enough that no bucket refills while a test runs: refusals never depend on timing.
TRICKLE = 0.01


def limit(sandbox: Sandbox, per_second: float | None, burst: int = 2) -> None:
    sandbox.state.behaviour.rate_limit_per_second = per_second
    sandbox.state.behaviour.rate_limit_burst = burst


def spend_the_burst(sandbox: Sandbox, api: httpx.Client, path: str) -> None:
    """Limit to one request at a time and spend it: the token's next request is refused."""
    limit(sandbox, TRICKLE, burst=1)
    assert api.get(path).status_code == 200


def test_off_by_default(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    assert sandbox.state.behaviour.rate_limit_per_second is None
    statuses = {api.get(f"{accounting}/users/clients").status_code for _ in range(12)}
    assert statuses == {200}


def test_over_the_burst_is_429_with_retry_after(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    limit(sandbox, TRICKLE, burst=2)
    path = f"{accounting}/invoices/invoices"
    assert [api.get(path).status_code for _ in range(2)] == [200, 200]
    refused = api.get(path)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "100"
    (error,) = errors_of(refused)
    assert error["errno"] == 429
    assert "retry after 100 s" in error["message"]


def test_refused_requests_show_in_the_request_log(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    limit(sandbox, TRICKLE, burst=1)
    for _ in range(3):
        api.get(f"{accounting}/users/clients")
    statuses = [e.status for e in sandbox.requests.entries(path_regex="/users/clients$")]
    assert statuses == [200, 429, 429]


def test_writes_are_limited_too_and_not_applied(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    spend_the_burst(sandbox, api, f"{accounting}/users/clients")
    before = len(sandbox.state.clients)
    refused = api.post(f"{accounting}/users/clients", json={"client": {"fname": "Ada"}})
    assert refused.status_code == 429
    assert len(sandbox.state.clients) == before


def test_each_access_token_has_its_own_bucket(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    limit(sandbox, TRICKLE, burst=1)
    path = f"{accounting}/users/clients"
    assert api.get(path).status_code == 200
    assert api.get(path).status_code == 429
    other = sandbox.state.tokens.issue(DEFAULT_SCOPE).access_token
    with httpx.Client(
        base_url=sandbox.info.api_url, headers={"Authorization": f"Bearer {other}"}
    ) as second:
        assert second.get(path).status_code == 200
        assert second.get(path).status_code == 429


def test_requests_without_a_token_share_one_bucket(sandbox: Sandbox, accounting: str) -> None:
    limit(sandbox, TRICKLE, burst=1)
    with httpx.Client(base_url=sandbox.info.api_url) as anonymous:
        assert anonymous.get(f"{accounting}/users/clients").status_code == 401
        assert anonymous.post("/auth/oauth/token", data={}).status_code == 429


def test_newer_envelope_when_the_request_names_an_api_version(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    spend_the_burst(sandbox, api, f"{accounting}/users/clients")
    refused = api.get(f"{accounting}/users/clients", headers={"X-API-VERSION": "2023-09-25"})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "100"
    body = refused.json()
    assert body["code"] == 8
    assert body["details"][0]["reason"] == "429"


def test_changing_the_settings_starts_afresh(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    path = f"{accounting}/users/clients"
    spend_the_burst(sandbox, api, path)
    assert api.get(path).status_code == 429
    limit(sandbox, None)
    assert api.get(path).status_code == 200
    limit(sandbox, TRICKLE, burst=2)
    assert [api.get(path).status_code for _ in range(3)] == [200, 200, 429]


def test_a_refused_request_spends_no_fault_rule(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    path = f"{accounting}/users/clients"
    spend_the_burst(sandbox, api, path)
    sandbox.faults.add(method="GET", path_regex="/users/clients$", status=503, times=1)
    assert api.get(path).status_code == 429
    limit(sandbox, None)
    assert api.get(path).status_code == 503
    assert api.get(path).status_code == 200


@pytest.mark.parametrize(("per_second", "burst"), [(0, 1), (-1.0, 5), (1.0, 0)])
def test_settings_that_let_nothing_through_are_refused(per_second: float, burst: int) -> None:
    with pytest.raises(RateLimitSettingError) as caught:
        RateLimit(per_second, burst)
    assert isinstance(caught.value, ConfigurationError)
    assert "rate_limit_per_second" in str(caught.value)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("rate_limit_per_second", 0),
        ("rate_limit_per_second", -2.5),
        ("rate_limit_per_second", float("nan")),
        ("rate_limit_per_second", "10"),
        ("rate_limit_per_second", True),
        ("rate_limit_burst", 0),
        ("rate_limit_burst", -1),
        ("rate_limit_burst", 2.5),
        ("rate_limit_burst", None),
    ],
)
def test_a_bad_setting_is_refused_when_assigned_and_the_sandbox_keeps_serving(
    sandbox: Sandbox, api: httpx.Client, accounting: str, setting: str, value: object
) -> None:
    behaviour = sandbox.state.behaviour
    limit(sandbox, TRICKLE, burst=3)
    with pytest.raises(RateLimitSettingError) as caught:
        setattr(behaviour, setting, value)
    assert setting in str(caught.value)
    assert (behaviour.rate_limit_per_second, behaviour.rate_limit_burst) == (TRICKLE, 3)
    assert api.get(f"{accounting}/users/clients").status_code == 200


@pytest.mark.parametrize(
    "settings",
    [{"rate_limit_per_second": 0}, {"rate_limit_burst": 0}],
    ids=["rate", "burst"],
)
def test_a_bad_setting_is_refused_at_construction(settings: dict[str, float]) -> None:
    with pytest.raises(RateLimitSettingError):
        Behaviour(**settings)


def test_switching_the_limit_off_is_a_good_setting() -> None:
    behaviour = Behaviour(rate_limit_per_second=2, rate_limit_burst=1)
    behaviour.rate_limit_per_second = None
    assert RateLimit.of(behaviour) is None


def test_limit_is_read_from_the_behaviour() -> None:
    assert RateLimit.of(Behaviour()) is None
    behaviour = Behaviour(rate_limit_per_second=4, rate_limit_burst=8)
    assert RateLimit.of(behaviour) == RateLimit(4, 8)


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_refills_at_the_rate_up_to_the_burst() -> None:
    clock = ManualClock()
    buckets = TokenBuckets(clock)
    rule = RateLimit(per_second=2, burst=3)
    assert [buckets.take("t", rule) for _ in range(3)] == [None, None, None]
    assert buckets.take("t", rule) == pytest.approx(0.5)
    clock.now += 0.5
    assert buckets.take("t", rule) is None
    assert buckets.take("t", rule) == pytest.approx(0.5)
    clock.now += 60
    assert [buckets.take("t", rule) for _ in range(4)][-1] == pytest.approx(0.5)


def test_bucket_wait_shrinks_as_it_refills() -> None:
    clock = ManualClock()
    buckets = TokenBuckets(clock)
    rule = RateLimit(per_second=0.5, burst=1)
    assert buckets.take("t", rule) is None
    assert buckets.take("t", rule) == pytest.approx(2.0)
    clock.now += 1.5
    assert buckets.take("t", rule) == pytest.approx(0.5)
    assert buckets.take("other", rule) is None
