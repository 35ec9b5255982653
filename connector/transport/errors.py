"""Errors raised while reaching or changing a partner's remote folders.

Each names the endpoint or the remote path involved and what the operator can do, so that a
failed flow run reads as an instruction rather than a traceback. No message ever carries a
password or key material.
"""

from __future__ import annotations

from connector.errors import ConfigurationError, TransportError


class InvalidEndpoint(ConfigurationError):
    """The endpoint's settings cannot be used to open a connection (bad key, bad known_hosts)."""


class HostKeyError(TransportError):
    """The SFTP server's host key is not the one we were told to trust."""


class TransportAuthError(TransportError):
    """The server refused the username, password or key."""


class TransportUnavailable(TransportError):
    """The server could not be reached, or the connection dropped."""


class RemotePermissionDenied(TransportError):
    """The account may log in but not read or change this remote path."""


class RemoteOperationFailed(TransportError):
    """The server refused an operation on a remote path for another reason."""


class RemoteFolderMissing(TransportError):
    """A configured partner folder does not exist on the server."""


class RemoteFileExists(TransportError):
    """An upload would replace a partner's file; the caller picks a new name."""


class RemoteFileMissing(TransportError):
    """A file we expected in one of our folders is gone (moved by someone else, or a wrong name)."""


class UnsafeRemoteName(TransportError):
    """A file name would leave its folder or hide itself (slashes, '..', empty, reserved suffix)."""
