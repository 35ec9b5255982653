"""The FreshBooks fields a mapping may name, and what an inbound document must supply.

Field names follow the FreshBooks API exactly (see freshbooks-api.md section 7), so an analyst can
read a mapping beside an API record. `raw` is the dtype the field arrives in; the document frame
builder turns date text into dates, everything else keeps the API's form until a function parses it.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from connector.mapping.values import MONEY_DTYPE, Kind


@dataclass(frozen=True)
class FieldSpec:
    kind: Kind
    raw: pl.DataType


def _fields(**kinds: Kind) -> dict[str, FieldSpec]:
    raw = {
        Kind.TEXT: pl.String,
        Kind.NUMBER: pl.String,  # decimal text such as qty "10"; ids are declared with _ids
        Kind.MONEY: MONEY_DTYPE,
        Kind.DATE: pl.String,
        Kind.DATETIME: pl.String,
        Kind.BOOLEAN: pl.Boolean,
    }
    return {name: FieldSpec(kind, raw[kind]) for name, kind in kinds.items()}


def _ids(*names: str) -> dict[str, FieldSpec]:
    return {name: FieldSpec(Kind.NUMBER, pl.Int64) for name in names}


T, N, M, D, DT, B = Kind.TEXT, Kind.NUMBER, Kind.MONEY, Kind.DATE, Kind.DATETIME, Kind.BOOLEAN

INVOICE_FIELDS: dict[str, FieldSpec] = {
    **_ids("id", "invoiceid", "customerid", "status", "due_offset_days", "vis_state"),
    **_fields(
        accountid=T,
        accounting_systemid=T,
        invoice_number=T,
        organization=T,
        fname=T,
        lname=T,
        create_date=D,
        due_date=D,
        date_paid=D,
        currency_code=T,
        language=T,
        v3_status=T,
        payment_status=T,
        display_status=T,
        amount=M,
        paid=M,
        outstanding=M,
        discount_total=M,
        discount_value=N,
        po_number=T,
        notes=T,
        terms=T,
        address=T,
        street=T,
        street2=T,
        city=T,
        province=T,
        code=T,
        country=T,
        created_at=DT,
        updated=DT,
    ),
}

LINE_FIELDS: dict[str, FieldSpec] = {
    **_ids("lineid", "invoiceid", "type", "expenseid"),
    **_fields(
        name=T,
        description=T,
        qty=N,
        unit_cost=M,
        amount=M,
        taxName1=T,
        taxAmount1=N,
        taxName2=T,
        taxAmount2=N,
        compounded_tax=B,
        updated=DT,
    ),
}

MONEY_PARTS: dict[str, Kind] = {"amount": Kind.NUMBER, "code": Kind.TEXT}


@dataclass(frozen=True)
class OutboundDocument:
    """A FreshBooks record type that goes out: its own fields and, if it has them, its lines."""

    name: str
    fields: dict[str, FieldSpec]
    line_fields: dict[str, FieldSpec]


@dataclass(frozen=True)
class TargetField:
    kind: Kind
    required: bool = False
    allowed: tuple[str, ...] = ()


PAYMENT_TYPES = (
    "Check",
    "Credit",
    "Cash",
    "Bank Transfer",
    "Credit Card",
    "Debit",
    "PayPal",
    "2Checkout",
    "VISA",
    "MASTERCARD",
    "DISCOVER",
    "AMEX",
    "DINERS",
    "JCB",
    "ACH",
    "Other",
)


@dataclass(frozen=True)
class InboundDocument:
    """A FreshBooks record type that comes in: the fields a mapping assigns to make one."""

    name: str
    fields: dict[str, TargetField]

    @property
    def required(self) -> list[str]:
        return [name for name, spec in self.fields.items() if spec.required]


OUTBOUND_DOCUMENTS = {"invoice": OutboundDocument("invoice", INVOICE_FIELDS, LINE_FIELDS)}

INBOUND_DOCUMENTS = {
    "payment": InboundDocument(
        "payment",
        {
            "invoice_number": TargetField(Kind.TEXT, required=True),
            "amount": TargetField(Kind.NUMBER, required=True),
            "date": TargetField(Kind.DATE, required=True),
            "currency": TargetField(Kind.TEXT),
            "type": TargetField(Kind.TEXT, allowed=PAYMENT_TYPES),
            "note": TargetField(Kind.TEXT),
        },
    )
}

# Documents the language names but this version cannot map yet; `check` says so plainly.
PLANNED_OUTBOUND = ("bill", "customer", "vendor")
PLANNED_INBOUND = ("journal_entry", "bill_payment", "customer", "vendor")
