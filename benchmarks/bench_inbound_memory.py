"""Peak memory of mapping a large remittance CSV: in batches, beside parsing it whole.

A CSV of the Acme remittance layout is generated in a temporary directory (outside the
measurement, deleted afterwards). Each side maps it in a child process of its own, which reports
its peak resident memory (VmHWM) when done: the streaming side through
`InboundSection.iter_batches`, keeping only the counts; the baseline reads the file's bytes and
maps them with `InboundSection.parse`, as the flow does for a file of ordinary size. Parsing
whole takes about 14 times the file's size (200 MB of CSV peaked at 2.9 GB), so a whole 2 GB file
would not fit this machine: the baseline maps the first `--baseline-mb` (default 256) only, and
its counts must equal the streaming side's on that same part. Value: the streaming peak for the
whole file in MB; baseline: the whole-file peak for its first part. Size: `--mb N` or
BENCH_INBOUND_MEMORY_MB (default 2048).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bench_inbound_csv import make_csv  # noqa: E402
from benchmarks.harness import report  # noqa: E402

FILE_NAME = "REMIT_20240601.csv"
BLOCK_ROWS = 100_000  # rows generated once and written again until the file is large enough


def write_file(path: Path, megabytes: int) -> None:
    block = make_csv(BLOCK_ROWS)
    header, _, rows = block.partition(b"\r\n")
    with path.open("wb") as out:
        out.write(header + b"\r\n")
        while out.tell() < megabytes * 1_000_000:
            out.write(rows)


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1000
    raise RuntimeError("no VmHWM in /proc/self/status")


def child(mode: str, path: Path) -> None:
    """Map the file one way and print the counts and the peak as one JSON line."""
    from connector.mapping import load_mapping

    section = load_mapping(REPO / "mappings" / "acme_distribution.map").inbound("payment")
    if mode == "stream":
        batches = section.iter_batches(path, FILE_NAME)
    else:
        batches = iter([section.parse(path.read_bytes(), FILE_NAME)])
    records = rejected = warnings = 0
    for batch in batches:
        records += batch.frame.height
        rejected += len(batch.rejected)
        warnings += len(batch.warnings)
    counts = {"records": records, "rejected": rejected, "warnings": warnings}
    print(json.dumps({**counts, "peak_mb": peak_mb()}))


def measure(mode: str, path: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"the {mode} child failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--mb", type=int, default=int(os.environ.get("BENCH_INBOUND_MEMORY_MB", "2048"))
    )
    parser.add_argument(
        "--baseline-mb", type=int, default=256, help="size of the part parsed whole"
    )
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="bench_inbound_memory_"))
    try:
        free_mb = shutil.disk_usage(folder).free / 1_000_000
        if free_mb < args.mb * 1.5:
            print(f"not enough disk in {folder}: {free_mb:.0f} MB free", file=sys.stderr)
            return 1
        path, part = folder / FILE_NAME, folder / "part" / FILE_NAME
        part.parent.mkdir()
        write_file(path, args.mb)
        write_file(part, min(args.baseline_mb, args.mb))
        size, part_size = path.stat().st_size / 1e6, part.stat().st_size / 1e6
        print(f"{size:.0f} MB remittance CSV; its first {part_size:.0f} MB for the baseline")
        streamed = measure("stream", path)
        print(f"in batches (iter_batches), {size:.0f} MB: peak {streamed['peak_mb']:.0f} MB")
        whole = measure("whole", part)
        print(f"whole file (parse), {part_size:.0f} MB: peak {whole['peak_mb']:.0f} MB")
        streamed_part = measure("stream", part)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    counts = ("records", "rejected", "warnings")
    if [streamed_part[k] for k in counts] != [whole[k] for k in counts]:
        print(f"counts differ: {streamed_part} vs {whole}", file=sys.stderr)
        return 1
    print(f"  {streamed['records']} records, {streamed['rejected']} refused in the whole file")
    report(
        "inbound_memory",
        streamed["peak_mb"],
        f"whole-file parse of its first {part_size:.0f} MB",
        whole["peak_mb"],
        "< 1024 MB peak",
        unit="MB",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
