"""A third-party format plugin: pipe-separated text with a header line, `a|b|c`."""

from collections.abc import Mapping

import polars as pl

from connector.formats import FileFormatError, Format


class PipeFormat(Format):
    name = "pipe"
    settings = frozenset()

    def options(self, settings: Mapping[str, str]) -> None:
        return None

    def read(self, data: bytes, options: None) -> pl.DataFrame:
        lines = data.decode("utf-8").splitlines()
        if not lines:
            raise FileFormatError("the file is empty")
        header = lines[0].split("|")
        rows = [line.split("|") for line in lines[1:] if line]
        for number, row in enumerate(rows, 2):
            if len(row) != len(header):
                raise FileFormatError(f"line {number} has {len(row)} fields", line=number)
        return pl.DataFrame(rows, schema=header, orient="row")

    def write(self, frame: pl.DataFrame, options: None) -> bytes:
        lines = ["|".join(frame.columns)]
        lines += ["|".join("" if v is None else v for v in row) for row in frame.iter_rows()]
        return ("\n".join(lines) + "\n").encode("utf-8")
