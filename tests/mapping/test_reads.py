"""What an outbound section reads: the compiled section answers, with no second parse."""

import pytest

from connector.mapping import load_mapping
from tests.mapping.conftest import outbound

BILLS = """
outbound bill to csv {
 file "BILLS_{run.seq}.csv"
 "No" = bill.bill_number
 "Vendor" = bill.vendor.vendor_name
}
"""


@pytest.mark.parametrize(
    ("settings", "body"),
    [
        ('file "X.csv"\n', '"Status" = if invoice.vis_state == 1 then "CANCELLED" else "ACTIVE"'),
        ('file "X.csv"\n where invoice.vis_state == 0\n', '"No" = invoice.invoice_number'),
        (
            'file "X.csv"\n',
            '"No" = invoice.invoice_number\n reject when invoice.vis_state == 1: "deleted"',
        ),
        (
            'file "X.csv"\n',
            '"No" = invoice.invoice_number\n warn when 1 == 1: "{invoice.vis_state}"',
        ),
    ],
    ids=["column", "filter", "rule", "message"],
)
def test_a_field_read_anywhere_in_the_section_is_read(write_mapping, settings, body):
    section = load_mapping(write_mapping(outbound(body, settings=settings))).outbound("invoice")

    assert section.reads("vis_state")
    assert not section.reads("po_number")


def test_only_the_documents_own_fields_count_and_nested_ones_by_their_path(write_mapping):
    body = '"No" = invoice.invoice_number\n "Item" = line.name'
    mapping = load_mapping(write_mapping(outbound(body) + BILLS))

    assert mapping.outbound("invoice").reads("invoice_number")
    assert not mapping.outbound("invoice").reads("name"), "line.name is a line's field"
    assert not mapping.outbound("invoice").reads("vis_state")
    bills = mapping.outbound("bill")
    assert bills.reads("vendor.vendor_name") and not bills.reads("vendor_name")
