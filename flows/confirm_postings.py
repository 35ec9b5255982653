"""Prefect flow: FreshBooks' payment events confirm the payments ml-connector posted."""

from __future__ import annotations

from dataclasses import asdict

from prefect import flow, get_run_logger

from connector.freshbooks import EncryptedFileTokenStore, FreshBooksClient
from connector.jobs.confirmations import confirm_postings as confirm
from connector.jobs.resolve import freshbooks_config
from connector.store import Store


@flow(name="confirm-postings")
def confirm_postings(freshbooks_credentials: str = "freshbooks") -> dict:
    """Drain payment events, audit ours as confirmed (or deleted), settle postings left in doubt.

    One run serves every partner posting to this FreshBooks business: the ledger key in each
    payment's note names the partner and the transfer.
    """
    config = freshbooks_config(freshbooks_credentials)
    tokens = EncryptedFileTokenStore(freshbooks_credentials)
    with Store.open() as store, FreshBooksClient(config, tokens) as client:
        result = confirm(store, client)
    get_run_logger().info(
        "%d payment event(s): %d of our payments confirmed, %d deleted in FreshBooks, "
        "%d posting(s) in doubt settled; %d not ours, %d with a key this store does not hold, "
        "%d no longer in FreshBooks.",
        result.events,
        result.confirmed,
        result.deleted,
        result.settled,
        result.not_ours,
        result.unknown_keys,
        result.missing,
    )
    return asdict(result)
