"""``/auth/api/v1/users/me``: the envelope without ``result`` and the ids clients need."""

from __future__ import annotations

import httpx

from connector.sandbox import Sandbox


def test_users_me_shape(sandbox: Sandbox, api: httpx.Client) -> None:
    response = api.get("/auth/api/v1/users/me")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"response"}
    me = body["response"]
    assert "result" not in me
    for name in ("identity_id", "identity_uuid", "first_name", "last_name", "email", "roles"):
        assert name in me
    assert me["permissions"] == {sandbox.info.account_id: {}}
    assert me["subscription_statuses"] == {sandbox.info.account_id: "active"}
    assert me["roles"][0]["accountid"] == sandbox.info.account_id
    membership = me["business_memberships"][0]
    business = membership["business"]
    assert membership["id"] != business["id"]
    assert business["id"] == sandbox.info.business_id
    assert business["account_id"] == sandbox.info.account_id
    assert len(business["business_uuid"]) == 36
    assert {"name", "date_format", "active", "address", "phone_number", "business_clients"} <= set(
        business
    )
