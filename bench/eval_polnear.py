"""The extractor on PolNeAR: predictions, the kg.evaluate report and the direct/indirect recall.

    /tmp/kgvenv/bin/python bench/eval_polnear.py [GOLD.jsonl] [--bootstrap N] [--jobs N] [--limit N]

GOLD defaults to PolNeAR dev in ../shared (read in place, never copied into the
project). Articles are built from the gold as they are, boilerplate not blanked,
so that offsets point into the gold text. Predictions go to bench/out/pred.jsonl
(gitignored), one {"doc_id", "attributions"} line per document, so the reference
scorer can check the figures:

    python ../shared/eval/score_attributions.py GOLD bench/out/pred.jsonl

When GOLD is missing, or is the word `synthetic`, a generated corpus with known
attributions is scored instead (a smoke test, not a measure of quality); its gold
is written to bench/out/synthetic_gold.jsonl for the same check.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extract import DEFAULT_DEV, ROOT, note, synthetic_docs, words  # noqa: E402

from kg import evaluate  # noqa: E402
from kg.extract import extract_articles  # noqa: E402

OUT = ROOT / "bench" / "out"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="?", default=str(DEFAULT_DEV),
                    help="PolNeAR-format gold JSONL (default: PolNeAR dev in ../shared), or 'synthetic'")
    ap.add_argument("--bootstrap", type=int, default=0, help="document resamples for 95%% CIs of F1")
    ap.add_argument("--threshold", type=float, default=0.5, help="content Jaccard for a match")
    ap.add_argument("--jobs", type=int, default=1, help="processes for the spaCy pipeline")
    ap.add_argument("--limit", type=int, help="only the first N gold documents")
    ap.add_argument("-o", "--output", default=str(OUT / "pred.jsonl"), help="predictions JSONL")
    args = ap.parse_args(argv)

    OUT.mkdir(parents=True, exist_ok=True)
    gold_path = args.gold
    if gold_path != "synthetic" and not os.path.exists(gold_path):
        note(f"{gold_path} not found; scoring the synthetic corpus instead (a smoke test)")
        gold_path = "synthetic"
    if gold_path == "synthetic":
        gold_path = str(OUT / "synthetic_gold.jsonl")
        with open(gold_path, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in synthetic_docs())
    try:
        gold = evaluate.load_gold(gold_path)[:args.limit]
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    articles = map(evaluate.gold_article, gold)
    predictions: dict[str, list[dict]] = {}
    start = time.perf_counter()
    with open(args.output, "w", encoding="utf-8") as out:
        for article, records in extract_articles(articles, jobs=args.jobs):
            found = [r.to_dict() for r in records]
            predictions[article.id] = found
            out.write(json.dumps({"doc_id": article.id, "attributions": found}, ensure_ascii=False) + "\n")
    seconds = time.perf_counter() - start
    n_words = sum(words(d["text"]) for d in gold)

    result = evaluate.score(gold, predictions, threshold=args.threshold, bootstrap=args.bootstrap)
    print(f"gold: {gold_path}: {len(gold)} documents, {n_words:,} words; "
          f"extracted in {seconds:.1f} s ({n_words / seconds:,.0f} words/s, jobs={args.jobs})")
    print(f"predictions: {args.output}\n")
    print(evaluate.format_report(result))
    by_type = result["relation"]["recall_content_source_by_gold_type"]
    headline = result["relation"]["content_source"]
    print(f"\ncontent+source F1 {headline['F1']:.1f} (P {headline['P']:.1f}, R {headline['R']:.1f}); "
          f"recall direct {by_type['direct']['R']:.1f} of {by_type['direct']['n']}, "
          f"indirect {by_type['indirect']['R']:.1f} of {by_type['indirect']['n']}")
    scorer = ROOT.parent / "shared" / "eval" / "score_attributions.py"
    if scorer.exists() and not args.limit:  # with --limit the scorer would count the rest as missed
        print(f"check: python {os.path.relpath(scorer)} {os.path.relpath(gold_path)} {os.path.relpath(args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
