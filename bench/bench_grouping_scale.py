"""Grouping that scales: peak RSS and milliseconds a new claim of an ingest with grouping, as the store grows.

    .venv/bin/python bench/bench_grouping_scale.py [--sizes 20000,50000,100000,200000] [--store DIR] [--split]
        [--regroup] [--repeat 3]

A synthetic store (bench/synthetic_graph.py: made-up articles of 3-20 attributions, PER_DAY published
a day, resolved agents; no spaCy and no corpus, so nothing under ../shared is needed) is grown to
each size as kg ingest grows it: BATCH articles written (their graphs, the agents merged), then their
claims grouped through the store's claim index (kg.corroborate.current_index and update, what
kg.graph.ingest_and_regroup calls), written ARTICLES_PER_WRITE articles a write as kg ingest writes
them. At each size fresh processes (--repeat, 3) each ingest the next PROBE articles the same way;
the median of their peak RSS (ru_maxrss) and of their grouping time a new claim is printed with its
ratio to the first size's, the baseline of the same run. With --split the next
PROBE articles are written in one fresh process and grouped in another: the peak RSS of the write
alone (the store's share) beside the grouping's, and the grouping's own peak of the Python heap
(tracemalloc: the index's work, without RocksDB's buffers).
With --regroup a fresh process also rebuilds every group from scratch (kg.corroborate.regroup) at
each size. The probe's
articles stay in the store (they are the next ones of the growth).

The synthetic graph's own words are windows of one short passage (every claim would share words
with every other), so ClaimText draws them from a made-up vocabulary of VOCABULARY words with Zipf's
law, as news words are, and makes RESTATED of them restatements of a recent one (a word or two
changed), so that groups form.
"""
from __future__ import annotations

import argparse
import collections
import itertools
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from synthetic_graph import Generator  # noqa: E402

from kg import corroborate, rdf  # noqa: E402
from kg.ingest import ARTICLES_PER_WRITE
from kg.store import LocalStore  # noqa: E402
from kg.vocab import AGENTS_GRAPH, RDFS_LABEL  # noqa: E402

VOCABULARY, ZIPF = 50_000, 1.1
RESTATED = 0.15            # share of contents that restate one of the RECENT last contents
RECENT = 2_000
EPOCH, PER_DAY = date(2015, 1, 1), 40   # articles published one day after another, PER_DAY a day
BATCH = 100                # articles written and grouped at a time while growing
PROBE = 100                # articles of the measured ingest
MODEL, AGENTS = "synthetic", str(AGENTS_GRAPH)


class ClaimText(Generator):
    """The synthetic graph with Zipf-distributed words and restatements (see above)."""

    def __init__(self, seed: int = 7):
        super().__init__(seed)
        syllables = ["".join(p) for p in itertools.product("bdfgklmnprstvz", "aeiou")]
        vocab = (a + b + c for a, b, c in itertools.product(syllables, repeat=3))
        self.vocab = list(itertools.islice(vocab, VOCABULARY))
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) ** ZIPF for rank in range(VOCABULARY)))
        self.recent: collections.deque = collections.deque(maxlen=RECENT)

    def words(self, lo: int, hi: int) -> str:
        rng = self.rng
        if self.recent and rng.random() < RESTATED:
            words = list(rng.choice(self.recent))
            for _ in range(rng.randint(1, 2)):
                words[rng.randrange(len(words))] = rng.choices(self.vocab, cum_weights=self.cumulative)[0]
        else:
            words = rng.choices(self.vocab, cum_weights=self.cumulative, k=rng.randint(lo, hi))
        self.recent.append(tuple(words))
        return " ".join(words)


def write_batch(store, gen: ClaimText, first: int, count: int) -> tuple[list[str], int]:
    """Write articles first .. first + count - 1 (deterministic: the generator reseeded by `first`) as
    kg ingest does; their IRIs and how many claims they hold."""
    gen.rng.seed(first)
    made = [(replace(a, published=(EPOCH + timedelta(days=k // PER_DAY)).isoformat()), records, p)
            for k in range(first, first + count) for a, records, p in [gen.article(k)]]
    iris = []
    for k in range(0, len(made), ARTICLES_PER_WRITE):  # a write as kg ingest's: ARTICLES_PER_WRITE articles
        part = made[k:k + ARTICLES_PER_WRITE]
        graphs = {rdf.article_iri(a.id): rdf.article_triples(a, records, publisher=p, model=MODEL) for a, records, p in part}
        agents = list(dict.fromkeys(t for a, records, p in part
                                    for t in rdf.agent_triples(gen.entities_of(records, p), gen.register)))
        labels = list({s for s, pred, _ in agents if pred == RDFS_LABEL})
        store.replace_graphs(graphs, merge={AGENTS: agents}, relabel={AGENTS: labels})
        iris += graphs
    return iris, sum(len(records) for _, records, _ in made)  # every attribution has a claim


def group_batch(store, index, articles: list[str]) -> float:
    """Group the claims of `articles` as kg ingest does after writing them; the seconds it took."""
    clock = time.perf_counter()
    try:
        corroborate.update(store, index, articles, {}) if index else corroborate.regroup(store)
    finally:
        if index:
            index.close()
    return time.perf_counter() - clock


def ingest_batch(store, gen: ClaimText, first: int, count: int) -> tuple[int, float]:
    """Write articles first .. first + count - 1, then group their claims: (claims, grouping seconds)."""
    index = corroborate.current_index(store)  # before the write, as kg.graph.ingest_and_regroup
    articles, claims = write_batch(store, gen, first, count)
    return claims, group_batch(store, index, articles)


def probe(path: str, first: int, part: str) -> None:
    """In a fresh process: ingest PROBE articles with grouping (part "ingest"), or only write them
    ("write"), or only group them once written ("group"); print claims, grouping seconds, peak RSS."""
    gen = ClaimText(seed=7)
    corroborate.Analyzer()  # the entity register read, as kg ingest's resolver has read it before grouping
    store = LocalStore(path)
    if part == "ingest":
        claims, seconds = ingest_batch(store, gen, first, PROBE)
    elif part == "write":
        claims, seconds = write_batch(store, gen, first, PROBE)[1], 0.0
    else:  # the seconds: the peak of the Python heap while grouping (tracemalloc), in MB
        gen.rng.seed(first)
        articles = [rdf.article_iri(gen.article(k)[0].id) for k in range(first, first + PROBE)]
        index = corroborate.current_index(store)
        tracemalloc.start()
        group_batch(store, index, articles)
        claims, seconds = 0, tracemalloc.get_traced_memory()[1] / 2 ** 20
    store.close()
    print(claims, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def probe_regroup(path: str) -> None:
    store = LocalStore(path)
    clock = time.perf_counter()
    summary = corroborate.regroup(store)
    seconds = time.perf_counter() - clock
    store.close()
    print(summary.claims, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def fresh(*args: str) -> list[float]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True).stdout
    return [float(x) for x in out.split()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="20000,50000,100000,200000", help="claims in the store at each measure")
    ap.add_argument("--store", help="grow the store in this directory (default: a temporary one)")
    ap.add_argument("--regroup", action="store_true", help="also time kg regroup from scratch at each size")
    ap.add_argument("--repeat", type=int, default=3, help="probes at each size (the median is printed)")
    ap.add_argument("--split", action="store_true",
                    help="also write the next PROBE articles in one fresh process and group them in another: "
                         "the peak RSS of each part (the baseline of the grouping's: the write's)")
    ap.add_argument("--probe", nargs=3, metavar=("STORE", "FIRST", "PART"), help=argparse.SUPPRESS)
    ap.add_argument("--probe-regroup", metavar="STORE", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.probe:
        probe(args.probe[0], int(args.probe[1]), args.probe[2])
        return 0
    if args.probe_regroup:
        probe_regroup(args.probe_regroup)
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    path = str(Path(args.store or tempfile.mkdtemp(prefix="kg-grouping-scale-")) / "store")
    gen = ClaimText(seed=7)
    claims, first, grow_seconds, rows = 0, 0, 0.0, []
    print(f"store {path}; probe: {PROBE} new articles ingested with grouping in a fresh process", flush=True)
    for size in sizes:
        store = LocalStore(path)
        clock = time.perf_counter()
        while claims < size:
            claims += ingest_batch(store, gen, first, BATCH)[0]
            first += BATCH
        grow_seconds += time.perf_counter() - clock
        store.close()
        probes = []   # the median of several: a process's peak varies with the flushes it happens to run
        for _ in range(args.repeat):
            probes.append(fresh("--probe", path, str(first), "ingest"))
            first += PROBE
        row = {"size": claims, "new": int(statistics.median(n for n, _, _ in probes)),
               "ms": statistics.median(1000 * s / n for n, s, _ in probes),
               "rss": statistics.median(r for _, _, r in probes)}
        claims += sum(int(n) for n, _, _ in probes)
        if args.split:
            more, _, row["write_rss"] = fresh("--probe", path, str(first), "write")
            _, row["heap"], row["group_rss"] = fresh("--probe", path, str(first), "group")
            first += PROBE
            claims += int(more)
        if args.regroup:
            _, row["regroup_s"], row["regroup_rss"] = fresh("--probe-regroup", path)
        rows.append(row)
        base = rows[0]
        line = (f"{row['size']:>8,} claims: +{row['new']} claims grouped in {row['ms']:.2f} ms a claim "
                f"(x{row['ms'] / base['ms']:.2f}), peak RSS {row['rss']:.0f} MB (x{row['rss'] / base['rss']:.2f})")
        if args.split:
            line += (f"; write alone {row['write_rss']:.0f} MB (x{row['write_rss'] / base['write_rss']:.2f}), "
                     f"grouping alone {row['group_rss']:.0f} MB (x{row['group_rss'] / base['group_rss']:.2f}), "
                     f"its Python heap at most {row['heap']:.1f} MB (x{row['heap'] / base['heap']:.2f})")
        if args.regroup:
            line += (f"; regroup from scratch {row['regroup_s']:.1f} s, peak RSS {row['regroup_rss']:.0f} MB "
                     f"(x{row['regroup_rss'] / base['regroup_rss']:.2f})")
        print(line + f"   [growing so far: {grow_seconds:.0f} s]", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
