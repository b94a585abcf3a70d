"""SHACL validation of the store against ontology/shapes.ttl (kg validate), a slice at a time.

pyshacl validates an rdflib graph held in memory; given the whole store as one graph, its time and
memory grew faster than the store (FAULTS.md F16). Here each node is checked in one slice of
SLICE_NODES nodes, with the first graph (by IRI) that describes it (kg/queries/validate_nodes.rq),
and the slice's rdflib graph holds everything the shapes read about its nodes: what is said of
them in any graph (validate_about.rq), what points at them by a property a shape targets or follows
backwards (validate_pointing.rq), the types of the nodes they reach by a property whose values
must be of a class (validate_types.rq), and the class hierarchy (validate_classes.rq). A neighbour
present only by its type is checked too, and fails; only the results about the slice's own nodes
are kept, so the violations are those of the store validated whole. Which properties the slices
follow is read from the shapes, which use property paths and inverse paths only.

The shapes' SHACL-SPARQL constraints run once each over the whole store in Oxigraph, where pyshacl
would parse and run the query anew for every focus node (every text span).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from pyoxigraph import BlankNode, Literal, NamedNode

from kg import query as q
from kg.queries import compose, named
from kg.vocab import ontology_path

SLICE_NODES = 5000  # nodes a pyshacl run: its memory (about 10 articles' worth), and few runs
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def validate(store, graphs: list[str] | None = None) -> list[str]:
    """One line per violation (sorted) in the named `graphs` of `store` (None: all of them),
    validated as one RDF graph."""
    import pyshacl
    import rdflib

    shapes = rdflib.Graph().parse(ontology_path("shapes.ttl"), format="turtle")
    found = [line for c in _take_sparql_constraints(shapes) for line in _sparql_violations(store, c, graphs)]
    links = _links(shapes)
    dataset = "".join(f"FROM NAMED {NamedNode(g)}\n" for g in graphs or [])  # none: all graphs
    queries = {name: compose(named(f"validate_{name}"), dataset=dataset) for name in ("about", "types", "classes")}
    queries["pointing"] = compose(named("validate_pointing"), dataset=dataset, inward=_among("q", links["inward"]))
    hierarchy = list(q.run(store, queries["classes"]))
    with _quiet("rdflib"):  # an ill-typed literal is a violation to list, not a logged traceback
        for nodes in _slices(store, graphs or store.graphs(), dataset, links["targeted"]):
            data = rdflib.Graph()
            for triple in _slice(store, nodes, queries, links) + hierarchy:
                data.add(tuple(_rdflib(term) for term in triple))
            conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                                   inplace=True)
            if not conforms:
                own = {_rdflib(node) for node in nodes}
                found += [line for focus, line in _violations(report) if focus in own]
    return sorted(found)


def _slices(store, graphs: list[str], dataset: str, targeted: set[str]) -> Iterator[list]:
    """The nodes to check, SLICE_NODES at a time: graph after graph, those it is the first to
    describe, then the targeted objects that no graph describes."""
    listing = compose(named("validate_nodes"), dataset=dataset)
    queries = [(listing, {"g": NamedNode(graph)}) for graph in graphs] + \
        [(compose(named("validate_undescribed"), dataset=dataset, targeted=_values("p", targeted)), None)]
    nodes: list = []
    for text, bindings in queries:
        nodes += [row[0] for row in q.run(store, text, bindings)]
        while len(nodes) >= SLICE_NODES:
            yield nodes[:SLICE_NODES]
            nodes = nodes[SLICE_NODES:]
    if nodes:
        yield nodes


def _slice(store, nodes: list, queries: dict[str, str], links: dict[str, set[str]]) -> list[tuple]:
    """The triples a slice's checks of `nodes` read, but the class hierarchy (pyoxigraph terms)."""
    triples = list(q.run(store, queries["about"], {"n": nodes})) + list(q.run(store, queries["pointing"], {"n": nodes}))
    reached = {o for _, p, o in triples if p.value in links["classed"]} | \
        {s for s, p, _ in triples if p.value in links["classed_back"]}
    reached = [n for n in reached.difference(nodes) if not isinstance(n, BlankNode)]  # no query can name a blank node
    return triples + (list(q.run(store, queries["types"], {"n": reached})) if reached else [])


def _links(shapes) -> dict[str, set[str]]:
    """The properties the slices follow, from the shapes: `targeted`, those whose objects are focus
    nodes; `inward`, those whose subjects a node's checks read (targeted objects, inverse paths);
    `classed` and `classed_back`, those whose values (forwards, backwards) must be of a class."""
    from rdflib import BNode
    from rdflib.namespace import SH

    targeted = set(shapes.objects(None, SH.targetObjectsOf))
    inward, classed, classed_back = set(targeted), set(), set()
    for shape in set(shapes.objects(None, SH.property)):
        path = shapes.value(shape, SH.path)
        back = shapes.value(path, SH.inversePath) if isinstance(path, BNode) else None
        if isinstance(path, BNode) and back is None:
            raise ValueError(f"kg validate follows property and inverse paths only, not {path!r}")
        if back is not None:
            inward.add(back)
        if (shape, SH["class"], None) in shapes:
            classed_back.add(back) if back is not None else classed.add(path)

    return {name: {str(p) for p in properties} for name, properties in (
        ("targeted", targeted), ("inward", inward), ("classed", classed), ("classed_back", classed_back))}


def _values(var: str, properties: set) -> str:
    """A VALUES block binding ?var to each of `properties` (IRIs of the shipped shapes)."""
    return f"VALUES ?{var} {{ {' '.join(sorted(f'<{p}>' for p in properties))} }}\n"


def _among(var: str, properties: set) -> str:
    """A FILTER keeping ?var among `properties` (IRIs of the shipped shapes). Not a VALUES block:
    Oxigraph would scan the store for each of them rather than look the bound nodes up."""
    return f"FILTER(?{var} IN ({', '.join(sorted(f'<{p}>' for p in properties)) or '<urn:kg:none>'}))\n"


def _rdflib(term):
    """A pyoxigraph term as rdflib's N-Triples parser makes it (a plain literal without datatype)."""
    import rdflib

    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return rdflib.Literal(term.value, datatype=None if datatype == XSD_STRING else rdflib.URIRef(datatype))
    return rdflib.BNode(term.value)


@contextmanager
def _quiet(name: str):
    """The logger `name` (and those below it) silent for a while."""
    logger = logging.getLogger(name)
    disabled, logger.disabled = logger.disabled, True
    children = [child for key, child in logging.Logger.manager.loggerDict.items()
                if key.startswith(name + ".") and isinstance(child, logging.Logger)]
    before = [child.disabled for child in children]
    for child in children:
        child.disabled = True
    try:
        yield
    finally:
        logger.disabled = disabled
        for child, was in zip(children, before):
            child.disabled = was


def _take_sparql_constraints(shapes) -> list[tuple[str, str, str]]:
    """The SHACL-SPARQL constraints of `shapes` that need nothing but $this, taken out of it:
    (a pattern binding ?this to each focus node of its shape, the SELECT with ?this, the message)."""
    from rdflib.namespace import RDF, SH

    taken = []
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        select, message = shapes.value(constraint, SH.select), shapes.value(constraint, SH.message)
        if select is None or shapes.value(constraint, SH.prefixes) is not None or \
                re.search(r"\$(?!this\b)\w", str(select)):
            continue  # pyshacl evaluates what this does not
        targets = [f"{{ ?this <{RDF.type}> <{c}> }}" for c in shapes.objects(shape, SH.targetClass)] + \
            [f"{{ [] <{p}> ?this }}" for p in shapes.objects(shape, SH.targetObjectsOf)] + \
            [f"{{ ?this <{p}> [] }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
        if not targets or any(shapes.objects(shape, SH.targetNode)):
            continue
        shapes.remove((shape, SH.sparql, constraint))
        taken.append((" UNION ".join(targets), re.sub(r"\$this\b", "?this", str(select)), str(message or "")))
    return taken


def _sparql_violations(store, constraint: tuple[str, str, str], graphs: list[str] | None) -> list[str]:
    """One line per result of a SPARQL constraint over the focus nodes in `graphs` (None: all),
    as _violations() writes them; {?var} in the message is the value bound."""
    targets, select, message = constraint
    within = f"VALUES ?g {{ {' '.join(f'<{g}>' for g in graphs)} }} GRAPH ?g {{ {targets} }}" if graphs else targets
    lines = []
    for row in q.records(store.query(compose(named("sparql_constraint"), targets=within + "\n",
                                             select=select + "\n"))):
        text = re.sub(r"\{[?$](\w+)\}", lambda m, row=row: str(row.get(m.group(1), m.group()) or ""), message)
        path = q.compact_iri(row["path"]) if row.get("path") else "-"
        lines.append(f"{q.compact_iri(row['this'])}: {path}: {text or 'violation'}")
    return lines


def _violations(report) -> list[tuple]:
    """(focus node, line) per result of a pyshacl report; the line: the node, the property path
    (^p for an inverse path), the message."""
    from rdflib import BNode
    from rdflib.namespace import RDF, SH

    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus, path, message = (report.value(result, p) for p in (SH.focusNode, SH.resultPath, SH.resultMessage))
        back = report.value(path, SH.inversePath) if isinstance(path, BNode) else None
        shown = "^" + q.compact_iri(str(back)) if back else q.compact_iri(str(path)) if path else "-"
        found.append((focus, f"{q.compact_iri(str(focus))}: {shown}: {message or 'violation'}"))
    return found
