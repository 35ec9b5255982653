"""Every file sent is archived on an fsspec URL, so a file the partner lost can be resent."""

from __future__ import annotations

from datetime import datetime

import fsspec

from connector import settings


class Archive:
    """Files kept under ``BASE/PARTNER/YYYY/MM/NAME``; never overwritten."""

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = (base_url or (settings.home() / "archive").as_uri()).rstrip("/")

    def keep(self, partner: str, name: str, content: bytes, when: datetime) -> str:
        url = f"{self.base_url}/{partner}/{when:%Y}/{when:%m}/{name}"
        fs, path = fsspec.core.url_to_fs(url)
        if fs.exists(path):
            raise FileExistsError(f"archive already holds {url}")
        fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        fs.pipe_file(path, content)
        return url

    @staticmethod
    def read(url: str) -> bytes:
        with fsspec.open(url, "rb") as handle:
            return handle.read()
