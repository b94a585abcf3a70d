"""`kg render`: the graph as an interactive, self-contained HTML page (kg.network + kg.render)."""
from __future__ import annotations

from pathlib import Path

import click

from kg.cli import CommandError, file_error, main
from kg.cli_graph import STORE_OPTION, _guarded, _open


@main.command(short_help="Draw the graph as an interactive HTML page.")
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
@STORE_OPTION
def render(output, focus, depth, types, query_file, max_nodes, title, store):
    """Draw who said what, via whom: agents (sources, relays, publishers, recipients, platforms),
    claims and articles, with edges said, relayed, cited, published, in, to and on. Colour and shape
    by type, a legend, tooltips with the claim, cue, certainty, polarity and evidence sentence.
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

    try:
        wanted = network.agent_types(types) if types else None
        graph = _open(store)
        try:
            net = _guarded(network.build, graph, focus=focus, depth=depth, types=wanted,
                           query=Path(query_file) if query_file else None)
        finally:
            graph.close()
    except network.NetworkError as error:
        raise CommandError(str(error)) from None
    if focus is not None and not net.graph["matched"]:
        raise CommandError(f"no agent in the graph whose name contains {focus!r}")
    heading = title or (f"Who said what, via whom: around “{focus}”" if focus else draw.DEFAULT_TITLE)
    try:
        summary = draw.render(net, output, max_nodes=max_nodes, title=heading)
    except OSError as error:
        raise file_error(output, "write", error) from None
    click.echo(summary.line(output), err=True)
