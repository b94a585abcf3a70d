"""Extraction streams: peak memory for 1,000 documents against 100, in the same run.

    /tmp/kgvenv/bin/python bench/bench_memory.py [CORPUS] [--sizes 100,1000] [--pool N] [--mode auto|cli|api]

Each size runs in its own fresh child process, and the peak resident set size
(ru_maxrss from os.wait4 on that child) is compared: if extraction streams, ten
times the documents cost no more memory (target: ratio ~1.0).

The documents are the first --pool articles of CORPUS, repeated in order under
new ids up to each size. The peak is set by the heaviest batch of 16 that spaCy
parses, so the default pool is a multiple of 16 (the largest one up to the
smallest size): then every batch of every run is one of the same few batches of
the pool, and the runs differ only in how many documents they stream. (With 84
articles cycled, 1,000 documents would meet 21 different batches against 7 in
100, and a heavier batch, not growth, would raise the peak.) They are written to a
temporary JSONL outside the project (deleted afterwards), then the child runs

    python -m kg extract TMP.jsonl --format jsonl -o /dev/null      (--mode cli)

or, while kg has no CLI, the same through the API: iter_documents ->
extract_articles -> one JSON line per record, to /dev/null (--mode api).
--trace N (API mode) has the child print its peak and current RSS and the
number of live spaCy Docs every N documents: streaming keeps about one batch of
Docs alive; a leak, or Docs in reference cycles awaiting the collector, climbs.
CORPUS defaults to PolNeAR dev in ../shared; see bench_extract.py for fallbacks.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extract import BATCH_SIZE, DEFAULT_DEV, ROOT, load_articles, words  # noqa: E402

API_CHILD = """
import gc, json, os, resource, sys
from spacy.tokens import Doc
from kg.documents import InputError, iter_documents
from kg.extract import extract_articles

trace = int(sys.argv[2])
articles = (a for a in iter_documents(sys.argv[1]) if not isinstance(a, InputError))
with open(os.devnull, "w", encoding="utf-8") as out:
    for n, (article, records) in enumerate(extract_articles(articles), 1):
        for record in records:
            out.write(json.dumps({"article": article.id, **record.to_dict()}, ensure_ascii=False) + "\\n")
        if trace and n % trace == 0:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            with open("/proc/self/statm") as statm:
                now = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
            docs = sum(isinstance(o, Doc) for o in gc.get_objects())
            print(f"         after {n:>5} documents: peak {peak:6.1f} MiB, now {now:6.1f} MiB, "
                  f"{docs} spaCy Docs alive", file=sys.stderr)
"""


def cli_available(env: dict) -> bool:
    """`python -m kg extract` exists (kg/cli/ and kg/__main__.py) and answers --help."""
    if not ((ROOT / "kg" / "cli.py").exists() and (ROOT / "kg" / "__main__.py").exists()):
        return False
    probe = subprocess.run([sys.executable, "-m", "kg", "extract", "--help"], env=env, cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return probe.returncode == 0


def write_corpus(path: str, articles, n: int) -> int:
    """n documents, cycling over `articles` (new ids from the second round on); returns their words."""
    total = 0
    with open(path, "w", encoding="utf-8") as f:
        for k in range(n):
            a = articles[k % len(articles)]
            round_ = k // len(articles)
            record = {"id": a.id if round_ == 0 else f"{a.id}~{round_}", "text": a.text, "title": a.title,
                      "publisher": a.publisher, "published": a.published}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            total += words(a.body)
    return total


def peak_rss(command: list[str], env: dict) -> tuple[int, float]:
    """(peak RSS in KiB, wall seconds) of a child process, from wait4's rusage."""
    sys.stdout.flush()  # the child's --trace lines (stderr) come after what is printed so far
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"error: {' '.join(command)} exited with {child.returncode}")
    return usage.ru_maxrss, time.perf_counter() - start  # KiB on Linux


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT_DEV),
                    help="JSONL/.txt/.html file or directory, or 'synthetic' (default: PolNeAR dev in ../shared)")
    ap.add_argument("--sizes", default="100,1000", help="document counts, comma-separated (default 100,1000)")
    ap.add_argument("--pool", type=int,
                    help=f"distinct articles to cycle over (default: the largest multiple of {BATCH_SIZE} "
                         "up to the smallest size and the corpus)")
    ap.add_argument("--mode", choices=("auto", "cli", "api"), default="auto",
                    help="child runs the kg CLI or the API (auto: the CLI if it exists)")
    ap.add_argument("--trace", type=int, default=0, metavar="N",
                    help="API mode: the child prints its peak and current RSS every N documents")
    args = ap.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    mode = args.mode
    if mode == "auto":
        mode = "cli" if cli_available(env) else "api"
    if args.trace and mode == "cli":
        print("note: --trace works in API mode only", file=sys.stderr)

    articles, label = load_articles(args.corpus, args.pool or sizes[0])
    if not args.pool and len(articles) >= BATCH_SIZE:
        del articles[len(articles) // BATCH_SIZE * BATCH_SIZE:]
    if not articles:
        print("error: no articles", file=sys.stderr)
        return 2
    print(f"corpus: {label}: the first {len(articles)} articles, cycled up to each size")
    child = ("python -m kg extract TMP --format jsonl -o /dev/null" if mode == "cli"
             else "API (iter_documents + extract_articles -> jsonl to /dev/null)")
    print(f"child: {child}")

    peaks = {}
    with tempfile.TemporaryDirectory(prefix="kg-bench-memory-") as tmp:
        for n in sizes:
            path = os.path.join(tmp, f"corpus-{n}.jsonl")
            n_words = write_corpus(path, articles, n)
            if mode == "cli":
                command = [sys.executable, "-m", "kg", "extract", path, "--format", "jsonl", "-o", os.devnull]
            else:
                command = [sys.executable, "-c", API_CHILD, path, str(args.trace)]
            peaks[n], seconds = peak_rss(command, env)
            print(f"{n:>6} documents, {n_words:>9,} words: peak RSS {peaks[n] / 1024:7.1f} MiB   "
                  f"({seconds:.0f} s, {n_words / seconds:,.0f} words/s)", flush=True)
    print_ratio(peaks, sizes)
    return 0


def print_ratio(peaks: dict, sizes: list[int]) -> None:
    small, large = sizes[0], sizes[-1]
    ratio = peaks[large] / peaks[small]
    print(f"ratio peak {large} / peak {small}: {ratio:.3f}   "
          f"(target ~1.0: {'streams' if ratio <= 1.1 else 'memory grows with the corpus'})")


if __name__ == "__main__":
    sys.exit(main())
