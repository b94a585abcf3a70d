"""The read side: SPARQL with the ontology's prefixes pre-declared, and the questions users ask.

    rows = select(store, "SELECT ?s WHERE { ?a kg:source ?s }")
    attributions(store, source="Zelensky")         # the flat view, one dict per attribution
    who_said(store, "Kirby"); chain(store, iri); sources(store); stats(store)

The questions are SPARQL files shipped in kg/queries/; their parameters are bound as RDF terms by
the store (never pasted into the query text).
"""
from __future__ import annotations

import re

from pyoxigraph import Literal, NamedNode

from kg.queries import compose, named
from kg.text import fold
from kg.vocab import PREFIXES


def with_prefixes(sparql: str) -> str:
    """The query with the prefixes it does not declare itself added in front (on one line)."""
    declared = {m.lower() for m in re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", sparql)}
    missing = {p: iri for p, iri in PREFIXES.items() if p.lower() not in declared}
    return " ".join(f"PREFIX {p}: <{iri}>" for p, iri in missing.items()) + "\n" + sparql


def run(store, sparql: str, bindings: dict | None = None, *, whole: bool = False, **options):
    """Evaluate a query with the prefixes added; error positions refer to the user's own lines.
    `whole`: every row or a StoreError, never part of them (Store.query_whole: counted and paged on
    an endpoint), for what feeds a write and for the named questions."""
    from kg.store import StoreError

    try:
        return (store.query_whole if whole else store.query)(with_prefixes(sparql), bindings, **options)
    except StoreError as error:
        raise type(error)(_shift_lines(str(error))) from None  # its kind (a timeout) kept


def update(store, sparql: str, bindings: dict | None = None) -> None:
    from kg.store import StoreError

    try:
        store.update(with_prefixes(sparql), bindings)
    except StoreError as error:
        raise type(error)(_shift_lines(str(error))) from None  # its kind (a timeout) kept


def _shift_lines(message: str) -> str:
    return re.sub(r"\bline (\d+)", lambda m: f"line {max(1, int(m.group(1)) - 1)}", message)


def select(store, sparql: str, bindings: dict | None = None, *, whole: bool = False) -> list[tuple]:
    """The rows of a SELECT, as tuples of terms (None where unbound); `whole` as for run()."""
    return [tuple(row) for row in run(store, sparql, bindings, whole=whole)]


def records(result) -> list[dict]:
    """A SELECT result as dicts of Python values: IRIs and strings as str, numbers as int/float."""
    names = list(result.variables)
    return [{name: value(term) for name, term in zip(names, row)} for row in result]


def value(term):
    """A pyoxigraph term as a plain Python value."""
    if term is None:
        return None
    if isinstance(term, Literal):
        kind = local_name(term.datatype.value)
        if kind in ("integer", "nonNegativeInteger", "positiveInteger", "int", "long"):
            return int(term.value)
        if kind in ("decimal", "double", "float"):
            return float(term.value)
        if kind == "boolean":
            return term.value == "true"
        return term.value
    return term.value


def dataframe(result):
    """A SELECT result as a pandas DataFrame (one column per variable)."""
    import pandas

    names = [str(v).lstrip("?") for v in result.variables]
    return pandas.DataFrame([[value(t) for t in row] for row in result], columns=names)


def page(limit: int | None, offset: int = 0) -> str:
    """The LIMIT and OFFSET of a page, written from checked whole numbers (SPARQL binds no number
    there): "" for everything. `limit` None: no limit; `offset`: rows (or groups) to skip."""
    from kg.store import StoreError

    for name, n in (("limit", limit), ("offset", offset)):
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
            raise StoreError(f"{name} must be a whole number, 0 or more, not {fold(repr(n), 40)}")
    return (f"LIMIT {limit} " if limit is not None else "") + (f"OFFSET {offset}" if offset else "")


def _text(value: str | None):
    return None if value is None else Literal(value)


# The name parameters of the flat view and their selectors (kg/queries/attributions_*.rq): a sub-select
# that finds the few matching agents in the agents graph and, from them, their attributions (those no
# other relays, with kg:original). Filtering the whole flat view instead costs a scan of every attribution.
SELECTORS = {"sourceName": "attributions_source", "viaName": "attributions_via",
             "publisherName": "attributions_publisher"}


def relaying(text: str) -> str:
    """`text` with its `# {relay-recipient}` lines filled by kg/queries/relay_recipient.rq: the one
    definition of a recipient that relays (a news outlet told it, other than the article's publisher),
    a FILTER over the variables ?told (the attribution) and ?relay (its kg:recipient)."""
    return compose(text, **{"relay-recipient": named("relay_recipient")})


def attributions_query(names, lateral: bool, page: str = "") -> str:
    """kg/queries/attributions.rq with the selectors of the name parameters in `names` in front,
    and for a `page` (LIMIT and OFFSET, kg.query.page) attributions_page.rq around them.
    With `lateral` (Oxigraph, SEP-0006) the flat view is evaluated once per selected attribution,
    by index lookups; without it, a plain join (standard SPARQL 1.1, the same rows) that an engine
    may evaluate as a scan."""
    base = named("attributions")
    join = "      LATERAL\n" if lateral else ""
    selectors = "".join(compose(named(SELECTORS[n]), join=join) for n in SELECTORS if n in names)
    if page:
        selectors = compose(named("attributions_page"), selectors=selectors + (join if selectors else ""),
                            page=f"    {page}\n")
    if selectors:
        base = lateral_body(compose(base, selectors=selectors), lateral)
    return relaying(base)  # the body's and the via selector's placeholders at once


def who_said_query(lateral: bool, page: str = "") -> str:
    """kg/queries/who_said.rq with its matches (who_said_matches.rq), inside who_said_page.rq for a
    `page` (LIMIT and OFFSET, kg.query.page); LATERAL around the body with `lateral`."""
    matches = named("who_said_matches")
    if page:
        matches = compose(named("who_said_page"), matches=matches, page=f"    {page}\n")
    return lateral_body(relaying(compose(named("who_said"), matches=matches)), lateral)


def lateral_body(text: str, lateral: bool) -> str:
    """`text` with `LATERAL {` and `}` at its `# {body-start}` and `# {body-end}` lines where the engine
    has LATERAL (SEP-0006): the body is then evaluated once per row found before it, by index
    lookups; elsewhere nothing (a plain join, the same rows)."""
    return compose(text, **{"body-start": "  LATERAL {\n" if lateral else "", "body-end": "  }\n" if lateral else ""})


def attributions(store, source: str | None = None, via: str | None = None, publisher: str | None = None,
                 about: str | None = None, limit: int | None = None, offset: int = 0) -> list[dict]:
    """The flat view: one dict per attribution no other relays, its chain folded into `via` (the
    intermediaries' labels from the source outward: relays, and outlets that were told it);
    `recipient` and `recipientLabel` (the words, "reporters", where no agent was resolved) say whom
    this attribution was said to. Filters match labels and names seen. By article, then evidence
    sentence, then IRI; `limit` and `offset` count attributions in that order (None: all)."""
    bindings = {k: _text(v) for k, v in (("sourceName", source), ("viaName", via), ("publisherName", publisher),
                                         ("about", about)) if v is not None}
    text = attributions_query(bindings, lateral=getattr(store, "lateral", False), page=page(limit, offset))
    rows = records(run(store, text, bindings, whole=True))
    folded: dict[str, dict] = {}
    for row in rows:
        order, label, agent = row.pop("viaOrder"), row.pop("viaLabel"), row.pop("via")
        told, relay_label, relay = row.pop("toldOrder"), row.pop("relayLabel"), row.pop("relay")
        current = folded.setdefault(row["attribution"], {**row, "via": []})
        for hop in ((order, label or agent) if order is not None else None,
                    ((told or 0) + 0.5, relay_label or relay) if relay is not None else None):
            if hop is not None and hop not in current["via"]:  # an outlet told comes after its teller
                current["via"].append(hop)
    for row in folded.values():
        hops = [label for _, label in sorted(row["via"])]
        # "officials told Bloomberg", then Bloomberg reported it: one hop, not two
        row["via"] = [label for i, label in enumerate(hops) if i == 0 or hops[i - 1] != label]
        row["sourceType"] = local_name(row["sourceType"])
        row["date"] = row["date"] or row["dateText"]  # "on October 8" where no year made it a date
        row["recipientLabel"] = row["recipientLabel"] or row["recipientText"]  # "told reporters": no agent
        del row["dateText"], row["recipientText"]
    return list(folded.values())


def who_said(store, name: str, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Every attribution whose source's names contain `name`, as original source or relay, and those
    said to such an outlet when it relays them; `role` says which (source, relay, recipient). Newest
    articles first, then by article, evidence sentence, IRI and role; `limit` and `offset` count
    rows in that order (None: all)."""
    text = who_said_query(getattr(store, "lateral", False), page(limit, offset))
    return records(run(store, text, {"name": Literal(name)}, whole=True))


def chain(store, attribution: str) -> list[dict]:
    from kg.store import StoreError

    try:
        node = NamedNode(attribution)
    except ValueError:  # a name, or text no IRI can hold: pyoxigraph refuses it before any query
        raise StoreError(f"{fold(attribution, 80)!r} is not an attribution IRI "
                         f"(kg attributions prints them)") from None
    return records(run(store, named("chain"), {"attribution": node}, whole=True))


def sources(store) -> list[dict]:
    rows = records(run(store, named("sources"), whole=True))
    for row in rows:
        row["sourceType"] = local_name(row["sourceType"])
    return rows


def stats(store) -> list[dict]:
    return records(run(store, named("stats"), whole=True))


def local_name(iri: str | None) -> str | None:
    """The part of an IRI after its "#" ("…ontology#Person" -> "Person"); None stays None."""
    return iri.rsplit("#", 1)[-1] if iri else iri


def compact_iri(iri: str) -> str:
    """An IRI with a known prefix written short (kg:source), else in angle brackets."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def compact(term) -> str:
    """A term for a table cell: IRIs compacted, literals as their text."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return compact_iri(term.value)
    if isinstance(term, Literal):
        return term.value
    return str(term)
