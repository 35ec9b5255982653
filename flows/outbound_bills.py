"""Prefect flow: send the bills FreshBooks changed since they were last sent to one partner."""

from __future__ import annotations

from datetime import timedelta

from prefect import flow

from connector.jobs.changes import CatchUp
from connector.partners import PartnerSettings
from flows.outbound_invoices import send_and_report


@flow(name="outbound-bills", flow_run_name="outbound-bills-{partner.name}")
def outbound_bills(
    partner: PartnerSettings,
    catch_up_every: timedelta = timedelta(hours=6),
) -> dict:
    """Drain bill webhooks, map, archive, upload, audit. Bills cannot be listed by date, so the
    catch-up scan reads every bill (so no overlap applies): it runs less often by default."""
    return send_and_report(partner, "bill", CatchUp(every=catch_up_every))
