"""Tests for kg.evaluate: hand-computed scores on a tiny made-up corpus, unit tests of
the pieces, and (when ../shared is there) agreement with the reference scorer."""
import copy
import importlib.util
import json
import warnings
from pathlib import Path

import pytest

from kg.evaluate import (
    TokenIndex, format_report, fragments, jaccard, load_gold, load_predictions,
    match_by_content, score, tokens_agree, trim,
)

DATA = Path(__file__).parent / "data" / "eval"
GOLD = DATA / "gold.jsonl"
PRED = DATA / "pred.jsonl"
# Not part of the project: present only next to a checkout that has the evaluation data.
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score_attributions.py"


@pytest.fixture(scope="module")
def gold():
    return load_gold(GOLD)


@pytest.fixture(scope="module")
def predictions():
    return load_predictions(PRED)


@pytest.fixture(scope="module")
def reference():
    if not REFERENCE.exists():
        pytest.skip("reference scorer not available (../shared/eval)")
    spec = importlib.util.spec_from_file_location("reference_scorer", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():  # its docstring has an invalid escape ("\\w"): not ours to fix
        warnings.simplefilter("ignore", (DeprecationWarning, SyntaxWarning))
        spec.loader.exec_module(module)
    return module


# ------------------------------------------------- hand-computed, on tests/data/eval
# 6 gold attributions in 4 documents; 7 predictions in 3 (d4 missing, one unknown doc).
# Content matches: d1 a1 (strict hit), d1 a2 (wrong source), d2 (half of a split quote,
# Jaccard 0.5), d3 a1 (both sources null), d3 a2 (prediction has no source).


def test_relation_scores_by_hand(gold, predictions):
    rel = score(gold, predictions)["relation"]
    assert (rel["n_gold"], rel["n_pred"]) == (6, 7)
    assert rel["content"] == {"P": 71.4, "R": 83.3, "F1": 76.9}  # 5 matches
    assert rel["content_source"] == {"P": 42.9, "R": 50.0, "F1": 46.2}  # 3 with source
    assert rel["content_source_cue"] == {"P": 42.9, "R": 50.0, "F1": 46.2}
    assert rel["strict"] == {"P": 14.3, "R": 16.7, "F1": 15.4}  # 1 exact
    assert rel["source_accuracy_on_content_matches"] == 60.0  # 3 of 5
    assert rel["recall_content_source_by_gold_type"] == {
        "direct": {"R": 50.0, "n": 2}, "indirect": {"R": 50.0, "n": 4}}


def test_component_scores_by_hand(gold, predictions):
    comp = score(gold, predictions)["component"]
    # sources: gold 5 distinct spans / 9 tokens; predicted 3 / 5 ("The minister" twice counts once)
    assert comp["source"] == {"exact": {"P": 66.7, "R": 40.0, "F1": 50.0},
                              "overlap": {"P": 60.0, "R": 33.3, "F1": 42.9},
                              "n_gold": 5, "n_pred": 3}
    assert comp["cue"]["exact"] == {"P": 100.0, "R": 83.3, "F1": 90.9}
    # content: exact after trimming the final period; tokens 22 shared, 29 predicted, 31 gold
    assert comp["content"]["exact"] == {"P": 28.6, "R": 33.3, "F1": 30.8}
    assert comp["content"]["overlap"] == {"P": 75.9, "R": 71.0, "F1": 73.3}


def test_threshold_changes_matches(gold, predictions):
    # at 0.75 only d1 a1, d1 a2 and d3 a1 still match
    result = score(gold, predictions, threshold=0.75)
    assert result["relation"]["content"]["R"] == 50.0
    assert result["jaccard_threshold"] == 0.75


def test_extra_prediction_keys_are_ignored(gold, predictions):
    bare = {doc: [{r: a.get(r) and {"start": a[r]["start"], "end": a[r]["end"]}
                   for r in ("source", "cue", "content")} for a in attrs]
            for doc, attrs in predictions.items()}
    assert score(gold, bare) == score(gold, predictions)


def test_no_predictions_scores_zero(gold):
    rel = score(gold, {})["relation"]
    assert rel["content"] == {"P": 0.0, "R": 0.0, "F1": 0.0}
    assert rel["n_pred"] == 0 and rel["source_accuracy_on_content_matches"] == 0.0


def test_gold_against_itself_is_perfect(gold):
    result = score(gold, {d["doc_id"]: d["attributions"] for d in gold})
    assert result["relation"]["strict"] == {"P": 100.0, "R": 100.0, "F1": 100.0}
    assert result["component"]["content"]["exact"]["F1"] == 100.0


# ------------------------------------------------- bootstrap


def test_bootstrap_is_deterministic(gold, predictions):
    first = score(gold, predictions, bootstrap=50)
    assert first == score(gold, predictions, bootstrap=50)
    intervals = first["relation"]["bootstrap_95ci_F1_by_document"]
    assert set(intervals) == {"content", "content_source", "content_source_cue"}
    assert all(low <= high for low, high in intervals.values())


def test_bootstrap_absent_by_default(gold, predictions):
    assert "bootstrap_95ci_F1_by_document" not in score(gold, predictions)["relation"]


# ------------------------------------------------- spans and tokens


def test_fragments_prefer_spans_list():
    assert fragments(None) == []
    assert fragments({"start": 0, "end": 9, "spans": [[0, 2], [5, 9]]}) == [(0, 2), (5, 9)]
    assert fragments({"start": 3, "end": 7, "spans": []}) == [(3, 7)]


def test_trim_strips_quotes_and_punctuation_per_fragment():
    text = '"Yes," he said, "we will."'
    assert trim(text, {"start": 0, "end": 6}) == ((1, 4),)
    both = {"start": 0, "end": 26, "spans": [[16, 26], [0, 6]]}
    assert trim(text, both) == ((1, 4), (17, 24))  # trimmed, sorted
    assert trim(text, {"start": 4, "end": 7}) == ()  # only punctuation and space
    assert trim(text, None) == ()


def test_token_sets():
    text = "He said: don't-stop, now."
    index = TokenIndex(text)  # He 0, said 1, don 2, t 3, stop 4, now 5
    assert index.tokens({"start": 3, "end": 5}) == {1}  # a partly covered token counts
    assert index.tokens({"start": 0, "end": 25, "spans": [[0, 2], [21, 24]]}) == {0, 5}
    assert index.tokens({"start": 7, "end": 9}) == frozenset()  # ": " has no token
    assert index.tokens(None) == frozenset()


def test_jaccard_and_agreement():
    assert jaccard(frozenset({1, 2}), frozenset({2, 3})) == pytest.approx(1 / 3)
    assert jaccard(frozenset(), frozenset()) == 1.0
    assert tokens_agree(frozenset(), frozenset())  # both null
    assert not tokens_agree(frozenset({1}), frozenset())
    assert tokens_agree(frozenset({1, 2}), frozenset({2}))


# ------------------------------------------------- greedy matching


def test_matching_is_greedy_best_first_and_one_to_one():
    gold = [frozenset({1, 2, 3, 4}), frozenset({1, 2})]
    pred = [frozenset({1, 2, 3}), frozenset({1, 2, 3, 4})]
    # best pair (g0, p1) = 1.0 goes first; then p0 takes g1 (2/3)
    assert sorted(match_by_content(gold, pred, 0.5)) == [(0, 1), (1, 0)]


def test_matching_threshold_is_inclusive_and_skips_empty_content():
    gold = [frozenset({1, 2}), frozenset()]
    pred = [frozenset({2, 3, 4}), frozenset()]
    assert match_by_content(gold, pred, 0.25) == [(0, 0)]
    assert match_by_content(gold, pred, 0.26) == []


def test_matching_ties_go_to_later_gold_then_later_prediction():
    same = frozenset({1, 2})
    assert match_by_content([same, same], [same], 0.5) == [(1, 0)]
    assert match_by_content([same], [same, same], 0.5) == [(0, 1)]


# ------------------------------------------------- input


def test_load_gold_reports_path_and_line(tmp_path):
    path = tmp_path / "gold.jsonl"
    good = json.dumps({"doc_id": "a", "text": "x", "attributions": []})
    path.write_text(good + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{path}:2: invalid JSON"):
        load_gold(path)


def test_load_gold_rejects_span_outside_text(tmp_path):
    path = tmp_path / "gold.jsonl"
    doc = {"doc_id": "a", "text": "short", "attributions": [
        {"source": None, "cue": None, "content": {"start": 0, "end": 50}}]}
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{path}:1: attribution 1: content: .*outside"):
        load_gold(path)


def test_load_gold_needs_text(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("\n" + json.dumps({"doc_id": "a", "attributions": []}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{path}:2: "):
        load_gold(path)


def test_bad_prediction_span_is_an_error(gold):
    bad = {"d1": [{"source": None, "cue": None, "content": {"start": 5, "end": 2}}]}
    with pytest.raises(ValueError, match="d1: prediction 1: content"):
        score(gold, bad)


# ------------------------------------------------- report


def test_format_report(gold, predictions):
    report = format_report(score(gold, predictions, bootstrap=20))
    headline = next(line for line in report.splitlines() if "content+source *" in line)
    assert headline.split()[2:5] == ["42.9", "50.0", "46.2"]
    assert "direct 50.0 (n=2), indirect 50.0 (n=4)" in report
    assert "source accuracy on content matches: 60.0" in report
    assert "95% CI" in report
    assert "95% CI" not in format_report(score(gold, predictions))


# ------------------------------------------------- agreement with the reference scorer


@pytest.mark.parametrize("threshold", [0.5, 0.75, 0.0, 1.0])
def test_same_as_reference(reference, gold, predictions, threshold):
    ours = score(gold, predictions, threshold, bootstrap=100)
    theirs = reference.score(copy.deepcopy(gold), copy.deepcopy(predictions), threshold, 100)
    assert json.dumps(ours) == json.dumps(theirs)  # same keys, same order, same numbers
