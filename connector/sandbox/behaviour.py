"""Choices the FreshBooks documentation leaves open, with the defaults its section 8 picks.

Tests change these on a running sandbox (``sb.state.behaviour.access_token_ttl = 0``) to force
expiry or a different answer to refresh-token reuse without restarting anything. The rate
limit settings are checked when assigned: the middleware reads them on the next request, where
an impossible value could only surface as a 500 far from the line that set it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connector.errors import ConfigurationError


class RateLimitSettingError(ConfigurationError):
    """A rate limit setting that could never let a request through."""


def check_rate(per_second: object) -> None:
    """A rate is a number of requests a second, greater than zero."""
    if (
        isinstance(per_second, bool)
        or not isinstance(per_second, int | float)
        or not per_second > 0
    ):
        raise RateLimitSettingError(
            f"rate_limit_per_second={per_second!r} lets no request through",
            hint="set rate_limit_per_second to a number of requests a second greater than 0, "
            "or to None to switch limiting off",
        )


def check_burst(burst: object) -> None:
    """A burst is a whole number of requests a token may make at once, at least one."""
    if not isinstance(burst, int) or isinstance(burst, bool) or burst < 1:
        raise RateLimitSettingError(
            f"rate_limit_burst={burst!r} lets no request through",
            hint="set rate_limit_burst to a whole number of at least 1, "
            "or rate_limit_per_second to None to switch limiting off",
        )


def _check_optional_rate(per_second: object) -> None:
    if per_second is not None:
        check_rate(per_second)


_CHECKED_SETTINGS: dict[str, Callable[[Any], None]] = {
    "rate_limit_per_second": _check_optional_rate,
    "rate_limit_burst": check_burst,
}


@dataclass
class Behaviour:
    access_token_ttl: int = 43200
    """``expires_in`` of new access tokens, seconds; 0 makes every new token already expired."""

    authorization_code_ttl: int = 300
    """FreshBooks' authorization codes expire after five minutes."""

    revoke_access_token_on_refresh: bool = False
    """Undocumented upstream; by default the old access token lives on until it expires."""

    refresh_reuse_status: int = 400
    refresh_reuse_error: str = "invalid_grant"
    """How a reused (already rotated) refresh token is refused."""

    default_per_page: int = 15
    max_per_page: int = 100

    webhook_attempts: int = 3
    """Tries per webhook delivery (section 8: three, exponential); a 2xx ends them early."""

    webhook_backoff_seconds: float = 1.0
    """The pause after the first failed try; it doubles after each further one."""

    webhook_timeout_seconds: float = 10.0
    """How long a receiver may take to answer one try before it counts as failed."""

    webhook_concurrency: int = 16
    """Deliveries in flight at once, over all callbacks."""

    rate_limit_per_second: float | None = None
    """Requests a second each access token may make; None (the default) means no limit."""

    rate_limit_burst: int = 5
    """Requests a token may make at once before the per-second rate applies."""

    def __setattr__(self, name: str, value: Any) -> None:
        check = _CHECKED_SETTINGS.get(name)
        if check is not None:
            check(value)
        super().__setattr__(name, value)
