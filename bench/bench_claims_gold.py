"""kg's claim groups against bench/claims_gold.jsonl: 269 PolNeAR claims (train and dev) grouped by reading.

    .venv/bin/python bench/bench_claims_gold.py [--store DIR] [--polnear DIR] [--jobs 2]

The gold (how it was drawn and read: bench/README.md, bench/claims_gold_search.py) holds, per claim,
its article's fingerprint (the first 16 hex digits of the SHA-256 of its PolNeAR text: the project
names no PolNeAR article; two articles of the same text are one) and the character offsets of its content, its gold group, its source key
within the group (null: no source an analyst counts) and how it was drawn (sample, same, near). No
text. Without ../shared/eval/polnear the bench says so and exits 0.

Steps: the articles of the gold claims are ingested (read in place, with their PolNeAR ids,
publishers and dates) into a fresh store in a temporary directory and grouped by kg ingest's
regroup; or --store DIR, a store that holds them already under the same ids (a store of all of
train and dev: the grouping then sees the whole corpus). Each gold claim is matched to the stored
claim of its article whose words overlap it most; a gold claim kg did not extract stays unmatched and
out of the scores. Printed:
  pairwise precision and recall: over the pairs of matched gold claims, "in one kg group" against
    "in one gold group";
  independent sources: for each gold group with a matched claim, right when kg puts its matched claims
    in one group and counts, over them, as many independent sources (kg.corroborate.count_members:
    its source resolution and its rules) as the gold's distinct source keys among them;
then the pairs kg missed or made wrongly, and the groups whose count is wrong.
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import kg as api  # noqa: E402
from bench_corroborate import closest  # noqa: E402
from kg import corroborate, query, rdf  # noqa: E402

GOLD = ROOT / "bench" / "claims_gold.jsonl"
POLNEAR = ROOT.parent / "shared" / "eval" / "polnear"
IN_GROUP = "SELECT ?claim ?group WHERE { GRAPH kgg:claim-groups { ?claim kg:inGroup ?group } }"


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def articles(polnear: Path, prints: set[str]) -> dict[str, dict]:
    """The PolNeAR documents whose texts have these fingerprints, by fingerprint (train and dev, read
    in place; of two with the same text, the first in file order)."""
    out: dict[str, dict] = {}
    for split in ("train", "dev"):
        for line in (polnear / f"{split}.jsonl").open(encoding="utf-8"):
            doc = json.loads(line)
            key = fingerprint(doc["text"])
            if key in prints:
                out.setdefault(key, doc)
    missing = prints - set(out)
    if missing:
        sys.exit(f"{polnear}: {len(missing)} gold articles missing (e.g. {sorted(missing)[0]}): not the gold's PolNeAR")
    return out


def ingest(docs: dict[str, dict], store: str, jobs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "gold-articles.jsonl"
        with corpus.open("w", encoding="utf-8") as out:
            for doc_id, d in sorted(docs.items()):
                out.write(json.dumps({"id": doc_id, "text": d["text"], "publisher": d["publisher"],
                                      "published": d.get("publication_date")}) + "\n")
        with api.Graph(store, create=True) as graph:
            summary = graph.ingest([str(corpus)], jobs=jobs)
        print(f"ingest: {summary.line()}")


def match(records, gold: list[dict]) -> list:
    """The stored claim record for each gold claim: in its article, the one whose words overlap it
    most, then the one closest in length (nested claims must not both match the outer one). A stored
    claim stands for one gold claim at most, the one it overlaps most: when kg extracted two gold
    claims as one (two quotations joined), the other is a claim kg did not extract, not a pair it
    grouped."""
    by_article: dict[str, list] = {}
    for r in records:
        by_article.setdefault(r.article, []).append(r)
    found = [closest(((r, r.start, r.end) for r in by_article.get(rdf.article_iri(g["doc_id"]), [])),
                     g["start"], g["end"]) for g in gold]
    best: dict[str, int] = {}
    for i, r in enumerate(found):
        if r is not None:
            k = best.setdefault(r.claim, i)
            if _overlap(r, gold[i]) > _overlap(r, gold[k]):
                best[r.claim] = i
    return [r if r is not None and best[r.claim] == i else None for i, r in enumerate(found)]


def _overlap(record, g: dict) -> int:
    return min(record.end, g["end"]) - max(record.start, g["start"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="a store that holds the gold's articles under their PolNeAR ids")
    parser.add_argument("--polnear", type=Path, default=POLNEAR)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if not (args.polnear / "train.jsonl").is_file():
        print(f"skipped: no PolNeAR at {args.polnear} (it lives in ../shared/eval/polnear/, outside the project)")
        return
    gold = [json.loads(line) for line in GOLD.open(encoding="utf-8")]
    by_print = articles(args.polnear, {g["article"] for g in gold})
    docs = {d["doc_id"]: d for d in by_print.values()}
    for g in gold:
        g["doc_id"] = by_print[g["article"]]["doc_id"]  # known at run time only, from ../shared
        if not 0 <= g["start"] < g["end"] <= len(docs[g["doc_id"]]["text"]):
            sys.exit(f"{GOLD}: offsets {g['start']}-{g['end']} outside {g['doc_id']}")

    with tempfile.TemporaryDirectory() as tmp:
        location = args.store or str(Path(tmp) / "store")
        if not args.store:
            ingest(docs, location, args.jobs)
        with api.Graph(location, read_only=bool(args.store)) as graph:
            clock = time.perf_counter()
            records = list(corroborate.read_claims(graph.store))
            group_of = {r["claim"]: r["group"] for r in query.records(query.run(graph.store, IN_GROUP))}
            print(f"store: {len(records)} claims, {len(set(group_of.values()))} groups "
                  f"(read in {time.perf_counter() - clock:.1f} s)")
    found = match(records, gold)
    matched = [i for i, r in enumerate(found) if r is not None]
    print(f"gold: {len(gold)} claims in {len({g['group'] for g in gold})} groups; "
          f"{len(matched)} matched to stored claims")

    predicted = {i: group_of.get(found[i].claim, f"none:{i}") for i in matched}
    same_gold = {(i, j) for i, j in itertools.combinations(matched, 2) if gold[i]["group"] == gold[j]["group"]}
    same_pred = {(i, j) for i, j in itertools.combinations(matched, 2) if predicted[i] == predicted[j]}
    tp = len(same_gold & same_pred)
    precision = tp / len(same_pred) if same_pred else 1.0
    recall = tp / len(same_gold) if same_gold else 1.0
    print(f"pairwise precision {precision:.3f} ({tp}/{len(same_pred)}), recall {recall:.3f} ({tp}/{len(same_gold)})")

    members: dict[str, list[int]] = {}
    for i in matched:
        members.setdefault(gold[i]["group"], []).append(i)
    wrong = []
    for group, idx in sorted(members.items()):
        expected = len({gold[i]["source"] for i in idx} - {None})
        together = len({predicted[i] for i in idx}) == 1
        counted = corroborate.independent_sources([found[i] for i in idx])
        if not (together and counted == expected):
            wrong.append((group, expected, counted, together))
    right = len(members) - len(wrong)
    print(f"independent sources right for {right}/{len(members)} gold groups ({right / len(members):.1%})")

    for title, pairs in (("wrong pair", same_pred - same_gold), ("missed pair", same_gold - same_pred)):
        for i, j in sorted(pairs):
            print(f"  {title}: [{gold[i]['group']}] {gold[i]['doc_id']} {gold[i]['start']}-{gold[i]['end']}"
                  f" + [{gold[j]['group']}] {gold[j]['doc_id']} {gold[j]['start']}-{gold[j]['end']}")
    for group, expected, counted, together in wrong:
        split = "" if together else ", split over several kg groups"
        print(f"  count: [{group}] gold {expected}, kg {counted}{split}")


if __name__ == "__main__":
    main()
