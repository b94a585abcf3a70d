"""kg serve on a real store: start time, and p50/p95 latency of its pages and of /sparql with 1 and
with 16 concurrent clients on loopback.

    python bench/bench_serve.py --store COPY_OF_A_STORE [--requests 60] [--concurrent-requests 320]
        [--seconds 60] [--clients 16] [--sample 40] [--seed 15]

The store is only read (kg serve reads a snapshot of it, made next to it and removed at the end);
still, give it a copy (`cp -a /tmp/train-store /tmp/my-copy`), never a store someone else writes.

What is measured, each against a baseline of the same run:
  start    `kg serve` launched until its first answer (GET /sparql?query=ASK{}), 3 times; baseline:
           `python -m kg --version` (the interpreter and kg imported, nothing served).
  pages    GET /agent/<entity> (sources drawn uniformly from those of the store: --sample of them, and
           the median source, by statements, alone), /article/<id> (--sample articles), /group?iri=
           (--sample claim groups), and three /sparql queries (below), each with 1 client
           (--requests requests) and with --clients concurrent clients (--concurrent-requests requests
           shared out), every kind stopped after --seconds at most (bounded count and time).
           Baseline: GET /sparql?query=ASK{} (the server's own floor: HTTP, routing, a snapshot
           check, an empty query), in the same conditions; the ratio is p50 / its p50.
  errors   every answer that is not 200, and every failed connection, counted (the target: none).

The three /sparql queries: the query page's example (the most quoted sources: a GROUP BY over every
attribution), one source's attributions by its label (index lookups), and the best-corroborated
claim groups (the claim-groups graph alone).

Requests are plain urllib (a new loopback connection each, no proxy), from threads of this process.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg import Graph  # noqa: E402
from kg.web.app import agent_url, article_url, group_url  # noqa: E402

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
FLOOR = "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
QUERIES = {
    "sparql: most quoted sources": "SELECT ?label (COUNT(?a) AS ?n) WHERE { ?a kg:source/rdfs:label ?label } "
                                   "GROUP BY ?label ORDER BY DESC(?n) LIMIT 20",
    "sparql: one source's claims": "SELECT ?a ?text WHERE { ?s rdfs:label {label} . ?a kg:source ?s ; "
                                   "kg:claim/kg:text ?text }",
    "sparql: best-corroborated groups": "SELECT ?group ?label ?n WHERE { GRAPH kgg:claim-groups { "
                                        "?group kg:independentSources ?n ; rdfs:label ?label FILTER(?n >= 2) } } "
                                        "ORDER BY DESC(?n) ?group LIMIT 20",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def fetch(url: str) -> tuple[int, float]:
    """(HTTP status, seconds) of one GET, the body read; status 0 for a failed connection."""
    clock = time.perf_counter()
    try:
        with OPENER.open(url, timeout=120) as answer:
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, OSError):
        status = 0
    return status, time.perf_counter() - clock


def start(store: str, port: int) -> tuple[subprocess.Popen, float]:
    """kg serve launched; (the process, seconds until its first answer)."""
    clock = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", store, "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment(), cwd=ROOT)
    while process.poll() is None:
        if fetch(f"http://127.0.0.1:{port}{FLOOR}")[0] == 200:
            return process, time.perf_counter() - clock
        time.sleep(0.02)
    sys.exit("kg serve did not start: " + process.stderr.read().decode("utf-8", "replace"))


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # requests still running in its threads
        process.kill()
        process.wait()


def run(base: str, paths: list[str], clients: int, count: int, seconds: float) -> dict:
    """`count` GETs cycling over `paths` from `clients` threads, none started after `seconds`."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    times, errors, issued = [], 0, iter(range(count))

    def client():
        nonlocal errors
        while time.monotonic() < deadline:
            with lock:
                n = next(issued, None)
            if n is None:
                return
            status, took = fetch(base + paths[n % len(paths)])
            with lock:
                times.append(took)
                errors += status != 200

    with ThreadPoolExecutor(clients) as pool:
        for _ in range(clients):
            pool.submit(client)
    times.sort()
    return {"n": len(times), "errors": errors, "p50": statistics.median(times),
            "p95": times[min(len(times) - 1, int(0.95 * len(times)))], "max": times[-1]}


def workload(store: str, sample: int, seed: int) -> dict[str, list[str]]:
    """The URLs of each kind, drawn (seeded) from what the store holds."""
    rng = random.Random(seed)
    with Graph(store, read_only=True) as g:
        sources = g.query("SELECT ?s (COUNT(?a) AS ?n) WHERE { ?a kg:source ?s } GROUP BY ?s ORDER BY ?n ?s")
        articles = [r["d"] for r in g.query("SELECT ?d WHERE { GRAPH ?g { ?a a kg:Article ; kg:documentId ?d } } "
                                            "ORDER BY ?d")]
        groups = [r["g"] for r in g.query("SELECT ?g WHERE { GRAPH kgg:claim-groups { ?g a kg:ClaimGroup } } "
                                          "ORDER BY ?g")]
        top = g.query("SELECT ?label WHERE { ?a kg:source ?s . ?s rdfs:label ?label } GROUP BY ?label "
                      "ORDER BY DESC(COUNT(?a)) LIMIT 50")
    median = sources[len(sources) // 2]
    print(f"store: {len(sources):,} sources, {len(articles):,} articles, {len(groups):,} claim groups; the median "
          f"source {median['s']} with {median['n']} statement(s), the most quoted {sources[-1]['n']:,}")
    labels = [r["label"] for r in rng.sample(top, min(sample, len(top)))]
    kinds = {
        "agent page, median source": [agent_url(median["s"])],
        "agent page": [agent_url(r["s"]) for r in rng.sample(sources, min(sample, len(sources)))],
        "article page": [article_url(d) for d in rng.sample(articles, min(sample, len(articles)))],
        "claim-group page": [group_url(x) for x in rng.sample(groups, min(sample, len(groups)))],
    }
    for name, text in QUERIES.items():
        texts = [text.replace("{label}", '"' + label.replace("\\", "\\\\").replace('"', '\\"') + '"')
                 for label in labels] if "{label}" in text else [text]
        kinds[name] = ["/sparql?" + urllib.parse.urlencode({"query": t}) for t in texts]
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="a kg store directory (a copy: it is only read)")
    parser.add_argument("--requests", type=int, default=60, help="requests of each kind with one client")
    parser.add_argument("--concurrent-requests", type=int, default=320, help="requests of each kind, concurrent")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0, help="at most this long for each kind and load")
    parser.add_argument("--sample", type=int, default=40, help="agents, articles and groups drawn")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # killed: the server still stopped (finally)

    kinds = workload(args.store, args.sample, args.seed)
    bare = []
    for _ in range(3):
        clock = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kg", "--version"], check=True, capture_output=True, env=environment(),
                       cwd=ROOT)
        bare.append(time.perf_counter() - clock)
    starts = []
    for _ in range(3):
        process, took = start(args.store, free_port())
        starts.append(took)
        stop(process)
    print(f"\nstart: kg serve answers after {statistics.median(starts):.2f} s (median of 3: "
          f"{', '.join(f'{s:.2f}' for s in starts)}); python -m kg --version {statistics.median(bare):.2f} s; "
          f"ratio {statistics.median(starts) / statistics.median(bare):.2f}   (target < 3 s)")

    port = free_port()
    process, _ = start(args.store, port)
    base = f"http://127.0.0.1:{port}"
    try:
        for paths in kinds.values():  # each URL once, untimed: the engine's caches warm for both loads
            for path in paths:
                fetch(base + path)
        print(f"\n{'':34} {'clients':>7} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'x floor':>8} "
              f"{'errors':>6}")
        total_errors = 0
        for clients, count in ((1, args.requests), (args.clients, args.concurrent_requests)):
            floor = run(base, [FLOOR], clients, count, args.seconds)
            rows = [("floor: /sparql ASK {}", floor)]
            rows += [(name, run(base, paths, clients, count, args.seconds)) for name, paths in kinds.items()]
            for name, r in rows:
                total_errors += r["errors"]
                print(f"{name:34} {clients:>7} {r['n']:>5} {1000 * r['p50']:>8.1f} {1000 * r['p95']:>8.1f} "
                      f"{1000 * r['max']:>8.1f} {r['p50'] / floor['p50']:>8.1f} {r['errors']:>6}", flush=True)
        median_p50 = 1000 * run(base, kinds["agent page, median source"], 1, args.requests, args.seconds)["p50"]
        print(f"\nagent page of the median source, one client: p50 {median_p50:.1f} ms (target < 100 ms); "
              f"errors in all: {total_errors}")
    finally:
        stop(process)


if __name__ == "__main__":
    main()
