"""The corpus-wide steps, as reduces over the shards' tables (no store): the manifest of the articles
(a document id a later shard reads again is reported, and its graph left out), the surname merge
(Resolver.finish over the entities and counts of every shard), one description per agent, and the
claim groups (kg.corroborate.groups_graph over the claims of every shard), written to out/corpus/.

What kg ingest does in the store by SPARQL updates is done here to the triples: a bare surname that
joins its person is renamed in every graph (by kg load, in the store, as kg ingest renames it),
and its own description moves to the person, its label as a skos:altLabel (rename_agent.ru)."""
from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass, field

import pyoxigraph as ox
from pyoxigraph import NamedNode, Quad, RdfFormat

from kg import corroborate, rdf
from kg.pipeline.shard import SHARDS, PipelineError, RunInfo, atomic, done, shard_path
from kg.resolve import Resolver, load_register
from kg.text import fold
from kg.vocab import AGENTS_GRAPH, GROUPS_GRAPH, KG, RDF_TYPE, RDFS_LABEL, SKOS_ALT_LABEL, node

CORPUS = "corpus"
# read_claims.rq's columns that the reduce fills in: the source (renamed), its type and label (the agents')
SOURCE, SOURCE_TYPE, ARTICLE, SOURCE_LABEL = 4, 5, 6, 9


@dataclass
class ReduceSummary:
    shards: int = 0
    articles: int = 0
    renamed: int = 0          # bare surnames that joined their person
    agents: int = 0
    claims: int = 0
    groups: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def shard_names(out_dir: str) -> list[str]:
    """The shards written whole, in name order (the order of the corpus)."""
    try:
        files = os.listdir(os.path.join(out_dir, SHARDS))
    except FileNotFoundError:
        return []
    names = sorted(f.removesuffix(".done") for f in files if f.endswith(".done"))
    return [n for n in names if done(out_dir, n) is not None]


def corpus_path(out_dir: str, name: str) -> str:
    return os.path.join(out_dir, CORPUS, name)


def reduce_shards(out_dir: str, names: list[str] | None = None, *, register=None) -> ReduceSummary:
    """Read the tables of the shards `names` (all those done, in name order, by default) and write
    out_dir/corpus/ (see kg.pipeline); corpus/shards.txt names the shards reduced, which kg load loads."""
    clock = time.perf_counter()
    RunInfo.open(out_dir)
    names = shard_names(out_dir) if names is None else names
    summary = ReduceSummary()
    resolver = Resolver(register or load_register())
    owner: dict[str, str] = {}               # document id -> where the article kept was read
    manifest, excluded, touched, rows = [], [], set(), []
    for name in names:
        tables = _tables(out_dir, name)
        summary.shards += 1
        left_out = set()
        for doc_id, digest, where in tables["articles"]:
            if doc_id in owner:  # as iter_documents says it, read in one go: the first is kept
                summary.errors.append(f"{where}: duplicate id {fold(doc_id, 80)!r} (also {owner[doc_id]})")
                left_out.add(rdf.article_iri(doc_id))
                continue
            owner[doc_id] = where
            manifest.append(f"{doc_id}\t{digest}\t{name}\n")
        excluded += [f"{name}\t{iri}\n" for iri in sorted(left_out)]
        resolver.add(tables["resolver"])
        touched.update(tables["touched"])
        rows += [row for row in tables["claims"] if row[ARTICLE] not in left_out]
    summary.articles = len(manifest)

    entities = dict(resolver.entities)       # the bare surnames' own, before finish() merges them
    renames = resolver.finish()
    summary.renamed = len(renames)
    agents = _agents(resolver, entities, touched, renames)
    summary.agents = len({s for s, _, _ in agents})
    groups = _groups(resolver, rows, renames)
    summary.claims = len({row[0] for row in rows})
    summary.groups = sum(1 for _, p, o in groups if p == RDF_TYPE and o == node(KG.ClaimGroup))

    os.makedirs(os.path.join(out_dir, CORPUS), exist_ok=True)
    with contextlib.suppress(FileNotFoundError):  # written last: kg load reads a corpus/ written whole only
        os.unlink(corpus_path(out_dir, "groups.nq"))
    _write_lines(corpus_path(out_dir, "shards.txt"), [f"{name}\n" for name in names])
    _write_lines(corpus_path(out_dir, "manifest.tsv"), manifest)
    _write_lines(corpus_path(out_dir, "excluded.tsv"), excluded)
    _write_lines(corpus_path(out_dir, "renames.tsv"), [f"{old}\t{new}\n" for old, new in sorted(renames.items())])
    for graph, triples, file in ((AGENTS_GRAPH, agents, "agents.nq"), (GROUPS_GRAPH, groups, "groups.nq")):
        with atomic(corpus_path(out_dir, file)) as f:
            f.write(ox.serialize([Quad(s, p, o, node(graph)) for s, p, o in triples], format=RdfFormat.N_QUADS))
    summary.seconds = time.perf_counter() - clock
    return summary


def _tables(out_dir: str, name: str) -> dict:
    path = shard_path(out_dir, name, "tables.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as error:
        raise PipelineError(f"{path}: cannot read the shard's tables: {error}") from None


def _write_lines(path: str, lines: list[str]) -> None:
    with atomic(path) as f:
        f.write("".join(lines).encode("utf-8"))


def renamed(term, renames: dict[str, str]):
    """An IRI of a bare surname that joined its person, as the person's."""
    return NamedNode(renames[term.value]) if isinstance(term, NamedNode) and term.value in renames else term


def _agents(resolver: Resolver, entities: dict, touched: set[str], renames: dict[str, str]) -> list[tuple]:
    """The agents graph: each agent the records point to, described once as it is at the end of the
    corpus; a merged surname's own description moved to its person (rename_agent.ru), its type gone."""
    described = sorted({renames.get(iri, iri) for iri in touched} & set(resolver.entities))
    out = rdf.agent_triples([resolver.entities[iri] for iri in described], resolver.register)
    for old in sorted(set(renames) & touched):
        for s, p, o in rdf.agent_triples([entities[old]], resolver.register):
            if s.value == old and p == RDF_TYPE:
                continue
            out.append((renamed(s, renames), SKOS_ALT_LABEL if s.value == old and p == RDFS_LABEL else p,
                        renamed(o, renames)))
    return list(dict.fromkeys((s, p, renamed(o, renames)) for s, p, o in out))


def _groups(resolver: Resolver, rows: list[list], renames: dict[str, str]) -> list[tuple]:
    """The claim-groups graph (kg.corroborate.groups_graph) of the shards' claims, their sources
    renamed, typed and labelled as the agents graph has them."""
    for row in rows:
        source = row[SOURCE] = renames.get(row[SOURCE], row[SOURCE])
        entity = resolver.entities.get(source) if source else None
        if entity is not None:
            row[SOURCE_TYPE], row[SOURCE_LABEL] = str(node(KG[entity.type]).value), entity.label
    return corroborate.groups_graph(corroborate.claim_records(tuple(row) for row in rows))
