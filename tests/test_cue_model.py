"""The learned attribution model: the shipped weights on sentences written here, the one-line
error when its file is missing or broken, and the training code on a tiny synthetic dataset."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

from kg.extract import extract, model

sys.path.insert(0, str(ROOT / "bench"))


def run_kg(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_shipped_model_loads_once():
    assert model.load() is model.load()
    assert 0 < model.load().threshold < 1
    assert model.MODEL_PATH.with_suffix(".md").exists()  # the data card beside it


@pytest.mark.parametrize("text, source", [
    ("The minister said on Monday that the bridge would reopen.", "The minister"),
    ("According to the agency, prices rose sharply in March.", "the agency"),
    ("“We will not give up,” the mayor told reporters.", "the mayor"),
    ("Officials believe the attack was planned for months.", "Officials"),
])
def test_model_keeps_attributions(text, source):
    records = extract(text)
    assert [r.source.mention.text for r in records if r.source] == [source]


@pytest.mark.parametrize("text", [
    "The bridge reopened on Monday after two years of repairs.",
    "She walked to the station and took the last train home.",
])
def test_model_finds_nothing_in_plain_narration(text):
    assert extract(text) == []


@pytest.mark.parametrize("content, what", [
    (None, "missing"),
    ("{not json", "unreadable"),
    ('{"format": "kg-cue-model/1", "threshold": 0.5}', "not a valid attribution model"),
    ('{"format": "other/9", "threshold": 0.5, "weights": {}}', "not a valid attribution model"),
])
def test_missing_or_broken_model_is_one_error_line(tmp_path, content, what):
    path = tmp_path / "cue_model.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    text = tmp_path / "a.txt"
    text.write_text("The minister said that the bridge would reopen.\n", encoding="utf-8")
    result = run_kg("extract", str(text), env={"KG_CUE_MODEL": str(path), "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"kg: error: {path}: ") and what in lines[0] and "make train" in lines[0]


def test_probability_is_a_logistic_sum():
    m = model.from_dict({"format": model.FORMAT, "threshold": 0.5, "weights": {"bias": -1.0, "lemma=say": 3.0},
                         "boundary": {"variant=rest": 2.0, "content_log_len": -0.5}})
    assert m.probability({"bias": 1.0}) == pytest.approx(1 / (1 + 2.718281828 ** 1))
    assert m.keeps({"bias": 1.0, "lemma=say": 1.0}) and not m.keeps({"bias": 1.0, "lemma=walk": 1.0})
    assert m.boundary_score({"variant=rest": 1.0, "content_log_len": 2.0}) == pytest.approx(1.0)


def test_training_is_deterministic_on_a_tiny_dataset():
    train = pytest.importorskip("train_cue_model")
    # two documents; each cue has its rules' variant and a wider one, and only "say"/"tell" are cues
    data = train.Data()
    for doc in range(2):
        for n, (word, p, wide_is_right) in enumerate([("say", 0.9, False), ("walk", 0.01, False),
                                                      ("tell", 0.8, True), ("eat", 0.02, False)] * 5):
            cue = word in ("say", "tell")
            for variant in ("rule", "rest"):
                right = cue and (variant == "rest") == wide_is_right
                data.X.append({"bias": 1.0, f"lemma={word}": 1.0, "lex_precision": p, f"variant={variant}": 1.0,
                               f"variant_lemma={variant}|{word}": 1.0})
                data.paired.append(int(right))
                data.matches.append(int(right))
                data.cues.append((doc, n))
        data.n_gold += 10
    docs = {0, 1}
    first = train.exported(*train.fit_both(data, docs, 1.0, 1.0), threshold=0.5, C=1.0, C_boundary=1.0)
    again = train.exported(*train.fit_both(data, docs, 1.0, 1.0), threshold=0.5, C=1.0, C_boundary=1.0)
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    learned = model.from_dict(first)
    say_rule, say_rest, walk_rule, _, tell_rule, tell_rest = data.X[:6]
    assert learned.keeps(say_rule) and not learned.keeps(walk_rule)
    assert learned.boundary_score(say_rule) > learned.boundary_score(say_rest)
    assert learned.boundary_score(tell_rest) > learned.boundary_score(tell_rule)
    threshold, f1 = train.best_threshold([(0.9, 1), (0.2, 0), (0.8, 1), (0.1, 0)], n_gold=2)
    assert f1 == 1.0 and 0.2 < threshold <= 0.8
