"""Transport fixtures: the session's OpenSSH server and partner folders on each backend.

The folder tests run on memory://, file:// and sftp:// alike, so the claim and move logic is
shown to hold independent of SFTP and then again against the real server.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from connector.transport import (
    Endpoint,
    PartnerFolders,
    close_filesystem,
    open_filesystem,
)
from tests.fixtures.sshd import SshdServer

OpenFolders = Callable[..., PartnerFolders]


def sftp_endpoint(server: SshdServer, path: str = "", **overrides: object) -> Endpoint:
    """Key login with the server's real host key, unless a test overrides a field."""
    fields: dict[str, object] = {
        "url": server.url + path,
        "username": server.username,
        "private_key_path": str(server.private_key_path),
        "known_hosts": server.known_hosts_line,
    }
    fields.update(overrides)
    return Endpoint(**fields)


@pytest.fixture(params=["memory", "file", "sftp"])
def endpoint(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Endpoint]:
    """A fresh base folder on one backend holding the partner's inbound and outbound folders."""
    unique = uuid.uuid4().hex
    if request.param == "sftp":
        made = sftp_endpoint(request.getfixturevalue("sshd"), f"/{unique}")
    elif request.param == "file":
        made = Endpoint(url=f"file://{tmp_path / unique}")
    else:
        made = Endpoint(url=f"memory://{unique}")
    fs = open_filesystem(made)
    try:
        for folder in ("inbound", "outbound"):
            fs.makedirs(f"{made.path}/{folder}", exist_ok=True)
        yield made
        if request.param == "memory":
            fs.rm(made.path, recursive=True)
    finally:
        close_filesystem(fs)


@pytest.fixture
def open_folders(endpoint: Endpoint) -> Iterator[OpenFolders]:
    """Open PartnerFolders on the test's endpoint, as many as a test needs; all closed after."""
    opened: list[PartnerFolders] = []

    def open_(**options: object) -> PartnerFolders:
        folders = PartnerFolders.open(endpoint, **options)
        opened.append(folders)
        return folders

    yield open_
    for folders in opened:
        folders.close()


@pytest.fixture
def folders(open_folders: OpenFolders) -> PartnerFolders:
    return open_folders()
