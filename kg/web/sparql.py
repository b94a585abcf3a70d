"""The SPARQL 1.1 Protocol at /sparql, read-only: GET ?query=, POST form-encoded (query=) or
application/sparql-query; results by content negotiation (Accept, or ?format= for a download link).
An update is refused (403), so is SERVICE (federated queries would leave this machine), a query
past the timeout gets 503, a malformed one 400 with the line and column. GET without a query gives
the service description (Turtle)."""
from __future__ import annotations

import io

from kg.store import QueryTimeout, StoreError
from kg.store.sparql import Sparql

# (media type, kg's format name), the default first.
RESULT_TYPES = [("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
                ("text/csv", "csv"), ("text/tab-separated-values", "tsv"), ("application/json", "json"),
                ("application/xml", "xml"), ("text/xml", "xml")]
GRAPH_TYPES = [("text/turtle", "ttl"), ("application/n-triples", "nt"), ("application/ld+json", "jsonld"),
               ("application/rdf+xml", "xml"), ("text/plain", "nt"), ("application/x-turtle", "ttl")]
FORMAT_NAMES = {"json", "xml", "csv", "tsv", "ttl", "nt", "jsonld"}

SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .

[] a sd:Service ;
  sd:endpoint <{endpoint}> ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:feature sd:UnionDefaultGraph ;
  sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML, formats:SPARQL_Results_CSV,
      formats:SPARQL_Results_TSV, formats:Turtle, formats:N-Triples, formats:JSON-LD, formats:RDF_XML ;
  sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ] .
"""


class ProtocolError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def accepted(accept: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header, best first (stable for equal q)."""
    ranges = []
    for n, part in enumerate((accept or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((fields[0].lower(), q, n))
    return [(r, q) for r, q, _ in sorted(ranges, key=lambda x: (-x[1], x[2]))]


def negotiate(accept: str | None, offers: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The (media type, format) of `offers` the Accept header prefers; the first offer when there
    is no header; None when nothing offered is acceptable (406)."""
    ranges = accepted(accept)
    if not ranges:
        return offers[0]
    for media, _ in ranges:
        for offer in offers:
            if media in (offer[0], "*/*") or (media.endswith("/*") and offer[0].startswith(media[:-1])):
                return offer
    return None


READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"


def check(text: str) -> None:
    """Refuse what the endpoint does not run: updates and SERVICE."""
    try:
        parsed = Sparql(text)
    except StoreError as error:
        raise ProtocolError(400, str(error)) from None
    if parsed.is_update:
        raise ProtocolError(403, READ_ONLY)
    if parsed.has_service:
        raise ProtocolError(403, "SERVICE is refused: a federated query would leave this machine")


def evaluate(graph, text: str, accept: str | None, fmt: str | None, timeout: float) -> tuple[bytes, str]:
    """Run the query on `graph` (a kg.Graph) and serialise it as negotiated: (body, media type)."""
    check(text)
    try:
        result = graph.result(text, timeout=timeout)
    except StoreError as error:
        raise ProtocolError(503 if isinstance(error, QueryTimeout) else 400, str(error)) from None
    offers = GRAPH_TYPES if result.kind == "graph" else RESULT_TYPES
    if fmt:
        chosen = next((o for o in offers if o[1] == fmt), None)
        if chosen is None:
            raise ProtocolError(400, f"format {fmt!r} does not fit a {result.kind} result; "
                                     f"use {', '.join(dict.fromkeys(f for _, f in offers))}")
    else:
        chosen = negotiate(accept, offers)
        if chosen is None:
            raise ProtocolError(406, f"cannot answer in {accept}; a {result.kind} result comes as "
                                     + ", ".join(m for m, _ in offers))
    out = io.BytesIO()
    try:
        result.serialize(chosen[1], out)
    except StoreError as error:
        raise ProtocolError(500, str(error)) from None
    charset = "; charset=utf-8" if chosen[0].startswith("text/") else ""
    return out.getvalue(), chosen[0] + charset
