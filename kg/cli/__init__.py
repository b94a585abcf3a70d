"""The `kg` command line: a thin shell over the Python API (kg.extract, kg.Graph, kg.network, ...).

    kg extract seeds/                       # who said what, as a table (on a terminal)
    kg ingest seeds/ && kg attributions --via Bloomberg
    kg render -o graph.html

The group is defined here and handed each module's COMMANDS; the command modules import only
kg.cli.common (options, the graph, output), never this file. Every KgError a command raises is
printed as one line, "kg: error: ...", with exit status 1 (common.Group).
"""
from __future__ import annotations

import click

import kg
from kg.cli import claims, extract, graph, pipeline, serve, views
from kg.cli.common import Group


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(kg.__version__, "--version", "-V", prog_name="kg", message="%(prog)s %(version)s")
def main():
    """kg: who said what, via whom, in the news.

    Reads news articles and extracts attributions: a source (who), a cue
    (said, told, according to), the content (what), and how it travelled
    (the outlet or channel it was cited through). Every record points back
    to the sentence it came from, by character offsets into the article.

    \b
    Examples:
        kg extract seeds/
        kg extract corpus.jsonl --format jsonl > pred.jsonl
        kg eval gold.jsonl --bootstrap 1000
    """


for module in (extract, graph, claims, views, serve, pipeline):
    for command in module.COMMANDS:
        main.add_command(command)
