"""SPARQL text: just enough lexing to see its form (query or update), SERVICE, FROM and where to
bind variables, the binding of parameters as RDF terms (a VALUES block opening each WHERE group,
never text pasted into the query), and the syntax-error messages, with positions moved back onto
the user's own text."""
from __future__ import annotations

import re
import urllib.parse
from typing import Callable

import pyoxigraph as ox
from pyoxigraph import BlankNode, Literal, NamedNode

from kg.queries import compose, named
from kg.store.errors import StoreError, one_line

_TOKENS = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$]\w+)
  | (?P<word>(?:[\w:.\-%]|\\.)+)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<other>.)
""", re.X | re.S)
QUERY_FORMS = {"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"}
UPDATE_FORMS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_VARNAME = re.compile(r"\w+")
_SERVICE = re.compile(r"(?<![\w:%\\])SERVICE(?![\w%\\-])")
_POSITION = re.compile(r"(\d+):(\d+)")


class Sparql:
    """A query or update as tokens outside strings, IRIs and comments."""

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise StoreError("the SPARQL text must be a string")
        self.text = text
        self.tokens = [(m.lastgroup, m.group(), m.start()) for m in _TOKENS.finditer(text)
                       if m.lastgroup not in ("space", "comment")]
        words = [(i, v.upper()) for i, (k, v, _) in enumerate(self.tokens) if k == "word"]
        self.form = next((w for _, w in words if w in QUERY_FORMS or w in UPDATE_FORMS), None)
        self.is_update = self.form in UPDATE_FORMS
        # SERVICE glued to its neighbours counts too ('?o.SERVICE<x>', 'SERVICE:x' with the empty
        # prefix); only a local name ('ex:service') is no keyword.
        self.has_service = any(_SERVICE.search(w) for _, w in words)
        self.has_from, self.dataset = self._dataset()

    def _dataset(self) -> tuple[bool, tuple[list[str], list[str]] | None]:
        """Whether FROM / FROM NAMED occur, and their graph IRIs (default, named) when each one
        resolves (an IRI, or a prefixed name of a declared prefix)."""
        prefixes, base, found, default, named, depth = {}, None, False, [], [], 0
        resolved = True
        tokens = self.tokens
        for i, (kind, value, _) in enumerate(tokens):
            depth += (kind == "open") - (kind == "close")
            if depth or kind != "word":
                continue
            word = value.upper()
            after = tokens[i + 1: i + 4]
            if word == "PREFIX" and len(after) >= 2 and after[0][0] == "word" and after[1][0] == "iri":
                prefixes[after[0][1].rstrip(":")] = after[1][1][1:-1]
            elif word == "BASE" and after and after[0][0] == "iri":
                base = after[0][1][1:-1]
            elif word == "FROM":
                found = True
                into = default
                if after and after[0][0] == "word" and after[0][1].upper() == "NAMED":
                    into, after = named, after[1:]
                iri = None
                if after and after[0][0] == "iri":
                    iri = after[0][1][1:-1]
                    if not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri):
                        iri = urllib.parse.urljoin(base, iri) if base else None
                elif after and after[0][0] == "word" and ":" in after[0][1]:
                    prefix, local = after[0][1].split(":", 1)
                    if prefix in prefixes:
                        iri = prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
                if iri is None:
                    resolved = False
                else:
                    into.append(iri)
        return found, ((default, named) if found and resolved else None)

    def check(self, *, update: bool, allow_service: bool) -> None:
        if not update and self.is_update:
            raise StoreError("this is an update; pass --update to change the store")
        if update and self.form in QUERY_FORMS:
            raise StoreError("this is a query, not an update; run it without --update")
        if self.has_service and not allow_service:
            raise StoreError("SERVICE (a call to another SPARQL endpoint) is refused; "
                             "pass --allow-service to allow it")

    def bind(self, bindings: dict | None) -> tuple[str, Callable[[str], str | None]]:
        """The text with a VALUES block for `bindings` opening each WHERE group (see _where_groups),
        and a function that maps 'L:C' positions of error messages back onto the user's text (None
        when the error lies in the inserted block). The values are the terms' N-Triples forms. A list
        (or tuple) of terms binds its variable to each of them: one row of the block a term, the
        other bindings the same on each (at most one list: the rows are not a product)."""
        if not bindings:
            return self.text, lambda message: message
        names, columns = [], []
        for name, value in bindings.items():
            name = str(name).lstrip("?$")
            if not _VARNAME.fullmatch(name):
                raise StoreError(f"cannot bind {name!r}: not a SPARQL variable name")
            names.append("?" + name)
            columns.append([str(_term(name, v)) for v in value] if isinstance(value, (list, tuple))
                           else str(_term(name, value)))
        lists = [c for c in columns if isinstance(c, list)]
        if len(lists) > 1:
            raise StoreError("one list of values a query: the rows of two would be their product")
        rows = [[v if c is lists[0] else c for c in columns] for v in lists[0]] if lists else [columns]
        values = f" VALUES ({' '.join(names)}) {{ {' '.join('(' + ' '.join(r) + ')' for r in rows)} }} "
        inserts = [(self.tokens[i][2] + 1, values) for i in self._where_groups()]
        if not inserts:
            raise StoreError("bindings need a WHERE { ... } group to bind their variables in")
        out, last = [], 0
        for pos, add in inserts:
            out += [self.text[last:pos], add]
            last = pos
        out.append(self.text[last:])
        return "".join(out), self._position_mapper(inserts)

    def _where_groups(self) -> list[int]:
        """Indexes of the '{' opening each WHERE group: the query's (or each update operation's) and
        those of sub-selects, so that a bound variable holds wherever a WHERE clause sees it. A
        group made of a sub-select alone gets the values in the sub-select's own group."""
        found, depth, after_where, sub_select = [], 0, False, None
        top_group = self.form in ("SELECT", "ASK", "DESCRIBE")  # WHERE is optional there
        tokens = self.tokens
        for i, (kind, value, _) in enumerate(tokens):
            if kind == "open":
                take = after_where or (depth == 0 and top_group) or sub_select == depth
                if depth == 0:
                    top_group = False
                if sub_select == depth:
                    sub_select = None
                after_where = False
                nxt = tokens[i + 1] if i + 1 < len(tokens) else None
                if take and not (nxt and nxt[0] == "word" and nxt[1].upper() == "SELECT"):
                    found.append(i)
                depth += 1
            elif kind == "close":
                depth -= 1
            elif kind == "word":
                word = value.upper()
                if word == "WHERE":
                    before = tokens[i - 1][1].upper() if i else ""
                    if depth == 0 and before in ("CONSTRUCT", "DELETE"):
                        raise StoreError(f"bindings cannot be used with {before} WHERE {{ ... }}; "
                                         f"write the template and the WHERE group apart")
                    after_where = True
                elif word == "SELECT" and depth > 0:
                    sub_select = depth
        return found

    def _position_mapper(self, inserts: list[tuple[int, str]]) -> Callable[[str], str | None]:
        text, spots = self.text, []
        for pos, add in inserts:  # 1-based line and column of each insertion in the user's text
            line = text.count("\n", 0, pos) + 1
            spots.append((line, pos - text.rfind("\n", 0, pos), len(add)))

        def fix(message: str) -> str | None:
            m = _POSITION.search(message)
            if not m:
                return message
            line, col = int(m.group(1)), int(m.group(2))
            shift = 0
            for s_line, s_col, length in spots:
                if s_line == line and col >= s_col + shift:
                    if col < s_col + shift + length:
                        return None
                    shift += length
            return f"{message[:m.start()]}{line}:{col - shift}{message[m.end():]}"
        return fix


def count_query(text: str) -> str:
    """The SELECT `text` as a count of its rows (kg/queries/store_count_rows.rq; its prologue kept in
    front, its ORDER BY left out): how many rows a whole answer has (kg.store.remote)."""
    start, _, order, _ = _outline(Sparql(text))
    return text[:start] + compose(named("store_count_rows"), query=text[start:order] + "\n")


def page_query(text: str, limit: int, offset: int) -> str | None:
    """The SELECT `text` cut to `limit` rows from `offset` in a total order, so that pages neither
    overlap nor leave a row out (kg/queries/store_page.rq: its ORDER BY, if any, then all its
    variables as one key; Virtuoso sorts on 20 keys at most, and takes no alias of an aggregate in
    a sort key of the query itself). None when the text cannot be paged so (SELECT *, or a LIMIT,
    OFFSET or VALUES of its own after WHERE)."""
    start, variables, order, cut = _outline(Sparql(text))
    if variables is None or cut:
        return None
    # the variables' text, each cut off by a control character that no RDF text of kg's holds
    key = ", '\\u0001', ".join(f'COALESCE(STR(?{v}), "")' for v in variables)
    sort = "ORDER BY" if order is None else text[order:].strip()
    names = " ".join(f"?{v}" for v in variables)
    return text[:start] + compose(named("store_page"), variables=f"    {names}\n", order=f"  {sort} (CONCAT({key}))\n",
                                  page=f"LIMIT {int(limit)} OFFSET {int(offset)}\n",
                                  query=text[start:order] + "\n")  # last: its own lines stay as they are


def _outline(parsed: Sparql) -> tuple[int, list[str] | None, int | None, bool]:
    """Of a SELECT: where its SELECT begins (after the prologue), the names it projects (None for
    SELECT *), where the ORDER BY after its WHERE group begins (None without one), and whether
    LIMIT, OFFSET or VALUES follow that group."""
    tokens, depth, parens = parsed.tokens, 0, 0
    start = next((i for i, (kind, value, _) in enumerate(tokens) if kind == "word" and value.upper() == "SELECT"),
                 None)
    if start is None or parsed.form != "SELECT":
        raise StoreError("only a SELECT query can be counted or paged")
    variables: list[str] | None = []
    i = start + 1
    while i < len(tokens) and tokens[i][0] != "open" and tokens[i][1].upper() != "WHERE":
        kind, value, _ = tokens[i]
        parens += (value == "(") - (value == ")")
        if kind == "var" and (parens == 0 or tokens[i - 1][1].upper() == "AS") and variables is not None:
            variables.append(value[1:])
        elif value == "*" and parens == 0:
            variables = None
        i += 1
    last = i
    for j in range(i, len(tokens)):
        depth += (tokens[j][0] == "open") - (tokens[j][0] == "close")
        if depth == 0 and tokens[j][0] == "close":
            last = j
    tail = [(value.upper(), position) for kind, value, position in tokens[last + 1:] if kind == "word"]
    order = next((position for word, position in tail if word == "ORDER"), None)
    return tokens[start][2], variables, order, any(word in ("LIMIT", "OFFSET", "VALUES") for word, _ in tail)


def _term(name: str, value):
    """A binding as an RDF term: pyoxigraph NamedNode or Literal, or a Python str/int/float/bool."""
    if isinstance(value, (NamedNode, Literal)):
        return value
    if isinstance(value, BlankNode):
        raise StoreError(f"cannot bind ?{name} to a blank node (SPARQL cannot name one)")
    if isinstance(value, (str, bool, int, float)):
        return Literal(value)
    raise StoreError(f"cannot bind ?{name} to a {type(value).__name__}: give an RDF term")


def syntax_message(message: str, fix: Callable[[str], str | None]) -> str:
    """'error at 3:2: expected X' (Oxigraph) -> 'SPARQL syntax error at line 3, column 2: expected X',
    the position moved back onto the user's text when bindings were inserted."""
    fixed = fix(message)
    if fixed is None:
        return _misfit(message)
    m = re.match(r"error at (\d+):(\d+): (.*)", fixed, re.S)
    if m:
        return f"SPARQL syntax error at line {m.group(1)}, column {m.group(2)}: {one_line(m.group(3))}"
    return f"SPARQL syntax error: {one_line(fixed)}"


def query_syntax_error(error: SyntaxError, text: str, parsed: Sparql, fix) -> StoreError:
    """The StoreError for the engine's SyntaxError on `text`, the query `parsed` with its bindings
    inserted: when the user's own text parses (on an empty in-memory store), the bindings are what
    does not fit (a BIND of a bound variable)."""
    if text != parsed.text and not parsed.is_update and not parsed.has_service:
        try:
            ox.Store().query(parsed.text)
        except SyntaxError as own:
            return StoreError(syntax_message(str(own), lambda m: m))
        except Exception:
            pass
        else:
            return StoreError(_misfit(str(error)))
    return StoreError(syntax_message(str(error), fix))


def _misfit(message: str) -> str:
    """The parser's complaint about the query with its VALUES block: its position means nothing to
    the user, who wrote no VALUES."""
    reason = one_line(re.sub(r"^error at \d+:\d+: ", "", message))
    return f"the bindings do not fit this query (is a bound variable also set by BIND or AS?): {reason}"
