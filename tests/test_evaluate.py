"""Tests for kg.evaluate: hand-computed scores on a tiny made-up corpus, unit tests of
the pieces, and (when ../shared is there) agreement with the reference scorer."""
import copy
import importlib.util
import json
import warnings
from pathlib import Path

import pytest

from kg.evaluate import (
    ERROR_CLASSES, ErrorCase, TokenIndex, assess_document, format_report, fragments, jaccard, load_gold,
    load_predictions, main, match_by_content, pair_by_overlap, pick_examples, score, tokens_agree, total, trim,
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


# ------------------------------------------------- errors by class


def span(text: str, phrase: str) -> dict:
    """The role of the (first) occurrence of phrase in text."""
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase)}


def attribution(text: str, source: str | None, content: str) -> dict:
    return {"source": source and span(text, source), "cue": None, "content": span(text, content)}


# One error of each class: a wrong source, a wrong boundary (2 of 6 tokens), a missed quotation,
# a missed paraphrase and a spurious prediction.
TEXT = ('The mayor said the road would close. "We are ready," the chief said. Farmers warned that '
        'prices would rise sharply this winter. Analysts expect growth. It rained.')
MADE_UP = [{"doc_id": "m1", "text": TEXT, "attributions": [
    attribution(TEXT, "The mayor", "the road would close"),
    attribution(TEXT, "the chief", '"We are ready,"'),
    attribution(TEXT, "Farmers", "prices would rise sharply this winter"),
    attribution(TEXT, "Analysts", "growth")]}]
MADE_UP_PREDICTIONS = {"m1": [
    attribution(TEXT, "the chief", "the road would close"),
    attribution(TEXT, "Farmers", "this winter"),
    attribution(TEXT, None, "It rained")]}


def error_counts(result: dict) -> dict[str, int]:
    return {kind: found["n"] for kind, found in result["errors"].items()}


def assert_errors_add_up(gold_docs: list[dict], predictions: dict, threshold: float) -> None:
    """false negatives and false positives of content+source, class by class."""
    n = error_counts(score(gold_docs, predictions, threshold))
    rel = total(assess_document(doc, predictions.get(doc["doc_id"], []), threshold)[0]
                for doc in gold_docs).relation
    assert rel.n_gold - rel.content_source == (
        n["wrong_source"] + n["wrong_boundary"] + n["missed_direct"] + n["missed_indirect"])
    assert rel.n_pred - rel.content_source == n["wrong_source"] + n["wrong_boundary"] + n["spurious"]


@pytest.mark.parametrize("threshold", [0.0, 0.25, 0.5, 0.75, 1.0])
def test_error_classes_add_up_to_the_headline_errors(gold, predictions, threshold):
    assert_errors_add_up(gold, predictions, threshold)
    assert_errors_add_up(MADE_UP, MADE_UP_PREDICTIONS, threshold)
    assert_errors_add_up(gold, {}, threshold)


def test_error_classes_by_hand(gold, predictions):
    assert list(score(gold, predictions)["errors"]) == list(ERROR_CLASSES)
    # d1 a2 and d3 a2 paired with the wrong source; d4 (a quotation) has no predictions;
    # d1 "Critics disagreed" and d3 "the talks ... Officials in Paris ..." are left over
    assert error_counts(score(gold, predictions)) == {
        "wrong_source": 2, "wrong_boundary": 0, "missed_direct": 1, "missed_indirect": 0, "spurious": 2}
    # at 0.75 d2 (Jaccard 0.5) and d3 a2 (0.6) are no longer paired by content; d3 a2 shares
    # 5 tokens with one prediction and 3 with the other: the 5 make the boundary pair
    strict = score(gold, predictions, threshold=0.75)
    assert error_counts(strict) == {
        "wrong_source": 1, "wrong_boundary": 2, "missed_direct": 1, "missed_indirect": 0, "spurious": 2}
    assert [e["predicted"]["content"]["text"] for e in strict["errors"]["wrong_boundary"]["examples"]] == [
        '"We will not give up,"', "Officials in Paris announced a new plan on Friday"]


def test_one_error_of_each_class_in_made_up_sentences():
    errors = score(MADE_UP, MADE_UP_PREDICTIONS)["errors"]
    assert {kind: found["n"] for kind, found in errors.items()} == dict.fromkeys(ERROR_CLASSES, 1)
    assert errors["wrong_source"]["examples"][0]["predicted"]["source"]["text"] == "the chief"
    boundary = errors["wrong_boundary"]["examples"][0]
    assert boundary["gold"]["content"]["text"] == "prices would rise sharply this winter"
    assert boundary["content_jaccard"] == pytest.approx(0.33)
    assert errors["missed_direct"]["examples"][0]["gold"]["content"]["text"] == '"We are ready,"'
    assert errors["missed_indirect"]["examples"][0]["gold"]["content"]["text"] == "growth"
    assert errors["spurious"]["examples"][0]["gold"] is None


def test_no_errors_against_itself(gold):
    errors = score(gold, {d["doc_id"]: d["attributions"] for d in gold})["errors"]
    assert all(found == {"n": 0, "examples": []} for found in errors.values())


def test_overlap_pairs_most_shared_first_then_by_position():
    gold = {0: frozenset(range(1, 9)), 1: frozenset({1, 2})}
    pred = {5: frozenset({1, 2}), 7: frozenset({3, 4, 5})}
    assert pair_by_overlap(gold, pred) == [(0, 7), (1, 5)]  # 3 shared first; g0 is then taken
    tied = {0: frozenset({5, 6}), 1: frozenset({1, 2})}
    assert pair_by_overlap(tied, {0: frozenset({1, 2, 5, 6})}) == [(1, 0)]  # the earlier gold content
    assert pair_by_overlap({0: frozenset({1})}, {0: frozenset({2}), 1: frozenset()}) == []


def test_examples_are_spread_over_documents():
    def case(position):
        return ErrorCase("spurious", None, 0, position, None)

    cases = [(2, case(1)), (0, case(9)), (0, case(3)), (1, case(4)), (0, case(5))]
    positions = lambda picked: [(d, c.position) for d, c in picked]  # noqa: E731
    assert positions(pick_examples(cases, 3)) == [(0, 3), (1, 4), (2, 1)]  # a first one of each
    assert positions(pick_examples(cases, 4)) == [(0, 3), (0, 5), (1, 4), (2, 1)]
    assert len(pick_examples(cases, 10)) == 5
    assert pick_examples(cases, 0) == []


def test_example_fields(gold, predictions):
    example = score(gold, predictions)["errors"]["wrong_source"]["examples"][0]
    assert example == {
        "doc_id": "d1",
        "gold": {"source": {"start": 58, "end": 65, "spans": [[58, 65]], "text": "Critics"},
                 "content": {"start": 84, "end": 109, "spans": [[84, 109]], "text": "repairs would take a year"}},
        "predicted": {"source": {"start": 0, "end": 12, "spans": [[0, 12]], "text": "The minister"},
                      "content": {"start": 84, "end": 109, "spans": [[84, 109]],
                                  "text": "repairs would take a year"}},
        "content_jaccard": 1.0}
    split = score(gold, predictions, threshold=0.75)["errors"]["wrong_boundary"]["examples"][0]["gold"]
    assert split["content"]["spans"] == [[0, 22], [33, 56]]
    assert split["content"]["text"] == '"We will not give up," … "not now and not ever."'


def test_example_text_is_one_line_and_cut():
    text = "Officials said that\n\n" + " ".join(["the plan"] * 40) + "."
    doc = {"doc_id": "long", "text": text, "attributions": []}
    (example,) = score([doc], {"long": [attribution(text, "Officials", text[20:])]})["errors"]["spurious"]["examples"]
    content = example["predicted"]["content"]
    assert len(content["text"]) <= 100 and content["text"].endswith("…") and "\n" not in content["text"]
    assert (content["start"], content["end"]) == (20, len(text))


def test_examples_option_limits_examples(gold, predictions):
    assert [len(f["examples"]) for f in score(gold, predictions, examples=1)["errors"].values()] == [1, 0, 1, 0, 1]
    assert all(not f["examples"] for f in score(gold, predictions, examples=0)["errors"].values())
    assert error_counts(score(gold, predictions, examples=0)) == error_counts(score(gold, predictions))


def test_format_report_error_section(gold, predictions):
    report = format_report(score(gold, predictions, threshold=0.75)).splitlines()
    start = report.index("Errors (content+source): 6 (false negatives 4, false positives 5); "
                         "examples give source, then content")
    assert report.index("  content+source recall: direct 0.0 (n=2), indirect 50.0 (n=4)") < start
    assert start < report.index("Components (distinct spans)")
    assert report[start + 1].split()[:4] == ["wrong", "source", "1", "16.7%"]
    assert report[start + 2:start + 5] == [
        "    d1  content Jaccard 1.00",
        '      gold  58-65 "Critics"                   84-109 "repairs would take a year"',
        '      pred  0-12 "The minister"               84-109 "repairs would take a year"']
    assert '      pred  (none)                            58-75 "Critics disagreed"' in report
    assert all(len(line) <= 120 for line in report)


def test_format_report_without_examples(gold, predictions):
    report = format_report(score(gold, predictions, examples=0))
    section = report[report.index("Errors"):report.index("Components")].splitlines()
    assert [line.split()[-1] for line in section[1:-1]] == ["disagree", "threshold", "unpaired", "unpaired",
                                                            "unpaired"]
    assert len(section) == 7  # header, five classes, blank line


def test_module_command_line_prints_errors(capsys):
    assert main([str(GOLD), str(PRED), "--examples", "1"]) == 0
    out = capsys.readouterr().out
    assert "Errors (content+source): 5 (false negatives 3, false positives 4)" in out
    assert out.count("content Jaccard 1.00") == 1  # one example of wrong source, none of the rest
    assert main([str(GOLD), str(PRED), "--json", "--examples", "0"]) == 0
    assert json.loads(capsys.readouterr().out)["errors"]["spurious"] == {"n": 2, "examples": []}


def test_long_text_folded_to_report_width():
    text = "x" * 300 + " " + " ".join(["word"] * 100)
    doc = {"doc_id": "wide", "text": text, "attributions": []}
    report = format_report(score([doc], {"wide": [attribution(text, "x" * 300, text[301:])]}))
    assert max(map(len, report.splitlines())) <= 120


# ------------------------------------------------- agreement with the reference scorer


@pytest.mark.parametrize("threshold", [0.5, 0.75, 0.0, 1.0])
def test_same_as_reference(reference, gold, predictions, threshold):
    ours = score(gold, predictions, threshold, bootstrap=100)
    theirs = reference.score(copy.deepcopy(gold), copy.deepcopy(predictions), threshold, 100)
    assert list(ours)[-1] == "errors"  # ours only, and last
    del ours["errors"]
    assert json.dumps(ours) == json.dumps(theirs)  # same keys, same order, same numbers
