"""A partner's remote folders over fsspec: SFTP (through sshfs) with checked host keys, or local
and in-memory folders for trials and tests."""

from connector.transport.endpoint import Endpoint
from connector.transport.errors import (
    HostKeyError,
    InvalidEndpoint,
    RemoteFileExists,
    RemoteFileMissing,
    RemoteFolderMissing,
    RemoteOperationFailed,
    RemotePermissionDenied,
    TransportAuthError,
    TransportUnavailable,
    UnsafeRemoteName,
)
from connector.transport.filesystem import close_filesystem, open_filesystem
from connector.transport.folders import (
    DEFAULT_SETTLE_SECONDS,
    ClaimedFile,
    PartnerFolders,
    RemoteFile,
)

__all__ = [
    "DEFAULT_SETTLE_SECONDS",
    "ClaimedFile",
    "Endpoint",
    "HostKeyError",
    "InvalidEndpoint",
    "PartnerFolders",
    "RemoteFile",
    "RemoteFileExists",
    "RemoteFileMissing",
    "RemoteFolderMissing",
    "RemoteOperationFailed",
    "RemotePermissionDenied",
    "TransportAuthError",
    "TransportUnavailable",
    "UnsafeRemoteName",
    "close_filesystem",
    "open_filesystem",
]
