"""Prefect flow: send the invoices FreshBooks changed since they were last sent to one partner."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from connector.jobs.archive import Archive
from connector.jobs.changes import CatchUp
from connector.jobs.outbound_documents import send_documents
from connector.jobs.resolve import open_partner_run
from connector.partners import PartnerSettings


def send_and_report(partner: PartnerSettings, kind: str, catch_up: CatchUp) -> dict:
    """The body both outbound flows share: one job run, one log line, one artifact."""
    logger = get_run_logger()
    with open_partner_run(partner) as run:
        result = send_documents(run, Archive(partner.archive_url), kind, catch_up=catch_up)
    if result.file_name is None:
        logger.info(
            "No %s to send to %s (%d event(s) drained, %d deleted record(s) not reported).",
            kind,
            partner.name,
            result.events,
            result.not_sent_deleted,
        )
    else:
        logger.info(
            "Sent %s to %s: %d rows from %d %ss (%d event(s)), %d refused by the mapping, "
            "%d deleted not reported.",
            result.file_name,
            partner.name,
            result.rows,
            result.records,
            kind,
            result.events,
            result.rejected,
            result.not_sent_deleted,
        )
        create_markdown_artifact(
            key=f"outbound-{kind}s-{partner.name}",
            markdown=(
                f"**{result.file_name}** sent to `{partner.name}`: {result.rows} rows, "
                f"{result.records} {kind}s, {result.rejected} refused, "
                f"{result.not_sent_deleted} deleted not reported. "
                f"Archived at `{result.archive_url}`."
            ),
            description=f"{kind.capitalize()}s sent",
        )
    return asdict(result)


@flow(name="outbound-invoices", flow_run_name="outbound-invoices-{partner.name}")
def outbound_invoices(
    partner: PartnerSettings,
    catch_up_every: timedelta = timedelta(hours=1),
    catch_up_overlap: timedelta = timedelta(days=1),
) -> dict:
    """Drain invoice webhooks (and scan now and then), map, archive, upload, audit; events are
    marked done only after the upload."""
    return send_and_report(partner, "invoice", CatchUp(catch_up_every, catch_up_overlap))
