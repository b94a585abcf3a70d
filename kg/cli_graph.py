"""The graph commands of `kg`: ingest, query, attributions, who-said, chain, sources, stats, export,
validate. Options and output only; the work is done by kg.graph (the same API a notebook uses)."""
from __future__ import annotations

import csv
import json
import sys
import time

import click

from kg.cli import ENTITIES_OPTION, CommandError, _fold, file_error, main, report_error

STORE_OPTION = click.option(
    "--store", "store", metavar="PATH|URL", envvar="KG_STORE", show_envvar=True,
    help="The graph: a directory (embedded Oxigraph; default ~/.local/share/kg/store) or the base URL "
         "of a SPARQL 1.1 endpoint (URL/query, URL/update).")
ROW_FORMATS = ("table", "csv", "tsv", "json")


def _open(location: str | None, write: bool = False):
    """The graph at `location`: created if absent when writing, shared with other readers if not."""
    from kg.graph import Graph

    return _guarded(Graph, location, create=write, read_only=not write)


def _guarded(call, *args, **kwargs):
    """Run an API call; its StoreError is the command's one-line error."""
    from kg.store import StoreError

    try:
        return call(*args, **kwargs)
    except StoreError as error:
        message = str(error)
    raise CommandError(message)  # outside the except: the exception keeps no store alive


@main.command(short_help="Extract, resolve and store articles in the graph.")
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(dir_okay=True))
@STORE_OPTION
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
              help="Processes that parse articles in parallel.")
@ENTITIES_OPTION
@click.option("--no-regroup", is_flag=True,
              help="Leave the claim groups as they are (run kg regroup after the last batch).")
def ingest(paths, store, jobs, entity_files, no_regroup):
    """Read articles (.txt, .jsonl, .html, directories), extract who said what, resolve the sources
    to entities and write one named graph per article to the store.

    \b
    Examples:
        kg ingest seeds/
        kg ingest corpus.jsonl --jobs 2 --store ./graph
        kg ingest pages/ --store http://127.0.0.1:7878

    Each article is written whole or not at all, replacing what the store had for it; an
    article already stored as it is (same text, metadata and kg version) is skipped. A file
    that cannot be read is one error line on stderr and the others go on (exit status 1).
    Then the claims of the whole store are grouped anew (kg claims); --no-regroup skips that,
    for pipelines that ingest many batches and run kg regroup once.
    """
    from kg.nlp import ModelError
    from kg.register import RegisterError

    graph = _open(store, write=True)
    shown = {"n": 0, "at": 0.0}
    tty = sys.stderr.isatty()

    def progress(article):
        shown["n"] += 1
        if tty and time.perf_counter() - shown["at"] > 0.2:
            shown["at"] = time.perf_counter()
            click.echo(f"\r{shown['n']} articles written", err=True, nl=False)

    try:
        summary = graph.ingest(paths, jobs=jobs, entity_files=entity_files, regroup=not no_regroup,
                               on_error=lambda e: report_error(str(e)), on_article=progress)
    except (RegisterError, ModelError) as error:
        raise CommandError(str(error)) from None
    finally:
        graph.close()
    if tty and shown["n"]:
        click.echo("\r" + " " * 40 + "\r", err=True, nl=False)
    click.echo(summary.line(), err=True)
    if summary.failed:
        sys.exit(1)


@main.command(short_help="Run a SPARQL query (read-only unless --update).")
@click.argument("text", metavar="[QUERY | -]", required=False)
@click.option("-f", "--file", "path", type=click.Path(dir_okay=False), help="Read the query from FILE.")
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "tsv", "json", "xml")), default="table",
              show_default=True, help="Output: a table, or a W3C SPARQL results format.")
@click.option("--update", "is_update", is_flag=True, help="Allow a SPARQL Update (INSERT, DELETE, DROP ...).")
@click.option("--allow-service", is_flag=True, help="Allow SERVICE clauses (federated queries leave this machine).")
@click.option("--timeout", type=click.FloatRange(min=0.001), metavar="SECONDS", help="Give up after SECONDS.")
@STORE_OPTION
def query(text, path, fmt, is_update, allow_service, timeout, store):
    """Run a SPARQL 1.1 query against the graph. The ontology's prefixes (kg:, kge:, kga:, kgg:,
    prov:, schema:, nif:, rdf:, rdfs:, skos:, owl:, xsd:, dcterms:) are pre-declared. The union of
    the article graphs and the agents graph is the default graph.

    \b
    Examples:
        kg query 'SELECT ?label WHERE { ?a kg:source ?s . ?s rdfs:label ?label }'
        kg query -f question.rq --format csv
        echo 'ASK { ?a a kg:Attribution }' | kg query -
        kg query --update 'DROP GRAPH <https://w3id.org/kg-attribution/article/x>'
    """
    if path:
        try:
            text = open(path, encoding="utf-8").read()
        except OSError as error:
            raise file_error(path, "read", error) from None
    elif text in (None, "-"):
        text = sys.stdin.read()
    if not text.strip():
        raise CommandError("no query given (QUERY, -f FILE, or - for standard input)")
    graph = _open(store, write=is_update)
    try:
        if is_update:
            _guarded(graph.update, text)
            click.echo("update done", err=True)
            return
        result = _guarded(graph.result, text, timeout=timeout, allow_service=allow_service)
        if fmt == "table":
            _print_result_table(result)
        else:
            _guarded(result.serialize, fmt, sys.stdout.buffer)
            sys.stdout.flush()
    finally:
        graph.close()


def _print_result_table(result) -> None:
    from kg.query import compact

    if getattr(result, "boolean", None) is not None:
        click.echo("true" if result.boolean else "false")
        return
    if result.variables is None:  # CONSTRUCT / DESCRIBE: triples
        for triple in result:
            click.echo(" ".join(compact(t) for t in triple) + " .")
        return
    names = [str(v).lstrip("?") for v in result.variables]
    rows = [[compact(t) for t in row] for row in result]
    _table(names, rows)
    click.echo(f"({len(rows)} row{'s' * (len(rows) != 1)})", err=True)


def _table(names: list[str], rows: list[list[str]], width: int = 60) -> None:
    rows = [[_fold(cell, width) for cell in row] for row in rows]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    click.echo("  ".join(click.style(n.ljust(w), bold=True) for n, w in zip(names, widths)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def _emit(rows: list[dict], fmt: str, columns: list[str]) -> None:
    """Rows of a named question: a table, CSV, TSV or JSON (a list of objects)."""
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return
    def cell(v):
        return " | ".join(map(str, v)) if isinstance(v, list) else "" if v is None else str(v)
    if fmt in ("csv", "tsv"):
        out = csv.writer(sys.stdout, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        out.writerow(columns)
        for row in rows:
            out.writerow([cell(row.get(c)) for c in columns])
        return
    _table(columns, [[cell(row.get(c)) for c in columns] for row in rows])
    click.echo(f"({len(rows)} row{'s' * (len(rows) != 1)})", err=True)


FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(ROW_FORMATS), default="table", show_default=True)
FLAT_COLUMNS = ["sourceLabel", "sourceType", "via", "publisherLabel", "cue", "content", "certainty", "polarity",
                "channel", "date", "documentId", "evidence", "evidenceStart", "evidenceEnd", "attribution"]


@main.command(short_help="Who said what, via whom: the flat view.")
@click.option("--source", metavar="NAME", help="Original source whose name contains NAME.")
@click.option("--via", metavar="NAME", help="Relayed by an intermediary whose name contains NAME.")
@click.option("--publisher", metavar="NAME", help="Published by an outlet whose name contains NAME.")
@click.option("--about", metavar="TEXT", help="Claims containing TEXT.")
@FORMAT_OPTION
@STORE_OPTION
def attributions(source, via, publisher, about, fmt, store):
    """Each attribution with its chain folded: the original source, the intermediaries from the
    source outward (via), the publisher, the claim, cue, certainty, polarity, channel, date, the
    article and the evidence sentence with its character offsets.

    \b
    Examples:
        kg attributions --via Bloomberg
        kg attributions --source Zelensky --format json
    """
    graph = _open(store)
    try:
        rows = _guarded(graph.attributions, source=source, via=via, publisher=publisher, about=about)
    finally:
        graph.close()
    for row in rows:
        for key in ("certainty", "polarity"):
            row[key] = (row[key] or "").rsplit("#", 1)[-1].lower()
    if fmt == "table":
        _flat_table(rows)
    else:
        _emit(rows, fmt, FLAT_COLUMNS)


def _flat_table(rows: list[dict]) -> None:
    """The flat view for reading: who, via whom, in which outlet; then what; then the flags."""
    for row in rows:
        who = click.style(row["sourceLabel"] or row["sourceMention"] or "(no source)", bold=True)
        if row["sourceType"]:
            who += f" ({row['sourceType']})"
        if row["via"]:
            who += " via " + " → ".join(row["via"])
        if row["publisherLabel"]:
            who += f" · in {row['publisherLabel']}"
        click.echo(who)
        cue = click.style(row["cue"], fg="cyan") + ": " if row["cue"] else ""
        click.echo(f"    {cue}{_fold(row['content'], 110)}")
        flags = [f for f in (row["certainty"] if row["certainty"] != "certain" else None,
                             "negative" if row["polarity"] == "negative" else None,
                             f"on {row['channel']}" if row["channel"] else None,
                             f"date: {row['date']}" if row["date"] else None) if f]
        click.echo(click.style("    [" + " · ".join(flags + [row["attribution"]]) + "]", dim=True))
    click.echo(f"({len(rows)} attribution{'s' * (len(rows) != 1)})", err=True)


@main.command("who-said", short_help="Everything a source said.")
@click.argument("name")
@FORMAT_OPTION
@STORE_OPTION
def who_said(name, fmt, store):
    """Every attribution whose source's name contains NAME, as original source or relay."""
    graph = _open(store)
    try:
        rows = _guarded(graph.who_said, name)
    finally:
        graph.close()
    _emit(rows, fmt, ["sourceLabel", "sourceMention", "cue", "content", "publisherLabel", "published", "date",
                      "documentId", "evidence", "attribution"])


@main.command(short_help="One attribution's citing chain.")
@click.argument("attribution", metavar="ATTRIBUTION")
@FORMAT_OPTION
@STORE_OPTION
def chain(attribution, fmt, store):
    """The chain of ATTRIBUTION (its IRI, as `kg attributions` prints it): what it relays, out to
    the original source, and what relays it."""
    graph = _open(store)
    try:
        rows = _guarded(graph.chain, attribution)
    finally:
        graph.close()
    if not rows:
        raise CommandError(f"no attribution {attribution!r} in the store")
    _emit(rows, fmt, ["role", "sourceLabel", "sourceMention", "cue", "content", "step"])


@main.command(short_help="Who is relied on most, by outlet.")
@FORMAT_OPTION
@STORE_OPTION
def sources(fmt, store):
    """For each publisher, the original sources of the claims it published, most used first, with
    how many of those claims reached it through a relay."""
    graph = _open(store)
    try:
        rows = _guarded(graph.sources)
    finally:
        graph.close()
    _emit(rows, fmt, ["publisherLabel", "sourceLabel", "sourceType", "claims", "viaRelay"])


@main.command(short_help="What the graph holds.")
@FORMAT_OPTION
@STORE_OPTION
def stats(fmt, store):
    """Articles, attributions, chains, agents by type, triples."""
    graph = _open(store)
    try:
        rows = _guarded(graph.stats)
    finally:
        graph.close()
    _emit(rows, fmt, ["figure", "value"])


@main.command(short_help="Write the graph (or one article's graph) to a file.")
@click.option("--format", "fmt", type=click.Choice(("ttl", "trig", "nq", "nt", "jsonld", "graphml", "gexf")),
              default="trig", show_default=True)
@click.option("--graph", "article", metavar="ARTICLE", help="Only this article's graph (its document id or IRI).")
@click.option("-o", "--output", metavar="FILE", required=True, help="The file to write ('-' for stdout).")
@STORE_OPTION
def export(fmt, article, output, store):
    """Export the store as Turtle, TriG, N-Quads, N-Triples or JSON-LD. Turtle and N-Triples hold
    no graph names: all graphs are merged (or use --graph).

    graphml and gexf write the picture `kg render` draws (agents, claims and articles; said,
    relayed, cited, published, in, to, on, with weights) for Gephi, Cytoscape or yEd."""
    from kg import network

    picture = fmt in network.EXPORT_FORMATS
    if picture and article:
        raise CommandError(f"--graph selects RDF graphs; --format {fmt} exports the whole picture")
    graph = _open(store)
    try:
        net = _guarded(network.build, graph) if picture else None
        try:
            out = sys.stdout.buffer if output == "-" else open(output, "wb")
        except OSError as error:
            raise file_error(output, "write", error) from None
        try:
            if picture:
                network.write(net, out, fmt)
            else:
                _guarded(graph.export, fmt, out, article)
        finally:
            if output != "-":
                out.close()
    finally:
        graph.close()


@main.command(short_help="Check the graph against the SHACL shapes.")
@click.option("--graph", "article", metavar="ARTICLE", help="Only this article's graph (its document id or IRI).")
@STORE_OPTION
def validate(article, store):
    """Validate each article graph, with the agents graph, against ontology/shapes.ttl. Lists the
    violations and exits with status 1 if there are any."""
    graph = _open(store)
    try:
        checked, violations = _guarded(graph.validate, article)
    finally:
        graph.close()
    for v in violations:
        click.echo(v)
    click.echo(f"{checked} graph{'s' * (checked != 1)} checked, {len(violations)} violation"
               f"{'s' * (len(violations) != 1)}", err=True)
    if violations:
        sys.exit(1)


@main.command(short_help="Claims per source and outlet, anonymous shares, chains, who is relied on.")
@click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True)
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True, help="Rows per list.")
@STORE_OPTION
def analyze(fmt, top, store):
    """The numbers for judging a story: claims per original source and per outlet, the share of
    each outlet's claims that rest on anonymous sources, how many hops claims travelled, and
    the most relied-upon sources (PageRank on publisher -> relay -> source)."""
    from kg.analyze import analyze as run, format_report

    graph = _open(store)
    try:
        report = _guarded(run, graph, top=top)
    finally:
        graph.close()
    click.echo(json.dumps(report, indent=2, ensure_ascii=False) if fmt == "json" else format_report(report))
