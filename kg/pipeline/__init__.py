"""Past one machine: the corpus in shards, each processed alone (the map), the corpus-wide steps as
reduces over the shards' small tables, and a bulk load of the result.

    shards, errors = plan_shards(["corpus.jsonl"], 64)    # [(name, parts)], about 64 articles each
    process_shard(parts, "out/", name=name)    # one shard -> out/shards/NAME.* (any machine, any order)
    reduce_shards("out/", [name for name, _ in shards])   # surnames, agents, claim groups -> out/corpus/
    load_run("out/", store)                    # everything into a store, as kg ingest would have written it

kg.pipeline.runner runs the map on Dask (`kg run`, the optional extra kg[dask]); Spark or any other
engine can call process_shard on its own partitions. The files a run writes (out/):

    kg-run.json             kg's version, the graph format, the extraction time of every graph
    shards/NAME.jsonl       the shard's records, as `kg extract --format jsonl` writes them
    shards/NAME.nq          its articles' graphs, as `kg extract --format nq` (and kg ingest) writes them
    shards/NAME.tables.json what the corpus-wide steps need: articles and content hashes, the entities
                            seen with their names and counts, the surnames, the claims (read_claims.rq rows)
    shards/NAME.done        written last: the shard is whole (its summary, and a digest of what it read)
    corpus/                 the reduce: shards.txt (the shards it read), manifest.tsv (id, content hash,
                            where it was read), renames.tsv (a bare surname -> its person), excluded.tsv
                            (graphs a later shard read again), agents.nq, groups.nq
"""
from kg.pipeline.load import LoadSummary, load_run
from kg.pipeline.reduce import ReduceSummary, reduce_shards
from kg.pipeline.shard import RunInfo, ShardSummary, article_quads, plan_shards, process_shard

__all__ = ["plan_shards", "process_shard", "article_quads", "ShardSummary", "RunInfo", "reduce_shards", "ReduceSummary",
           "load_run", "LoadSummary"]
