"""Checking an SFTP server's host key against the known_hosts lines stored with the partner.

asyncssh does the matching (including @cert-authority and @revoked lines); this module adds what
asyncssh's refusal leaves out and an operator needs: which key the server actually offered, its
SHA256 fingerprint, and the exact known_hosts line to add once the partner has confirmed it.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncssh

from connector.transport.errors import HostKeyError, InvalidEndpoint

DEFAULT_SSH_PORT = 22


class HostKeyWitness(asyncssh.SSHClient):
    """Records the host key a server offered when it matched none of the trusted keys.

    asyncssh asks the client object only about keys it could not match itself, so returning
    False keeps the refusal while capturing the key for the error message.
    """

    def __init__(self) -> None:
        self.offered: asyncssh.SSHKey | None = None

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        self.offered = key
        return False


def parse_known_hosts(text: str | None, address: str) -> asyncssh.SSHKnownHosts:
    """Parse strictly: asyncssh skips a line whose key does not decode, which would turn a
    truncated paste into a puzzling "unknown host" refusal instead of naming the bad line."""
    hint = "paste the lines exactly as ssh-keyscan or ~/.ssh/known_hosts show them"
    for number, line in enumerate((text or "").splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if fields[0].startswith("@"):
            fields = fields[1:]
        try:
            asyncssh.import_public_key(" ".join(fields[1:3]))
        except (ValueError, asyncssh.KeyImportError):
            raise InvalidEndpoint(
                f"line {number} of the known_hosts text for {address} holds no readable key: "
                f"{line.strip()[:80]!r}",
                hint=hint,
            ) from None
    try:
        return asyncssh.import_known_hosts(text or "")
    except (ValueError, asyncssh.KeyImportError) as exc:
        raise InvalidEndpoint(
            f"the known_hosts text for {address} cannot be read: {exc}", hint=hint
        ) from None


def trusted_keys(
    known_hosts: asyncssh.SSHKnownHosts, host: str, port: int
) -> Sequence[asyncssh.SSHKey]:
    """The plain host keys known_hosts lists for this host (port-specific lines first)."""
    return known_hosts.match(host, "", None if port == DEFAULT_SSH_PORT else port)[0]


def known_hosts_line(host: str, port: int, key: asyncssh.SSHKey) -> str:
    pattern = host if port == DEFAULT_SSH_PORT else f"[{host}]:{port}"
    return f"{pattern} {key.export_public_key('openssh').decode().strip()}"


def describe(key: asyncssh.SSHKey) -> str:
    return f"{key.get_algorithm()} key {key.get_fingerprint('sha256')}"


def host_key_error(
    host: str, port: int, offered: asyncssh.SSHKey, trusted: Sequence[asyncssh.SSHKey]
) -> HostKeyError:
    """Refusal naming the offered key; worded as a warning when it replaces a known one."""
    line = known_hosts_line(host, port, offered)
    if trusted:
        known = ", ".join(describe(key) for key in trusted)
        return HostKeyError(
            f"SFTP server {host}:{port} offered {describe(offered)}, but known_hosts expects "
            f"{known}: the server was re-keyed or someone is intercepting the connection",
            hint=(
                "do not connect until the partner confirms the new key out of band; then replace "
                f"the endpoint's known_hosts line with: {line}"
            ),
        )
    return HostKeyError(
        f"SFTP server {host}:{port} offered {describe(offered)}, which no known_hosts line of "
        "this endpoint lists",
        hint=(
            "check the fingerprint with the partner out of band, then add this line to the "
            f"endpoint's known_hosts: {line} (or, for a test server only, mark the partner as "
            "development)"
        ),
    )
