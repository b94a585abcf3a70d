"""What the commands share: the one-line error, the options, the graph a command opens, and rows
written as a table, CSV, TSV or JSON. The commands' modules import from here; nothing here imports
a command."""
from __future__ import annotations

import csv
import json
import sys
from contextlib import contextmanager
from typing import IO, Iterator

import click

from kg.errors import KgError
from kg.text import fold, plural


class CommandError(click.ClickException):
    """A one-line error on stderr ("kg: error: ..."), exit status 1."""

    def show(self, file: IO | None = None) -> None:
        click.echo(f"kg: error: {self.format_message()}", file=file or sys.stderr)


class Group(click.Group):
    """The `kg` group. A KgError from any command (a store in use, a bad register file, a missing
    model) becomes that command's one-line error, here and nowhere else."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as error:
            message = str(error)
        # Raised outside the `except`, so the KgError and its traceback are gone: a traceback kept
        # for display must not keep the store's RocksDB (and its lock) alive. graph_at has closed
        # the graph by now.
        raise CommandError(message)


def report_error(message: str) -> None:
    """An error that does not stop the command (one unreadable file of many): one line on stderr."""
    click.echo(f"kg: error: {message}", err=True)


def file_error(path, action: str, error: OSError) -> CommandError:
    """The one-line error for a file the command cannot read or write: "PATH: cannot read: reason"."""
    return CommandError(f"{path}: cannot {action}: {(error.strerror or str(error)).lower()}")


def writes_to_stdout(path: str | None) -> bool:
    return path is None or path == "-"


def open_output(path: str | None) -> IO:
    """stdout for None or "-", else the file `path` (UTF-8), opened before any work is done."""
    if writes_to_stdout(path):
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as error:
        raise file_error(path, "write", error) from None


# --- options: one object each ----------------------------------------------------------------------

# Not readable=True: an unreadable path is the readers' one-line error for that input, the others
# still read; click would refuse the whole run with a usage error (exit 2).
PATHS = click.argument("paths", metavar="PATH...", nargs=-1, required=True,
                       type=click.Path(dir_okay=True, readable=False))
JOBS = click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
                    help="Processes that parse articles in parallel.")
ENTITIES = click.option(
    "--entities", "entity_files", metavar="FILE.ttl", multiple=True, type=click.Path(dir_okay=False),
    help="Your own entity register (Turtle, like ontology/entities.ttl), on top of the shipped one. Repeatable.")
STORE = click.option(
    "--store", "store", metavar="PATH|URL", envvar="KG_STORE", show_envvar=True,
    help="The graph: a directory (embedded Oxigraph; default ~/.local/share/kg/store) or the base URL "
         "of a SPARQL 1.1 endpoint (URL/query, URL/update).")


def format_option(choices: tuple[str, ...], *, default: str | None = "table", short: bool = False,
                  help: str | None = None):
    """The --format option (-f too where `short`), as `fmt`, over `choices`."""
    names = ("-f", "--format") if short else ("--format",)
    return click.option(*names, "fmt", type=click.Choice(choices), default=default,
                        show_default=default is not None, help=help)


ROW_FORMATS = ("table", "csv", "tsv", "json")
ROWS = format_option(ROW_FORMATS)  # the rows of a named question


# --- the graph ---------------------------------------------------------------------------------------

@contextmanager
def graph_at(store: str | None, write: bool = False) -> Iterator:
    """The kg.Graph at `store` for one command, closed when the command is done with it, also when
    it fails: created if absent when writing, shared with other readers if not."""
    from kg.graph import Graph

    graph = Graph(store, create=write, read_only=not write)
    try:
        yield graph
    finally:
        graph.close()


# --- rows --------------------------------------------------------------------------------------------

def table(names: list[str], rows: list[list[str]], width: int = 60) -> None:
    """Columns padded to their widest cell (each cell folded to `width`), the header in bold."""
    rows = [[fold(cell, width) for cell in row] for row in rows]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    click.echo("  ".join(click.style(n.ljust(w), bold=True) for n, w in zip(names, widths)).rstrip())
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def emit(rows: list[dict], fmt: str, columns: list[str]) -> None:
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
    table(columns, [[cell(row.get(c)) for c in columns] for row in rows])
    click.echo(f"({plural(len(rows), 'row')})", err=True)
