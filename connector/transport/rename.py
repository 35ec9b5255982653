"""One rename that never replaces its target, on every filesystem an endpoint can open.

Claims, uploads and moves all rest on it: of two renames racing for one source exactly one
succeeds (the other sees ``FileNotFoundError``), and a rename onto an existing name fails with
``FileExistsError`` instead of destroying that file.
"""

from __future__ import annotations

import contextlib
import os
import threading

import fsspec
from fsspec.implementations.local import LocalFileSystem
from fsspec.implementations.memory import MemoryFileSystem

from connector.transport.sftp import PartnerSFTPFileSystem

# Memory filesystems share one store per process, so one lock covers every instance.
_MEMORY_LOCK = threading.Lock()


def rename_no_replace(fs: fsspec.AbstractFileSystem, source: str, target: str) -> None:
    if isinstance(fs, PartnerSFTPFileSystem):
        fs.rename_no_replace(source, target)
    elif isinstance(fs, LocalFileSystem):
        _rename_local(source, target)
    elif isinstance(fs, MemoryFileSystem):
        _rename_memory(fs, source, target)
    else:
        raise TypeError(f"no atomic rename for {type(fs).__name__}")


def _rename_local(source: str, target: str) -> None:
    """link() refuses an existing target; the unlink decides which of two racing links won."""
    os.link(source, target)
    try:
        os.unlink(source)
    except FileNotFoundError:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        raise


def _rename_memory(fs: MemoryFileSystem, source: str, target: str) -> None:
    with _MEMORY_LOCK:
        if not fs.isfile(source):
            raise FileNotFoundError(source)
        if fs.exists(target):
            raise FileExistsError(target)
        fs.mv(source, target)
