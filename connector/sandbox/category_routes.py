"""``/accounting/account/{account_id}/expenses/categories[/{id}]``: list and get, read only.

Every bill line names one of these by ``categoryid``. The API offers no writes here, so the
sandbox's categories come from the seed or from ``sb.state.purchases.add_category``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.sandbox.listing import Equals, Filter, paginate, parse_list_query, select
from connector.sandbox.state import SandboxState
from connector.sandbox.wire import check_accounting_access, many, record_in_path, single

PATH = "/accounting/account/{account_id}/expenses/categories"

FILTERS: list[Filter] = [Equals("vis_state", lambda c: c.vis_state)]


def category_routes(state: SandboxState) -> list[Route]:
    purchases = state.purchases

    async def list_categories(request: Request) -> Response:
        check_accounting_access(request, state)
        query = parse_list_query(request.query_params, state.behaviour)
        with state.lock:
            page, meta = paginate(select(purchases.categories, FILTERS, query), query)
            return many("categories", [c.to_json() for c in page], meta)

    async def get_category(request: Request) -> Response:
        check_accounting_access(request, state)
        category = record_in_path(request, purchases.category, "category", "categoryid")
        return single("category", category.to_json())

    return [
        Route(PATH, list_categories, methods=["GET"]),
        Route(PATH + "/{id}", get_category, methods=["GET"]),
    ]
