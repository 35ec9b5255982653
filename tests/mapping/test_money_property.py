"""Money written by an outbound mapping reads back exactly through an inbound mapping."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from connector.formats.csv import CsvFormat, CsvOptions
from connector.mapping import load_mapping
from tests.mapping.conftest import ACME

_SECTIONS = {}


def _acme():
    if not _SECTIONS:
        mapping = load_mapping(ACME)
        _SECTIONS["in"] = mapping.inbound("payment")
        _SECTIONS["out"] = mapping.outbound("invoice")
    return _SECTIONS


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2)


@settings(max_examples=60, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=20))
def test_formatted_money_parses_back_exactly(values):
    import datetime as dt

    from connector.mapping import RunContext

    records = [
        {
            "id": i,
            "invoice_number": str(i),
            "customerid": 51234,
            "create_date": "2024-05-02",
            "v3_status": "sent",
            "amount": {"amount": str(v), "code": "USD"},
            "lines": [{"name": "x", "qty": "1", "unit_cost": {"amount": str(v), "code": "USD"}}],
        }
        for i, v in enumerate(values)
    ]
    out = _acme()["out"].render(records, RunContext(dt.datetime(2024, 1, 1), 1, "p"))
    written = CsvFormat().read(out.content, CsvOptions())["Unit Price"].to_list()
    remittance = "Invoice #,Amount Paid,Paid On,Method,Check No\n" + "".join(
        f"{i},{amount},2024-01-01,CHK,1\n" for i, amount in enumerate(written)
    )
    batch = _acme()["in"].parse(remittance.encode(), "REMIT_p.csv")
    assert batch.rejected == []
    assert [r.values["amount"] for r in batch.records] == values
