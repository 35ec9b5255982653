"""Send an archived file to the partner again, exactly as it went the first time.

Partners lose files. The archive holds the bytes that were sent, so a resend is the same file under
the same name, checked against the sha256 recorded when it first went out, and audited as a new
transfer that points back to the original.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields

from connector.errors import ConfigurationError, DataError
from connector.jobs.archive import Archive
from connector.jobs.context import PartnerRun
from connector.store import AuditEntry, AuditRow, Transfer


def resend_transfer(run: PartnerRun, transfer_id: int) -> Transfer:
    """Upload the archived file of an outbound transfer again; returns the new transfer."""
    store, partner = run.store, run.partner.name
    original = store.transfers.get(transfer_id)
    if original is None or original.partner != partner or original.direction != "outbound":
        raise ConfigurationError(
            f"transfer {transfer_id} is not an outbound transfer of partner {partner!r}",
            hint="list the partner's transfers with `ml-connector transfers list --partner NAME`",
        )
    if not original.archive_url:
        raise DataError(
            f"transfer {transfer_id} ({original.file_name}) has no archived file to resend",
            hint="only files that were uploaded are archived",
        )
    content = Archive.read(original.archive_url)
    if hashlib.sha256(content).hexdigest() != original.sha256:
        raise DataError(
            f"the archived {original.file_name} at {original.archive_url} no longer matches the "
            f"sha256 recorded when it was sent",
            hint="the archive was altered; restore it from backup before resending",
        )
    new_id = store.transfers.start(
        partner=partner,
        direction="outbound",
        document_kind=original.document_kind,
        file_name=original.file_name,
        sha256=original.sha256,
        size=len(content),
        archive_url=original.archive_url,
    )
    remote_path = run.folders.upload(original.file_name, content)
    note = f"resent from transfer {transfer_id}"
    store.audit.record(
        _copied(row, transfer_id=new_id, message=note)
        for row in store.audit.for_transfer(transfer_id)
        if row.status == "sent"
    )
    return store.transfers.finish(new_id, "uploaded", message=note, remote_path=remote_path)


def _copied(row: AuditEntry, **changes: object) -> AuditRow:
    """A stored audit row as a new row to record, with some fields changed."""
    return AuditRow(**{**{f.name: getattr(row, f.name) for f in fields(AuditRow)}, **changes})
