"""Choices the FreshBooks documentation leaves open, with the defaults its section 8 picks.

Tests change these on a running sandbox (``sb.state.behaviour.access_token_ttl = 0``) to force
expiry or a different answer to refresh-token reuse without restarting anything.
"""

from __future__ import annotations

from dataclasses import dataclass


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
