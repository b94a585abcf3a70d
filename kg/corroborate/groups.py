"""The claim groups in the store: claims read a batch of articles at a time (read_claims), grouped
through the claim index (kg.corroborate.grouping) and written into the claim-groups graph;
kg.corroborate.listing reads them back.

regroup(store) builds everything anew: a new index (a file beside the store's, claim-index.sqlite.new;
in memory for an endpoint), every claim of the store streamed through it, the claim-groups graph
replaced whole in one atomic write (with the grouping's version and the new index's token, a hash of
its groups), then the new index takes the old one's place. A regroup killed on the way leaves the old groups and the old
index, which agree; one killed between the two steps leaves groups whose token no index has, so
the next ingest regroups.

update(store, index, articles, merged), after an ingest that wrote `articles`, when `index` is the one
the groups were written with (current_index: same token and version, and no ingest marked the
groups stale since): the claims those articles had leave the index, their new claims join it, the
sources of bare surnames that joined a person (`merged`) are renamed, and only the groups that
changed are written: one atomic write deleting the old ones' triples and the run's stale mark and
adding the new ones', with the index's new token (a hash of the last one and of what changed). The index is committed first: a write that fails or is killed leaves the
stale mark, and the next ingest regroups from scratch.
"""
from __future__ import annotations

import os
import sqlite3
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator

from pyoxigraph import Literal, NamedNode

from kg import query, vocab
from kg.corroborate.cluster import THRESHOLD
from kg.corroborate.grouping import group
from kg.corroborate.index import FILE, VERSION, Index
from kg.corroborate.records import ClaimRecord
from kg.store import LocalStore, StoreError, as_store
from kg.text import Timed
from kg.vocab import KG, PROV, RDF_TYPE, RDFS_LABEL, XSD_INTEGER, node

GROUPS_GRAPH = str(vocab.GROUPS_GRAPH)     # the one named graph the groups are written to
ARTICLES_PER_READ = 200                    # articles whose claims one query reads


@dataclass
class GroupSummary(Timed):
    claims: int = 0
    groups: int = 0
    grouped: int = 0              # claims in groups of two or more
    multi: int = 0                # groups of two or more claims
    corroborated: int = 0         # groups with two or more independent sources
    largest: int = 0
    contested: int = 0            # contested groups (kg.corroborate.contest)
    triples: int = 0              # written (added or deleted)
    seconds: dict = field(default_factory=lambda: {"read": 0.0, "group": 0.0, "write": 0.0})

    def line(self) -> str:
        return (f"{self.claims} claims, {self.groups} groups ({self.multi} of several claims, {self.corroborated} "
                f"with several independent sources, largest {self.largest}), {self.contested} contested, "
                f"{self.timing()}")


def read_claims(store, articles: list[str] | None = None) -> Iterator[ClaimRecord]:
    """The claims of the store (or of `articles`, IRIs), one record each, ARTICLES_PER_READ articles
    a query (kg/queries/read_claims.rq: each claim with its top-level attribution, itself or the one
    whose citing chain reaches it, that attribution's original, the end of the chain, and the
    original's source, the article, its publisher and date; its columns are in the order of
    ClaimRecord's fields, one row a fragment of its words), articles in IRI order, claims by IRI in
    each batch. A claim relayed by several top-level attributions takes the first of them (by IRI),
    so the result does not depend on the order the store returns rows in."""
    store = as_store(store)
    if articles is None:  # all, or refused (an endpoint that cuts answers short): a regroup replaces every group
        articles = sorted(row[0].value for row in query.run(store, query.named("claim_articles"), whole=True))
    for k in range(0, len(articles), ARTICLES_PER_READ):
        chunk = [NamedNode(a) for a in articles[k:k + ARTICLES_PER_READ]]
        rows = query.run(store, query.named("read_claims"), {"article": chunk}, whole=True)
        yield from claim_records(tuple(query.value(term) for term in row) for row in rows)


def claim_records(rows: Iterable[tuple]) -> Iterator[ClaimRecord]:
    """The records of read_claims.rq's rows as Python values (kg.pipeline reads them from its shards'
    tables), by claim IRI."""
    best: dict[str, ClaimRecord] = {}
    extent: dict[str, tuple[int, int]] = {}
    for row in rows:
        # the IRIs and words repeated across claims (article, publisher, source, ...) held once
        record = ClaimRecord(*(v if n in _OWN or not isinstance(v, str) else sys.intern(v) for n, v in enumerate(row)))
        current = best.get(record.claim)
        if current is None or _row_key(record) < _row_key(current):
            best[record.claim] = record
        extent[record.claim] = _widest(extent.get(record.claim), record.start, record.end)
    for claim, record in sorted(best.items()):
        yield replace(record, start=extent[claim][0], end=extent[claim][1])


_OWN = frozenset({0, 1, 2})   # claim, text, attribution: one a claim, not worth interning


def _widest(extent: tuple[int, int] | None, start: int, end: int) -> tuple[int, int]:
    return (start, end) if extent is None else (min(extent[0], start), max(extent[1], end))


def _row_key(record: ClaimRecord) -> tuple:
    return tuple(x or "" for x in (record.top, record.source, record.source_type, record.publisher))


def build(records: Iterable[ClaimRecord], *, threshold: float = THRESHOLD) -> tuple[list[dict], list[dict]]:
    """The groups of plain records (no store: an index in memory) and their contested groups: dicts
    with iri, label, sources (independent: 0 when no member counts), members (claim IRIs, sorted),
    by IRI; the contested groups as kg.corroborate.contest.contested_groups gives them."""
    index = Index()
    try:
        group(records, index, threshold=threshold)
        return list(index.groups()), sorted(index.contests().values(), key=lambda c: c["iri"])
    finally:
        index.close()


def groups_graph(records: Iterable[ClaimRecord], *, threshold: float = THRESHOLD) -> list[tuple]:
    """The claim-groups graph of plain records (no store) as kg regroup writes it (kg.pipeline's reduce)."""
    index = Index()
    try:
        group(records, index, threshold=threshold)
        return _whole_graph(index)
    finally:
        index.close()


def _whole_graph(index: Index) -> list[tuple]:
    """The claim-groups graph of all `index` holds: the groups, the contested groups, and the
    grouping's version and token (the index named anew by its groups)."""
    index.new_token(g["iri"] for g in index.groups())
    return group_triples(index.groups(), index.contests().values()) + _stamp(index)


def build_groups(records: Iterable[ClaimRecord], *, threshold: float = THRESHOLD) -> list[dict]:
    return build(records, threshold=threshold)[0]


def group_triples(groups: Iterable[dict], contested: Iterable[dict] = ()) -> list[tuple]:
    out = []
    for g in groups:
        group_node = NamedNode(g["iri"])
        out += [(group_node, RDF_TYPE, node(KG.ClaimGroup)), (group_node, RDFS_LABEL, Literal(g["label"])),
                (group_node, node(KG.independentSources), Literal(str(g["sources"]), datatype=XSD_INTEGER))]
        out += [(NamedNode(c), node(KG.inGroup), group_node) for c in g["members"]]
    for c in contested:
        contest = NamedNode(c["iri"])
        out += [(contest, RDF_TYPE, node(KG.ContestedGroup)), (contest, RDFS_LABEL, Literal(c["label"]))]
        out += [(contest, node(KG.affirmedIn), NamedNode(g)) for g in c["affirmed"]]
        out += [(contest, node(KG.disputedIn), NamedNode(g)) for g in c["disputed"]]
        out += [(NamedNode(a), node(KG.disputes), NamedNode(b)) for a, b in c["disputes"]]
    return out


def _stamp(index: Index) -> list[tuple]:
    """The claim-groups graph's own triples: the grouping version and the index's token."""
    graph = node(vocab.GROUPS_GRAPH)
    return [(graph, node(KG.groupingVersion), Literal(VERSION)), (graph, node(KG.groupingIndex), Literal(index.token))]


def _index_path(store) -> str | None:
    return os.path.join(store.location, FILE) if isinstance(store, LocalStore) else None


def current_index(store) -> Index | None:
    """The store's claim index when its groups were written through it and nothing changed the
    articles since (no stale mark), else None: the next grouping must be a regroup."""
    store = as_store(store)
    path = _index_path(store)
    if path is None or not os.path.isfile(path):
        return None
    version, token, stale, _ = _groups_state(store)
    if version != VERSION or stale:
        return None
    try:
        index = Index(path)
        if index.meta("version") == VERSION and index.token == token:
            return index
        index.close()
    except sqlite3.Error:  # not a claim index (damaged, or something else): regroup builds a new one
        pass
    return None


def check_version(store) -> None:
    """Refuse groups written by another version of the grouping: kg regroup rebuilds them."""
    version, _, _, groups = _groups_state(store)
    if groups and version != VERSION:
        raise StoreError(f"the claim groups of store {store.location} were written by an older kg: "
                         f"run kg regroup to upgrade them")


def _groups_state(store) -> tuple:
    """(grouping version, index token, stale mark, a group) of the claim-groups graph, each None if absent."""
    rows = query.select(store, query.named("groups_version"), {"groups": node(vocab.GROUPS_GRAPH)})
    return tuple(None if term is None else term.value for term in rows[0]) if rows else (None,) * 4


def regroup(graph_or_store, *, threshold: float = THRESHOLD) -> GroupSummary:
    """Group every claim of the store anew and replace the claim-groups graph, in one atomic write
    (see the module). Returns what was done and how long each step took."""
    store = as_store(graph_or_store)
    path = _index_path(store)
    building = path and path + ".new"
    for leftover in (building, building and building + "-journal"):
        if leftover and os.path.exists(leftover):
            os.remove(leftover)
    summary = GroupSummary()
    with _index_errors(building or "in memory"):
        index = Index(building)
    try:
        clock = time.perf_counter()
        with _index_errors(building or "in memory"):
            group(_timed(read_claims(store), summary), index, threshold=threshold)
            _all_read(store, index)
            triples = _whole_graph(index)
            index.commit()
        now = time.perf_counter()
        summary.seconds["group"] = now - clock - summary.seconds["read"]
        store.replace_graphs({GROUPS_GRAPH: triples})
        summary.seconds["write"] = time.perf_counter() - now
        summary.triples = len(triples)
        _count(index, summary)
    finally:
        index.close()
    if path:
        os.replace(building, path)
    return summary


def _all_read(store, index: Index) -> None:
    """Refuse to replace the groups with those of part of the claims: as many claims must have been
    read as the store holds (an endpoint that cuts answers short, or that evaluates kg:citing*
    otherwise: Virtuoso)."""
    held = int(query.select(store, query.named("count_claims"))[0][0].value)
    if index.count < held:
        raise StoreError(f"regroup read {index.count:,} of the {held:,} claims in store {store.location}; "
                         f"the claim groups are left as they were")


def update(store, index: Index, articles: list[str], merged: dict[str, str]) -> GroupSummary:
    """Group the claims of `articles` (IRIs, just written) into the groups of the store through
    `index` (current_index), and write what changed (see the module)."""
    store = as_store(store)
    summary = GroupSummary()
    clock = time.perf_counter()
    with _index_errors(_index_path(store)):
        changed = index.remove(index.ids("article", articles))
        for old, new in sorted(merged.items()):
            changed |= index.set_source(old, new)
        changes = group(_timed(read_claims(store, sorted(articles)), summary), index, changed=changed)
        gone = group_triples(changes.removed, changes.contests_removed) + _stale_marks(store) + _stamp(index)
        index.new_token([g["iri"] for g in changes.removed] + changes.added)
        made = group_triples([index.group(iri) for iri in changes.added], changes.contests_added) + _stamp(index)
        index.commit()
    both = set(gone) & set(made)  # unchanged triples of a changed group: neither deleted nor added
    gone, made = [t for t in gone if t not in both], [t for t in made if t not in both]
    now = time.perf_counter()
    summary.seconds["group"] = now - clock - summary.seconds["read"]
    store.replace_graphs({}, merge={GROUPS_GRAPH: made}, delete={GROUPS_GRAPH: gone})
    summary.seconds["write"] = time.perf_counter() - now
    summary.triples = len(gone) + len(made)
    _count(index, summary)
    return summary


@contextmanager
def _index_errors(path: str):
    """An error of the claim index (a full disk, a damaged file) as a StoreError: the groups stay
    marked stale, and the next ingest or kg regroup builds a new index."""
    try:
        yield
    except sqlite3.Error as error:
        raise StoreError(f"claim index {path}: {error}") from None


def _stale_marks(store) -> list[tuple]:
    graph = node(vocab.GROUPS_GRAPH)
    return [(graph, node(PROV.invalidatedAtTime), row[0])
            for row in query.select(store, query.named("groups_stale_marks"), {"groups": graph})]


def _timed(records: Iterator[ClaimRecord], summary: GroupSummary) -> Iterator[ClaimRecord]:
    """The records, the time spent reading them added to summary.seconds["read"]."""
    while True:
        clock = time.perf_counter()
        record = next(records, None)
        summary.seconds["read"] += time.perf_counter() - clock
        if record is None:
            return
        yield record


def _count(index: Index, summary: GroupSummary) -> None:
    summary.claims, summary.groups, summary.multi, summary.grouped, summary.corroborated, summary.largest = \
        index.figures()
    summary.contested = len(index.contests())
