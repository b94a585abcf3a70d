"""Corroboration grouping (kg.corroborate) against a small gold on PolNeAR dev, its time, and the seeds.

    .venv/bin/python bench/bench_corroborate.py [--dev PATH] [--store DIR] [--threshold T]

bench/corroboration_gold.jsonl holds claims of PolNeAR dev, each as the line number of its article
in dev.jsonl, a sha1 prefix of the article text (checked: a different file is refused) and the
character offsets of the claim, with a gold group id (claims of one id say the same thing) and a
part. No text or document id is stored. Two parts, scored separately:
  from-output (30 claims, groups g*): chosen among claims the grouping of the time put together and
    near-misses (same words, different things); biased towards what the grouping already finds.
  independent (30 claims, groups p*): chosen BEFORE looking at any grouping output, from claims that
    share rare words with claims of another article (topics: temperament, the TPP, Clinton's
    pneumonia, hacking, the private email, Cheryl Mills, the birther controversy, Charlotte,
    Machado's citizenship), then annotated by reading them; it includes a denial worded in the text
    ("neither ... helped") and topical neighbours that are not the same claim.

Steps: dev (../shared/eval/polnear/dev.jsonl, read in place) is written to a temporary JSONL with
ids dev-NNN (its line number) and `kg ingest`ed into a fresh store in a temporary directory (or
--store DIR, reused when it already holds them: ingest skips unchanged articles); regroup() is then
timed alone. Each gold claim is matched to the stored claim of its article whose content span
overlaps it most. Printed: the groups the gold claims fall into (texts shown, not stored), pairwise
precision and recall against the gold (pairs of gold claims put in one group / said to be in one),
the number of groups and claims in the store, regroup time; then the seeds: a fresh store, the
regroup time, and the group of the Kursk claim with its members and independent sources.
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

import kg as api  # noqa: E402
from kg import corroborate, query  # noqa: E402

GOLD = ROOT / "bench" / "corroboration_gold.jsonl"
DEV = ROOT.parent / "shared" / "eval" / "polnear" / "dev.jsonl"

SPANS = """SELECT ?claim ?begin ?end WHERE { GRAPH ?article {
  ?claim a kg:Claim ; kg:span ?span . ?span nif:beginIndex ?begin ; nif:endIndex ?end } }"""


def doc_id(line: int) -> str:
    return f"dev-{line:03d}"


def part(g: dict) -> str:
    return g.get("part", "from-output")


def load_dev(path: Path, gold: list[dict]) -> list[str]:
    texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
    for g in gold:
        if hashlib.sha1(texts[g["line"] - 1].encode("utf-8")).hexdigest()[: len(g["sha1"])] != g["sha1"]:
            sys.exit(f"{path}: line {g['line']} is not the article of the gold (sha1 differs)")
    return texts


def ingest_dev(path: Path, store: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "dev.jsonl"
        with corpus.open("w", encoding="utf-8") as out:
            for n, line in enumerate(path.open(encoding="utf-8"), 1):
                d = json.loads(line)
                out.write(json.dumps({"id": doc_id(n), "text": d["text"], "publisher": d["publisher"],
                                      "published": d.get("publication_date")}) + "\n")
        with api.Graph(store, create=True) as graph:
            clock = time.perf_counter()
            summary = graph.ingest([str(corpus)], jobs=2)
        print(f"ingest: {summary.line()} [{time.perf_counter() - clock:.1f} s]")


def match(store, gold: list[dict]) -> list[str | None]:
    """The stored claim for each gold claim: in its article, the one whose span overlaps most."""
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for row in query.records(query.run(store, SPANS)):
        article = row["claim"].rsplit("/", 1)[-1].split("#")[0]
        spans.setdefault(article, []).append((row["claim"], row["begin"], row["end"]))
    return [closest(sorted(spans.get(doc_id(g["line"]), [])), g["start"], g["end"]) for g in gold]


def closest(candidates, start: int, end: int):
    """Of (item, begin, end) candidates, the item whose span overlaps start-end most, then the one
    closest in length (nested claims, "he expects X" / "X", must not both match the outer one);
    None when none overlaps. Ties: the first."""
    best, key = None, (0, 0)
    for item, begin, stop in candidates:
        overlap = min(stop, end) - max(begin, start)
        k = (overlap, -abs((stop - begin) - (end - start)))
        if overlap > 0 and k > key:
            best, key = item, k
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--store", help="a store directory to (re)use; default: a temporary one")
    parser.add_argument("--threshold", type=float, default=corroborate.THRESHOLD)
    args = parser.parse_args()
    if not args.dev.is_file():
        sys.exit(f"{args.dev}: not found (PolNeAR dev lives in ../shared/eval/polnear/)")
    gold = [json.loads(line) for line in GOLD.open(encoding="utf-8")]
    texts = load_dev(args.dev, gold)

    with tempfile.TemporaryDirectory() as tmp:
        location = args.store or str(Path(tmp) / "dev-store")
        ingest_dev(args.dev, location)
        with api.Graph(location) as graph:
            clock = time.perf_counter()
            summary = corroborate.regroup(graph, threshold=args.threshold)
            seconds = time.perf_counter() - clock
            print(f"regroup (dev): {summary.line()} [{seconds:.2f} s]")
            claims = match(graph.store, gold)
            group_of = {r["claim"]: r for r in graph.claims()}

    print(f"\ngold: {len(gold)} claims, {len(set(g['group'] for g in gold))} gold groups, "
          f"{sum(c is not None for c in claims)} matched to stored claims")
    predicted = [group_of[c]["group"] if c in group_of else f"none:{i}" for i, c in enumerate(claims)]
    by_group: dict[str, list[int]] = {}
    for i, p in enumerate(predicted):
        by_group.setdefault(p, []).append(i)
    for members in sorted(by_group.values(), key=lambda m: (-len(m), m)):
        if len(members) == 1 and all(gold[i]["group"] != gold[j]["group"] for i in members
                                     for j in range(len(gold)) if j != i):
            continue  # alone in both: nothing to show
        row = group_of.get(claims[members[0]])
        print(f"- predicted group of {len(members)} gold claims"
              + (f" ({row['independentSources']} independent sources)" if row else ""))
        for i in members:
            g = gold[i]
            print(f"    [{g['group']:>4}] line {g['line']:>2}: {texts[g['line'] - 1][g['start']:g['end']][:90]!r}")

    print()
    parts = sorted({part(g) for g in gold})
    for name in [*parts, "all"]:
        idx = [i for i, g in enumerate(gold) if name in ("all", part(g))]
        same_gold = {(i, j) for i, j in itertools.combinations(idx, 2) if gold[i]["group"] == gold[j]["group"]}
        same_pred = {(i, j) for i, j in itertools.combinations(idx, 2) if predicted[i] == predicted[j]}
        tp = len(same_gold & same_pred)
        precision = tp / len(same_pred) if same_pred else 1.0
        recall = tp / len(same_gold) if same_gold else 1.0
        print(f"{name:>12} ({len(idx)} claims): pairwise precision {precision:.3f} ({tp}/{len(same_pred)}), "
              f"recall {recall:.3f} ({tp}/{len(same_gold)}); threshold {args.threshold}")
        if name != "all":
            for i, j in sorted(same_pred - same_gold):
                print(f"  wrong pair: line {gold[i]['line']} [{gold[i]['group']}] + line {gold[j]['line']} [{gold[j]['group']}]")
            for i, j in sorted(same_gold - same_pred):
                print(f"  missed pair: line {gold[i]['line']} [{gold[i]['group']}] + line {gold[j]['line']} [{gold[j]['group']}]")

    with tempfile.TemporaryDirectory() as tmp:
        with api.Graph(str(Path(tmp) / "seeds"), create=True) as graph:
            graph.ingest([str(ROOT / "seeds")])
            clock = time.perf_counter()
            summary = corroborate.regroup(graph, threshold=args.threshold)
            print(f"\nregroup (seeds): {summary.line()} [{time.perf_counter() - clock:.2f} s]")
            rows = graph.claims(about="Kursk")
    for group in sorted({r["group"] for r in rows}):
        members = [r for r in rows if r["group"] == group]
        print(f"- {members[0]['independentSources']} independent sources: {members[0]['groupLabel'][:80]!r} <{group}>")
        for r in members:
            via = f" via {r['viaLabel']}" if r["viaLabel"] else ""
            print(f"    {r['sourceLabel']} ({r['sourceType']}){via}: {r['text'][:80]!r}")


if __name__ == "__main__":
    main()
