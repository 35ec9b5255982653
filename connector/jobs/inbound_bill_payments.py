"""Bill payments in: remittances the business sends its vendors, posted against their bills.

A row names the vendor's bill by number. The rules, beyond the mapping's: the bill must exist and
be in the payment's currency; a partial payment is posted and audited as one; a payment of more
than the bill still owes is rejected, because FreshBooks has no vendor credit to keep the excess
in (the sandbox refuses it for the same reason); so is a row for a bill already paid in full.
The key travels in the bill payment's note and is found again among the bill's payments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from connector.jobs.context import PartnerRun
from connector.jobs.inbound_files import Calls, FilePoster, Posting, Sent, carries, money, tagged
from connector.jobs.inbound_payments import DEFAULT_TYPE, outstanding
from connector.mapping import InboundRecord, RowProblem


class BillPaymentPoster(FilePoster):
    """Bill payments; one per file, since it keeps each bill's balance as rows use it."""

    kind = "bill_payment"

    def __init__(self, run: PartnerRun, file_name: str) -> None:
        super().__init__(run, file_name)
        self._bills: dict[str, list[dict[str, Any]]] | None = None
        self._owed: dict[int, Decimal] = {}

    def look_up(self, records: Sequence[InboundRecord], calls: Calls) -> None:
        """Every bill, read once per file and indexed by number: FreshBooks has no bill-number
        filter, so this costs what one ``find_by_number`` would, however many bills a file names.
        """
        if self._bills is None and records:
            self._bills = {}
            for bill in self._run.freshbooks.bills.iter():
                self._bills.setdefault(str(bill.get("bill_number") or ""), []).append(bill)

    def plan(self, record: InboundRecord, key_for: Callable[..., str]) -> Posting | RowProblem:
        values = record.values
        number = str(values["bill_number"])
        bills = (self._bills or {}).get(number, [])
        if len(bills) != 1:
            message = (
                f"no FreshBooks bill numbered {number!r}"
                if not bills
                else f"bill number {number!r} belongs to several FreshBooks bills "
                f"({', '.join(str(bill['id']) for bill in bills)}); none is chosen"
            )
            return self.problem(record.row_number, "bill_number", number, message)
        [bill] = bills
        billed_in = bill.get("currency_code")
        if values.get("currency") and billed_in and values["currency"] != billed_in:
            return self.problem(
                record.row_number,
                "currency",
                values["currency"],
                f"bill payment in {values['currency']} for bill {number} billed in {billed_in}",
            )
        amount = money(values["amount"])
        kind = values.get("payment_type") or DEFAULT_TYPE
        note = values.get("note")
        paid_date = values["paid_date"].isoformat()
        key = key_for(number, amount, paid_date, kind, note or "")
        request = {
            "billid": int(bill["id"]),
            "amount": str(amount),
            "paid_date": paid_date,
            "payment_type": kind,
            "note": tagged(note, key),
            "currency": billed_in,
        }
        return Posting(record.row_number, number, key, request)

    def admit(self, posting: Posting) -> Posting | RowProblem:
        billid = posting.request["billid"]
        [bill] = (self._bills or {})[posting.label]
        owed = self._owed.setdefault(billid, outstanding(bill))
        amount = Decimal(posting.request["amount"])
        if owed <= 0:
            return self.problem(
                posting.row_number,
                "bill_number",
                posting.label,
                f"bill {posting.label} is already paid in full; not posted: check whether this "
                "remittance was reported twice",
            )
        if amount > owed:
            return self.problem(
                posting.row_number,
                "amount",
                str(amount),
                f"{amount} is more than the {owed} bill {posting.label} still owes; FreshBooks "
                "keeps no vendor credit for the excess: split or correct the payment",
            )
        self._owed[billid] = owed - amount
        remark = (
            f"partial payment: {amount} of {owed} owed, {owed - amount} still owed"
            if amount < owed
            else "pays the bill in full"
        )
        return Posting(posting.row_number, posting.label, posting.key, posting.request, remark)

    def send(self, posting: Posting) -> Sent:
        request = posting.request
        payment = self._run.freshbooks.bill_payments.create(
            request["billid"],
            Decimal(request["amount"]),
            date.fromisoformat(request["paid_date"]),
            request["payment_type"],
            note=request["note"],
            currency=request["currency"],
        )
        return Sent(str(payment["id"]))

    def find(self, posting: Posting) -> str | None:
        bill = self._run.freshbooks.bills.get(posting.request["billid"])
        for payment in bill.get("bill_payments") or []:
            if carries(payment.get("note"), posting.key):
                return str(payment["id"])
        return None


receive_bill_payments = BillPaymentPoster.receive
