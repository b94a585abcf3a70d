"""What whole reads cost on an endpoint: each named question's text against `oxigraph serve`, read
as one answer (the baseline: what kg did before), whole (a COUNT of its rows, then the answer:
kg.store.RemoteStore.query_whole under the oxigraph profile), and paged (the COUNT, then pages of
--page rows, as under the virtuoso profile), in the same run; p50 of --runs each, and the ratios.

    .venv/bin/python bench/bench_endpoint.py [--triples 300000] [--runs 5] [--page 10000] [--store DIR]

The graph: bench/synthetic_graph.py, written with pyoxigraph's bulk loader into a kg store directory
(bench_query.build), which `oxigraph serve` then serves. --store DIR keeps it (reused when it is one).
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_ingest import OxigraphServer  # noqa: E402
from bench_query import build  # noqa: E402
from synthetic_graph import Generator  # noqa: E402

from pyoxigraph import Literal  # noqa: E402

from kg import query as q  # noqa: E402
from kg.store import MARKER, RemoteStore  # noqa: E402


def questions(store) -> dict:
    """name -> (query text with the prefixes, bindings): the reads kg makes whole."""
    top = q.select(store, "SELECT ?label (COUNT(?a) AS ?n) WHERE { GRAPH ?g { ?a kg:source ?s } "
                          "GRAPH kgg:agents { ?s rdfs:label ?label } } GROUP BY ?label ORDER BY DESC(?n) LIMIT 1")
    relay = q.select(store, "SELECT ?label (COUNT(?a) AS ?n) WHERE { GRAPH ?g { ?a kg:relayOrder ?o ; kg:source ?s } "
                            "GRAPH kgg:agents { ?s rdfs:label ?label } } GROUP BY ?label ORDER BY DESC(?n) LIMIT 1")
    source, via, lateral = top[0][0].value, relay[0][0].value, store.lateral
    return {
        f"attributions --source {source!r}": (q.attributions_query({"sourceName"}, lateral),
                                              {"sourceName": Literal(source)}),
        f"attributions --via {via!r}": (q.attributions_query({"viaName"}, lateral), {"viaName": Literal(via)}),
        f"who-said {source.split()[-1]!r}": (q.who_said_query(lateral), {"name": Literal(source.split()[-1])}),
        "sources": (q.named("sources"), None),
        "attributions (the whole flat view)": (q.attributions_query(set(), lateral), None),
        "read_claims (regroup's read)": (q.named("read_claims"), None),
    }


def p50(work, runs: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        rows = len(list(work()))
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page", type=int, default=10_000)
    parser.add_argument("--store", help="keep the store in this directory (reused when it is a kg store)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        path = args.store or str(Path(scratch) / "store")
        if not (Path(path) / MARKER).is_file():
            start = time.perf_counter()
            figures = build(path, Generator(7), args.triples, "bulk")
            print(f"built {figures['triples']:,} triples ({figures['attributions']:,} attributions) in "
                  f"{time.perf_counter() - start:.1f} s")
        server = OxigraphServer(path)
        try:
            store = RemoteStore(server.base)
            paged = RemoteStore(server.base)
            paged.profile = dataclasses.replace(paged.profile, page=args.page)
            print(f"oxigraph serve on {server.base}; p50 of {args.runs} runs, seconds; pages of {args.page:,} rows")
            print(f"{'question':48} {'rows':>8} {'one answer':>11} {'whole':>8} {'paged':>8} {'whole/one':>10} "
                  f"{'paged/one':>10}")
            for name, (text, bindings) in questions(store).items():
                text = q.with_prefixes(text)
                one, rows = p50(lambda t=text, b=bindings: store.query(t, b), args.runs)
                whole, whole_rows = p50(lambda t=text, b=bindings: store.query_whole(t, b), args.runs)
                by_page, paged_rows = p50(lambda t=text, b=bindings: paged.query_whole(t, b), args.runs)
                assert rows == whole_rows == paged_rows, (name, rows, whole_rows, paged_rows)
                print(f"{name[:48]:48} {rows:>8,} {one:>11.3f} {whole:>8.3f} {by_page:>8.3f} {whole / one:>10.2f} "
                      f"{by_page / one:>10.2f}", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
