"""The Python API over the store: what the CLI commands and a notebook call.

    import kg
    with kg.Graph("./graph") as g:               # or Graph() for $KG_STORE / the default location,
        g.ingest(["seeds/"])                     # or Graph("http://127.0.0.1:7878") for an endpoint
        g.attributions(via="Bloomberg")          # the flat view, a list of dicts
        g.dataframe("SELECT ?s ?label WHERE { ?s rdfs:label ?label }")
        ds = g.dataset()                         # everything as an rdflib Dataset
"""
from __future__ import annotations

import io
import time

from pyoxigraph import Literal, NamedNode

from kg import query as q
from kg import rdf
from kg.documents import InputError
from kg.ingest import IngestSummary, groups_stale, ingest
from kg.store import StoreError, open_store
from kg.vocab import AGENTS_GRAPH, GROUPS_GRAPH


def term(value):
    """A Python value as an RDF term for a binding: str -> literal, int/float/bool -> typed literal
    (xsd:integer, xsd:double, xsd:boolean)."""
    if isinstance(value, (Literal, NamedNode)):
        return value
    if isinstance(value, (bool, int, float)):
        return Literal(value)
    return Literal(str(value))


def ingest_and_regroup(store, paths=None, *, regroup: bool = True, on_error=None, on_article=None,
                       **options) -> IngestSummary:
    """kg.ingest.ingest (see it for the options), then, when the run changed the store (or an
    earlier one did and never got to its grouping: kg.ingest.groups_stale), its claims grouped
    unless `regroup` is False: the new articles' claims join the groups through the store's claim
    index (kg.corroborate.update) when the groups were written through it, else every claim is
    grouped anew (kg.corroborate.regroup: a new store, an older kg's groups, an earlier run that
    stopped before its grouping). The articles are written by then, so a failed grouping only leaves
    the groups marked stale (`kg regroup`, or the next ingest, rebuilds them) and is counted and
    reported like a failed input."""
    from kg import corroborate

    index = corroborate.current_index(store) if regroup else None  # before this run marks the groups stale
    written: list[str] = []

    def wrote(article):
        written.append(rdf.article_iri(article.id))
        if on_article:
            on_article(article)
    try:
        summary = ingest(store, paths, on_error=on_error, on_article=wrote, **options)
        # nothing changed, nothing to group; unless an earlier run wrote articles and was killed (or
        # failed, or was asked not to) before its grouping: its mark is still on the groups (F10)
        if not regroup or not (summary.articles or summary.merged or groups_stale(store)):
            return summary
        clock = time.perf_counter()
        try:
            summary.groups = corroborate.update(store, index, written, summary.merged) if index \
                else corroborate.regroup(store)
        except StoreError as error:
            summary.failed += 1
            if on_error:
                on_error(InputError("claim groups", f"not updated ({error}); run kg regroup"))
        summary.seconds["regroup"] += time.perf_counter() - clock
        return summary
    finally:
        if index:
            index.close()


class Graph:
    def __init__(self, location: str | None = None, *, create: bool = True, read_only: bool = False):
        """`location`: a directory or an endpoint URL (None: $KG_STORE, else the default directory).
        `read_only` openings of a local store share it with each other (concurrent queries)."""
        self.store = open_store(location, create=create and not read_only, read_only=read_only)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.store.close()

    # -- write ---------------------------------------------------------------------------------

    def ingest(self, paths=None, **options) -> IngestSummary:
        """Extract, resolve and write articles, then group the claims anew; see ingest_and_regroup."""
        return ingest_and_regroup(self.store, paths, **options)

    def regroup(self):
        """Group the claims of the store anew (kg ingest does it after each change); a GroupSummary."""
        from kg import corroborate

        return corroborate.regroup(self.store)

    def update(self, sparql: str, **bindings) -> None:
        q.update(self.store, sparql, {k: term(v) for k, v in bindings.items()})

    # -- read ----------------------------------------------------------------------------------

    def result(self, sparql: str, bindings: dict | None = None, **options):
        """The store's result object (rows of pyoxigraph terms; `.serialize(fmt, out)`)."""
        return q.run(self.store, sparql, {k: term(v) for k, v in (bindings or {}).items()}, **options)

    def query(self, sparql: str, **bindings) -> list[dict]:
        """A SELECT's rows as dicts of plain values; keyword arguments are bound as RDF terms."""
        return q.records(self.result(sparql, bindings))

    def dataframe(self, sparql: str, **bindings):
        return q.dataframe(self.result(sparql, bindings))

    def attributions(self, source=None, via=None, publisher=None, about=None, limit=None, offset=0) -> list[dict]:
        """The flat view (kg.query.attributions); `limit` and `offset` count attributions."""
        return q.attributions(self.store, source=source, via=via, publisher=publisher, about=about, limit=limit,
                              offset=offset)

    def who_said(self, name: str, limit=None, offset=0) -> list[dict]:
        """Everything `name` said, relayed or was told as a relay (kg.query.who_said); `limit` and
        `offset` count rows."""
        return q.who_said(self.store, name, limit=limit, offset=offset)

    def chain(self, attribution: str) -> list[dict]:
        return q.chain(self.store, attribution)

    def sources(self) -> list[dict]:
        return q.sources(self.store)

    def claims(self, single_source: bool = False, min_sources: int | None = None, about: str | None = None,
               contested: bool = False, group: str | None = None, limit: int | None = None,
               offset: int = 0) -> list[dict]:
        """The members of the claim groups, one dict per claim, best corroborated groups first
        (`contested`: only the groups of contested groups, by contested group; `group`: one group;
        `limit`, `offset`: a page of the groups)."""
        from kg import corroborate

        return corroborate.claims(self.store, single_source=single_source, min_sources=min_sources, about=about,
                                  contested=contested, group=group, limit=limit, offset=offset)

    def stats(self) -> list[dict]:
        return q.stats(self.store) + [{"figure": "triples", "value": self.store.count()}]

    # -- files ---------------------------------------------------------------------------------

    def export(self, fmt: str, out, article: str | None = None) -> None:
        self.store.export(fmt, out, self._graph_name(article) if article else None)

    def dataset(self, article: str | None = None):
        """The store (or one article's graph) as an rdflib Dataset, for rdflib users."""
        import rdflib

        buffer = io.BytesIO()
        self.export("nq", buffer, article)
        dataset = rdflib.Dataset(default_union=True)
        dataset.parse(data=buffer.getvalue().decode("utf-8"), format="nquads")
        return dataset

    def validate(self, article: str | None = None) -> tuple[int, list[str]]:
        """SHACL validation of the article graphs (all, or one) with the agents graph (and, for
        all, the claim groups), against ontology/shapes.ttl: (graphs checked, one line per
        violation). kg.validate says how."""
        from kg.validate import validate

        if article:
            return 1, validate(self.store, sorted({self._graph_name(article), str(AGENTS_GRAPH)}))
        shared = (str(AGENTS_GRAPH), str(GROUPS_GRAPH))
        return len([g for g in self.store.graphs() if g not in shared]), validate(self.store)

    def _graph_name(self, article: str) -> str:
        name = article if article.startswith(("http://", "https://")) else rdf.article_iri(article)
        if name not in self.store.graphs():
            raise StoreError(f"no article graph {article!r} in the store")
        return name

