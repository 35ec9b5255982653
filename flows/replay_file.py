"""Prefect flow: give a file from the error folder back to the inbound flows, after a fix."""

from __future__ import annotations

from prefect import flow, get_run_logger

from connector.jobs.resolve import open_partner_run
from connector.partners import PartnerSettings


@flow(name="replay-file", flow_run_name="replay-{partner.name}-{file_name}")
def replay_file(partner: PartnerSettings, file_name: str) -> str:
    """Move ``file_name`` from error/ back to the partner's incoming folder.

    The next inbound run takes it like a new file; rows already posted are recognised by their
    posting keys and not posted again, so replaying after fixing the rest is always safe.
    """
    with open_partner_run(partner) as run:
        moved_to = run.folders.replay(file_name)
    get_run_logger().info(
        "%s is back in %s's incoming folder; the next inbound run takes it.",
        file_name,
        partner.name,
    )
    return moved_to
