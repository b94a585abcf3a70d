"""kg serve: the pages (Starlette's TestClient on the seeds), the SPARQL 1.1 Protocol (in-process,
then rdflib's SPARQLStore against a real uvicorn in a subprocess, the same rows as `kg query`), the
server started and stopped (SIGTERM, a port in use, no kg store), `kg ingest` writing while it
serves, and a reader's way through the pages in a real browser (Playwright driving Debian's chromium:
search, an agent, an article's marks at the stored offsets, a SPARQL query and its CSV; hostile text
inert). Screenshots go to $KG_TEST_ARTIFACTS."""
from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

import pytest
from conftest import ROOT, SEED_000, SEED_003, SEED_IDS, cli, free_port, ingested, kg

import kg as kg_api
from kg.queries import named

warnings.filterwarnings("ignore", message=".*httpx.*")  # Starlette 1.10 prefers httpx2; httpx works
from starlette.testclient import TestClient  # noqa: E402

from kg.web.app import create_app, shipped  # noqa: E402

ZELENSKY = "/agent/person/volodymyr-zelensky"
ARTICLE_003 = "/article/" + SEED_003.stem
EVIL = {  # what a news text may hold; none of it may run in the page
    "id": "evil",
    "title": "<b onmouseover=\"document.documentElement.setAttribute('data-pwned','title')\">Hackers</b> strike",
    "publisher": "Reuters",
    "text": "Hackers strike again\n\n"
            "The security researcher said that \"<script>document.documentElement.setAttribute('data-pwned','s')"
            "</script>\" was found in the page on Monday.\n\n"
            "John Smith \"><img src=x onerror=document.documentElement.setAttribute('data-pwned','img')> said on "
            "Monday that <img src=x onerror=document.documentElement.setAttribute('data-pwned','img')> had been "
            "removed.\n\n"
            "It was reported that the attackers were never found.\n",  # a record without a source
}
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def client(seeded_local):
    with TestClient(create_app(seeded_local)) as c:
        yield c


@pytest.fixture(scope="module")
def evil_store(tmp_path_factory) -> str:
    return ingested(tmp_path_factory.mktemp("evil"), EVIL)


def stored_spans(location: str, doc_id: str) -> list[dict]:
    with kg_api.Graph(location, read_only=True) as g:
        return g.query(shipped(g, "web_article_spans"),
                       article=kg_api.graph.NamedNode("https://w3id.org/kg-attribution/article/" + doc_id))


# --- pages ------------------------------------------------------------------------------------------


def test_the_home_page_says_what_the_graph_holds_and_links_the_sources(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Most quoted sources" in page.text and 'action="/search"' in page.text
    assert f'href="{ZELENSKY}"' in page.text or "/agent/" in page.text
    for doc in (SEED_000.stem, SEED_003.stem):
        assert f'href="/article/{doc}"' in page.text
    assert "Best corroborated claims" in page.text and "Contested claims" in page.text
    assert re.search(r'<span class="value">2</span> <span class="label">articles</span>', page.text)


def test_search_finds_zelensky_and_his_page_lists_both_articles(client):
    found = client.get("/search", params={"q": "Zelensky"})
    assert found.status_code == 200 and f'href="{ZELENSKY}"' in found.text
    page = client.get(ZELENSKY)
    assert page.status_code == 200
    assert "Volodymyr Zelenskyy" in page.text and "Person" in page.text and "Names seen" in page.text
    with kg_api.Graph(client.app.state.graphs.location, read_only=True) as g:
        said = {(r["documentId"], r["content"]) for r in g.who_said("Zelensky") if r["role"] == "source"}
    assert {doc for doc, _ in said} == {SEED_000.stem, SEED_003.stem}
    for _, content in said:
        assert html.escape(content, quote=False) in page.text
    assert f'href="/article/{SEED_000.stem}#' in page.text and f'href="/article/{SEED_003.stem}#' in page.text


def said_on(page: str) -> list[str]:
    """The attributions listed on an agent page, in order."""
    return re.findall(r'<td><a href="/article/[^"#]+#(a\d+)"', page)


def test_an_agent_page_pages_through_everything_it_said(client, monkeypatch):
    whole = client.get(ZELENSKY)
    everything = said_on(whole.text)
    assert len(everything) == 7 and 'rel="next"' not in whole.text
    monkeypatch.setattr("kg.web.app.PAGE_SIZE", 3)
    pages = [client.get(ZELENSKY, params={"page": n}).text for n in (1, 2, 3)]
    assert [len(said_on(p)) for p in pages] == [3, 3, 1]
    assert [r for p in pages for r in said_on(p)] == everything  # the same rows, in the same order
    assert 'rel="next" href="/agent/person/volodymyr-zelensky?page=2"' in pages[0]
    assert 'rel="prev"' in pages[2] and 'rel="next"' not in pages[2] and "7–7 of 7" in pages[2]
    assert said_on(client.get(ZELENSKY, params={"page": "99"}).text) == said_on(pages[2])  # past the end: the last
    assert client.get(ZELENSKY, params={"page": "x"}).status_code == 200


def test_an_agent_page_lists_its_roles_and_nothing_told_to_others(client):
    """A person is told nothing that it relays; an outlet that was told a claim lists it as recipient
    (and only that one): the statements are the agent's own."""
    person = client.get(ZELENSKY).text
    assert "role-recipient" not in person and "as relay, 0 told to it" in person
    journal = client.get("/agent/wall-street-journal").text
    assert journal.count('<tr class="role-') == 1 and 'class="role-recipient"' in journal


def test_search_pages_its_results(client, monkeypatch):
    monkeypatch.setattr("kg.web.app.SEARCH_PAGE", 1)
    first = client.get("/search", params={"q": "e"}).text
    assert first.count('<ul class="agents"><li>') == 1 and 'rel="next" href="/search?q=e&amp;page=2"' in first
    second = client.get("/search", params={"q": "e", "page": 2}).text
    assert 'rel="prev" href="/search?q=e&amp;page=1"' in second
    agent = re.compile(r'<ul class="agents"><li><a href="([^"]+)"')
    assert agent.search(first).group(1) != agent.search(second).group(1)


def test_the_article_marks_every_span_at_its_stored_offsets(client):
    page = client.get(ARTICLE_003)
    assert page.status_code == 200
    spans = stored_spans(client.app.state.graphs.location, SEED_003.stem)
    marks = re.findall(r'<a href="#(a\d+)" class="m ([a-z ]+)" data-start="(\d+)" data-end="(\d+)" '
                       r'data-parts="[^"]*" data-records="([^"]*)">([^<]*)</a>', page.text)
    assert marks
    covered = {}
    for _, parts, start, end, records, text in marks:
        for part in parts.split():
            for record in records.split():
                for i in range(int(start), int(end)):
                    covered[(record, part, i)] = html.unescape(text)[i - int(start)]
    evidence = {}
    for s in spans:
        record = s["attribution"].rsplit("#", 1)[-1]
        if s["part"] == "evidence":
            evidence[record] = s
            continue
        # every character of every stored source, cue and content span is marked as that, in place
        assert "".join(covered[(record, s["part"], i)] for i in range(s["start"], s["end"])) == s["text"], s
    assert {r["attribution"].rsplit("#", 1)[-1] for r in spans} == set(evidence)
    for record in evidence:
        assert f'<tr id="{record}">' in page.text


def article_text(location: str, doc_id: str) -> str | None:
    with kg_api.Graph(location, read_only=True) as g:
        rows = g.query("SELECT ?text WHERE { GRAPH ?a { ?a nif:isString ?text } }",
                       a=kg_api.graph.NamedNode("https://w3id.org/kg-attribution/article/" + doc_id))
    return rows[0]["text"] if rows else None


def shown_text(page: str) -> str:
    """The text of the article's text box as the page shows it (tags out, entities decoded)."""
    box = re.search(r'<div class="text[^"]*" id="text">(.*?)</div>', page, re.DOTALL).group(1)
    return html.unescape(re.sub(r"<[^>]+>", "", re.sub(r'<span class="gap"[^>]*>.*?</span>', "", box)))


def test_the_article_page_shows_its_whole_text_as_stored_by_ingest(client):
    """kg ingest keeps the whole text with the article (nif:isString, in its graph's transaction): the
    page shows all of it, not only the attributed sentences, and every stored span indexes it."""
    location = client.app.state.graphs.location
    text = article_text(location, SEED_003.stem)
    assert text and len(text) > 1000 and "“This is an obvious escalatory step by Russia,”" in text
    for s in stored_spans(location, SEED_003.stem):
        assert text[s["start"]:s["end"]] == s["text"], s
    page = client.get(ARTICLE_003).text
    assert "[…]" not in page and "at its stored offsets" in page
    assert shown_text(page).strip() == text.strip()


def test_a_store_without_article_texts_still_shows_the_sentences(tmp_path):
    store = ingested(tmp_path, EVIL | {"id": "plain", "title": "Plain", "text": EVIL["text"].replace("<", "(")})
    kg("query", "--update", "DELETE WHERE { GRAPH ?g { ?a nif:isString ?t } }", "--store", store)
    assert article_text(store, "plain") is None
    with TestClient(create_app(store)) as c:
        page = c.get("/article/plain")
    assert page.status_code == 200 and "[…]" in page.text and "kg ingest of the same articles adds it" in page.text
    shown = shown_text(page.text)
    spans = stored_spans(store, "plain")
    assert all(s["text"] in shown for s in spans if s["part"] == "evidence") and "Hackers strike again" not in shown


def test_a_claim_group_lists_its_claims_sources_and_articles(client):
    with kg_api.Graph(client.app.state.graphs.location, read_only=True) as g:
        best = g.claims(min_sources=2)[0]
    page = client.get("/group", params={"iri": best["group"]})
    assert page.status_code == 200
    assert html.escape(best["groupLabel"], quote=False) in page.text
    assert f'href="/article/{best["documentId"]}#' in page.text


def test_the_graph_page_draws_a_focus_offline(client):
    page = client.get("/graph", params={"focus": "Bloomberg"})
    assert page.status_code == 200 and "/graph/draw?focus=Bloomberg" in page.text
    drawing = client.get("/graph/draw", params={"focus": "Bloomberg"})
    assert drawing.status_code == 200 and "vis-network" in drawing.text.lower()
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', drawing.text)  # offline: nothing fetched
    assert client.get("/graph/draw", params={"focus": "Nobody At All"}).status_code == 404


def test_the_query_page_runs_a_query_with_downloads(client):
    page = client.get("/query", params={"query": "SELECT ?label WHERE { ?a kg:source/rdfs:label ?label } LIMIT 5"})
    assert page.status_code == 200 and "PREFIX kg:" in page.text
    assert page.text.count("<tr>") == 6  # the header and five rows
    assert "/sparql?query=" in page.text and "format=csv" in page.text
    assert "COUNT(?a) AS ?n" in client.get("/query").text  # the example in an empty box
    refused = client.get("/query", params={"query": "DROP ALL"})
    assert refused.status_code == 403 and "read-only" in refused.text and "DROP ALL</textarea>" in refused.text


@pytest.mark.parametrize("url", ["/agent/nobody", "/agent?iri=not%20an%20iri", "/article/nothing",
                                 "/group?iri=x", "/no/such/page"])
def test_unknown_things_are_a_404_page_with_a_search_box(client, url):
    page = client.get(url)
    assert page.status_code == 404 and 'name="q"' in page.text and "Traceback" not in page.text


def test_every_text_of_an_article_is_escaped(evil_store):
    with TestClient(create_app(evil_store)) as c:
        for url in ("/", "/article/evil", "/search?q=Smith", "/query?query=SELECT+?t+WHERE+{?c+kg:text+?t}"):
            page = c.get(url)
            assert page.status_code == 200, url
            assert "<script>document" not in page.text and "<img src=x" not in page.text, url
            assert "<b onmouseover" not in page.text
        assert "&lt;script&gt;" in c.get("/article/evil").text


def test_a_request_that_fails_is_an_error_page_and_one_line_on_stderr(seeded_local, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("the marks could not be\nplaced")

    monkeypatch.setattr("kg.web.app.marked_text", broken)
    with TestClient(create_app(seeded_local), raise_server_exceptions=False) as c:
        page = c.get(ARTICLE_003)
    assert page.status_code == 500 and "the server failed on this request" in page.text
    assert "Traceback" not in page.text and "RuntimeError" not in page.text
    assert capsys.readouterr().err == (f"kg serve: error: GET {ARTICLE_003}: RuntimeError: the marks could not be "
                                       f"placed\n")


# --- /sparql: the protocol ----------------------------------------------------------------------------

SOURCES = "SELECT ?label (COUNT(?a) AS ?n) WHERE { ?a kg:source/rdfs:label ?label } GROUP BY ?label ORDER BY ?label"


@pytest.mark.parametrize("accept, media", [
    (None, "application/sparql-results+json"), ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"), ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/html;q=0.9, text/csv;q=0.5", "text/csv"), ("*/*", "application/sparql-results+json")])
def test_select_results_by_content_negotiation(client, accept, media):
    answer = client.get("/sparql", params={"query": SOURCES}, headers={"Accept": accept} if accept else {})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(answer.text)))
        assert rows[0] == ["label", "n"] and len(rows) > 5


def test_post_form_and_sparql_query_bodies(client):
    form = client.post("/sparql", data={"query": "ASK { ?a a kg:Attribution }"})
    assert form.status_code == 200 and form.json()["boolean"] is True
    body = client.post("/sparql", content="SELECT * WHERE { ?s a kg:Article }",
                       headers={"Content-Type": "application/sparql-query"})
    assert body.status_code == 200 and len(body.json()["results"]["bindings"]) == 2


@pytest.mark.parametrize("accept, media, marker", [
    ("text/turtle", "text/turtle", "@prefix"), ("application/n-triples", "application/n-triples", "> <"),
    ("application/ld+json", "application/ld+json", "@id")])
def test_construct_comes_as_turtle_ntriples_or_jsonld(client, accept, media, marker):
    query = "CONSTRUCT { ?a kg:cue ?c } WHERE { ?a kg:cue ?c } LIMIT 3"
    answer = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)
    assert marker in answer.text or (marker == "@prefix" and "kg-attribution" in answer.text)


@pytest.mark.parametrize("request_args, status, words", [
    (("get", {"params": {"update": "DROP ALL"}}), 403, "read-only"),
    (("post", {"data": {"update": "DROP ALL"}}), 403, "read-only"),
    (("post", {"content": "DROP ALL", "headers": {"Content-Type": "application/sparql-update"}}), 403, "read-only"),
    (("get", {"params": {"query": "INSERT DATA { <x:a> <x:b> <x:c> }"}}), 403, "read-only"),
    (("get", {"params": {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}}), 403,
     "SERVICE"),
    (("get", {"params": {"query": "SELECT * WHERE {\n  ?s ?p \n}"}}), 400, "line 3, column 2"),
    (("get", {"params": {"query": "ASK {}", "default-graph-uri": "http://x"}}), 400, "FROM"),
    (("get", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}), 406, "cannot answer"),
    (("post", {"content": "ASK {}", "headers": {"Content-Type": "text/plain"}}), 415, "POST a query"),
])
def test_what_the_endpoint_refuses(client, request_args, status, words):
    method, kwargs = request_args
    answer = getattr(client, method)("/sparql", **kwargs)
    assert answer.status_code == status and words in answer.text, answer.text
    assert "Traceback" not in answer.text


def test_a_query_past_its_timeout_is_a_503(seeded_local):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with TestClient(create_app(seeded_local, timeout=0.05)) as c:
        answer = c.get("/sparql", params={"query": heavy})
    assert answer.status_code == 503 and "timed out" in answer.text


def test_the_service_description(client):
    answer = client.get("/sparql")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/turtle")
    assert "sd:SPARQL11Query" in answer.text and "/sparql>" in answer.text
    assert client.get("/sparql", headers={"Accept": "text/html"}, follow_redirects=False).status_code == 303


# --- a real server ----------------------------------------------------------------------------------


def serve_command(store: str, port: int, *extra) -> list[str]:
    return [sys.executable, "-m", "kg", "serve", "--store", store, "--port", str(port), *extra]


def environment() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def get(url: str, timeout: float = 10, accept: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with _LOCAL.open(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@contextlib.contextmanager
def kg_serve(store: str, tmp_path: Path, *extra: str):
    """`kg serve` in a subprocess on a free port (`extra`: more options); yields (base URL, process,
    stderr file)."""
    for _ in range(3):
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        with open(log, "wb") as stderr:
            process = subprocess.Popen(serve_command(store, port, *extra), stdout=subprocess.DEVNULL, stderr=stderr,
                                       env=environment(), cwd=ROOT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if get(base + "/sparql?query=ASK%7B%7D", timeout=2)[0] == 200:
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        else:
            process.kill()
            process.wait()
            continue
        break
    else:
        pytest.fail("kg serve did not start: " + log.read_text("utf-8", "replace"))
    try:
        yield base, process, log
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_serve_prints_its_url_and_stops_cleanly_on_sigterm(seeded_local, tmp_path):
    snapshots = set(Path(seeded_local).parent.glob(".kg-serve-*"))  # the in-process clients' own
    with kg_serve(seeded_local, tmp_path) as (base, process, log):
        assert get(base + "/")[0] == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    text = log.read_text("utf-8")
    assert f"kg serve: {base}/" in text and "kg serve: stopped" in text and "Traceback" not in text
    assert set(Path(seeded_local).parent.glob(".kg-serve-*")) == snapshots  # the server's went with it


def test_serve_refuses_a_port_in_use_and_a_directory_that_is_no_store(seeded_local, tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(serve_command(seeded_local, port), capture_output=True, text=True, env=environment(),
                              cwd=ROOT, timeout=60)
    assert done.returncode == 1 and done.stderr.strip() == f"kg: error: cannot listen on 127.0.0.1:{port}: in use"
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    done = subprocess.run(serve_command(str(other), free_port()), capture_output=True, text=True, env=environment(),
                          cwd=ROOT, timeout=60)
    assert done.returncode == 1 and done.stderr.startswith("kg: error: ") and done.stderr.count("\n") == 1
    assert "not a kg store" in done.stderr


def test_serve_says_so_when_a_writer_holds_the_store(seeded_local, tmp_path, monkeypatch):
    """A writer (another process) holds the store at start: kg serve waits for it, then one line."""
    store = tmp_path / "store"
    shutil.copytree(seeded_local, store)
    hold = ("import sys, time; from kg.store import open_store; s = open_store(sys.argv[1]); "
            "print('held', flush=True); time.sleep(60)")
    writer = subprocess.Popen([sys.executable, "-c", hold, str(store)],
                              stdout=subprocess.PIPE, text=True, env=environment(), cwd=ROOT)
    try:
        assert writer.stdout.readline().strip() == "held"
        monkeypatch.setattr("kg.web.snapshot.WAIT_FOR_WRITER", 0.5)
        done = cli("serve", "--store", store, "--port", "0")
    finally:
        writer.kill()
        writer.wait()
    assert done.exit_code == 1 and done.stdout == ""
    assert done.stderr == (f"kg: error: store {store} is in use by another process (a writer such as kg ingest; "
                           f"waited 0.5 s): run kg serve again once it is done\n")


def test_bad_requests_to_a_real_server_are_a_message_each_and_no_traceback(seeded_local, tmp_path):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with kg_serve(seeded_local, tmp_path, "--timeout", "0.05") as (base, process, log):
        cases = [("/sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE {\n  ?s ?p \n}"}), 400,
                  "line 3, column 2"),
                 ("/query?" + urllib.parse.urlencode({"query": "SELECT * WHERE {\n  ?s ?p \n}"}), 400,
                  "line 3, column 2"),
                 ("/sparql?" + urllib.parse.urlencode({"query": heavy}), 503, "timed out"),
                 ("/query?" + urllib.parse.urlencode({"query": heavy}), 503, "timed out"),
                 ("/query?" + urllib.parse.urlencode({"query": "DROP ALL"}), 403, "read-only"),
                 ("/agent/person/nobody", 404, 'name="q"'), ("/article/nothing", 404, 'name="q"'),
                 ("/group?iri=not%20an%20iri", 404, 'name="q"')]
        for url, status, words in cases:
            got, body = get(base + url)
            assert got == status and words in body and "Traceback" not in body, (url, got, body[-300:])
        assert process.poll() is None
    assert "Traceback" not in log.read_text("utf-8")


def test_rdflib_gets_the_rows_of_kg_query_through_the_endpoint(seeded_local, tmp_path):
    """kg's own questions through a standard client: rdflib's SPARQLStore, over HTTP, against the
    real server; the same rows as `kg query` on the store."""
    from rdflib import Graph as RdfGraph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    questions = ["sources", "stats", "read_claims"]  # those without parameters
    with kg_serve(seeded_local, tmp_path) as (base, _, _):
        remote = RdfGraph(SPARQLStore(base + "/sparql", returnFormat="json"))
        for name in questions:
            text = named(name)
            got = sorted(tuple("" if v is None else str(v) for v in row) for row in remote.query(text))
            expected = json.loads(kg("query", text, "--format", "json", "--store", seeded_local).stdout)
            variables = expected["head"]["vars"]
            want = sorted(tuple(b.get(v, {}).get("value", "") for v in variables)
                          for b in expected["results"]["bindings"])
            assert got == want and got, name


def test_the_server_answers_while_kg_ingest_writes_and_shows_the_new_article(tmp_path):
    store = str(tmp_path / "store")
    kg("ingest", SEED_000, "--store", store)
    with kg_serve(store, tmp_path) as (base, process, _):
        assert SEED_003.stem not in get(base + "/")[1]
        ingest = subprocess.Popen([sys.executable, "-m", "kg", "ingest", str(SEED_003), "--store", store],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment(), cwd=ROOT)
        answered = 0
        while ingest.poll() is None:  # the pages keep answering meanwhile
            assert get(base + "/sparql?query=ASK%7B%7D")[0] == 200
            answered += 1
            time.sleep(0.1)
        assert ingest.wait() == 0, ingest.stderr.read().decode()
        assert answered > 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and SEED_003.stem not in get(base + "/")[1]:
            time.sleep(0.3)
        assert SEED_003.stem in get(base + "/")[1]
        assert get(base + ARTICLE_003)[0] == 200
        assert process.poll() is None


# --- in a browser: Playwright driving Debian's chromium ------------------------------------------------

# Playwright's own browser download is not used: Debian's chromium (`make browser`), with nothing
# that would reach the network on its own.
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Where each mark of the text box is, counted in characters (code points, as kg's offsets) of the
# text the reader sees before it in its block (which starts at its data-start), with its data-start and
# data-end.
RENDERED_MARKS = """box => { const out = []; let pos = 0;
  const walk = node => { for (const c of node.childNodes) {
    if (c.nodeType === Node.TEXT_NODE) { pos += Array.from(c.data).length; continue; }
    const mark = c.matches('a.m'), at = pos;
    walk(c);
    if (mark) out.push({at, to: pos, start: +c.dataset.start, end: +c.dataset.end, parts: c.dataset.parts,
                        records: c.dataset.records, text: c.textContent}); } };
  for (const block of box.querySelectorAll('.block')) { pos = +block.dataset.start; walk(block); }
  return out; }"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    if chromium() is None:
        pytest.skip("no chromium on PATH (Debian: make browser, or apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=BROWSER_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def artifacts(tmp_path) -> Path:
    folder = Path(os.environ.get("KG_TEST_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def tab(browser):
    """A fresh page (its own context: no cookies or history shared) that fails on a script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append("dialog: " + dialog.message), dialog.dismiss()))
    try:
        yield page
        assert not errors, errors
    finally:
        context.close()


def test_a_reader_searches_reads_an_article_and_queries_in_a_browser(browser, seeded_local, tmp_path, artifacts):
    with kg_api.Graph(seeded_local, read_only=True) as g:
        said = {(r["documentId"], r["content"]) for r in g.who_said("Zelensky") if r["role"] == "source"}
    assert {doc for doc, _ in said} == {SEED_000.stem, SEED_003.stem}
    with kg_serve(seeded_local, tmp_path) as (base, _, _), tab(browser) as page:
        page.goto(base + "/")
        page.screenshot(path=artifacts / "serve_home.png", full_page=True)
        page.fill("form.big-search input[name=q]", "Zelensky")
        page.press("form.big-search input[name=q]", "Enter")
        page.wait_for_url("**/search?q=Zelensky")
        page.click(f'ul.agents a[href="{ZELENSKY}"]')
        page.wait_for_url("**" + ZELENSKY)
        page.screenshot(path=artifacts / "serve_agent.png", full_page=True)
        assert page.inner_text("h1").startswith("Volodymyr Zelenskyy")
        listed = page.eval_on_selector_all("table.said tbody tr", """rows => rows.map(r =>
            [r.cells[2].innerText, r.cells[4].querySelector('a').getAttribute('href')])""")
        for doc, content in said:  # both articles' statements, each linked to its article
            assert any(content in shown and href.startswith(f"/article/{doc}#") for shown, href in listed), content

        page.click(f'table.said a[href^="/article/{SEED_003.stem}#"] >> nth=0')
        page.wait_for_url(f"**/article/{SEED_003.stem}*")
        text = article_text(seeded_local, SEED_003.stem)
        assert page.inner_text("#text").strip() == text.strip()
        marks = page.eval_on_selector("#text", RENDERED_MARKS)
        assert marks
        covered = set()
        for m in marks:  # each mark sits at its stored offsets in the text the reader sees
            assert (m["at"], m["to"]) == (m["start"], m["end"]) and text[m["start"]:m["end"]] == m["text"], m
            covered |= {(r, part, i) for r in m["records"].split() for part in m["parts"].split()
                        for i in range(m["start"], m["end"])}
        spans = [s for s in stored_spans(seeded_local, SEED_003.stem) if s["part"] != "evidence"]
        for s in spans:  # and every stored source, cue and content span is marked as that, all of it
            record = s["attribution"].rsplit("#", 1)[-1]
            assert all((record, s["part"], i) in covered for i in range(s["start"], s["end"])), s

        mark = page.locator("#text a.m.source").first
        record, mention = mark.get_attribute("href")[1:], mark.inner_text()
        mark.click()
        assert page.evaluate("location.hash") == "#" + record
        row = page.locator(f'table.records tr[id="{record}"]')
        assert row.is_visible() and page.evaluate("document.querySelector(':target').id") == record
        assert row.evaluate("r => getComputedStyle(r).backgroundColor") == "rgb(255, 245, 157)"  # tr:target
        assert f"“{mention}”" in row.inner_text()
        page.screenshot(path=artifacts / "serve_article.png", full_page=True)

        page.click("header nav a[href='/query']")
        page.fill("textarea[name=query]", "SELECT ?doc ?headline WHERE { ?a a kg:Article ; kg:documentId ?doc "
                                          "OPTIONAL { ?a schema:headline ?headline } } ORDER BY ?doc")
        page.click("#query-form button[type=submit]")
        page.wait_for_selector("table.results")
        shown = page.eval_on_selector_all("table.results tbody tr", "rows => rows.map(r => r.cells[0].innerText)")
        assert shown == SEED_IDS
        page.screenshot(path=artifacts / "serve_query.png", full_page=True)
        with page.expect_download() as download:
            page.click("p.downloads a:text-is('CSV')")
        rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
        assert rows[0] == ["doc", "headline"] and [r[0] for r in rows[1:]] == SEED_IDS


def test_hostile_text_stays_text_in_a_browser(browser, evil_store, tmp_path, artifacts):
    """Names, quotations and a headline holding <script>, "><img onerror=...> and onmouseover: shown as
    the words they are, and nothing of them runs (no script, no image, no handler, no dialog)."""
    with kg_serve(evil_store, tmp_path) as (base, _, _), tab(browser) as page:
        page.goto(base + "/search?q=onerror")
        page.click("ul.agents a >> nth=0")  # the source named John "><img ...> Smith
        urls = [page.url, base + "/", base + "/article/evil", base + "/search?q=onerror",
                base + "/query?" + urllib.parse.urlencode({"query": "SELECT ?t WHERE { ?c kg:text ?t }"})]
        for url in urls:
            page.goto(url, wait_until="networkidle")
            page.hover("h1")
            found = page.evaluate("""() => ({pwned: document.documentElement.getAttribute('data-pwned'),
                scripts: document.scripts.length, images: document.images.length,
                handlers: document.querySelectorAll('[onerror], [onmouseover], [onload]').length,
                text: document.body.innerText})""")
            assert (found["pwned"], found["scripts"], found["images"], found["handlers"]) == (None, 0, 0, 0), url
            assert "onerror=" in found["text"] or "onmouseover=" in found["text"], url  # shown, as text
        page.goto(base + "/article/evil")
        assert "<script>document.documentElement" in page.inner_text("#text")
        page.screenshot(path=artifacts / "serve_hostile_article.png", full_page=True)
