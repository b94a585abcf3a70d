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
from datetime import datetime
from typing import Callable

import dask
import dask.bag as db
from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from kg.documents import Part
from kg.errors import KgError
from kg.pipeline.reduce import ReduceSummary, reduce_shards
from kg.pipeline.shard import (PipelineError, RunInfo, ShardSummary, done, parts_digest, plan_shards,
                               process_shard)
from kg.resolve import load_register

LOOPBACK = "127.0.0.1"
# Dask's defaults that cost CPU and serve nothing here (bench/README.md): a profiler sampling every
# 10 ms for a dashboard kg run has none of (and keeping their history: workers grew 270 -> 376 MiB
# over 10k articles, flat at 298 without), monitors and event-loop checks every 20-500 ms (an idle
# 2-worker cluster: 8.9 % of a core, 1.9 % without), and MALLOC_TRIM_THRESHOLD_=65536 in the workers
# (glibc gives memory back at nearly every free: ~17 % more CPU for spaCy's parse).
QUIET = {"distributed.worker.profile.enabled": False, "distributed.admin.system-monitor.gil.enabled": False,
         "distributed.admin.system-monitor.interval": "5s", "distributed.admin.tick.interval": "1s",
         "distributed.worker.memory.monitor-interval": "1s",
         "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


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
    on_error: Callable[[str], None] | None = None

    def error(self, line: str) -> None:
        self.errors.append(line)
        if self.on_error:
            self.on_error(line)

    def count(self, shard: ShardSummary, skipped: bool = False) -> None:
        self.skipped += skipped
        self.articles += shard.articles
        self.attributions += shard.attributions
        for line in shard.errors:
            self.error(line)


@functools.lru_cache(maxsize=4)
def _register(entity_files: tuple[str, ...]):
    return load_register(entity_files)


def _task(item: tuple[str, list[Part]], out_dir: str, when: datetime, entity_files: tuple[str, ...]) -> dict:
    name, parts = item
    return asdict(process_shard(parts, out_dir, name=name, when=when, register=_register(entity_files)))


def connect(scheduler: str | None, workers: int, processes: bool = True) -> tuple[Client, LocalCluster | None]:
    """A client of the scheduler at `scheduler`, else of a new LocalCluster of `workers` workers of one
    thread each (processes, or threads of this one), every server on the loopback, no dashboard."""
    if scheduler is None:
        with dask.config.set(QUIET):
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, protocol="tcp://",
                                   host=LOOPBACK, dashboard_address=None,
                                   scheduler_kwargs={"dashboard_address": f"{LOOPBACK}:0"})  # its HTTP routes
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
    (when every shard is done). Errors of the input, one line each, go to `on_error`; `on_plan` gets
    the number of shards, `on_shard` each shard's summary as it is done (a progress bar)."""
    out_dir = os.path.abspath(out_dir)
    info = RunInfo.open(out_dir, create=True)  # another kg version's directory is refused before any work
    entity_files = tuple(entity_files)
    _register(entity_files)                    # a bad entities file too
    summary = RunSummary(on_error=on_error)
    planned, errors = plan_shards(paths, partition)
    for line in errors:
        summary.error(line)
    summary.shards = len(planned)
    if on_plan:
        on_plan(len(planned))
    todo = []
    for name, shard in planned:
        before = done(out_dir, name)
        if before is not None and before.digest == parts_digest(shard):
            summary.count(before, skipped=True)
            if on_shard:
                on_shard(before)
        else:
            todo.append((name, shard))
    if todo:
        _map(todo, out_dir, info.time, summary, connect(scheduler, workers, processes), retries, entity_files,
             on_shard)
    if not summary.failed:
        summary.reduce = reduce_shards(out_dir, [name for name, _ in planned], register=_register(entity_files))
        for line in summary.reduce.errors:
            summary.error(line)
    return summary


def _map(todo, out_dir, when, summary, connection, retries, entity_files, on_shard) -> None:
    client, cluster = connection
    try:
        client.register_plugin(ModelsOnce())
        bag = db.from_sequence(todo, npartitions=len(todo)).map(_task, out_dir=out_dir, when=when,
                                                                entity_files=entity_files)
        futures = client.compute(bag.to_delayed(), retries=retries)  # one a partition: one a shard
        names = {future.key: name for future, (name, _) in zip(futures, todo, strict=True)}
        for future in as_completed(futures):
            if future.status != "finished":
                summary.failed += 1
                summary.error(f"shard {names[future.key]}: {_message(future.exception())} (kg run again redoes it)")
                continue
            for result in future.result():
                shard = ShardSummary(**result)
                summary.count(shard)
                if on_shard:
                    on_shard(shard)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _message(error: BaseException) -> str:
    text = str(error) if isinstance(error, KgError) else f"{type(error).__name__}: {error}"
    return " ".join(text.split())[:500]
