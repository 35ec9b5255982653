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
