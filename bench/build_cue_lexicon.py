"""Build kg/extract/cue_lexicon.tsv from PolNeAR train (in ../shared, never copied here).

For every verb and noun of the training articles we count how often it is the
head of a gold attribution cue, per lemma and syntactic frame (a verb with a
clausal complement is a different thing from the same verb with an object).
Only lemmas and counts land in the project: no text of the corpus.

    .venv/bin/python bench/build_cue_lexicon.py ../shared/eval/polnear/train.jsonl
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.extract import nlp as kg_nlp  # noqa: E402
from kg.extract.cues import LEXICON_PATH, key_of  # noqa: E402
from kg.extract.quotes import find_quotes, is_quoted  # noqa: E402

MIN_CUE_COUNT = 2
MIN_TOTAL = 20


def cue_token_ids(doc, attributions) -> set[int]:
    """Token indices lying inside any gold cue span."""
    ids = set()
    for a in attributions:
        if not a.get("cue"):
            continue
        for s, e in a["cue"]["spans"]:
            span = doc.char_span(s, e, alignment_mode="expand")
            if span is not None:
                ids.update(t.i for t in span)
    return ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("train", help="PolNeAR train JSONL")
    ap.add_argument("-o", "--output", default=str(LEXICON_PATH))
    args = ap.parse_args()

    docs = [json.loads(line) for line in open(args.train, encoding="utf-8")]
    nlp = kg_nlp.load()
    cue = collections.Counter()
    total = collections.Counter()
    texts = ((d["text"], d) for d in docs)
    for doc, gold in nlp.pipe(texts, as_tuples=True, batch_size=20, disable=["ner"]):
        gold_ids = cue_token_ids(doc, gold["attributions"])
        quotes = find_quotes(doc.text)
        for tok in doc:
            if tok.pos_ not in ("VERB", "NOUN", "AUX"):
                continue
            key = key_of(tok, is_quoted(quotes, tok.idx))
            total[key] += 1
            if tok.i in gold_ids:
                cue[key] += 1
    # Frames never or rarely seen as cues are kept too when frequent: "this is not a cue" is data.
    rows = sorted((k for k in total if cue[k] >= MIN_CUE_COUNT or total[k] >= MIN_TOTAL),
                  key=lambda k: (-cue[k], -total[k], k))
    with open(args.output, "w", encoding="utf-8") as out:
        out.write("# lemma\tpos\tframe\tquoted\tcue\ttotal  (built by bench/build_cue_lexicon.py from PolNeAR train)\n")
        for k in rows:
            out.write("\t".join(k) + f"\t{cue[k]}\t{total[k]}\n")
    print(f"{len(rows)} entries -> {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
