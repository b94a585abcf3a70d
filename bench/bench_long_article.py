"""One long article: time and peak memory of `kg extract` at 2 MB against 500 KB, in the same run.

    .venv/bin/python bench/bench_long_article.py [--sizes 500000,2000000] [--kind news|oneline|nested]

Work per article must be linear in its length (issue 14, F6/F7/F17): the target is at most 4.6x
the time and 4x the peak RSS for 4x the text. Each size is written to a temporary .txt (outside
the project, deleted afterwards) and extracted by a fresh child,

    python -m kg extract TMP.txt --format jsonl -o /dev/null

whose wall time and peak RSS (ru_maxrss from os.wait4) are compared with the first size's.

--kind news: the seeds' paragraphs repeated, each made unique by a number at its end (ordinary
news sentences); oneline: the same words on one line with no punctuation (F7); nested: `“He said `
repeated, never closed (F6).
"""
from __future__ import annotations

import argparse
import itertools
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def article(kind: str, size: int) -> str:
    paragraphs = [p for f in sorted((ROOT / "seeds").glob("*.txt"))
                  for p in f.read_text(encoding="utf-8").split("\n") if p.strip()]
    if kind == "nested":
        return ("“He said " * (size // 9 + 1))[:size]
    out, total = [], 0
    for n, p in zip(itertools.count(), itertools.cycle(paragraphs)):
        if total >= size:
            break
        out.append(f"{p} [{n}]" if kind == "news" else re.sub(r"[^\w ]+", " ", p))
        total += len(out[-1]) + 2
    return ("\n\n" if kind == "news" else " ").join(out)[:size] + "\n"


def run(path: str) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of `kg extract` on one file, in a fresh child."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "kg", "extract", path, "--format", "jsonl", "-o", os.devnull],
                             env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    summary = child.stderr.read().strip().splitlines()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"error: kg extract {path}: {summary[-1] if summary else status}")
    print(f"    {summary[-1] if summary else ''}")
    return wall, usage.ru_maxrss


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500000,2000000", help="article sizes in characters, comma-separated")
    ap.add_argument("--kind", choices=("news", "oneline", "nested"), default="news")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    figures = []
    with tempfile.TemporaryDirectory(prefix="kg-long-") as tmp:
        for size in sizes:
            path = os.path.join(tmp, f"{args.kind}-{size}.txt")
            with open(path, "w", encoding="utf-8") as f:
                f.write(article(args.kind, size))
            print(f"{args.kind} article of {size:,} characters:")
            wall, peak = run(path)
            figures.append((size, wall, peak))
            print(f"    {wall:7.1f} s   peak RSS {peak / 1024:7.0f} MiB")
    base_size, base_wall, base_peak = figures[0]
    print(f"\nagainst {base_size:,} characters (target for 4x the text: time <= 4.6x, memory <= 4x):")
    for size, wall, peak in figures[1:]:
        print(f"  {size:>10,}: text {size / base_size:4.1f}x   time {wall / base_wall:4.2f}x   "
              f"peak RSS {peak / base_peak:4.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
