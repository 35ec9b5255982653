"""Clients for the sandbox tests: an authorized httpx client and the accounting path prefix."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from connector.sandbox import Sandbox
from connector.sandbox.purchases import PurchasesState


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """httpx bound to the sandbox with the start-up access token."""
    headers = {"Authorization": f"Bearer {sandbox.info.access_token}"}
    with httpx.Client(base_url=sandbox.info.api_url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture
def accounting(sandbox: Sandbox) -> str:
    return f"/accounting/account/{sandbox.info.account_id}"


@pytest.fixture
def purchases(sandbox: Sandbox) -> PurchasesState:
    return sandbox.state.purchases
