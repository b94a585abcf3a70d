"""The command line, end to end: in-process through Click's CliRunner (the spaCy model is
loaded once per test session) and in real subprocesses (`python -m kg`, and an installed wheel)."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEED_003, SEED_IDS, SEEDS
from conftest import cli as run

import kg
from kg import evaluate
from kg.cli import main

GOLD = Path(__file__).resolve().parent / "data" / "cli" / "gold.jsonl"
GOLD_IDS = ["bridge", "storm"]
GOOD_LINE = "The minister said on Monday that the bridge would reopen."
SUMMARY = re.compile(r"^(\d+) articles?, (\d+) attributions?, (\d+) failed, \d+\.\d s$")


def run_process(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m kg ARGS` in a fresh interpreter, the repository on PYTHONPATH."""
    env = env or {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def stderr_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def zelensky_on_telegram(document: dict) -> bool:
    return any(a["source"] and "Zelensky" in a["source"]["name"] and a["channel"] == "Telegram"
               for a in document["attributions"])


def check_seed_documents(documents: list[dict]) -> None:
    assert [d["doc_id"] for d in documents] == SEED_IDS
    for d in documents:
        assert set(d) == {"doc_id", "path", "publisher", "author", "title", "published", "attributions"}
        assert d["attributions"], d["doc_id"]
        for a in d["attributions"]:
            assert a["id"].startswith(d["doc_id"] + "#")
            assert {"source", "cue", "content", "kind", "certainty", "polarity", "channel"} <= set(a)
    seed_003 = documents[SEED_IDS.index(SEED_003.stem)]
    assert seed_003["publisher"] == "Newsweek"
    assert zelensky_on_telegram(seed_003)


# --- kg extract, in-process ------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_runs():
    """`kg extract seeds/` in each format, run once for the module."""
    return {fmt: run("extract", SEEDS, "--format", fmt) for fmt in ("jsonl", "json", "table")}


def test_extract_jsonl(seed_runs):
    result = seed_runs["jsonl"]
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(SEED_IDS)
    check_seed_documents([json.loads(line) for line in lines])


def test_extract_json_is_one_array_of_the_same_documents(seed_runs):
    result = seed_runs["json"]
    assert result.exit_code == 0, result.stderr
    documents = json.loads(result.stdout)
    check_seed_documents(documents)
    assert documents == [json.loads(line) for line in seed_runs["jsonl"].stdout.splitlines()]


def test_extract_table(seed_runs):
    result = seed_runs["table"]
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for doc_id in SEED_IDS:
        assert doc_id in out
    assert "Newsweek" in out
    assert "Zelensky" in out and "via Telegram" in out
    assert "\x1b[" not in out  # no colours when not writing to a terminal
    n_records = sum(len(json.loads(line)["attributions"]) for line in seed_runs["jsonl"].stdout.splitlines())
    record_lines = [line for line in out.splitlines() if re.match(r"  a\d+ ", line)]
    assert len(record_lines) == n_records


def test_extract_summary_on_stderr(seed_runs):
    documents = [json.loads(line) for line in seed_runs["jsonl"].stdout.splitlines()]
    for result in seed_runs.values():
        (summary,) = stderr_lines(result.stderr)
        n_articles, n_records, failed = map(int, SUMMARY.match(summary).groups())
        assert (n_articles, n_records, failed) == (len(documents), sum(len(d["attributions"]) for d in documents), 0)


def test_extract_default_format_is_jsonl_when_not_a_terminal(seed_runs, tmp_path):
    assert run("extract", SEEDS).stdout == seed_runs["jsonl"].stdout
    out = tmp_path / "pred.jsonl"
    result = run("extract", SEEDS, "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8") == seed_runs["jsonl"].stdout


def test_extract_jobs(seed_runs):
    result = run("extract", SEEDS, "--format", "jsonl", "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == seed_runs["jsonl"].stdout


@pytest.fixture
def bad_batch(tmp_path) -> tuple[list[Path], Path]:
    """A missing path, an empty file, a JSONL with a malformed line 2, and a good file."""
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"id": "line1", "text": GOOD_LINE}) + "\n{not json\n", encoding="utf-8")
    good = tmp_path / SEED_003.name
    shutil.copy(SEED_003, good)
    return [tmp_path / "missing.txt", empty, corpus, good], tmp_path


def check_bad_batch(exit_code: int, stdout: str, stderr: str, tmp_path: Path) -> None:
    assert exit_code == 1
    assert "Traceback" not in stderr
    *errors, summary = stderr_lines(stderr)
    assert errors == [
        f"kg: error: {tmp_path / 'missing.txt'}: no such file or directory",
        f"kg: error: {tmp_path / 'empty.txt'}: empty file",
        f"kg: error: {tmp_path / 'corpus.jsonl'}:2: invalid JSON: "
        "Expecting property name enclosed in double quotes at column 2",
    ]
    assert SUMMARY.match(summary).group(1, 3) == ("2", "3")
    documents = [json.loads(line) for line in stdout.splitlines()]
    assert [d["doc_id"] for d in documents] == ["line1", SEED_003.stem]
    assert zelensky_on_telegram(documents[1])


def test_extract_bad_input_is_reported_and_the_batch_goes_on(bad_batch):
    paths, tmp_path = bad_batch
    result = run("extract", *paths, "--format", "jsonl")
    check_bad_batch(result.exit_code, result.stdout, result.stderr, tmp_path)


def test_extract_unwritable_output(tmp_path):
    result = run("extract", SEED_003, "-o", tmp_path / "no" / "such" / "dir.jsonl")
    assert result.exit_code == 1
    assert stderr_lines(result.stderr) == [f"kg: error: {tmp_path / 'no/such/dir.jsonl'}: "
                                           "cannot write: no such file or directory"]


def test_extract_missing_model_is_one_line(monkeypatch):
    from kg.extract import nlp

    def missing(name=None):
        raise nlp.ModelError("spaCy pipeline 'nope' is not installed")

    monkeypatch.setattr(nlp, "load", missing)
    result = run("extract", SEED_003)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert stderr_lines(result.stderr) == ["kg: error: spaCy pipeline 'nope' is not installed"]


def test_extract_needs_a_path():
    result = run("extract")
    assert result.exit_code == 2
    assert "Missing argument 'PATH...'" in result.stderr


# --- kg eval, in-process -----------------------------------------------------------------


@pytest.fixture(scope="module")
def gold_json_run(tmp_path_factory):
    pred = tmp_path_factory.mktemp("eval") / "pred.jsonl"
    return run("eval", GOLD, "--json", "-o", pred), pred


def test_eval_report():
    result = run("eval", GOLD, "--bootstrap", "20")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Relations (content Jaccard >= 0.5): 3 gold, ")
    for label in ("content+source *", "content+source+cue", "strict", "Errors (content+source)", "Components",
                  "95% CI of F1"):
        assert label in result.stdout
    assert re.match(r"^2 articles, \d+ attributions?, \d+\.\d s$", stderr_lines(result.stderr)[-1])


def test_eval_json(gold_json_run):
    result, _ = gold_json_run
    assert result.exit_code == 0, result.stderr
    scores = json.loads(result.stdout)
    assert set(scores) == {"component", "relation", "jaccard_threshold", "errors"}
    assert list(scores["errors"]) == ["wrong_source", "wrong_boundary", "missed_direct", "missed_indirect", "spurious"]
    assert set(scores["component"]) == {"source", "cue", "content"}
    assert {"content", "content_source", "content_source_cue", "strict", "n_gold", "n_pred"} <= set(scores["relation"])
    assert scores["relation"]["n_gold"] == 3
    assert set(scores["relation"]["content_source"]) == {"P", "R", "F1"}


def test_eval_writes_predictions_that_score_the_same(gold_json_run):
    result, pred = gold_json_run
    documents = [json.loads(line) for line in pred.read_text(encoding="utf-8").splitlines()]
    assert [d["doc_id"] for d in documents] == GOLD_IDS
    gold = evaluate.load_gold(GOLD)
    # offsets point into the gold text, untouched
    for doc, document in zip(gold, documents):
        for a in document["attributions"]:
            assert doc["text"][a["content"]["start"]:a["content"]["end"]] == a["content"]["text"]
    assert evaluate.score(gold, evaluate.load_predictions(pred)) == json.loads(result.stdout)


def test_eval_options():
    result = run("eval", GOLD, "--json", "--threshold", "0.9")
    assert json.loads(result.stdout)["jaccard_threshold"] == 0.9
    assert run("eval", GOLD, "--threshold", "2").exit_code == 2


def test_eval_examples_option():
    errors = json.loads(run("eval", GOLD, "--json", "--examples", "0").stdout)["errors"]
    assert all(found["examples"] == [] for found in errors.values())
    report = run("eval", GOLD, "--examples", "0").stdout
    section = report[report.index("Errors (content+source)"):report.index("Components")]
    assert len(section.splitlines()) == 7  # header, five classes, blank line: no examples
    result = run("eval", GOLD, "--examples", "-1")
    assert result.exit_code == 2 and "--examples" in result.stderr


@pytest.mark.parametrize("content, message", [
    ('{"doc_id": "a", "text": "abc", "attributions": []}\n{oops\n', ":2: invalid JSON: "),
    ('{"doc_id": "a", "text": "abc", "attributions": [{"cue": {"start": 0, "end": 9}}]}\n',
     ":1: attribution 1: cue: span [0, 9] is outside the text (length 3)"),
    ('{"doc_id": "a", "attributions": []}\n', ":1: needs string fields doc_id and text"),
])
def test_eval_bad_gold_is_one_line(tmp_path, content, message):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(content, encoding="utf-8")
    result = run("eval", gold)
    assert result.exit_code == 1
    (line,) = stderr_lines(result.stderr)
    assert line.startswith(f"kg: error: {gold}{message}")


def test_eval_missing_gold(tmp_path):
    result = run("eval", tmp_path / "gold.jsonl")
    assert result.exit_code == 1
    assert stderr_lines(result.stderr) == [f"kg: error: {tmp_path / 'gold.jsonl'}: no such file or directory"]


# --- help and version ---------------------------------------------------------------------


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"kg {kg.__version__}\n"


@pytest.mark.parametrize("command", sorted(main.commands))
def test_command_help_has_examples(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert f"kg {command} " in result.stdout


# --- real processes -------------------------------------------------------------------------


def test_process_help_and_version():
    result = run_process("--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: python -m kg" in result.stdout
    assert "extract" in result.stdout and "eval" in result.stdout
    assert run_process("--version").stdout == f"kg {kg.__version__}\n"


def test_process_extract_piped_writes_jsonl():
    result = run_process("extract", "seeds/")
    assert result.returncode == 0, result.stderr
    check_seed_documents([json.loads(line) for line in result.stdout.splitlines()])
    assert SUMMARY.match(stderr_lines(result.stderr)[-1])


def test_process_bad_input(bad_batch):
    paths, tmp_path = bad_batch
    result = run_process("extract", *paths)
    check_bad_batch(result.returncode, result.stdout, result.stderr, tmp_path)


def test_installed_wheel_runs_from_elsewhere(tmp_path):
    """Build a wheel, install it with --target, and run it outside the repository:
    the package data (the cue lexicon, the entity register) must be in the wheel."""
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode:
        pytest.skip("pip is not available")
    source = tmp_path / "source"  # a copy, so that the build leaves nothing in the repository
    shutil.copytree(ROOT / "kg", source / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check"]
    built = subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp_path / "wheel", source],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheel").glob("kg-*.whl")
    installed = subprocess.run([*pip, "install", "--no-deps", "--target", tmp_path / "site", wheel],
                               capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    assert (tmp_path / "site" / "kg" / "extract" / "cue_lexicon.tsv").is_file()
    assert (tmp_path / "site" / "kg" / "ontology" / "entities.ttl").is_file()

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tmp_path / "site")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_process("extract", SEED_003, "--format", "jsonl", cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    (document,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert document["doc_id"] == SEED_003.stem and zelensky_on_telegram(document)
    # the installed copy ran, not the repository
    assert list((tmp_path / "site" / "kg" / "cli" / "__pycache__").glob("__init__.*.pyc"))
    # and its entity register loads from the package
    loaded = subprocess.run([sys.executable, "-c", "from kg.resolve import register; r = register.load(); "
                             "print(register.DEFAULT_PATH.parent.parent, r.lookup('Twitter').label)"],
                            cwd=elsewhere, env=env, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split() == [str(tmp_path / "site" / "kg"), "X"]


# --- kg entities, and entities in kg extract ---------------------------------------------


def test_extract_records_carry_their_entity(seed_runs):
    documents = [json.loads(line) for line in seed_runs["jsonl"].stdout.splitlines()]
    zelensky = {a["source"]["entity"] for d in documents for a in d["attributions"]
                if a["source"] and "Zelensk" in a["source"]["name"]}
    assert zelensky == {"https://w3id.org/kg-attribution/entity/person/volodymyr-zelensky"}


def test_entities_json_and_type_filter():
    result = run("entities", SEEDS, "--format", "json", "--type", "Person")
    assert result.exit_code == 0, result.stderr
    people = {e["label"]: e for e in json.loads(result.stdout)}
    assert {"Volodymyr Zelenskyy", "Sean Savett", "John Kirby", "Ruben Brekelmans"} <= set(people)
    assert all(e["type"] == "Person" for e in people.values())
    assert {"Zelensky", "The President of Ukraine"} <= set(people["Volodymyr Zelenskyy"]["names"])


def test_entities_table_csv_and_explain():
    table = run("entities", SEEDS)
    assert table.exit_code == 0 and "The Times  (NewsOutlet)" in table.stdout
    rows = run("entities", SEEDS, "--format", "csv").stdout.splitlines()
    assert rows[0] == "label,type,attributions,names,iri" and len(rows) > 20
    explained = run("entities", SEEDS, "--explain", "Zelensky").stdout
    assert "Volodymyr Zelenskyy (Person" in explained and "spelling folded" in explained


def test_a_bad_entities_file_is_one_line_and_nothing_runs(tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text('@prefix kg: <https://w3id.org/kg-attribution/ontology#> .\n'
                    '@prefix kge: <https://w3id.org/kg-attribution/entity/> .\n'
                    '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                    '@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
                    'kge:copycat a kg:NewsOutlet ; rdfs:label "Copycat"@en ; skos:altLabel "Reuters"@en .\n',
                    encoding="utf-8")
    store = tmp_path / "store"
    for command in (["extract"], ["entities"], ["ingest", "--store", store]):
        result = run(*command, SEEDS, "--entities", mine)
        assert result.exit_code == 1 and result.stdout == ""
        assert stderr_lines(result.stderr) == [f"kg: error: {mine}: the name 'Reuters' is given to two entities: "
                                               "kge:reuters and kge:copycat"]
    assert not store.exists()  # ingest read the register before it opened (and so created) a store


def test_a_users_entities_file_is_used(tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text('@prefix kg: <https://w3id.org/kg-attribution/ontology#> .\n'
                    '@prefix kge: <https://w3id.org/kg-attribution/entity/> .\n'
                    '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                    'kge:brigade-example a kg:GovernmentBody ; rdfs:label "Air Assault Brigade (example)"@en ;\n'
                    '    <http://www.w3.org/2004/02/skos/core#altLabel> "a Ukrainian air assault brigade operating in the area"@en .\n',
                    encoding="utf-8")
    result = run("entities", SEEDS, "--entities", mine, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "Air Assault Brigade (example)" in {e["label"] for e in json.loads(result.stdout)}
