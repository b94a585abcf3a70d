"""Extraction throughput: the full extractor against the bare spaCy pipeline, in the same run.

    /tmp/kgvenv/bin/python bench/bench_extract.py [CORPUS] [--limit N] [--jobs N] [--repeat R] [--profile]

CORPUS is anything `kg.documents.iter_documents` reads (a PolNeAR JSONL, a
directory of .txt files, ...); the default is PolNeAR dev in ../shared (never
copied into the project). When that path is missing the seeds are used, and
`synthetic` names a generated corpus that needs nothing outside the code.

After an untimed warm-up pass, each round times, one after the other, on the same
article bodies:
  bare       kg.extract.nlp.load() -> nlp.pipe(bodies, batch_size=16), docs consumed, nothing else
  extractor  kg.extract.extract_articles(articles, batch_size=16)   (jobs=1)
  jobs=N     the same with jobs=N, when --jobs > 1
Throughput is words/s (words = len(body.split())); the figures are the medians
over the rounds and the ratio extractor/bare (target >= 0.80). The machine is
shared, so only the ratios mean something from one run to the next.

--profile then parses the corpus once and runs cProfile over the rules alone
(kg.extract.attributions_in on the parsed docs, the spaCy pipe excluded).
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.documents import Article, InputError, iter_documents  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval" / "polnear"
DEFAULT_DEV = SHARED / "dev.jsonl"
SEEDS = ROOT / "seeds"
BATCH_SIZE = 16  # what extract_articles uses by default


# ---------------------------------------------------------------- corpora (shared by the bench scripts)


def words(text: str) -> int:
    return len(text.split())


def note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def load_articles(corpus: str | os.PathLike, limit: int | None = None) -> tuple[list[Article], str]:
    """Articles of `corpus` and a label saying what was read.

    A missing path falls back to the seeds (or, without seeds, the synthetic
    corpus), with a note on stderr, so the benchmarks run on a fresh checkout.
    """
    corpus = str(corpus)
    if corpus != "synthetic" and not os.path.exists(corpus):
        fallback = SEEDS if SEEDS.is_dir() and any(SEEDS.iterdir()) else "synthetic"
        note(f"{corpus} not found; using {fallback}")
        corpus = str(fallback)
    if corpus == "synthetic":
        docs = synthetic_docs()[:limit]
        return [Article(id=d["doc_id"], text=d["text"], publisher=d["publisher"],
                        published=d["publication_date"]) for d in docs], "synthetic"
    articles = []
    for item in iter_documents(corpus):
        if isinstance(item, InputError):
            note(str(item))
            continue
        articles.append(item)
        if limit is not None and len(articles) >= limit:
            break
    return articles, corpus


# Synthetic news: template sentences whose attributions are known, so the
# synthetic corpus doubles as a (trivial) gold standard for eval_polnear.py.
_PEOPLE = ["Maria Lopez", "John Carter", "Aiko Tanaka", "Peter Novak", "Fatima Haddad", "Lars Eriksen",
           "Grace Mensah", "David Cohen", "Elena Petrova", "Samuel Okafor"]
_ROLES = ["a spokeswoman for the city council", "the state treasurer", "a senior economist at the bank",
          "the mayor's chief of staff", "a union representative", "an adviser to the governor"]
_ORGS = ["the Ministry of Finance", "the Port Authority", "the county health department", "the transit agency",
         "the election commission", "the central bank"]
_SUBJECTS = ["the city", "the new budget", "the bridge project", "the hospital", "the school board",
             "the water utility", "the tax reform", "the rail line", "the housing plan", "the police department"]
_PREDICATES = ["will need another two years to finish", "had run out of money by the end of March",
               "would cut waiting times by a third", "could cost taxpayers more than $40 million",
               "was never properly audited", "will hire 300 new workers next spring",
               "has been delayed by a shortage of steel", "would not survive another winter of cuts",
               "is expected to reopen in September", "did not follow its own safety rules"]
_QUOTES = ["We are not going to let this project fail", "Nobody expected the costs to rise this quickly",
           "This is the best deal the city could get", "The numbers simply do not add up",
           "We will keep working until every family has a home", "I have never seen anything like it"]
_WHEN = ["on Monday", "on Tuesday", "last week", "in a statement", "at a news conference", "on Friday"]


def synthetic_docs(n: int = 60, seed: int = 7) -> list[dict]:
    """PolNeAR-format documents ({doc_id, text, attributions, ...}) generated from templates."""
    rng = random.Random(seed)
    docs = []
    for d in range(n):
        parts: list[str] = []
        attributions: list[dict] = []
        at = 0

        def add(text: str) -> tuple[int, int]:
            nonlocal at
            parts.append(text)
            start, at = at, at + len(text)
            return start, at

        def role(start: int, text: str) -> dict:
            return {"start": start, "end": start + len(text), "text": text, "spans": [[start, start + len(text)]]}

        def claim() -> str:
            return f"{rng.choice(_SUBJECTS)} {rng.choice(_PREDICATES)}"

        add(f"{claim().capitalize()}, officials say\n\n")
        for _ in range(rng.randint(6, 14)):
            kind = rng.choice(["said", "quote", "according", "filler"])
            if kind == "said":
                src, what, when = rng.choice(_PEOPLE), claim(), rng.choice(_WHEN)
                s, _ = add(src)
                add(f", {rng.choice(_ROLES)}, ")
                c, _ = add("said")
                add(f" {when} that ")
                w, _ = add(what)
                add(".\n\n")
                attributions.append({"type": "indirect", "source": role(s, src), "cue": role(c, "said"),
                                     "content": role(w, what)})
            elif kind == "quote":
                src, quote = rng.choice(_PEOPLE), f"“{rng.choice(_QUOTES)},”"
                q, _ = add(quote)
                add(" ")
                s, _ = add(src)
                add(" ")
                c, _ = add("told reporters")
                add(f" {rng.choice(_WHEN)}.\n\n")
                attributions.append({"type": "direct", "source": role(s, src), "cue": role(c, "told"),
                                     "content": role(q, quote)})
            elif kind == "according":
                src, what = rng.choice(_ORGS), claim()
                c, _ = add("According to")
                add(" ")
                s, _ = add(src)
                add(", ")
                w, _ = add(what)
                add(".\n\n")
                attributions.append({"type": "indirect", "source": role(s, src), "cue": role(c, "According to"),
                                     "content": role(w, what)})
            else:
                add(f"{claim().capitalize()}.\n\n")
        docs.append({"doc_id": f"synthetic-{d:03d}", "publisher": "synthetic", "publication_date": "2026-11-22",
                     "text": "".join(parts).rstrip("\n") + "\n", "attributions": attributions})
    return docs


# ---------------------------------------------------------------- timing


class Clock:
    """Wall-clock and CPU seconds (this process) of a `with` block."""

    def __enter__(self):
        gc.collect()
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def time_bare(nlp, texts: list[str]) -> Clock:
    """The bare pipeline over `texts`, docs consumed and dropped."""
    with Clock() as clock:
        for _doc in nlp.pipe(texts, batch_size=BATCH_SIZE):
            pass
    return clock


def time_extract(articles: list[Article], jobs: int) -> tuple[Clock, int]:
    """The full extractor over `articles`, and the number of records."""
    from kg.extract import extract_articles

    records = 0
    with Clock() as clock:
        for _article, found in extract_articles(articles, jobs=jobs, batch_size=BATCH_SIZE):
            records += len(found)
    return clock, records


def profile_rules(nlp, articles: list[Article], top: int, bare_rate: float) -> None:
    """Parse once, then time and profile the rules alone (attributions_in on parsed docs)."""
    from kg.extract import attributions_in

    docs = list(nlp.pipe(((a.body, a) for a in articles), as_tuples=True, batch_size=BATCH_SIZE))
    gc.collect()
    start = time.perf_counter()
    for doc, article in docs:
        attributions_in(doc, article)
    plain = time.perf_counter() - start
    n_words = sum(words(a.body) for a in articles)
    bare = n_words / bare_rate
    print(f"\nrules alone (parsed docs, no profiler): {plain:.2f} s, {n_words / plain:,.0f} words/s; "
          f"with the bare median ({bare:.1f} s) that implies extractor/bare {bare / (bare + plain):.3f}")
    profiler = cProfile.Profile()
    profiler.enable()
    for doc, article in docs:
        attributions_in(doc, article)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(top)
    lines = out.getvalue().splitlines()
    # drop pstats' preamble (the blank lines and "Ordered by"), keep the totals line and the table
    print("\n".join(line for line in lines if line.strip() and not line.lstrip().startswith("Ordered by")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT_DEV),
                    help="JSONL/.txt/.html file or directory, or 'synthetic' (default: PolNeAR dev in ../shared)")
    ap.add_argument("--limit", type=int, help="only the first N articles")
    ap.add_argument("--jobs", type=int, default=2, help="also time the extractor with this many processes (1: skip)")
    ap.add_argument("--repeat", type=int, default=3, help="rounds of (bare, extractor[, jobs]) runs")
    ap.add_argument("--profile", action="store_true", help="cProfile the rules (spaCy excluded), top 15 cumulative")
    ap.add_argument("--top", type=int, default=15, help="rows of the profile")
    args = ap.parse_args(argv)

    from kg.extract import nlp as kg_nlp

    articles, label = load_articles(args.corpus, args.limit)
    if not articles:
        print("error: no articles to benchmark", file=sys.stderr)
        return 2
    texts = [a.body for a in articles]
    n_words = sum(map(words, texts))
    nlp = kg_nlp.load()
    print(f"corpus: {label}: {len(articles)} articles, {n_words:,} words (bodies)")
    print(f"pipeline: {kg_nlp.model_name()} [{', '.join(nlp.pipe_names)}], batch_size={BATCH_SIZE}; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")

    # Warm-up, untimed: a whole bare pass (the process grows to its working size here,
    # else the first timed run pays the page faults) and the extractor's lexicons.
    time_bare(nlp, texts)
    time_extract(articles[:2], 1)

    bare, extract, parallel, records = [], [], [], 0
    for r in range(1, args.repeat + 1):
        bare.append(time_bare(nlp, texts))
        clock, records = time_extract(articles, 1)
        extract.append(clock)
        line = f"round {r}: bare {n_words / bare[-1].wall:7,.0f} w/s   extractor {n_words / extract[-1].wall:7,.0f} w/s"
        if args.jobs > 1:
            parallel.append(time_extract(articles, args.jobs)[0])
            line += f"   extractor jobs={args.jobs} {n_words / parallel[-1].wall:7,.0f} w/s"
        print(line + f"   ratio {bare[-1].wall / extract[-1].wall:.3f}", flush=True)

    def median_rate(clocks, cpu=False):
        return statistics.median(n_words / (c.cpu if cpu else c.wall) for c in clocks)

    med_bare, med_extract = median_rate(bare), median_rate(extract)
    ratio = med_extract / med_bare
    per_round = statistics.median(b.wall / e.wall for b, e in zip(bare, extract))
    cpu_ratio = median_rate(extract, cpu=True) / median_rate(bare, cpu=True)
    print(f"\nbare spaCy pipe         median {med_bare:8,.0f} words/s")
    print(f"extractor (jobs=1)      median {med_extract:8,.0f} words/s   ({records} records)")
    print(f"ratio extractor/bare    {ratio:.3f}   target >= 0.80: {'met' if ratio >= 0.8 else 'NOT met'}")
    print(f"  cross-checks          median of per-round ratios {per_round:.3f}; on CPU time {cpu_ratio:.3f}")
    print(f"  rules' share          {100 * (1 - ratio):.1f}% of the extractor's wall time")
    if parallel:
        med_parallel = median_rate(parallel)
        print(f"extractor (jobs={args.jobs})      median {med_parallel:8,.0f} words/s   "
              f"speedup x{med_parallel / med_extract:.2f} over jobs=1 ({os.cpu_count()} CPUs)")
    print(f"load average now {os.getloadavg()[0]:.2f}")

    if args.profile:
        profile_rules(nlp, articles, args.top, med_bare)
    return 0


if __name__ == "__main__":
    sys.exit(main())
