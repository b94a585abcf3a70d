"""Ingest streams: peak memory of `kg ingest` for the whole corpus against its first 100 articles,
in the same run.

    /tmp/kgvenv/bin/python bench/bench_memory_ingest.py [CORPUS] [--sizes 100,840] [--pool N] [--jobs N]
        [--regroup inline|separate]

Each size runs in its own fresh child process,

    python -m kg ingest TMP.jsonl --store TMPDIR/store-N

into its own fresh store, and the peak resident set size (ru_maxrss from os.wait4 on that child,
as in bench_memory.py) is compared: if ingest streams, the large corpus costs no more memory
than the small one (target: ratio ~1.0). What may legitimately grow is small: the resolver's
entities (one per distinct agent) and the content hashes of the stored articles.

By default the documents are the first N articles of CORPUS (PolNeAR train in ../shared, 840
articles), so the large run also meets other, possibly heavier, batches of 16 than the small one
(see bench_memory.py); --pool P cycles the first P articles under new ids instead, so that both
runs parse the same batches and differ only in how many they write (--pool 16: every batch of 16
the same; without it the peak also follows the heaviest batch of the corpus: train's articles
624-639 hold 122k characters, the first 100's heaviest batch 109k). --regroup separate runs
`kg ingest --no-regroup`, then `kg regroup` in a process of its own, and reports both peaks: the
regrouping reads every claim of the store, so its memory follows the size of the graph. The
documents are written to a temporary JSONL outside the project (id, text, title, publisher,
published; deleted afterwards).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extract import ROOT, load_articles  # noqa: E402
from bench_ingest import DEFAULT_TRAIN, du, mib  # noqa: E402
from bench_memory import peak_rss, print_ratio, write_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT_TRAIN),
                    help="JSONL/.txt/.html file or directory, or 'synthetic' (default: PolNeAR train in ../shared)")
    ap.add_argument("--sizes", default="100,840", help="document counts, comma-separated (default 100,840)")
    ap.add_argument("--pool", type=int, help="cycle over the first P articles (default: no cycling, the first N)")
    ap.add_argument("--jobs", type=int, default=1, help="kg ingest --jobs N (default 1)")
    ap.add_argument("--regroup", choices=("inline", "separate"), default="inline",
                    help="inline (default): kg ingest as it is, regrouping the claims at the end; separate: "
                         "kg ingest --no-regroup, then kg regroup in a process of its own, each measured")
    args = ap.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))

    articles, label = load_articles(args.corpus, args.pool or sizes[-1])
    if not articles:
        print("error: no articles", file=sys.stderr)
        return 2
    if not args.pool and len(articles) < sizes[-1]:
        print(f"note: {label} has {len(articles)} articles; the larger sizes cycle over them", file=sys.stderr)
    how = f"the first {len(articles)} articles cycled" if args.pool else "the first N articles"
    print(f"corpus: {label}: {how}")
    flag = " --no-regroup, then python -m kg regroup" if args.regroup == "separate" else ""
    print(f"child: python -m kg ingest TMP.jsonl --store TMPDIR/store-N --jobs {args.jobs}{flag}; "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("KG_STORE", None)
    peaks = {}
    with tempfile.TemporaryDirectory(prefix="kg-bench-memory-ingest-") as tmp:
        for n in sizes:
            path = os.path.join(tmp, f"corpus-{n}.jsonl")
            store = os.path.join(tmp, f"store-{n}")
            n_words = write_corpus(path, articles, n)
            command = [sys.executable, "-m", "kg", "ingest", path, "--store", store, "--jobs", str(args.jobs)]
            if args.regroup == "separate":
                command.append("--no-regroup")
            peaks[n], seconds = peak_rss(command, env)  # kg ingest's summary line goes to stderr
            print(f"{n:>6} documents, {n_words:>9,} words: peak RSS {peaks[n] / 1024:7.1f} MiB   "
                  f"({seconds:.0f} s, {n / seconds:.2f} articles/s; store {mib(du(store))})", flush=True)
            if args.regroup == "separate":
                peak, seconds = peak_rss([sys.executable, "-m", "kg", "regroup", "--store", store], env)
                print(f"{'':>6} then kg regroup in its own process: peak RSS {peak / 1024:7.1f} MiB ({seconds:.1f} s)",
                      flush=True)
    print_ratio(peaks, sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
