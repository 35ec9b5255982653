"""The acks flow end to end: ack files on a real sshd, the store, and a real Prefect run."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort

from connector.store.interchanges import AckStatus
from flows.acks import acks

ISA = (
    "ISA*00*          *00*          *ZZ*ACMEDIST       *ZZ*SELLERCO       "
    "*260302*0800*U*00401*000000900*0*P*>~"
)


def _997(group: int) -> str:
    return (
        f"{ISA}GS*FA*ACMEDIST*SELLERCO*20260302*0800*900*X*004010~ST*997*0001~"
        f"AK1*IN*{group}~AK2*810*0011~AK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*900~IEA*1*000000900~"
    )


def _sent(store, interchange: int, group: int, age: timedelta):
    transfer_id = store.transfers.start("acme", "outbound", "invoice", f"INV_{interchange}.x12")
    return store.sent_interchanges.record(
        "acme",
        "x12",
        interchange_control=interchange,
        group_control=group,
        functional_code="IN",
        sets=[(11, "810")],
        transfer_id=transfer_id,
        sent_at=datetime.now(UTC) - age,
    )


def _artifact(key: str) -> list[dict]:
    """The newest version of the artifact ``key``: other runs in the session may share the key."""
    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    data = artifact.data
    return json.loads(data) if isinstance(data, str) else data


def test_acknowledged_interchanges_are_recorded_and_the_rest_reported_overdue(
    partner, store, incoming
):
    answered = _sent(store, 41, 5, timedelta(days=3))
    overdue = _sent(store, 42, 6, timedelta(days=2))
    recent = _sent(store, 43, 7, timedelta(hours=1))
    (incoming / "ACK_997_5.x12").write_text(_997(5))
    (incoming / "ACK_997_99.x12").write_text(_997(99))
    (incoming / "REMIT_1.csv").write_text("not ours to take\r\n")

    state = acks(partner, return_state=True)

    assert state.is_failed()
    assert "1 interchange(s) unacknowledged after 24 hours: 42" in state.message
    assert store.sent_interchanges.get(answered.id).verdict.status is AckStatus.ACCEPTED
    assert store.sent_interchanges.get(overdue.id).verdict.status is AckStatus.PENDING
    assert store.sent_interchanges.get(recent.id).verdict.status is AckStatus.PENDING
    assert sorted(p.name for p in (incoming / "processed").iterdir()) == [
        "ACK_997_5.x12",
        "ACK_997_99.x12",
    ]
    assert (incoming / "REMIT_1.csv").exists(), "the inbound flow's file is left alone"
    [late] = _artifact("acks-acme-overdue")
    assert (late["interchange_control"], late["group_control"], late["sets"]) == (42, 6, "810 11")
    files = {row["name"]: row for row in _artifact("acks-acme")}
    assert files["ACK_997_5.x12"]["settled"] == 1
    assert files["ACK_997_99.x12"]["unknown"] == 1


def test_a_run_with_nothing_overdue_succeeds_and_moves_unreadable_files_to_error(
    partner, store, incoming
):
    (incoming / "ACK_997_bad.x12").write_text("this is not EDI")

    result = acks(partner)

    assert result["overdue"] == []
    [outcome] = result["files"]
    assert outcome["status"] == "error"
    assert (incoming / "error" / "ACK_997_bad.x12.error.json").exists()
