"""Chains: which record relays which.

"Savett claimed this, Reuters reported": Reuters' content is Savett's claim, so
Reuters' record `cites` Savett's. "O reported, citing S, that C" arrives with its
link already made by clauses.citing_chains.
"""
from __future__ import annotations


def drop_duplicates(found: list) -> list:
    """One candidate per cue word: the first pattern that claimed it wins."""
    seen, kept = set(), []
    for f in found:
        key = f.anchor.i
        if key in seen:
            continue
        seen.add(key)
        kept.append(f)
    return kept


def link(found: list, by_found: dict) -> None:
    """Set `cites`: explicit citing links, then a cue whose clause is another record's cue."""
    by_cue = {f.anchor.i: f for f in found if by_found.get(id(f)) is not None}
    records = {r.id: r for r in by_found.values() if r is not None}
    for f in found:
        outer = by_found.get(id(f))
        if outer is None:
            continue
        inner = f.cites
        if inner is None:
            inner = nested(f, by_cue)
        if inner is not None and by_found.get(id(inner)) is not None and not _cites(by_found[id(inner)], outer, records):
            outer.cites = by_found[id(inner)].id


def _cites(record, target, records: dict) -> bool:
    """Whether `record`'s chain reaches `target`: a link from `target` to it would close a loop
    ("According to X, Y had referred to Z as ...", each clause parsed inside the other's content),
    which would leave the chain without a top and its claims out of every claim group."""
    seen = set()
    while record is not None and id(record) not in seen:
        if record is target:
            return True
        seen.add(id(record))
        record = records.get(record.cites)
    return False


def nested(f, by_cue: dict):
    """The record whose cue heads this record's content ("A wrote that B believed that C")."""
    return next((by_cue[k] for k in _heads(f) if k in by_cue), None)


def nesting(found: list) -> dict[int, tuple[list, list]]:
    """For each record of `found` (by id()): the records it is nested in and those nested in it,
    as `nested` says of each pair alone (`nested(g, {f.anchor.i: f}) is f`: f is nested in g).
    One walk of each content instead of one per pair: a sentence of nested clauses ("“He said
    “he said ...") has as many records as words."""
    by_cue: dict[int, list] = {}
    for f in found:
        by_cue.setdefault(f.anchor.i, []).append(f)
    out: dict[int, tuple[list, list]] = {id(f): ([], []) for f in found}
    for g in found:
        for f in (f for k in _heads(g) for f in by_cue.get(k, ()) if f is not g):
            out[id(f)][0].append(g)
            out[id(g)][1].append(f)
    return out


def _heads(f) -> list[int]:
    """The tokens whose record would be the one this record is nested in, first choice first: the
    one root of its content; or, "Savett claimed this, Reuters reported", the cue's own head."""
    verb, roots = f.anchor, _roots(f)
    heads = [roots[0]] if len(roots) == 1 and roots[0] != verb.i else []
    if verb.dep_ in ("parataxis", "ccomp") and verb.head.i in f.content:
        heads.append(verb.head.i)
    return heads


def _roots(f) -> list[int]:
    doc = f.anchor.doc
    return [i for i in f.content if doc[i].head.i not in f.content or doc[i].head.i == i]
