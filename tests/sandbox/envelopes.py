"""Assertions on FreshBooks' response envelopes shared by the sandbox tests."""

from __future__ import annotations

from typing import Any

import httpx


def result(response: httpx.Response) -> dict:
    """The ``response.result`` of a 200 answer; fails the test, showing the body, otherwise."""
    assert response.status_code == 200, response.text
    return response.json()["response"]["result"]


def errors_of(response: httpx.Response) -> list[dict[str, Any]]:
    """The classic accounting error list; fails the test if the body is not that envelope."""
    errors = response.json()["response"]["errors"]
    assert errors
    assert set(errors[0]) == {"errno", "field", "message", "object", "value"}
    return errors


def errno_of(response: httpx.Response) -> int:
    return errors_of(response)[0]["errno"]
