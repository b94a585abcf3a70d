"""The views of the graph: `kg render` (an interactive, self-contained HTML page: kg.network +
kg.render) and `kg analyze` (the figures: kg.analyze)."""
from __future__ import annotations

from pathlib import Path

import json

import click

from kg.cli.common import STORE, CommandError, file_error, format_option, graph_at


@click.command(short_help="Draw the graph as an interactive HTML page.")
@click.option("-o", "--output", metavar="FILE", default="graph.html", show_default=True,
              help="The page to write.")
@click.option("--focus", metavar="NAME", help="Only the neighbourhood of the agents whose name contains NAME.")
@click.option("--depth", type=click.IntRange(min=0), default=2, show_default=True, metavar="N",
              help="With --focus: hops from the agents (claims, articles and agents each count one).")
@click.option("--types", metavar="TYPE,...",
              help="Keep agents of these types (person, outlet, agency, body, government, platform, organization, "
                   "anonymous, group) and their claims and articles.")
@click.option("--query", "query_file", metavar="FILE.rq", type=click.Path(dir_okay=False),
              help="Only the attributions a SPARQL SELECT returns in ?attribution.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=2000, show_default=True, metavar="N",
              help="Above N nodes, keep the N most connected.")
@click.option("--title", metavar="TEXT", help="The page's heading.")
@STORE
def render(output, focus, depth, types, query_file, max_nodes, title, store):
    """Draw who said what, via whom: agents (sources, relays, publishers, recipients, platforms),
    claims and articles, with edges said, relayed, cited, published, in, to and on, and disputes
    (dashed red: a claim that denies or does not confirm another, see kg claims --contested). Colour
    and shape by type, a legend, tooltips with the claim, cue, certainty, polarity and evidence sentence.
    The page works offline (vis-network is inside it).

    \b
    Examples:
        kg render -o graph.html
        kg render --focus Bloomberg --depth 2 -o bloomberg.html
        kg render --types person,agency --max-nodes 500
        kg render --query mine.rq -o mine.html     # SELECT ?attribution WHERE { ... }
    """
    from kg import network
    from kg import render as draw

    wanted = network.agent_types(types) if types else None
    with graph_at(store) as graph:
        net = network.build(graph, focus=focus, depth=depth, types=wanted,
                            query=Path(query_file) if query_file else None)
    if focus is not None and not net.graph["matched"]:
        raise CommandError(f"no agent in the graph whose name contains {focus!r}")
    heading = title or (f"Who said what, via whom: around “{focus}”" if focus else draw.DEFAULT_TITLE)
    try:
        summary = draw.render(net, output, max_nodes=max_nodes, title=heading)
    except OSError as error:
        raise file_error(output, "write", error) from None
    click.echo(summary.line(output), err=True)


@click.command(short_help="Claims per source and outlet, anonymous shares, chains, who is relied on.")
@format_option(("table", "json"))
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True, help="Rows per list.")
@STORE
def analyze(fmt, top, store):
    """The numbers for judging a story: claims per original source and per outlet, the share of
    each outlet's claims that rest on anonymous sources, how many hops claims travelled, and
    the most relied-upon sources (PageRank on publisher -> relay -> source), and the contested
    groups (said by some, denied or not confirmed by others: kg claims --contested).

    \b
    Examples:
        kg analyze
        kg analyze --top 5 --format json
    """
    from kg.analyze import analyze as run, format_report

    with graph_at(store) as graph:
        report = run(graph, top=top)
    click.echo(json.dumps(report, indent=2, ensure_ascii=False) if fmt == "json" else format_report(report))


COMMANDS = [render, analyze]
