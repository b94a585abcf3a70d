"""kg load: a run's graphs into a store by its bulk path (Oxigraph's bulk loader reading the shards'
files itself, many at a time, for a store directory; INSERT DATA a chunk at a time for an endpoint),
resumable: out/loads/ records which shards a store holds, and a load cut short goes on from the
shards it had not finished (a shard added again whole is the same quads). The result equals a kg
ingest of the same inputs into a new store: the shards' graphs, the bare surnames renamed in the
store as kg ingest renames them, the agents and the claim groups of the reduce; the claim groups are
marked stale until the end, as kg ingest marks them. A store that holds anything else is refused."""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import pyoxigraph as ox
from pyoxigraph import NamedNode, Quad, RdfFormat

from kg import query, rdf
from kg.ingest import stale_mark
from kg.pipeline.reduce import corpus_path
from kg.pipeline.shard import PipelineError, RunInfo, atomic, shard_path
from kg.vocab import AGENTS_GRAPH, GROUPS_GRAPH

BATCH_BYTES = 256 << 20  # N-Quads a bulk load reads: few loads (each costs), one record line each


@dataclass
class LoadSummary:
    shards: int = 0        # loaded by this run
    resumed: int = 0       # loaded by an earlier one
    quads: int = 0
    seconds: float = 0.0


def load_run(out_dir: str, store, *, on_shard: Callable[[str], None] | None = None) -> LoadSummary:
    """Load the run in `out_dir` (its shards and the reduce, corpus/) into `store` (kg.store)."""
    clock = time.perf_counter()
    RunInfo.open(out_dir)
    if not os.path.isfile(corpus_path(out_dir, "groups.nq")):
        raise PipelineError(f"{out_dir}: the run has no corpus-wide results (corpus/groups.nq); kg run writes "
                            "them when every shard is done")
    excluded: dict[str, set[str]] = {}
    for shard, graph in _tsv(corpus_path(out_dir, "excluded.tsv")):
        excluded.setdefault(shard, set()).add(graph)
    record = os.path.join(out_dir, "loads", hashlib.sha256(store.location.encode()).hexdigest()[:16] + ".json")
    run = _fingerprint(out_dir)
    loaded = _loaded(out_dir, record, store, run)
    summary = LoadSummary(resumed=len(loaded))
    # the agents and the claim groups come last, whole; until then the groups are marked stale
    mark = stale_mark()
    store.replace_graphs({str(AGENTS_GRAPH): [], str(GROUPS_GRAPH): [mark]})
    todo = [row[0] for row in _tsv(corpus_path(out_dir, "shards.txt")) if row[0] not in loaded]
    for batch in _batches(out_dir, todo):
        summary.quads += store.add_nquads([shard_path(out_dir, name, "nq") for name in batch if name not in excluded])
        for name in batch:
            if name in excluded:  # a graph another shard keeps: left out
                summary.quads += store.add_quads(_quads(shard_path(out_dir, name, "nq"), excluded[name]))
        loaded += batch
        os.makedirs(os.path.dirname(record), exist_ok=True)
        with atomic(record) as f:
            f.write(json.dumps({"store": store.location, "run": run, "shards": loaded}).encode())
        summary.shards += len(batch)
        if on_shard:
            for name in batch:
                on_shard(name)
    for old, new in _tsv(corpus_path(out_dir, "renames.tsv")):  # as kg ingest renames, in the store
        query.update(store, query.named("rename_agent"), {"old": NamedNode(old), "new": NamedNode(new)})
    summary.quads += store.add_nquads([corpus_path(out_dir, "agents.nq"), corpus_path(out_dir, "groups.nq")])
    store.replace_graphs({}, delete={str(GROUPS_GRAPH): [mark]})
    summary.seconds = time.perf_counter() - clock
    return summary


def _batches(out_dir: str, names: list[str]) -> Iterator[list[str]]:
    """The shards in runs of about BATCH_BYTES of N-Quads: one bulk load each, and one line of the record."""
    batch, size = [], 0
    for name in names:
        batch.append(name)
        size += os.path.getsize(shard_path(out_dir, name, "nq"))
        if size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _fingerprint(out_dir: str) -> str:
    """What the reduce wrote: the same for a load and the one that goes on with it."""
    h = hashlib.sha256()
    for name in ("shards.txt", "manifest.tsv", "renames.tsv", "excluded.tsv"):
        try:
            with open(corpus_path(out_dir, name), "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        except OSError as error:
            raise PipelineError(f"{corpus_path(out_dir, name)}: cannot read: {error.strerror or error}") from None
        h.update(b"\0")
    return h.hexdigest()


def _loaded(out_dir: str, record: str, store, run: str) -> list[str]:
    """The shards an earlier load of this run put into `store`; a store holding anything else, or
    loaded from the run as it was before kg run changed it, is refused (kg load writes into a new
    store, or goes on with its own)."""
    try:
        with open(record, encoding="utf-8") as f:
            found = json.load(f)
        before, loaded = found["run"], found["shards"]
    except FileNotFoundError:
        before, loaded = run, []
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PipelineError(f"{record}: cannot read the record of the load: {error}") from None
    if store.count() == 0:
        return []
    if not loaded:
        raise PipelineError(f"store {store.location} is not empty and no kg load of this run began it: "
                            "load into a new store (or kg ingest the articles into this one)")
    if before != run:
        raise PipelineError(f"store {store.location} was loaded from this run before kg run changed it: "
                            "load into a new store")
    ours = {rdf.article_iri(row[0]) for row in _tsv(corpus_path(out_dir, "manifest.tsv"))}
    other = next((g for g in store.graphs() if g not in ours and g not in (str(AGENTS_GRAPH), str(GROUPS_GRAPH))),
                 None)
    if other is not None:  # written since by kg ingest (or another load): this load would drop its agents
        raise PipelineError(f"store {store.location} holds the graph {other}, which this run has not: load into "
                            "a new store (or kg ingest the articles into this one)")
    return loaded


def _tsv(path: str) -> Iterator[list[str]]:
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                yield line.rstrip("\n").split("\t")
    except OSError as error:
        raise PipelineError(f"{path}: cannot read: {error.strerror or error}") from None


def _quads(path: str, excluded: set[str]) -> Iterator[Quad]:
    """The shard's quads without the graphs another shard keeps."""
    try:
        for q in ox.parse(path=path, format=RdfFormat.N_QUADS):
            if q.graph_name.value not in excluded:
                yield q
    except (OSError, SyntaxError) as error:
        raise PipelineError(f"{path}: cannot read the graphs: {error}") from None
