"""Prefect flow: send the invoices FreshBooks changed since the last run to one partner."""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from connector.jobs.archive import Archive
from connector.jobs.outbound_invoices import send_invoices
from connector.jobs.resolve import open_partner_run
from connector.partners import PartnerSettings


@flow(name="outbound-invoices", flow_run_name="outbound-invoices-{partner.name}")
def outbound_invoices(partner: PartnerSettings) -> dict:
    """Fetch, map, archive, upload and audit; the cursor moves only after the upload."""
    logger = get_run_logger()
    with open_partner_run(partner) as run:
        result = send_invoices(run, Archive(partner.archive_url))
    if result.file_name is None:
        logger.info("No invoice changed since the last run; nothing sent to %s.", partner.name)
    else:
        logger.info(
            "Sent %s to %s: %d rows from %d invoices, %d refused by the mapping.",
            result.file_name,
            partner.name,
            result.rows,
            result.invoices,
            result.rejected,
        )
        create_markdown_artifact(
            key=f"outbound-invoices-{partner.name}",
            markdown=(
                f"**{result.file_name}** sent to `{partner.name}`: {result.rows} rows, "
                f"{result.invoices} invoices, {result.rejected} refused. "
                f"Archived at `{result.archive_url}`."
            ),
            description="Invoices sent",
        )
    return asdict(result)
