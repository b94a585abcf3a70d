"""The graph commands of `kg`: ingest, query, attributions, who-said, chain, sources, stats, export,
validate. Options and output only; the work is done by kg.graph (the same API a notebook uses)."""
from __future__ import annotations

import sys
import time

import click

from kg.cli.common import (ENTITIES, JOBS, PATHS, ROWS, STORE, TIMEOUT, CommandError, emit, file_error,
                           format_option, graph_at, more, page_size, paging, report_error, shown, shown_row,
                           table)
from kg.documents import open_regular, os_error_message
from kg.text import fold, plural


@click.command(short_help="Extract, resolve and store articles in the graph.")
@PATHS
@STORE
@JOBS
@ENTITIES
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
    shown = {"n": 0, "at": 0.0}
    tty = sys.stderr.isatty()

    def progress(article):
        shown["n"] += 1
        if tty and time.perf_counter() - shown["at"] > 0.2:
            shown["at"] = time.perf_counter()
            click.echo(f"\r{shown['n']} articles written", err=True, nl=False)

    from kg.resolve import load_register

    register = load_register(entity_files)  # a bad file stops here, before a store is opened or created
    with graph_at(store, write=True) as graph:
        summary = graph.ingest(paths, jobs=jobs, register=register, regroup=not no_regroup,
                               on_error=lambda e: report_error(str(e)), on_article=progress)
    if tty and shown["n"]:
        click.echo("\r" + " " * 40 + "\r", err=True, nl=False)
    click.echo(summary.line(), err=True)
    if summary.failed:
        sys.exit(1)


@click.command(short_help="Run a SPARQL query (read-only unless --update).")
@click.argument("text", metavar="[QUERY | -]", required=False)
@click.option("-f", "--file", "path", type=click.Path(dir_okay=False), help="Read the query from FILE.")
@format_option(("table", "csv", "tsv", "json", "xml"), help="Output: a table, or a W3C SPARQL results format.")
@click.option("--update", "is_update", is_flag=True, help="Allow a SPARQL Update (INSERT, DELETE, DROP ...).")
@click.option("--allow-service", is_flag=True, help="Allow SERVICE clauses (federated queries leave this machine).")
@TIMEOUT
@STORE
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
            with open_regular(path, "r", encoding="utf-8") as f:
                text = f.read()
        except OSError as error:
            raise CommandError(f"{path}: {os_error_message(error)}") from None
    elif text in (None, "-"):
        text = sys.stdin.read()
    if not text.strip():
        raise CommandError("no query given (QUERY, -f FILE, or - for standard input)")
    with graph_at(store, write=is_update, timeout=timeout) as graph:
        if is_update:
            graph.update(text)
            click.echo("update done", err=True)
            return
        result = graph.result(text, allow_service=allow_service)
        if fmt == "table":
            _print_result_table(result)
        else:
            result.serialize(fmt, sys.stdout.buffer)
            sys.stdout.flush()


def _print_result_table(result) -> None:
    from kg.query import compact

    if getattr(result, "boolean", None) is not None:
        click.echo("true" if result.boolean else "false")
        return
    if result.variables is None:  # CONSTRUCT / DESCRIBE: triples
        for triple in result:
            click.echo(shown(" ".join(compact(t) for t in triple) + " ."))
        return
    names = [str(v).lstrip("?") for v in result.variables]
    rows = [[compact(t) for t in row] for row in result]
    table(names, rows)
    click.echo(f"({plural(len(rows), 'row')})", err=True)


FLAT_COLUMNS = ["sourceLabel", "sourceType", "via", "publisherLabel", "cue", "content", "certainty", "polarity",
                "channel", "recipientLabel", "date", "documentId", "evidence", "evidenceStart", "evidenceEnd",
                "attribution", "recipient"]


@click.command(short_help="Who said what, via whom: the flat view.")
@click.option("--source", metavar="NAME", help="Original source whose name contains NAME.")
@click.option("--via", metavar="NAME",
              help="Relayed by an intermediary whose name contains NAME (a relay, or an outlet that was told it).")
@click.option("--publisher", metavar="NAME", help="Published by an outlet whose name contains NAME.")
@click.option("--about", metavar="TEXT", help="Claims containing TEXT.")
@paging("attributions")
@ROWS
@TIMEOUT
@STORE
def attributions(source, via, publisher, about, limit, offset, fmt, timeout, store):
    """Each attribution with its chain folded: the original source, the intermediaries from the
    source outward (via: relays, and outlets told it, as in "officials told The Wall Street
    Journal"; the publisher itself is no relay), the publisher, the claim, cue, certainty,
    polarity, channel, recipient, date, the article and the evidence sentence with its character
    offsets. By article, then position in it; on a terminal a page at a time (--limit, --offset).

    \b
    Examples:
        kg attributions --via Bloomberg
        kg attributions --source Zelensky --format json
        kg attributions --source Trump --limit 50 --offset 50
    """
    from kg.query import local_name

    size = page_size(limit)
    with graph_at(store, timeout=timeout) as graph:  # one more than the page: whether there is a next one
        rows = graph.attributions(source=source, via=via, publisher=publisher, about=about,
                                  limit=None if size is None else size + 1, offset=offset)
    cut = size is not None and len(rows) > size
    rows = rows[:size] if cut else rows
    for row in rows:
        for key in ("certainty", "polarity"):
            row[key] = (local_name(row[key]) or "").lower()
    if fmt == "table":
        _flat_table(rows)
    else:
        emit(rows, fmt, FLAT_COLUMNS)
    if cut:
        more(len(rows), offset, "attributions")


def _flat_table(rows: list[dict]) -> None:
    """The flat view for reading: who, via whom, in which outlet; then what; then the flags."""
    for row in map(shown_row, rows):
        who = click.style(row["sourceLabel"] or row["sourceMention"] or "(no source)", bold=True)
        if row["sourceType"]:
            who += f" ({row['sourceType']})"
        if row["via"]:
            who += " via " + " → ".join(row["via"])
        if row["publisherLabel"]:
            who += f" · in {row['publisherLabel']}"
        click.echo(who)
        cue = click.style(row["cue"], fg="cyan") + ": " if row["cue"] else ""
        click.echo(f"    {cue}{fold(row['content'], 110)}")
        flags = [f for f in (row["certainty"] if row["certainty"] != "certain" else None,
                             "negative" if row["polarity"] == "negative" else None,
                             f"on {row['channel']}" if row["channel"] else None,
                             f"to {row['recipientLabel']}" if row["recipientLabel"] else None,
                             f"date: {row['date']}" if row["date"] else None) if f]
        click.echo(click.style("    [" + " · ".join(flags + [row["attribution"]]) + "]", dim=True))
    click.echo(f"({plural(len(rows), 'attribution')})", err=True)


@click.command("who-said", short_help="Everything a source said, relayed or was told as a relay.")
@click.argument("name")
@paging("rows")
@ROWS
@TIMEOUT
@STORE
def who_said(name, limit, offset, fmt, timeout, store):
    """Every attribution whose source's name contains NAME, as original source or relay, and every
    attribution said to an outlet of that name when the outlet relays it ("unnamed officials told
    The Wall Street Journal" in another outlet's article). The role column says which: source,
    relay or recipient. Newest articles first; on a terminal a page at a time (--limit, --offset).

    \b
    Examples:
        kg who-said Kirby
        kg who-said "Wall Street Journal"
        kg who-said "South Korean intelligence" --format csv
        kg who-said Trump --limit 100 --offset 100
    """
    size = page_size(limit)
    with graph_at(store, timeout=timeout) as graph:  # one more than the page: whether there is a next one
        rows = graph.who_said(name, limit=None if size is None else size + 1, offset=offset)
    cut = size is not None and len(rows) > size
    emit(rows[:size] if cut else rows, fmt, ["role", "sourceLabel", "sourceMention", "cue", "recipientLabel",
                                             "content", "publisherLabel", "published", "date", "documentId",
                                             "evidence", "attribution"])
    if cut:
        more(size, offset, "rows")


@click.command(short_help="One attribution's citing chain.")
@click.argument("attribution", metavar="ATTRIBUTION")
@ROWS
@TIMEOUT
@STORE
def chain(attribution, fmt, timeout, store):
    """The chain of ATTRIBUTION (its IRI, as `kg attributions` prints it): what it relays, out to
    the original source, and what relays it.

    \b
    Examples:
        kg chain 'https://w3id.org/kg-attribution/article/003_4856369f2c6336b1#a3'
        kg chain 'https://w3id.org/kg-attribution/article/003_4856369f2c6336b1#a3' --format json
    """
    with graph_at(store, timeout=timeout) as graph:
        rows = graph.chain(attribution)
    if not rows:
        raise CommandError(f"no attribution {attribution!r} in the store")
    emit(rows, fmt, ["role", "sourceLabel", "sourceMention", "cue", "content", "step"])


@click.command(short_help="Who is relied on most, by outlet.")
@ROWS
@TIMEOUT
@STORE
def sources(fmt, timeout, store):
    """For each publisher, the original sources of the claims it published, most used first, with
    how many of those claims reached it through a relay.

    \b
    Examples:
        kg sources
        kg sources --format csv > sources.csv
    """
    with graph_at(store, timeout=timeout) as graph:
        rows = graph.sources()
    emit(rows, fmt, ["publisherLabel", "sourceLabel", "sourceType", "claims", "viaRelay"])


@click.command(short_help="What the graph holds.")
@ROWS
@TIMEOUT
@STORE
def stats(fmt, timeout, store):
    """Articles, attributions, chains, agents by type, triples.

    \b
    Examples:
        kg stats
        kg stats --store http://127.0.0.1:7878 --format json
    """
    with graph_at(store, timeout=timeout) as graph:
        rows = graph.stats()
    emit(rows, fmt, ["figure", "value"])


@click.command(short_help="Write the graph (or one article's graph) to a file.")
@format_option(("ttl", "trig", "nq", "nt", "jsonld", "graphml", "gexf"), default="trig")
@click.option("--graph", "article", metavar="ARTICLE", help="Only this article's graph (its document id or IRI).")
@click.option("-o", "--output", metavar="FILE", required=True, help="The file to write ('-' for stdout).")
@STORE
def export(fmt, article, output, store):
    """Export the store as Turtle, TriG, N-Quads, N-Triples or JSON-LD. Turtle and N-Triples hold
    no graph names: all graphs are merged (or use --graph).

    graphml and gexf write the picture `kg render` draws (agents, claims and articles; said,
    relayed, cited, published, in, to, on, with weights) for Gephi, Cytoscape or yEd.

    \b
    Examples:
        kg export -o graph.trig
        kg export --format nq -o - | gzip > graph.nq.gz
        kg export --format ttl --graph 003_4856369f2c6336b1 -o article.ttl
        kg export --format graphml -o graph.graphml
    """
    from kg import network

    picture = fmt in network.EXPORT_FORMATS
    if picture and article:
        raise CommandError(f"--graph selects RDF graphs; --format {fmt} exports the whole picture")
    with graph_at(store) as graph:
        net = network.build(graph) if picture else None
        try:
            out = sys.stdout.buffer if output == "-" else open(output, "wb")
        except OSError as error:
            raise file_error(output, "write", error) from None
        try:
            if picture:
                network.write(net, out, fmt)
            else:
                graph.export(fmt, out, article)
        finally:
            if output != "-":
                out.close()


@click.command(short_help="Check the graph against the SHACL shapes.")
@click.option("--graph", "article", metavar="ARTICLE", help="Only this article's graph (its document id or IRI).")
@STORE
def validate(article, store):
    """Validate each article graph, with the agents graph, against ontology/shapes.ttl. Lists the
    violations and exits with status 1 if there are any.

    \b
    Examples:
        kg validate
        kg validate --graph 003_4856369f2c6336b1
    """
    with graph_at(store) as graph:
        checked, violations = graph.validate(article)
    for v in violations:
        click.echo(shown(v))
    click.echo(f"{plural(checked, 'graph')} checked, {plural(len(violations), 'violation')}", err=True)
    if violations:
        sys.exit(1)


COMMANDS = [ingest, query, attributions, who_said, chain, sources, stats, export, validate]
