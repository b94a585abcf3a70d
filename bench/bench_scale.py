"""A generated corpus of N articles through `kg run` + `kg load`, and three questions on the store.

    .venv/bin/python bench/bench_scale.py --articles 10000 [--work DIR] [--workers 2] [--source PATH]

The corpus (DIR/corpus-N.jsonl, written once, never stored in the repository) is generated with a
fixed seed: each article is 3 to 5 paragraphs drawn from PolNeAR train (../shared, read in place)
or, without it, from the seeds, each person named in a paragraph ("Mary Smith", then "Smith")
renamed to one of 4,000 generated people (first names from kg's Census list, surnames made of
syllables), each country named replaced by another of the register, a publisher from the register's
outlets and a date in 2015-2024. So names recur across articles as a real corpus's do (the surname
merge and the claim grouping have work), with text the extractor was built for.

Reported, every command a new process under the caller's niceness: `kg run --workers W` (wall time,
articles/s, peak RSS of each worker process: VmHWM read from /proc every second), `kg load` into a
new store (wall time, quads), the store's triples, and the wall time of three named questions as
new processes (`kg who-said`, `kg attributions --via`, `kg claims --min-sources 2`, each --limit 50,
their names drawn from the store: the most quoted source and relay). With --work, a run stopped
midway goes on where it was (kg run skips the shards done): the same command again.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT.parent / "shared" / "eval" / "polnear" / "train.jsonl"
PARTITION = 64  # kg run's default
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONPATH": str(ROOT)}
SYLLABLES = ["bar", "ven", "tor", "mal", "ski", "lin", "dqu", "ist", "ok", "on", "kwo", "bre", "vik", "hal", "dor",
             "ran", "tel", "mar", "sen", "cas", "tel", "lan", "fer", "gus", "wen", "ley", "ash", "ford", "min"]


def paragraphs(source: Path | None) -> list[str]:
    texts = ([json.loads(line)["text"] for line in source.read_text(encoding="utf-8").splitlines()] if source else
             [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))])
    return [p.strip() for t in texts for p in re.split(r"\n\s*\n", t) if 120 <= len(p.strip()) <= 900]


def generate(path: Path, n: int, source: Path | None, seed: int = 16) -> None:
    """Write `n` articles as JSONL (see the module's docstring)."""
    from kg.resolve import load_register

    rng = random.Random(seed)
    register = load_register()
    outlets = sorted(e.label for e in register.entities.values() if e.type == "NewsOutlet")
    countries = sorted(e.label for e in register.entities.values() if e.type == "Country")
    firsts = [line.split("\t")[0] for line in (ROOT / "kg/extract/first_names.tsv").read_text().splitlines()
              if line and not line.startswith("#")]
    people = sorted({(rng.choice(firsts), "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title())
                     for _ in range(4000)})
    pool = paragraphs(source)
    person = re.compile(r"\b(" + "|".join(map(re.escape, sorted(set(firsts), key=len, reverse=True))) +
                        r") ((?:[A-Z]\. )?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")
    country = re.compile(r"\b(" + "|".join(map(re.escape, sorted(countries, key=len, reverse=True))) + r")\b")
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8") as f:
        for i in range(n):
            text = "\n\n".join(rng.sample(pool, rng.randint(3, 5)))
            names: dict[str, tuple[str, str]] = {}  # each person of the article renamed once, full name first

            def full(m, names=names):
                first, last = names.setdefault(m.group(2), rng.choice(people))
                return f"{first} {last}"
            text = person.sub(full, text)
            for old, (_, last) in names.items():
                text = re.sub(rf"\b{re.escape(old)}\b", last, text)
            places: dict[str, str] = {}
            text = country.sub(lambda m, places=places: places.setdefault(m.group(1), rng.choice(countries)), text)
            day = f"{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            f.write(json.dumps({"id": f"gen-{i:06d}", "publisher": rng.choice(outlets), "published": day,
                                "text": text}, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def vm_hwm(pid: int) -> int:
    """Peak resident memory of a process (kB), or 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return 0


def kg(*args, watch: Path | None = None, every: int = 10_000) -> tuple[float, str, dict]:
    """`kg ARGS` as a new process: (wall seconds, stderr, peak RSS in MiB of each Dask worker process
    below it, by pid, and of the process itself, as 0). With `watch` (a run directory), a line each `every` articles done (shards x partition):
    the time, the rate and the workers' peaks so far. A failure stops the bench."""
    import psutil

    clock = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "kg", *map(str, args)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=ENV)
    peaks: dict[int, int] = {}
    shards = len(list((watch / "shards").glob("*.done"))) if watch and (watch / "shards").is_dir() else 0
    before, mark = shards, shards * PARTITION // every
    while watch and process.poll() is None:
        peaks[0] = max(peaks.get(0, 0), vm_hwm(process.pid))  # the client: the scheduler, the reduce
        for child in psutil.Process(process.pid).children(recursive=True):
            try:
                if "spawn_main" in " ".join(child.cmdline()):  # the nannies' workers
                    peaks[child.pid] = max(peaks.get(child.pid, 0), vm_hwm(child.pid))
            except psutil.Error:
                continue
        shards = len(list((watch / "shards").glob("*.done"))) if (watch / "shards").is_dir() else 0
        if shards * PARTITION // every > mark:
            mark = shards * PARTITION // every
            seconds = time.perf_counter() - clock
            print(f"  {shards * PARTITION:7d} articles done, {seconds:6.0f} s, "
                  f"{(shards - before) * PARTITION / seconds:.2f} articles/s this run; peak RSS of each worker "
                  f"so far (MiB): {', '.join(f'{kb / 1024:.0f}' for pid, kb in sorted(peaks.items()) if pid)}; the "
                  f"client's {peaks[0] / 1024:.0f}",
                  flush=True)
        time.sleep(1)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - clock
    if process.returncode != 0:
        sys.exit(f"kg {' '.join(map(str, args))} failed:\n{stderr}")
    return seconds, stderr, {pid: kb / 1024 for pid, kb in peaks.items()}


def first_value(*args) -> str:
    done = subprocess.run([sys.executable, "-m", "kg", "query", *args, "--format", "tsv"], capture_output=True,
                          text=True, env=ENV, check=True)
    return done.stdout.splitlines()[1].strip('"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-bench-scale"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--source", type=Path, default=TRAIN if TRAIN.is_file() else None,
                        help="JSONL whose paragraphs are drawn (default: PolNeAR train, else the seeds)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = args.work / f"corpus-{args.articles}.jsonl"
    if not corpus.is_file():
        clock = time.perf_counter()
        generate(corpus, args.articles, args.source)
        print(f"generated {corpus} in {time.perf_counter() - clock:.1f} s")
    size = corpus.stat().st_size
    print(f"corpus: {args.articles} articles, {size / 2**20:.1f} MiB ({size / args.articles:.0f} bytes an article, "
          f"paragraphs of {args.source or 'the seeds'}); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
          f"cores, niceness {os.nice(0)}")
    out, store = args.work / f"run-{args.articles}", args.work / f"store-{args.articles}"
    seconds, err, peaks = kg("run", corpus, "--out", out, "--workers", args.workers, "--partition", PARTITION,
                             watch=out, every=max(1000, args.articles // 10))
    print(f"kg run --workers {args.workers}: {seconds:.0f} s (this run), {args.articles / seconds:.2f} articles/s "
          f"({err.strip().splitlines()[-1]})")
    print("  peak RSS of each worker process (MiB): " + ", ".join(f"{mib:.0f}" for pid, mib in sorted(peaks.items())
                                                                if pid) + f"; the client's (scheduler, reduce) {peaks[0]:.0f}")
    seconds, err, _ = kg("load", out, "--store", store)
    print(f"kg load: {seconds:.0f} s ({err.strip().splitlines()[-1]})")
    triples = first_value("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--store", store)
    print(f"  store: {triples} quads, {sum(f.stat().st_size for f in store.iterdir()) / 2**20:.0f} MiB on disk")
    source = first_value("SELECT ?l WHERE { ?a kg:source/rdfs:label ?l } GROUP BY ?l ORDER BY DESC(COUNT(?a)) "
                         "LIMIT 1", "--store", store)
    relay = first_value("SELECT ?l WHERE { ?a kg:citing ?b ; kg:source/rdfs:label ?l } GROUP BY ?l "
                        "ORDER BY DESC(COUNT(?a)) LIMIT 1", "--store", store)
    for question in (("who-said", source), ("attributions", "--via", relay), ("claims", "--min-sources", 2)):
        seconds, _, _ = kg(*question, "--limit", 50, "--format", "json", "--store", store)
        print(f"  kg {' '.join(map(str, question))} --limit 50: {seconds:.2f} s as a new process")


if __name__ == "__main__":
    main()
