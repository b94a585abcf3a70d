"""Store, what both kinds of store offer (the local Oxigraph directory and the SPARQL service),
and the checks of what is written that both make: graph IRIs, triples of RDF terms as N-Triples
lines, the subjects to relabel, and the INSERT DATA / DELETE DATA text they send."""
from __future__ import annotations

from typing import BinaryIO, Iterable

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, parse

from kg.store.errors import StoreError, one_line
from kg.store.result import Result, format_choices
from kg.queries import named
from kg.store.sparql import Sparql

# Export formats (`kg export --format`); the dataset ones keep the graph names.
RDF_FORMATS = {"ttl": RdfFormat.TURTLE, "trig": RdfFormat.TRIG, "nq": RdfFormat.N_QUADS,
               "nt": RdfFormat.N_TRIPLES, "jsonld": RdfFormat.JSON_LD}
# The distinct triples of all named graphs: a whole export in a triple format (no graph names).


BULK_QUADS = 10_000  # quads a write of add_quads: one INSERT DATA of a few MB


def graph_node(graph) -> NamedNode:
    """`graph` (a NamedNode or an IRI string) as a NamedNode; a StoreError when it is not an IRI."""
    if isinstance(graph, NamedNode):
        return graph
    try:
        return NamedNode(str(graph))
    except ValueError:
        raise StoreError(f"not a graph IRI: {one_line(repr(graph), 120)}") from None


def ntriples(graph: NamedNode, triples: Iterable[tuple]) -> tuple[list[str], bool]:
    """The triples as N-Triples lines (pyoxigraph's own escaping) and whether a blank node occurs."""
    lines, bnode = [], False
    for t in triples:
        try:
            s, p, o = t
        except (TypeError, ValueError):
            raise StoreError(f"graph {graph}: not a (subject, predicate, object) triple: "
                             f"{one_line(repr(t), 120)}") from None
        ts, to = type(s), type(o)
        if ts is BlankNode or to is BlankNode:
            bnode = True
        if ts not in (NamedNode, BlankNode) or type(p) is not NamedNode or to not in (NamedNode, BlankNode, Literal):
            raise StoreError(f"graph {graph}: not a triple of RDF terms: {one_line(repr(t), 120)}")
        lines.append(f"{s} {p} {o} .")
    return lines, bnode


def relabel_subjects(relabel: dict | None) -> dict[NamedNode, list[NamedNode]]:
    """replace_graphs' `relabel` checked: graph -> its subjects (IRIs only), each once, in order."""
    out = {}
    for g, subjects in (relabel or {}).items():
        node = graph_node(g)
        out[node] = list(dict.fromkeys(subjects))
        for subject in out[node]:
            if type(subject) is not NamedNode:
                raise StoreError(f"graph {node}: only IRIs can be relabelled, not {one_line(repr(subject), 120)}")
    return out


def data_block(keyword: str, blocks: list[tuple[str, Iterable[str]]]) -> str:
    """One `keyword` ('INSERT DATA', 'DELETE DATA') operation over (graph, N-Triples lines) blocks."""
    return f"{keyword} {{\n" + "\n".join(f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}"
                                          for g, lines in blocks) + "\n}"


class Store:
    """What both kinds of store offer. Use open_store() to get one."""

    location: str
    lateral = False  # the engine evaluates LATERAL { } (SEP-0006): kg.query uses it to look up, not scan
    query_timeout: float | None = None  # seconds for a query given no timeout of its own (None: no limit)

    def query(self, sparql: str, bindings: dict | None = None, *, timeout: float | None = None,
              allow_service: bool = False) -> Result:
        """Run a read-only query over the union of the named graphs. `bindings` maps variable names to
        RDF terms; `timeout` is in seconds (default: `query_timeout`)."""
        parsed = Sparql(sparql)
        parsed.check(update=False, allow_service=allow_service)
        text, fix = parsed.bind(bindings)
        timeout = self.query_timeout if timeout is None else timeout
        if timeout is not None and timeout <= 0:
            raise StoreError("the timeout must be a positive number of seconds")
        return self._query(text, parsed, timeout, fix)

    def query_whole(self, sparql: str, bindings: dict | None = None, *, timeout: float | None = None) -> Result:
        """Every row of a SELECT, or a StoreError: never part of them. What a write is computed from
        (regroup, the surname merge) and the named questions read so. The embedded store answers
        whole; RemoteStore counts the rows and pages where its endpoint cuts answers."""
        return self.query(sparql, bindings, timeout=timeout)

    def update(self, sparql: str, bindings: dict | None = None, *, allow_service: bool = False) -> None:
        """Run a SPARQL update (atomically: all of it or nothing)."""
        parsed = Sparql(sparql)
        parsed.check(update=True, allow_service=allow_service)
        text, fix = parsed.bind(bindings)
        self._update(text, fix)

    def replace_graphs(self, graphs: dict, merge: dict | None = None, relabel: dict | None = None,
                       delete: dict | None = None) -> None:
        """One atomic write: every graph in `graphs` (IRI -> triples) is replaced by its triples (an
        empty one is dropped); the triples of `merge` are added to their graphs, nothing dropped,
        after the rdfs:label triples of the subjects listed in `relabel` (graph IRI -> subject
        NamedNodes) and the triples of `delete` (graph IRI -> triples, none of them in `merge`) went
        from that graph (a label that changes: the fullest name seen so far; claim groups that changed).
        Triples are (subject, predicate, object) of pyoxigraph NamedNode, BlankNode and Literal."""
        raise NotImplementedError

    def add_quads(self, quads: Iterable[Quad]) -> int:
        """Add quads (pyoxigraph Quads in named graphs), nothing replaced or dropped: kg load's bulk
        path. Not one transaction: what a failure leaves is completed by adding the same quads again.
        Here INSERT DATA of BULK_QUADS quads at a time; a store directory uses Oxigraph's bulk loader.
        Returns how many were added."""
        count, chunk = 0, {}
        for q in quads:
            chunk.setdefault(graph_node(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
            count += 1
            if count % BULK_QUADS == 0:
                self.update(data_block("INSERT DATA", list(chunk.items())))
                chunk = {}
        if chunk:
            self.update(data_block("INSERT DATA", list(chunk.items())))
        return count

    def add_nquads(self, paths: list[str]) -> int:
        """The quads of N-Quads files added as add_quads adds them (a store directory's bulk loader
        reads the files itself, all in one load). Returns how many."""
        count = 0
        for path in paths:
            try:
                count += self.add_quads(parse(path=path, format=RdfFormat.N_QUADS))
            except (OSError, SyntaxError) as e:
                raise StoreError(f"cannot load {path}: {one_line(e)}") from None
        return count

    def graphs(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        result = self._query(named("store_graphs"), Sparql("SELECT"), None, lambda m: m)
        return sorted(row[0].value for row in result if isinstance(row[0], NamedNode))

    def count(self) -> int:
        raise NotImplementedError

    def export(self, fmt: str, out: BinaryIO, graph: str | None = None) -> None:
        """Write the store (or one graph) as ttl, trig, nq, nt or jsonld. Triple formats get the
        distinct triples of all named graphs; dataset formats keep the graph names."""
        if fmt not in RDF_FORMATS:
            raise StoreError(f"cannot export as {fmt}; use {format_choices(RDF_FORMATS)}")
        node = graph_node(graph) if graph is not None else None
        if node is not None and not self._has_graph(node):
            raise StoreError(f"no graph {node} in store {self.location}")
        self._export(RDF_FORMATS[fmt], out, node)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.location!r})"

    def _has_graph(self, node: NamedNode) -> bool:
        return node.value in self.graphs()

    # what the two kinds implement
    def _query(self, text: str, parsed: Sparql, timeout: float | None, fix) -> Result:
        raise NotImplementedError

    def _update(self, text: str, fix) -> None:
        raise NotImplementedError

    def _export(self, fmt: RdfFormat, out: BinaryIO, graph: NamedNode | None) -> None:
        raise NotImplementedError
