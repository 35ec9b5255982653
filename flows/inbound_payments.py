"""Prefect flow: post a partner's remittance files to FreshBooks as payments."""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from connector.jobs.inbound_payments import receive_payments
from connector.jobs.resolve import open_partner_run
from connector.partners import PartnerSettings


@flow(name="inbound-payments", flow_run_name="inbound-payments-{partner.name}")
def inbound_payments(partner: PartnerSettings) -> list[dict]:
    """Claim, parse, post, then file each remittance in processed/ or error/ with a report.

    A file with rejected rows fails the run, so that someone looks at the error folder.
    """
    logger = get_run_logger()
    with open_partner_run(partner) as run:
        outcomes = [asdict(outcome) for outcome in receive_payments(run)]
    for outcome in outcomes:
        logger.info(
            "%s -> %s: %d posted, %d already posted, %d rejected.",
            outcome["name"],
            outcome["status"],
            outcome["posted"],
            outcome["duplicates"],
            outcome["rejected"],
        )
    if outcomes:
        create_table_artifact(
            key=f"inbound-payments-{partner.name}",
            table=outcomes,
            description="Remittance files processed",
        )
    failed = [outcome["name"] for outcome in outcomes if outcome["status"] == "error"]
    if failed:
        raise RemittanceFilesRejected(failed)
    return outcomes


class RemittanceFilesRejected(Exception):
    """Some files went to the error folder; their reports say why."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"{len(names)} file(s) moved to the error folder: {', '.join(names)}")
