"""What the commands share: the one-line error, the options, the graph a command opens, and rows
written as a table, CSV, TSV or JSON. The commands' modules import from here; nothing here imports
a command."""
from __future__ import annotations

import csv
import json
import re
import sys
from contextlib import contextmanager
from typing import IO, Iterator

import click

from kg.errors import KgError
from kg.text import fold, plural


class CommandError(click.ClickException):
    """A one-line error on stderr ("kg: error: ..."), exit status 1."""

    def show(self, file: IO | None = None) -> None:
        click.echo(f"kg: error: {controls_escaped(self.format_message())}", file=file or sys.stderr)


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
    click.echo(f"kg: error: {controls_escaped(message)}", err=True)


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
QUERY_TIMEOUT = 120.0
TIMEOUT = click.option(
    "--timeout", type=click.FloatRange(min=0), default=QUERY_TIMEOUT, show_default=True, metavar="SECONDS",
    help="Give up a query that runs longer than SECONDS (0: no limit).")
STORE = click.option(
    "--store", "store", metavar="PATH|URL", envvar="KG_STORE", show_envvar=True,
    help="The graph: a directory (embedded Oxigraph; default ~/.local/share/kg/store) or the base URL "
         "of a SPARQL 1.1 endpoint, its profile in the scheme: http:// (oxigraph serve), fuseki+http://, "
         "qlever+http://, virtuoso+http://.")


def format_option(choices: tuple[str, ...], *, default: str | None = "table", short: bool = False,
                  help: str | None = None):
    """The --format option (-f too where `short`), as `fmt`, over `choices`."""
    names = ("-f", "--format") if short else ("--format",)
    return click.option(*names, "fmt", type=click.Choice(choices), default=default,
                        show_default=default is not None, help=help)


# A person at a terminal reads a page; a pipe or a file gets everything unless --limit says otherwise.
TERMINAL_PAGE = 20


def paging(what: str):
    """--limit N and --offset N (as `limit`, `offset`) for a command listing `what` ("attributions",
    "groups"): without --limit, TERMINAL_PAGE on a terminal and all otherwise; --limit 0 is all."""
    def options(fn):
        fn = click.option("--offset", type=click.IntRange(min=0), default=0, metavar="N",
                          help=f"Skip the first N {what}.")(fn)
        return click.option("--limit", type=click.IntRange(min=0), metavar="N",
                            help=f"At most N {what} (0: all; default: {TERMINAL_PAGE} on a terminal, "
                                 f"all otherwise).")(fn)
    return options


def page_size(limit: int | None) -> int | None:
    """The number of items to show: --limit (0: all, None), else a terminal's page or all."""
    if limit is None:
        return TERMINAL_PAGE if sys.stdout.isatty() else None
    return limit or None


def more(shown: int, offset: int, what: str) -> None:
    """The line that says a page was cut: where the next one starts, and how to get everything."""
    click.echo(f"({what} {offset + 1}-{offset + shown} shown; more with --offset {offset + shown}, "
               f"all with --limit 0)", err=True)


ROW_FORMATS = ("table", "csv", "tsv", "json")
ROWS = format_option(ROW_FORMATS)  # the rows of a named question


# --- the graph ---------------------------------------------------------------------------------------

@contextmanager
def graph_at(store: str | None, write: bool = False, timeout: float | None = None) -> Iterator:
    """The kg.Graph at `store` for one command, closed when the command is done with it, also when
    it fails: created if absent when writing, shared with other readers if not. Each query given no
    timeout of its own gives up after `timeout` seconds (None or 0: no limit)."""
    from kg.graph import Graph
    from kg.store import QueryTimeout

    graph = Graph(store, create=write, read_only=not write)
    graph.store.query_timeout = timeout or None
    message = None
    try:
        yield graph
    except QueryTimeout as error:
        message = f"{error} (--timeout SECONDS to wait longer, --timeout 0 for no limit)"
    finally:
        graph.close()
    if message:  # raised here, out of the `except`: see Group.invoke
        raise CommandError(message)


# --- rows --------------------------------------------------------------------------------------------

# C0 controls but newline and tab, DEL, C1 controls: the bytes that start terminal escape sequences
# (ESC [ ... for colours and the cursor, ESC ] ... BEL for the window title, links, the clipboard).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # and newline and tab: what breaks a line of a log
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def controls_escaped(message: str) -> str:
    """An error message on one line whatever it quotes (a file named "bad\\nname.txt"): line breaks,
    tabs and every other control character written out visibly."""
    return _ANY_CONTROL.sub(lambda m: _NAMED.get(m.group()) or f"\\x{ord(m.group()):02x}", message)


def shown(value):
    """Text from the articles as a terminal may show it: each control character written out
    visibly (ESC as \\x1b), so that none reaches the terminal as one. Other values as they are."""
    if isinstance(value, str):
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if isinstance(value, (list, tuple)):
        return [shown(v) for v in value]
    if isinstance(value, dict):
        return shown_row(value)
    return value


def shown_row(row: dict) -> dict:
    return {k: shown(v) for k, v in row.items()}


# OWASP's rule against CSV injection (owasp.org/www-community/attacks/CSV_Injection): a cell that
# begins with = + - @ tab or carriage return is a formula to a spreadsheet; a ' in front makes it
# text. A cell that is just a number ("-5", "+1.5") stays as it is: no spreadsheet evaluates it.
_FORMULA = re.compile(r"[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")


def safe_cell(text: str) -> str:
    if _FORMULA.match(text) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class csv_writer:
    """A csv.writer (TSV for fmt "tsv") whose writerow neutralises formula cells (safe_cell)."""

    def __init__(self, out: IO, fmt: str = "csv"):
        self._writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(c) if isinstance(c, str) else c for c in row])


def table(names: list[str], rows: list[list[str]], width: int = 60) -> None:
    """Columns padded to their widest cell (each cell folded to `width`), the header in bold."""
    rows = [[fold(shown(cell), width) for cell in row] for row in rows]
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
        out = csv_writer(sys.stdout, fmt)
        out.writerow(columns)
        for row in rows:
            out.writerow([cell(row.get(c)) for c in columns])
        return
    table(columns, [[cell(row.get(c)) for c in columns] for row in rows])
    click.echo(f"({plural(len(rows), 'row')})", err=True)
