"""Opening an endpoint as an fsspec filesystem, with the host key checked and failures named.

Every instance is created with ``skip_instance_cache=True``: fsspec would otherwise hand two flow
runs (or two tests) the same cached object and the same SSH connection, so closing one would
break the other.
"""

from __future__ import annotations

import logging
from pathlib import Path

import asyncssh
import fsspec
from fsspec.asyn import get_loop, sync
from fsspec.implementations.local import LocalFileSystem
from fsspec.implementations.memory import MemoryFileSystem

from connector.errors import TransportError
from connector.transport.endpoint import Endpoint
from connector.transport.errors import (
    InvalidEndpoint,
    TransportAuthError,
    TransportUnavailable,
)
from connector.transport.failures import TIMEOUTS, reason
from connector.transport.host_keys import (
    HostKeyWitness,
    host_key_error,
    parse_known_hosts,
    trusted_keys,
)
from connector.transport.sftp import PartnerSFTPFileSystem

logger = logging.getLogger(__name__)

# How a server that accepted the TCP connection hangs up during the SSH handshake.
HANDSHAKE_HANGUPS = (
    asyncssh.DisconnectError,
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
)


def open_filesystem(endpoint: Endpoint) -> fsspec.AbstractFileSystem:
    """A fresh filesystem for the endpoint; close it with ``close_filesystem`` when done."""
    if endpoint.scheme == "sftp":
        return _open_sftp(endpoint)
    if endpoint.scheme == "file":
        return LocalFileSystem(skip_instance_cache=True)
    return MemoryFileSystem(skip_instance_cache=True)


def close_filesystem(fs: fsspec.AbstractFileSystem) -> None:
    """Close the connection behind an SFTP filesystem; local and memory ones hold none."""
    if isinstance(fs, PartnerSFTPFileSystem):
        fs.close()


def _client_key(endpoint: Endpoint) -> asyncssh.SSHKey | None:
    passphrase = (
        endpoint.private_key_passphrase.get_secret_value()
        if endpoint.private_key_passphrase
        else None
    )
    try:
        if endpoint.private_key is not None:
            return asyncssh.import_private_key(endpoint.private_key.get_secret_value(), passphrase)
        if endpoint.private_key_path:
            return asyncssh.read_private_key(Path(endpoint.private_key_path), passphrase)
    except asyncssh.KeyImportError as exc:
        raise InvalidEndpoint(
            f"the private key for {endpoint.username}@{endpoint.address} cannot be used: {exc}",
            hint="give the key in OpenSSH or PEM form, with its passphrase if it has one",
        ) from None
    except OSError as exc:
        raise InvalidEndpoint(
            f"the private key file {endpoint.private_key_path} for {endpoint.address} cannot be "
            f"read: {exc.strerror}",
            hint="check the path and that the worker's account may read it",
        ) from None
    return None


def _open_sftp(endpoint: Endpoint) -> PartnerSFTPFileSystem:
    key = _client_key(endpoint)
    if endpoint.development:
        known_hosts = None
        logger.warning(
            "not checking the host key of %s: the partner is marked as development",
            endpoint.address,
        )
    else:
        known_hosts = parse_known_hosts(endpoint.known_hosts, endpoint.address)
    witness = HostKeyWitness()
    try:
        return PartnerSFTPFileSystem(
            endpoint.host,
            port=endpoint.port,
            username=endpoint.username,
            password=endpoint.password.get_secret_value() if endpoint.password else None,
            client_keys=[key] if key else None,
            known_hosts=known_hosts,
            client_factory=lambda: witness,
            config=[],
            agent_path=None,
            connect_timeout=endpoint.connect_timeout_seconds,
            login_timeout=endpoint.connect_timeout_seconds,
            keepalive_interval=endpoint.keepalive_seconds,
            # sshfs's own bound on the whole setup: the TCP connect and the login each get
            # connect_timeout above, so allow both.
            timeout=endpoint.connect_timeout_seconds * 2,
            skip_instance_cache=True,
        )
    except (PermissionError, asyncssh.PermissionDenied):
        raise TransportAuthError(
            f"{endpoint.address} refused the login of {endpoint.username!r}",
            hint="check the username, password or key with the partner",
        ) from None
    except (OSError, asyncssh.Error, *TIMEOUTS) as exc:
        raise _connect_failure(endpoint, known_hosts, witness.offered, exc) from None


def _connect_failure(
    endpoint: Endpoint,
    known_hosts: asyncssh.SSHKnownHosts | None,
    offered: asyncssh.SSHKey | None,
    exc: BaseException,
) -> TransportError:
    """Name a host-key refusal precisely; anything else means the server is out of reach.

    Once known_hosts lists keys for a host, asyncssh offers only those key types, so a server
    that changed to another type hangs up during the handshake instead of offering a key to
    compare; a second, key-only handshake then finds out what the server holds now.
    """
    trusted = trusted_keys(known_hosts, endpoint.host, endpoint.port) if known_hosts else ()
    if offered is None and trusted and isinstance(exc, HANDSHAKE_HANGUPS):
        offered = _probe_host_key(endpoint)
    if offered is not None:
        return host_key_error(endpoint.host, endpoint.port, offered, trusted)
    return TransportUnavailable(
        f"cannot reach the SFTP server at {endpoint.address}: {reason(exc)}",
        hint="check the host and port, and that this machine may connect to it (firewall)",
    )


def _probe_host_key(endpoint: Endpoint) -> asyncssh.SSHKey | None:
    try:
        return sync(
            get_loop(),
            asyncssh.get_server_host_key,
            endpoint.host,
            endpoint.port,
            config=[],
            timeout=endpoint.connect_timeout_seconds,
        )
    except (OSError, asyncssh.Error, *TIMEOUTS):
        return None
