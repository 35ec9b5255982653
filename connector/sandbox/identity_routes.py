"""``GET /auth/api/v1/users/me``: who the token belongs to and which business ids to use.

Its envelope has no ``result`` level and its auth errors use the auth service's shape, not
the accounting envelope; both differences trip clients up, so both are kept.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connector.sandbox.errors import OAuthError
from connector.sandbox.records import Business
from connector.sandbox.state import SandboxState
from connector.sandbox.tokens import TokenCheck
from connector.sandbox.wire import bearer_token

_TOKEN_FAILURES = {
    TokenCheck.EXPIRED: "The access token expired",
    TokenCheck.UNKNOWN: "The access token is invalid",
}


def identity_routes(state: SandboxState) -> list[Route]:
    async def me(request: Request) -> Response:
        token = bearer_token(request)
        if token is None:
            raise OAuthError(
                401, "unauthenticated", "This action requires authentication to continue."
            )
        check = state.tokens.check(token)
        if check is not TokenCheck.VALID:
            raise OAuthError(
                401,
                "invalid_token",
                _TOKEN_FAILURES[check],
                extra={"state": "unauthorized"},
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return JSONResponse({"response": identity(state.business)})

    return [Route("/auth/api/v1/users/me", me, methods=["GET"])]


def identity(business: Business) -> dict[str, Any]:
    created = business.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    account_id = business.account_id
    return {
        "id": business.identity_id,
        "identity_id": business.identity_id,
        "identity_uuid": business.identity_uuid,
        "first_name": business.first_name,
        "last_name": business.last_name,
        "email": business.email,
        "language": "en",
        "confirmed_at": created,
        "created_at": created,
        "setup_complete": True,
        "phone_numbers": [],
        "addresses": [],
        "profession": None,
        "roles": [
            {
                "id": business.identity_id + 1,
                "role": "admin",
                "systemid": business.business_id,
                "userid": 1,
                "created_at": created,
                "accountid": account_id,
            }
        ],
        "groups": [
            {
                "id": business.identity_id + 2,
                "group_id": business.business_id,
                "role": "owner",
                "identity_id": business.identity_id,
                "business_id": business.business_id,
                "active": True,
            }
        ],
        "permissions": {account_id: {}},
        "subscription_statuses": {account_id: "active"},
        "business_memberships": [
            {
                "id": business.identity_id + 3,
                "role": "owner",
                "unacknowledged_change": False,
                "fasttrack_token": None,
                "business": {
                    "id": business.business_id,
                    "business_uuid": business.business_uuid,
                    "name": business.name,
                    "account_id": account_id,
                    "date_format": "mm/dd/yyyy",
                    "active": True,
                    "address": {
                        "street": "12 Harbour Lane",
                        "city": "Portland",
                        "province": "Maine",
                        "country": "United States",
                        "postal_code": "04101",
                    },
                    "phone_number": None,
                    "business_clients": [],
                },
            }
        ],
    }
