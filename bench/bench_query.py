"""Query latency on a ~1M-triple graph: kg.query over the embedded Oxigraph store, against the same
query texts in rdflib, in the same run.

    /tmp/kgvenv/bin/python bench/bench_query.py [--triples 1000000] [--runs 20] [--build replace|bulk]
        [--rdflib-runs 3] [--rdflib-timeout 60] [--no-rdflib] [--variants] [--store DIR] [--names 50]

Build: bench/synthetic_graph.py generates articles and attribution records (seeded, realistic
shapes: ~50 outlets as publishers, a few hundred global agents of all types, Zipf-distributed
sources, ~20 % of attributions in citing chains), turned into triples by the real
`kg.rdf.article_triples` and `kg.rdf.agent_triples`, until the article and (distinct) agent
triples reach --triples. --build replace (default) writes them as kg ingest does, with
`kg.store.LocalStore.replace_graphs`, 16 articles per call, agents merged and relabelled;
--build bulk writes the same quads with pyoxigraph's `Store.bulk_extend` into a kg store
directory (much faster to build, same contents). Build time (generation + rdf, and the writes) and
the store's size on disk (du) are reported. --store DIR keeps the store there (a DIR that is
already a kg store is reused as it is, not rebuilt: the agents are regenerated from the same seed).

Queries, each run once untimed, then --runs times (p50 and p90 of the wall time, in ms, including
kg.query's binding of parameters and its Python post-processing):
  attributions(source=X)   X: the most quoted agent's label, and X2 a rarely quoted one (target p50 < 50 ms)
  attributions(via=Y)      Y: the label of the agent most often on citing chains as a relay (target p50 < 50 ms)
  sources()                the per-outlet aggregate (target < 1 s; --runs // 4 runs, at least 3)
  who_said(S)              S: X's surname (a name seen, as users type it)
  attributions()           the whole flat view (--runs // 4 runs, at least 3), for scale
Then the name workload: --names agents (default 50) drawn uniformly at random (seeded) from those
that are a source in the store, and as many relays, each queried once after a warm-up:
attributions(source=...) and attributions(via=...) p50, p90 and max over the names (the target
read as analysts meet it: most names have a few attributions, a few have thousands).

Baseline: the store exported as N-Quads and parsed into an rdflib `Dataset(default_union=True)`
(load time reported), and the query texts an endpoint without LATERAL gets (the parameters in
VALUES blocks, as kg.store binds them): --rdflib-runs runs each (default 3), each
stopped at --rdflib-timeout seconds (SIGALRM; a stopped query counts as "> limit"); the ratio
rdflib p50 / kg p50. Both engines' raw row counts are printed as a cross-check.

--variants then times, on the Oxigraph store, parts of kg/queries/attributions.rq (its core BGP
alone; its WHERE without the FILTER, i.e. the whole flat view) to show what dominates its time, and
the name filters in their portable form (kg.query.attributions_query without LATERAL, what an
endpoint without SEP-0006 gets), with their results compared.
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_extract import Clock  # noqa: E402
from bench_ingest import du, mib  # noqa: E402
from synthetic_graph import Generator  # noqa: E402

from kg import query as q  # noqa: E402
from kg import rdf  # noqa: E402
from kg.store import MARKER, LocalStore  # noqa: E402
from kg.vocab import AGENTS_GRAPH, RDFS_LABEL  # noqa: E402

AGENTS = str(AGENTS_GRAPH)
WHEN = datetime(2026, 11, 22, tzinfo=timezone.utc)
MODEL = "en_core_web_sm 3.8.0"
ARTICLES_PER_WRITE = 16  # as kg.ingest


# ---------------------------------------------------------------- build


def build(path: str, gen: Generator, n_triples: int, how: str) -> dict:
    """Generate and write the graph; returns figures."""
    import pyoxigraph as ox

    seen_agents: set = set()
    counts = {"articles": 0, "attributions": 0, "triples": 0, "generate": 0.0, "write": 0.0}

    def batches():
        pending = []
        clock = time.perf_counter()
        for article, records, publisher in gen.articles():
            triples = rdf.article_triples(article, records, publisher=publisher, model=MODEL, when=WHEN)
            agents = rdf.agent_triples(gen.entities_of(records, publisher), gen.register)
            new = [t for t in agents if t not in seen_agents]
            seen_agents.update(new)
            counts["articles"] += 1
            counts["attributions"] += len(records)
            counts["triples"] += len(triples) + len(new)
            pending.append((article, triples, agents))
            done = counts["triples"] >= n_triples
            if len(pending) >= ARTICLES_PER_WRITE or done:
                counts["generate"] += time.perf_counter() - clock
                yield pending
                pending = []
                clock = time.perf_counter()
            if done:
                return

    if how == "replace":
        store = LocalStore(path)
        for pending in batches():
            start = time.perf_counter()
            graphs = {rdf.article_iri(article.id): triples for article, triples, _ in pending}
            agents = [t for _, _, agent_triples in pending for t in agent_triples]
            labels = list({s for s, p, _ in agents if p == RDFS_LABEL})
            store.replace_graphs(graphs, merge={AGENTS: agents}, relabel={AGENTS: labels})
            counts["write"] += time.perf_counter() - start
            if counts["articles"] % 320 == 0:
                print(f"  {counts['articles']:>6} articles, {counts['triples']:>9,} triples, "
                      f"write {counts['write']:.1f} s", flush=True)
        counts["quads"] = store.count()
        store.close()
    else:
        LocalStore(path).close()  # the kg marker; then pyoxigraph's bulk loader into the same directory
        agents_graph = ox.NamedNode(AGENTS)

        def quads():
            for pending in batches():
                for article, triples, agents in pending:
                    g = ox.NamedNode(rdf.article_iri(article.id))
                    for s, p, o in triples:
                        yield ox.Quad(s, p, o, g)
                    for s, p, o in agents:
                        yield ox.Quad(s, p, o, agents_graph)

        target = ox.Store(path)
        start = time.perf_counter()
        target.bulk_extend(quads())  # the Quads are made as the loader takes them: counted as writing
        counts["write"] = time.perf_counter() - start - counts["generate"]
        counts["quads"] = len(target)
        del target
    return counts


# ---------------------------------------------------------------- timing


def percentiles(samples: list[float]) -> tuple[float, float]:
    if len(samples) == 1:
        return samples[0], samples[0]
    cuts = statistics.quantiles(samples, n=10, method="inclusive")
    return statistics.median(samples), cuts[8]


def timed(call, runs: int, budget: float = float("inf"), first: float | None = None) -> tuple[list[float], object]:
    """One untimed warm-up, then up to `runs` timed runs, fewer when they would take more than `budget`
    seconds in all (at least one; `first`: a time measured before, to plan with)."""
    start = time.perf_counter()
    out = call()  # warm-up, untimed
    first = first or time.perf_counter() - start
    runs = max(1, min(runs, int(budget / max(first, 1e-9))))
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        out = call()
        samples.append(time.perf_counter() - start)
    return samples, out


PROBE = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from pyoxigraph import Literal
from kg import query as q
from kg.store import LocalStore
store = LocalStore(sys.argv[2], read_only=True)
fn, kwargs, name, params = sys.argv[3], json.loads(sys.argv[4]), sys.argv[5], json.loads(sys.argv[6])
start = time.perf_counter()
out = getattr(q, fn)(store, **kwargs)
seconds = time.perf_counter() - start
text = (q.attributions_query(params, store.lateral) if name == "attributions"
        else q.who_said_query(store.lateral) if name == "who_said" else q.named(name))
raw = sum(1 for _ in q.run(store, text, {k: Literal(v) for k, v in params.items()}))
print(json.dumps([seconds, len(out), raw]))
"""


def probe(path: str, fn: str, kwargs: dict, name: str, params: dict, limit: float):
    """One run of kg.query.FN in a child process (killed after `limit` s): (seconds, results, raw rows),
    or None when it did not finish in time."""
    import json
    import subprocess

    command = [sys.executable, "-c", PROBE, str(HERE.parent), path, fn, json.dumps(kwargs), name, json.dumps(params)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def timed_capped(call, runs: int, limit: float) -> tuple[list[float], int | None, bool]:
    """Up to `runs` runs of call(), each stopped after `limit` s (SIGALRM); (samples, rows, stopped)."""
    samples, rows = [], None
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for _ in range(runs):
            start = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, limit)
            try:
                rows = call()
            except Timeout:
                return samples, rows, True
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            samples.append(time.perf_counter() - start)
    finally:
        signal.signal(signal.SIGALRM, old)
    return samples, rows, False


def ms(seconds: float) -> str:
    return f"{1000 * seconds:,.1f} ms"


# ---------------------------------------------------------------- parts of the shipped query, and the proposal

CORE = """SELECT * WHERE {
  GRAPH ?article {
    ?attribution kg:original ?original .
    ?original kg:claim/kg:text ?content ; kg:certainty ?certainty ; kg:polarity ?polarity .
    ?article kg:documentId ?documentId .
    ?attribution kg:evidence ?span .
    ?span nif:anchorOf ?evidence ; nif:beginIndex ?evidenceStart ; nif:endIndex ?evidenceEnd .
  }
}"""


def canonical(rows: list[dict]) -> list[str]:
    import json

    return sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)


def run_variants(store, args, cases, outputs) -> None:
    """Where the flat view spends its time, and the name filters in their portable SPARQL 1.1 form
    (no LATERAL: what kg.query sends to an endpoint that has none), results compared."""
    few = max(3, args.runs // 4)
    shipped = q.named("attributions")
    body = shipped[shipped.index("WHERE {"):]
    no_filters = "SELECT * " + body[:body.index("  FILTER(")] + "}"
    print("\nparts of kg/queries/attributions.rq (kg.query.run, rows consumed)")
    for name, text in (("its core BGP alone (no OPTIONAL, FILTER, ORDER BY)", CORE),
                       ("its WHERE without the FILTER (the whole flat view)", no_filters)):
        samples, rows = timed(lambda: sum(1 for _ in q.run(store, text)), few, args.budget)
        p50, p90 = percentiles(samples)
        print(f"  {name:<56} {few:>3} runs  p50 {ms(p50):>11}  p90 {ms(p90):>11}  ({rows:,} rows)", flush=True)

    print("\nthe name filters without LATERAL (standard SPARQL 1.1), results compared with LATERAL's")
    store.lateral = False
    try:
        for name, _query, _params, fn, kwargs, n, target in cases:
            if fn != "attributions" or not kwargs:
                continue
            samples, out = timed(lambda kwargs=kwargs: q.attributions(store, **kwargs), few, args.budget)
            p50, p90 = percentiles(samples)
            check = "shipped not run here" if outputs.get(name) is None else \
                "the same" if canonical(out) == canonical(outputs[name]) else "DIFFERENT"
            print(f"  {name:<38} {len(samples):>3} runs  p50 {ms(p50):>11}  p90 {ms(p90):>11}  {len(out):>6,} results, "
                  f"{check}", flush=True)
    finally:
        del store.lateral


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000, help="size of the graph (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=20, help="timed runs per query (default 20)")
    ap.add_argument("--build", choices=("replace", "bulk"), default="replace",
                    help="write with LocalStore.replace_graphs (as ingest, default) or pyoxigraph bulk_extend")
    ap.add_argument("--store", help="keep the store in this directory (reused if it is already a kg store)")
    ap.add_argument("--no-rdflib", action="store_true", help="skip the rdflib baseline")
    ap.add_argument("--rdflib-runs", type=int, default=3, help="runs per query in rdflib (default 3)")
    ap.add_argument("--rdflib-timeout", type=float, default=60, help="seconds before an rdflib run is stopped")
    ap.add_argument("--budget", type=float, default=60,
                    help="seconds of timed runs per query at most (default 60; at least one run)")
    ap.add_argument("--limit", type=float, default=300,
                    help="a query whose first run (in a child process) takes longer is stopped (default 300)")
    ap.add_argument("--names", type=int, default=50,
                    help="agents drawn for the name workload, per filter (default 50)")
    ap.add_argument("--variants", action="store_true",
                    help="time parts of the attributions query, and its name filters without LATERAL")
    args = ap.parse_args(argv)

    gen = Generator(args.seed)
    tmp = None
    if args.store:
        path = os.path.abspath(args.store)
    else:
        tmp = tempfile.mkdtemp(prefix="kg-bench-query-")
        path = os.path.join(tmp, "store")
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; store {path}")
    try:
        if os.path.exists(os.path.join(path, MARKER)):
            print("store exists: reused, not rebuilt")
        else:
            print(f"build: --triples {args.triples:,}, seed {args.seed}, --build {args.build}", flush=True)
            with Clock() as clock:
                counts = build(path, gen, args.triples, args.build)
            print(f"built {counts['articles']:,} articles, {counts['attributions']:,} attributions, "
                  f"{counts['triples']:,} triples ({counts['quads']:,} quads in the store) in {clock.wall:.1f} s: "
                  f"generation + kg.rdf {counts['generate']:.1f} s, "
                  f"writes ({args.build}) {counts['write']:.1f} s = {counts['quads'] / counts['write']:,.0f} quads/s")
        store = LocalStore(path, read_only=True)
        print(f"store on disk: {mib(du(path))}; {store.count():,} quads, {len(store.graphs()):,} graphs")
        print("agents:", ", ".join(f"{r['figure'].replace('agents: ', '')} {r['value']:,}" for r in q.stats(store)
                                   if r["figure"].startswith("agents")), flush=True)

        # The parameters: labels of generated agents, counted in the store.
        x = gen.speakers[0]
        x2 = next(e for e in gen.speakers[60:] if e.type == "Person")
        y = gen.relays[0]
        surname = x.label.split()[-1] if x.type == "Person" else x.label
        print(f"X = {x.label!r} ({x.type}, the most quoted), X2 = {x2.label!r} ({x2.type}, rank {gen.speakers.index(x2) + 1}), "
              f"Y = {y.label!r} ({y.type}, the most used relay), S = {surname!r}")

        runs, few = args.runs, max(3, args.runs // 4)
        # (label, query file, its parameters, kg.query function, its arguments, runs, target seconds)
        cases = [
            ("attributions(source=X)", "attributions", {"sourceName": x.label}, "attributions",
             {"source": x.label}, runs, 0.050),
            ("attributions(source=X2)", "attributions", {"sourceName": x2.label}, "attributions",
             {"source": x2.label}, runs, 0.050),
            ("attributions(via=Y)", "attributions", {"viaName": y.label}, "attributions", {"via": y.label}, runs, 0.050),
            ("sources()", "sources", {}, "sources", {}, few, 1.0),
            ("who_said(S)", "who_said", {"name": surname}, "who_said", {"name": surname}, runs, None),
            ("attributions()", "attributions", {}, "attributions", {}, few, None),
        ]
        print(f"\nkg.query on the Oxigraph store: one run in a child process first (stopped after --limit "
              f"{args.limit:g} s), then 1 warm-up and up to N timed runs here, fewer if they would take more "
              f"than --budget {args.budget:g} s")
        results, outputs = {}, {}
        for name, query_name, params, fn, kwargs, n, target in cases:
            first = probe(path, fn, kwargs, query_name, params, args.limit)
            if first is None:
                results[name] = (None, None)
                print(f"  {name:<26} > {args.limit:g} s: stopped (one run in a child process)" +
                      ("" if target is None else f"   target {ms(target)}: NOT met"), flush=True)
                continue
            seconds, _n_out, raw = first
            if seconds > args.budget:
                samples, out = [seconds], None
            else:
                samples, out = timed(lambda: getattr(q, fn)(store, **kwargs), n, args.budget, seconds)
                outputs[name] = out
            p50, p90 = percentiles(samples)
            results[name] = (p50, raw)
            verdict = "" if target is None else \
                f"   target p50 < {ms(target)}: {'met' if p50 < target else 'NOT met'}"
            how = "1 run (child)" if out is None else f"{len(samples):>2} runs"
            print(f"  {name:<26} {how:>13}  p50 {ms(p50):>11}  p90 {ms(p90):>11}  "
                  f"{_n_out:>6,} results ({raw:,} raw rows){verdict}", flush=True)

        name_workload(store, args)
        if args.variants:
            run_variants(store, args, cases, outputs)

        if not args.no_rdflib:
            rdflib_baseline(store, cases, results, args)
        store.close()
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"load average now {os.getloadavg()[0]:.2f}")
    return 0


NAMES = {  # the labels of the agents that are a source (kg:source) / a relay (kg:relayOrder) in the store
    "source": "SELECT DISTINCT ?label WHERE { GRAPH ?g { ?o kg:source ?s . ?a kg:original ?o } "
              "GRAPH kgg:agents { ?s rdfs:label ?label } } ORDER BY ?label",
    "via": "SELECT DISTINCT ?label WHERE { GRAPH ?g { ?r kg:relayOrder ?n ; kg:source ?v } "
           "GRAPH kgg:agents { ?v rdfs:label ?label } } ORDER BY ?label",
}


def name_workload(store, args) -> None:
    """The name filters as analysts use them: for --names agents drawn at random (seeded, uniformly)
    from those that are a source (or a relay) in the store, one warm-up and one timed run each;
    p50, p90 and max over the names, with the number of results, against the same target."""
    import random

    print(f"\nname workload: {args.names} agents drawn uniformly (seed {args.seed}) from those that are a source "
          f"(a relay) in the store, one warm-up and one timed run each")
    for param in ("source", "via"):
        labels = [row["label"] for row in q.records(q.run(store, NAMES[param]))]
        drawn = random.Random(args.seed).sample(labels, min(args.names, len(labels)))
        timings = []
        for label in drawn:
            samples, out = timed(lambda: q.attributions(store, **{param: label}), 1, args.budget)
            timings.append((samples[0], len(out), label))
        timings.sort()
        p50, p90 = percentiles([t for t, _, _ in timings])
        worst = timings[-1]
        median_results = statistics.median(n for _, n, _ in timings)
        print(f"  attributions({param}=...)  {len(timings)} of {len(labels):,} names  p50 {ms(p50):>9}  "
              f"p90 {ms(p90):>9}  max {ms(worst[0]):>9} ({worst[1]:,} results, {worst[2]!r}); "
              f"median {median_results:,.0f} results   target p50 < 50.0 ms: {'met' if p50 < 0.050 else 'NOT met'}",
              flush=True)


def rdflib_baseline(store, cases, results, args) -> None:
    import rdflib

    print(f"\nrdflib {rdflib.__version__} baseline: the store as N-Quads into Dataset(default_union=True)", flush=True)
    with Clock() as export:
        buffer = io.BytesIO()
        store.export("nq", buffer)
    with Clock() as load:
        dataset = rdflib.Dataset(default_union=True)
        dataset.parse(data=buffer.getvalue().decode("utf-8"), format="nquads")
    print(f"  export {export.wall:.1f} s ({mib(len(buffer.getvalue()))}), rdflib parse {load.wall:.1f} s, "
          f"{len(dataset):,} triples in the union", flush=True)
    del buffer
    print(f"  the query texts an endpoint without LATERAL gets (kg.query.attributions_query(..., lateral=False), "
          f"parameters in VALUES blocks as kg.store binds them); up to {args.rdflib_runs} runs, each stopped "
          f"after {args.rdflib_timeout:g} s")
    from pyoxigraph import Literal

    from kg.store.sparql import Sparql

    for name, query_name, params, _fn, _kwargs, _n, _target in cases:
        text = (q.attributions_query(params, lateral=False) if query_name == "attributions"
                else q.who_said_query(lateral=False) if query_name == "who_said" else q.named(query_name))
        text, _ = Sparql(q.with_prefixes(text)).bind({k: Literal(v) for k, v in params.items()})

        def call():
            return sum(1 for _ in dataset.query(text))

        samples, rows, stopped = timed_capped(call, args.rdflib_runs, args.rdflib_timeout)
        ox_p50, ox_rows = results[name]
        if not samples:
            ratio = "" if ox_p50 is None else f": ratio rdflib/kg > {args.rdflib_timeout / ox_p50:,.1f}"
            print(f"  {name:<26} > {args.rdflib_timeout:g} s (stopped; not one run finished){ratio}", flush=True)
            continue
        p50 = statistics.median(samples)
        more = f", then a run stopped at {args.rdflib_timeout:g} s" if stopped else ""
        ratio = "kg stopped" if ox_p50 is None else f"x{p50 / ox_p50:,.2f}"
        print(f"  {name:<26} {len(samples)} runs{more}: median {ms(p50):>12}  ratio rdflib/kg {ratio}  "
              f"({rows:,} raw rows; Oxigraph {ox_rows:,}{'' if rows == ox_rows else ' DIFFERENT'})", flush=True)


if __name__ == "__main__":
    sys.exit(main())
