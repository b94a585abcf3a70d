"""kg.store against both kinds of store: a local Oxigraph directory and a real `oxigraph serve`
(see conftest.py). No spaCy, no network beyond 127.0.0.1."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode

from conftest import ROOT, free_port, oxigraph_serve, sparql_update
from kg import store as kgstore
from kg.store import (DEFAULT_LOCATION, LocalStore, RemoteStore, StoreError, location_from,
                      open_store)

EX = "http://example.org/"
P = NamedNode(EX + "says")
NAME = NamedNode(EX + "name")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
AGENTS = EX + "graph/agents"
HOSTILE = 'x" } ; DROP ALL #'


def g(i) -> str:
    return f"{EX}article/{i}"


def text(word, k, i) -> str:
    """A string that needs escaping (and holds line separators that str.splitlines() splits at)."""
    return f'{word} "{k}" \\ \n\t é\u2028\x85 {i}'


def article(i, n=5, word="said") -> list[tuple]:
    """n triples of article i."""
    a = NamedNode(f"{EX}a/{i}")
    out = [(a, P, Literal(text(word, k, i))) for k in range(n)]
    return out + [(a, NamedNode(EX + "n"), Literal(i)), (a, NamedNode(EX + "lang"), Literal("mot", language="fr"))]


def agents(*names) -> list[tuple]:
    return [(NamedNode(f"{EX}person/{n}"), NAME, Literal(n)) for n in names]


def rows(store, sparql, bindings=None, **options) -> list[tuple]:
    return list(store.query(sparql, bindings, **options))


def one_line(message: str) -> bool:
    return "\n" not in message and "\r" not in message and "Traceback" not in message


@pytest.fixture
def store(store_location):
    s = open_store(store_location)
    yield s
    s.close()


@pytest.fixture
def filled(store):
    store.replace_graphs({g(1): article(1), g(2): article(2)}, merge={AGENTS: agents("Ann", "Bob")})
    return store


# --- both kinds ----------------------------------------------------------------------------------

def test_kind(store, store_location):
    assert isinstance(store, RemoteStore if store_location.startswith("http") else LocalStore)
    assert store.graphs() == [] and store.count() == 0


def test_replace_then_query(filled):
    assert filled.graphs() == sorted([g(1), g(2), AGENTS])
    assert filled.count() == 2 * 7 + 2
    # the default graph is the union of the named graphs
    result = filled.query("SELECT ?s ?o WHERE { ?s <http://example.org/says> ?o } ORDER BY ?o")
    assert result.variables == ["s", "o"] and result.boolean is None
    found = list(result)
    assert len(found) == 10
    assert found[0] == (NamedNode(f"{EX}a/1"), Literal(text("said", 0, 1)))
    assert rows(filled, "SELECT ?name WHERE { ?p <http://example.org/name> ?name } ORDER BY ?name") == \
        [(Literal("Ann"),), (Literal("Bob"),)]
    assert rows(filled, "SELECT ?o WHERE { ?s <http://example.org/lang> ?o } LIMIT 1") == \
        [(Literal("mot", language="fr"),)]
    # GRAPH still reaches one graph
    assert len(rows(filled, f"SELECT * WHERE {{ GRAPH <{g(2)}> {{ ?s ?p ?o }} }}")) == 7
    # a dataset of its own (FROM) is the query's, not the union
    assert len(rows(filled, f"SELECT * FROM <{g(1)}> WHERE {{ ?s ?p ?o }}")) == 7


def test_ask_and_construct(filled):
    assert filled.query("ASK { ?s <http://example.org/name> 'Ann' }").boolean is True
    assert filled.query("ASK { ?s <http://example.org/name> 'Zed' }").boolean is False
    result = filled.query("CONSTRUCT { ?s <http://example.org/name> ?o } WHERE { ?s <http://example.org/name> ?o }")
    assert result.variables is None and result.boolean is None
    assert sorted(t[2].value for t in result) == ["Ann", "Bob"]


def test_replacing_twice_is_idempotent(filled):
    before = filled.count()
    for _ in range(2):
        filled.replace_graphs({g(1): article(1), g(2): article(2)}, merge={AGENTS: agents("Ann", "Bob")})
        assert filled.count() == before
    # new content replaces the old, the other graph untouched
    filled.replace_graphs({g(1): article(1, n=2, word="denied")})
    assert filled.count() == before - 3
    said = rows(filled, f"SELECT ?o WHERE {{ GRAPH <{g(1)}> {{ ?s <{P.value}> ?o }} }}")
    assert len(said) == 2 and all(o.value.startswith("denied") for o, in said)
    assert len(rows(filled, f"SELECT * WHERE {{ GRAPH <{g(2)}> {{ ?s ?p ?o }} }}")) == 7
    # an empty graph is dropped
    filled.replace_graphs({g(2): []})
    assert g(2) not in filled.graphs()


def test_blank_nodes_are_replaced_whole(store):
    b = BlankNode()
    triples = [(NamedNode(EX + "x"), P, b), (b, NAME, Literal("inner"))]
    for _ in range(3):
        store.replace_graphs({g(1): triples})
        assert store.count() == 2
    assert rows(store, "SELECT ?n WHERE { ?x ?p ?b . ?b <http://example.org/name> ?n }") == [(Literal("inner"),)]


def test_merge_accumulates(store):
    store.replace_graphs({g(1): article(1)}, merge={AGENTS: agents("Ann", "Bob")})
    store.replace_graphs({g(2): article(2)}, merge={AGENTS: agents("Bob", "Cy")})
    store.replace_graphs({}, merge={AGENTS: agents("Ann")})
    names = rows(store, f"SELECT ?n WHERE {{ GRAPH <{AGENTS}> {{ ?p <{NAME.value}> ?n }} }} ORDER BY ?n")
    assert names == [(Literal("Ann"),), (Literal("Bob"),), (Literal("Cy"),)]
    assert store.count() == 2 * 7 + 3


def test_relabel_replaces_the_labels_of_the_subjects(store):
    ann, bob = NamedNode(EX + "person/ann"), NamedNode(EX + "person/bob")
    store.replace_graphs({}, merge={AGENTS: [(ann, LABEL, Literal("Ann")), (bob, LABEL, Literal("Bob"))]})
    store.replace_graphs({}, merge={AGENTS: [(ann, LABEL, Literal("Ann Smith"))]}, relabel={AGENTS: [ann]})
    store.replace_graphs({}, merge={AGENTS: [(ann, LABEL, Literal("Ann Smith"))]}, relabel={AGENTS: [ann]})
    labels = rows(store, f"SELECT ?s ?l WHERE {{ GRAPH <{AGENTS}> {{ ?s <{LABEL.value}> ?l }} }} ORDER BY ?l")
    assert labels == [(ann, Literal("Ann Smith")), (bob, Literal("Bob"))]


def test_bindings_are_rdf_terms(filled):
    query = "SELECT ?p WHERE { ?p <http://example.org/name> ?name }"
    assert rows(filled, query, {"name": Literal("Ann")}) == [(NamedNode(EX + "person/Ann"),)]
    assert rows(filled, query, {"name": "Ann"}) == [(NamedNode(EX + "person/Ann"),)]
    assert rows(filled, query, {"?name": NamedNode(EX + "Ann")}) == []
    # the binding holds inside aggregates and sub-selects, and for variables not projected
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?p <http://example.org/name> ?name }"
    assert rows(filled, count, {"name": "Bob"}) == [(Literal(1),)]
    sub = "SELECT ?p WHERE { SELECT ?p WHERE { ?p <http://example.org/name> ?name } }"
    assert rows(filled, sub, {"name": "Bob"}) == [(NamedNode(EX + "person/Bob"),)]
    sub = "SELECT ?p ?name { ?p ?x ?y { SELECT * { ?p <http://example.org/name> ?name } } }"
    assert rows(filled, sub, {"name": "Bob"}) == [(NamedNode(EX + "person/Bob"), Literal("Bob"))]
    two = "SELECT ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), ?needle)) } # ?needle"
    assert len(rows(filled, two, {"needle": '"3"', "s": NamedNode(f"{EX}a/2")})) == 1


def test_a_list_binds_its_variable_to_each_term(filled):
    query = "SELECT ?p WHERE { ?p <http://example.org/name> ?name } ORDER BY ?p"
    assert rows(filled, query, {"name": ["Ann", Literal("Bob"), "nobody"]}) == \
        [(NamedNode(EX + "person/Ann"),), (NamedNode(EX + "person/Bob"),)]
    assert rows(filled, query, {"name": []}) == []                  # no value, no row
    both = "SELECT ?p WHERE { ?p <http://example.org/name> ?name FILTER(?p != ?other) }"
    assert rows(filled, both, {"name": ("Ann", "Bob"), "other": NamedNode(EX + "person/Ann")}) == \
        [(NamedNode(EX + "person/Bob"),)]
    with pytest.raises(StoreError, match="one list of values"):
        filled.query(both, {"name": ["Ann"], "other": [NamedNode(EX + "x")]})
    with pytest.raises(StoreError, match="blank node"):
        filled.query(query, {"name": ["Ann", BlankNode()]})


def test_hostile_binding_returns_nothing_and_changes_nothing(filled):
    before = filled.count()
    assert rows(filled, "SELECT ?p WHERE { ?p <http://example.org/name> ?name }", {"name": HOSTILE}) == []
    assert rows(filled, "SELECT * WHERE { ?s ?p ?o FILTER(?o = ?x) }", {"x": HOSTILE}) == []
    filled.update("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", {"o": HOSTILE})
    assert filled.count() == before
    filled.update("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", {"o": "Ann"})
    assert filled.count() == before - 1


@pytest.mark.parametrize("name, value, message", [
    ("a b", "x", "not a SPARQL variable name"),
    ("x", BlankNode(), "blank node"),
    ("x", object(), "give an RDF term"),
])
def test_bad_bindings(filled, name, value, message):
    with pytest.raises(StoreError, match=message):
        filled.query("SELECT * WHERE { ?s ?p ?x }", {name: value})


def test_bindings_need_a_where_group(filled):
    with pytest.raises(StoreError, match="need a WHERE"):
        filled.query(f"DESCRIBE <{EX}a/1>", {"x": "y"})
    with pytest.raises(StoreError, match="CONSTRUCT WHERE"):
        filled.query("CONSTRUCT WHERE { ?s ?p ?x }", {"x": "y"})


@pytest.mark.parametrize("update", [
    "DROP ALL",
    "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> 1 } }",
    "PREFIX ex: <http://example.org/>  # SELECT in a comment\nDELETE WHERE { GRAPH ?g { ?s ex:name ?o } }",
    "clear all",
])
def test_an_update_is_refused_by_query_and_changes_nothing(filled, update):
    before = filled.count()
    with pytest.raises(StoreError) as error:
        filled.query(update)
    assert str(error.value) == "this is an update; pass --update to change the store"
    assert filled.count() == before


def test_a_query_is_refused_by_update(filled):
    with pytest.raises(StoreError, match="this is a query, not an update"):
        filled.update("SELECT * WHERE { ?s ?p ?o }")


def test_service_is_refused(filled):
    for query in ["SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                  "SELECT * WHERE { ?s ?p ?o . service?endpoint { ?s ?p ?o } }",
                  "SELECT * WHERE { ?s ?p ?o.SERVICE<http://127.0.0.1:9/sparql>{ ?s ?p ?o } }",
                  "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { SERVICE:sparql { ?s ?p ?o } }"]:
        with pytest.raises(StoreError, match="SERVICE .* is refused; pass --allow-service"):
            filled.query(query)
    with pytest.raises(StoreError, match="SERVICE"):
        filled.update("INSERT { GRAPH <http://example.org/g> { ?s ?p ?o } } "
                      "WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    # the word in a string, an IRI, a local name or a comment is no SERVICE
    assert rows(filled, 'PREFIX ex: <http://example.org/SERVICE> SELECT * WHERE '
                        '{ ?s ?p "SERVICE <x> {}" . ?s ex:SERVICE ?o } # SERVICE <x> { }') == []


def test_syntax_error_is_one_line_with_line_and_column(filled):
    text = "SELECT ?s\nWHERE {  ?s ?p ?o .\n  ?s ?p \n}"
    messages = []
    for bindings in (None, {"p": NamedNode(EX + "p")}):  # positions refer to the user's text
        with pytest.raises(StoreError) as error:
            filled.query(text, bindings)
        messages.append(str(error.value))
        assert one_line(messages[-1])
        assert re.search(r"SPARQL syntax error at line 4, column \d+: expected", messages[-1]), messages[-1]
    assert messages[0] == messages[1]
    one = "SELECT * WHERE { ?s ?p ?o . FILTER(?o = ?x) ?s ?q }"
    with pytest.raises(StoreError) as unbound:
        filled.query(one)
    with pytest.raises(StoreError) as bound:
        filled.query(one, {"x": 1})
    assert str(bound.value) == str(unbound.value) and "line 1, column 5" in str(bound.value)
    with pytest.raises(StoreError) as error:
        filled.update("INSERT DATA { <http://example.org/a> <http://example.org/b> }")
    assert one_line(str(error.value)) and "syntax error at line 1, column" in str(error.value)


def test_bindings_that_do_not_fit(filled, store_location):
    with pytest.raises(StoreError) as error:
        filled.query("SELECT * WHERE { BIND(1 AS ?x) }", {"x": 2})
    assert one_line(str(error.value))
    if not store_location.startswith("http"):
        assert str(error.value).startswith("the bindings do not fit this query")


def test_timeout(store):
    triples = [(NamedNode(f"{EX}s{i}"), P, Literal(i)) for i in range(1500)]
    store.replace_graphs({g(1): triples})
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?p ?y FILTER(?x < ?y) }"
    start = time.monotonic()
    with pytest.raises(StoreError) as error:
        store.query(slow, timeout=0.05)
    assert str(error.value) == "query timed out after 0.05 s"
    assert time.monotonic() - start < 0.5
    assert rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=30) == [(Literal(1500),)]


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml"])
def test_result_serialization(filled, fmt):
    out = io.BytesIO()
    filled.query("SELECT ?s ?o ?none WHERE { ?s <http://example.org/says> ?o } ORDER BY ?o").serialize(fmt, out)
    data = out.getvalue()
    if fmt == "json":
        doc = json.loads(data)
        assert doc["head"]["vars"] == ["s", "o", "none"] and len(doc["results"]["bindings"]) == 10
        assert doc["results"]["bindings"][0]["o"]["value"] == text("said", 0, 1)
    elif fmt == "csv":
        table = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        assert table[0] == ["s", "o", "none"] and len(table) == 11
        assert table[1][1] == text("said", 0, 1)
    elif fmt == "tsv":
        lines = data.decode("utf-8").rstrip("\n").split("\n")
        assert lines[0].split("\t") == ["?s", "?o", "?none"] and len(lines) == 11
    else:
        ns = "{http://www.w3.org/2005/sparql-results#}"
        root = ET.fromstring(data)
        assert [v.get("name") for v in root.iter(ns + "variable")] == ["s", "o", "none"]
        assert len(list(root.iter(ns + "result"))) == 10
    out = io.BytesIO()
    filled.query("ASK { ?s ?p ?o }").serialize(fmt, out)
    assert b"true" in out.getvalue()


def test_result_serialization_refuses_wrong_formats(filled):
    with pytest.raises(StoreError, match="cannot write SELECT results as ttl; use json, csv, tsv or xml"):
        filled.query("SELECT * WHERE { ?s ?p ?o }").serialize("ttl", io.BytesIO())
    out = io.BytesIO()
    filled.query("CONSTRUCT WHERE { ?s <http://example.org/name> ?o }").serialize("ttl", out)
    assert len(ox.Dataset(ox.parse(out.getvalue(), ox.RdfFormat.TURTLE))) == 2
    with pytest.raises(StoreError, match="cannot write a graph result as csv"):
        filled.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").serialize("csv", io.BytesIO())


RDFLIB = {"ttl": "turtle", "nt": "nt", "trig": "trig", "nq": "nquads", "jsonld": "json-ld"}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's parsers use its own deprecated API
@pytest.mark.parametrize("fmt", ["ttl", "trig", "nq", "nt", "jsonld"])
def test_export_parses_back(filled, fmt):
    out = io.BytesIO()
    filled.export(fmt, out)
    data = out.getvalue()
    rdf_format = kgstore.RDF_FORMATS[fmt]
    parsed = list(ox.parse(data, rdf_format))
    if rdf_format.supports_datasets:
        expected = filled.count()
        assert {q.graph_name.value for q in parsed} == set(filled.graphs())
        dataset = rdflib.Dataset()
        dataset.parse(data=data, format=RDFLIB[fmt])
        assert sum(1 for _ in dataset.quads((None, None, None, None))) == expected
    else:
        expected = len(rows(filled, "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"))
        assert len(rdflib.Graph().parse(data=data, format=RDFLIB[fmt])) == expected
    assert len(parsed) == expected
    # one graph
    out = io.BytesIO()
    filled.export(fmt, out, graph=g(1))
    assert len(list(ox.parse(out.getvalue(), rdf_format))) == 7


def test_export_errors(filled):
    with pytest.raises(StoreError, match="cannot export as rdf; use ttl, trig, nq, nt or jsonld"):
        filled.export("rdf", io.BytesIO())
    with pytest.raises(StoreError, match="no graph <http://example.org/nowhere> in store"):
        filled.export("nt", io.BytesIO(), graph=EX + "nowhere")


def test_bad_triples_are_refused_before_anything_is_written(filled):
    before = filled.count()
    with pytest.raises(StoreError, match="not a triple of RDF terms"):
        filled.replace_graphs({g(1): [], g(3): [("not", "rdf", "terms")]})
    with pytest.raises(StoreError, match=r"not a \(subject, predicate, object\) triple"):
        filled.replace_graphs({g(1): [], g(3): [(NamedNode(EX + "x"), P)]})
    with pytest.raises(StoreError, match="not a graph IRI"):
        filled.replace_graphs({"not an iri": article(1)})
    assert filled.count() == before and g(1) in filled.graphs()


def test_an_exception_midway_leaves_the_store_as_it_was(filled):
    everything = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = sorted(map(str, rows(filled, everything)))

    def failing():
        yield from article(1, word="new")
        raise RuntimeError("extraction broke")

    with pytest.raises(RuntimeError, match="extraction broke"):
        filled.replace_graphs({g(2): article(2, word="new"), g(1): failing()}, merge={AGENTS: agents("Zed")})
    assert sorted(map(str, rows(filled, everything))) == before


# --- local only ----------------------------------------------------------------------------------

def snapshot(directory: Path) -> dict:
    return {str(p.relative_to(directory)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(directory.rglob("*"))}


def test_a_new_store_is_marked(tmp_path):
    location = tmp_path / "deep" / "store"
    with open_store(str(location)) as s:
        assert s.location == str(location)
    assert json.loads((location / "kg-store.json").read_text()) == {"format": "kg-store", "version": 1}
    empty = tmp_path / "empty"
    empty.mkdir()
    open_store(str(empty)).close()
    assert (empty / "kg-store.json").is_file()


def test_a_directory_that_is_no_kg_store_is_refused_and_untouched(tmp_path):
    other = tmp_path / "documents"
    (other / "sub").mkdir(parents=True)
    (other / "notes.txt").write_text("precious\n")
    (other / "sub" / "data.bin").write_bytes(bytes(range(256)))
    before = snapshot(other)
    for options in ({}, {"create": False}, {"read_only": True}):
        with pytest.raises(StoreError) as error:
            open_store(str(other), **options)
        assert str(error.value) == f"{other} is not a kg store (no kg-store.json); refusing to use it"
    assert snapshot(other) == before


def test_a_file_is_refused(tmp_path):
    path = tmp_path / "file.nt"
    path.write_text("<a> <b> <c> .\n")
    with pytest.raises(StoreError) as error:
        open_store(str(path))
    assert str(error.value) == f"{path} is a file, not a kg store directory"
    assert path.read_text() == "<a> <b> <c> .\n"


def test_an_absent_store_is_not_created_when_not_asked(tmp_path):
    for options in ({"create": False}, {"read_only": True}):
        with pytest.raises(StoreError) as error:
            open_store(str(tmp_path / "nothing"), **options)
        assert str(error.value) == f"no kg store at {tmp_path / 'nothing'} (run kg ingest first)"
    assert not (tmp_path / "nothing").exists()


def test_a_store_of_a_newer_version_is_refused(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "kg-store.json").write_text('{"format": "kg-store", "version": 7}')
    with pytest.raises(StoreError, match="is a kg store of version 7; this kg reads version 1"):
        open_store(str(tmp_path / "s"))


HOLD = """
import sys
sys.path.insert(0, sys.argv[1])
from kg.store import open_store
store = open_store(sys.argv[2], read_only=sys.argv[3] == "ro")
print("ready", flush=True)
sys.stdin.read()
"""


def holding(path: Path, mode: str) -> subprocess.Popen:
    """Another process with the store open (until its stdin closes)."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(ROOT), str(path), mode],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


def release(process: subprocess.Popen) -> None:
    process.stdin.close()
    process.wait(timeout=10)
    process.stdout.close()


def test_a_store_in_use_by_another_process(tmp_path):
    path = tmp_path / "store"
    open_store(str(path)).close()
    other = holding(path, "rw")
    try:
        for options in ({}, {"read_only": True}):
            with pytest.raises(StoreError) as error:
                open_store(str(path), **options)
            assert str(error.value) == f"store {path} is in use by another process"
    finally:
        release(other)
    open_store(str(path)).close()


def test_readers_share_the_store(tmp_path):
    path = tmp_path / "store"
    with open_store(str(path)) as s:
        s.replace_graphs({g(1): article(1)})
    other = holding(path, "ro")
    try:
        with open_store(str(path), read_only=True) as reader:  # readers do not block each other
            assert reader.count() == 7
            with pytest.raises(StoreError, match="is open read-only"):
                reader.replace_graphs({g(2): article(2)})
        with pytest.raises(StoreError, match="in use by another process"):  # a writer waits for readers
            open_store(str(path))
    finally:
        release(other)


def test_a_store_open_for_writing_in_this_process(tmp_path):
    with open_store(str(tmp_path / "s")):
        with pytest.raises(StoreError, match="already open for writing in this process"):
            open_store(str(tmp_path / "s"))
    open_store(str(tmp_path / "s")).close()


def test_a_failing_update_changes_nothing(tmp_path, monkeypatch):
    """DROP, DELETE DATA and INSERT DATA are one transaction: an error in its last operation
    leaves the first ones undone."""
    s = open_store(str(tmp_path / "s"))
    s.replace_graphs({g(1): article(1), g(2): article(2)}, merge={AGENTS: agents("Ann")})
    before = s.count()
    build = LocalStore._replace_text

    def failing(*args, **kwargs):
        return build(*args, **kwargs) + " ;\nDROP GRAPH <urn:kg:test:missing>"

    monkeypatch.setattr(LocalStore, "_replace_text", staticmethod(failing))
    with pytest.raises(StoreError) as error:
        s.replace_graphs({g(1): article(1, word="new"), g(2): []}, merge={AGENTS: agents("Bob")})
    assert str(error.value).startswith(f"cannot write to store {s.location} (nothing was changed): ")
    assert s.count() == before and g(2) in s.graphs()
    assert rows(s, f"SELECT ?n WHERE {{ GRAPH <{AGENTS}> {{ ?p <{NAME.value}> ?n }} }}") == [(Literal("Ann"),)]
    s.close()


CRASH = """
import sys
sys.path.insert(0, sys.argv[1])
from pyoxigraph import Literal, NamedNode
from kg.store import LocalStore, open_store
build = LocalStore._replace_text


def announce(*args, **kwargs):  # the update text is ready: the single store.update() comes next
    text = build(*args, **kwargs)
    print("updating", flush=True)
    return text


LocalStore._replace_text = staticmethod(announce)
store = open_store(sys.argv[2])
p = NamedNode("http://example.org/p")
graphs = {f"http://example.org/g{i}": [(NamedNode(f"http://example.org/s{i}/{k}"), p, Literal("new"))
                                       for k in range(2000)] for i in range(20)}
store.replace_graphs(graphs)
print("done", flush=True)
"""


def test_a_crash_while_writing_leaves_old_or_new_never_a_mix(tmp_path):
    path = tmp_path / "s"
    p = NamedNode("http://example.org/p")
    with open_store(str(path)) as s:
        s.replace_graphs({f"http://example.org/g{i}": [(NamedNode(f"http://example.org/s{i}/{k}"), p, Literal("old"))
                                                       for k in range(1000)] for i in range(20)})
    process = subprocess.Popen([sys.executable, "-c", CRASH, str(ROOT), str(path)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "updating"
    time.sleep(0.2)  # into the update, which takes longer
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    process.stdout.close()
    with open_store(str(path), create=False) as s:
        states = rows(s, "SELECT ?g ?o (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ?o")
    kinds = {(o.value, int(n.value)) for _, o, n in states}
    assert len(states) == 20 and kinds in ({("old", 1000)}, {("new", 2000)}), kinds


def test_location_from(monkeypatch, tmp_path):
    monkeypatch.delenv("KG_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert location_from(None) == str(tmp_path / "data" / "kg" / "store")
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    assert location_from(None) == os.path.join(os.path.expanduser("~"), ".local", "share", "kg", "store")
    monkeypatch.setenv("KG_STORE", "/elsewhere")
    assert location_from(None) == "/elsewhere"
    assert location_from("http://127.0.0.1:7878") == "http://127.0.0.1:7878"
    assert DEFAULT_LOCATION.endswith(os.path.join("kg", "store"))
    assert isinstance(open_store("https://user:secret@example.org:8443/ds/"), RemoteStore)
    assert open_store("https://user:secret@example.org:8443/ds/").location == "https://example.org:8443/ds"


# --- remote only ---------------------------------------------------------------------------------

def test_unreachable_endpoint():
    url = f"http://127.0.0.1:{free_port()}"
    s = open_store(url)
    for call in (lambda: s.query("ASK {}"), lambda: s.replace_graphs({g(1): article(1)}), s.count):
        with pytest.raises(StoreError) as error:
            call()
        message = str(error.value)
        assert one_line(message) and message.startswith(f"cannot reach SPARQL endpoint {url}/"), message
        assert "refused" in message.lower()


def test_http_errors(oxigraph_server):
    with pytest.raises(StoreError) as error:
        open_store(oxigraph_server + "/no/such/dataset").query("ASK {}")
    assert str(error.value).startswith(f"SPARQL endpoint {oxigraph_server}/no/such/dataset/query answered HTTP 404")
    s = open_store(oxigraph_server)
    with pytest.raises(StoreError) as error:
        s.update("DROP GRAPH <urn:kg:test:missing>")  # fails at run time (HTTP 500)
    assert re.fullmatch(rf"SPARQL endpoint {oxigraph_server}/update answered HTTP 5\d\d: .*missing.*",
                        str(error.value)), str(error.value)
    with pytest.raises(StoreError) as error:
        s.query("SELECT * WHERE { ?s ?p }")
    assert str(error.value).startswith(f"SPARQL endpoint {oxigraph_server}/query answered HTTP 400: "
                                       f"SPARQL syntax error at line 1, column")


def test_union_default_graph_without_server_option(tmp_path):
    """The union-default-graph request parameter: the server need not be started with the option."""
    with oxigraph_serve(tmp_path / "plain", union_default_graph=False) as base:
        s = open_store(base)
        s.replace_graphs({g(1): article(1)}, merge={AGENTS: agents("Ann")})
        assert len(rows(s, "SELECT * WHERE { ?s ?p ?o }")) == 8
        assert s.count() == 8 and s.graphs() == sorted([g(1), AGENTS])
        sparql_update(base, "DROP ALL")
        assert s.count() == 0
