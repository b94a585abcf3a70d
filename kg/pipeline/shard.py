"""The map: one shard of the corpus -> its records, its articles' graphs and its tables. Each file is
written under a temporary name and renamed into place, NAME.done last (the shard is done when it is
there and names the same parts), so a worker killed midway leaves no file half-written and a retry
overwrites only its own shard. The same parts, kg version, model and run time give the same bytes."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import IO, Iterable, Iterator

import pyoxigraph as ox
from pyoxigraph import NamedNode, Quad, RdfFormat

from kg import query, rdf
from kg.documents import Article, InputError, Part, iter_parts, plan
from kg.errors import KgError
from kg.ingest import model_name, touched
from kg.extract.records import Attribution
from kg.queries import named
from kg.resolve import Resolver, load_register
from kg.version import __version__

RUN_FILE = "kg-run.json"
SHARDS = "shards"
SHARD_FORMAT = "1"  # what a shard's files hold; a new value refuses the directories of the old one


class PipelineError(KgError, RuntimeError):
    """A run directory that cannot be used (another kg version, a damaged file): one line."""


@dataclass
class RunInfo:
    """kg-run.json: what every shard of a run shares, the time of its extraction above all (every
    graph's prov:startedAtTime, so that a shard redone gives the same bytes)."""
    when: str
    kg: str = __version__
    graph_format: str = rdf.GRAPH_FORMAT
    shard_format: str = SHARD_FORMAT

    @property
    def time(self) -> datetime:
        return datetime.fromisoformat(self.when)

    @classmethod
    def open(cls, out_dir: str, create: bool = False) -> RunInfo:
        """The run in `out_dir`; with `create`, a new one (its time: SOURCE_DATE_EPOCH, else now) if
        there is none. A run of another kg version or format is refused, with both versions."""
        path = os.path.join(out_dir, RUN_FILE)
        try:
            with open(path, encoding="utf-8") as f:
                found = json.load(f)
        except FileNotFoundError:
            if not create:
                raise PipelineError(f"{out_dir}: no kg run in this directory (no {RUN_FILE}; kg run writes one)") \
                    from None
            info = cls(when=rdf.run_time().isoformat(timespec="seconds"))
            os.makedirs(out_dir, exist_ok=True)
            with atomic(path) as f:
                f.write(json.dumps(asdict(info), indent=1).encode() + b"\n")
            return info
        except (OSError, ValueError) as error:
            raise PipelineError(f"{path}: cannot read the run: {error}") from None
        if not isinstance(found, dict) or not isinstance(found.get("when"), str):
            raise PipelineError(f"{path}: not a kg run file")
        info = cls(when=found["when"])
        theirs = {k: found.get(k) for k in ("kg", "graph_format", "shard_format")}
        if theirs != {k: getattr(info, k) for k in theirs}:
            raise PipelineError(f"{out_dir} was written by kg {theirs['kg']} (graph format {theirs['graph_format']}, "
                                f"shard format {theirs['shard_format']}); this is kg {info.kg} (graph format "
                                f"{info.graph_format}, shard format {info.shard_format}): use a new directory")
        return info


@dataclass
class ShardSummary:
    name: str
    articles: int = 0
    attributions: int = 0
    errors: list[str] = field(default_factory=list)   # one line each, "PATH[:LINE]: MESSAGE"
    digest: str = ""                                  # of its parts: the same parts are not done again
    skipped: bool = False                             # done before, with the same parts


@contextmanager
def atomic(path: str) -> Iterator[IO[bytes]]:
    """A binary file written under a temporary name beside `path` and renamed to it when the block
    ends without an error; otherwise removed, and `path` is as it was."""
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=f".{os.path.basename(path)}.")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def plan_shards(paths, size: int) -> tuple[list[tuple[str, list[Part]]], list[str]]:
    """The shards of `paths`: consecutive parts of about `size` articles each, named by their order
    (the order of the corpus is the order of the names); and the directories that cannot be walked."""
    shards, errors, current, count = [], [], [], 0
    for part in plan(paths, size):
        if isinstance(part, InputError):
            errors.append(str(part))
            continue
        current.append(part)
        count += part.size
        if count >= size:
            shards.append(current)
            current, count = [], 0
    if current:
        shards.append(current)
    return [(f"{n:06d}", shard) for n, shard in enumerate(shards)], errors


def parts_digest(parts: Iterable[Part]) -> str:
    """What the shard reads: its parts, and the size and time of change of their files."""
    h = hashlib.sha256()
    for part in parts:
        try:
            stat = os.stat(part.path)
            changed = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            changed = None
        h.update(json.dumps([asdict(part), changed]).encode() + b"\n")
    return h.hexdigest()


def shard_path(out_dir: str, name: str, suffix: str) -> str:
    return os.path.join(out_dir, SHARDS, f"{name}.{suffix}")


def done(out_dir: str, name: str) -> ShardSummary | None:
    """The summary of a shard written whole, or None."""
    try:
        with open(shard_path(out_dir, name, "done"), encoding="utf-8") as f:
            return ShardSummary(**json.load(f))
    except (OSError, ValueError, TypeError):
        return None


def article_quads(article: Article, records: list[Attribution], resolver: Resolver, *, model: str,
                  when: datetime) -> list[Quad]:
    """The article's graph, exactly as kg ingest writes it (kg.rdf), its records resolved already."""
    graph = NamedNode(rdf.article_iri(article.id))
    triples = rdf.article_triples(article, records, publisher=resolver.publisher(article.publisher), model=model,
                                  when=when)
    return [Quad(s, p, o, graph) for s, p, o in triples]


def process_shard(parts: list[Part], out_dir: str, *, name: str, when: datetime | None = None, register=None,
                  model: str | None = None) -> ShardSummary:
    """Read, extract and resolve the articles of `parts`, and write out_dir/shards/NAME.* (see
    kg.pipeline). A document that cannot be read is one line in the summary's errors, and the rest
    of the shard goes on; any other failure raises and leaves no file half-written, and NAME.done
    gone: the shard is to be done again."""
    from kg.extract import document_record, extract_articles

    when = when or RunInfo.open(out_dir, create=True).time
    model = model or model_name()
    resolver = Resolver(register or load_register())
    summary = ShardSummary(name, digest=parts_digest(parts))
    folder = os.path.join(out_dir, SHARDS)
    os.makedirs(folder, exist_ok=True)
    # not done until its files are written again; and what a killed attempt left under temporary names goes
    for leftover in [f"{name}.done"] + [f for f in os.listdir(folder) if f.startswith(f".{name}.")]:
        try:
            os.unlink(os.path.join(folder, leftover))
        except FileNotFoundError:
            pass
    claims = ox.Store()  # in memory: the claims are read with read_claims.rq, as a regroup reads the store
    articles, seen, where = [], set(), {}
    with atomic(shard_path(out_dir, name, "jsonl")) as records_file, atomic(shard_path(out_dir, name, "nq")) as graphs:
        for article, records in extract_articles(_readable(iter_parts(parts), summary, where)):
            resolver.resolve(article, records)
            quads = article_quads(article, records, resolver, model=model, when=when)
            records_file.write(json.dumps(document_record(article, records), ensure_ascii=False).encode() + b"\n")
            graphs.write(ox.serialize(quads, format=RdfFormat.N_QUADS))
            claims.extend(quads)
            seen.update(e.iri for e in touched(resolver, records, resolver.publisher(article.publisher)))
            articles.append([article.id, rdf.content_hash(article), where.pop(article.id)])
            summary.articles += 1
            summary.attributions += len(records)
    tables = {"articles": articles, "touched": sorted(seen), "resolver": resolver.tables(),
              "claims": [[query.value(term) for term in row]
                         for row in claims.query(query.with_prefixes(named("read_claims")))]}
    with atomic(shard_path(out_dir, name, "tables.json")) as f:
        f.write(json.dumps(tables, ensure_ascii=False).encode())
    with atomic(shard_path(out_dir, name, "done")) as f:
        f.write(json.dumps(asdict(summary)).encode())
    return summary


def _readable(docs: Iterable[tuple[Article | InputError, int | None]], summary: ShardSummary,
              where: dict[str, str]) -> Iterator[Article]:
    """The articles, where each was read ("PATH[:LINE]") put in `where`; the errors go to the summary."""
    for doc, line in docs:
        if isinstance(doc, InputError):
            summary.errors.append(str(doc))
        else:
            where[doc.id] = f"{doc.path}:{line}" if line else str(doc.path)
            yield doc
