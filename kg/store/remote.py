"""RemoteStore: any SPARQL 1.1 service. `http(s)://HOST[:PORT][/PATH]` is the service base, and
the endpoint profile named in its scheme (`virtuoso+http://...`; kg.store.profiles) says where below
it queries and updates go (BASE/query and BASE/update for `oxigraph serve` and a Fuseki dataset),
how the default graph is made the union of the named graphs, and how many rows an answer holds at
most. Requests go with the stdlib's urllib; writes need nothing beyond SPARQL 1.1 Update.
user:password@ in the URL is sent as HTTP basic auth (QLever: the password as its access token);
a loopback host is reached without the environment's proxies.

A read that must be whole (query_whole: what a write is computed from, the named questions) is
checked against a COUNT of its rows: a server that cuts an answer short without a word (Virtuoso's
ResultSetMaxRows) is read in pages where its profile says so, and refused otherwise, never taken
for the whole."""
from __future__ import annotations

import base64
import functools
import http.client
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
from pyoxigraph import Quad, QueryResultsFormat, RdfFormat

from kg.queries import compose, named
from kg.store.base import Store, data_block, graph_node, ntriples, relabel_subjects
from kg.store.errors import AnswerLost, QueryTimeout, StoreError, one_line
from kg.store.profiles import split
from kg.store.result import Result, result_from_bytes
from kg.store.sparql import Sparql, count_query, page_query, syntax_message

HTTP_TIMEOUT = 300.0  # seconds of silence before a remote request fails, when no timeout is given
# A read that fails on the way (the connection refused or cut, HTTP 429, 502, 503, 504: a server
# restarting or overloaded, a proxy) is sent again after each of these pauses (seconds). A write
# never is: it may have landed. kg ingest run again finds what did (unchanged articles are skipped).
RETRY_PAUSES = (0.5, 1.0, 2.0)
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})


class RemoteStore(Store):
    """A SPARQL 1.1 service: its query and update URLs (by its profile), over HTTP(S) with urllib."""

    def __init__(self, url: str, *, timeout: float = HTTP_TIMEOUT):
        self.profile, http_url = split(url)
        parts = urllib.parse.urlsplit(http_url)
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
            self._auth = f"Bearer {password}" if self.profile.bearer else \
                "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        base = urllib.parse.urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))
        self.query_url = base + self.profile.query
        self.update_url = base + self.profile.update
        self.location = base if http_url == url.strip() else f"{self.profile.name}+{base}"
        self.timeout = timeout
        loopback = parts.hostname in ("localhost", "::1") or parts.hostname.startswith("127.")
        handlers = [urllib.request.ProxyHandler({})] if loopback else []
        self._opener = urllib.request.build_opener(*handlers)

    @functools.cached_property
    def lateral(self) -> bool:
        """Whether the endpoint parses LATERAL (Oxigraph's does; SPARQL 1.1 has none): its profile
        says, or it is asked once."""
        if self.profile.lateral is not None:
            return self.profile.lateral
        try:
            self._query(named("store_lateral"), Sparql("SELECT"), None, lambda m: m)
        except StoreError as error:
            if "answered HTTP 4" in str(error):
                return False
            raise
        return True

    def _post(self, url: str, body: bytes, content_type: str, accept: str | None = None,
              timeout: float | None = None, fix=None, *, read: bool = False):
        """The response to one POST; a `read` is tried again after RETRY_PAUSES while it fails on
        the way (`_Transient`)."""
        for pause in RETRY_PAUSES if read else ():
            try:
                return self._post_once(url, body, content_type, accept, timeout, fix)
            except _Transient:
                time.sleep(pause)
        try:
            return self._post_once(url, body, content_type, accept, timeout, fix)
        except _Transient as transient:
            error = transient.error
        raise error

    def _post_once(self, url: str, body: bytes, content_type: str, accept: str | None, timeout: float | None, fix):
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
            error = self._http_error(url, e, fix)
            if e.code in TRANSIENT_STATUS:
                raise _Transient(error) from None
            raise error from None
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise self._timeout(url, timeout, wait) from None
            text = getattr(reason, "strerror", None) or str(reason)
            raise _Transient(StoreError(f"cannot reach SPARQL endpoint {url}: {one_line(text)}")) from None
        except (socket.timeout, TimeoutError):
            raise self._timeout(url, timeout, wait) from None
        except (ConnectionResetError, http.client.HTTPException) as e:  # the request was sent, no answer came
            raise _Transient(AnswerLost(f"cannot reach SPARQL endpoint {url}: "
                                        f"{one_line(e) or type(e).__name__}")) from None
        except OSError as e:
            raise _Transient(StoreError(f"cannot reach SPARQL endpoint {url}: "
                                        f"{one_line(e) or type(e).__name__}")) from None

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
            return QueryTimeout(f"query timed out after {asked:g} s")
        return StoreError(f"SPARQL endpoint {url} did not answer within {wait:g} s")

    @staticmethod
    def _http_error(url: str, e: urllib.error.HTTPError, fix) -> StoreError:
        """The status and, from a body meant to be read as text (Oxigraph's, Fuseki's messages), its
        first line; an HTML page (a proxy's, a web server's error page) only by its status."""
        try:
            body = e.read(4096).decode("utf-8", "replace")
        except Exception:
            body = ""
        if "html" in (e.headers.get("Content-Type") or "").lower() or body.lstrip().startswith("<"):
            body = ""
        first = next((line.strip() for line in body.splitlines() if line.strip()), "") or str(e.reason)
        if e.code == 400 and fix is not None and re.match(r"error at \d+:\d+: ", first):
            first = syntax_message(first, fix)  # Oxigraph's parser: the same words as locally
        return StoreError(f"SPARQL endpoint {url} answered HTTP {e.code}: {one_line(first)}")

    def _query(self, text, parsed, timeout, fix) -> Result:
        params = [("query", text)]
        if not parsed.has_from:
            params += self.profile.union
        elif parsed.dataset:  # the query's own dataset, also as protocol parameters: a server whose
            default, named = parsed.dataset  # default graph is the union would override FROM
            params += [("default-graph-uri", iri) for iri in default] + \
                [("named-graph-uri", iri) for iri in named]
        body = urllib.parse.urlencode(params).encode("utf-8")
        accept = ("application/sparql-results+json, application/n-triples;q=0.9, "
                  "text/turtle;q=0.8, application/sparql-results+xml;q=0.5")
        response = self._post(self.query_url, body, "application/x-www-form-urlencoded", accept, timeout, fix,
                              read=True)
        content_type = response.headers.get("Content-Type", "")
        data = self._read(response, self.query_url, timeout)
        try:
            return result_from_bytes(data, content_type, self.query_url)
        except (SyntaxError, ValueError, OSError) as e:
            raise StoreError(f"SPARQL endpoint {self.query_url} sent an unreadable answer: {one_line(e)}") from None

    def query_whole(self, sparql: str, bindings: dict | None = None, *, timeout: float | None = None) -> Result:
        """Every row of a SELECT, counted first (count_query): in pages of the profile's `page` rows
        (page_query; a page cut shorter still is followed from where it stopped), else in one answer.
        Fewer rows than the count, or more (the store changed meanwhile), is a StoreError."""
        if Sparql(sparql).form != "SELECT":  # an ASK is one answer; a graph result is no rows to count
            return self.query(sparql, bindings, timeout=timeout)
        expected = self.count_rows(sparql, bindings, timeout=timeout)
        page = self.profile.page
        paged = page and page_query(sparql, page, 0)
        rows, variables = [], []
        while True:
            text = page_query(sparql, page, len(rows)) if paged else sparql
            result = self.query(text, bindings, timeout=timeout)
            got = list(result)
            rows += got
            variables = result.variables
            if not paged or not got or len(rows) >= expected:
                break
        if len(rows) > expected:
            cause = "the store changed while it was read, or the endpoint counts otherwise than it answers"
        elif paged:
            cause = f"it cuts its answers short even in pages of {page:,}"
        else:
            cause = ("it cuts its answers short (a cap such as Virtuoso's ResultSetMaxRows: name the profile in "
                     "the URL, virtuoso+http://...)")
        if len(rows) != expected:
            raise StoreError(f"SPARQL endpoint {self.query_url} answered {len(rows):,} rows where it counts "
                             f"{expected:,}: {cause}; refusing a partial answer")
        return Result.of_rows(variables, rows)

    def count_rows(self, sparql: str, bindings: dict | None = None, *, timeout: float | None = None) -> int:
        """How many rows the SELECT `sparql` has (one COUNT query: an answer of one row, never cut)."""
        return self._number(self.query(count_query(sparql), bindings, timeout=timeout))

    def _number(self, result: Result) -> int:
        """The number a COUNT query answered."""
        rows = list(result)
        try:
            return int(rows[0][0].value)
        except (IndexError, AttributeError, TypeError, ValueError):
            raise StoreError(f"SPARQL endpoint {self.query_url} did not answer a COUNT query") from None

    def _update(self, text, fix) -> None:
        response = self._post(self.update_url, text.encode("utf-8"), "application/sparql-update", None, None, fix)
        self._read(response, self.update_url, None)

    def replace_graphs(self, graphs: dict, merge: dict | None = None, relabel: dict | None = None,
                       delete: dict | None = None) -> None:
        drops, inserts, deletes = [], [], []
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
        for g, triples in (delete or {}).items():
            node = graph_node(g)
            lines, _ = ntriples(node, triples)
            if lines and node not in drops:
                deletes.append((node, lines))
        parts = [f"DROP SILENT GRAPH {node}" for node in drops]
        if deletes:
            parts.append(data_block("DELETE DATA", deletes))
        for node, subjects in relabel_subjects(relabel).items():
            if node not in drops and subjects:
                values = f"  VALUES ?g {{ {node} }} VALUES ?s {{ {' '.join(map(str, subjects))} }}\n"
                parts.append(compose(named("store_relabel"), subjects=values))
        if inserts:
            parts.append(data_block("INSERT DATA", inserts))
        if parts:
            self._update(" ;\n".join(parts), lambda m: m)

    def count(self) -> int:
        return self._number(self._query(named("store_count"), Sparql("SELECT"), None, lambda m: m))

    def _export(self, fmt, out, graph) -> None:
        values = f"  VALUES ?g {{ {graph} }}\n" if graph is not None else ""
        if fmt.supports_datasets:
            query = compose(named("store_export_quads"), graph=values)
            accept = "application/sparql-results+json"
        else:
            query = compose(named("store_export_graph"), graph=values) if graph is not None \
                else named("store_export_triples")
            accept = "application/n-triples"
        body = urllib.parse.urlencode({"query": query}).encode("utf-8")
        response = self._post(self.query_url, body, "application/x-www-form-urlencoded", accept, read=True)
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


class _Transient(Exception):
    """A request that failed on the way, `error` the StoreError to raise when no retry is left."""

    def __init__(self, error: StoreError):
        super().__init__(str(error))
        self.error = error
