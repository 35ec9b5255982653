"""``/accounting/account/{account_id}/expenses/categories[/{id}]``: list and get, read only.

Every bill line names one of these by ``categoryid``. The API offers no writes here, so the
sandbox's categories come from the seed or from ``sb.state.purchases.add_category``.
"""

from __future__ import annotations

from starlette.routing import Route

from connector.sandbox.listing import Equals, Filter
from connector.sandbox.resource_routes import Resource, resource_routes
from connector.sandbox.state import SandboxState

PATH = "/accounting/account/{account_id}/expenses/categories"

FILTERS: list[Filter] = [Equals("vis_state", lambda c: c.vis_state)]


def category_routes(state: SandboxState) -> list[Route]:
    purchases = state.purchases
    categories = Resource(
        PATH,
        "category",
        "categories",
        "categoryid",
        records=lambda: purchases.categories,
        lookup=purchases.category,
        render=lambda category, _: category.to_json(),
        filters=FILTERS,
    )
    return resource_routes(state, categories)
