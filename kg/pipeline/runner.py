"""`kg run` on Dask: the shards mapped over a dask.bag on a distributed cluster (a LocalCluster when
no scheduler is named), then the reduce. Needs the optional extra kg[dask].

Each worker loads the spaCy pipeline and the cue model once, when it starts (ModelsOnce, a
WorkerPlugin: the client sends the class, never a model). A shard that fails is tried again
(`retries`), and only its own files are overwritten; a worker killed midway leaves no file of its
shard half-written (kg.pipeline.shard), and the scheduler gives the shard to another worker. A
shard done before, with the same parts, is not done again: `kg run` again after a failure redoes
what is missing only."""
from __future__ import annotations

import functools
import os
from dataclasses import asdict, dataclass, field
from typing import Callable

import dask.bag as db
from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from kg.documents import InputError, Part, plan
from kg.errors import KgError
from kg.pipeline.reduce import ReduceSummary, reduce_shards
from kg.pipeline.shard import PipelineError, RunInfo, ShardSummary, done, parts_digest, process_shard
from kg.resolve import load_register

class ModelsOnce(WorkerPlugin):
    """Loads the spaCy pipeline and the cue model in each worker as it starts (both are cached per
    process), so that no shard pays for them and nothing heavy is pickled."""

    name = "kg-models"

    def setup(self, worker) -> None:
        from kg.extract import model, nlp

        nlp.load()
        model.load()


@dataclass
class RunSummary:
    shards: int = 0
    skipped: int = 0       # done before with the same parts
    failed: int = 0        # shards that failed after their retries
    articles: int = 0
    attributions: int = 0
    errors: list[str] = field(default_factory=list)
    reduce: ReduceSummary | None = None


def shards(parts: list[Part], size: int) -> list[tuple[str, list[Part]]]:
    """Consecutive parts of about `size` articles each (a file is one, a .jsonl part its lines),
    named by their order: the order of the corpus is the order of the names."""
    out, current, count = [], [], 0
    for part in parts:
        current.append(part)
        count += part.size
        if count >= size:
            out.append(current)
            current, count = [], 0
    if current:
        out.append(current)
    return [(f"{n:06d}", shard) for n, shard in enumerate(out)]


@functools.lru_cache(maxsize=4)
def _register(entity_files: tuple[str, ...]):
    return load_register(entity_files)


def _task(item: tuple[str, list[Part]], out_dir: str, when: str, entity_files: tuple[str, ...]) -> dict:
    name, parts = item
    info = RunInfo(when=when)
    return asdict(process_shard(parts, out_dir, name=name, when=info.time, register=_register(entity_files)))


def connect(scheduler: str | None, workers: int, processes: bool = True) -> tuple[Client, LocalCluster | None]:
    """A client of the scheduler at `scheduler`, else of a new LocalCluster of `workers` workers of one
    thread each (processes, or threads of this process with `processes` False)."""
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=None)
        return Client(cluster), cluster
    try:
        return Client(scheduler), None  # waits distributed.comm.timeouts.connect (DASK_DISTRIBUTED__...)
    except (OSError, TimeoutError, ValueError) as error:
        raise PipelineError(f"cannot reach the Dask scheduler {scheduler}: {error}") from None


def run(paths, out_dir: str, *, scheduler: str | None = None, workers: int = 2, processes: bool = True,
        partition: int = 64, retries: int = 2, entity_files: tuple[str, ...] = (),
        on_error: Callable[[str], None] | None = None, on_shard: Callable[[ShardSummary], None] | None = None,
        on_plan: Callable[[int], None] | None = None) -> RunSummary:
    """Process `paths` into `out_dir`: every shard not done yet, on the cluster, then the reduce
    (when every shard is done). Errors of the input, one line each, go to `on_error`."""
    out_dir = os.path.abspath(out_dir)
    info = RunInfo.open(out_dir, create=True)  # another kg version's directory is refused before any work
    _register(tuple(entity_files))             # a bad entities file too
    summary = RunSummary()
    parts = []
    for part in plan(paths, partition):
        if isinstance(part, InputError):
            summary.errors.append(str(part))
            if on_error:
                on_error(str(part))
        else:
            parts.append(part)
    planned = shards(parts, partition)
    todo = []
    for name, shard in planned:
        before = done(out_dir, name)
        if before is not None and before.digest == parts_digest(shard):
            _count(summary, before, on_error, on_shard, skipped=True)
        else:
            todo.append((name, shard))
    summary.shards = len(planned)
    if on_plan:
        on_plan(len(planned))
    if todo:
        _map(todo, out_dir, info, summary, scheduler, workers, processes, retries, tuple(entity_files), on_error,
             on_shard)
    if not summary.failed:
        summary.reduce = reduce_shards(out_dir, register=_register(tuple(entity_files)))
        for line in summary.reduce.errors:
            summary.errors.append(line)
            if on_error:
                on_error(line)
    return summary


def _map(todo, out_dir, info, summary, scheduler, workers, processes, retries, entity_files, on_error, on_shard):
    client, cluster = connect(scheduler, workers, processes)
    try:
        client.register_plugin(ModelsOnce())
        bag = db.from_sequence(todo, npartitions=len(todo)).map(_task, out_dir=out_dir, when=info.when,
                                                                entity_files=entity_files)
        futures = client.compute(bag.to_delayed(), retries=retries)
        names = {future.key: name for future, (name, _) in zip(futures, todo)}
        for future in as_completed(futures):
            if future.status == "finished":
                for result in future.result():
                    _count(summary, ShardSummary(**result), on_error, on_shard)
                continue
            summary.failed += 1
            line = f"shard {names[future.key]}: {_message(future.exception())} (kg run again redoes it)"
            summary.errors.append(line)
            if on_error:
                on_error(line)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _message(error: BaseException) -> str:
    text = str(error) if isinstance(error, KgError) else f"{type(error).__name__}: {error}"
    return " ".join(text.split())[:500]


def _count(summary: RunSummary, shard: ShardSummary, on_error, on_shard, skipped: bool = False) -> None:
    summary.skipped += skipped
    summary.articles += shard.articles
    summary.attributions += shard.attributions
    for line in shard.errors:
        summary.errors.append(line)
        if on_error:
            on_error(line)
    if on_shard:
        on_shard(shard)
