"""Where the graph lives: an embedded Oxigraph store on disk (the default) or any SPARQL 1.1 endpoint.

    store = open_store(location_from(option))      # a path -> LocalStore, http(s)://... -> RemoteStore
    store.replace_graphs({article_iri: triples}, merge={AGENTS: agent_triples})   # one atomic write
    for row in store.query("SELECT ?a WHERE { ?a kg:source ?s }", {"s": source}): ...
    store.close()

No NLP and no command line here. Every mistake a user can make is a StoreError whose str() is one
line for `kg: error: <message>`. Safe by default: query() only reads (updates go through update()),
SERVICE is refused unless asked for, and parameters are bound as RDF terms (a VALUES block written
from the terms' N-Triples form, which pyoxigraph escapes), never pasted into the query text.

Queries see the union of the named graphs as their default graph (kg writes one named graph per
article and a shared agents graph), unless the query names its own dataset with FROM / FROM NAMED.

The default store is the directory $XDG_DATA_HOME/kg/store, or ~/.local/share/kg/store
(DEFAULT_LOCATION); $KG_STORE or --store choose another (location_from), a directory or the
http(s):// base of a SPARQL service, its profile named in the scheme (`virtuoso+http://`).
query_whole() reads every row of a SELECT or fails: what feeds a write and the named questions
read so. The parts:

    location.py   where a store is, and the kg-store.json marker of a store directory
    sparql.py     the SPARQL text: its form, SERVICE, FROM, bindings, syntax-error messages
    result.py     Result: what a query returns, and its formats
    base.py       Store: what both kinds offer; the checks of the triples they write
    local.py      LocalStore: the Oxigraph (RocksDB) directory, its locks and flushes
    profiles.py   what kg must know of each kind of SPARQL server (oxigraph, fuseki, qlever, virtuoso)
    remote.py     RemoteStore: a SPARQL 1.1 service over HTTP(S); whole reads counted, and paged
"""
from __future__ import annotations

from kg.store.base import RDF_FORMATS, Store
from kg.store.errors import AnswerLost, QueryTimeout, StoreError, StoreInUse
from kg.store.local import LocalStore
from kg.store.location import DEFAULT_LOCATION, MARKER, is_remote, location_from
from kg.store.remote import RemoteStore
from kg.store.result import RESULT_FORMATS, Result

__all__ = ["StoreError", "StoreInUse", "AnswerLost", "QueryTimeout", "DEFAULT_LOCATION", "location_from", "open_store", "as_store", "is_remote", "MARKER",
           "Store", "LocalStore", "RemoteStore", "Result", "RDF_FORMATS", "RESULT_FORMATS"]


def open_store(location: str | None = None, *, create: bool = True, read_only: bool = False) -> Store:
    """The store at `location` (None: location_from(None)). A local store is created when missing if
    `create` (never when `read_only`); `read_only` opens it shared with other readers."""
    location = location_from(location)
    if is_remote(location):
        return RemoteStore(location)
    return LocalStore(location, create=create, read_only=read_only)


def as_store(graph_or_store) -> Store:
    """The Store behind a kg.Graph (its .store), or the Store itself: the later stages' functions
    (regroup, network.build, analyze) take either, as the notebook passes them a Graph."""
    return getattr(graph_or_store, "store", graph_or_store)
