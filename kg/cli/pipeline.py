"""`kg run` and `kg load`: a corpus past one machine, in shards on Dask, then bulk-loaded. Options and
output only; the work is done by kg.pipeline (kg run needs the extra kg[dask])."""
from __future__ import annotations

import sys
import time

import click

from kg.cli.common import ENTITIES, PATHS, STORE, CommandError, graph_at, report_error
from kg.text import plural


@click.command(short_help="Extract a corpus in shards on a Dask cluster, into a run directory.")
@PATHS
@click.option("--out", "out_dir", required=True, metavar="DIR", type=click.Path(file_okay=False),
              help="The run directory: shards/, corpus/ (kg load reads it).")
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="A running Dask scheduler (else a local cluster).")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, metavar="N",
              help="Worker processes of the local cluster.")
@click.option("--threads", is_flag=True,
              help="Run the local cluster's workers as threads of this process (quicker to start; spaCy "
                   "holds Python's lock for part of its work, so processes parse faster).")
@click.option("--partition", type=click.IntRange(min=1), default=64, show_default=True, metavar="N",
              help="Articles a shard.")
@ENTITIES
def run(paths, out_dir, scheduler, workers, threads, partition, entity_files):
    """Read articles (.txt, .jsonl, .html, directories) and process them in shards on Dask: each
    shard's records, graphs and tables go to DIR/shards/, then the corpus-wide steps (the surname
    merge, the agents, the claim groups) to DIR/corpus/. Then `kg load DIR` fills a store.

    \b
    Examples:
        kg run corpus.jsonl --out run/ --workers 4
        kg run corpus/ --out run/ --scheduler tcp://10.0.0.5:8786

    A shard done before with the same inputs is not done again: after a failure, the same
    command does what is missing. A file or line that cannot be read is one error line on
    stderr and the rest goes on (exit status 1).
    """
    try:
        from kg.pipeline.runner import run as run_shards
    except ImportError as error:
        raise CommandError(f"kg run needs Dask: pip install 'kg[dask]' ({error})") from None
    from tqdm import tqdm

    started = time.perf_counter()
    bar = tqdm(unit="shard", file=sys.stderr, disable=not sys.stderr.isatty(), leave=False)
    summary = run_shards(paths, out_dir, scheduler=scheduler, workers=workers, processes=not threads,
                         partition=partition, entity_files=entity_files, on_error=report_error,
                         on_plan=lambda n: bar.reset(total=n), on_shard=lambda _: bar.update())
    bar.close()
    click.echo(f"{plural(summary.shards, 'shard')} ({summary.skipped} done before, {summary.failed} failed), "
               f"{plural(summary.articles, 'article')}, {plural(summary.attributions, 'attribution')}" +
               (f"; {summary.reduce.groups} claim groups, {summary.reduce.renamed} surnames joined their person"
                if summary.reduce else "; no corpus-wide step (a shard failed)") +
               f", {time.perf_counter() - started:.1f} s", err=True)
    if summary.errors:
        sys.exit(1)


@click.command(short_help="Bulk-load a kg run directory into the store.")
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False))
@STORE
def load(out_dir, store):
    """Load what `kg run` wrote in DIR into the store, by its bulk path: the same graphs as kg
    ingest of the same inputs into a new store. Resumable: run it again after a failure, and it
    goes on from the shards not loaded yet. The store must be new, or one this load began.

    \b
    Examples:
        kg load run/ --store ./graph
        kg load run/ --store http://127.0.0.1:7878
    """
    from kg.pipeline import load_run

    with graph_at(store, write=True) as graph:
        summary = load_run(out_dir, graph.store)
    click.echo(f"{plural(summary.shards, 'shard')} loaded ({summary.resumed} before), {summary.quads} quads, "
               f"{summary.seconds:.1f} s", err=True)


COMMANDS = [run, load]
