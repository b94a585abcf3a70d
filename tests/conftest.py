"""What the tests share: the seeds' paths; `cli` and `kg`, the command line in-process; a real
`oxigraph serve` for the session (`oxigraph_server`, the remote store); `store_location`, the same
test against a local store directory and against that server; and the seeds ingested once per
session into each kind of store (`seeded_local`, `seeded_remote`, or `seeded` for both)."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
SEED_000 = next(SEEDS.glob("000_*.txt"))
SEED_003 = next(SEEDS.glob("003_*.txt"))

# Requests to the test server never go through a proxy of the environment.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def cli(*args, input: str | None = None) -> Result:
    """`kg ARGS` in-process (Click's runner), stdout and stderr kept apart. An exception that is no
    clean exit is raised, not hidden in the result: the CLI never shows a traceback."""
    from kg.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def kg(*args, ok: bool = True, input: str | None = None) -> Result:
    """`cli`, and with `ok` (the default) it must exit 0."""
    result = cli(*args, input=input)
    if ok:
        assert result.exit_code == 0, (args, result.output)
    return result


# Filler claims for grouping tests: the IDF of a real store has many claims about other things.
FILLER = [
    "the bridge would reopen on Monday after repairs to the deck",
    "inflation slowed to 3.1 percent in the third quarter",
    "the senator would not seek re-election next year",
    "the company plans to cut 2,000 jobs in its European offices",
    "the storm left more than 40,000 homes without power",
    "the school board voted to delay the start of classes",
]


def ingested(folder, *documents: dict) -> str:
    """A local store in `folder` of these JSONL documents, ingested through the CLI."""
    (folder / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in documents), encoding="utf-8")
    location = str(folder / "store")
    kg("ingest", folder / "docs.jsonl", "--store", location)
    return location


def store_records(location: str, article, records: list, regroup: bool = False) -> None:
    """What kg ingest writes for one article, from hand-made records (no NLP): resolved, as triples in
    the article's graph, the agents shared; then, with `regroup`, the claims grouped."""
    from kg import corroborate, rdf
    from kg.resolve import Resolver, load_register
    from kg.store import open_store
    from kg.vocab import AGENTS_GRAPH

    resolver = Resolver(load_register())
    resolver.resolve(article, records)
    publisher = resolver.publisher(article.publisher)
    triples = rdf.article_triples(article, records, publisher=publisher, model="hand-made")
    agents = rdf.agent_triples(resolver.entities.values(), resolver.register)
    store = open_store(location, create=True)
    try:
        store.replace_graphs({rdf.article_iri(article.id): triples}, merge={str(AGENTS_GRAPH): agents})
        if regroup:
            corroborate.regroup(store)
    finally:
        store.close()


def oxigraph_binary() -> str | None:
    """The `oxigraph` CLI (pip package oxigraph) next to this Python, else on PATH."""
    candidate = Path(sys.executable).parent / "oxigraph"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sparql_post(base: str, endpoint: str, body: bytes, content_type: str, timeout: float = 10) -> bytes:
    request = urllib.request.Request(f"{base}/{endpoint}", data=body, method="POST",
                                     headers={"Content-Type": content_type,
                                              "Accept": "application/sparql-results+json"})
    with _LOCAL.open(request, timeout=timeout) as response:
        return response.read()


def sparql_update(base: str, update: str) -> None:
    sparql_post(base, "update", update.encode("utf-8"), "application/sparql-update")


@contextlib.contextmanager
def oxigraph_serve(location: Path, union_default_graph: bool = True, attempts: int = 3):
    """`oxigraph serve` on 127.0.0.1 (a free port) with its data in `location`; yields the base URL
    once /query answers, and stops the server at the end."""
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph CLI is not installed (pip install oxigraph==0.5.13, the 'test' extra)")
    help_text = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True, timeout=30).stdout
    for _ in range(attempts):  # another program may take the free port first
        port = free_port()
        args = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
        if union_default_graph and "--union-default-graph" in help_text:
            args.append("--union-default-graph")
        log = location.parent / f"{location.name}.log"  # a file: a full pipe would block the server
        with open(log, "wb") as stderr:
            process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=stderr)
        base = f"http://127.0.0.1:{port}"
        if _wait_until_ready(base, process):
            break
        stop(process)
        error = log.read_text("utf-8", "replace").strip()
    else:
        pytest.fail(f"oxigraph serve did not start: {error or 'no answer on /query within 10 s'}")
    try:
        yield base
    finally:
        stop(process)


def _wait_until_ready(base: str, process: subprocess.Popen, seconds: float = 10.0) -> bool:
    body = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            sparql_post(base, "query", body, "application/x-www-form-urlencoded", timeout=1)
            return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    return False


def stop(process: subprocess.Popen, timeout: float = 5) -> None:
    """Terminate a server the tests started; kill it if it does not end within `timeout` seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """The base URL of an `oxigraph serve` (union default graph) shared by the session's tests."""
    with oxigraph_serve(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


@pytest.fixture(params=["local", "remote"])
def store_location(request, tmp_path):
    """A store location for `kg --store` / open_store: a fresh local directory, or the test server
    emptied with DROP ALL (started on first use, so local-only runs need no server)."""
    if request.param == "local":
        return str(tmp_path / "store")
    base = request.getfixturevalue("oxigraph_server")
    sparql_update(base, "DROP ALL")
    return base


@pytest.fixture(scope="session")
def seeded_local(tmp_path_factory) -> str:
    """The seeds ingested once into a local store; the tests only read it (or restore it)."""
    location = str(tmp_path_factory.mktemp("seeded") / "store")
    kg("ingest", SEEDS, "--store", location)
    return location


@pytest.fixture(scope="session")
def seeded_remote(tmp_path_factory):
    """The seeds ingested once into an `oxigraph serve` of their own."""
    with oxigraph_serve(tmp_path_factory.mktemp("oxigraph-seeded")) as base:
        kg("ingest", SEEDS, "--store", base)
        yield base


@pytest.fixture(params=["local", "remote"])
def seeded(request) -> str:
    """The seeded store of each kind: the test runs on both."""
    return request.getfixturevalue(f"seeded_{request.param}")
