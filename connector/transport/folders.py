"""A partner's folders: what we take from them, what we give them, and where taken files go.

Every change is a rename that never replaces its target (``rename.py``), so a file is always in
exactly one place: the partner's incoming folder, our ``processing/`` (claimed by one run), or
``processed/`` / ``error/``. Nothing is copied and deleted, so a crash between two steps leaves
the file where a later run or an operator can see it.
"""

from __future__ import annotations

import contextlib
import fnmatch
import posixpath
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import fsspec

from connector.transport.endpoint import Endpoint
from connector.transport.errors import (
    RemoteFileExists,
    RemoteFileMissing,
    RemoteFolderMissing,
    UnsafeRemoteName,
)
from connector.transport.failures import remote_errors
from connector.transport.filesystem import close_filesystem, open_filesystem
from connector.transport.names import (
    ERROR_REPORT_SUFFIX,
    PART_SUFFIX,
    candidates,
    check_name,
    claim_name,
    parse_claim_name,
)
from connector.transport.rename import rename_no_replace

DEFAULT_SETTLE_SECONDS = 5.0


@dataclass(frozen=True)
class RemoteFile:
    """A file in the incoming folder as one listing saw it."""

    name: str
    path: str
    size: int
    mtime: datetime


@dataclass(frozen=True)
class ClaimedFile:
    """A file this run owns: it sits in processing/ under a unique name."""

    name: str
    path: str
    size: int
    claimed_at: datetime

    @property
    def claimed_name(self) -> str:
        return posixpath.basename(self.path)


class PartnerFolders:
    """The partner's folders on one filesystem below one base path."""

    def __init__(
        self,
        fs: fsspec.AbstractFileSystem,
        base_path: str,
        *,
        outgoing: str = "inbound",
        incoming: str = "outbound",
        processing: str | None = None,
        processed: str | None = None,
        error: str | None = None,
        done_suffix: str | None = None,
        ignore: tuple[str, ...] = ("*" + PART_SUFFIX,),
        where: str | None = None,
        wait: Callable[[float], None] = time.sleep,
    ) -> None:
        """Folder names are relative to ``base_path``; our three areas default to sub-folders of
        the incoming one. ``done_suffix`` (e.g. ".done" for remit.csv.done) is for partners that
        signal a finished upload with a done-file; ``ignore`` lists globs never taken (unfinished
        uploads). ``where`` names the server in messages; ``wait`` is how list_new lets files
        settle. The folders own ``fs``: ``close()`` closes it.
        """
        self.fs = fs
        self.where = where or base_path or "the login folder"
        self.done_suffix = done_suffix
        self.ignore = ignore
        self._wait = wait
        self._ready: set[str] = set()
        self.outgoing = posixpath.join(base_path, outgoing)
        self.incoming = posixpath.join(base_path, incoming)
        self.processing = posixpath.join(base_path, processing or f"{incoming}/processing")
        self.processed = posixpath.join(base_path, processed or f"{incoming}/processed")
        self.error = posixpath.join(base_path, error or f"{incoming}/error")

    @classmethod
    def open(cls, endpoint: Endpoint, **options: Any) -> Self:
        """Connect to the endpoint; ``options`` are the constructor's keyword arguments."""
        options.setdefault("where", endpoint.address if endpoint.scheme == "sftp" else endpoint.url)
        return cls(open_filesystem(endpoint), endpoint.path, **options)

    def close(self) -> None:
        close_filesystem(self.fs)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Taking files from the partner

    def list_new(
        self, pattern: str = "*", *, settle_seconds: float = DEFAULT_SETTLE_SECONDS
    ) -> list[RemoteFile]:
        """Complete files in the incoming folder, oldest first.

        Complete means the partner's done-file exists when one is configured; otherwise the
        file's size and modification time did not change across two listings
        ``settle_seconds`` apart (0: one listing, for partners that upload atomically).
        """
        if settle_seconds < 0:
            raise ValueError(f"settle_seconds must be 0 or more, not {settle_seconds}")
        files, names = self._list_incoming(pattern)
        suffix = self.done_suffix
        if suffix:
            files = [file for file in files if file.name + suffix in names]
        elif settle_seconds:
            self._wait(settle_seconds)
            again = set(self._list_incoming(pattern)[0])
            files = [file for file in files if file in again]
        return sorted(files, key=lambda file: (file.mtime, file.name))

    def claim(self, file: RemoteFile) -> ClaimedFile | None:
        """Move the file into processing/; None when another run took it first."""
        self._ensure_folder(self.processing)
        claimed_at = datetime.now(UTC).replace(microsecond=0)  # as precise as the claim name
        target = posixpath.join(self.processing, claim_name(file.name, claimed_at))
        try:
            with remote_errors(f"claiming {file.name}", self.where):
                rename_no_replace(self.fs, file.path, target)
        except FileNotFoundError:
            return None
        if self.done_suffix:
            # The done-file was the partner's signal for this upload; consume it so a later
            # upload under the same name is not taken before it is finished.
            self._remove_if_present(posixpath.join(self.incoming, self._done_name(file.name)))
        return ClaimedFile(name=file.name, path=target, size=file.size, claimed_at=claimed_at)

    def list_claimed(self, older_than: float = 0) -> list[ClaimedFile]:
        """Files in processing/ claimed at least ``older_than`` seconds ago, oldest first.

        A run that stopped before finishing leaves its claims here; ``older_than`` keeps a
        recovering run from taking files a live run is still working on.
        """
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than)
        claimed = []
        with remote_errors("listing processing/", self.where):
            found = self.fs.isdir(self.processing)
            entries = self.fs.ls(self.processing, detail=True) if found else []
        for info in entries:
            claim = parse_claim_name(posixpath.basename(info["name"]))
            if info["type"] == "file" and claim is not None and claim[1] <= cutoff:
                name, claimed_at = claim
                claimed.append(ClaimedFile(name, info["name"], info["size"], claimed_at))
        return sorted(claimed, key=lambda file: (file.claimed_at, file.path))

    def read(self, claimed: ClaimedFile) -> bytes:
        """The claimed file's bytes (sshfs reads the whole file with pipelined requests)."""
        with self._claimed_present(claimed), remote_errors(f"reading {claimed.name}", self.where):
            return self.fs.cat_file(claimed.path)

    def download(self, claimed: ClaimedFile, target: Path) -> Path:
        """Copy the claimed file to a local path, for files too large to hold in memory."""
        with self._claimed_present(claimed), remote_errors(f"reading {claimed.name}", self.where):
            self.fs.get_file(claimed.path, str(target))
        return target

    # Where claimed files end up

    def move_to_processed(self, claimed: ClaimedFile) -> str:
        """Move a fully handled file to processed/; a taken name gets a counter (remit.1.csv)."""
        with self._claimed_present(claimed):
            return self._move(claimed.path, self.processed, claimed.name)

    def move_to_error(self, claimed: ClaimedFile, report: bytes) -> str:
        """Move a file that could not be used to error/ and write NAME.error.json beside it."""
        with self._claimed_present(claimed):
            path = self._move(claimed.path, self.error, claimed.name, ERROR_REPORT_SUFFIX)
        with remote_errors(f"writing the error report for {claimed.name}", self.where):
            self.fs.pipe_file(path + ERROR_REPORT_SUFFIX, report)
        return path

    def release(self, claimed: ClaimedFile) -> str:
        """Put a claimed file back into the incoming folder, for a run that gives up on it."""
        with self._claimed_present(claimed):
            return self._return_to_incoming(claimed.path, claimed.name)

    def replay(self, error_name: str) -> str:
        """Move a file from error/ back to the incoming folder, so the next run takes it again."""
        check_name(error_name, self.error)
        if error_name.endswith(ERROR_REPORT_SUFFIX):
            raise UnsafeRemoteName(
                f"{error_name!r} is an error report, not a partner file",
                hint=f"replay the file it describes: {error_name[: -len(ERROR_REPORT_SUFFIX)]}",
            )
        source = posixpath.join(self.error, error_name)
        try:
            return self._return_to_incoming(source, error_name)
        except FileNotFoundError:
            raise RemoteFileMissing(
                f"there is no {error_name!r} in {self.error} on {self.where}",
                hint="list the error folder for the exact name",
            ) from None

    # Giving files to the partner

    def upload(self, name: str, data: bytes) -> str:
        """Write NAME.part, then rename it to NAME, so the partner never sees a partial file.

        Refuses to replace an existing NAME (RemoteFileExists): the caller picks a new name.
        """
        check_name(name, self.outgoing)
        target = posixpath.join(self.outgoing, name)
        part = target + PART_SUFFIX
        with remote_errors(f"uploading {name}", self.where):
            if not self.fs.isdir(self.outgoing):
                raise RemoteFolderMissing(
                    f"the partner's inbound folder {self.outgoing} does not exist on {self.where}",
                    hint="check the outgoing folder setting, or ask the partner to create it",
                )
            if self.fs.exists(target):
                raise self._exists(name)
            try:
                self.fs.pipe_file(part, data)
                rename_no_replace(self.fs, part, target)
            except BaseException as exc:
                self._remove_if_present(part)
                if isinstance(exc, FileExistsError):
                    raise self._exists(name) from None
                raise
        return target

    # Helpers

    def _list_incoming(self, pattern: str) -> tuple[list[RemoteFile], set[str]]:
        """Files in the incoming folder matching the pattern, and every name present there."""
        with remote_errors("listing the incoming folder", self.where):
            try:
                entries = self.fs.ls(self.incoming, detail=True)
            except FileNotFoundError:
                raise RemoteFolderMissing(
                    f"the incoming folder {self.incoming} does not exist on {self.where}",
                    hint="check the incoming folder setting against the partner's server",
                ) from None
            names = {posixpath.basename(info["name"]) for info in entries}
            files = [
                RemoteFile(name, info["name"], info["size"], self._mtime(info))
                for info in entries
                if info["type"] == "file"
                and (name := posixpath.basename(info["name"]))
                and self._wanted(name, pattern)
            ]
        return files, names

    def _wanted(self, name: str, pattern: str) -> bool:
        suffix = self.done_suffix
        if suffix and name.endswith(suffix):
            return False
        if any(fnmatch.fnmatchcase(name, ignored) for ignored in self.ignore):
            return False
        return fnmatch.fnmatchcase(name, pattern)

    def _mtime(self, info: dict[str, Any]) -> datetime:
        """Listings disagree on modification times: datetime (sftp), epoch (file), none (memory)."""
        mtime = info.get("mtime")
        if isinstance(mtime, datetime):
            return mtime
        if isinstance(mtime, int | float):
            return datetime.fromtimestamp(mtime, UTC)
        return self.fs.modified(info["name"])

    def _move(self, source: str, folder: str, name: str, *companions: str) -> str:
        """Rename into folder under the first free variant of name (companion files too)."""
        self._ensure_folder(folder)
        with remote_errors(f"moving {name} to {folder}", self.where):
            taken = {posixpath.basename(path) for path in self.fs.ls(folder, detail=False)}
            free = (
                candidate
                for candidate in candidates(name)
                if candidate not in taken and not any(candidate + c in taken for c in companions)
            )
            while True:
                target = posixpath.join(folder, next(free))
                try:
                    rename_no_replace(self.fs, source, target)
                    return target
                except FileExistsError:
                    continue

    def _return_to_incoming(self, source: str, name: str) -> str:
        path = self._move(source, self.incoming, name)
        if self.done_suffix:
            done = self._done_name(posixpath.basename(path))
            with remote_errors(f"signalling {name} as complete", self.where):
                self.fs.pipe_file(posixpath.join(self.incoming, done), b"")
        return path

    def _done_name(self, name: str) -> str:
        return name + (self.done_suffix or "")

    def _ensure_folder(self, folder: str) -> None:
        if folder not in self._ready:
            with remote_errors(f"creating {folder}", self.where):
                self.fs.makedirs(folder, exist_ok=True)
            self._ready.add(folder)

    def _remove_if_present(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError), remote_errors("cleaning up", self.where):
            self.fs.rm_file(path)

    def _exists(self, name: str) -> RemoteFileExists:
        return RemoteFileExists(
            f"{name} already exists in the partner's folder {self.outgoing} on {self.where}",
            hint="upload under a new name (e.g. with the next sequence number); never overwrite",
        )

    @contextlib.contextmanager
    def _claimed_present(self, claimed: ClaimedFile) -> Iterator[None]:
        try:
            yield
        except FileNotFoundError:
            raise RemoteFileMissing(
                f"the claimed file {claimed.name} is no longer at {claimed.path} on {self.where}",
                hint="another run or an operator moved it; check processed/ and error/",
            ) from None
