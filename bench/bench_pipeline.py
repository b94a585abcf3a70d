"""kg run (shards on Dask) and kg load (the bulk path), against the one-machine commands, in one run.

    .venv/bin/python bench/bench_pipeline.py [--train PATH] [--limit N] [--skip-train | --train-only]

Every command runs as a new process (start-up included), as a user runs it, with SOURCE_DATE_EPOCH
fixed so that the graphs of two runs compare (their extraction time is the same).

  equivalence  the seeds, and PolNeAR dev when ../shared has it (its 84 articles): `kg run --workers 2`
               (a LocalCluster of two worker processes) at several partition sizes, the shards' files
               concatenated in reverse order and sorted, against `kg extract --format jsonl` and
               `--format nq`, sorted: equal byte for byte or not.
  overhead     PolNeAR train (or --train, the first --limit articles): `kg run --workers 2` against
               `kg extract --jobs 2 --format jsonl`, wall time; the ratio (target <= 1.2).
  load         `kg load` of that run into a new store against the writes of `kg ingest --jobs 2` of the
               same articles into another (its summary's "write" seconds: the article graphs, the
               agents, the surname merges; not its extraction nor its regroup); the ratio (target >= 3),
               and whether the two stores hold the same quads.
"""
from __future__ import annotations

import argparse
import itertools
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "eval" / "polnear"
GROUPS = "<https://w3id.org/kg-attribution/graph/claim-groups> ."
CPU = [0.0]  # the last command's CPU seconds
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONPATH": str(ROOT)}


def kg(*args, check: bool = True) -> tuple[float, str]:
    """Run `kg ARGS` as a new process: (wall seconds, stderr); a failure stops the bench (with `check`;
    else its error lines are printed). Its CPU seconds (its own and its children's: user + system) are
    left in CPU[0]."""
    clock, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True, env=ENV)
    seconds, after = time.perf_counter() - clock, resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[0] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode != 0 and check:
        sys.exit(f"kg {' '.join(map(str, args))} failed:\n{done.stderr}")
    if done.returncode != 0:
        print(f"  kg {args[0]} failed (exit status {done.returncode}):", *done.stderr.splitlines()[:-1], sep="\n    ")
    return seconds, done.stderr


def phases(out: Path) -> str:
    """Where kg run's wall time went, from its files' times of change: until the first shard was
    done (the cluster's start, the models' load, one shard), the shards, the reduce."""
    start = (out / "kg-run.json").stat().st_mtime
    done = sorted(f.stat().st_mtime for f in (out / "shards").glob("*.done"))
    end = (out / "corpus" / "groups.nq").stat().st_mtime
    return (f"first shard done after {done[0] - start:.1f} s, the other shards {done[-1] - done[0]:.1f} s, "
            f"the reduce {end - done[-1]:.1f} s")


def shard_lines(out: Path, suffix: str) -> list[str]:
    files = sorted((out / "shards").glob(f"*.{suffix}"), reverse=True)  # any order of the shards
    return sorted(line for f in files for line in f.read_text(encoding="utf-8").splitlines())


def equivalence(name: str, inputs: list, partitions: list[int], tmp: Path) -> None:
    expected = {}
    for fmt in ("jsonl", "nq"):
        kg("extract", *inputs, "--format", fmt, "-o", tmp / f"{name}.{fmt}")
        expected[fmt] = sorted((tmp / f"{name}.{fmt}").read_text(encoding="utf-8").splitlines())
    for size in partitions:
        out = tmp / f"{name}-run-{size}"
        seconds, _ = kg("run", *inputs, "--out", out, "--workers", 2, "--partition", size)
        shards = len(list((out / "shards").glob("*.done")))
        same = {fmt: shard_lines(out, fmt) == expected[fmt] for fmt in expected}
        print(f"  {name:6} partition {size:3}: {shards:3} shards, {seconds:5.1f} s; jsonl "
              f"{'equal' if same['jsonl'] else 'DIFFERENT'} ({len(expected['jsonl'])} articles), nq "
              f"{'equal' if same['nq'] else 'DIFFERENT'} ({len(expected['nq'])} quads)")


def store_quads(location: Path, tmp: Path) -> list[str]:
    out = tmp / f"{location.name}.nq"
    kg("export", "--format", "nq", "-o", out, "--store", location)
    return sorted(set(out.read_text(encoding="utf-8").splitlines()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=Path, default=SHARED / "train.jsonl")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles of --train")
    parser.add_argument("--skip-train", action="store_true", help="the equivalence only")
    parser.add_argument("--train-only", action="store_true", help="the overhead and the load only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-bench-pipeline-") as name:
        tmp = Path(name)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        if not args.train_only:
            print("equivalence: the concatenated shards of kg run --workers 2 against kg extract")
            equivalence("seeds", [ROOT / "seeds"], [1, 2], tmp)
            if (SHARED / "dev.jsonl").is_file():
                equivalence("dev", [SHARED / "dev.jsonl"], [7, 32, 100], tmp)
        if args.skip_train or not args.train.is_file():
            return
        train = args.train
        if args.limit:
            train = tmp / "train.jsonl"
            with open(args.train, encoding="utf-8") as f:
                train.write_text("".join(itertools.islice(f, args.limit)), encoding="utf-8")
        with open(train, encoding="utf-8") as f:
            articles = sum(1 for line in f if line.strip())
        print(f"overhead: {articles} articles of {args.train.name}")
        extract_seconds, _ = kg("extract", train, "--jobs", 2, "--format", "jsonl", "-o", tmp / "train.jsonl.out")
        extract_cpu = CPU[0]
        run_seconds, run_err = kg("run", train, "--out", tmp / "train-run", "--workers", 2)
        run_cpu = CPU[0]
        print(f"  kg extract --jobs 2   {extract_seconds:6.1f} s  ({articles / extract_seconds:.1f} articles/s; "
              f"CPU {extract_cpu:.1f} s)")
        print(f"  kg run --workers 2    {run_seconds:6.1f} s  ({articles / run_seconds:.1f} articles/s; "
              f"CPU {run_cpu:.1f} s; {run_err.strip().splitlines()[-1]})")
        print(f"                        {phases(tmp / 'train-run')}")
        print(f"  ratio run / extract   {run_seconds / extract_seconds:6.2f}  (target <= 1.2); CPU "
              f"{run_cpu / extract_cpu:.2f}")
        print("load: kg load of the run against kg ingest's writes of the same articles")
        load_seconds, load_err = kg("load", tmp / "train-run", "--store", tmp / "loaded")
        _, ingest_err = kg("ingest", train, "--jobs", 2, "--store", tmp / "ingested", check=False)
        write = float(re.search(r"write ([\d.]+)", ingest_err).group(1))
        summary = load_err.strip().splitlines()[-1]
        inside = float(re.search(r"([\d.]+) s$", summary).group(1))
        print(f"  kg ingest --jobs 2 writes  {write:6.1f} s  ({ingest_err.strip().splitlines()[-1]})")
        print(f"  kg load                    {inside:6.1f} s  ({load_seconds:.1f} s as a process; {summary})")
        print(f"  ratio ingest writes / load {write / inside:6.2f}  (target >= 3; "
              f"{write / load_seconds:.2f} with kg load's start-up)")
        loaded, ingested = store_quads(tmp / "loaded", tmp), store_quads(tmp / "ingested", tmp)
        print(f"  the two stores hold {'the same' if loaded == ingested else 'DIFFERENT'} quads")
        if loaded != ingested:  # a failed regroup leaves the ingested store without its claim groups
            articles = [[q for q in quads if GROUPS not in q] for quads in (loaded, ingested)]
            print(f"  ... outside the claim-groups graph: {'the same' if articles[0] == articles[1] else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
