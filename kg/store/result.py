"""What a query returns, Result, read the same from the embedded store and from a SPARQL
endpoint's serialised answer, and written out in the W3C result formats (SELECT, ASK) or as RDF
(CONSTRUCT, DESCRIBE)."""
from __future__ import annotations

from typing import BinaryIO, Iterator

import pyoxigraph as ox
from pyoxigraph import QueryResultsFormat, RdfFormat, Triple

from kg.store.errors import StoreError, one_line

# W3C SPARQL query results formats, for SELECT and ASK.
RESULT_FORMATS = {"json": QueryResultsFormat.JSON, "csv": QueryResultsFormat.CSV,
                  "tsv": QueryResultsFormat.TSV, "xml": QueryResultsFormat.XML}
# CONSTRUCT and DESCRIBE results are graphs: RDF formats ("xml" is RDF/XML there).
GRAPH_RESULT_FORMATS = {"ttl": RdfFormat.TURTLE, "nt": RdfFormat.N_TRIPLES,
                        "jsonld": RdfFormat.JSON_LD, "xml": RdfFormat.RDF_XML}


class Result:
    """What a query returned. SELECT: `variables` (names) and rows (tuples of terms, None where
    unbound) by iteration; ASK: `boolean` (None otherwise); CONSTRUCT/DESCRIBE: (subject, predicate,
    object) tuples by iteration, `variables` None. A result is read once: iterate it or serialize() it."""

    def __init__(self, kind: str, *, solutions=None, boolean: bool | None = None, triples=None,
                 origin: str | None = None):
        self.kind = kind  # "select", "ask" or "graph"
        self.origin = origin  # the endpoint that sent a serialised answer: errors in reading it name it
        self._solutions, self._triples = solutions, triples
        self.boolean = boolean
        self.variables: list[str] | None = [v.value for v in solutions.variables] \
            if solutions is not None else None
        self._used = False

    @classmethod
    def from_pyoxigraph(cls, result, origin: str | None = None) -> Result:
        if isinstance(result, ox.QuerySolutions):
            return cls("select", solutions=result, origin=origin)
        if isinstance(result, ox.QueryBoolean):
            return cls("ask", boolean=bool(result), origin=origin)
        return cls("graph", triples=result, origin=origin)

    @classmethod
    def of_rows(cls, variables: list[str], rows: list[tuple]) -> Result:
        """A SELECT result made of rows already read (the pages of one answer, kg.store.remote), to iterate."""
        result = cls("select")
        result.variables, result._solutions = variables, rows
        return result

    def _failed(self, error: Exception) -> StoreError:
        if self.origin:  # parsed as it is read: a garbled answer shows only now
            return StoreError(f"SPARQL endpoint {self.origin} sent an unreadable answer: {one_line(error)}")
        return StoreError(f"query failed: {one_line(error)}")

    def _take(self):
        if self._used:
            raise StoreError("this query result has already been read")
        self._used = True
        return self._solutions if self.kind == "select" else self._triples

    def __iter__(self) -> Iterator[tuple]:
        if self.kind == "ask":
            return iter(())
        return self._rows(self._take())

    def _rows(self, source) -> Iterator[tuple]:
        try:
            if self.kind == "select":
                for solution in source:
                    yield tuple(solution)
            else:
                for t in source:
                    yield t.subject, t.predicate, t.object
        except (OSError, RuntimeError, ValueError, SyntaxError) as e:
            raise self._failed(e) from None

    def serialize(self, fmt: str, out: BinaryIO) -> None:
        """Write the result: json|csv|tsv|xml for SELECT and ASK, ttl|nt|jsonld|xml for graphs."""
        if self.kind == "graph":
            if fmt not in GRAPH_RESULT_FORMATS:
                raise StoreError(f"cannot write a graph result as {fmt}; "
                                 f"use {format_choices(GRAPH_RESULT_FORMATS)}")
            try:
                ox.serialize((Triple(s, p, o) for s, p, o in self._rows(self._take())), out,
                             GRAPH_RESULT_FORMATS[fmt])
            except (OSError, RuntimeError, ValueError) as e:
                raise StoreError(f"cannot write the result: {one_line(e)}") from None
            return
        if fmt not in RESULT_FORMATS:
            raise StoreError(f"cannot write {self.kind.upper()} results as {fmt}; "
                             f"use {format_choices(RESULT_FORMATS)}")
        if self.kind == "ask":
            out.write(_boolean(self.boolean).serialize(format=RESULT_FORMATS[fmt]))
            return
        try:
            self._take().serialize(out, RESULT_FORMATS[fmt])
        except (OSError, RuntimeError, ValueError, SyntaxError) as e:
            raise self._failed(e) from None


def format_choices(formats: dict) -> str:
    """The names of `formats` for a message: 'json, csv, tsv or xml'."""
    names = list(formats)
    return ", ".join(names[:-1]) + " or " + names[-1]


def _boolean(value: bool):
    return ox.parse_query_results(b'{"head":{},"boolean":%s}' % (b"true" if value else b"false"),
                                  QueryResultsFormat.JSON)


def result_from_bytes(data: bytes, content_type: str, origin: str | None = None) -> Result:
    """A result from a serialised answer (of the endpoint `origin`): SPARQL results (JSON, XML,
    TSV) or an RDF graph."""
    media = content_type.split(";")[0].strip().lower()
    results_format = QueryResultsFormat.from_media_type(media) if media else None
    if results_format is not None and results_format != QueryResultsFormat.CSV:
        parsed = ox.parse_query_results(data, results_format)
        return Result.from_pyoxigraph(parsed, origin)
    rdf_format = RdfFormat.from_media_type(media) if media else None
    if rdf_format is None:
        where = f"SPARQL endpoint {origin} sent" if origin else "unexpected"
        raise StoreError(f"{where} an answer of type {media or 'unknown'}, not SPARQL results")
    return Result("graph", triples=ox.parse(data, rdf_format), origin=origin)
