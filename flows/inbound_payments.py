"""Prefect flow: post a partner's remittance files to FreshBooks as payments and bill payments."""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from connector.freshbooks.concurrency import AdaptiveLimiter
from connector.jobs.inbound_bill_payments import receive_bill_payments
from connector.jobs.inbound_payments import receive_payments
from connector.jobs.resolve import open_partner_run
from connector.partners import PartnerSettings

RECEIVERS = {"payment": receive_payments, "bill_payment": receive_bill_payments}


@flow(name="inbound-payments", flow_run_name="inbound-payments-{partner.name}")
def inbound_payments(partner: PartnerSettings) -> list[dict]:
    """Claim, parse, post, then file each remittance in processed/ or error/ with a report.

    Posts what the partner's mapping has sections for: payments (to invoices), bill payments
    (remittances the business sends), or both. A file with rejected rows fails the run, so that
    someone looks at the error folder.
    """
    with open_partner_run(partner) as run:
        limiter = AdaptiveLimiter()
        outcomes = [
            asdict(outcome)
            for kind, receive in RECEIVERS.items()
            if kind in run.mapping.inbound_sections
            for outcome in receive(run, limiter)
        ]
    return report_outcomes(outcomes, f"inbound-payments-{partner.name}", "Remittance files")


def report_outcomes(outcomes: list[dict], key: str, description: str) -> list[dict]:
    """Log each file, publish the table, and fail the run when a file went to error/."""
    logger = get_run_logger()
    for outcome in outcomes:
        logger.info(
            "%s (%s) -> %s: %d posted, %d already posted, %d rejected.",
            outcome["name"],
            outcome["kind"],
            outcome["status"],
            outcome["posted"],
            outcome["duplicates"],
            outcome["rejected"],
        )
    if outcomes:
        create_table_artifact(key=key, table=outcomes, description=f"{description} processed")
    failed = [outcome["name"] for outcome in outcomes if outcome["status"] == "error"]
    if failed:
        raise InboundFilesRejected(failed)
    return outcomes


class InboundFilesRejected(Exception):
    """Some files went to the error folder; their reports say why."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"{len(names)} file(s) moved to the error folder: {', '.join(names)}")
