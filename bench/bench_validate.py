"""`kg validate` at two sizes: time and peak memory per article, sliced (as kg validates) and whole.

    .venv/bin/python bench/bench_validate.py SMALL LARGE [--repeat 1] [--no-whole]

SMALL and LARGE are kg stores of the same kind of articles (e.g. PolNeAR dev and train ingested:
`kg ingest --store /tmp/dev ../shared/eval/polnear/dev.jsonl`); they are only read. Each run is a
new `python -m kg validate` process: its wall time and peak RSS (wait4). "sliced" is kg validate as
shipped (kg.validate.SLICE_NODES nodes a pyshacl run); "whole" the same with one slice, the whole
store in one rdflib graph: the validate of before (FAULTS.md F16), the baseline measured in the
same run. Both must list the same violations. The runs alternate, so that both meet the same load.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUN = "import sys, kg.validate; kg.validate.SLICE_NODES = int(sys.argv[1]) or kg.validate.SLICE_NODES; " \
      "from kg.cli import main; main(sys.argv[2:], prog_name='kg')"
MODES = {"sliced": 0, "whole": 10**12}  # nodes a slice (0: as shipped)


def run(store: str, mode: str) -> tuple[float, float, float, int, list[str]]:
    """(seconds, CPU seconds, peak RSS in MiB, articles, violation lines) of one `kg validate` in a
    new process."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", RUN, str(MODES[mode]), "validate", "--store", store],
                                 cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=out, stderr=err)
        _, _, usage = os.wait4(child.pid, 0)  # this child's own peak RSS
        seconds = time.perf_counter() - start
        out.seek(0), err.seek(0)
        out, err = out.read(), err.read()
    checked = re.search(r"(\d+) graphs? checked", err)
    if not checked:
        sys.exit(f"kg validate failed on {store}: {err.strip()}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, int(checked.group(1)), out.splitlines()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("small")
    ap.add_argument("large")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-whole", action="store_true", help="skip the baseline (the whole store in one run)")
    args = ap.parse_args(argv)
    modes = ["sliced"] if args.no_whole else ["sliced", "whole"]
    best: dict[tuple[str, str], tuple] = {}  # (store, mode) -> the fastest run's (s, CPU s, MiB, articles)
    found: dict[tuple[str, str], list[str]] = {}
    for _ in range(args.repeat):
        for store in (args.small, args.large):
            for mode in modes:
                *figures, lines = run(store, mode)
                found[store, mode] = lines
                best[store, mode] = min(best.get((store, mode), figures), figures)
                seconds, cpu, peak, articles = figures
                print(f"  {mode:<6} {store}: {articles} articles, {seconds:7.1f} s, CPU {cpu:7.1f} s "
                      f"({cpu / articles:.3f} s an article), peak {peak:6.0f} MiB, {len(lines)} violations", flush=True)
    print()
    for mode in modes:
        (t_small, c_small, m_small, n_small), (t_large, c_large, m_large, n_large) = \
            best[args.small, mode], best[args.large, mode]
        print(f"{mode:<6} {n_large / n_small:.1f}x the articles: per article {(t_large / n_large) / (t_small / n_small):.2f}x "
              f"the time, {(c_large / n_large) / (c_small / n_small):.2f}x the CPU; {m_large / m_small:.2f}x the peak "
              f"memory ({m_small:.0f} -> {m_large:.0f} MiB)")
    same = True
    if not args.no_whole:
        for store in (args.small, args.large):
            agree = sorted(found[store, "sliced"]) == sorted(found[store, "whole"])
            same = same and agree
            (t_sliced, c_sliced, m_sliced, _), (t_whole, c_whole, m_whole, _) = best[store, "sliced"], best[store, "whole"]
            print(f"{store}: sliced / whole {t_sliced / t_whole:.2f} of the time, {c_sliced / c_whole:.2f} of the CPU, "
                  f"{m_sliced / m_whole:.2f} of the peak memory; same violations: {'yes' if agree else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
