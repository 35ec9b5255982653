"""Turning what fsspec, sshfs and asyncssh raise mid-operation into the transport's own errors.

``FileNotFoundError`` and ``FileExistsError`` pass through untouched: for a claim or a rename
they are answers (someone else took the file, the name is taken), and the caller decides what
they mean.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

import asyncssh
from fsspec.asyn import FSTimeoutError

from connector.transport.errors import (
    RemoteOperationFailed,
    RemotePermissionDenied,
    TransportUnavailable,
)

# How a server hangs up, during the handshake or mid-operation.
HANGUPS = (asyncssh.DisconnectError, ConnectionError, asyncssh.ChannelOpenError)
TIMEOUTS = (FSTimeoutError, asyncio.TimeoutError)


@contextmanager
def remote_errors(action: str, where: str) -> Iterator[None]:
    """Name the action and place of any other failure, e.g. ``uploading x.csv`` at ``host:22``."""
    try:
        yield
    except (FileNotFoundError, FileExistsError):
        raise
    except (PermissionError, asyncssh.SFTPPermissionDenied):
        raise RemotePermissionDenied(
            f"{where} refused {action}: permission denied",
            hint="ask the partner to grant this account access to the folder",
        ) from None
    except (*HANGUPS, *TIMEOUTS) as exc:
        raise TransportUnavailable(
            f"lost the connection to {where} while {action}: {reason(exc)}",
            hint="the run can be retried; nothing is moved until an operation completes",
        ) from None
    except (OSError, asyncssh.Error) as exc:
        raise RemoteOperationFailed(
            f"{where} failed {action}: {reason(exc)}",
            hint="check the folder on the server (disk full, wrong folder settings)",
        ) from None


def reason(exc: BaseException) -> str:
    if isinstance(exc, TIMEOUTS):
        return "timed out"
    detail = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
    return detail or type(exc).__name__
