"""`--jobs N` worker processes die with their parent, and errors reach it (issue 14, FAULTS.md F1).

Real subprocesses: `kg ingest --jobs 2` on enough text to be busy, then killed (SIGTERM, SIGKILL),
interrupted (SIGINT to the process group, as Ctrl-C does), with a worker killed (as the OOM killer
would), or with an exception in extraction. Each run carries a tag in its environment, which its
workers inherit, so that any process it leaves behind is found (and killed, so that a failing test
leaves nothing running)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import ROOT, SEED_000, SEED_003

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists() or sys.platform != "linux",
                                reason="finds processes through /proc")

WAIT = 120  # seconds: the longest any step may take on a busy machine before the test fails


def corpus(path: Path, n: int = 120) -> Path:
    """n articles (the seeds, each made unique): a minute of parsing, more than any test waits."""
    texts = [SEED_000.read_text(encoding="utf-8"), SEED_003.read_text(encoding="utf-8")]
    path.write_text("".join(json.dumps({"id": f"n{i}", "text": f"The spokesman said on Monday that item {i} "
                                        f"was fine.\n\n{texts[i % 2]}"}) + "\n" for i in range(n)),
                    encoding="utf-8")
    return path


def tagged(tag: str) -> list[int]:
    """The live processes whose environment carries the tag: a run and every process it forked."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f"KG_TEST_TAG={tag}".encode() in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:  # gone, or a zombie: holds nothing
                pass
    return found


class Run:
    """`python -m kg ARGS` started in a session of its own (signals reach only what the test sends
    them to), tagged; on exit, whatever of it is still alive is killed."""

    def __init__(self, *args, wrapper: str | None = None, env: dict | None = None):
        self.tag = uuid.uuid4().hex
        env = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT), "KG_TEST_TAG": self.tag}
        command = [sys.executable, "-c", wrapper, *map(str, args)] if wrapper else \
            [sys.executable, "-m", "kg", *map(str, args)]
        # SIGINT as a terminal's foreground job has it: a shell starts a background job (this test
        # suite run with `&`) with SIGINT ignored, which its children would inherit.
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True, encoding="utf-8", start_new_session=True,
                                        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for pid in tagged(self.tag):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()

    def workers(self) -> list[int]:
        return [pid for pid in tagged(self.tag) if pid != self.process.pid]

    def wait_for_workers(self, n: int = 2) -> list[int]:
        """The workers, once n of them run; then a moment for them to be in the middle of a batch."""
        deadline = time.monotonic() + WAIT
        while len(self.workers()) < n:
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline, "no workers started"
            time.sleep(0.1)
        time.sleep(1)
        return self.workers()

    def finish(self) -> tuple[int, str]:
        """The exit status and stderr; a run that hangs fails the test here."""
        self.process.wait(WAIT)
        _, stderr = self.process.communicate(timeout=WAIT)  # workers left alive would hold stderr open
        return self.process.returncode, stderr

    def leftovers(self, seconds: float = 10) -> list[int]:
        """What of the run is still alive after up to `seconds` (the kernel kills orphans at once,
        but a busy machine may take a moment to tear down a large parent)."""
        deadline = time.monotonic() + seconds
        while (alive := tagged(self.tag)) and time.monotonic() < deadline:
            time.sleep(0.05)
        return alive


def kg(*args) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=ROOT, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=WAIT)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_ingest_leaves_no_worker_and_the_store_can_be_opened(tmp_path, sig):
    store = tmp_path / "store"
    with Run("ingest", "--store", store, "--jobs", "2", corpus(tmp_path / "c.jsonl")) as run:
        assert len(run.wait_for_workers()) == 2
        run.process.send_signal(sig)  # the parent alone, as kill, timeout and docker stop do
        assert run.process.wait(WAIT) in (-sig, 128 + sig)
        assert run.leftovers() == []
    again = kg("ingest", "--store", store, SEED_003)
    assert again.returncode == 0, again.stderr
    assert "in use" not in again.stderr


def test_ctrl_c_stops_the_workers_without_a_traceback(tmp_path):
    with Run("ingest", "--store", tmp_path / "store", "--jobs", "2", corpus(tmp_path / "c.jsonl")) as run:
        run.wait_for_workers()
        os.killpg(run.process.pid, signal.SIGINT)  # what a terminal sends: the whole process group
        code, stderr = run.finish()
        assert code in (1, 130) and "Traceback" not in stderr, stderr
        assert run.leftovers() == []
    assert kg("ingest", "--store", tmp_path / "store", SEED_003).returncode == 0


def test_a_worker_killed_is_one_error_line_and_the_other_worker_stops(tmp_path):
    with Run("extract", "--jobs", "2", "--format", "jsonl", corpus(tmp_path / "c.jsonl")) as run:
        first, _ = run.wait_for_workers()
        os.kill(first, signal.SIGKILL)  # as the OOM killer would
        code, stderr = run.finish()
        assert (code, stderr.splitlines()) == (1, ["kg: error: a parsing process died (killed by signal 9; "
                                                   "out of memory?)"])
        assert run.leftovers() == []


# The real CLI, with one function replaced to fail the way a bug would.
FAIL_IN_EXTRACTION = """
import sys
import kg.extract
module = sys.modules["kg.extract"]
real, seen = module.attributions_in, []
def failing(doc, article):
    seen.append(article.id)
    if len(seen) == 20:
        raise RuntimeError("planted failure in extraction")
    return real(doc, article)
module.attributions_in = failing
from kg.cli import main
main(sys.argv[1:], prog_name="kg")
"""

FAIL_IN_WORKER = """
import sys
from spacy.language import Language
from kg.extract import nlp
@Language.component("planted_failure")
def planted_failure(doc):
    if "item 20 " in doc.text:
        raise ValueError("planted failure in a worker")
    return doc
nlp.load().add_pipe("planted_failure", last=True)  # a step of the parse: only workers run it
from kg.cli import main
main(sys.argv[1:], prog_name="kg")
"""


@pytest.mark.parametrize("wrapper, message", [(FAIL_IN_EXTRACTION, "RuntimeError: planted failure in extraction"),
                                              (FAIL_IN_WORKER, "ValueError: planted failure in a worker")])
def test_an_error_with_jobs_reaches_the_parent_and_the_workers_stop(tmp_path, wrapper, message):
    store = tmp_path / "store"
    with Run("ingest", "--store", store, "--jobs", "2", corpus(tmp_path / "c.jsonl"), wrapper=wrapper) as run:
        code, stderr = run.finish()  # it hung here, the workers alive, before
        assert code == 1 and message in stderr, stderr
        assert run.leftovers() == []
    again = kg("ingest", "--store", store, SEED_003)
    assert again.returncode == 0, again.stderr


def test_jobs_give_the_same_documents_in_the_same_order(tmp_path):
    from conftest import cli

    lines = [json.dumps({"id": f"s{i}", "text": f"The minister said on day {i} that bridge {i} would reopen. "
                         f"Officials told reporters the road was {'open' if i % 3 else 'closed'}."})
             for i in range(50)]  # four batches of 16: both workers, each more than once
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    one, two = (cli("extract", "--format", "jsonl", "--jobs", jobs, tmp_path / "c.jsonl") for jobs in (1, 2))
    assert (one.exit_code, two.exit_code) == (0, 0)
    assert [json.loads(line)["doc_id"] for line in two.stdout.splitlines()] == [f"s{i}" for i in range(50)]
    assert two.stdout == one.stdout


# --- kill -9 at five points of an ingest of 40 articles with --jobs 2 ----------------------------------

# The real CLI, with the store's write (or the step named by KG_KILL_AT) replaced by one that kills the
# process, parent alone, at that point: before any write, in the middle of the first write (from a
# thread, while RocksDB applies it), after the first write, after the last write and before the
# bare surnames join their people, and while the claim groups are written.
KILLED_AT = """
import os, signal, sys, threading, time
from kg import ingest
from kg.store.local import LocalStore
point, calls = os.environ["KG_KILL_AT"], []
def kill():
    os.kill(os.getpid(), signal.SIGKILL)
real_replace, real_text = LocalStore.replace_graphs, LocalStore._replace_text
def replace_graphs(self, graphs, merge=None, relabel=None):
    calls.append(1)
    if point == "before the first write" or point == "in the regroup" and ingest.GROUPS in graphs:
        kill()
    real_replace(self, graphs, merge, relabel)
    if point == "after the first write":
        kill()
def replace_text(*args, **kwargs):
    if point == "in the first write" and len(calls) == 1:
        threading.Thread(target=lambda: (time.sleep(0.002), kill())).start()
    return real_text(*args, **kwargs)
def merge_agents(*args):
    kill()
LocalStore.replace_graphs, LocalStore._replace_text = replace_graphs, staticmethod(replace_text)
if point == "before the surname merge":
    ingest._merge_agents = merge_agents
from kg.cli import main
main(sys.argv[1:], prog_name="kg")
"""
KILL_POINTS = ["before the first write", "in the first write", "after the first write", "before the surname merge",
               "in the regroup"]
PEOPLE = ["Jane Savett", "John Kirby", "Anna Melnyk", "Peter Novak", "Maria Lopez"]


def small_corpus(path: Path, n: int = 40) -> Path:
    """n short articles: people who say the same things in different words (claim groups), and every
    fifth article naming a person by the surname alone (a merge once the batch is read)."""
    lines = []
    for i in range(n):
        name = PEOPLE[i % len(PEOPLE)]
        who = name.split()[-1] if i % 5 == 0 and i >= len(PEOPLE) else name
        lines.append(json.dumps({"id": f"k{i:02}", "publisher": "Reuters", "text":
                                 f"{who} said on Monday that the bridge over the Dnipro would reopen in "
                                 f"{['May', 'June'][i % 2]}. Officials told reporters that {100 + i % 3} soldiers "
                                 f"had been seen near Kursk, according to {PEOPLE[(i + 1) % len(PEOPLE)]}."}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def export(store: Path) -> dict[str, list[str]]:
    """The store's quads by graph, sorted, with the times of the runs (prov:startedAtTime) left out."""
    result = kg("export", "--format", "nq", "-o", "-", "--store", store)
    assert result.returncode == 0, result.stderr
    graphs: dict[str, list[str]] = {}
    for line in sorted(result.stdout.splitlines()):
        if "startedAtTime" not in line:
            graphs.setdefault(line.rsplit(" ", 2)[-2], []).append(line)
    return graphs


@pytest.fixture(scope="module")
def clean_ingest(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kill")
    texts = small_corpus(folder / "c.jsonl")
    result = kg("ingest", "--store", folder / "clean", "--jobs", "2", texts)
    assert result.returncode == 0, result.stderr
    assert "40 articles, 0 unchanged" in result.stderr and "claims in" in result.stderr, result.stderr
    return texts, export(folder / "clean")


@pytest.mark.parametrize("point", KILL_POINTS)
def test_kill_9_at_each_point_of_an_ingest_leaves_whole_articles_and_a_rerun_converges(tmp_path, clean_ingest,
                                                                                       point):
    texts, clean = clean_ingest
    article_graphs = {g for g in clean if "/article/" in g}
    assert len(article_graphs) == 40
    store = tmp_path / "store"
    with Run("ingest", "--store", store, "--jobs", "2", texts, wrapper=KILLED_AT, env={"KG_KILL_AT": point}) as run:
        code, stderr = run.finish()
        assert code == -signal.SIGKILL, stderr
        assert run.leftovers() == []
    after = export(store) if (store / "kg-store.json").exists() else {}
    present = {g for g in after if "/article/" in g}
    expected = {"before the first write": 0, "after the first write": 16, "before the surname merge": 40,
                "in the regroup": 40}
    if point in expected:
        assert len(present) == expected[point]
    for g in present:  # whole: each article graph as large as in the clean store, with its document id
        assert len(after[g]) == len(clean[g]) and any("documentId" in q for q in after[g]), g
    rerun = kg("ingest", "--store", store, "--jobs", "2", texts)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{40 - len(present)} articles, {len(present)} unchanged" in rerun.stderr, rerun.stderr
    assert export(store) == clean  # the articles, the agents and the claim groups
