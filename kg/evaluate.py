"""Evaluation: score predicted attributions against hand-annotated gold.

Gold is PolNeAR-style JSONL, one document a line:
``{"doc_id", "text", "attributions": [{"source", "cue", "content"}, ...]}``
where each role is ``{"start", "end", "text", "spans": [[s, e], ...]}`` or null.
Predictions are ``{doc_id: [attribution, ...]}``; a predicted role needs only
``start``/``end`` (and optionally ``spans``); any other key is ignored. A
document missing from the predictions counts as having none.

The metrics are those of the reference scorer that came with the evaluation
data (``score_attributions.py``), number for number, including the bootstrap:

* component level, per role: exact and token-overlap P/R/F1 over distinct spans;
* relation level: predictions paired one-to-one with gold by content token
  Jaccard (>= threshold), then content / content+source / content+source+cue /
  strict P/R/F1, source accuracy, and recall by gold type (direct/indirect);
* optional 95% confidence intervals from a document-level bootstrap.

All figures are micro-averaged percentages rounded to one decimal.

Beyond the reference scorer, ``score()`` adds ``"errors"``: the content+source
errors in five classes (ERROR_CLASSES), each error in exactly one, with a few
examples each. A pair whose sources disagree is a wrong source; unpaired gold
and predictions whose contents share a token are paired by overlap as wrong
boundaries; the gold left over is missed (direct or indirect), the predictions
left over are spurious.
"""
from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field, fields
from functools import reduce
from pathlib import Path
from typing import Iterable

from kg.documents import open_regular
from kg.text import fold

ROLES = ("source", "cue", "content")
RELATION_METRICS = ("content", "content_source", "content_source_cue", "strict")
BOOTSTRAP_METRICS = ("content", "content_source", "content_source_cue")

TOKEN = re.compile(r"\w+")
# Stripped from both ends of a fragment before exact comparison, so that
# annotators' choices about quote marks and final punctuation do not count.
TRIM_CHARS = frozenset(" \t\r\n\"'“”‘’«».,;:!?()[]—–-")
# A gold content containing one of these is a direct quotation.
QUOTE_MARKS = ('"', "“", "”")

Fragment = tuple[int, int]
Tokens = frozenset[int]


# ---------------------------------------------------------------- spans


def fragments(span: dict | None) -> list[Fragment]:
    """The (start, end) pieces of a span: its non-empty "spans" list, else start..end."""
    if not span:
        return []
    if span.get("spans"):
        return [(start, end) for start, end in span["spans"]]
    return [(span["start"], span["end"])]


def trim(text: str, span: dict | None) -> tuple[Fragment, ...]:
    """Fragments with TRIM_CHARS stripped from both ends, empty ones dropped, sorted."""
    trimmed = []
    for start, end in fragments(span):
        while start < end and text[start] in TRIM_CHARS:
            start += 1
        while end > start and text[end - 1] in TRIM_CHARS:
            end -= 1
        if end > start:
            trimmed.append((start, end))
    return tuple(sorted(trimmed))


class TokenIndex:
    """The \\w+ tokens of one text, numbered in order, to turn spans into token sets."""

    def __init__(self, text: str):
        matches = list(TOKEN.finditer(text))
        self._starts = [m.start() for m in matches]
        self._ends = [m.end() for m in matches]

    def tokens_of(self, pieces: Iterable[Fragment]) -> Tokens:
        """Numbers of the tokens touching any piece (a partly covered token counts)."""
        found: set[int] = set()
        for start, end in pieces:
            first = bisect.bisect_right(self._ends, start)  # first token ending after start
            stop = bisect.bisect_left(self._starts, end)  # first token starting at/after end
            found.update(range(first, stop))
        return frozenset(found)

    def tokens(self, span: dict | None) -> Tokens:
        """Token set of a span; empty for null."""
        return self.tokens_of(fragments(span))


def jaccard(a: Tokens, b: Tokens) -> float:
    """Token-set Jaccard similarity; two empty sets count as identical."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def tokens_agree(gold: Tokens, predicted: Tokens) -> bool:
    """A role agrees when both sides are empty (null) or they share a token."""
    return (not gold and not predicted) or bool(gold & predicted)


def is_direct(text: str, content: dict | None) -> bool:
    """A direct quotation: the (untrimmed) content contains a double quote mark."""
    return any(q in text[s:e] for s, e in fragments(content) for q in QUOTE_MARKS)


def match_by_content(gold: list[Tokens], predicted: list[Tokens], threshold: float) -> list[tuple[int, int]]:
    """Greedy one-to-one (gold, prediction) pairs by content Jaccard >= threshold, best first.

    Ties go to the later gold attribution, then the later prediction: that is
    the order of the reference scorer, kept so the numbers agree.
    """
    candidates = []
    for g, gold_tokens in enumerate(gold):
        for p, pred_tokens in enumerate(predicted):
            if gold_tokens and pred_tokens:
                similarity = jaccard(gold_tokens, pred_tokens)
                if similarity >= threshold:
                    candidates.append((similarity, g, p))
    return one_to_one((g, p) for _, g, p in sorted(candidates, reverse=True))


def pair_by_overlap(gold: dict[int, Tokens], predicted: dict[int, Tokens]) -> list[tuple[int, int]]:
    """Greedy one-to-one (gold, prediction) pairs whose contents share a token, most shared first.

    Ties go to the earlier gold content in the text, then the earlier prediction
    (token numbers follow the text), then the lower numbers: deterministic.
    """
    candidates = [(-len(g_tokens & p_tokens), min(g_tokens), min(p_tokens), g, p)
                  for g, g_tokens in gold.items() for p, p_tokens in predicted.items() if g_tokens & p_tokens]
    return one_to_one((g, p) for *_, g, p in sorted(candidates))


def one_to_one(ranked: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (gold, prediction) pairs in the order given, skipping those whose gold or prediction is taken."""
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for g, p in ranked:
        if g not in used_gold and p not in used_pred:
            used_gold.add(g)
            used_pred.add(p)
            pairs.append((g, p))
    return pairs


@dataclass(frozen=True)
class Pairing:
    """One document's attributions as token sets per role, and its (gold, prediction) pairs by content."""

    gold: list[dict[str, Tokens]]
    predicted: list[dict[str, Tokens]]
    pairs: list[tuple[int, int]]

    def agrees(self, g: int, p: int, role: str) -> bool:
        """Whether gold g and prediction p agree on a role (see tokens_agree)."""
        return tokens_agree(self.gold[g][role], self.predicted[p][role])

    def unpaired_gold(self) -> list[int]:
        """Numbers of the gold attributions no prediction is paired with, in order."""
        paired = {g for g, _ in self.pairs}
        return [g for g in range(len(self.gold)) if g not in paired]

    def unpaired_predictions(self) -> list[int]:
        """Numbers of the predictions paired with no gold attribution, in order."""
        paired = {p for _, p in self.pairs}
        return [p for p in range(len(self.predicted)) if p not in paired]


def pair_attributions(index: TokenIndex, gold: list[dict], predicted: list[dict], threshold: float) -> Pairing:
    """Token sets of every role, then predictions paired with gold by content (match_by_content)."""
    gold_tokens = [{role: index.tokens(a.get(role)) for role in ROLES} for a in gold]
    pred_tokens = [{role: index.tokens(a.get(role)) for role in ROLES} for a in predicted]
    pairs = match_by_content([t["content"] for t in gold_tokens], [t["content"] for t in pred_tokens], threshold)
    return Pairing(gold_tokens, pred_tokens, pairs)


# ---------------------------------------------------------------- counts


class _Summable:
    """Field-wise addition, so per-document counts add up to corpus counts."""

    def __add__(self, other):
        return type(self)(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True)
class ComponentCounts(_Summable):
    """Distinct spans and tokens of one role, predicted vs gold."""

    exact: int = 0  # distinct trimmed spans found identically
    n_pred: int = 0
    n_gold: int = 0
    overlap_tokens: int = 0  # tokens covered by both a predicted and a gold span
    pred_tokens: int = 0
    gold_tokens: int = 0


@dataclass(frozen=True)
class RelationCounts(_Summable):
    """Matched attribution pairs, by how much of the relation agrees."""

    n_gold: int = 0
    n_pred: int = 0
    content: int = 0
    content_source: int = 0
    content_source_cue: int = 0
    strict: int = 0
    direct_gold: int = 0
    direct_found: int = 0  # direct gold attributions found with their source
    indirect_gold: int = 0
    indirect_found: int = 0


@dataclass(frozen=True)
class DocumentCounts(_Summable):
    """Everything counted in one document (or, summed, in a corpus)."""

    source: ComponentCounts = field(default_factory=ComponentCounts)
    cue: ComponentCounts = field(default_factory=ComponentCounts)
    content: ComponentCounts = field(default_factory=ComponentCounts)
    relation: RelationCounts = field(default_factory=RelationCounts)


def _distinct_spans(text: str, attributions: list[dict], role: str) -> set[tuple[Fragment, ...]]:
    """Distinct non-empty trimmed spans of a role (a source said twice counts once)."""
    return {trim(text, a.get(role)) for a in attributions if a.get(role)} - {()}


def count_component(text: str, index: TokenIndex, gold: list[dict], predicted: list[dict],
                    role: str) -> ComponentCounts:
    """Exact and token-overlap counts for one role, ignoring which attribution a span is in."""
    gold_spans = _distinct_spans(text, gold, role)
    pred_spans = _distinct_spans(text, predicted, role)
    gold_tokens = index.tokens_of(piece for span in gold_spans for piece in span)
    pred_tokens = index.tokens_of(piece for span in pred_spans for piece in span)
    return ComponentCounts(
        exact=len(gold_spans & pred_spans), n_pred=len(pred_spans), n_gold=len(gold_spans),
        overlap_tokens=len(gold_tokens & pred_tokens),
        pred_tokens=len(pred_tokens), gold_tokens=len(gold_tokens))


def count_relations(text: str, gold: list[dict], predicted: list[dict], pairing: Pairing) -> RelationCounts:
    """How much of each content pair agrees, and recall by gold type."""
    def identical(g: int, p: int) -> bool:
        return all(trim(text, gold[g].get(r)) == trim(text, predicted[p].get(r)) for r in ROLES)

    pairs = pairing.pairs
    with_source = [(g, p) for g, p in pairs if pairing.agrees(g, p, "source")]
    found = {g for g, _ in with_source}
    direct = [is_direct(text, a.get("content")) for a in gold]
    direct_found = sum(direct[g] for g in found)
    return RelationCounts(
        n_gold=len(gold), n_pred=len(predicted),
        content=len(pairs),
        content_source=len(with_source),
        content_source_cue=sum(pairing.agrees(g, p, "cue") for g, p in with_source),
        strict=sum(identical(g, p) for g, p in pairs),
        direct_gold=sum(direct), direct_found=direct_found,
        indirect_gold=len(gold) - sum(direct), indirect_found=len(found) - direct_found)


def assess_document(doc: dict, predicted: list[dict], threshold: float) -> tuple[DocumentCounts, list[ErrorCase]]:
    """All counts for one gold document and its predictions, and its content+source errors."""
    text, gold = doc["text"], doc["attributions"]
    for n, attribution in enumerate(predicted, 1):
        _check_attribution(attribution, len(text), f"{doc['doc_id']}: prediction {n}")
    index = TokenIndex(text)
    pairing = pair_attributions(index, gold, predicted, threshold)
    components = {role: count_component(text, index, gold, predicted, role) for role in ROLES}
    counts = DocumentCounts(**components, relation=count_relations(text, gold, predicted, pairing))
    return counts, classify_errors(text, gold, pairing)


def total(counts: Iterable[DocumentCounts]) -> DocumentCounts:
    """Corpus counts: the sum over documents."""
    return reduce(lambda a, b: a + b, counts, DocumentCounts())


# ---------------------------------------------------------------- errors

# The content+source errors, by class, with what the report says of each. Every
# false negative and every false positive falls in exactly one class:
#   false negatives = wrong_source + wrong_boundary + missed_direct + missed_indirect
#   false positives = wrong_source + wrong_boundary + spurious
ERROR_CLASSES = {
    "wrong_source": "paired by content, the sources disagree",
    "wrong_boundary": "contents share a token, Jaccard below the threshold",
    "missed_direct": "gold quotation left unpaired",
    "missed_indirect": "gold indirect attribution left unpaired",
    "spurious": "prediction left unpaired",
}
EXAMPLE_WIDTH = 100  # characters of an example's source or content text


@dataclass(frozen=True)
class ErrorCase:
    """One content+source error of a document: its class and the gold and/or prediction, by number."""

    kind: str  # a key of ERROR_CLASSES
    gold: int | None
    predicted: int | None
    position: int  # first content token (the gold's when there is one): text order within the document
    jaccard: float | None  # content Jaccard of a gold-prediction pair, two decimals; None for one side


def error_case(pairing: Pairing, kind: str, g: int | None = None, p: int | None = None) -> ErrorCase:
    """The ErrorCase of gold g and/or prediction p."""
    gold = pairing.gold[g]["content"] if g is not None else frozenset()
    pred = pairing.predicted[p]["content"] if p is not None else frozenset()
    both = g is not None and p is not None
    return ErrorCase(kind, g, p, min(gold or pred, default=-1), round(jaccard(gold, pred), 2) if both else None)


def classify_errors(text: str, gold: list[dict], pairing: Pairing) -> list[ErrorCase]:
    """One document's content+source errors: each pair whose sources disagree, then the unpaired.

    Unpaired gold and predictions whose contents share a token are paired by
    overlap (pair_by_overlap) as wrong boundaries; the gold left over is missed
    (direct or indirect, by is_direct), the predictions left over are spurious.
    """
    cases = [error_case(pairing, "wrong_source", g, p)
             for g, p in pairing.pairs if not pairing.agrees(g, p, "source")]
    missed, spurious = pairing.unpaired_gold(), pairing.unpaired_predictions()
    near = pair_by_overlap({g: pairing.gold[g]["content"] for g in missed},
                           {p: pairing.predicted[p]["content"] for p in spurious})
    cases += [error_case(pairing, "wrong_boundary", g, p) for g, p in near]
    near_gold, near_pred = {g for g, _ in near}, {p for _, p in near}
    cases += [error_case(pairing, "missed_direct" if is_direct(text, gold[g].get("content")) else "missed_indirect", g)
              for g in missed if g not in near_gold]
    cases += [error_case(pairing, "spurious", p=p) for p in spurious if p not in near_pred]
    return cases


def pick_examples(cases: list[tuple[int, ErrorCase]], n: int) -> list[tuple[int, ErrorCase]]:
    """Up to n of one class's (document number, error), spread over documents, in document order.

    An extractor's errors cluster: one article can repeat the same wrong source
    many times, and n examples from it would show one mistake n times. So the
    first error (in text order) of every document comes before any second one:
    the first n documents (in gold file order) with an error of the class give
    one each, and only when fewer documents have one do their later errors fill
    in. The choice depends on nothing but the data, so a run shows the same
    examples every time.
    """
    in_order = sorted(cases, key=lambda case: (case[0], case[1].position))
    seen: Counter[int] = Counter()
    ranks = []
    for d, _ in in_order:
        ranks.append(seen[d])
        seen[d] += 1
    chosen = sorted(range(len(in_order)), key=lambda i: (ranks[i], i))[:n]
    return [in_order[i] for i in sorted(chosen)]


def span_view(text: str, span: dict | None) -> dict | None:
    """A role as an example shows it: offsets, pieces, and its text on one line, cut to EXAMPLE_WIDTH."""
    pieces = sorted(fragments(span))
    if not pieces:
        return None
    return {"start": pieces[0][0], "end": max(end for _, end in pieces), "spans": [list(p) for p in pieces],
            "text": fold(" … ".join(text[start:end] for start, end in pieces), EXAMPLE_WIDTH)}


def attribution_view(text: str, attribution: dict | None) -> dict | None:
    """The source and content of an attribution as an example shows them; None for no attribution."""
    if attribution is None:
        return None
    return {role: span_view(text, attribution.get(role)) for role in ("source", "content")}


def error_example(doc: dict, predicted: list[dict], case: ErrorCase) -> dict:
    """One error as an example: the document, the gold and/or predicted attribution, their content Jaccard."""
    text = doc["text"]
    gold = doc["attributions"][case.gold] if case.gold is not None else None
    pred = predicted[case.predicted] if case.predicted is not None else None
    return {"doc_id": doc["doc_id"], "gold": attribution_view(text, gold),
            "predicted": attribution_view(text, pred), "content_jaccard": case.jaccard}


def error_report(gold_docs: list[dict], predictions: dict[str, list[dict]],
                 cases: list[tuple[int, ErrorCase]], examples: int) -> dict:
    """Per class (ERROR_CLASSES order): the number of errors and up to `examples` of them."""
    report = {}
    for kind in ERROR_CLASSES:
        of_kind = [(d, case) for d, case in cases if case.kind == kind]
        report[kind] = {"n": len(of_kind), "examples": [
            error_example(gold_docs[d], predictions.get(gold_docs[d]["doc_id"], []), case)
            for d, case in pick_examples(of_kind, examples)]}
    return report


# ---------------------------------------------------------------- metrics


def prf(true_positives: int, n_pred: int, n_gold: int) -> dict[str, float]:
    """Precision, recall and F1 in percent, one decimal; 0 when undefined."""
    p = true_positives / n_pred if n_pred else 0.0
    r = true_positives / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"P": round(100 * p, 1), "R": round(100 * r, 1), "F1": round(100 * f, 1)}


def percent(part: int, whole: int) -> float:
    """part/whole in percent, one decimal; 0 when whole is 0."""
    return round(100 * part / whole, 1) if whole else 0.0


def component_report(c: ComponentCounts) -> dict:
    """Exact-span and token-overlap P/R/F1 of one role."""
    return {"exact": prf(c.exact, c.n_pred, c.n_gold),
            "overlap": prf(c.overlap_tokens, c.pred_tokens, c.gold_tokens),
            "n_gold": c.n_gold, "n_pred": c.n_pred}


def relation_report(c: RelationCounts) -> dict:
    """Relation-level P/R/F1, source accuracy and recall by gold type."""
    report: dict = {name: prf(getattr(c, name), c.n_pred, c.n_gold) for name in RELATION_METRICS}
    report["source_accuracy_on_content_matches"] = percent(c.content_source, c.content)
    report["n_gold"] = c.n_gold
    report["n_pred"] = c.n_pred
    report["recall_content_source_by_gold_type"] = {
        "direct": {"R": percent(c.direct_found, c.direct_gold), "n": c.direct_gold},
        "indirect": {"R": percent(c.indirect_found, c.indirect_gold), "n": c.indirect_gold}}
    return report


def percentile_interval(values: list[float]) -> list[float]:
    """The 2.5th and 97.5th percentiles, picked the way the reference scorer picks them."""
    ordered = sorted(values)
    return [ordered[int(0.025 * len(ordered))], ordered[int(0.975 * len(ordered)) - 1]]


def bootstrap_intervals(counts: list[DocumentCounts], resamples: int, seed: int) -> dict[str, list[float]]:
    """95% intervals of relation F1, resampling documents with replacement (seeded)."""
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {name: [] for name in BOOTSTRAP_METRICS}
    for _ in range(resamples):
        resample = [counts[rng.randrange(len(counts))] for _ in counts]
        report = relation_report(total(resample).relation)
        for name, values in samples.items():
            values.append(report[name]["F1"])
    return {name: percentile_interval(values) for name, values in samples.items()}


def gold_article(doc: dict):
    """The Article of a gold document, its text untouched (gold offsets point into it)."""
    from kg.documents import Article, normalise_date

    published = doc.get("publication_date") or doc.get("published")
    return Article(
        id=doc["doc_id"],
        text=doc["text"],  # no boilerplate blanking, no newline normalisation
        publisher=doc.get("publisher") if isinstance(doc.get("publisher"), str) else None,
        title=doc.get("title") if isinstance(doc.get("title"), str) else None,
        published=normalise_date(published) if isinstance(published, str) and published.strip() else None,
    )


def score(gold_docs: list[dict], predictions: dict[str, list[dict]], threshold: float = 0.5,
          bootstrap: int = 0, seed: int = 13, examples: int = 3) -> dict:
    """Score predictions against gold documents; same keys and numbers as the reference scorer,
    then "errors": the content+source errors by class, with up to `examples` examples each."""
    assessed = [assess_document(doc, predictions.get(doc["doc_id"], []), threshold) for doc in gold_docs]
    counts = [doc_counts for doc_counts, _ in assessed]
    corpus = total(counts)
    result = {"component": {role: component_report(getattr(corpus, role)) for role in ROLES},
              "relation": relation_report(corpus.relation),
              "jaccard_threshold": threshold}
    if bootstrap and counts:
        result["relation"]["bootstrap_95ci_F1_by_document"] = bootstrap_intervals(counts, bootstrap, seed)
    cases = [(d, case) for d, (_, doc_cases) in enumerate(assessed) for case in doc_cases]
    result["errors"] = error_report(gold_docs, predictions, cases, examples)
    return result


# ---------------------------------------------------------------- input


def _check_span(span, text_length: int) -> None:
    """Raise ValueError unless span is null or integer offsets inside the text."""
    if span is None:
        return
    if not isinstance(span, dict):
        raise ValueError("a role must be an object or null")
    pieces = [(span.get("start"), span.get("end"))]
    if span.get("spans"):
        if not isinstance(span["spans"], list) or not all(
                isinstance(p, (list, tuple)) and len(p) == 2 for p in span["spans"]):
            raise ValueError('"spans" must be a list of [start, end] pairs')
        pieces += [tuple(p) for p in span["spans"]]
    for start, end in pieces:
        if not (isinstance(start, int) and isinstance(end, int)):
            raise ValueError("span offsets must be integers")
        if not 0 <= start <= end <= text_length:
            raise ValueError(f"span [{start}, {end}] is outside the text (length {text_length})")


def _check_attribution(attribution, text_length: int, where: str) -> None:
    """Raise ValueError (prefixed with where) unless every role is a valid span or null."""
    if not isinstance(attribution, dict):
        raise ValueError(f"{where}: an attribution must be an object")
    for role in ROLES:
        try:
            _check_span(attribution.get(role), text_length)
        except ValueError as e:
            raise ValueError(f"{where}: {role}: {e}") from None


def _read_jsonl(path: str | Path) -> Iterable[tuple[int, dict]]:
    """(line number, object) for each non-blank line; ValueError "path:line: ..." otherwise."""
    with open_regular(path, "r", encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{number}: invalid JSON: {e.msg}") from None
            if not isinstance(obj, dict):
                raise ValueError(f"{path}:{number}: expected a JSON object")
            yield number, obj


def load_gold(path: str | Path) -> list[dict]:
    """Read gold documents (PolNeAR JSONL), checking every span against the text."""
    docs = []
    for number, doc in _read_jsonl(path):
        where = f"{path}:{number}"
        if not isinstance(doc.get("doc_id"), str) or not isinstance(doc.get("text"), str):
            raise ValueError(f"{where}: needs string fields doc_id and text")
        if not isinstance(doc.get("attributions"), list):
            raise ValueError(f"{where}: attributions must be a list")
        for n, attribution in enumerate(doc["attributions"], 1):
            _check_attribution(attribution, len(doc["text"]), f"{where}: attribution {n}")
        docs.append(doc)
    return docs


def load_predictions(path: str | Path) -> dict[str, list[dict]]:
    """Read predictions, one {"doc_id", "attributions"} line per document (a repeated doc_id: last wins)."""
    predictions = {}
    for number, line in _read_jsonl(path):
        if not isinstance(line.get("doc_id"), str):
            raise ValueError(f"{path}:{number}: needs a string doc_id")
        attributions = line.get("attributions", [])
        if not isinstance(attributions, list):
            raise ValueError(f"{path}:{number}: attributions must be a list")
        predictions[line["doc_id"]] = attributions
    return predictions


# ---------------------------------------------------------------- report


def _row(label: str, scores: dict, interval: list[float] | None = None) -> str:
    ci = f"  [{interval[0]:.1f}, {interval[1]:.1f}]" if interval else ""
    return f"  {label:<22}{scores['P']:>6.1f} {scores['R']:>6.1f} {scores['F1']:>6.1f}{ci}"


REPORT_WIDTH = 120  # columns of an example line in the text report
SOURCE_COLUMN = 34  # columns of its source (offsets and text), the content filling the rest


def _span_line(span: dict | None, width: int) -> str:
    """'start-end "text"' of an example's role in at most `width` columns, the text cut to fit."""
    if span is None:
        return "(none)"
    offsets = f"{span['start']}-{span['end']}"
    return f'{offsets} "{fold(span["text"], width - len(offsets) - 3)}"'


def _example_lines(example: dict) -> list[str]:
    """An example under its class: the document, then a line each for gold and prediction."""
    similarity = example["content_jaccard"]
    lines = [f"    {example['doc_id']}" + (f"  content Jaccard {similarity:.2f}" if similarity is not None else "")]
    for side, label in (("gold", "gold"), ("predicted", "pred")):
        if example[side]:
            head = f"      {label:<4}  {_span_line(example[side]['source'], SOURCE_COLUMN - 2):<{SOURCE_COLUMN}}"
            lines.append(head + _span_line(example[side]["content"], REPORT_WIDTH - len(head)))
    return lines


def format_errors(errors: dict) -> list[str]:
    """The "Errors (content+source)" section: a line per class (count, share), its examples under it."""
    n = sum(found["n"] for found in errors.values())
    missed = n - errors["spurious"]["n"]
    false = n - errors["missed_direct"]["n"] - errors["missed_indirect"]["n"]
    lines = [f"Errors (content+source): {n} (false negatives {missed}, false positives {false}); "
             "examples give source, then content"]
    for kind, found in errors.items():
        lines.append(f"  {kind.replace('_', ' '):<16}{found['n']:>6} {percent(found['n'], n):>5.1f}%  "
                     f"{ERROR_CLASSES[kind]}")
        for example in found["examples"]:
            lines += _example_lines(example)
    return lines


def format_report(result: dict) -> str:
    """A short plain-text table of a score() result, headline (content+source) first."""
    rel = result["relation"]
    intervals = rel.get("bootstrap_95ci_F1_by_document", {})
    by_type = rel["recall_content_source_by_gold_type"]
    ci_header = "  95% CI of F1 (bootstrap)" if intervals else ""
    lines = [
        f"Relations (content Jaccard >= {result['jaccard_threshold']}): "
        f"{rel['n_gold']} gold, {rel['n_pred']} predicted",
        f"  {'':<22}{'P':>6} {'R':>6} {'F1':>6}{ci_header}",
        _row("content+source *", rel["content_source"], intervals.get("content_source")),
        _row("content", rel["content"], intervals.get("content")),
        _row("content+source+cue", rel["content_source_cue"], intervals.get("content_source_cue")),
        _row("strict", rel["strict"]),
        f"  source accuracy on content matches: {rel['source_accuracy_on_content_matches']:.1f}",
        f"  content+source recall: direct {by_type['direct']['R']:.1f} (n={by_type['direct']['n']}), "
        f"indirect {by_type['indirect']['R']:.1f} (n={by_type['indirect']['n']})",
        "",
        *(format_errors(result["errors"]) + [""] if "errors" in result else []),
        "Components (distinct spans)",
        f"  {'':<9}{'exact P':>8} {'R':>5} {'F1':>5}  {'overlap P':>9} {'R':>5} {'F1':>5}  {'gold':>5} {'pred':>5}",
    ]
    for role, c in result["component"].items():
        ex, ov = c["exact"], c["overlap"]
        lines.append(f"  {role:<9}{ex['P']:>8.1f} {ex['R']:>5.1f} {ex['F1']:>5.1f}  "
                     f"{ov['P']:>9.1f} {ov['R']:>5.1f} {ov['F1']:>5.1f}  {c['n_gold']:>5} {c['n_pred']:>5}")
    lines.append("* headline metric")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: python -m kg.evaluate GOLD PRED [--threshold T] [--bootstrap N] [--examples N] [--json]."""
    parser = argparse.ArgumentParser(prog="python -m kg.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("gold", help="gold JSONL (PolNeAR format)")
    parser.add_argument("pred", help='prediction JSONL: {"doc_id", "attributions"} per line')
    parser.add_argument("--threshold", type=float, default=0.5, help="content Jaccard for a match")
    parser.add_argument("--bootstrap", type=int, default=0, help="document resamples for 95%% CIs")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--examples", type=int, default=3, metavar="N",
                        help="examples of each error class (0: none)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.examples < 0:
        parser.error("--examples must be 0 or more")
    try:
        result = score(load_gold(args.gold), load_predictions(args.pred),
                       args.threshold, args.bootstrap, args.seed, args.examples)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=1) if args.json else format_report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
