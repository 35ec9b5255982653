"""The FreshBooks fields a mapping may name, and what an inbound document must supply.

Field names follow the FreshBooks API exactly (see freshbooks-api.md section 7), so an analyst can
read a mapping beside an API record. `raw` is the dtype the field arrives in; the document frame
builder turns date text into dates, everything else keeps the API's form until a function parses it.
Bills carry their vendor as a nested object (`bill.vendor.vendor_name`); FreshBooks clients are the
`customer` document, bill vendors the `vendor` document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from connector.freshbooks.vocabulary import PAYMENT_TYPES
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

CLIENT_FIELDS: dict[str, FieldSpec] = {
    **_ids("id", "userid", "vis_state"),
    **_fields(
        accounting_systemid=T,
        organization=T,
        fname=T,
        lname=T,
        email=T,
        username=T,
        currency_code=T,
        language=T,
        p_street=T,
        p_street2=T,
        p_city=T,
        p_province=T,
        p_code=T,
        p_country=T,
        bus_phone=T,
        home_phone=T,
        mob_phone=T,
        fax=T,
        note=T,
        vat_name=T,
        vat_number=T,
        signup_date=DT,
        updated=DT,
    ),
}

VENDOR_FIELDS: dict[str, FieldSpec] = {
    **_ids("vendorid", "vis_state"),
    **_fields(
        vendor_name=T,
        account_number=T,
        currency_code=T,
        language=T,
        is_1099=B,
        note=T,
        phone=T,
        website=T,
        street=T,
        street2=T,
        city=T,
        province=T,
        postal_code=T,
        country=T,
        primary_contact_email=T,
        primary_contact_first_name=T,
        primary_contact_last_name=T,
        created_at=DT,
        updated_at=DT,
    ),
}

BILL_FIELDS: dict[str, FieldSpec] = {
    **_ids("id", "vendorid", "due_offset_days", "vis_state"),
    **_fields(
        bill_number=T,
        issue_date=D,
        due_date=D,
        currency_code=T,
        language=T,
        status=T,
        amount=M,
        tax_amount=M,
        total_amount=M,
        paid=M,
        outstanding=M,
        overall_category=T,
        overall_description=T,
        created_at=DT,
        updated_at=DT,
    ),
}

BILL_LINE_FIELDS: dict[str, FieldSpec] = {
    **_ids("list_index", "categoryid"),
    **_fields(
        category=T,
        description=T,
        quantity=N,
        unit_cost=M,
        amount=M,
        total_amount=M,
        tax_name1=T,
        tax_percent1=N,
        tax_amount1=M,
        tax_name2=T,
        tax_percent2=N,
        tax_amount2=M,
    ),
}

MONEY_PARTS: dict[str, Kind] = {"amount": Kind.NUMBER, "code": Kind.TEXT}


@dataclass(frozen=True)
class OutboundDocument:
    """A FreshBooks record type that goes out: its fields, nested objects and lines, if any.

    `id_field` names the record's own id, which identifies it in rejections and the audit trail.
    """

    name: str
    fields: dict[str, FieldSpec]
    line_fields: dict[str, FieldSpec]
    objects: dict[str, dict[str, FieldSpec]] = field(default_factory=dict)
    id_field: str = "id"


@dataclass(frozen=True)
class TargetField:
    kind: Kind
    required: bool = False
    allowed: tuple[str, ...] = ()
    detail: bool = False


@dataclass(frozen=True)
class InboundDocument:
    """A FreshBooks record type that comes in: the fields a mapping assigns to make one.

    `one_of` lists fields of which at least one must have a value (FreshBooks refuses a client
    with none of them); `entry_key` groups rows into one record with `detail` fields as its lines.
    """

    name: str
    fields: dict[str, TargetField]
    one_of: tuple[str, ...] = ()
    entry_key: str | None = None

    @property
    def required(self) -> list[str]:
        return [name for name, spec in self.fields.items() if spec.required]


def _targets(**kinds: Kind) -> dict[str, TargetField]:
    return {name: TargetField(kind) for name, kind in kinds.items()}


OUTBOUND_DOCUMENTS = {
    "invoice": OutboundDocument("invoice", INVOICE_FIELDS, LINE_FIELDS),
    "bill": OutboundDocument("bill", BILL_FIELDS, BILL_LINE_FIELDS, {"vendor": VENDOR_FIELDS}),
    "customer": OutboundDocument("customer", CLIENT_FIELDS, {}),
    "vendor": OutboundDocument("vendor", VENDOR_FIELDS, {}, id_field="vendorid"),
}

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
    ),
    "bill_payment": InboundDocument(
        "bill_payment",
        {
            "bill_number": TargetField(Kind.TEXT, required=True),
            "amount": TargetField(Kind.NUMBER, required=True),
            "paid_date": TargetField(Kind.DATE, required=True),
            "currency": TargetField(Kind.TEXT),
            "payment_type": TargetField(Kind.TEXT, allowed=PAYMENT_TYPES),
            "note": TargetField(Kind.TEXT),
        },
    ),
    "customer": InboundDocument(
        "customer",
        {
            "partner_id": TargetField(Kind.TEXT),
            **_targets(
                organization=T,
                fname=T,
                lname=T,
                email=T,
                currency_code=T,
                language=T,
                p_street=T,
                p_street2=T,
                p_city=T,
                p_province=T,
                p_code=T,
                p_country=T,
                bus_phone=T,
                mob_phone=T,
                note=T,
                vat_name=T,
                vat_number=T,
            ),
        },
        one_of=("organization", "fname", "lname", "email"),
    ),
    "vendor": InboundDocument(
        "vendor",
        {
            "vendor_name": TargetField(Kind.TEXT, required=True),
            "is_1099": TargetField(Kind.BOOLEAN),
            **_targets(
                account_number=T,
                currency_code=T,
                language=T,
                note=T,
                phone=T,
                website=T,
                street=T,
                street2=T,
                city=T,
                province=T,
                postal_code=T,
                country=T,
                primary_contact_email=T,
                primary_contact_first_name=T,
                primary_contact_last_name=T,
            ),
        },
    ),
    "journal_entry": InboundDocument(
        "journal_entry",
        {
            "entry": TargetField(Kind.TEXT, required=True),
            "name": TargetField(Kind.TEXT),
            "description": TargetField(Kind.TEXT),
            "date": TargetField(Kind.DATE, required=True),
            "currency_code": TargetField(Kind.TEXT),
            "account_number": TargetField(Kind.TEXT, required=True, detail=True),
            "debit": TargetField(Kind.NUMBER, detail=True),
            "credit": TargetField(Kind.NUMBER, detail=True),
            "detail_description": TargetField(Kind.TEXT, detail=True),
        },
        entry_key="entry",
    ),
}
