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
import logging
import re
import time
from contextlib import contextmanager

from pyoxigraph import Literal, NamedNode

from kg import query as q
from kg import rdf
from kg.ingest import IngestSummary, groups_stale, ingest
from kg.queries import compose, named
from kg.documents import InputError
from kg.store import StoreError, open_store
from kg.vocab import AGENTS_GRAPH, GROUPS_GRAPH, ontology_path


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
        """SHACL validation of the article graphs (all, or one) with the agents graph, against
        ontology/shapes.ttl: (graphs checked, one line per violation)."""
        import pyshacl
        import rdflib

        with _quiet("rdflib"):  # an ill-typed literal is a violation to list, not a logged traceback
            return self._validate(article, pyshacl, rdflib)

    def _validate(self, article, pyshacl, rdflib) -> tuple[int, list[str]]:
        shared = [str(AGENTS_GRAPH)]  # checked with the articles, not counted as article graphs
        graphs = self.store.graphs()
        if not article and str(GROUPS_GRAPH) in graphs:
            shared.append(str(GROUPS_GRAPH))
        names = [self._graph_name(article)] if article else [g for g in graphs if g not in shared]
        data = rdflib.Graph()
        for name in names + shared:
            buffer = io.BytesIO()
            self.store.export("nt", buffer, name)
            data.parse(data=buffer.getvalue().decode("utf-8"), format="nt")
        shapes = rdflib.Graph().parse(ontology_path("shapes.ttl"), format="turtle")
        # SPARQL constraints run here, over the store, each once: pyshacl parses the query anew for
        # each focus node (every text span: 40 % of validating PolNeAR train).
        found = [line for c in _take_sparql_constraints(shapes, rdflib) for line in
                 _sparql_violations(self.store, c, names if article else None)]
        # inplace: the data graph is ours to spend, pyshacl need not copy it
        conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                               inplace=True)
        return len(names), sorted(found + ([] if conforms else _violations(report)))

    def _graph_name(self, article: str) -> str:
        name = article if article.startswith(("http://", "https://")) else rdf.article_iri(article)
        if name not in self.store.graphs():
            raise StoreError(f"no article graph {article!r} in the store")
        return name


@contextmanager
def _quiet(name: str):
    """The logger `name` (and those below it) silent for a while."""
    logger = logging.getLogger(name)
    disabled, logger.disabled = logger.disabled, True
    children = [child for key, child in logging.Logger.manager.loggerDict.items()
                if key.startswith(name + ".") and isinstance(child, logging.Logger)]
    before = [child.disabled for child in children]
    for child in children:
        child.disabled = True
    try:
        yield
    finally:
        logger.disabled = disabled
        for child, was in zip(children, before):
            child.disabled = was


def _take_sparql_constraints(shapes, rdflib) -> list[tuple[str, str, str]]:
    """The SHACL-SPARQL constraints of `shapes` that need nothing but $this, taken out of it:
    (a pattern binding ?this to each focus node of its shape, the SELECT with ?this, the message)."""
    from rdflib.namespace import RDF, SH

    taken = []
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        select, message = shapes.value(constraint, SH.select), shapes.value(constraint, SH.message)
        if select is None or shapes.value(constraint, SH.prefixes) is not None or \
                re.search(r"\$(?!this\b)\w", str(select)):
            continue  # pyshacl evaluates what this does not
        targets = [f"{{ ?this <{RDF.type}> <{c}> }}" for c in shapes.objects(shape, SH.targetClass)] + \
            [f"{{ [] <{p}> ?this }}" for p in shapes.objects(shape, SH.targetObjectsOf)] + \
            [f"{{ ?this <{p}> [] }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
        if not targets or any(shapes.objects(shape, SH.targetNode)):
            continue
        shapes.remove((shape, SH.sparql, constraint))
        taken.append((" UNION ".join(targets), re.sub(r"\$this\b", "?this", str(select)), str(message or "")))
    return taken


def _sparql_violations(store, constraint: tuple[str, str, str], graphs: list[str] | None) -> list[str]:
    """One line per result of a SPARQL constraint over the focus nodes in `graphs` (None: all),
    as _violations writes them; {?var} in the message is the value bound."""
    targets, select, message = constraint
    within = f"VALUES ?g {{ {' '.join(f'<{g}>' for g in graphs)} }} GRAPH ?g {{ {targets} }}" if graphs else targets
    lines = []
    for row in q.records(store.query(compose(named("sparql_constraint"), targets=within + "\n",
                                             select=select + "\n"))):
        text = re.sub(r"\{[?$](\w+)\}", lambda m, row=row: str(row.get(m.group(1), m.group()) or ""), message)
        path = q.compact_iri(row["path"]) if row.get("path") else "-"
        lines.append(f"{q.compact_iri(row['this'])}: {path}: {text or 'violation'}")
    return lines


def _violations(report) -> list[str]:
    """One line per SHACL result: the node, the property path, the message."""
    rows = report.query(q.named("shacl_violations"))
    return sorted(f"{q.compact_iri(str(f))}: {q.compact_iri(str(p)) if p else '-'}: {m or 'violation'}"
                  for f, p, m in rows)
