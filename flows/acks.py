"""Prefect flow: a partner's 997/999/TA1/CONTRL files matched to what we sent; overdue reported."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from connector.jobs.acks import collect_acknowledgments, overdue_interchanges
from connector.jobs.resolve import endpoint_for
from connector.partners import PartnerSettings
from connector.store import Store
from connector.transport import PartnerFolders


@flow(name="acks", flow_run_name="acks-{partner.name}")
def acks(partner: PartnerSettings) -> dict:
    """Record the partner's acknowledgments, then fail the run if anything is overdue.

    The partner's ``ack_deadline_hours`` is how long it has to acknowledge an interchange (the
    trading agreement says; chargebacks follow). Overdue interchanges are published as a table
    artifact and fail the run, so someone is told before the partner charges back.
    """
    logger = get_run_logger()
    endpoint = endpoint_for(partner)
    with (
        Store.open() as store,
        PartnerFolders.open(
            endpoint,
            outgoing=partner.outgoing_folder,
            incoming=partner.incoming_folder,
            done_suffix=partner.done_suffix,
        ) as folders,
    ):
        files = collect_acknowledgments(
            store,
            folders,
            partner.name,
            patterns=tuple(partner.ack_file_patterns),
            settle_seconds=partner.settle_seconds,
            reclaim_after_seconds=partner.reclaim_after_seconds,
        )
        overdue = overdue_interchanges(
            store, partner.name, timedelta(hours=partner.ack_deadline_hours)
        )
    key = f"acks-{partner.name.replace('_', '-')}"
    for outcome in files:
        logger.info(
            "%s -> %s: %d acknowledgment(s), %d recorded, %d duplicate(s), %d unknown. %s",
            outcome.name,
            outcome.status,
            outcome.acknowledgments,
            outcome.settled,
            outcome.duplicates,
            outcome.unknown,
            outcome.message,
        )
    if files:
        create_table_artifact(
            key=key, table=[asdict(f) for f in files], description="Acknowledgment files read"
        )
    if overdue:
        create_table_artifact(
            key=f"{key}-overdue",
            table=[asdict(o) for o in overdue],
            description=f"Interchanges unacknowledged after {partner.ack_deadline_hours:g} hours",
        )
        raise AcknowledgmentsOverdue(
            [o.interchange_control for o in overdue], partner.ack_deadline_hours
        )
    return {"files": [asdict(f) for f in files], "overdue": []}


class AcknowledgmentsOverdue(Exception):
    """The partner has not acknowledged these interchanges within its deadline."""

    def __init__(self, controls: list[int], hours: float) -> None:
        super().__init__(
            f"{len(controls)} interchange(s) unacknowledged after {hours:g} hours: "
            f"{', '.join(map(str, controls))}"
        )
