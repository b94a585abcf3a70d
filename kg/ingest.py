"""Ingest: documents -> extract -> resolve -> rdf -> store, one article at a time.

    summary = ingest(store, ["seeds/"], jobs=2)

Each article's graph is written whole in one transaction (several articles share one, each
complete), replacing what the store had for that article: ingesting the same article twice
changes nothing (an article whose text, metadata and tool version are unchanged is skipped), and
a crash leaves every article either fully in or absent. Agents go to the shared agents graph.
Once the batch is read, bare surnames join their person (`Resolver.finish`), in the store too.
Grouping the claims afterwards is the next stage's (kg.corroborate); kg.graph does both.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from dataclasses import dataclass, field
from typing import Callable, Iterable

from pyoxigraph import Literal, NamedNode

from kg import query, rdf
from kg.documents import Article, InputError, iter_documents
from kg.extract.records import Attribution
from kg.resolve import Entity, Resolver, load_register
from kg.store import AnswerLost, StoreError
from kg.text import Timed, fold, plural
from kg.vocab import AGENTS_GRAPH, GROUPS_GRAPH, PROV, RDFS_LABEL, XSD, node

ARTICLES_PER_WRITE = 16
AGENTS = str(AGENTS_GRAPH)
GROUPS = str(GROUPS_GRAPH)


@dataclass
class IngestSummary(Timed):
    articles: int = 0          # written
    unchanged: int = 0         # skipped: already in the store as they are
    attributions: int = 0
    triples: int = 0
    failed: int = 0
    merged: dict = field(default_factory=dict)  # bare-surname IRI -> person IRI
    groups: object = None      # kg.corroborate.GroupSummary of the regroup, if one ran and succeeded
    seconds: dict = field(default_factory=lambda: {"read+extract": 0.0, "resolve": 0.0, "rdf": 0.0, "write": 0.0,
                                                   "regroup": 0.0})

    def line(self) -> str:
        return (f"{self.articles} articles, {self.unchanged} unchanged, {self.attributions} attributions, "
                f"{self.triples} triples, {self.failed} failed, {self.timing({'read+extract': 'extract'})}" +
                (f"; {self.groups.claims} claims in {self.groups.groups} groups, {self.groups.corroborated} with "
                 f"several independent sources" if self.groups else ""))


def ingest(store, paths: Iterable[str] | None = None, *, articles: Iterable[Article] | None = None, jobs: int = 1,
           entity_files: Iterable[str] = (), register=None, on_error: Callable[[InputError], None] | None = None,
           on_article: Callable[[Article], None] | None = None, model: str | None = None) -> IngestSummary:
    """Read `paths` (or take `articles`), extract, resolve and write them to `store`.

    Unreadable inputs are counted and passed to `on_error`; `on_article` is called after each
    article is written (a progress bar).
    `register`, the entity register already read (kg.resolve.load_register); else read here from the
    shipped file and `entity_files`. Raises RegisterError for a bad entities file before anything is
    read, and the store's StoreError if it fails (what was written stays whole)."""
    from kg.extract import extract_articles

    summary = IngestSummary()
    resolver = Resolver(register or load_register(entity_files))
    _seed(store, resolver)
    stored = _stored_hashes(store)
    model = model or model_name()

    seen: set[str] = set()

    def fresh(docs):
        for doc in docs:
            if isinstance(doc, Article) and doc.id in seen:  # `articles` given: iter_documents checks its own
                doc = InputError(doc.path or "articles", f"duplicate id {fold(doc.id, 80)!r} (not written)")
            if isinstance(doc, InputError):
                summary.failed += 1
                if on_error:
                    on_error(doc)
                continue
            seen.add(doc.id)
            if stored.get(doc.id) == rdf.content_hash(doc):
                summary.unchanged += 1
            else:
                yield doc

    source = iter_documents(paths) if articles is None else articles
    try:
        _extract_and_write(store, extract_articles(fresh(source), jobs=jobs), resolver, model, summary, on_article)
        clock = time.perf_counter()
        summary.merged = resolver.finish()
        if summary.merged:
            _merge_agents(store, resolver, summary.merged)
        summary.seconds["write"] += time.perf_counter() - clock
    except StoreError as error:
        # The failed write changed nothing, the earlier ones are whole: say how far the run got.
        raise StoreError(f"{error}; {_done(summary, isinstance(error, AnswerLost))}") from None
    return summary


def _done(summary: IngestSummary, unsure: bool) -> str:
    done = f"{plural(summary.articles, 'article')} of this run written before it, each whole" if summary.articles \
        else "no article of this run written before it"
    if unsure:  # the endpoint may have applied the last write before the connection broke
        return f"{done}; the write in progress may have landed whole or not at all (kg ingest again writes the rest)"
    return f"{done} (kg ingest again writes the rest)" if summary.articles else "no article of this run was written"


def _extract_and_write(store, extracted, resolver: Resolver, model: str, summary: IngestSummary,
                       on_article) -> None:
    pending: list[tuple[Article, list, list]] = []
    clock = time.perf_counter()
    for article, records in extracted:
        now = time.perf_counter()
        summary.seconds["read+extract"] += now - clock
        resolver.resolve(article, records)
        publisher = resolver.publisher(article.publisher)
        clock = time.perf_counter()
        summary.seconds["resolve"] += clock - now
        triples = rdf.article_triples(article, records, publisher=publisher, model=model)
        agents = rdf.agent_triples(touched(resolver, records, publisher), resolver.register)
        pending.append((article, triples, agents))
        summary.attributions += len(records)
        now = time.perf_counter()
        summary.seconds["rdf"] += now - clock
        if len(pending) >= ARTICLES_PER_WRITE:
            _write(store, pending, summary, on_article)
        clock = time.perf_counter()
    _write(store, pending, summary, on_article)


def _write(store, pending, summary: IngestSummary, on_article) -> None:
    if not pending:
        return
    clock = time.perf_counter()
    graphs = {rdf.article_iri(article.id): triples for article, triples, _ in pending}
    agents = _one_label_each([t for _, _, agent_triples in pending for t in agent_triples])
    merge = {AGENTS: agents}
    if not summary.articles:  # the run's first write marks the claim groups stale, in the same transaction
        merge[GROUPS] = [stale_mark()]
    store.replace_graphs(graphs, merge=merge, relabel={AGENTS: _labels(agents)})
    summary.seconds["write"] += time.perf_counter() - clock
    summary.articles += len(pending)
    summary.triples += sum(len(t) for t in graphs.values()) + len(agents)
    if on_article:
        for article, _, _ in pending:
            on_article(article)
    pending.clear()


def stale_mark() -> tuple:
    """The groups graph invalidated now: kept until a regroup replaces the graph (groups_stale.rq)."""
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return (node(GROUPS_GRAPH), node(PROV.invalidatedAtTime), Literal(now, datatype=node(XSD.dateTime)))


def groups_stale(store) -> bool:
    """Whether the claim groups are older than the articles: an ingest wrote and no regroup followed."""
    return bool(query.run(store, query.named("groups_stale"), {"groups": node(GROUPS_GRAPH)}).boolean)


def _one_label_each(agent_triples: list) -> list:
    """The agents' triples of several articles with each agent's last label only: a person's label
    grows with the names seen (Zelensky, then Volodymyr Zelenskyy), and an earlier article of the
    same write must not leave its shorter one beside it (FAULTS.md F11)."""
    last = {s: o for s, p, o in agent_triples if p == RDFS_LABEL}
    return [t for t in dict.fromkeys(agent_triples) if t[1] != RDFS_LABEL or last[t[0]] == t[2]]


def _labels(agent_triples) -> list:
    """The agents whose label this write sets: their old label goes (a person's label is the fullest
    form of the name seen so far, and may grow)."""
    return list({s for s, p, _ in agent_triples if p == RDFS_LABEL})


def touched(resolver: Resolver, records: list[Attribution], publisher: str | None) -> list[Entity]:
    iris = {publisher} | {r.source.entity for r in records if r.source is not None} | \
        {r.channel_entity for r in records} | {r.recipient_entity for r in records}
    iris.discard(None)
    return [resolver.entities[i] for i in sorted(iris) if i in resolver.entities]


def _merge_agents(store, resolver: Resolver, merged: dict[str, str]) -> None:
    """Bare surnames that joined a person: every graph points to the person instead, and the
    person's description in the agents graph takes the names of both."""
    for old, new in sorted(merged.items()):
        query.update(store, query.named("rename_agent"), {"old": NamedNode(old), "new": NamedNode(new)})
    targets = [resolver.entities[i] for i in sorted(set(merged.values()))]
    agents = rdf.agent_triples(targets, resolver.register)
    store.replace_graphs({}, merge={AGENTS: agents}, relabel={AGENTS: _labels(agents)})


def _seed(store, resolver: Resolver) -> None:
    """The people the store knows, with how often each is a source, so that this batch's bare
    surnames can join them (and theirs, this batch's full names)."""
    rows = query.select(store, query.named("seed_people"), whole=True)
    for agent, label, mentions in rows:
        resolver.seed_person(agent.value, label.value, int(mentions.value))


def _stored_hashes(store) -> dict[str, str]:
    rows = query.select(store, query.named("stored_hashes"), whole=True)
    return {doc_id.value: digest.value for doc_id, digest in rows}


def model_name() -> str:
    from kg.extract import nlp

    meta = nlp.load().meta
    return f"{meta.get('lang', '')}_{meta.get('name', '')} {meta.get('version', '')}".strip()

