"""Partner folders on memory://, file:// and a real OpenSSH server: the same rules everywhere."""

from __future__ import annotations

import posixpath
import threading
from pathlib import Path

import pytest

from connector.transport import (
    PartnerFolders,
    RemoteFileExists,
    RemoteFileMissing,
    RemoteFolderMissing,
    UnsafeRemoteName,
)
from tests.transport.conftest import OpenFolders


def drop(folders: PartnerFolders, name: str, data: bytes = b"data") -> None:
    """What the partner does: write a file into its outbound folder (our incoming one)."""
    folders.fs.pipe_file(posixpath.join(folders.incoming, name), data)


def names_in(folders: PartnerFolders, folder: str) -> set[str]:
    if not folders.fs.exists(folder):
        return set()
    return {posixpath.basename(path) for path in folders.fs.ls(folder, detail=False)}


def claim_one(folders: PartnerFolders, name: str, data: bytes = b"data"):
    drop(folders, name, data)
    [file] = [f for f in folders.list_new(settle_seconds=0) if f.name == name]
    claimed = folders.claim(file)
    assert claimed is not None
    return claimed


# Listing


def test_list_new_skips_part_files_other_patterns_and_our_folders(folders: PartnerFolders) -> None:
    for name in ("remit-1.csv", "remit-2.csv", "remit-3.csv.part", "notes.txt"):
        drop(folders, name)
    claim_one(folders, "taken.csv")  # creates processing/ under the incoming folder

    found = folders.list_new("*.csv", settle_seconds=0)

    assert [f.name for f in found] == ["remit-1.csv", "remit-2.csv"]
    assert all(f.size == 4 and f.path.endswith(f.name) for f in found)
    assert names_in(folders, folders.incoming) >= {"processing", "remit-3.csv.part"}


def test_list_new_takes_only_files_unchanged_across_the_settle_interval(
    open_folders: OpenFolders,
) -> None:
    waits: list[float] = []

    def partner_keeps_writing(seconds: float) -> None:
        waits.append(seconds)
        with folders.fs.open(posixpath.join(folders.incoming, "growing.csv"), "ab") as f:
            f.write(b"more rows")

    folders = open_folders(wait=partner_keeps_writing)
    drop(folders, "growing.csv")
    drop(folders, "finished.csv")

    assert [f.name for f in folders.list_new(settle_seconds=2.5)] == ["finished.csv"]
    assert waits == [2.5]


def test_list_new_with_zero_settle_lists_once(open_folders: OpenFolders) -> None:
    def never(seconds: float) -> None:
        raise AssertionError("list_new waited although settle_seconds=0")

    folders = open_folders(wait=never)
    drop(folders, "a.csv")
    assert [f.name for f in folders.list_new(settle_seconds=0)] == ["a.csv"]


def test_list_new_rejects_a_negative_settle_interval(folders: PartnerFolders) -> None:
    with pytest.raises(ValueError, match="settle_seconds"):
        folders.list_new(settle_seconds=-1)


def test_done_files_mark_completion_and_are_consumed_by_the_claim(
    open_folders: OpenFolders,
) -> None:
    folders = open_folders(done_suffix=".done")
    drop(folders, "ready.csv")
    drop(folders, "ready.csv.done", b"")
    drop(folders, "unfinished.csv")

    [ready] = folders.list_new(settle_seconds=60)  # the done-file makes waiting unnecessary
    assert ready.name == "ready.csv"

    claimed = folders.claim(ready)
    assert claimed is not None
    assert "ready.csv.done" not in names_in(folders, folders.incoming)

    folders.release(claimed)
    assert "ready.csv.done" in names_in(folders, folders.incoming)
    assert [f.name for f in folders.list_new(settle_seconds=0)] == ["ready.csv"]


def test_a_missing_incoming_folder_is_named(open_folders: OpenFolders) -> None:
    folders = open_folders(incoming="no-such-folder")
    with pytest.raises(RemoteFolderMissing, match="no-such-folder"):
        folders.list_new(settle_seconds=0)


# Claiming and reading


def test_claim_moves_the_file_to_processing_and_keeps_its_name(folders: PartnerFolders) -> None:
    claimed = claim_one(folders, "remit.csv", b"a,b\n1,2\n")

    assert claimed.name == "remit.csv"
    assert posixpath.dirname(claimed.path) == folders.processing
    assert claimed.claimed_name.endswith("__remit.csv")
    assert "remit.csv" not in names_in(folders, folders.incoming)
    assert folders.read(claimed) == b"a,b\n1,2\n"
    assert folders.list_claimed() == [claimed]


def test_claim_returns_none_when_another_run_took_the_file(folders: PartnerFolders) -> None:
    drop(folders, "remit.csv")
    [file] = folders.list_new(settle_seconds=0)
    assert folders.claim(file) is not None
    assert folders.claim(file) is None


def test_two_runs_racing_for_the_same_files_never_share_one(open_folders: OpenFolders) -> None:
    first, second = open_folders(), open_folders()
    names = [f"remit-{n:02}.csv" for n in range(12)]
    for name in names:
        drop(first, name)
    listed = first.list_new(settle_seconds=0)
    assert [f.name for f in listed] == names
    barrier = threading.Barrier(2)
    results: dict[str, list] = {"first": [], "second": []}

    def run(folders: PartnerFolders, key: str) -> None:
        for file in listed:
            barrier.wait()
            results[key].append(folders.claim(file))

    threads = [
        threading.Thread(target=run, args=(first, "first")),
        threading.Thread(target=run, args=(second, "second")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for mine, theirs in zip(results["first"], results["second"], strict=True):
        assert (mine is None) != (theirs is None)
    assert sorted(c.name for c in first.list_claimed()) == names


def test_list_claimed_ignores_files_that_are_not_claims(folders: PartnerFolders) -> None:
    claimed = claim_one(folders, "remit.csv")
    for stray in ("left-by-hand.csv", "20251399T999999Z-0123456789ab__bad-date.csv"):
        folders.fs.pipe_file(posixpath.join(folders.processing, stray), b"x")
    assert folders.list_claimed() == [claimed]


def test_list_claimed_leaves_recent_claims_to_the_run_that_made_them(
    folders: PartnerFolders,
) -> None:
    claimed = claim_one(folders, "remit.csv")
    assert folders.list_claimed(older_than=3600) == []
    assert folders.list_claimed(older_than=0) == [claimed]


def test_download_copies_the_claimed_file(folders: PartnerFolders, tmp_path: Path) -> None:
    claimed = claim_one(folders, "big.csv", b"x" * 300_000)
    target = folders.download(claimed, tmp_path / "big.csv")
    assert target.read_bytes() == b"x" * 300_000


def test_reading_a_claim_that_someone_moved_is_named(folders: PartnerFolders) -> None:
    claimed = claim_one(folders, "remit.csv")
    folders.move_to_processed(claimed)
    with pytest.raises(RemoteFileMissing, match=r"remit\.csv"):
        folders.read(claimed)
    with pytest.raises(RemoteFileMissing):
        folders.move_to_error(claimed, b"{}")


# Where claimed files end up


def test_processed_names_get_a_counter_before_the_extension(folders: PartnerFolders) -> None:
    paths = [folders.move_to_processed(claim_one(folders, "remit.csv")) for _ in range(3)]
    plain = [folders.move_to_processed(claim_one(folders, "REMIT")) for _ in range(2)]

    assert [posixpath.basename(p) for p in paths] == ["remit.csv", "remit.1.csv", "remit.2.csv"]
    assert [posixpath.basename(p) for p in plain] == ["REMIT", "REMIT.1"]
    assert all(posixpath.dirname(p) == folders.processed for p in paths + plain)
    assert folders.list_claimed() == []


def test_error_files_get_their_report_beside_them(folders: PartnerFolders) -> None:
    first = folders.move_to_error(claim_one(folders, "remit.csv", b"bad"), b'{"line": 3}')
    second = folders.move_to_error(claim_one(folders, "remit.csv", b"worse"), b'{"line": 9}')

    assert first == posixpath.join(folders.error, "remit.csv")
    assert second == posixpath.join(folders.error, "remit.1.csv")
    assert folders.fs.cat_file(first + ".error.json") == b'{"line": 3}'
    assert folders.fs.cat_file(second + ".error.json") == b'{"line": 9}'
    assert folders.fs.cat_file(second) == b"worse"


def test_a_leftover_report_keeps_its_name_taken(folders: PartnerFolders) -> None:
    folders.fs.makedirs(folders.error, exist_ok=True)
    folders.fs.pipe_file(posixpath.join(folders.error, "remit.csv.error.json"), b"old")

    path = folders.move_to_error(claim_one(folders, "remit.csv"), b"new")

    assert posixpath.basename(path) == "remit.1.csv"
    assert folders.fs.cat_file(posixpath.join(folders.error, "remit.csv.error.json")) == b"old"


def test_release_puts_the_file_back_under_a_free_name(folders: PartnerFolders) -> None:
    claimed = claim_one(folders, "remit.csv", b"mine")
    drop(folders, "remit.csv", b"the partner's next file")

    path = folders.release(claimed)

    assert path == posixpath.join(folders.incoming, "remit.1.csv")
    assert folders.fs.cat_file(path) == b"mine"
    assert {f.name for f in folders.list_new(settle_seconds=0)} == {"remit.csv", "remit.1.csv"}
    assert folders.list_claimed() == []


def test_replay_returns_a_file_from_error_to_incoming(folders: PartnerFolders) -> None:
    folders.move_to_error(claim_one(folders, "remit.csv", b"fixed now"), b"{}")

    path = folders.replay("remit.csv")

    assert path == posixpath.join(folders.incoming, "remit.csv")
    assert folders.fs.cat_file(path) == b"fixed now"
    assert names_in(folders, folders.error) == {"remit.csv.error.json"}


@pytest.mark.parametrize(
    ("name", "error", "match"),
    [
        ("absent.csv", RemoteFileMissing, "absent.csv"),
        ("remit.csv.error.json", UnsafeRemoteName, "error report"),
        ("../outbound/x.csv", UnsafeRemoteName, "plain file name"),
        ("", UnsafeRemoteName, "plain file name"),
    ],
)
def test_replay_refuses_what_it_cannot_replay(
    folders: PartnerFolders, name: str, error: type[Exception], match: str
) -> None:
    folders.move_to_error(claim_one(folders, "remit.csv"), b"{}")
    with pytest.raises(error, match=match):
        folders.replay(name)


# Uploading


def test_upload_writes_the_file_and_leaves_no_part_file(folders: PartnerFolders) -> None:
    path = folders.upload("invoices-0001.csv", b"id,total\n1,10.00\n")

    assert path == posixpath.join(folders.outgoing, "invoices-0001.csv")
    assert folders.fs.cat_file(path) == b"id,total\n1,10.00\n"
    assert names_in(folders, folders.outgoing) == {"invoices-0001.csv"}


def test_upload_never_overwrites(folders: PartnerFolders) -> None:
    folders.upload("invoices-0001.csv", b"first")
    with pytest.raises(RemoteFileExists, match=r"invoices-0001\.csv already exists"):
        folders.upload("invoices-0001.csv", b"second")
    assert folders.fs.cat_file(posixpath.join(folders.outgoing, "invoices-0001.csv")) == b"first"
    assert names_in(folders, folders.outgoing) == {"invoices-0001.csv"}


@pytest.mark.parametrize("name", ["", ".", "..", "a/b.csv", "..\\b.csv", "x.csv.part", "a\0b"])
def test_upload_refuses_unsafe_names(folders: PartnerFolders, name: str) -> None:
    with pytest.raises(UnsafeRemoteName):
        folders.upload(name, b"x")
    assert names_in(folders, folders.outgoing) == set()


def test_upload_to_a_missing_partner_folder_is_named(open_folders: OpenFolders) -> None:
    folders = open_folders(outgoing="missing-inbound")
    with pytest.raises(RemoteFolderMissing, match="missing-inbound"):
        folders.upload("invoices.csv", b"x")
