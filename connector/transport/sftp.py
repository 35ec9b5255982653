"""sshfs's filesystem with the two things partner folders need and sshfs does not offer.

``rename_no_replace``: sshfs's ``mv`` uses posix-rename (which silently replaces the target) and
falls back to copy-and-delete, neither of which can claim a file or refuse to overwrite one. The
plain SFTP v3 rename refuses an existing target and, on OpenSSH, is a link-then-unlink, so of
two clients renaming one file exactly one succeeds.

``close``: sshfs only closes its connection when the object is garbage-collected; a worker that
polls many partners must not keep their connections open until then.
"""

from __future__ import annotations

import errno
import os

from asyncssh.sftp import SFTPFailure, SFTPNoSuchFile
from fsspec.asyn import sync_wrapper
from sshfs import SSHFileSystem


class PartnerSFTPFileSystem(SSHFileSystem):
    """An sshfs filesystem that can rename without replacing and can be closed on demand."""

    async def _rename_no_replace(self, source: str, target: str) -> None:
        async with self._pool.get() as channel:
            try:
                await channel.rename(source, target)
            except SFTPNoSuchFile:
                raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), source) from None
            except SFTPFailure:
                # SFTP v3 reports an existing target only as a generic failure.
                if await channel.exists(target):
                    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), target) from None
                raise

    async def _close(self) -> None:
        await self._pool.close()
        await self._stack.aclose()

    rename_no_replace = sync_wrapper(_rename_no_replace)
    close = sync_wrapper(_close)
