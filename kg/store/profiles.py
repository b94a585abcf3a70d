"""Endpoint profiles: what kg must know of a SPARQL server beyond SPARQL 1.1 itself. The profile is
named in the store URL's scheme, `NAME+http(s)://` (as SQLAlchemy names a driver), so that it goes
wherever the location goes (--store, $KG_STORE, kg.Graph(URL), kg serve); a plain `http(s)://` is
`oxigraph`, kg's own server:

    profile, url = split("virtuoso+http://127.0.0.1:8890")   # PROFILES["virtuoso"], "http://127.0.0.1:8890"

Each profile says where queries and updates go below the URL, how the union of the named graphs
becomes the default graph (kg writes one named graph per article and asks the union), whether the
engine has LATERAL (SEP-0006), and how many rows one answer holds at most (`page`): reads on such a
server are asked a page at a time (kg.store.remote). Every remote read that must be whole is
checked against a COUNT of its rows, whatever the profile says.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.store.errors import StoreError, one_line


@dataclass(frozen=True)
class Profile:
    name: str
    query: str                      # path below the URL of the SPARQL query service
    update: str                     # ... and of the update service
    union: tuple = ()               # query parameters that make the default graph the union of the named graphs
    lateral: bool | None = False    # the engine has LATERAL (None: ask it once)
    page: int | None = None         # rows an answer holds at most, cut without a word: read in pages of this many
    bearer: bool = False            # the URL's password is an access token, sent as `Authorization: Bearer`


PROFILES = {p.name: p for p in (
    # `oxigraph serve`: the union by a parameter of its own (or --union-default-graph)
    Profile("oxigraph", "/query", "/update", union=(("union-default-graph", ""),), lateral=None),
    # a Fuseki dataset URL (http://HOST:3030/DATASET), configured with tdb2:unionDefaultGraph true
    Profile("fuseki", "/query", "/update"),
    # one endpoint for both; its default graph is the union; updates need the access token
    Profile("qlever", "", "", bearer=True),
    # /sparql for both (SPARQL_UPDATE granted to the SPARQL user); the default graph is the union of
    # every graph; [SPARQL] ResultSetMaxRows (10,000 as shipped) cuts an answer silently
    Profile("virtuoso", "/sparql", "/sparql", page=10_000),
)}
DEFAULT = PROFILES["oxigraph"]


def split(url: str) -> tuple[Profile, str]:
    """The profile named in `url`'s scheme (DEFAULT for a plain http(s)://) and the http(s) URL."""
    m = re.match(r"(?i)(?:([a-z][a-z0-9-]*)\+)?(https?://.*)", url.strip(), re.S)
    if not m:
        raise StoreError(f"{one_line(url, 120)} is not the http(s) URL of a SPARQL service")
    name = (m.group(1) or DEFAULT.name).lower()
    if name not in PROFILES:
        raise StoreError(f"unknown endpoint profile {name!r} in {one_line(url, 120)}: use "
                         + ", ".join(f"{p}+http://" for p in PROFILES) + " (or plain http:// for oxigraph)")
    return PROFILES[name], m.group(2)
