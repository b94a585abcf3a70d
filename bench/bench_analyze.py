"""`kg analyze` and `kg render` on a real ingested corpus, against `kg stats` in the same run.

    kg ingest ../shared/eval/polnear/train.jsonl --store /tmp/kg-train     # once (outside the project)
    /tmp/kgvenv/bin/python bench/bench_analyze.py /tmp/kg-train [--runs 3]

Times, as the user meets them (a fresh `python -m kg` process each, imports included):
  kg stats      one counting query: the baseline (process start, imports, opening the store)
  kg analyze    three queries and PageRank (target on PolNeAR train: < 10 s)
  kg render     the whole graph as a page, cut to --max-nodes 2000 (target for 2,000 nodes: < 3 s,
                < 2 MB; bench_render.py measures it on generated graphs)
and then, in this process, analyze()'s parts: its two queries and the rest (PageRank, tables), and
render's: network.build (the store's queries and the networkx picture) and render.to_html.
Medians of --runs; the ratio to `kg stats` is what to compare across machines.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed_process(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"kg {' '.join(args)} failed: {done.stderr.strip()}")
    return seconds


def median_of(runs: int, fn) -> float:
    return statistics.median(fn() for _ in range(runs))


def seconds_of(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store", help="a kg store directory (made by kg ingest)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--max-nodes", type=int, default=2000)
    args = parser.parse_args()

    import kg
    from kg import analyze, network, render
    from kg import query as q

    store = ["--store", args.store]
    with tempfile.TemporaryDirectory(prefix="kg-bench-analyze-") as tmp:
        page = os.path.join(tmp, "graph.html")
        stats = median_of(args.runs, lambda: timed_process(["stats", *store]))
        whole = median_of(args.runs, lambda: timed_process(["analyze", *store]))
        drawn = median_of(args.runs, lambda: timed_process(["render", "-o", page, "--max-nodes",
                                                            str(args.max_nodes), *store]))
        size = Path(page).stat().st_size

    with kg.Graph(args.store, read_only=True) as graph:
        counts = {r["figure"]: r["value"] for r in graph.stats()}
        queries = median_of(args.runs, lambda: seconds_of(
            lambda: [q.records(q.run(graph.store, q.named(n))) for n in ("analyze_claims", "analyze_hops")])[0])
        total, report = seconds_of(lambda: analyze.analyze(graph))
        built, net = seconds_of(lambda: network.build(graph))
        paged, (_, nodes, edges, dropped) = seconds_of(lambda: render.to_html(net, max_nodes=args.max_nodes))

    print(f"store {args.store}: {counts.get('articles')} articles, {counts.get('attributions')} attributions, "
          f"{counts.get('triples')} triples; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"kg stats    {stats:6.2f} s  (baseline: process, imports, store, one count)")
    print(f"kg analyze  {whole:6.2f} s  x{whole / stats:.2f} of kg stats (target < 10 s: "
          f"{'met' if whole < 10 else 'NOT met'}); {report['claims']} claims")
    print(f"   inside: queries {queries:.2f} s, the rest {max(total - queries, 0):.2f} s (of {total:.2f} s)")
    print(f"kg render   {drawn:6.2f} s  x{drawn / stats:.2f} of kg stats; {size / 1e6:.2f} MB")
    print(f"   inside: network.build {built:.2f} s ({net.number_of_nodes()} nodes, {net.number_of_edges()} edges), "
          f"render.to_html {paged:.2f} s ({nodes} nodes, {edges} edges shown, {dropped} dropped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
