"""Train kg/extract/cue_model.json: which rule candidates are attributions (`make train`).

    .venv/bin/python bench/train_cue_model.py [TRAIN.jsonl] [--dev DEV.jsonl] [--cache DIR]

1. Parse PolNeAR train (read in place in ../shared, never copied) with the shipped
   pipeline and collect every candidate record the rules propose, with its features
   (kg.extract.candidates_in, kg/extract/features.py).
2. Label each candidate the way the scorer counts it: paired one-to-one with a gold
   attribution by content token Jaccard >= 0.5 (kg.evaluate.match_by_content) and
   the sources agreeing.
3. Fit an L2 logistic regression (scikit-learn, liblinear: deterministic); choose C
   and the decision threshold by 5-fold cross-validation over documents on train,
   maximising the content+source F1 the kept candidates would score.
4. Write the weights as JSON (no pickle) and the data card beside it, with the
   train (and, given --dev, dev) figures of the real extractor using the new model.

Only feature names (lemmas, parse labels) and numbers land in the project.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg import evaluate  # noqa: E402
from kg.extract import candidates_in, model  # noqa: E402

DEFAULT_TRAIN = ROOT.parent / "shared" / "eval" / "polnear" / "train.jsonl"
C_GRID = (0.1, 0.3, 1.0)
FOLDS = 5
SEED = 0


def note(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data


def parsed(gold_docs: list[dict], cache: Path | None, name: str, jobs: int):
    """(gold doc, spaCy doc) pairs, parsed with the shipped pipeline (or read from a DocBin cache)."""
    from spacy.tokens import DocBin

    from kg.extract import nlp

    pipeline = nlp.load()
    articles = [evaluate.gold_article(d) for d in gold_docs]
    file = cache / f"{name}.{nlp.model_name()}.spacy" if cache else None
    if file is not None and file.exists():
        docs = list(DocBin().from_disk(file).get_docs(pipeline.vocab))
    else:
        docs = list(pipeline.pipe((a.body for a in articles), batch_size=16, n_process=jobs))
        if file is not None:
            cache.mkdir(parents=True, exist_ok=True)
            DocBin(docs=docs).to_disk(file)
    return list(zip(gold_docs, articles, docs))


def labelled(gold_doc: dict, records_features) -> list[tuple[dict, int]]:
    """(features, 1 if the candidate would count as a content+source match else 0)."""
    predicted = [r.to_dict() for r, _ in records_features]
    pairing = evaluate.pair_attributions(evaluate.TokenIndex(gold_doc["text"]), gold_doc["attributions"],
                                         predicted, 0.5)  # the scorer's own pairing and source test
    good = {p for g, p in pairing.pairs if pairing.agrees(g, p, "source")}
    return [(feats, int(n in good)) for n, (_, feats) in enumerate(records_features)]


def dataset(triples) -> tuple[list[dict], list[int], list[int], int]:
    """Features, labels, document numbers of every candidate; and the number of gold attributions."""
    X, y, groups, n_gold = [], [], [], 0
    for number, (gold_doc, article, doc) in enumerate(triples):
        for feats, label in labelled(gold_doc, candidates_in(doc, article)):
            X.append(feats)
            y.append(label)
            groups.append(number)
        n_gold += len(gold_doc["attributions"])
    return X, y, groups, n_gold


# ---------------------------------------------------------------- fitting


def fit(X, y, C: float):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer(sort=True)
    clf = LogisticRegression(C=C, solver="liblinear", max_iter=1000, random_state=SEED, fit_intercept=False)
    clf.fit(_int32(vec.fit_transform(X)), y)
    return vec, clf


def _int32(matrix):
    """liblinear takes only 32-bit sparse indices; DictVectorizer now gives 64-bit ones."""
    matrix = matrix.tocsr()
    matrix.indices = matrix.indices.astype("int32")
    matrix.indptr = matrix.indptr.astype("int32")
    return matrix


def best_threshold(probs, y, n_gold: int) -> tuple[float, float]:
    """The threshold (on a 0.01 grid) maximising F1 = 2 TP / (kept + gold), and that F1."""
    best = (0.5, 0.0)
    for t in [i / 100 for i in range(5, 96)]:
        kept = sum(p >= t for p in probs)
        tp = sum(p >= t and label for p, label in zip(probs, y))
        f1 = 2 * tp / (kept + n_gold) if kept + n_gold else 0.0
        if f1 > best[1] + 1e-12:
            best = (t, f1)
    return best


def cross_validated(X, y, groups, n_gold: int, C: float) -> tuple[float, float]:
    """Out-of-fold probabilities over documents (fold = document number mod FOLDS): best threshold, F1."""
    probs = [0.0] * len(y)
    for fold in range(FOLDS):
        train = [i for i, g in enumerate(groups) if g % FOLDS != fold]
        test = [i for i, g in enumerate(groups) if g % FOLDS == fold]
        vec, clf = fit([X[i] for i in train], [y[i] for i in train], C)
        for i, p in zip(test, clf.predict_proba(_int32(vec.transform([X[i] for i in test])))[:, 1]):
            probs[i] = float(p)
    return best_threshold(probs, y, n_gold)


def exported(vec, clf, threshold: float, C: float) -> dict:
    weights = {name: round(float(w), 6) for name, w in zip(vec.feature_names_, clf.coef_[0]) if round(float(w), 6)}
    return {"format": model.FORMAT, "threshold": threshold, "C": C, "weights": dict(sorted(weights.items()))}


# ---------------------------------------------------------------- figures


def figures(triples) -> dict:
    """The extractor's real scores with the model now on disk (kg eval's numbers)."""
    from kg.extract import attributions_in

    predictions = {g["doc_id"]: [r.to_dict() for r in attributions_in(doc, article)] for g, article, doc in triples}
    rel = evaluate.score([g for g, _, _ in triples], predictions)["relation"]
    by_type = rel["recall_content_source_by_gold_type"]
    return {**rel["content_source"], "direct_R": by_type["direct"]["R"], "indirect_R": by_type["indirect"]["R"]}


def card(path: Path, meta: dict) -> str:
    def row(name, f):
        return f"| {name} | {f['F1']} | {f['P']} | {f['R']} | {f['direct_R']} | {f['indirect_R']} |"

    lines = [
        "# Data card: cue_model.json",
        "",
        "Decides which candidate attributions the rules of kg/extract propose are attributions",
        "(kg/extract/model.py applies it; kg/extract/features.py computes its features).",
        "",
        f"- Learner: L2 logistic regression (scikit-learn {meta['sklearn']}, liblinear), weights exported as JSON.",
        f"- Trained on: PolNeAR train ({meta['docs']} articles, {meta['gold']} gold attributions; "
        f"sha256 {meta['sha256'][:16]}...), read in place, never copied into the project.",
        f"- Candidates: {meta['candidates']} ({meta['positives']} labelled attributions: content token "
        "Jaccard >= 0.5 with a gold attribution, paired one to one as the scorer does, and the sources agreeing).",
        f"- Features: {meta['features']} with a non-zero weight (lemmas, parse labels, lexicon ratios; no corpus text).",
        f"- C = {meta['C']} and threshold = {meta['threshold']}: chosen by {FOLDS}-fold cross-validation over "
        f"train documents (F1 of kept candidates {meta['cv_f1']:.3f}); dev was not used to choose them.",
        "- Command: `make train` (bench/train_cue_model.py); the same data gives the same bytes.",
        "",
        "Content+source figures of the whole extractor with this model (kg eval):",
        "",
        "| corpus | F1 | P | R | direct R | indirect R |",
        "| --- | --- | --- | --- | --- | --- |",
        row("train (in sample)", meta["train"]),
    ]
    if meta.get("dev"):
        lines.append(row("dev", meta["dev"]))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("train", nargs="?", default=str(DEFAULT_TRAIN), help="PolNeAR train JSONL")
    ap.add_argument("--dev", help="PolNeAR dev JSONL: its figures go into the data card (never used to fit)")
    ap.add_argument("--cache", type=Path, help="keep the parsed corpora here (DocBin) between runs")
    ap.add_argument("--jobs", type=int, default=1, help="processes for the spaCy pipeline")
    ap.add_argument("-o", "--output", type=Path, default=model.MODEL_PATH)
    args = ap.parse_args(argv)

    import sklearn

    started = time.perf_counter()
    train_gold = evaluate.load_gold(args.train)
    train = parsed(train_gold, args.cache, "train", args.jobs)
    note(f"parsed {len(train)} train articles ({time.perf_counter() - started:.0f} s)")
    X, y, groups, n_gold = dataset(train)
    note(f"{len(y)} candidates, {sum(y)} positive, {n_gold} gold ({time.perf_counter() - started:.0f} s)")
    scores = {C: cross_validated(X, y, groups, n_gold, C) for C in C_GRID}
    for C, (t, f1) in scores.items():
        note(f"C={C}: cross-validated F1 {f1:.4f} at threshold {t}")
    C = max(C_GRID, key=lambda c: (scores[c][1], -c))
    threshold, cv_f1 = scores[C]
    vec, clf = fit(X, y, C)
    weights = exported(vec, clf, threshold, C)
    args.output.write_text(json.dumps(weights, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    os.environ["KG_CUE_MODEL"] = str(args.output)  # the figures below are those of the new model
    model.load.cache_clear()
    meta = {"sklearn": sklearn.__version__, "docs": len(train), "gold": n_gold, "candidates": len(y),
            "positives": sum(y), "features": len(weights["weights"]), "C": C, "threshold": threshold,
            "cv_f1": cv_f1, "sha256": hashlib.sha256(Path(args.train).read_bytes()).hexdigest(),
            "train": figures(train)}
    note(f"train: {meta['train']}")
    if args.dev:
        meta["dev"] = figures(parsed(evaluate.load_gold(args.dev), args.cache, "dev", args.jobs))
        note(f"dev: {meta['dev']}")
    args.output.with_suffix(".md").write_text(card(args.output, meta), encoding="utf-8")
    note(f"wrote {args.output} ({args.output.stat().st_size} bytes) in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
