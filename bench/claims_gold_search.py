"""How bench/claims_gold.jsonl was drawn: a fixed random sample of PolNeAR claims (train and dev),
and for each sampled claim the claims that share its rarest words, to be read.

    .venv/bin/python bench/claims_gold_search.py [--seed 13] [--sample 120] [--candidates 6] [--polnear DIR]

The pool: every gold attribution of ../shared/eval/polnear/{train,dev}.jsonl whose content has
6 to 60 words (shorter ones are fragments, "to Donald Trump", that say nothing on their own).
random.Random(SEED).sample(pool, SAMPLE) draws the sample; nothing of kg is used, so the sample does
not depend on what kg's grouping finds. For each sampled claim, the search ranks the other claims
of the pool by the summed IDF of the words (4 letters or more, lower-cased) they share with it and
prints the top CANDIDATES, with their sources, to be read: those that say the same thing about the
same event go into the sampled claim's group; the first ones read as different are kept as near
misses, each a group of its own. The texts are printed for reading, never written to the project:
the gold keeps each article's text fingerprint (bench_claims_gold.fingerprint) and character offsets,
no document id (bench/README.md says how it was read).
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLNEAR = ROOT.parent / "shared" / "eval" / "polnear"
WORD = re.compile(r"[a-z][a-z'’-]{3,}")
STOP = frozenset("that this with have from they their there would will been were what when which about said "
                 "says into also more than them then just like could should only some other because very".split())


def pool(polnear: Path) -> list[dict]:
    """Every gold attribution of train and dev with a content of 6 to 60 words, in file order."""
    out = []
    for split in ("train", "dev"):
        for line in (polnear / f"{split}.jsonl").open(encoding="utf-8"):
            doc = json.loads(line)
            for a in doc["attributions"]:
                content = a.get("content")
                if not content or not 6 <= len(content["text"].split()) <= 60:
                    continue
                source = a.get("source")
                out.append({"doc_id": doc["doc_id"], "split": split, "publisher": doc["publisher"],
                            "start": content["start"], "end": content["end"], "text": content["text"],
                            "source": source["text"] if source else None})
    return out


def words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if w not in STOP}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--sample", type=int, default=120)
    parser.add_argument("--candidates", type=int, default=6)
    parser.add_argument("--polnear", type=Path, default=POLNEAR)
    args = parser.parse_args()
    claims = pool(args.polnear)
    bags = [words(c["text"]) for c in claims]
    df = Counter(w for bag in bags for w in bag)
    idf = {w: math.log(len(claims) / n) for w, n in df.items()}
    for n, i in enumerate(random.Random(args.seed).sample(range(len(claims)), args.sample), 1):
        seed = claims[i]
        print(f"\n=== S{n} {seed['doc_id']} {seed['start']}-{seed['end']} [{seed['source']}]\n    {seed['text']}")
        scored = sorted(((sum(idf[w] for w in bags[i] & bags[j]), j) for j in range(len(claims)) if j != i),
                        reverse=True)[: args.candidates]
        for score, j in scored:
            c = claims[j]
            print(f"  - {score:5.1f} {c['doc_id']} {c['start']}-{c['end']} [{c['source']}]\n      {c['text']}")


if __name__ == "__main__":
    main()
