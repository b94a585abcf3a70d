"""`kg extract`, `kg entities` and `kg eval`: who said what, read from files (no store needed).

    kg extract seeds/                       # who said what, as a table (on a terminal)
    kg extract corpus.jsonl > pred.jsonl    # one JSON document per line (when piped)
    kg eval gold.jsonl                      # extract, then score against gold

Options and output only; the work is done by kg.documents, kg.extract, kg.resolve and kg.evaluate.
"""
from __future__ import annotations

import json
import sys
import time
from typing import IO, Iterator

import click

import kg
from kg.cli.common import (ENTITIES, JOBS, PATHS, CommandError, csv_writer, format_option, open_output,
                           report_error, shown, writes_to_stdout)
from kg.documents import Article, InputError, iter_documents, os_error_message
from kg.extract import document_record
from kg.text import fold, plural

CONTENT_WIDTH = 100  # characters of content shown per record in the table
MENTION_WIDTH = 60


def _resolver(entity_files: tuple[str, ...]):
    """A Resolver over the shipped register and the user's files (a bad file is a RegisterError,
    raised before any article is read)."""
    from kg.resolve import Resolver, load_register

    return Resolver(load_register(entity_files))


def _articles(paths, counts: dict) -> Iterator[Article]:
    """The readable articles of `paths`; each unreadable one is reported and counted."""
    for doc in iter_documents(paths):
        if isinstance(doc, InputError):
            counts["failed"] += 1
            report_error(str(doc))
        else:
            yield doc


def _utf8(stream: IO) -> bool:
    return (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "") == "utf8"


def _summary(articles: int, attributions: int, failed: int | None, started: float) -> None:
    parts = [plural(articles, "article"), plural(attributions, "attribution")]
    if failed is not None:
        parts.append(f"{failed} failed")
    parts.append(f"{time.perf_counter() - started:.1f} s")
    click.echo(", ".join(parts), err=True)


# --- writers -----------------------------------------------------------------------


class JsonLinesWriter:
    """One JSON document per line."""

    def __init__(self, out: IO):
        self.out, self.ascii = out, not _utf8(out)

    def write(self, article: Article, records: list) -> None:
        self.out.write(json.dumps(document_record(article, records), ensure_ascii=self.ascii) + "\n")

    def close(self) -> None:
        self.out.flush()


class JsonWriter(JsonLinesWriter):
    """A JSON array of documents, written one document at a time."""

    def __init__(self, out: IO):
        super().__init__(out)
        self.count = 0

    def write(self, article: Article, records: list) -> None:
        text = json.dumps(document_record(article, records), ensure_ascii=self.ascii, indent=2)
        self.out.write(("[\n" if self.count == 0 else ",\n") + text)
        self.count += 1

    def close(self) -> None:
        self.out.write("[]\n" if self.count == 0 else "\n]\n")
        self.out.flush()


class TableWriter:
    """Who said what, per article: source, cue, content and flags of each record."""

    def __init__(self, out: IO):
        self.out, self.count = out, 0

    def echo(self, text: str = "") -> None:
        click.echo(text, file=self.out)  # drops the styling unless `out` is a terminal

    def write(self, article: Article, records: list) -> None:
        if self.count:
            self.echo()
        self.count += 1
        # every piece from the article is shown() before it is styled: no control character of
        # its text reaches the terminal, only the styles' own sequences
        head = click.style(shown(article.id), bold=True)
        if article.path:
            head += "  " + click.style(shown(str(article.path)), dim=True)
        self.echo(head)
        if article.title:
            self.echo(f"  {fold(shown(article.title), CONTENT_WIDTH)}")
        about = [article.publisher, article.published, f"by {article.author}" if article.author else None]
        if any(about):
            self.echo("  " + shown(" · ".join(str(a) for a in about if a)))
        if not records:
            self.echo("  (no attributions)")
        for r in records:
            self.echo()
            self.echo(f"  {_local_id(r.id):<5}{_who(r)}")
            cue = click.style(shown(r.cue.text), fg="cyan") + ": " if r.cue else ""
            self.echo(f"       {cue}{fold(shown(_fragments_text(article.text, r.content)), CONTENT_WIDTH)}")
            flags = _flags(r)
            if flags:
                self.echo("       " + click.style(shown("[" + " · ".join(flags) + "]"), dim=True))

    def close(self) -> None:
        self.out.flush()


class NQuadsWriter:
    """Each article's graph as N-Quads, as kg ingest writes it and kg run's shards hold it; a bare
    surname is its own entity, as in jsonl (the corpus-wide merge is kg ingest's and kg run's)."""

    def __init__(self, out: IO, resolver):
        from kg.ingest import model_name
        from kg.rdf import run_time

        self.out, self.resolver, self.model, self.when = out, resolver, model_name(), run_time()

    def write(self, article: Article, records: list) -> None:
        from pyoxigraph import RdfFormat, serialize

        from kg.pipeline import article_quads

        quads = article_quads(article, records, self.resolver, model=self.model, when=self.when)
        self.out.write(serialize(quads, format=RdfFormat.N_QUADS).decode("utf-8"))

    def close(self) -> None:
        self.out.flush()


WRITERS = {"table": TableWriter, "json": JsonWriter, "jsonl": JsonLinesWriter, "nq": NQuadsWriter}


def _fragments_text(text: str, span) -> str:
    """A discontinuous span shown as its pieces joined by " … "."""
    if not span.fragments:
        return span.text
    return " … ".join(text[start:end] for start, end in span.fragments)


def _local_id(record_id: str | None) -> str:
    """"doc#a4" -> "a4": within one article the suffix is enough."""
    return record_id.rsplit("#", 1)[-1] if record_id else ""


def _who(r) -> str:
    if r.source is None:
        return click.style("(no source)", dim=True)
    mention = fold(shown(r.source.mention.text), MENTION_WIDTH)
    who = click.style(mention, bold=True)
    name = r.source.name
    if name and fold(name, 1000).casefold() != fold(r.source.mention.text, 1000).casefold():
        who += " → " + click.style(fold(shown(name), MENTION_WIDTH), bold=True)
    if r.source.type:
        who += f" ({shown(r.source.type)})"
    return who


def _flags(r) -> list[str]:
    flags = []
    if r.certainty and r.certainty != "certain":
        flags.append(r.certainty)
    if r.polarity == "negative":
        flags.append("negative")
    if r.channel:
        flags.append(f"via {r.channel}")
    if r.recipient:
        flags.append(f"to {r.recipient}")
    if r.date:
        flags.append(f"date: {r.date.get('value') or r.date.get('text')}")
    if r.cites:
        flags.append(f"cites {_local_id(r.cites)}")
    return flags


# --- commands ----------------------------------------------------------------------


@click.command(short_help="Extract attributions: who said what, via whom.")
@PATHS
@format_option(tuple(WRITERS), default=None, short=True,
               help="Output format. [default: table on a terminal, else jsonl]")
@JOBS
@click.option("-o", "--output", metavar="FILE", help="Write the output to FILE instead of stdout.")
@ENTITIES
def extract(paths, fmt, jobs, output, entity_files):
    """Extract attributions from articles: who said what, via whom.

    PATH is a .txt file (one article), a .jsonl file (one article a line:
    {"id", "text", "publisher"?, "title"?, "published"?, "author"?, "url"?}),
    an .html page, or a directory (read recursively, in name order).

    \b
    Examples:
        kg extract seeds/
        kg extract article.txt --format json
        kg extract corpus.jsonl --format jsonl --jobs 4 -o pred.jsonl

    jsonl writes one document a line, {"doc_id", "path", "publisher",
    "author", "title", "published", "attributions": [...]}, the format the
    evaluation scorer reads; json writes the same documents as one array;
    table lists source, cue, content and flags of each record; nq writes
    each article's graph as N-Quads, as kg ingest stores it.

    A file that cannot be read is reported on stderr as one line
    ("kg: error: PATH[:LINE]: MESSAGE") and the other files are still
    processed; the exit status is then 1. A summary line goes to stderr.
    """
    started = time.perf_counter()
    resolver = _resolver(entity_files)
    out = open_output(output)
    if fmt is None:
        fmt = "table" if writes_to_stdout(output) and out.isatty() else "jsonl"
    writer = NQuadsWriter(out, resolver) if fmt == "nq" else WRITERS[fmt](out)
    counts = {"articles": 0, "attributions": 0, "failed": 0}
    try:
        for article, records in kg.extract_articles(_articles(paths, counts), jobs=jobs):
            resolver.resolve(article, records)
            writer.write(article, records)
            counts["articles"] += 1
            counts["attributions"] += len(records)
        writer.close()
    finally:
        if not writes_to_stdout(output):
            out.close()
    _summary(counts["articles"], counts["attributions"], counts["failed"], started)
    if counts["failed"]:
        sys.exit(1)


@click.command(short_help="The entities behind the sources: who is who, and why.")
@PATHS
@click.option("-t", "--type", "types", multiple=True, metavar="TYPE",
              help="Only entities of this type (Person, NewsOutlet, IntelligenceAgency, ...). Repeatable.")
@format_option(("table", "json", "csv"), short=True)
@click.option("--explain", metavar="NAME", help="Say which mentions were merged into NAME's entity, and why.")
@JOBS
@ENTITIES
def entities(paths, types, fmt, explain, jobs, entity_files):
    """List the entities the sources of PATH... resolve to: label, type, the names
    seen for each, and how many attributions they hold.

    \b
    Examples:
        kg entities seeds/
        kg entities corpus.jsonl --type Person --format csv
        kg entities seeds/ --explain Zelensky

    Names are matched against the entity register (ontology/entities.ttl, plus
    --entities files); people by their name with spelling variants folded
    (Zelensky, Zelenskyy, Zelenskiy) and by surname; anonymous and collective
    sources ("unnamed officials") stay apart per article.
    """

    resolver = _resolver(entity_files)
    counts = {"failed": 0}
    for article, records in kg.extract_articles(_articles(paths, counts), jobs=jobs):
        resolver.resolve(article, records)
    resolver.finish()
    if explain:
        lines = resolver.explain(explain)
        click.echo(shown("\n".join(lines)) if lines else f"no entity is named {shown(explain)!r}")
    else:
        wanted = {t.casefold() for t in types}
        rows = sorted((e for e in resolver.entities.values() if not wanted or e.type.casefold() in wanted),
                      key=lambda e: (-e.attributions, e.label))
        if fmt == "json":
            click.echo(json.dumps([e.to_dict() for e in rows], indent=2, ensure_ascii=False))
        elif fmt == "csv":
            out = csv_writer(sys.stdout)
            out.writerow(["label", "type", "attributions", "names", "iri"])
            for e in rows:
                out.writerow([e.label, e.type, e.attributions, " | ".join(e.names), e.iri])
        else:
            for e in rows:
                names = ", ".join(n for n in e.names if n != e.label)
                click.echo(shown(f"{e.attributions:>4}  {e.label}  ({e.type})" +
                                 (f"  also: {fold(names, 90)}" if names else "")))
    if counts["failed"]:
        sys.exit(1)


@click.command("eval", short_help="Score the extractor against gold-annotated articles.")
@click.argument("gold", metavar="GOLD.jsonl", type=click.Path())
@click.option("-b", "--bootstrap", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="Document resamples for 95% confidence intervals of F1 (0: none; 1000 is usual).")
@click.option("-t", "--threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True, metavar="T",
              help="Content token Jaccard at which a prediction matches a gold attribution.")
@click.option("--seed", type=int, default=13, show_default=True, help="Random seed of the bootstrap.")
@click.option("--examples", type=click.IntRange(min=0), default=3, show_default=True, metavar="N",
              help="Examples shown of each class of error (0: counts only).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("-o", "--output", metavar="PRED.jsonl",
              help="Also write the predictions, one document a line (as kg extract --format jsonl).")
@JOBS
def evaluate(gold, bootstrap, threshold, seed, examples, as_json, output, jobs):
    """Extract from gold-annotated articles and score against the annotation.

    GOLD.jsonl is PolNeAR-style: one document a line, {"doc_id", "text",
    "attributions": [{"source", "cue", "content"}, ...]}, each role
    {"start", "end", "spans"?} or null. The extractor runs on "text" as is,
    so predicted offsets point into the gold text.

    \b
    Examples:
        kg eval ../shared/eval/polnear/dev.jsonl
        kg eval gold.jsonl --bootstrap 1000 --json -o pred.jsonl
        kg eval gold.jsonl --examples 10      # more examples of each error

    The headline is relation-level content+source F1: predictions are paired
    one-to-one with gold attributions whose content has token Jaccard >= T,
    and a pair counts when the sources share a word (or both are null).

    Its errors are then sorted into classes, with N examples each: wrong
    source (paired, the sources disagree), wrong boundary (unpaired gold and
    prediction whose contents share a word), missed direct and missed
    indirect (gold left over), spurious (predictions left over).
    """
    from kg.evaluate import format_report, gold_article, load_gold, score

    started = time.perf_counter()
    try:
        gold_docs = load_gold(gold)
    except UnicodeDecodeError:
        raise CommandError(f"{gold}: not UTF-8 text") from None
    except ValueError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"{gold}: {os_error_message(error)}") from None
    out = open_output(output) if output else None
    writer = JsonLinesWriter(out) if out else None
    predictions: dict[str, list[dict]] = {}
    try:
        for article, records in kg.extract_articles(map(gold_article, gold_docs), jobs=jobs):
            predictions[article.id] = [r.to_dict() for r in records]
            if writer:
                writer.write(article, records)
        if writer:
            writer.close()
    finally:
        if out is not None and not writes_to_stdout(output):
            out.close()
    result = score(gold_docs, predictions, threshold=threshold, bootstrap=bootstrap, seed=seed,
                   examples=examples)
    click.echo(json.dumps(result, indent=1) if as_json else format_report(result))
    _summary(len(predictions), sum(map(len, predictions.values())), None, started)


COMMANDS = [extract, entities, evaluate]
