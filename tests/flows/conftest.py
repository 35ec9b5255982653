"""End-to-end fixtures: a real Prefect (one harness per session), the sandbox API, real sshd."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from connector.blocks import SftpCredentials
from connector.demo_setup import partner_settings, save_credentials
from connector.partners import PartnerSettings
from connector.store import Store

SSHD_BLOCK = "test-sshd"


@pytest.fixture(scope="session")
def prefect():
    """Prefect's own test harness: a temporary server for the whole session (it costs ~10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def partner_dir(sshd, tmp_path) -> Path:
    """The partner's base folder on the SFTP server, seen locally, with its two folders."""
    base = sshd.root / tmp_path.name
    for folder in (base, base / "inbound", base / "outbound"):
        folder.mkdir()
        _give_to(folder, sshd)
    return base


@pytest.fixture
def partner(prefect, sandbox, sshd, partner_dir, tmp_path) -> PartnerSettings:
    """Acme wired to the sandbox's FreshBooks and to a real OpenSSH server, in a fresh folder."""
    save_credentials(sandbox)
    SftpCredentials(username=sshd.username, password=SecretStr(sshd.password)).save(
        SSHD_BLOCK, overwrite=True
    )
    base = partner_dir
    return partner_settings(
        sandbox,
        remote_url=f"sftp://{sshd.host}:{sshd.port}{sshd.remote(base)}",
        sftp_credentials=SSHD_BLOCK,
        known_hosts=sshd.known_hosts_line,
        archive_url=(tmp_path / "archive").as_uri(),
    )


@pytest.fixture
def incoming(partner_dir) -> Path:
    """Where the partner drops files for us (their outbound folder)."""
    return partner_dir / "outbound"


@pytest.fixture
def outgoing(partner_dir) -> Path:
    """Where we upload for the partner (their inbound folder)."""
    return partner_dir / "inbound"


@pytest.fixture
def store():
    with Store.open() as opened:
        yield opened


def _give_to(path, sshd) -> None:
    """The SFTP user must own its folder; sshd's test user is not the test process's user."""
    import os
    import shutil

    owner = sshd.root.stat()
    shutil.chown(path, owner.st_uid, owner.st_gid)
    os.chmod(path, 0o755)
