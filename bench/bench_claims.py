"""`kg claims` on a large store: each listing as a fresh process, against opening the store.

    .venv/bin/python bench/bench_claims.py STORE [--runs 3]

STORE: a kg store with claim groups (PolNeAR train: `kg ingest train.jsonl` with the ids of the
PolNeAR documents; bench_ingest.py --keep DIR leaves one). It is only read.

Each command runs --runs times as a new process (median wall time): first the baseline, `kg query
'ASK {}'` (process start, imports, opening the store, one query), then `kg claims`, `--min-sources 2`
and `--single-source` as a person runs them at a terminal (stdout a pseudo-terminal: the first page of
groups, kg.cli.common.TERMINAL_PAGE), then the same with `--limit 0 --format csv` into a pipe
(every group, as a script gets them). Printed: seconds, the ratio to the baseline, and the groups and
rows written.
"""
from __future__ import annotations

import argparse
import os
import pty
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KG = [sys.executable, "-m", "kg"]


def run(args: list[str], terminal: bool) -> tuple[float, bytes, bytes]:
    """One run of `kg ARGS` (stdout a pseudo-terminal or a pipe): (seconds, stdout, stderr)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    clock = time.perf_counter()
    if not terminal:
        done = subprocess.run(KG + args, capture_output=True, env=env, check=True)
        return time.perf_counter() - clock, done.stdout, done.stderr
    main, child = pty.openpty()
    process = subprocess.Popen(KG + args, stdout=child, stderr=subprocess.PIPE, env=env)
    os.close(child)
    out = bytearray()
    while True:  # read as it is written, or the child blocks on a full terminal buffer
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    err = process.stderr.read()
    if process.wait():
        sys.exit(f"kg {' '.join(args)} failed: {err.decode(errors='replace')}")
    os.close(main)
    return time.perf_counter() - clock, bytes(out), err


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    store = ["--store", args.store]
    cases = [("baseline: kg query 'ASK {}'", ["query", "ASK {}"], False)]
    for name, options in (("kg claims", []), ("kg claims --min-sources 2", ["--min-sources", "2"]),
                          ("kg claims --single-source", ["--single-source"])):
        cases.append((f"{name} (terminal)", ["claims", *options], True))
    for name, options in (("kg claims", []), ("kg claims --min-sources 2", ["--min-sources", "2"]),
                          ("kg claims --single-source", ["--single-source"])):
        cases.append((f"{name} --limit 0 --format csv", ["claims", *options, "--limit", "0", "--format", "csv"], False))
    base = None
    print(f"{'command':<48} {'s (median)':>10} {'x baseline':>10}  output")
    for name, command, terminal in cases:
        samples, out, err = [], b"", b""
        for _ in range(args.runs):
            seconds, out, err = run(command + store, terminal)
            samples.append(seconds)
        median = statistics.median(samples)
        base = base or median
        said = err.decode(errors="replace").strip().splitlines()
        print(f"{name:<48} {median:>10.2f} {median / base:>10.2f}  {len(out):,} bytes; {' '.join(said[-2:])[:90]}")


if __name__ == "__main__":
    main()
