"""kg run, kg load and kg extract --format nq: the corpus in shards on Dask, the corpus-wide steps as a
reduce, and a bulk load that gives the store kg ingest gives. The Dask tests use a LocalCluster of two
workers as threads of the test process (the models are loaded already), and one run of two worker
processes as a user starts it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS, cli, kg

pytest.importorskip("distributed", reason="kg run needs the extra kg[dask] (requirements-dask.lock)")

# Full names in some articles, the bare surname in others (a later shard): the corpus-wide merge
# must join them wherever they fall; one speaker is known by surname only.
PEOPLE = [("Margaret", "Okonkwo"), ("Daniel", "Brevik"), ("Sofia", "Lindqvist")]


def corpus(folder) -> str:
    docs = []
    for i, (first, last) in enumerate(PEOPLE):
        docs += [
            {"id": f"bare-{i}", "publisher": "Reuters",
             "text": f"{last} said the harbour bridge {i} would reopen after repairs to its deck. "
                     f"Officials said the work would cost $40 million."},
            {"id": f"full-{i}", "publisher": "Newsweek",
             "text": f"Senator {first} {last} said on Monday that the harbour bridge {i} would reopen after "
                     f"repairs. \"We are ready,\" {last} told reporters."},
        ]
    docs.append({"id": "alone", "text": "Mr. Castellano claimed that the ferry would stop running in May."})
    path = folder / "corpus.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return str(path)


@pytest.fixture
def fixed_time(monkeypatch):
    """Every graph's extraction time fixed (SOURCE_DATE_EPOCH): kg ingest's and the run's compare."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def run(*args, ok: bool = True):
    return kg("run", *args, "--threads", ok=ok)


def quads(location, folder) -> list[str]:
    out = folder / f"export-{abs(hash(location))}.nq"
    kg("export", "--format", "nq", "-o", out, "--store", location)
    return sorted(set(out.read_text(encoding="utf-8").splitlines()))


def shard_files(out, suffix: str) -> list[str]:
    return sorted((out / "shards").glob(f"*.{suffix}"))


def test_the_shards_hold_what_kg_extract_writes_in_any_partition(tmp_path, fixed_time):
    inputs = [corpus(tmp_path), SEEDS]
    for fmt in ("jsonl", "nq"):
        kg("extract", *inputs, "--format", fmt, "-o", tmp_path / f"all.{fmt}")
    expected = {fmt: sorted((tmp_path / f"all.{fmt}").read_text(encoding="utf-8").splitlines())
                for fmt in ("jsonl", "nq")}
    for size in (1, 3, 100):
        out = tmp_path / f"run-{size}"
        run(*inputs, "--out", out, "--partition", size)
        assert len(shard_files(out, "done")) == {1: 9, 3: 3, 100: 1}[size]
        for fmt in ("jsonl", "nq"):
            # any order of the shards: each line is one article's record or one quad
            lines = [line for f in reversed(shard_files(out, fmt)) for line in f.read_text("utf-8").splitlines()]
            assert sorted(lines) == expected[fmt], (size, fmt)


def test_a_shard_is_the_same_bytes_when_done_again(tmp_path, fixed_time):
    from kg.documents import plan
    from kg.pipeline import process_shard

    parts = list(plan([corpus(tmp_path)], 100))
    process_shard(parts, str(tmp_path / "a"), name="s")
    process_shard(parts, str(tmp_path / "b"), name="s")
    for suffix in ("jsonl", "nq", "tables.json", "done"):
        first = (tmp_path / "a" / "shards" / f"s.{suffix}").read_bytes()
        assert first and first == (tmp_path / "b" / "shards" / f"s.{suffix}").read_bytes(), suffix


def test_kg_load_gives_the_store_kg_ingest_gives(tmp_path, fixed_time, store_location):
    inputs = [corpus(tmp_path), SEEDS]
    kg("ingest", *inputs, "--store", tmp_path / "ingested")
    out = tmp_path / "run"
    result = run(*inputs, "--out", out, "--partition", 2)
    assert "surnames joined their person" in result.stderr
    renames = (out / "corpus" / "renames.tsv").read_text(encoding="utf-8")
    assert "/okonkwo\thttps://w3id.org/kg-attribution/entity/person/margaret-okonkwo\n" in renames
    kg("load", out, "--store", store_location)
    expected = quads(str(tmp_path / "ingested"), tmp_path)
    assert any("claim-group" in q for q in expected) and any("#altLabel" in q for q in expected)
    assert quads(store_location, tmp_path) == expected


def test_a_load_cut_short_goes_on_where_it_stopped(tmp_path, fixed_time, monkeypatch):
    from kg.pipeline import load, load_run
    from kg.store import open_store

    inputs = [corpus(tmp_path), SEEDS]
    kg("ingest", *inputs, "--store", tmp_path / "ingested")
    out = tmp_path / "run"
    run(*inputs, "--out", out, "--partition", 3)

    def crash(name):
        raise KeyboardInterrupt  # as if killed after the first shard
    monkeypatch.setattr(load, "BATCH_BYTES", 1)  # a bulk load a shard: the record moves on with each
    store = open_store(str(tmp_path / "loaded"))
    with pytest.raises(KeyboardInterrupt):
        load_run(str(out), store, on_shard=crash)
    store.close()
    result = kg("load", out, "--store", tmp_path / "loaded")
    assert "2 shards loaded (1 before)" in result.stderr
    assert quads(str(tmp_path / "loaded"), tmp_path) == quads(str(tmp_path / "ingested"), tmp_path)
    # the run done again over other inputs: the store it began is no longer its own
    run(SEEDS, "--out", out, "--partition", 3)
    result = cli("load", out, "--store", tmp_path / "loaded")
    assert result.exit_code == 1 and "was loaded from this run before kg run changed it" in result.stderr


def test_kg_load_refuses_a_store_it_did_not_begin(tmp_path):
    out = tmp_path / "run"
    run(corpus(tmp_path), "--out", out)
    kg("ingest", SEEDS, "--store", tmp_path / "other")
    result = cli("load", out, "--store", tmp_path / "other")
    assert result.exit_code == 1
    assert result.stderr.startswith("kg: error: store ") and "not empty" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_kg_load_again_refuses_a_store_that_kg_ingest_wrote_to_since(tmp_path, fixed_time):
    out = tmp_path / "run"
    run(corpus(tmp_path), "--out", out)
    kg("load", out, "--store", tmp_path / "store")
    kg("ingest", SEEDS, "--store", tmp_path / "store")
    before = quads(str(tmp_path / "store"), tmp_path)
    result = cli("load", out, "--store", tmp_path / "store")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"kg: error: store {tmp_path / 'store'} holds the graph "
                                    "https://w3id.org/kg-attribution/article/")
    assert quads(str(tmp_path / "store"), tmp_path) == before  # the seeds' agents and groups kept


def test_a_damaged_shard_file_is_one_line_naming_its_line(tmp_path):
    out = tmp_path / "run"
    run(corpus(tmp_path), "--out", out, "--partition", 3)
    shard = out / "shards" / "000001.nq"
    lines = shard.read_text(encoding="utf-8").splitlines(keepends=True)
    shard.write_text("".join(lines[:4]) + lines[4][:30] + "\n" + "".join(lines[5:]), encoding="utf-8")
    result = cli("load", out, "--store", tmp_path / "store")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"kg: error: cannot load {shard}:5: ")


def test_bad_lines_are_reported_and_the_rest_of_the_shard_runs(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = {"id": "good", "text": "The minister said on Monday that the bridge would reopen."}
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({**good, "id": "later"}) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    result = run(path, tmp_path / "missing.txt", "--out", out, "--partition", 2, ok=False)
    assert result.exit_code == 1
    errors = sorted(line for line in result.stderr.splitlines() if line.startswith("kg: error:"))
    bad_line = f"kg: error: {path}:2: invalid JSON: Expecting property name enclosed in double quotes at column 2"
    assert errors == sorted([bad_line, f"kg: error: {tmp_path / 'missing.txt'}: no such file or directory"])
    ids = [json.loads(line)["doc_id"] for f in shard_files(out, "jsonl") for line in f.read_text("utf-8").splitlines()]
    assert ids == ["good", "later"]
    assert "Traceback" not in result.stderr


def test_a_shard_that_fails_leaves_its_files_as_they_were(tmp_path, monkeypatch):
    from kg.documents import plan
    from kg.pipeline import process_shard, shard

    parts = list(plan([corpus(tmp_path)], 100))
    out = tmp_path / "run"
    process_shard(parts, str(out), name="s")
    before = {f.name: f.read_bytes() for f in (out / "shards").iterdir()}
    calls = []

    def failing(*args, **kwargs):  # the third article's graph cannot be made: a crash midway
        calls.append(1)
        if len(calls) == 3:
            raise MemoryError("no memory left")
        return original(*args, **kwargs)
    original = shard.article_quads
    monkeypatch.setattr(shard, "article_quads", failing)
    with pytest.raises(MemoryError):
        process_shard(parts, str(out), name="s")
    after = {f.name: f.read_bytes() for f in (out / "shards").iterdir()}
    # no temporary file left, nothing half-written; only the marker is gone: the shard is to be redone
    assert after == {name: data for name, data in before.items() if name != "s.done"}


def test_a_run_again_skips_the_shards_done_and_redoes_a_changed_one(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.txt").write_text(f"The mayor said on Monday that bridge {name} would reopen.\n")
    out = tmp_path / "run"
    run(folder, "--out", out, "--partition", 1)
    (folder / "b.txt").write_text("The governor said the tunnel would close in May.\n")
    result = run(folder, "--out", out, "--partition", 1)
    assert result.stderr.splitlines()[-1].startswith("3 shards (2 done before, 0 failed), 3 articles")
    assert "tunnel" in (out / "shards" / "000001.jsonl").read_text(encoding="utf-8")
    # cut anew into one shard: the reduce reads that one only, not the three of before
    run(folder, "--out", out, "--partition", 3)
    assert (out / "corpus" / "shards.txt").read_text() == "000000\n"
    assert len((out / "corpus" / "manifest.tsv").read_text().splitlines()) == 3


def test_a_run_directory_of_another_kg_version_is_refused(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "kg-run.json").write_text(json.dumps({"when": "2024-01-01T00:00:00+00:00", "kg": "0.0.1",
                                                 "graph_format": "1", "shard_format": "1"}))
    for args in (("run", SEEDS, "--out", out, "--threads"), ("load", out, "--store", tmp_path / "store")):
        result = cli(*args)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"kg: error: {out} was written by kg 0.0.1 (graph format 1, shard format 1);"
                                        " this is kg ")
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").iterdir()) or \
        (tmp_path / "store" / "kg-store.json").exists()


def _kg_process(*args, env=None):
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def test_kg_run_on_two_worker_processes_and_one_killed_midway(tmp_path):
    """kill -9 of the worker writing a shard: the shard is done again, nothing half-written stays."""
    import psutil

    out = tmp_path / "run"
    process = subprocess.Popen([sys.executable, "-m", "kg", "run", corpus(tmp_path), SEEDS, "--out", out,
                                "--workers", "2", "--partition", "9"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    killed = None
    while killed is None and process.poll() is None:
        writing = {str(f) for f in (out / "shards").glob(".*")} if (out / "shards").is_dir() else set()
        for child in psutil.Process(process.pid).children(recursive=True):
            try:
                if writing & {f.path for f in child.open_files()}:
                    child.kill()
                    killed = child.pid
                    break
            except psutil.Error:
                continue
    _, stderr = process.communicate(timeout=300)
    assert killed is not None, "no shard was caught being written"
    assert process.returncode == 0, stderr
    assert stderr.splitlines()[-1].startswith("1 shard (0 done before, 0 failed), 9 articles")
    assert sorted(f.name for f in (out / "shards").iterdir()) == [f"000000.{suffix}" for suffix in
                                                                   ("done", "jsonl", "nq", "tables.json")]
    ids = [json.loads(line)["doc_id"] for line in (out / "shards" / "000000.jsonl").read_text("utf-8").splitlines()]
    assert len(ids) == 9 and (out / "corpus" / "groups.nq").stat().st_size > 0


def test_an_unreachable_scheduler_is_one_line(tmp_path):
    from conftest import free_port

    address = f"tcp://127.0.0.1:{free_port()}"
    done = _kg_process("run", SEEDS, "--out", tmp_path / "run", "--scheduler", address,
                       env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert done.returncode == 1
    assert done.stderr.startswith(f"kg: error: cannot reach the Dask scheduler {address}: ")
    assert len(done.stderr.splitlines()) == 1


def test_the_local_cluster_listens_on_the_loopback_only():
    import psutil

    from kg.pipeline.runner import connect

    client, cluster = connect(None, 2, processes=False)
    try:
        sockets = psutil.Process().net_connections("tcp")
        listening = {c.laddr.ip for c in sockets if c.status == psutil.CONN_LISTEN}
    finally:
        client.close()
        cluster.close()
    assert listening == {"127.0.0.1"}


def test_the_local_workers_run_without_profiler_nor_memory_trimming(monkeypatch):
    """Dask's defaults would profile every 10 ms and set MALLOC_TRIM_THRESHOLD_=65536 in the workers."""
    from kg.pipeline.runner import connect

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    client, cluster = connect(None, 1)
    try:
        found = client.run(lambda: (os.getpid(), os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                                    __import__("dask").config.get("distributed.worker.profile.enabled")))
    finally:
        client.close()
        cluster.close()
    [(pid, trim, profiled)] = found.values()
    assert pid != os.getpid() and trim is None and profiled is False
