"""Prefect flow: send an archived outbound file to a partner again (the partner lost it)."""

from __future__ import annotations

from prefect import flow, get_run_logger

from connector.jobs.resend import resend_transfer
from connector.jobs.resolve import open_partner_run
from connector.partners import PartnerSettings


@flow(name="resend-file", flow_run_name="resend-{partner.name}-{transfer_id}")
def resend_file(partner: PartnerSettings, transfer_id: int) -> dict:
    """Upload the archived bytes of transfer ``transfer_id`` again, under the same name."""
    with open_partner_run(partner) as run:
        resent = resend_transfer(run, transfer_id)
    get_run_logger().info(
        "Resent %s to %s as transfer %d.", resent.file_name, partner.name, resent.id
    )
    return {"transfer_id": resent.id, "file_name": resent.file_name, "remote": resent.remote_path}
