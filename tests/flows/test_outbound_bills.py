"""Bills out, end to end: sandbox FreshBooks -> Globex's XML mapping -> real sshd, via Prefect."""

from __future__ import annotations

from xml.etree import ElementTree

from flows.outbound_bills import outbound_bills

GLOBEX = "{urn:globex:bills:1}"


def test_bills_go_out_as_globex_xml_and_only_once(partner, sandbox, outgoing):
    globex = partner.model_copy(update={"name": "globex", "mapping": "globex_xml.map"})

    sent = outbound_bills(globex)
    again = outbound_bills(globex)

    root = ElementTree.parse(outgoing / sent["file_name"]).getroot()
    numbers = {bill.get("number") for bill in root.iter(f"{GLOBEX}Bill")}
    assert numbers and numbers <= {b.bill_number for b in sandbox.state.purchases.bills}
    assert sent["rows"] == len(list(root.iter(f"{GLOBEX}Bill")))
    assert again["file_name"] is None, "nothing changed, so nothing is sent twice"
