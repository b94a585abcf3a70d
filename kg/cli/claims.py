"""`kg claims` (claims about the same thing grouped, with their independent sources) and `kg regroup`.
Options and output only; the work is done by kg.corroborate through kg.graph."""
from __future__ import annotations

import click

from kg.cli.common import ROWS, STORE, TIMEOUT, CommandError, emit, graph_at, more, page_size, paging, shown_row
from kg.text import fold, plural

CLAIM_COLUMNS = ["group", "groupLabel", "independentSources", "claims", "text", "sourceLabel", "sourceType",
                 "viaLabel", "publisherLabel", "documentId", "countsAsLabel", "statementWith", "notCounted", "evidence",
                 "evidenceStart", "evidenceEnd", "claim", "countsAs", "contest", "contestLabel", "side",
                 "disputes"]


@click.command(short_help="Claims about the same thing, grouped, with their independent sources.")
@click.option("--single-source", is_flag=True, help="Only what rests on exactly one independent source.")
@click.option("--min-sources", type=click.IntRange(min=1), metavar="N", help="Only groups of at least N independent sources.")
@click.option("--about", metavar="TEXT", help="Only groups with a claim containing TEXT.")
@click.option("--contested", is_flag=True,
              help="Only contested groups: what some sources say and others deny or do not confirm.")
@paging("groups")
@ROWS
@TIMEOUT
@STORE
def claims(single_source, min_sources, about, contested, limit, offset, fmt, timeout, store):
    """Each claim of the graph in its group: claims from any article and source that say the same
    thing, grouped by `kg ingest` from their words. A group's independent sources are its distinct
    original sources: a relay counts as the source it cites, and so does a claim nested in another
    in one article ("Merrill said that Clinton called to express gratitude": Clinton's); anonymous
    and collective sources count once per publisher, a source restating the claim once. A claim
    counts only if its source is a named or typed agent: not without a source, nor for "The spot
    said". Best corroborated groups first; the table shows each group's sources with their claims,
    articles and publishers, and why a claim does not count (the other formats: countsAsLabel,
    statementWith, notCounted).

    With --contested, the claim groups that are part of a contested group: claims about the same
    thing with opposite polarity, one side saying it, the other denying it or not confirming it.
    Each contested group is shown once, then the groups that affirm it, then those that dispute
    it (the other formats: contest, contestLabel, side).

    --limit and --offset count groups, in that order; on a terminal, a page of them at a time.

    \b
    Examples:
        kg claims --min-sources 2
        kg claims --contested
        kg claims --single-source --format csv
        kg claims --about Kursk --format json
        kg claims --limit 20 --offset 20
    """
    if single_source and min_sources is not None and min_sources > 1:
        raise CommandError("--single-source and --min-sources N > 1 exclude each other")
    size = page_size(limit)
    with graph_at(store, timeout=timeout) as graph:  # one group more than the page: whether there is a next one
        rows = graph.claims(single_source=single_source, min_sources=min_sources, about=about, contested=contested,
                            limit=None if size is None else size + 1, offset=offset)
    groups = list(dict.fromkeys(row["group"] for row in rows))
    cut = size is not None and len(groups) > size
    if cut:
        rows = [row for row in rows if row["group"] != groups[-1]]
    if fmt == "table":
        _group_table(rows, contested=contested)
    else:
        emit(rows, fmt, CLAIM_COLUMNS)
    if cut:
        more(size, offset, "groups")


def _group_table(rows: list[dict], contested: bool = False) -> None:
    """For reading: each group once (its label; its count, claims, articles, publishers and IRI),
    its independent sources (+) with their claims, articles and publishers, what counts as none
    (-), then its claims with who said them. `contested`: each contested group's label and IRI
    first, and each group's side in it."""
    from kg.corroborate import group_sources

    rows = [shown_row(row) for row in rows]  # article text: no control character reaches the terminal
    summaries = group_sources(rows)
    group = contest = None
    for row in rows:
        if contested and row["contest"] != contest:
            contest = row["contest"]
            click.echo(click.style(f"CONTESTED: {fold(row['contestLabel'], 100)}", bold=True, fg="red"))
            click.echo(click.style(f"  {contest}", dim=True))
        if row["group"] != group:
            if contested:
                side = "affirms it" if row["side"] == "affirms" else "disputes it (denies or does not confirm)"
                click.echo(click.style(f"  {side}:", fg="red"))
            group, summary = row["group"], summaries[row["group"]]
            click.echo(click.style(fold(row["groupLabel"], 100), bold=True))
            click.echo(click.style(f"  {plural(row['independentSources'], 'independent source')} · "
                                   f"{_spread(row['claims'], summary)} · {group}", dim=True))
            for source in summary["sources"]:
                kind = f" ({source['type']})" if source["type"] else ""
                click.echo(f"  + {source['label']}{kind}: {_spread(source['claims'], source)}")
            for why, n in summary["notCounted"].items():
                click.echo(f"  - not counted, {why}: {plural(n, 'claim')}")
        who = row["sourceLabel"] or "(no source)"
        if row["sourceType"]:
            who += f" ({row['sourceType']})"
        if row["viaLabel"]:
            who += f" via {row['viaLabel']}"
        if row["publisherLabel"]:
            who += f" · in {row['publisherLabel']}"
        click.echo(f"    {who} · {row['documentId']}{_how_counted(row)}")
        click.echo(f"      {fold(row['text'], 110)}")
        for text in row.get("disputes") or ():
            click.echo(click.style(f"      disputes: {fold(text, 100)}", fg="red"))
    groups = len({r["group"] for r in rows})
    contests = f" of {plural(len({r['contest'] for r in rows}), 'contested group')}" if contested else ""
    click.echo(f"({plural(len(rows), 'claim')} in {plural(groups, 'group')}{contests})", err=True)


def _how_counted(row: dict) -> str:
    """What a claim line adds when the claim is no source of its own: why it counts as none, or
    whose statement it is part of."""
    if row["notCounted"]:
        return click.style(f" · not counted: {row['notCounted']}", dim=True)
    if row["statementWith"]:
        return click.style(f" · counted as {row['countsAsLabel']}: one statement with {row['statementWith']}'s "
                           f"in this article", dim=True)
    return ""


def _spread(claims: int, where: dict) -> str:
    """"3 claims in 2 articles (Newsweek, Reuters)": how far a group or a source reaches."""
    publishers = f" ({', '.join(where['publishers'])})" if where["publishers"] else ""
    return f"{plural(claims, 'claim')} in {plural(len(where['articles']), 'article')}{publishers}"


@click.command(short_help="Group the claims of the graph anew.")
@STORE
def regroup(store):
    """Recompute the claim groups from every claim of the graph and replace them, in one write.
    `kg ingest` does this after each run that changed the graph; run it after changing the graph
    by other means (kg query --update) or when an ingest reported that the groups were not updated.

    \b
    Examples:
        kg regroup
        kg regroup --store ./graph
    """
    with graph_at(store, write=True) as graph:
        summary = graph.regroup()
    click.echo(summary.line(), err=True)


COMMANDS = [claims, regroup]
