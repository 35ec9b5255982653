"""A small SFTP server (asyncssh) over one folder: one user, password or key, chrooted.

The host key is generated once into a state folder and reused, so a known_hosts line printed
by one run still matches the next, as it would for a real partner's server.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from connector.sandbox.errors import SandboxStartError

HOST_KEY_FILE = "sftp_host_ed25519"


@dataclass
class SftpAccount:
    """The one user the server accepts, and the public keys authorized for it."""

    username: str
    password: str
    authorized_keys: list[asyncssh.SSHKey] = field(default_factory=list)

    def accepts_password(self, username: str, password: str) -> bool:
        return username == self.username and hmac.compare_digest(
            password.encode(), self.password.encode()
        )

    def accepts_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return username == self.username and any(
            key.public_data == allowed.public_data for allowed in self.authorized_keys
        )


def read_public_keys(keys: Iterable[str | Path]) -> list[asyncssh.SSHKey]:
    """OpenSSH public keys given as text (``ssh-ed25519 AAAA...``) or as paths to .pub files."""
    loaded = []
    for key in keys:
        try:
            if isinstance(key, Path):
                loaded.append(asyncssh.read_public_key(key))
            else:
                loaded.append(asyncssh.import_public_key(key))
        except (OSError, asyncssh.KeyImportError) as error:
            raise SandboxStartError(
                f"cannot use authorized key {str(key)[:40]!r}: {error}",
                hint="pass an OpenSSH public key line or the path of a .pub file",
            ) from None
    return loaded


def load_host_key(state_dir: Path) -> asyncssh.SSHKey:
    """The server's ed25519 host key, generated into ``state_dir`` on first use."""
    path = state_dir / HOST_KEY_FILE
    try:
        if path.exists():
            return asyncssh.read_private_key(path)
        state_dir.mkdir(parents=True, exist_ok=True)
        key = asyncssh.generate_private_key("ssh-ed25519")
        key.write_private_key(path)
        path.chmod(0o600)
        return key
    except (OSError, asyncssh.KeyImportError) as error:
        raise SandboxStartError(
            f"cannot read or create the SFTP host key at {path}: {error}",
            hint="delete the file to have a new key generated, or pick another state folder",
        ) from None


def known_hosts_line(host: str, port: int, key: asyncssh.SSHKey) -> str:
    """The line a client puts in known_hosts; OpenSSH brackets any host with a non-22 port."""
    name = host if port == 22 else f"[{host}]:{port}"
    algorithm, data = key.export_public_key("openssh").decode().split()[:2]
    return f"{name} {algorithm} {data}"


class _Gatekeeper(asyncssh.SSHServer):
    def __init__(self, server: SftpServer) -> None:
        self.server = server

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        self.server.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self.conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return self.server.account.accepts_password(username, password)

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return self.server.account.accepts_key(username, key)


class SftpServer:
    """SFTP sessions only (no shell, exec, scp or forwarding), chrooted to ``root``."""

    def __init__(self, root: Path, account: SftpAccount, host_key: asyncssh.SSHKey) -> None:
        self.root = root
        self.account = account
        self.host_key = host_key
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self._acceptor: asyncssh.SSHAcceptor | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen, and return the port actually bound (``port`` 0 picks a free one)."""
        chroot = str(self.root).encode()
        try:
            self._acceptor = await asyncssh.listen(
                host,
                port,
                server_host_keys=[self.host_key],
                server_factory=lambda: _Gatekeeper(self),
                sftp_factory=lambda channel: asyncssh.SFTPServer(channel, chroot=chroot),
                allow_scp=False,
                allow_pty=False,
                agent_forwarding=False,
                x11_forwarding=False,
                reuse_address=True,
            )
        except OSError as error:
            raise SandboxStartError(
                f"the SFTP server cannot listen on {host}:{port}: {error}",
                hint="pick another port, or 0 for any free port",
            ) from None
        return self._acceptor.get_port()

    async def close(self) -> None:
        """Stop listening and end open sessions, which closing the listener alone leaves open."""
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
        for conn in list(self.connections):
            conn.close()
            await conn.wait_closed()
