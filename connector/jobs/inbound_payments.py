"""Remittances in: one FreshBooks payment per valid row of a partner's payment file.

The rules a row meets here, beyond those of the mapping (which already refuses a payment type
FreshBooks does not accept, naming the ones it does):
- the invoice must exist and be billed in the payment's currency;
- a partial payment and an overpayment are posted, and the audit says which (for an overpayment,
  that FreshBooks keeps the excess as a credit, and the credit's id when it gives one);
- a row for an invoice already paid in full is rejected, not posted: the likeliest cause is a
  payment the partner reports twice (under another reference), and a credit opened by mistake is
  harder to undo than a row replayed once checked. Rows of the same file count: the second of two
  rows that each pay the whole invoice is rejected too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from connector.jobs.context import PartnerRun
from connector.jobs.inbound_files import Calls, FilePoster, Posting, Sent, carries, money, tagged
from connector.mapping import InboundRecord, RowProblem

DEFAULT_TYPE = "Other"
"""Sent when the mapping gives no payment type: FreshBooks' own catch-all, never a guess."""


class PaymentPoster(FilePoster):
    """Invoice payments; one per file, since it keeps each invoice's balance as rows use it."""

    kind = "payment"

    def __init__(self, run: PartnerRun, file_name: str) -> None:
        super().__init__(run, file_name)
        self._file_invoices: dict[str, dict[str, Any] | None] = {}
        self._owed: dict[int, Decimal] = {}

    def look_up(self, records: Sequence[InboundRecord], calls: Calls) -> None:
        named = {str(record.values["invoice_number"]) for record in records}
        numbers = sorted(named - self._file_invoices.keys())
        found = calls.map(self._find_invoice, numbers)
        self._file_invoices.update(zip(numbers, found, strict=True))

    def _find_invoice(self, number: str) -> dict[str, Any] | None:
        return self._run.freshbooks.invoices.find_by_number(number, include_lines=False)

    def plan(self, record: InboundRecord, key_for: Callable[..., str]) -> Posting | RowProblem:
        values = record.values
        number = str(values["invoice_number"])
        invoice = self._file_invoices[number]

        def refused(column: str, message: str) -> RowProblem:
            return self.problem(record.row_number, column, values.get(column), message)

        if invoice is None:
            return refused("invoice_number", f"no FreshBooks invoice numbered {number!r}")
        billed_in = invoice.get("currency_code")
        if values.get("currency") and billed_in and values["currency"] != billed_in:
            return refused(
                "currency",
                f"payment in {values['currency']} for invoice {number} billed in {billed_in}",
            )
        amount = money(values["amount"])
        kind = values.get("type") or DEFAULT_TYPE
        note = values.get("note")
        key = key_for(number, amount, values["date"].isoformat(), kind, note or "")
        request = {
            "invoiceid": int(invoice["id"]),
            "amount": str(amount),
            "date": values["date"].isoformat(),
            "type": kind,
            "note": tagged(note, key),
        }
        return Posting(record.row_number, number, key, request)

    def admit(self, posting: Posting) -> Posting | RowProblem:
        invoiceid = posting.request["invoiceid"]
        owed = self._owed.setdefault(invoiceid, outstanding(self._file_invoices[posting.label]))
        amount = Decimal(posting.request["amount"])
        if owed <= 0:
            return self.problem(
                posting.row_number,
                "invoice_number",
                posting.label,
                f"invoice {posting.label} is already paid in full; not posted, since a further "
                "payment would only open a credit: check whether the partner reported this "
                "payment twice, and post it by hand if it is real",
            )
        self._owed[invoiceid] = owed - amount
        if amount < owed:
            remark = f"partial payment: {amount} of {owed} owed, {owed - amount} still owed"
        elif amount > owed:
            remark = (
                f"overpayment: {amount} against {owed} owed; FreshBooks keeps the "
                f"{amount - owed} over as a credit for the client"
            )
        else:
            remark = "pays the invoice in full"
        return Posting(posting.row_number, posting.label, posting.key, posting.request, remark)

    def send(self, posting: Posting) -> Sent:
        request = posting.request
        payment = self._run.freshbooks.payments.create(
            invoiceid=request["invoiceid"],
            amount=Decimal(request["amount"]),
            date=date.fromisoformat(request["date"]),
            type=request["type"],
            note=request["note"],
        )
        credit = payment.get("overpaymentid") or payment.get("creditid")
        remark = f"FreshBooks opened credit {credit}" if credit else None
        return Sent(str(payment["id"]), remark)

    def find(self, posting: Posting) -> str | None:
        for payment in self._run.freshbooks.payments.iter(invoiceid=posting.request["invoiceid"]):
            if carries(payment.get("note"), posting.key):
                return str(payment["id"])
        return None


def outstanding(record: dict[str, Any] | None) -> Decimal:
    """What an invoice or bill still owes as FreshBooks reports it (``outstanding.amount``)."""
    owed = (record or {}).get("outstanding") or {}
    return money(owed.get("amount") or 0)


receive_payments = PaymentPoster.receive
