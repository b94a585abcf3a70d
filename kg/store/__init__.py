"""Where the graph lives: an embedded Oxigraph store on disk (the default) or any SPARQL 1.1 endpoint.

    store = open_store(location_from(option))      # a path -> LocalStore, http(s)://... -> RemoteStore
    store.replace_graphs({article_iri: triples}, merge={AGENTS: agent_triples})   # one atomic write
    for row in store.query("SELECT ?q WHERE { ?q kg:speaker ?s }", {"s": speaker}): ...
    store.close()

No NLP and no command line here. Every mistake a user can make is a StoreError whose str() is one
line for `kg: error: <message>`. Safe by default: query() only reads (updates go through update()),
SERVICE is refused unless asked for, and parameters are bound as RDF terms (a VALUES block written
from the terms' N-Triples form, which pyoxigraph escapes), never pasted into the query text.

Queries see the union of the named graphs as their default graph (kg writes one named graph per
article and a shared agents graph), unless the query names its own dataset with FROM / FROM NAMED.

Local store (the default): a directory holding `kg-store.json` ({"format": "kg-store", "version": 1})
next to Oxigraph's RocksDB files, so `oxigraph serve-read-only --location DIR` serves it as it is.
The default directory is $XDG_DATA_HOME/kg/store, or ~/.local/share/kg/store (DEFAULT_LOCATION);
$KG_STORE or --store choose another (location_from). A missing path or an empty directory becomes a
new store; any other directory without the marker is refused and never written to. One process
writes at a time (an exclusive lock, besides RocksDB's own); read-only openings share the store with
each other, so concurrent `kg query` runs do not block one another.

Remote store: `http(s)://HOST[:PORT][/PATH]` is the service base; queries are POSTed to BASE/query,
updates to BASE/update (the endpoints of `oxigraph serve` and of a Fuseki dataset), with the stdlib's
urllib. Writes need nothing beyond SPARQL 1.1 Update. For the union default graph, requests carry
Oxigraph's `union-default-graph` parameter; another server must either accept that parameter or be
configured so that its default graph is the union of its named graphs (Fuseki: tdb2:unionDefaultGraph
true; GraphDB and Virtuoso do this by default). user:password@ in the URL is sent as HTTP basic auth.
"""
from __future__ import annotations

import base64
import functools
import http.client
import json
import os
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

import pyoxigraph as ox
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QueryResultsFormat, RdfFormat, Triple

from kg.store.base import (EXPORT_TRIPLES, RDF_FORMATS, RDFS_LABEL, Store, data_block, graph_node, ntriples,
                           relabel_subjects)
from kg.store.errors import StoreError, one_line
from kg.store.location import DEFAULT_LOCATION, MARKER, check_or_create, is_remote, location_from
from kg.store.result import RESULT_FORMATS, Result, format_choices, result_from_bytes
from kg.store.sparql import Sparql, query_syntax_error, syntax_message

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: RocksDB's own lock still keeps two writers apart
    fcntl = None

__all__ = ["StoreError", "DEFAULT_LOCATION", "location_from", "open_store", "Store", "LocalStore",
           "RemoteStore", "Result", "RDF_FORMATS", "RESULT_FORMATS"]

HTTP_TIMEOUT = 300.0  # seconds of silence before a remote request fails, when no timeout is given
IN_USE = "store {} is in use by another process"


def open_store(location: str | None = None, *, create: bool = True, read_only: bool = False) -> Store:
    """The store at `location` (None: location_from(None)). A local store is created when missing if
    `create` (never when `read_only`); `read_only` opens it shared with other readers."""
    location = location_from(location)
    if is_remote(location):
        return RemoteStore(location)
    return LocalStore(location, create=create, read_only=read_only)


_EXPORT_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH %s { ?s ?p ?o } }"
_EXPORT_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } %s}"


# Directories opened for writing by this process: a second opening would fail on the locks with a
# message about "another process".
_WRITERS: set[str] = set()
_WRITERS_LOCK = threading.Lock()


# RocksDB keeps what is written in memory tables, which grow until they are flushed to table files:
# a flush every FLUSH_TRIPLES triples written bounds the memory of a long ingest (the figures behind
# this number: bench/README.md, bench_memory_ingest.py and bench_ingest.py).
FLUSH_TRIPLES = 20_000


class LocalStore(Store):
    """An Oxigraph (RocksDB) store in a directory marked by kg-store.json."""

    lateral = True

    def __init__(self, location: str, *, create: bool = True, read_only: bool = False):
        path = os.path.abspath(os.path.expanduser(location))
        self.location, self.read_only = path, read_only
        self._store = None
        self._lock_fd = None
        self._write_lock = threading.Lock()
        self._unflushed = 0  # triples written since the memtables were last flushed to table files
        self._key = os.path.realpath(path)
        check_or_create(path, create=create and not read_only)
        with _WRITERS_LOCK:
            if self._key in _WRITERS:
                raise StoreError(f"store {path} is already open for writing in this process")
            self._lock(path)
            try:
                self._store = ox.Store.read_only(path) if read_only else ox.Store(path)
            except OSError as e:
                self._unlock()
                if "lock" in str(e).lower():
                    raise StoreError(IN_USE.format(path)) from None
                if read_only and isinstance(e, FileNotFoundError):
                    raise StoreError(f"no kg store at {path} (run kg ingest first)") from None
                raise StoreError(f"cannot open store {path}: {one_line(e)}") from None
            if not read_only:
                _WRITERS.add(self._key)

    def _lock(self, path: str) -> None:
        if fcntl is None:
            return
        try:
            fd = os.open(os.path.join(path, MARKER), os.O_RDONLY)
        except OSError as e:
            raise StoreError(f"cannot open store {path}: {e.strerror or one_line(e)}") from None
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if self.read_only else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StoreError(IN_USE.format(path)) from None
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def close(self) -> None:
        if self._store is not None:
            if not self.read_only:
                # else each later read-only open replays the whole write-ahead log in memory (slow
                # after a large ingest: bench/README.md, bench_ingest.py)
                self._flush()
            self._store = None  # RocksDB closes when the last reference goes
            with _WRITERS_LOCK:
                _WRITERS.discard(self._key)
        self._unlock()

    def __del__(self):
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def _handle(self, write: bool = False):
        if self._store is None:
            raise StoreError(f"store {self.location} is closed")
        if write and self.read_only:
            raise StoreError(f"store {self.location} is open read-only")
        return self._store

    def count(self) -> int:
        try:
            return len(self._handle())
        except OSError as e:
            raise StoreError(f"cannot read store {self.location}: {one_line(e)}") from None

    def graphs(self) -> list[str]:
        try:
            return sorted(g.value for g in self._handle().named_graphs() if isinstance(g, NamedNode))
        except OSError as e:
            raise StoreError(f"cannot read store {self.location}: {one_line(e)}") from None

    def _has_graph(self, node: NamedNode) -> bool:
        try:
            return self._handle().contains_named_graph(node)
        except OSError as e:
            raise StoreError(f"cannot read store {self.location}: {one_line(e)}") from None

    def _query(self, text, parsed, timeout, fix) -> Result:
        store = self._handle()
        union = not parsed.has_from  # FROM / FROM NAMED choose their own dataset

        def run(materialize: bool):
            result = store.query(text, use_default_graph_as_union=union)
            if not materialize:
                return result
            if isinstance(result, ox.QuerySolutions):  # evaluated here, within the deadline
                return "application/sparql-results+json", result.serialize(format=QueryResultsFormat.JSON)
            if isinstance(result, ox.QueryTriples):
                return "application/n-triples", result.serialize(format=RdfFormat.N_TRIPLES)
            return result

        error = None
        try:
            if timeout is None:
                return Result.from_pyoxigraph(run(False))
            answer = _with_deadline(lambda: run(True), timeout)
        except SyntaxError as e:
            error = query_syntax_error(e, text, parsed, fix)
        except (OSError, RuntimeError, ValueError) as e:
            error = StoreError(f"query failed: {one_line(e)}")
        if error is not None:
            del store  # a traceback must not keep RocksDB (and its lock) open: see _raise
            _raise(error)
        if isinstance(answer, ox.QueryBoolean):
            return Result("ask", boolean=bool(answer))
        return result_from_bytes(answer[1], answer[0])

    def _update(self, text, fix) -> None:
        error = None
        with self._write_lock:
            try:
                self._handle(write=True).update(text)
            except SyntaxError as e:
                error = StoreError(syntax_message(str(e), fix))
            except (OSError, RuntimeError, ValueError) as e:
                error = StoreError(f"update failed (nothing was changed): {one_line(e)}")
        if error is not None:
            _raise(error)

    def replace_graphs(self, graphs: dict, merge: dict | None = None, relabel: dict | None = None) -> None:
        replace = {}
        for g, triples in graphs.items():
            node = graph_node(g)
            replace[node] = ntriples(node, triples)
        add = {}
        for g, triples in (merge or {}).items():
            node = graph_node(g)
            triples = list(triples)
            ntriples(node, triples)  # the same checks
            add[node] = triples
        labels = relabel_subjects(relabel)
        error = None
        with self._write_lock:
            store = self._handle(write=True)
            try:
                text = self._replace_text(store, replace, add, labels, diff=True)
                if text:
                    try:
                        store.update(text)
                    except SyntaxError:  # a dumped line SPARQL does not take: replace whole graphs
                        store.update(self._replace_text(store, replace, add, labels, diff=False))
                self._unflushed += sum(len(lines) for lines, _ in replace.values()) + sum(map(len, add.values()))
            except (OSError, RuntimeError, ValueError, SyntaxError) as e:
                error = StoreError(f"cannot write to store {self.location} (nothing was changed): {one_line(e)}")
            del store
            if error is None and self._unflushed >= FLUSH_TRIPLES:
                self._flush()
        if error is not None:
            _raise(error)

    def _flush(self) -> None:
        """Memory tables to table files. What was committed is in the write-ahead log already, so a
        flush that fails loses nothing: the next writer replays the log."""
        try:
            self._store.flush()
        except OSError:
            pass
        self._unflushed = 0

    @staticmethod
    def _replace_text(store, replace: dict, add: dict, labels: dict, diff: bool) -> str:
        """One SPARQL update doing the whole write. With `diff`, graphs without blank nodes change
        by DELETE DATA / INSERT DATA of the lines that differ from what is stored (re-ingesting the
        same article writes nothing; a single INSERT DATA takes Oxigraph's fast write-only path);
        other graphs are dropped and inserted whole."""
        drops, deletes, inserts = [], [], []
        for node, (lines, bnode) in replace.items():
            new = dict.fromkeys(lines)
            if node in add:
                extra, extra_bnode = ntriples(node, add[node])
                new.update(dict.fromkeys(extra))
                bnode = bnode or extra_bnode
            old = store.dump(format=RdfFormat.N_TRIPLES, from_graph=node).decode("utf-8").split("\n")[:-1] \
                if diff and not bnode else None  # not splitlines(): literals may hold U+2028 and kin
            if old is None or any(line.startswith("_:") or "> _:" in line for line in old):
                drops.append(node)
                if new:
                    inserts.append((node, new))
                continue
            if not new:
                drops.append(node)
                continue
            stored = set(old)
            gone = [line for line in old if line not in new]
            if gone:
                deletes.append((node, gone))
            added = [line for line in new if line not in stored]
            if added:
                inserts.append((node, added))
        for node, subjects in labels.items():
            if node in replace:
                continue
            keep = {f"{s} {p} {o} ." for s, p, o in add.get(node, ())}
            gone = [line for subject in subjects for q in store.quads_for_pattern(subject, RDFS_LABEL, None, node)
                    if (line := f"{q.subject} {q.predicate} {q.object} .") not in keep]
            if gone:
                deletes.append((node, gone))
        for node, triples in add.items():
            if node in replace:
                continue
            lines = [f"{s} {p} {o} ." for s, p, o in triples
                     if type(s) is BlankNode or type(o) is BlankNode or Quad(s, p, o, node) not in store]
            if lines:
                inserts.append((node, dict.fromkeys(lines)))
        parts = [f"DROP SILENT GRAPH {node}" for node in drops]
        if deletes:
            parts.append(data_block("DELETE DATA", deletes))
        if inserts:
            parts.append(data_block("INSERT DATA", inserts))
        return " ;\n".join(parts)

    def _export(self, fmt, out, graph) -> None:
        error = None
        try:
            if fmt.supports_datasets and graph is not None:
                ox.serialize(self._handle().quads_for_pattern(None, None, None, graph), out, fmt)
            elif fmt.supports_datasets or graph is not None:
                self._handle().dump(out, fmt, from_graph=graph)
            else:
                self._handle().query(EXPORT_TRIPLES).serialize(out, fmt)
        except (OSError, RuntimeError, ValueError) as e:
            error = StoreError(f"cannot export store {self.location}: {one_line(e)}")
        if error is not None:
            _raise(error)


def _raise(error: StoreError) -> None:
    """Raise outside any `except` block and with no pyoxigraph Store in the raising frames:
    pyoxigraph has no close(), RocksDB closes (and unlocks) when its last reference goes, and an
    exception kept for display (a notebook's last traceback, a test runner's result) would otherwise
    hold the store locked after close()."""
    raise error


def _with_deadline(work: Callable, timeout: float):
    """work() in a thread, waited for at most `timeout` seconds. pyoxigraph releases the GIL while
    it evaluates but cannot cancel: a late evaluation finishes in the background, unused."""
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = work()
        except BaseException as e:  # handed to the caller
            outcome["error"] = e

    thread = threading.Thread(target=target, name="kg-query", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise StoreError(f"query timed out after {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


class RemoteStore(Store):
    """A SPARQL 1.1 service: BASE/query and BASE/update, over HTTP(S) with urllib."""

    def __init__(self, url: str, *, timeout: float = HTTP_TIMEOUT):
        parts = urllib.parse.urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise StoreError(f"{url} is not the http(s) URL of a SPARQL service")
        try:
            port = parts.port
        except ValueError:
            raise StoreError(f"{url} has an invalid port") from None
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        netloc = host + (f":{port}" if port else "")
        self._auth = None
        if parts.username is not None:
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            self._auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self.location = urllib.parse.urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))
        self.query_url = self.location + "/query"
        self.update_url = self.location + "/update"
        self.timeout = timeout
        loopback = parts.hostname in ("localhost", "::1") or parts.hostname.startswith("127.")
        handlers = [urllib.request.ProxyHandler({})] if loopback else []
        self._opener = urllib.request.build_opener(*handlers)

    @functools.cached_property
    def lateral(self) -> bool:
        """Whether the endpoint parses LATERAL (Oxigraph's does; SPARQL 1.1 has none): asked once."""
        try:
            self._query("SELECT * WHERE { {} LATERAL { } }", Sparql("SELECT"), None, lambda m: m)
        except StoreError as error:
            if "answered HTTP 4" in str(error):
                return False
            raise
        return True

    def _post(self, url: str, body: bytes, content_type: str, accept: str | None = None,
              timeout: float | None = None, fix=None):
        headers = {"Content-Type": content_type, "User-Agent": "kg"}
        if accept:
            headers["Accept"] = accept
        if self._auth:
            headers["Authorization"] = self._auth
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        wait = timeout if timeout is not None else self.timeout
        try:
            return self._opener.open(request, timeout=wait)
        except urllib.error.HTTPError as e:
            raise self._http_error(url, e, fix) from None
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise self._timeout(url, timeout, wait) from None
            text = getattr(reason, "strerror", None) or str(reason)
            raise StoreError(f"cannot reach SPARQL endpoint {url}: {one_line(text)}") from None
        except (socket.timeout, TimeoutError):
            raise self._timeout(url, timeout, wait) from None
        except (OSError, http.client.HTTPException) as e:
            raise StoreError(f"cannot reach SPARQL endpoint {url}: {one_line(e) or type(e).__name__}") from None

    def _read(self, response, url: str, timeout: float | None) -> bytes:
        try:
            with response:
                return response.read()
        except (socket.timeout, TimeoutError):
            raise self._timeout(url, timeout, timeout or self.timeout) from None
        except (OSError, http.client.HTTPException) as e:
            raise StoreError(f"SPARQL endpoint {url} broke off its answer: "
                             f"{one_line(e) or type(e).__name__}") from None

    @staticmethod
    def _timeout(url: str, asked: float | None, wait: float) -> StoreError:
        if asked is not None:
            return StoreError(f"query timed out after {asked:g} s")
        return StoreError(f"SPARQL endpoint {url} did not answer within {wait:g} s")

    @staticmethod
    def _http_error(url: str, e: urllib.error.HTTPError, fix) -> StoreError:
        try:
            body = e.read(4096).decode("utf-8", "replace")
        except Exception:
            body = ""
        first = next((line.strip() for line in body.splitlines() if line.strip()), "") or str(e.reason)
        if e.code == 400 and fix is not None and re.match(r"error at \d+:\d+: ", first):
            first = syntax_message(first, fix)  # Oxigraph's parser: the same words as locally
        return StoreError(f"SPARQL endpoint {url} answered HTTP {e.code}: {one_line(first)}")

    def _query(self, text, parsed, timeout, fix) -> Result:
        params = [("query", text)]
        if not parsed.has_from:
            params.append(("union-default-graph", ""))
        elif parsed.dataset:  # the query's own dataset, also as protocol parameters: a server whose
            default, named = parsed.dataset  # default graph is the union would override FROM
            params += [("default-graph-uri", iri) for iri in default] + \
                [("named-graph-uri", iri) for iri in named]
        body = urllib.parse.urlencode(params).encode("utf-8")
        accept = ("application/sparql-results+json, application/n-triples;q=0.9, "
                  "text/turtle;q=0.8, application/sparql-results+xml;q=0.5")
        response = self._post(self.query_url, body, "application/x-www-form-urlencoded", accept, timeout, fix)
        content_type = response.headers.get("Content-Type", "")
        data = self._read(response, self.query_url, timeout)
        try:
            return result_from_bytes(data, content_type)
        except (SyntaxError, ValueError, OSError) as e:
            raise StoreError(f"SPARQL endpoint {self.query_url} sent an unreadable answer: {one_line(e)}") from None

    def _update(self, text, fix) -> None:
        response = self._post(self.update_url, text.encode("utf-8"), "application/sparql-update", None, None, fix)
        self._read(response, self.update_url, None)

    def replace_graphs(self, graphs: dict, merge: dict | None = None, relabel: dict | None = None) -> None:
        drops, inserts = [], []
        for g, triples in graphs.items():
            node = graph_node(g)
            drops.append(node)
            lines, _ = ntriples(node, triples)
            if lines:
                inserts.append((node, lines))
        for g, triples in (merge or {}).items():
            node = graph_node(g)
            lines, _ = ntriples(node, triples)
            if lines:
                inserts.append((node, lines))
        parts = [f"DROP SILENT GRAPH {node}" for node in drops]
        for node, subjects in relabel_subjects(relabel).items():
            if node not in drops and subjects:
                parts.append(f"DELETE {{ GRAPH {node} {{ ?s {RDFS_LABEL} ?label }} }} WHERE {{ GRAPH {node} "
                             f"{{ VALUES ?s {{ {' '.join(map(str, subjects))} }} ?s {RDFS_LABEL} ?label }} }}")
        if inserts:
            parts.append(data_block("INSERT DATA", inserts))
        if parts:
            self._update(" ;\n".join(parts), lambda m: m)

    def count(self) -> int:
        rows = list(self._query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                                Sparql("SELECT"), None, lambda m: m))
        try:
            return int(rows[0][0].value)
        except (IndexError, AttributeError, TypeError, ValueError):
            raise StoreError(f"SPARQL endpoint {self.query_url} did not answer a COUNT query") from None

    def _export(self, fmt, out, graph) -> None:
        if fmt.supports_datasets:
            query = _EXPORT_QUADS % (f"VALUES ?g {{ {graph} }} " if graph is not None else "")
            accept = "application/sparql-results+json"
        else:
            query = _EXPORT_GRAPH % graph if graph is not None else EXPORT_TRIPLES
            accept = "application/n-triples"
        body = urllib.parse.urlencode({"query": query}).encode("utf-8")
        response = self._post(self.query_url, body, "application/x-www-form-urlencoded", accept)
        try:
            with response:
                if fmt.supports_datasets:
                    rows = ox.parse_query_results(response, QueryResultsFormat.JSON)
                    items = (Quad(r[0], r[1], r[2], r[3]) for r in rows)
                else:
                    items = (q.triple for q in ox.parse(response, RdfFormat.N_TRIPLES))
                ox.serialize(items, out, fmt)
        except (socket.timeout, TimeoutError):
            raise self._timeout(self.query_url, None, self.timeout) from None
        except (OSError, SyntaxError, ValueError, RuntimeError, http.client.HTTPException) as e:
            raise StoreError(f"cannot export from SPARQL endpoint {self.query_url}: {one_line(e)}") from None
