"""Realistic, repeatable demo data: clients with contacts and addresses, invoices in every state.

The same ``random_seed`` and ``today`` always give the same records; dates are spread over the
weeks before ``today`` so the data looks current whenever the demo runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from connector.sandbox.clock import now_eastern
from connector.sandbox.money import cents
from connector.sandbox.purchases import NewBillLine
from connector.sandbox.state import NewLine, SandboxState

ORGANIZATIONS = (
    "Northwind Traders",
    "Bluefin Outfitters",
    "Cedar & Pine Furnishings",
    "Halcyon Dental Group",
    "Ironbridge Logistics",
    "Juniper Lane Bakery",
    "Keystone Property Care",
    "Larkspur Design Studio",
    "Meridian Health Supply",
    "Oakhurst Veterinary",
    "Pioneer Field Services",
    "Quarry Hill Brewing",
    "Riverbend Marine",
    "Summit Ridge Schools",
    "Tidewater Produce",
    "Union Square Optics",
    "Vantage Point Media",
    "Westfield Hardware",
)
FIRST_NAMES = ("Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Imani", "Jonas")
LAST_NAMES = ("Ruiz", "Okafor", "Lindqvist", "Patel", "Moreau", "Nakamura", "Schultz", "Reyes")
US_ADDRESSES = (
    ("1 Main St", "Boston", "MA", "02101"),
    ("48 Elm Ave", "Hartford", "CT", "06103"),
    ("220 Market St", "Philadelphia", "PA", "19106"),
    ("9 Harbor Rd", "Portland", "ME", "04101"),
    ("731 Lake Shore Dr", "Chicago", "IL", "60611"),
    ("15 Pearl St", "Albany", "NY", "12207"),
)
CAD_CLIENT = {
    "organization": "Maple Leaf Distribution Inc.",
    "p_street": "100 King St W",
    "p_city": "Toronto",
    "p_province": "ON",
    "p_code": "M5X 1A9",
    "p_country": "Canada",
    "currency_code": "CAD",
}
CATALOG = (
    ("Consulting", "Advisory hours", Decimal("125.00")),
    ("Implementation", "Setup and configuration", Decimal("95.00")),
    ("Hosting", "Monthly hosting plan", Decimal("49.00")),
    ("Support plan", "Priority support, one month", Decimal("300.00")),
    ("Training", "On-site training day", Decimal("850.00")),
    ("Pallet freight", "Per pallet, regional", Decimal("72.50")),
    ("Widget A-100", "Standard widget", Decimal("4.75")),
    ("Widget B-200", "Heavy-duty widget", Decimal("11.20")),
    ("Installation", "Per unit installed", Decimal("38.00")),
)
# (status, weight): the mix of invoice states the demo shows.
STATUS_MIX = (("draft", 15), ("sent", 35), ("partial", 25), ("paid", 25))
PAYMENT_METHODS = ("Check", "Bank Transfer", "ACH", "Credit Card")
# (name, is cost of goods sold): the expense categories bill lines are filed under.
EXPENSE_CATEGORIES = (
    ("Advertising", False),
    ("Office Supplies", False),
    ("Shipping", False),
    ("Rent or Lease", False),
    ("Utilities", False),
    ("Professional Services", False),
    ("Cost of Goods Sold", True),
)
VENDORS = (
    {
        "vendor_name": "Paper Co",
        "primary_contact_email": "ar@paperco.example",
        "street": "9 Mill Rd",
        "city": "Albany",
        "province": "New York",
        "postal_code": "12207",
        "country": "United States",
        "account_number": "PC-77",
    },
    {
        "vendor_name": "Coastline Freight LLC",
        "primary_contact_email": "billing@coastline.example",
        "city": "Portland",
        "province": "Maine",
        "country": "United States",
    },
    {
        "vendor_name": "Brightwire Utilities",
        "primary_contact_email": "accounts@brightwire.example",
        "city": "Boston",
        "province": "Massachusetts",
        "country": "United States",
    },
    {
        "vendor_name": "Northern Components Ltd.",
        "primary_contact_email": "ar@northerncomponents.example",
        "city": "Toronto",
        "province": "Ontario",
        "country": "Canada",
        "currency_code": "CAD",
    },
)
# (category, description, unit cost): what the seeded bills buy.
PURCHASES = (
    ("Office Supplies", "Copy paper, 10 reams", Decimal("42.00")),
    ("Office Supplies", "Toner cartridge", Decimal("96.50")),
    ("Shipping", "Pallet freight, regional", Decimal("68.00")),
    ("Utilities", "Electricity, monthly", Decimal("310.25")),
    ("Advertising", "Trade magazine listing", Decimal("450.00")),
    ("Professional Services", "Bookkeeping, monthly", Decimal("275.00")),
    ("Cost of Goods Sold", "Widget housings", Decimal("3.10")),
)


@dataclass(frozen=True)
class SeedPlan:
    """The arguments of ``seed`` as one value, for ``Sandbox(seed_plan=...)``."""

    clients: int = 12
    invoices: int = 40
    bills: int = 8
    random_seed: int = 20240501
    today: date | None = None
    """The day the data leads up to; None means the sandbox's current day."""


def seed(
    state: SandboxState,
    *,
    clients: int = 12,
    invoices: int = 40,
    bills: int = 8,
    random_seed: int = 20240501,
    today: date | None = None,
) -> None:
    """Add clients, then invoices spread over them, paid or part-paid where drawn; then
    expense categories, vendors and bills from them.

    Every seeded record is dated before ``today`` (default: the current day), so anything
    changed afterwards sorts later. Purchases draw from their own random stream, so adding
    them left the seeded clients, invoices and payments exactly as they were.
    """
    rng = random.Random(random_seed)
    today = today or now_eastern().date()
    client_ids = [_add_client(state, rng, index, today) for index in range(clients)]
    if client_ids:
        for _ in range(invoices):
            _add_invoice(state, rng, rng.choice(client_ids), today)
    _add_purchases(state, random.Random(f"{random_seed}-purchases"), bills, today)


def _add_client(state: SandboxState, rng: random.Random, index: int, today: date) -> int:
    fname, lname = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    signup = _moment(rng, today - timedelta(days=rng.randint(120, 400)))
    if index == 2:
        fields = dict(CAD_CLIENT)
    else:
        street, city, province, code = rng.choice(US_ADDRESSES)
        fields = {
            "organization": ORGANIZATIONS[index % len(ORGANIZATIONS)],
            "p_street": street,
            "p_city": city,
            "p_province": province,
            "p_code": code,
            "p_country": "United States",
            "currency_code": "USD",
        }
    domain = fields["organization"].split()[0].lower().strip("&.,") + ".example"
    client = state.add_client(
        signup_date=signup,
        fname=fname,
        lname=lname,
        email=f"{fname.lower()}.{lname.lower()}@{domain}",
        bus_phone=f"555-01{rng.randint(10, 99)}",
        **fields,
    )
    return client.id


def _add_invoice(state: SandboxState, rng: random.Random, client_id: int, today: date) -> None:
    created = today - timedelta(days=rng.randint(1, 90))
    created_at = _moment(rng, created)
    status = rng.choices([s for s, _ in STATUS_MIX], weights=[w for _, w in STATUS_MIX])[0]
    taxed = rng.random() < 0.4
    lines = [
        NewLine(
            name=name,
            description=description,
            qty=Decimal(rng.randint(1, 20)),
            unit_cost=price,
            tax_name1="Sales Tax" if taxed else None,
            tax_amount1=Decimal(8) if taxed else Decimal(0),
        )
        for name, description, price in rng.sample(CATALOG, rng.randint(1, 6))
    ]
    invoice = state.add_invoice(
        client_id,
        created,
        lines,
        due_offset_days=rng.choice((15, 30, 30, 45)),
        sent=status != "draft",
        created_at=created_at,
        terms="Net due on receipt of invoice." if rng.random() < 0.3 else "",
    )
    if status in ("partial", "paid"):
        share = Decimal(rng.randint(20, 80)) / 100 if status == "partial" else Decimal(1)
        paid_on = min(created + timedelta(days=rng.randint(3, 25)), today - timedelta(days=1))
        state.add_payment(
            invoice.id,
            cents(invoice.amount * share),
            paid_on,
            type=rng.choice(PAYMENT_METHODS),
            note=f"Remittance for invoice {invoice.invoice_number}",
            recorded_at=max(_moment(rng, paid_on), created_at),
        )


def _add_purchases(state: SandboxState, rng: random.Random, bills: int, today: date) -> None:
    """Categories and vendors, then bills in every status: unpaid, partial, paid, overdue."""
    purchases = state.purchases
    since = today - timedelta(days=400)
    categories = {
        name: purchases.add_category(name, is_cogs=cogs, created_at=_moment(rng, since)).id
        for name, cogs in EXPENSE_CATEGORIES
    }
    vendors = [purchases.add_vendor(created_at=_moment(rng, since), **fields) for fields in VENDORS]
    for index in range(bills):
        vendor = vendors[index % len(vendors)]
        issued = today - timedelta(days=rng.randint(5, 60))
        created_at = _moment(rng, issued)
        bill = purchases.add_bill(
            vendor.vendorid,
            issued,
            [
                NewBillLine(
                    categoryid=categories[category],
                    description=description,
                    quantity=Decimal(rng.randint(1, 12)),
                    unit_cost=price,
                )
                for category, description, price in rng.sample(PURCHASES, rng.randint(1, 3))
            ],
            bill_number=f"{vendor.vendor_name[:2].upper()}-{rng.randint(10000, 99999)}",
            due_offset_days=rng.choice((15, 30, 45)),
            created_at=created_at,
        )
        share = (Decimal(0), Decimal("0.5"), Decimal(1))[index % 3]
        if share:
            paid_on = min(issued + timedelta(days=rng.randint(3, 20)), today - timedelta(days=1))
            purchases.add_bill_payment(
                bill.id,
                cents(bill.total_amount * share),
                paid_on,
                payment_type=rng.choice(PAYMENT_METHODS),
                note=f"Paid against {bill.bill_number}",
                recorded_at=max(_moment(rng, paid_on), created_at),
            )


def _moment(rng: random.Random, day: date) -> datetime:
    """A working-hours time on ``day``."""
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)))
