"""Entity resolution: merge quality against a gold of canonical clusters, and what it costs.

    /tmp/kgvenv/bin/python bench/bench_resolve.py [--gold bench/resolve_gold.jsonl]
        [--dev ../shared/eval/polnear/dev.jsonl] [--repeat R] [--sizes 10000,100000] [--errors N] [--no-cost]

Quality. bench/resolve_gold.jsonl holds, for 20 PolNeAR dev articles, one line per distinct gold
source span: {"doc" (line in dev.jsonl), "doc_sha1", "start", "end", "cluster"}; offsets only, no
text of the corpus and no article named. Mentions of
one real-world referent share a cluster id, across articles too ("donald-trump"); anonymous and
collective sources have clusters local to their article ("<doc_id>:officials"). The 20 articles are
extracted from the dev gold text (`kg.evaluate.gold_article`) and resolved by ONE Resolver, so that
cross-article merges count. Each gold mention takes the entity of the predicted source mention
that overlaps it most (in characters); gold mentions that no predicted source overlaps are counted
apart ("no predicted source") and left out of the scores. Over the matched mentions:
  pairwise   a pair of mentions is gold-merged if same cluster, predicted-merged if same entity IRI;
             precision = both / predicted-merged pairs, recall = both / gold-merged pairs
             (targets: precision >= 0.95, recall >= 0.85), also split within / across articles, and
             without the mentions that are only a pronoun (their entity is mostly coref's doing);
  B-cubed    per-mention precision and recall of its predicted entity against its gold cluster, averaged.
--errors N prints the N worst false merges (an entity holding several gold clusters) and splits (a
gold cluster over several entities), with the mention texts (to the terminal only).

Cost (skipped with --no-cost).
  1. PolNeAR dev (all articles, as `iter_documents` reads them): interleaved rounds of extraction
     alone (`extract_articles`, records consumed) and extraction + `Resolver.resolve` on each
     article (a fresh Resolver each round, the register loaded once before); medians and the ratio
     (target: resolution adds <= 10 %), cross-checked by the time spent inside `resolve` itself.
  2. Linearity: synthetic streams of --sizes mentions built from the dev records (no spaCy): the
     articles' records replayed under new article ids ("syn-000123"), each replay's persons given a
     synthetic first name ("Kabode Barack Obama") so the index of people grows with the stream;
     `Resolver.resolve` over the stream then `finish()` is timed on each (median of R runs, a fresh Resolver each): seconds and
     microseconds per mention. Linear if the per-mention cost is about flat from size to size.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extract import BATCH_SIZE, DEFAULT_DEV, ROOT, Clock, load_articles  # noqa: E402

from kg.resolve import register  # noqa: E402
from kg.documents import Article  # noqa: E402
from kg.evaluate import gold_article, load_gold  # noqa: E402
from kg.extract import extract_articles  # noqa: E402
from kg.extract.records import Attribution, Source, Span  # noqa: E402
from kg.resolve import Resolver  # noqa: E402

DEFAULT_GOLD = ROOT / "bench" / "resolve_gold.jsonl"
# Mentions that are only a pronoun: their entity is mostly coref's doing (kg/extract/coref.py).
PRONOUNS = frozenset("he she him his her hers i me my we us they them their it its who whom which that "
                     "this these those each all".split())


# ---------------------------------------------------------------- quality


def read_clusters(path: str | Path, dev_ids: list[str]) -> list[dict]:
    """The gold mentions, checked. On disk an article is its line number in the dev file plus a
    hash of its doc_id (so that the project names no PolNeAR article); here it is the doc_id again,
    and a local cluster "d<line>:officials" becomes "<doc_id>:officials"."""
    mentions = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            m = json.loads(line)
            if not (isinstance(m.get("doc"), int) and isinstance(m.get("start"), int)
                    and isinstance(m.get("end"), int) and m["start"] < m["end"] and m.get("cluster")):
                raise ValueError(f"{path}:{number}: needs doc, start < end and cluster")
            if not 0 <= m["doc"] < len(dev_ids) or \
                    hashlib.sha1(dev_ids[m["doc"]].encode()).hexdigest()[:12] != m.get("doc_sha1"):
                raise ValueError(f"{path}:{number}: article {m['doc']} is not the one of this gold (another dev file?)")
            doc_id = dev_ids[m["doc"]]
            local, _, rest = m["cluster"].partition(":")
            if rest and local != f"d{m['doc']}":
                raise ValueError(f"{path}:{number}: local cluster {m['cluster']!r} outside its article")
            cluster = f"{doc_id}:{rest}" if rest else m["cluster"]
            mentions.append({"doc_id": doc_id, "start": m["start"], "end": m["end"], "cluster": cluster})
    return mentions


def overlap(a: tuple[int, int], span: Span) -> int:
    return sum(max(0, min(a[1], e) - max(a[0], s)) for s, e in (span.fragments or ((span.start, span.end),)))


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(items: list[tuple[str, str]]) -> tuple[int, int, int]:
    """(both, predicted-merged, gold-merged) pair counts of (gold cluster, predicted entity) items."""
    both = sum(pairs(n) for n in Counter(items).values())
    predicted = sum(pairs(n) for n in Counter(p for _, p in items).values())
    gold = sum(pairs(n) for n in Counter(g for g, _ in items).values())
    return both, predicted, gold


def b_cubed(items: list[tuple[str, str]]) -> tuple[float, float]:
    cell, by_gold, by_pred = Counter(items), Counter(g for g, _ in items), Counter(p for _, p in items)
    precision = sum(cell[g, p] / by_pred[p] for g, p in items) / len(items)
    recall = sum(cell[g, p] / by_gold[g] for g, p in items) / len(items)
    return precision, recall


def ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def print_worst(matched: list[dict], group: str, part: str, label: str, errors: int, show) -> None:
    """The `errors` groups (by entity, or by gold cluster) that split into most pairs of different
    parts (gold clusters, or entities), with the mentions of each part."""
    by_group = defaultdict(list)
    for m in matched:
        by_group[m[group]].append(m)
    worst = []
    for key, ms in by_group.items():
        bad = pairs(len(ms)) - sum(pairs(n) for n in Counter(m[part] for m in ms).values())
        if bad:
            worst.append((bad, key, ms))
    for bad, key, ms in sorted(worst, key=lambda w: -w[0])[:errors]:
        parts = defaultdict(list)
        for m in ms:
            parts[m[part]].append(show(m))
        print(f"  {bad:5d} {label} pairs  {key}")
        for name, shown in sorted(parts.items(), key=lambda g: -len(g[1])):
            print(f"          {name} x{len(shown)}: {', '.join(list(dict.fromkeys(shown))[:6])}")


def quality(gold_path: str, dev_path: str, errors: int, reg) -> None:
    dev_docs = load_gold(dev_path)
    mentions = read_clusters(gold_path, [d["doc_id"] for d in dev_docs])
    doc_ids = list(dict.fromkeys(m["doc_id"] for m in mentions))
    dev = {d["doc_id"]: d for d in dev_docs}
    missing = [d for d in doc_ids if d not in dev]
    if missing:
        raise ValueError(f"{len(missing)} gold articles are not in {dev_path}, e.g. {missing[0]}")
    texts = {d: dev[d]["text"] for d in doc_ids}

    resolver = Resolver(reg)
    predicted: dict[str, list[tuple[Span, str]]] = {}
    start = time.perf_counter()
    for article, records in extract_articles((gold_article(dev[d]) for d in doc_ids), batch_size=BATCH_SIZE):
        resolver.resolve(article, records)
        predicted[article.id] = [r.source for r in records if r.source is not None]
    resolver.finish()
    seconds = time.perf_counter() - start
    predicted = {doc: [(s.mention, s.entity) for s in sources] for doc, sources in predicted.items()}

    matched: list[dict] = []
    unmatched: list[dict] = []
    for m in mentions:
        best = max(predicted[m["doc_id"]], key=lambda p: overlap((m["start"], m["end"]), p[0]), default=None)
        if best is None or overlap((m["start"], m["end"]), best[0]) == 0:
            unmatched.append(m)
        else:
            # a source left without an entity (a pronoun coref could not resolve) is merged with nothing
            entity = best[1] or f"unresolved:{m['doc_id']}:{best[0].start}"
            matched.append({**m, "entity": entity, "predicted": best[0].text})

    clusters = Counter(m["cluster"] for m in mentions)
    crossing = [c for c in clusters if len({m["doc_id"] for m in mentions if m["cluster"] == c}) > 1]
    n_pred = sum(len(p) for p in predicted.values())
    print(f"gold: {gold_path}: {len(doc_ids)} articles, {len(mentions)} mentions, {len(clusters)} clusters "
          f"({sum(1 for c in clusters if ':' not in c)} global, {len(crossing)} across articles: "
          f"{', '.join(sorted(crossing))}); singletons {sum(1 for n in clusters.values() if n == 1)}")
    print(f"predicted: {n_pred} sourced records in {seconds:.1f} s, {len(resolver.entities)} entities")
    print(f"matched gold mentions {len(matched)}; no predicted source {len(unmatched)} "
          f"({100 * len(unmatched) / len(mentions):.1f} %)")

    items = [(m["cluster"], m["entity"]) for m in matched]
    both, pred, gold = pairwise(items)
    p, r = ratio(both, pred), ratio(both, gold)
    print(f"\nPAIRWISE over {len(matched)} matched mentions ({pairs(len(matched)):,} pairs): "
          f"gold-merged {gold:,}, predicted-merged {pred:,}, both {both:,}")
    print(f"  precision {p:.3f} (target >= 0.95: {'met' if p >= 0.95 else 'NOT met'})   "
          f"recall {r:.3f} (target >= 0.85: {'met' if r >= 0.85 else 'NOT met'})   F1 {f1(p, r):.3f}")
    # within an article / across articles: the same counts over the pairs of each kind
    by_doc = defaultdict(list)
    for m in matched:
        by_doc[m["doc_id"]].append((m["cluster"], m["entity"]))
    w_both, w_pred, w_gold = map(sum, zip(*(pairwise(v) for v in by_doc.values())))
    x_both, x_pred, x_gold = both - w_both, pred - w_pred, gold - w_gold
    print(f"  within articles: P {ratio(w_both, w_pred):.3f} R {ratio(w_both, w_gold):.3f} "
          f"(gold {w_gold:,}, predicted {w_pred:,}, both {w_both:,} pairs)")
    print(f"  across articles: P {ratio(x_both, x_pred):.3f} R {ratio(x_both, x_gold):.3f} "
          f"(gold {x_gold:,}, predicted {x_pred:,}, both {x_both:,} pairs)")
    named = [(m["cluster"], m["entity"]) for m in matched
             if texts[m["doc_id"]][m["start"]:m["end"]].casefold() not in PRONOUNS]
    n_both, n_pred, n_gold = pairwise(named)
    print(f"  without pronoun mentions ({len(matched) - len(named)} left out, {len(named)} kept): "
          f"P {ratio(n_both, n_pred):.3f} R {ratio(n_both, n_gold):.3f} "
          f"(gold {n_gold:,}, predicted {n_pred:,}, both {n_both:,} pairs)")
    bp, br = b_cubed(items)
    print(f"B-CUBED over the same mentions: precision {bp:.3f}   recall {br:.3f}   F1 {f1(bp, br):.3f}")

    if errors:
        def show(m):
            return f"{texts[m['doc_id']][m['start']:m['end']]!r}"
        print(f"\nfalse merges (entities holding several gold clusters), worst {errors}:")
        print_worst(matched, "entity", "cluster", "wrong", errors, show)
        print(f"splits (gold clusters over several entities), worst {errors}:")
        print_worst(matched, "cluster", "entity", "missed", errors, show)
        if unmatched:
            print(f"no predicted source ({len(unmatched)}): "
                  + ", ".join(show(m) for m in unmatched[:40]) + (" ..." if len(unmatched) > 40 else ""))


# ---------------------------------------------------------------- cost


def time_dev(articles: list[Article], reg, repeat: int) -> list[tuple[Article, list[Attribution]]]:
    """Interleaved rounds of extraction alone and extraction + resolution; returns the last records."""
    def extract_only() -> Clock:
        with Clock() as clock:
            for _article, _records in extract_articles(articles, batch_size=BATCH_SIZE):
                pass
        return clock

    def extract_resolve() -> tuple[Clock, float, list]:
        resolver, inside, kept = Resolver(reg), 0.0, []
        with Clock() as clock:
            for article, records in extract_articles(articles, batch_size=BATCH_SIZE):
                t = time.perf_counter()
                resolver.resolve(article, records)
                inside += time.perf_counter() - t
                kept.append((article, records))
        return clock, inside, kept

    extract_only()  # warm-up: the model, the lexicons, the process's working size
    alone, both, inside, kept = [], [], [], []
    for r in range(1, repeat + 1):
        alone.append(extract_only())
        clock, seconds, kept = extract_resolve()
        both.append(clock)
        inside.append(seconds)
        print(f"round {r}: extract {alone[-1].wall:6.2f} s   extract+resolve {both[-1].wall:6.2f} s "
              f"(resolve inside {seconds:.3f} s)   ratio {both[-1].wall / alone[-1].wall:.3f}", flush=True)
    med_alone, med_both = statistics.median(c.wall for c in alone), statistics.median(c.wall for c in both)
    med_inside = statistics.median(inside)
    n_mentions = sum(1 for _a, rs in kept for r in rs if r.source is not None)
    added = med_both / med_alone - 1
    print(f"extraction alone        median {med_alone:6.2f} s (CPU {statistics.median(c.cpu for c in alone):.2f} s)")
    print(f"extraction + resolution median {med_both:6.2f} s (CPU {statistics.median(c.cpu for c in both):.2f} s)")
    print(f"ratio {med_both / med_alone:.3f}: resolution adds {100 * added:+.1f} % "
          f"(target <= 10 %: {'met' if added <= 0.10 else 'NOT met'}); per-round ratios "
          f"{statistics.median(b.wall / a.wall for a, b in zip(alone, both)):.3f}")
    print(f"  time inside resolve   median {med_inside:.3f} s = {100 * med_inside / med_alone:.2f} % of extraction, "
          f"{1e6 * med_inside / n_mentions:.1f} us per mention ({n_mentions} sourced records)")
    return kept


SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]  # 70: letters only (person_key drops digits)


def first_name(n: int) -> str:
    """A distinct made-up first name for each n: 'Baba', 'Bebe', ..., three syllables at least."""
    parts = []
    for _ in range(3):
        n, i = divmod(n, len(SYLLABLES))
        parts.append(SYLLABLES[i])
    while n:
        n, i = divmod(n, len(SYLLABLES))
        parts.append(SYLLABLES[i])
    return "".join(parts).capitalize()


def synthetic_stream(templates: list[tuple[Article, list[Attribution]]], size: int
                     ) -> list[tuple[Article, list[Attribution]]]:
    """`size` sourced records: the dev articles' records replayed under new ids, persons renamed."""
    stream, total, k = [], 0, 0
    while total < size:
        _article, records = templates[k % len(templates)]
        aid = f"syn-{k:06d}"
        first = first_name(k)
        new_ids = {r.id: f"{aid}#a{n}" for n, r in enumerate(records, 1)}
        out = []
        for r in records:
            if r.source is None:
                continue
            if total == size:
                break
            s = r.source
            name = f"{first} {s.name}" if s.type == "Person" and len(s.name.split()) > 1 else s.name
            mention = Span(s.mention.start, s.mention.end, s.mention.text, s.mention.fragments)
            out.append(Attribution(id=new_ids[r.id], source=Source(mention, name=name, type=s.type, role=s.role),
                                   cue=None, content=Span(0, 0, ""), kind=r.kind, cites=new_ids.get(r.cites)))
            total += 1
        stream.append((Article(id=aid, text=""), out))
        k += 1
    return stream


def time_linearity(templates, reg, sizes: list[int], repeat: int) -> None:
    rows = []
    for size in sizes:
        stream = synthetic_stream(templates, size)
        runs, entities = [], 0
        for _ in range(repeat):
            # fresh records each run: resolve() writes entity and type into them
            fresh = [(a, [Attribution(id=r.id, source=Source(r.source.mention, r.source.name, r.source.type,
                                                                   r.source.role),
                                      cue=None, content=r.content, kind=r.kind, cites=r.cites) for r in rs])
                     for a, rs in stream]
            resolver = Resolver(reg)
            with Clock() as clock:
                for article, records in fresh:
                    resolver.resolve(article, records)
                resolver.finish()
            runs.append(clock.wall)
            entities = len(resolver.entities)
        seconds = statistics.median(runs)
        people = sum(1 for e in resolver.entities.values() if e.type == "Person")
        rows.append((size, seconds))
        print(f"{size:>8,} mentions in {len(stream):>6,} articles: {seconds:7.3f} s (median of {repeat}: "
              f"{', '.join(f'{s:.3f}' for s in runs)}), {1e6 * seconds / size:6.1f} us per mention; "
              f"{entities:,} entities ({people:,} persons)", flush=True)
    if len(rows) > 1:
        (s0, t0), (s1, t1) = rows[0], rows[-1]
        print(f"per-mention cost {s1:,} vs {s0:,}: x{(t1 / s1) / (t0 / s0):.2f} (1.0 = linear)")


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default=str(DEFAULT_GOLD), help="canonical clusters (default bench/resolve_gold.jsonl)")
    ap.add_argument("--dev", default=str(DEFAULT_DEV), help="PolNeAR dev JSONL (default ../shared/eval/polnear/dev.jsonl)")
    ap.add_argument("--repeat", type=int, default=3, help="timed rounds (dev) and runs (each synthetic size)")
    ap.add_argument("--sizes", default="10000,100000", help="synthetic stream sizes, in mentions")
    ap.add_argument("--errors", type=int, default=8, help="worst false merges and splits to print (0: none)")
    ap.add_argument("--no-cost", action="store_true", help="quality only")
    args = ap.parse_args(argv)

    if not os.path.exists(args.dev):
        print(f"error: {args.dev} not found: the gold clusters point into PolNeAR dev", file=sys.stderr)
        return 2
    t = time.perf_counter()
    reg = register.load()
    print(f"register: {len(reg)} entities, loaded in {time.perf_counter() - t:.2f} s (once, outside the timings)")
    try:
        quality(args.gold, args.dev, args.errors, reg)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.no_cost:
        return 0

    articles, label = load_articles(args.dev)
    print(f"\nCOST on {label}: {len(articles)} articles; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    templates = time_dev(articles, reg, args.repeat)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"\nLINEARITY: Resolver.resolve + finish alone on synthetic streams (records of {len(templates)} dev articles replayed)")
    time_linearity(templates, reg, sizes, args.repeat)
    print(f"load average now {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
