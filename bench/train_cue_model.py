"""Train kg/extract/cue_model.json: where rule candidates end, and which are attributions (`make train`).

    .venv/bin/python bench/train_cue_model.py [TRAIN.jsonl] [--dev DEV.jsonl] [--cache DIR]

1. Parse PolNeAR train (read in place in ../shared, never copied) with the shipped
   pipeline and collect every candidate record the rules propose, each boundary
   variant of a cue one (kg.extract.candidates_in, kg/extract/boundaries.py), with
   its features (kg/extract/features.py).
2. Label each candidate the way the scorer counts it: content token Jaccard >= 0.5
   with a gold attribution and the sources agreeing; whether the scorer's one-to-one
   pairing (kg.evaluate.pair_attributions) gives the cue that gold attribution.
3. Fit two L2 logistic regressions (scikit-learn, liblinear: deterministic): the
   boundary model, over the variants of cues that have a matching one; then the cue
   model, over the variant the boundary model chooses for each cue. Choose both Cs
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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg import evaluate  # noqa: E402
from kg.extract import candidates_in, model  # noqa: E402

DEFAULT_TRAIN = ROOT.parent / "shared" / "eval" / "polnear" / "train.jsonl"
C_GRID = (0.1, 0.3, 1.0)
C_BOUNDARY_GRID = (0.3, 1.0)
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


@dataclass
class Data:
    """Every candidate of a corpus: its features, labels, and the cue it belongs to."""

    X: list[dict] = field(default_factory=list)
    paired: list[int] = field(default_factory=list)  # the scorer pairs it with a gold attribution it matches
    matches: list[int] = field(default_factory=list)  # it would match some gold attribution, paired or not
    cues: list[tuple[int, int]] = field(default_factory=list)  # (document number, cue token)
    n_gold: int = 0

    def groups(self) -> dict[tuple[int, int], list[int]]:
        """Candidate numbers per cue, the rules' own variant first (boundaries.with_variants' order)."""
        out: dict[tuple[int, int], list[int]] = {}
        for i, cue in enumerate(self.cues):
            out.setdefault(cue, []).append(i)
        return out


def labelled(gold_doc: dict, records_features) -> tuple[list[int], list[int]]:
    """Per candidate: whether the scorer's one-to-one pairing counts it as a content+source match,
    and whether it matches some gold attribution at all (content Jaccard >= 0.5, sources agreeing)."""
    predicted = [r.to_dict() for r, _ in records_features]
    pairing = evaluate.pair_attributions(evaluate.TokenIndex(gold_doc["text"]), gold_doc["attributions"],
                                         predicted, 0.5)  # the scorer's own pairing and source test
    good = {p for g, p in pairing.pairs if pairing.agrees(g, p, "source")}
    matches = [int(any(evaluate.jaccard(g["content"], p["content"]) >= 0.5 and evaluate.tokens_agree(
        g["source"], p["source"]) for g in pairing.gold if g["content"])) if p["content"] else 0
        for p in pairing.predicted]
    return [int(n in good) for n in range(len(predicted))], matches


def dataset(triples) -> Data:
    data = Data()
    for number, (gold_doc, article, doc) in enumerate(triples):
        candidates = candidates_in(doc, article)
        paired, matches = labelled(gold_doc, candidates)
        data.X += [feats for _, feats in candidates]
        data.paired += paired
        data.matches += matches
        data.cues += [(number, record.cue_token) for record, _ in candidates]
        data.n_gold += len(gold_doc["attributions"])
    return data


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


def boundary_rows(data: Data, docs) -> tuple[list[int], list[int]]:
    """Stage 1, which variant: every variant of a cue that has more than one and some that match."""
    rows = [i for (doc, _), members in data.groups().items() if doc in docs and len(members) > 1
            and any(data.matches[i] for i in members) for i in members]
    return rows, [data.matches[i] for i in rows]


def chosen(data: Data, boundary, docs) -> list[tuple[int, int]]:
    """Per cue of these documents: the variant the boundary model chooses (the first of the best, as
    the extractor does), and whether it counts: some variant of the cue is paired with gold (so no
    other cue takes that gold) and the chosen one matches it."""
    groups = [members for (doc, _), members in data.groups().items() if doc in docs]
    rows = [i for members in groups for i in members]
    vec, clf = boundary
    score = dict(zip(rows, clf.decision_function(_int32(vec.transform([data.X[i] for i in rows])))))
    out = []
    for members in groups:
        best = max(members, key=lambda i: score[i])
        out.append((best, int(any(data.paired[i] for i in members) and data.matches[best])))
    return out


def fit_both(data: Data, docs, C: float, C_boundary: float):
    """The boundary model, then the cue model on the variants it chooses."""
    rows, labels = boundary_rows(data, docs)
    boundary = fit([data.X[i] for i in rows], labels, C_boundary)
    picked = chosen(data, boundary, docs)
    return fit([data.X[i] for i, _ in picked], [good for _, good in picked], C), boundary


def best_threshold(per_cue: list[tuple[float, int]], n_gold: int) -> tuple[float, float]:
    """The threshold (on a 0.01 grid) maximising F1 = 2 TP / (kept + gold), and that F1."""
    best = (0.5, 0.0)
    for t in [i / 100 for i in range(5, 96)]:
        kept = sum(p >= t for p, _ in per_cue)
        tp = sum(p >= t and good for p, good in per_cue)
        f1 = 2 * tp / (kept + n_gold) if kept + n_gold else 0.0
        if f1 > best[1] + 1e-12:
            best = (t, f1)
    return best


def cross_validated(data: Data, C: float, C_boundary: float) -> tuple[float, float]:
    """Out-of-fold decisions over documents (fold = document number mod FOLDS): best threshold, F1."""
    n_docs = max(doc for doc, _ in data.cues) + 1
    per_cue = []
    for fold in range(FOLDS):
        test = {d for d in range(n_docs) if d % FOLDS == fold}
        (vec, clf), boundary = fit_both(data, set(range(n_docs)) - test, C, C_boundary)
        picked = chosen(data, boundary, test)
        probs = clf.predict_proba(_int32(vec.transform([data.X[i] for i, _ in picked])))[:, 1]
        per_cue += [(float(p), good) for p, (_, good) in zip(probs, picked)]
    return best_threshold(per_cue, data.n_gold)


def weights_of(vec, clf) -> dict[str, float]:
    weights = {name: round(float(w), 6) for name, w in zip(vec.feature_names_, clf.coef_[0]) if round(float(w), 6)}
    return dict(sorted(weights.items()))


def exported(cue, boundary, threshold: float, C: float, C_boundary: float) -> dict:
    return {"format": model.FORMAT, "threshold": threshold, "C": C, "weights": weights_of(*cue),
            "boundary_C": C_boundary, "boundary": weights_of(*boundary)}


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
        "Chooses where each candidate attribution the rules of kg/extract propose ends (among the",
        "boundary variants of kg/extract/boundaries.py), then decides which candidates are attributions",
        "(kg/extract/model.py applies it; kg/extract/features.py computes its features).",
        "",
        f"- Learner: two L2 logistic regressions (scikit-learn {meta['sklearn']}, liblinear), weights exported",
        "  as JSON: the boundary model ranks a cue's variants, the cue model judges the chosen one.",
        f"- Trained on: PolNeAR train ({meta['docs']} articles, {meta['gold']} gold attributions; "
        f"sha256 {meta['sha256'][:16]}...), read in place, never copied into the project.",
        f"- Candidates: {meta['candidates']} variants of {meta['cues']} cues ({meta['positives']} paired with a "
        "gold attribution: content token Jaccard >= 0.5, paired one to one as the scorer does, sources agreeing).",
        f"- Features: {meta['features']} (cue model) and {meta['boundary_features']} (boundary model) with a "
        "non-zero weight (lemmas, parse labels, lexicon ratios; no corpus text).",
        f"- C = {meta['C']}, boundary C = {meta['C_boundary']} and threshold = {meta['threshold']}: chosen by "
        f"{FOLDS}-fold cross-validation over "
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
    data = dataset(train)
    note(f"{len(data.X)} candidates in {len(data.groups())} cues, {sum(data.paired)} positive, "
         f"{data.n_gold} gold ({time.perf_counter() - started:.0f} s)")
    scores = {(C, Cb): cross_validated(data, C, Cb) for C in C_GRID for Cb in C_BOUNDARY_GRID}
    for (C, Cb), (t, f1) in scores.items():
        note(f"C={C}, boundary C={Cb}: cross-validated F1 {f1:.4f} at threshold {t}")
    C, C_boundary = max(scores, key=lambda c: (scores[c][1], -c[0], -c[1]))
    threshold, cv_f1 = scores[C, C_boundary]
    cue, boundary = fit_both(data, set(range(len(train))), C, C_boundary)
    weights = exported(cue, boundary, threshold, C, C_boundary)
    args.output.write_text(json.dumps(weights, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    os.environ["KG_CUE_MODEL"] = str(args.output)  # the figures below are those of the new model
    model.load.cache_clear()
    meta = {"sklearn": sklearn.__version__, "docs": len(train), "gold": data.n_gold, "candidates": len(data.X),
            "cues": len(data.groups()), "positives": sum(data.paired), "features": len(weights["weights"]),
            "boundary_features": len(weights["boundary"]), "C": C, "C_boundary": C_boundary, "threshold": threshold,
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
