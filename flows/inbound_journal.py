"""Prefect flow: post a partner's GL journal files to FreshBooks as journal entries."""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow

from connector.jobs.inbound_journal import receive_journal_entries
from connector.jobs.resolve import open_partner_run
from connector.partners import PartnerSettings
from flows.inbound_payments import report_outcomes


@flow(name="inbound-journal", flow_run_name="inbound-journal-{partner.name}")
def inbound_journal(partner: PartnerSettings) -> list[dict]:
    """Claim, check whole, post, then file each journal in processed/ or error/ with a report.

    A file with any refused entry posts nothing and fails the run, so that someone looks at the
    error folder.
    """
    with open_partner_run(partner) as run:
        outcomes = [asdict(outcome) for outcome in receive_journal_entries(run)]
    return report_outcomes(outcomes, f"inbound-journal-{partner.name}", "Journal files")
