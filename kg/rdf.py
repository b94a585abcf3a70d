"""Records -> RDF: one named graph per article, agents in a shared graph. No NLP here.

    triples = article_triples(article, records, publisher=resolver.publisher(article.publisher))
    agents = agent_triples(entities, register)           # descriptions for the shared agents graph

The model (ontology/attribution.ttl, README there): an n-ary kg:Attribution per record, with its
kg:Claim, the kg:TextSpan offsets (NIF) of source, cue, content and evidence sentence, kg:citing
links for chains, and the extraction run as PROV activity. Terms are pyoxigraph terms, ready for
the store's bulk paths.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode

from kg import __version__
from kg.vocab import AGENTS_GRAPH, ARTICLE, KG, NIF, PROV, SCHEMA

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_ALT = NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER = NamedNode(XSD + "integer")  # Oxigraph stores every integer type as xsd:integer
AGENTS = NamedNode(str(AGENTS_GRAPH))
# Mentions that name nobody by themselves are no alias of the entity they point to.
NOT_NAMES = frozenset("he she him her his hers i me we us they them their it its who whom which that "
                      "this these those each all".split())


def n(term) -> NamedNode:
    """A vocabulary term (rdflib URIRef of kg.vocab) as a pyoxigraph node."""
    return _nodes.get(term) or _nodes.setdefault(term, NamedNode(str(term)))


_nodes: dict = {}


def article_iri(article_id: str) -> str:
    return f"{ARTICLE}{quote(article_id, safe='')}"


def record_iri(a: NamedNode, record_id: str) -> NamedNode:
    """An attribution of the article: "<article>#a4" (a record id is "<doc id>#a4")."""
    return NamedNode(f"{a.value}#{quote(record_id.rsplit('#', 1)[-1], safe='')}")


def content_hash(article) -> str:
    """What makes re-ingesting the same article a no-op: its text, metadata and the tool version."""
    h = hashlib.sha256()
    for part in (article.id, article.text, article.title, article.url, article.published, article.author,
                 article.publisher, __version__):
        h.update((part or "").encode("utf-8") + b"\0")
    return h.hexdigest()


def article_triples(article, records, publisher: str | None = None, model: str | None = None,
                    when: datetime | None = None) -> list[tuple]:
    """The triples of the article's own graph (named by `article_iri(article.id)`)."""
    a = NamedNode(article_iri(article.id))
    out = [(a, RDF_TYPE, n(KG.Article)), (a, RDF_TYPE, n(SCHEMA.NewsArticle)),
           (a, n(KG.documentId), Literal(article.id)), (a, n(KG.contentHash), Literal(content_hash(article)))]
    if article.title:
        out.append((a, n(SCHEMA.headline), Literal(article.title)))
    if article.url and "://" in article.url and not any(c in article.url for c in ' <>"{}|\\^`'):
        out.append((a, n(SCHEMA.url), NamedNode(article.url)))
    if article.published:
        kind = "date" if len(article.published) == 10 else "dateTime"
        out.append((a, n(SCHEMA.datePublished), Literal(article.published, datatype=NamedNode(XSD + kind))))
    if article.author:
        out.append((a, n(SCHEMA.author), Literal(article.author)))
    if publisher:
        out.append((a, n(SCHEMA.publisher), NamedNode(publisher)))

    run = NamedNode(f"{a.value}#run")
    started = (when or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    out += [(run, RDF_TYPE, n(KG.ExtractionRun)), (run, n(PROV.used), a),
            (run, n(PROV.startedAtTime), Literal(started, datatype=NamedNode(XSD + "dateTime"))),
            (run, n(KG.toolVersion), Literal(__version__))]
    if model:
        out.append((run, n(KG.model), Literal(model)))

    for r in records:
        out += _attribution(a, run, r)
    out += _chains(a, records)
    return out


def _chains(a: NamedNode, records) -> list[tuple]:
    """The flat view's shortcuts: each attribution no other relays gets kg:original, the end of its
    citing chain (itself when it cites nothing), and each relay on the way kg:relayOrder, 1 for the
    one next to the original source, counting outward (Bloomberg 1 when Newsweek's article says
    "Bloomberg reported, citing South Korean intelligence")."""
    by_id = {r.id: r for r in records}
    cited = {r.cites for r in records if r.cites}
    out = []
    for top in records:
        if top.id in cited:
            continue
        chain = [top]
        while chain[-1].cites in by_id and by_id[chain[-1].cites] not in chain:
            chain.append(by_id[chain[-1].cites])
        node = record_iri(a, top.id)
        out.append((node, n(KG.original), record_iri(a, chain[-1].id)))
        relays = chain[:-1]
        for order, relay in enumerate(reversed(relays), 1):
            out.append((record_iri(a, relay.id), n(KG.relayOrder),
                        Literal(str(order), datatype=INTEGER)))
    return out


_KIND = {"direct": KG.Direct, "indirect": KG.Indirect, "mixed": KG.Mixed}
_CERTAINTY = {"certain": KG.Certain, "probable": KG.Probable, "possible": KG.Possible,
              "underspecified": KG.Underspecified}
_POLARITY = {"positive": KG.Positive, "negative": KG.Negative}


def _attribution(a: NamedNode, run: NamedNode, r) -> list[tuple]:
    node = record_iri(a, r.id)
    claim = NamedNode(f"{node.value}-claim")
    out = [(node, RDF_TYPE, n(KG.Attribution)), (node, n(KG.reportedIn), a), (node, n(PROV.wasGeneratedBy), run),
           (node, n(KG.claim), claim), (node, n(KG.kind), n(_KIND[r.kind])),
           (node, n(KG.certainty), n(_CERTAINTY[r.certainty])), (node, n(KG.polarity), n(_POLARITY[r.polarity])),
           (claim, RDF_TYPE, n(KG.Claim))]
    # A discontinuous content ("A," he said, "B") is its fragments' words, without the interruption.
    fragments = [r.content.text[s - r.content.start:e - r.content.start] for s, e in r.content.parts]
    out.append((claim, n(KG.text), Literal(" ".join(fragments))))
    for i, ((start, end), text) in enumerate(zip(r.content.parts, fragments), 1):
        out += _span(a, claim, KG.span, f"{node.value}-content-{i}", start, end, text)
    if r.source is not None:
        if r.source.entity:
            out.append((node, n(KG.source), NamedNode(r.source.entity)))
        out += _span(a, node, KG.sourceMention, f"{node.value}-source", r.source.mention.start, r.source.mention.end,
                     r.source.mention.text)
        out.append((node, n(KG.sourceName), Literal(r.source.name)))
        if r.source.role:
            out.append((node, n(KG.sourceRole), Literal(r.source.role)))
    if r.cue is not None:
        out.append((node, n(KG.cue), Literal(r.cue.text)))
        out += _span(a, node, KG.cueSpan, f"{node.value}-cue", r.cue.start, r.cue.end, r.cue.text)
    if r.sentence is not None:
        out += _span(a, node, KG.evidence, f"{node.value}-evidence", r.sentence.start, r.sentence.end, r.sentence.text)
    if r.content_anaphor is not None:
        s = r.content_anaphor
        out += _span(a, node, KG.contentAnaphor, f"{node.value}-anaphor", s.start, s.end, s.text)
    if r.cites:
        out.append((node, n(KG.citing), record_iri(a, r.cites)))
    if r.channel:
        out.append((node, n(KG.channel), Literal(r.channel)))
    if r.channel_entity:
        out.append((node, n(KG.onPlatform), NamedNode(r.channel_entity)))
    if r.recipient:
        out.append((node, n(KG.recipientText), Literal(r.recipient)))
    if r.recipient_entity:
        out.append((node, n(KG.recipient), NamedNode(r.recipient_entity)))
    if r.date:
        out.append((node, n(KG.dateText), Literal(r.date["text"])))
        if r.date.get("value") and len(r.date["value"]) == 10:
            out.append((node, n(KG.date), Literal(r.date["value"], datatype=NamedNode(XSD + "date"))))
    return out


def _span(a, owner, prop, iri: str, start: int, end: int, text: str) -> list[tuple]:
    span = NamedNode(iri)
    return [(owner, n(prop), span), (span, RDF_TYPE, n(KG.TextSpan)),
            (span, n(NIF.beginIndex), Literal(str(start), datatype=INTEGER)),
            (span, n(NIF.endIndex), Literal(str(end), datatype=INTEGER)),
            (span, n(NIF.anchorOf), Literal(text)), (span, n(NIF.referenceContext), a)]


# ---------------------------------------------------------------- agents


def agent_triples(entities, register) -> list[tuple]:
    """Descriptions of agents for the shared agents graph: type, one label, the names seen, roles,
    affiliations (prov:actedOnBehalfOf), country and part-of, and the countries they point to."""
    out: list[tuple] = []
    seen: set[str] = set()
    for e in entities:
        out += _agent(e.iri, e.type, e.label, e.names, e.roles, e.affiliations, e.country,
                      getattr(register.entities.get(e.iri), "part_of", None))
        seen.add(e.iri)
    # Countries and bodies the agents point to, described from the register.
    pending = [o.value for s, p, o in out if p in (n(KG.country), n(KG.partOf), n(PROV.actedOnBehalfOf))]
    while pending:
        iri = pending.pop()
        known = register.entities.get(iri)
        if iri in seen or known is None:
            continue
        seen.add(iri)
        more = _agent(iri, known.type, known.label, {}, (), (), known.country, known.part_of)
        out += more
        pending += [o.value for s, p, o in more if p in (n(KG.country), n(KG.partOf))]
    return out


def _agent(iri, typ, label, names, roles, affiliations, country, part_of) -> list[tuple]:
    node = NamedNode(iri)
    out = [(node, RDF_TYPE, n(KG[typ])), (node, RDFS_LABEL, Literal(label))]
    for name in sorted(names):
        if name != label and name.casefold() not in NOT_NAMES:
            out.append((node, SKOS_ALT, Literal(name)))
    out += [(node, n(KG.role), Literal(role)) for role in sorted(roles)]
    out += [(node, n(PROV.actedOnBehalfOf), NamedNode(x)) for x in sorted(affiliations)]
    if country:
        out.append((node, n(KG.country), NamedNode(country)))
    if part_of:
        out.append((node, n(KG.partOf), NamedNode(part_of)))
    return out
