"""Store faults inside `kg ingest` and bad names for stored things (issue 14, ../shared/design/FAULTS.md
F2, F19, F3): a full disk, an endpoint that is down, answers HTTP errors, HTML or a truncated answer, or
is killed mid-ingest, are each one line naming the store or URL, exit status 1, and what was written
before stays whole. `kg chain` with anything but an IRI is one line too, and so is a store directory
that the test damages itself, on every command.

Each case is built here: a tmpfs (as root), a small HTTP server in this process that fails in one
way, a real `oxigraph serve` killed while the real CLI writes to it."""
from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import ROOT, SEED_000, SEED_003, cli, free_port, oxigraph_binary, sparql_post

WAIT = 180  # seconds any one step may take on a busy machine


def corpus(path: Path, n: int) -> Path:
    """n articles (the seeds, each made unique)."""
    texts = [SEED_000.read_text(encoding="utf-8"), SEED_003.read_text(encoding="utf-8")]
    path.write_text("".join(json.dumps({"id": f"n{i}", "text": f"The spokesman said on Monday that item {i} "
                                        f"was fine.\n\n{texts[i % 2]}"}) + "\n" for i in range(n)),
                    encoding="utf-8")
    return path


def one_error(stderr: str) -> str:
    """The one line a failure prints: no traceback, nothing else."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: "), stderr
    return lines[0]


def run_kg(*args, timeout: float = WAIT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=ROOT, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def articles_in(store: str) -> int:
    result = cli("stats", "--store", store, "--format", "json")
    assert result.exit_code == 0, result.output
    return next(int(r["value"]) for r in json.loads(result.stdout) if r["figure"] == "articles")


# --- F2: a full disk -------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 14 MB tmpfs: room for the first write of 16 articles, not the second."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=14m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_full_disk_is_one_line_with_what_was_written_and_that_stays_whole(tmp_path, small_disk):
    store = small_disk / "store"
    result = run_kg("ingest", "--store", store, corpus(tmp_path / "c.jsonl", 60))
    assert result.returncode == 1
    line = one_error(result.stderr)
    assert f"cannot write to store {store}" in line and "No space left on device" in line, line
    written = articles_in(str(store))
    assert 0 < written < 60
    assert f"; {written} articles of this run written before it, each whole" in line, line


# --- F2: an endpoint that fails --------------------------------------------------------------------

EMPTY = b'{"head":{"vars":["a","b","c"]},"results":{"bindings":[]}}'
# the COUNT of an empty answer (kg.store.remote counts what a whole read must get)
NONE_COUNTED = b'{"head":{"vars":["rows"]},"results":{"bindings":[{"rows":{"type":"literal","value":"0",' \
    b'"datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}'
# what the fake endpoint answers: (status, content type, body, declared length or None); "close"
# closes the connection without an answer
ANSWERS = {
    "500": (500, "text/html", b"<html><head><title>Error</title></head><body>boom</body></html>", None),
    "404": (404, "text/html", b"<html><body>Not Found</body></html>", None),
    "html": (200, "text/html", b"<!DOCTYPE html><html><body>Welcome to nginx!</body></html>", None),
    "garbled": (200, "application/sparql-results+json", b'{"head":{"vars":["a"]},"results":{"bindings":[{"a": 1}]}}',
                None),
    "truncated": (200, "application/sparql-results+json", b'{"head":{"vars":["a"]},"results":{"bind', 400),
    "close": None,
}


class FakeEndpoint:
    """An HTTP server in a thread: /query answers an empty result (a COUNT: 0), or fails as `on_query`; /update
    succeeds (204), or fails as `on_update`."""

    def __init__(self, on_query: str | None = None, on_update: str | None = None):
        fails = {"/query": on_query, "/update": on_update}

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                request = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                mode = fails.get(self.path)
                if mode is None:
                    body = NONE_COUNTED if b"COUNT%28%2A%29+AS+%3Frows" in request else EMPTY
                    answer = (200, "application/sparql-results+json", body, None) if self.path == "/query" \
                        else (204, None, b"", None)
                elif ANSWERS[mode] is None:
                    self.close_connection = True
                    return
                else:
                    answer = ANSWERS[mode]
                status, media, body, length = answer
                self.send_response(status)
                if media:
                    self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(length or len(body)))
                self.end_headers()
                self.wfile.write(body)
                if length:
                    self.close_connection = True

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("on_query, on_update", [(None, mode) for mode in ("500", "404", "close", "truncated")] +
                         [(mode, None) for mode in ANSWERS])
def test_an_endpoint_failing_inside_ingest_is_one_line_naming_its_url(on_query, on_update):
    with FakeEndpoint(on_query, on_update) as endpoint:
        result = cli("ingest", "--store", endpoint.url, SEED_003)
    assert result.exit_code == 1
    line = one_error(result.stderr)
    assert f"{endpoint.url}/{'update' if on_update else 'query'}" in line, line
    if on_update == "close":  # the request went out and no answer came: the client cannot know
        assert "no article of this run written before it; the write in progress may have landed" in line, line
    elif on_update:
        assert line.endswith("; no article of this run was written"), line


@pytest.mark.parametrize("mode, status", [("500", "HTTP 500: Internal Server Error"), ("404", "HTTP 404: Not Found")])
def test_an_html_error_page_is_named_by_its_status_never_quoted(mode, status):
    with FakeEndpoint(on_query=mode) as endpoint:
        for command in (["ingest", SEED_003], ["stats"], ["who-said", "x"]):
            result = cli(*command, "--store", endpoint.url)
            assert result.exit_code == 1
            assert one_error(result.stderr) == f"kg: error: SPARQL endpoint {endpoint.url}/query answered {status}"


class FlakyEndpoint(http.server.ThreadingHTTPServer):
    """Answers HTTP 503 (an HTML page) to the first `failures` requests to each of /query and /update,
    then an empty result (204 for /update); counts the requests."""

    def __init__(self, failures: int):
        self.requests = {"/query": 0, "/update": 0}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.requests[self.path] += 1
                if server.requests[self.path] <= failures:
                    status, media, body = 503, "text/html", b"<html><body>Service Unavailable</body></html>"
                elif self.path == "/query":
                    status, media, body = 200, "application/sparql-results+json", EMPTY
                else:
                    status, media, body = 204, None, b""
                self.send_response(status)
                if media:
                    self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


def test_reads_are_tried_again_with_backoff_and_writes_never():
    from kg.store import RemoteStore, StoreError
    from kg.store.remote import RETRY_PAUSES

    endpoint = FlakyEndpoint(failures=len(RETRY_PAUSES))  # the last try succeeds
    try:
        started = time.perf_counter()
        assert list(RemoteStore(endpoint.url).query("SELECT ?a ?b ?c WHERE { ?a ?b ?c }")) == []
        assert endpoint.requests["/query"] == len(RETRY_PAUSES) + 1
        assert time.perf_counter() - started >= sum(RETRY_PAUSES)
        with pytest.raises(StoreError, match=rf"^SPARQL endpoint {endpoint.url}/update answered HTTP 503: "
                                             "Service Unavailable$"):
            RemoteStore(endpoint.url).update("INSERT DATA { <x:a> <x:b> <x:c> }")
        assert endpoint.requests["/update"] == 1
    finally:
        endpoint.shutdown()
        endpoint.server_close()
    endpoint = FlakyEndpoint(failures=len(RETRY_PAUSES) + 1)  # still failing after the last pause
    try:
        result = cli("stats", "--store", endpoint.url)
        assert one_error(result.stderr) == (f"kg: error: SPARQL endpoint {endpoint.url}/query answered HTTP 503: "
                                            "Service Unavailable")
        assert endpoint.requests["/query"] == len(RETRY_PAUSES) + 1
    finally:
        endpoint.shutdown()
        endpoint.server_close()


def test_an_endpoint_nobody_listens_on_is_one_line():
    url = f"http://127.0.0.1:{free_port()}"
    result = cli("ingest", "--store", url, SEED_003)
    assert result.exit_code == 1
    assert f"cannot reach SPARQL endpoint {url}/query" in one_error(result.stderr)


def test_the_endpoint_killed_mid_ingest_is_one_line_and_a_rerun_completes(tmp_path):
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph CLI is not installed")
    data, port = tmp_path / "oxdata", free_port()
    url = f"http://127.0.0.1:{port}"

    def serve():
        process = subprocess.Popen([binary, "serve", "--location", str(data), "--bind", f"127.0.0.1:{port}"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                sparql_post(url, "query", b"query=ASK{}", "application/x-www-form-urlencoded", timeout=1)
                return process
            except OSError:
                time.sleep(0.1)
        process.kill()
        pytest.fail("oxigraph serve did not start")

    def count() -> int:
        body = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?g "
                                       "<https://w3id.org/kg-attribution/ontology#documentId> ?id } }"}).encode()
        answer = json.loads(sparql_post(url, "query", body, "application/x-www-form-urlencoded", timeout=5))
        return int(answer["results"]["bindings"][0]["n"]["value"])

    texts = corpus(tmp_path / "c.jsonl", 60)
    server = serve()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ingest = subprocess.Popen([sys.executable, "-m", "kg", "ingest", "--store", url, str(texts)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + WAIT
        while count() == 0:  # the first 16 articles are in: kill the server before the next write
            assert time.monotonic() < deadline and ingest.poll() is None, "no article written"
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)
        server.wait()
        _, stderr = ingest.communicate(timeout=WAIT)
    finally:
        if ingest.poll() is None:
            ingest.kill()
    assert ingest.returncode == 1
    line = one_error(stderr)
    assert f"cannot reach SPARQL endpoint {url}/" in line, line
    # killed before the next write, or while the endpoint applied it and before it answered
    assert "articles of this run written before it, each whole" in line or "may have landed whole" in line, line

    server = serve()
    try:
        assert count() == 16
        rerun = run_kg("ingest", "--store", url, texts)
        assert rerun.returncode == 0, rerun.stderr
        assert "44 articles, 16 unchanged" in rerun.stderr, rerun.stderr
        assert count() == 60
    finally:
        server.kill()
        server.wait()


# --- F19: kg chain with a name, not an IRI ---------------------------------------------------------

@pytest.mark.parametrize("name", ["Bloomberg", 'x" } ; DROP ALL #', "<>", "a b"])
def test_chain_with_anything_but_an_iri_is_one_line(seeded_local, name):
    result = cli("chain", name, "--store", seeded_local)
    assert result.exit_code == 1
    assert "is not an attribution IRI (kg attributions prints them)" in one_error(result.stderr)
    assert articles_in(seeded_local) == 2


# --- F3: a damaged local store ----------------------------------------------------------------------

def _garble(path: Path, at: int, n: int) -> None:
    with open(path, "r+b") as f:
        f.seek(at)
        f.write(os.urandom(n))


def _damage(store: Path, kind: str) -> None:
    tables = sorted(store.glob("*.sst"), key=lambda p: p.stat().st_size)
    if kind == "truncated table":
        os.truncate(tables[-1], tables[-1].stat().st_size // 2)
    elif kind == "removed table":
        tables[-1].unlink()
    elif kind == "garbled MANIFEST":
        _garble(next(store.glob("MANIFEST-*")), 100, 500)
    elif kind == "deleted CURRENT":
        (store / "CURRENT").unlink()
    elif kind == "garbled table":
        _garble(tables[-1], tables[-1].stat().st_size // 3, tables[-1].stat().st_size // 3)
    elif kind == "every table garbled":  # kg ingest grew to 10 GB in a hang on this (FAULTS.md F3)
        for table in tables:
            _garble(table, table.stat().st_size // 3, table.stat().st_size // 3)
        for log in store.glob("*.log"):
            log.unlink()


@pytest.fixture(scope="module")
def clean_store(tmp_path_factory) -> Path:
    """The seeds in a store, closed (its tables flushed): copied by each test before it damages it."""
    store = tmp_path_factory.mktemp("clean") / "store"
    result = cli("ingest", "--store", store, SEED_000, SEED_003)
    assert result.exit_code == 0, result.output
    return store


DAMAGES = ["truncated table", "removed table", "garbled MANIFEST", "deleted CURRENT", "every table garbled"]
COMMANDS = [("stats",), ("export", "--format", "nq", "-o", os.devnull), ("validate",), ("ingest", SEED_000)]


@pytest.mark.parametrize("kind", DAMAGES)
def test_a_damaged_store_is_one_line_on_every_command_and_is_left_as_it_is(tmp_path, clean_store, kind):
    store = tmp_path / "store"
    shutil.copytree(clean_store, store)
    _damage(store, kind)
    before = sorted(p.name for p in store.iterdir())
    for args in COMMANDS:
        result = run_kg(*args, "--store", store, timeout=120)
        assert result.returncode == 1, (args, result.stderr)
        line = one_error(result.stderr)
        assert line.startswith(f"kg: error: store {store} is damaged: "), (args, line)
        assert line.endswith("(restore the directory from a backup, or ingest the articles again into a new store)")
    assert sorted(p.name for p in store.iterdir() if not p.name.startswith("LOG")) == \
        [n for n in before if not n.startswith("LOG")]  # no new CURRENT or MANIFEST over the old data


def test_a_garbled_table_found_by_ingest_is_one_line(tmp_path, clean_store):
    store = tmp_path / "store"
    shutil.copytree(clean_store, store)
    _damage(store, "garbled table")
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"id": "new", "text": "Savett said on Monday that the plan was sound."}) + "\n",
                   encoding="utf-8")
    result = run_kg("ingest", "--store", store, new, timeout=120)
    assert result.returncode == 1
    assert f"store {store} is damaged: Corruption: " in one_error(result.stderr)


# --- kg query and the named questions give up after --timeout (120 s by default) -----------------------

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 10^10 rows on the seeds


@pytest.mark.parametrize("command", [["query", "ASK {}"], ["attributions"], ["who-said", "x"],
                                     ["chain", "https://w3id.org/kg-attribution/article/x#a1"], ["sources"],
                                     ["stats"], ["claims"]])
def test_queries_have_a_default_timeout(command):
    result = cli(*command, "--help")
    assert result.exit_code == 0 and "--timeout SECONDS" in result.stdout, result.output
    assert "(0: no limit). [default: 120.0; x>=0]" in " ".join(result.stdout.split()), result.stdout


def test_a_query_past_its_timeout_is_one_line_and_0_means_no_limit(seeded_local):
    started = time.perf_counter()
    result = run_kg("query", CROSS_JOIN, "--timeout", "1", "--store", seeded_local)
    assert result.returncode == 1 and time.perf_counter() - started < 60
    assert one_error(result.stderr) == ("kg: error: query timed out after 1 s (--timeout SECONDS to wait longer, "
                                        "--timeout 0 for no limit)")
    for command in (["who-said", "Zelensky"], ["attributions", "--about", "Kursk"], ["claims"]):
        result = cli(*command, "--timeout", "0.000001", "--store", seeded_local)
        assert (result.exit_code, result.stdout) == (1, ""), result.output
        assert one_error(result.stderr).startswith("kg: error: query timed out after 1e-06 s (--timeout ")
        assert cli(*command, "--timeout", "0", "--store", seeded_local).exit_code == 0
