"""Ingest throughput: `kg.ingest.ingest` into a fresh store, and its store writes against a bulk load
of the same triples, in the same run.

    /tmp/kgvenv/bin/python bench/bench_ingest.py [CORPUS] [--limit N] [--jobs N] [--store-kind local|remote]

CORPUS is anything `kg.documents.iter_documents` reads; the default is PolNeAR train in ../shared
(read in place, never copied; see bench_extract.py for the fallbacks). The articles are read first
(untimed), the spaCy model loaded (untimed), then:

  ingest     kg.graph.ingest_and_regroup(store, articles=...) (kg ingest) into a fresh store in a temporary directory
             (outside the project): articles/s, IngestSummary.seconds (read+extract, resolve, rdf,
             write), triples written. The store's replace_graphs is wrapped to time the store writes
             alone and keep what they were given: store write throughput = triples handed to
             replace_graphs / seconds inside it (target >= 50,000 triples/s).
  baseline   the same triples (the same (graph, triple) pairs, agents merges included) written
             straight with pyoxigraph into other fresh stores: Store.bulk_extend (non-transactional,
             the bulk loader) of all of them at once, and Store.extend (one transaction) per write
             batch of the ingest; the ratio ingest writes / bulk_extend. With --store-kind remote,
             the bulk baseline is one POST of the N-Quads to the server's /store (its bulk loader).
  re-ingest  the same articles again into the same store: everything is unchanged, so everything
             should be skipped; its time and split.

--store-kind remote starts `oxigraph serve --union-default-graph` on 127.0.0.1 (the binary next to
sys.executable, else on PATH) with its data in a temporary directory, and ingests over HTTP
(kg.store.RemoteStore); the server is stopped at the end.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extract import SHARED, Clock, load_articles, words  # noqa: E402

DEFAULT_TRAIN = SHARED / "train.jsonl"
TARGET = 50_000  # store write triples/s


# ---------------------------------------------------------------- helpers (shared with the other bench scripts)


def du(path: str | os.PathLike) -> int:
    """Bytes on disk under `path` (like du: allocated blocks)."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
            except OSError:
                pass
    return total


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:,.1f} MiB"


def oxigraph_binary() -> str | None:
    """The `oxigraph` CLI next to this Python, else on PATH (as tests/conftest.py finds it)."""
    candidate = Path(sys.executable).parent / "oxigraph"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which("oxigraph")


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(url: str, body: bytes, content_type: str, timeout: float = 600) -> bytes:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    with _LOCAL.open(request, timeout=timeout) as response:
        return response.read()


class OxigraphServer:
    """`oxigraph serve --union-default-graph` on a free 127.0.0.1 port, data in `location`."""

    def __init__(self, location: str):
        binary = oxigraph_binary()
        if binary is None:
            raise SystemExit("error: the oxigraph CLI is not installed (pip install oxigraph)")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        self.log = open(f"{location}.log", "wb")  # a file: a full pipe would block the server
        self.process = subprocess.Popen([binary, "serve", "--location", location, "--bind", f"127.0.0.1:{port}",
                                         "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=self.log)
        body = urllib.parse.urlencode({"query": "ASK {}"}).encode()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                post(self.base + "/query", body, "application/x-www-form-urlencoded", timeout=1)
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        self.stop()
        raise SystemExit(f"error: oxigraph serve did not start (see {location}.log)")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class TimedStore:
    """A kg store whose replace_graphs is timed and whose arguments are kept (for the baseline);
    everything else goes to the store itself."""

    def __init__(self, store, keep: bool = True):
        self.store, self.keep = store, keep
        self.seconds, self.calls, self.triples, self.writes = 0.0, 0, 0, []

    def __getattr__(self, name):
        return getattr(self.store, name)

    def replace_graphs(self, graphs: dict, merge: dict | None = None, relabel: dict | None = None) -> None:
        start = time.perf_counter()
        self.store.replace_graphs(graphs, merge, relabel)
        self.seconds += time.perf_counter() - start
        self.calls += 1
        self.triples += sum(map(len, graphs.values())) + sum(map(len, (merge or {}).values()))
        if self.keep:
            self.writes.append((graphs, merge or {}))


def quads_of(writes, per_write: bool = False):
    """The (graph, triple) pairs of the kept writes as pyoxigraph Quads (one list per write if asked)."""
    from pyoxigraph import NamedNode, Quad

    def one(graphs, merge):
        for part in (graphs, merge):
            for g, triples in part.items():
                node = NamedNode(str(g))
                for s, p, o in triples:
                    yield Quad(s, p, o, node)

    if per_write:
        return [list(one(g, m)) for g, m in writes]
    return (q for g, m in writes for q in one(g, m))


def split_line(summary) -> str:
    total = summary.total_seconds or 1e-9
    return ", ".join(f"{k} {v:.2f} s ({100 * v / total:.0f}%)" for k, v in summary.seconds.items())


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT_TRAIN),
                    help="JSONL/.txt/.html file or directory, or 'synthetic' (default: PolNeAR train in ../shared)")
    ap.add_argument("--limit", type=int, help="only the first N articles")
    ap.add_argument("--jobs", type=int, default=1, help="ingest(jobs=N) (default 1)")
    ap.add_argument("--store-kind", choices=("local", "remote"), default="local",
                    help="embedded Oxigraph directory (default) or a real `oxigraph serve` on 127.0.0.1")
    ap.add_argument("--no-reingest", action="store_true", help="skip the second ingest")
    ap.add_argument("--tmp", help="directory for the temporary stores (default: the system's temp dir)")
    ap.add_argument("--keep", metavar="DIR", help="with --store-kind local: the ingested store goes to DIR (new) "
                                                  "and stays there (for bench_analyze.py)")
    args = ap.parse_args(argv)

    import pyoxigraph as ox

    from kg.extract import nlp as kg_nlp
    from kg.graph import ingest_and_regroup as ingest
    from kg.store import LocalStore, RemoteStore

    articles, label = load_articles(args.corpus, args.limit)
    if not articles:
        print("error: no articles", file=sys.stderr)
        return 2
    n_words = sum(words(a.body) for a in articles)
    print(f"corpus: {label}: {len(articles)} articles, {n_words:,} words (bodies)")
    with Clock() as loading:
        kg_nlp.load()
    print(f"spaCy {kg_nlp.model_name()} loaded in {loading.wall:.1f} s (untimed below); store: {args.store_kind}; "
          f"jobs {args.jobs}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}", flush=True)

    tmp = tempfile.mkdtemp(prefix="kg-bench-ingest-", dir=args.tmp)
    server = None
    try:
        location = os.path.join(tmp, "store")
        if args.store_kind == "remote":
            os.mkdir(location)
            server = OxigraphServer(location)
            store = TimedStore(RemoteStore(server.base))
        else:
            store = TimedStore(LocalStore(location))

        # -- ingest
        with Clock() as clock:
            summary = ingest(store, articles=articles, jobs=args.jobs)
        stored = store.count()
        write_rate = store.triples / store.seconds if store.seconds else float("nan")
        print(f"\ningest      {summary.line()}")
        print(f"  wall {clock.wall:.1f} s (CPU {clock.cpu:.1f} s): {len(articles) / clock.wall:.2f} articles/s, "
              f"{n_words / clock.wall:,.0f} words/s")
        print(f"  split     {split_line(summary)}")
        print(f"  store     {store.calls} replace_graphs calls, {store.triples:,} triples handed over "
              f"({summary.triples:,} counted by ingest), {stored:,} quads in the store")
        print(f"  writes    {store.seconds:.2f} s inside replace_graphs: **{write_rate:,.0f} triples/s** "
              f"(target >= {TARGET:,}: {'met' if write_rate >= TARGET else 'NOT met'}); "
              f"{1000 * store.seconds / max(store.calls, 1):.1f} ms per call", flush=True)
        if args.store_kind == "local":
            print(f"  on disk   {mib(du(location))}")

        # -- baselines: the same (graph, triple) pairs
        n_quads = store.triples
        if args.store_kind == "local":
            with Clock() as bulk:
                ox.Store(os.path.join(tmp, "bulk")).bulk_extend(quads_of(store.writes))
            bulk_rate = n_quads / bulk.wall
            print(f"\nbaseline    pyoxigraph Store.bulk_extend, all at once: {bulk.wall:.2f} s, "
                  f"{bulk_rate:,.0f} triples/s (Quad objects built inside the timing)")
            batches = quads_of(store.writes, per_write=True)
            target = ox.Store(os.path.join(tmp, "extend"))
            with Clock() as extend:
                for batch in batches:
                    target.extend(batch)
            extend_rate = n_quads / extend.wall
            print(f"            pyoxigraph Store.extend per write batch ({len(batches)} transactions): "
                  f"{extend.wall:.2f} s, {extend_rate:,.0f} triples/s (Quads built before)")
            del target, batches
        else:
            nquads = "".join(f"{q} .\n" for q in quads_of(store.writes)).encode("utf-8")
            bulk_location = os.path.join(tmp, "bulk")
            os.mkdir(bulk_location)
            other = OxigraphServer(bulk_location)
            try:
                with Clock() as bulk:
                    post(other.base + "/store", nquads, "application/n-quads")
            finally:
                other.stop()
            bulk_rate = n_quads / bulk.wall
            print(f"\nbaseline    POST of the {mib(len(nquads))} of N-Quads to /store of another fresh "
                  f"oxigraph serve: {bulk.wall:.2f} s, {bulk_rate:,.0f} triples/s")
        print(f"ratio       ingest writes / bulk: {write_rate / bulk_rate:.3f} "
              f"(bulk is x{bulk_rate / write_rate:.1f} faster)", flush=True)
        store.writes.clear()

        # -- re-ingest: everything unchanged
        if not args.no_reingest:
            store.seconds, store.calls, store.triples, store.keep = 0.0, 0, 0, False
            with Clock() as again:
                summary2 = ingest(store, articles=articles, jobs=args.jobs)
            print(f"\nre-ingest   {summary2.line()}")
            print(f"  wall {again.wall:.2f} s (CPU {again.cpu:.2f} s), {100 * again.wall / clock.wall:.1f}% of the "
                  f"first ingest; {summary2.unchanged} of {len(articles)} skipped as unchanged; "
                  f"{store.calls} replace_graphs calls ({store.seconds:.2f} s); quads now {store.count():,} "
                  f"(was {stored:,})")
        store.close()
        if args.keep and args.store_kind == "local":
            shutil.move(location, args.keep)
            print(f"store kept in {args.keep}")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"load average now {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
