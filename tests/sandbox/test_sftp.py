"""The SFTP server: host key pinned by the printed known_hosts line, password and key auth,
and file operations that stay inside the chroot."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncssh
import pytest

from connector.sandbox import Sandbox
from connector.sandbox.errors import SandboxStartError


def connect(sandbox: Sandbox, **auth) -> asyncssh.SSHClientConnection:
    info = sandbox.info
    return asyncssh.connect(
        info.sftp_host,
        info.sftp_port,
        username=auth.pop("username", info.sftp_user),
        known_hosts=asyncssh.import_known_hosts(info.sftp_host_key),
        client_keys=auth.pop("client_keys", None),
        agent_path=None,
        **auth,
    )


def test_known_hosts_line_format(sandbox: Sandbox) -> None:
    name, algorithm, data = sandbox.info.sftp_host_key.split()
    assert name == f"[127.0.0.1]:{sandbox.info.sftp_port}"
    assert algorithm == "ssh-ed25519"
    assert data.startswith("AAAA")


def test_password_login_upload_list_rename(sandbox: Sandbox) -> None:
    async def session() -> list[str]:
        async with (
            connect(sandbox, password=sandbox.info.sftp_password) as conn,
            conn.start_sftp_client() as sftp,
        ):
            await sftp.mkdir("/inbound")
            async with sftp.open("/inbound/invoices.csv.part", "wb") as remote:
                await remote.write(b"id,amount\n1,10.00\n")
            await sftp.rename("/inbound/invoices.csv.part", "/inbound/invoices.csv")
            return sorted(await sftp.listdir("/inbound"))

    names = asyncio.run(session())
    assert [n for n in names if not n.startswith(".")] == ["invoices.csv"]
    on_disk = Path(sandbox.info.sftp_root) / "inbound" / "invoices.csv"
    assert on_disk.read_bytes() == b"id,amount\n1,10.00\n"


def test_chroot_hides_the_outside(sandbox: Sandbox) -> None:
    (Path(sandbox.info.sftp_root) / "marker.txt").write_text("inside")

    async def session() -> tuple[str, list[str]]:
        async with (
            connect(sandbox, password=sandbox.info.sftp_password) as conn,
            conn.start_sftp_client() as sftp,
        ):
            return await sftp.realpath("/../.."), sorted(await sftp.listdir("/../.."))

    top, names = asyncio.run(session())
    assert top == "/"
    assert "marker.txt" in names


def test_key_login(tmp_path: Path) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    public = key.export_public_key("openssh").decode()
    with Sandbox(
        root=tmp_path / "sftp", state_dir=tmp_path / "state", authorized_keys=[public]
    ) as sb:

        async def session() -> str:
            async with connect(sb, client_keys=[key]) as conn, conn.start_sftp_client() as sftp:
                return await sftp.getcwd()

        assert asyncio.run(session()) == "/"


def test_key_added_while_running_and_unknown_key_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    with pytest.raises(asyncssh.PermissionDenied):
        asyncio.run(_open_and_close(connect(sandbox, client_keys=[stranger])))
    pub = tmp_path / "stranger.pub"
    stranger.write_public_key(pub)
    sandbox.authorize_key(pub)
    asyncio.run(_open_and_close(connect(sandbox, client_keys=[stranger])))


@pytest.mark.parametrize(
    "auth",
    [{"password": "wrong"}, {"username": "root", "password": "PASSWORD"}],
)
def test_wrong_credentials_are_refused(sandbox: Sandbox, auth: dict) -> None:
    if auth["password"] == "PASSWORD":
        auth = {**auth, "password": sandbox.info.sftp_password}
    with pytest.raises(asyncssh.PermissionDenied):
        asyncio.run(_open_and_close(connect(sandbox, **auth)))


def test_shell_sessions_are_refused(sandbox: Sandbox) -> None:
    async def session() -> None:
        async with connect(sandbox, password=sandbox.info.sftp_password) as conn:
            await conn.run("ls", check=True)

    with pytest.raises((asyncssh.ChannelOpenError, asyncssh.ProcessError)):
        asyncio.run(session())


def test_a_different_host_key_is_rejected(sandbox: Sandbox) -> None:
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode()
    line = f"[127.0.0.1]:{sandbox.info.sftp_port} {' '.join(other.split()[:2])}"

    async def session() -> None:
        async with asyncssh.connect(
            "127.0.0.1",
            sandbox.info.sftp_port,
            username=sandbox.info.sftp_user,
            password=sandbox.info.sftp_password,
            known_hosts=asyncssh.import_known_hosts(line),
            client_keys=None,
            agent_path=None,
        ):
            pass

    with pytest.raises(asyncssh.HostKeyNotVerifiable):
        asyncio.run(session())


def test_host_key_persists_across_restarts(tmp_path: Path) -> None:
    keys = []
    for _ in range(2):
        with Sandbox(root=tmp_path / "sftp", state_dir=tmp_path / "state") as sb:
            keys.append(sb.info.sftp_host_key.split(maxsplit=1)[1])
    assert keys[0] == keys[1]
    assert (tmp_path / "state" / "sftp_host_ed25519").stat().st_mode & 0o077 == 0


def test_unreadable_host_key_is_a_start_error(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "sftp_host_ed25519").write_text("not a key")
    with pytest.raises(SandboxStartError, match="host key"):
        Sandbox(root=tmp_path / "sftp", state_dir=state).start()


def test_bad_authorized_key_is_a_start_error(tmp_path: Path) -> None:
    with pytest.raises(SandboxStartError, match="authorized key"):
        Sandbox(
            root=tmp_path / "sftp", state_dir=tmp_path / "state", authorized_keys=["ssh-rsa nope"]
        )


async def _open_and_close(connecting) -> None:
    async with connecting:
        pass
