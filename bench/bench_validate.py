"""`kg validate` against pyshacl given the shipped shapes whole, on the same store, in the same run.

    .venv/bin/python bench/bench_validate.py STORE [--repeat 1]

kg.Graph.validate runs the shapes' SHACL-SPARQL constraint (a text span's words as long as its
offsets) once over the store in Oxigraph, and pyshacl the rest in place; the baseline is what it
did before (FAULTS.md F16): pyshacl with the shapes as shipped on a copy of the data, which parses
and runs the SPARQL query anew for every text span. Both must find the same violations.
STORE is a kg store directory (e.g. PolNeAR dev ingested: `kg ingest --store /tmp/dev
../shared/eval/polnear/dev.jsonl`); it is only read.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.graph import Graph, _quiet, _violations  # noqa: E402
from kg.vocab import AGENTS_GRAPH, GROUPS_GRAPH, ontology_path  # noqa: E402


def baseline(graph: Graph) -> list[str]:
    """The violations as pyshacl finds them with the shapes as shipped (the validate of before)."""
    import pyshacl
    import rdflib

    data = rdflib.Graph()
    for name in graph.store.graphs():
        buffer = io.BytesIO()
        graph.store.export("nt", buffer, name)
        data.parse(data=buffer.getvalue().decode("utf-8"), format="nt")
    shapes = rdflib.Graph().parse(ontology_path("shapes.ttl"), format="turtle")
    with _quiet("rdflib"):
        conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    return [] if conforms else _violations(report)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)
    with Graph(args.store, create=False, read_only=True) as graph:
        graphs = graph.store.graphs()
        print(f"{args.store}: {len([g for g in graphs if g not in (str(AGENTS_GRAPH), str(GROUPS_GRAPH))])} "
              f"article graphs, {graph.store.count():,} triples")
        times: dict[str, list[float]] = {"pyshacl, shapes whole": [], "kg validate": []}
        found = {}
        for _ in range(args.repeat):  # alternated: both meet the same load
            for name, run in (("pyshacl, shapes whole", lambda: baseline(graph)),
                              ("kg validate", lambda: graph.validate()[1])):
                start = time.perf_counter()
                found[name] = run()
                times[name].append(time.perf_counter() - start)
                print(f"  {name:<22} {times[name][-1]:8.1f} s   {len(found[name])} violations")
    old, new = (min(t) for t in times.values())
    same = sorted(found["pyshacl, shapes whole"]) == sorted(found["kg validate"])
    print(f"\nkg validate / baseline: {new / old:.2f} of the time (best of {args.repeat}); "
          f"same violations: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
