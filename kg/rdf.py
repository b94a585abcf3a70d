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
import os
import re
from datetime import date, datetime, timezone
from typing import Iterable
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode

from kg.version import __version__
from kg.documents import Article
from kg.extract.records import Attribution
from kg.extract.words import NOT_NAMES
from kg.resolve import Entity, Register
from kg.vocab import ARTICLE, DCTERMS, KG, NIF, PROV, RDF_TYPE, RDFS_LABEL, SCHEMA, SKOS_ALT_LABEL, XSD, XSD_INTEGER, node



def article_iri(article_id: str) -> str:
    return f"{ARTICLE}{quote(article_id, safe='')}"


def record_iri(a: NamedNode, record_id: str) -> NamedNode:
    """An attribution of the article: "<article>#a4" (a record id is "<doc id>#a4")."""
    return NamedNode(f"{a.value}#{quote(record_id.rsplit('#', 1)[-1], safe='')}")


# What an article's graph holds; a new value makes the next kg ingest write every article again
# (2: the article's whole text, nif:isString).
GRAPH_FORMAT = "2"


def content_hash(article) -> str:
    """What makes re-ingesting the same article a no-op: its text, metadata, the tool version and
    GRAPH_FORMAT."""
    h = hashlib.sha256()
    for part in (article.id, article.text, article.title, article.url, article.published, article.author,
                 article.publisher, __version__, GRAPH_FORMAT):
        h.update((part or "").encode("utf-8") + b"\0")
    return h.hexdigest()


_XSD_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_XSD_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def xsd_date_kind(text: str) -> str | None:
    """"date" or "dateTime" for the xsd type `text` is a valid value of, else None."""
    try:
        if _XSD_DATE.fullmatch(text):
            date.fromisoformat(text)
            return "date"
        if _XSD_DATETIME.fullmatch(text):
            datetime.fromisoformat(text)
            return "dateTime"
    except ValueError:  # the right shape, no such day or time
        pass
    return None


def run_time() -> datetime:
    """When an extraction runs (its prov:startedAtTime): now, or SOURCE_DATE_EPOCH (seconds since
    1970) when set, the reproducible-builds convention: the same inputs then give the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit() else datetime.now(timezone.utc)


def article_triples(article: Article, records: list[Attribution], publisher: str | None = None,
                    model: str | None = None, when: datetime | None = None) -> list[tuple]:
    """The triples of the article's own graph (named by `article_iri(article.id)`)."""
    a = NamedNode(article_iri(article.id))
    out = [(a, RDF_TYPE, node(KG.Article)), (a, RDF_TYPE, node(SCHEMA.NewsArticle)),
           (a, node(KG.documentId), Literal(article.id)), (a, node(KG.contentHash), Literal(content_hash(article))),
           # the whole text, which every span's offsets index (NIF's context string): kg serve shows it marked
           (a, node(NIF.isString), Literal(article.text))]
    if article.title:
        out.append((a, node(SCHEMA.headline), Literal(article.title)))
    if article.url and "://" in article.url and not any(c in article.url for c in ' <>"{}|\\^`'):
        out.append((a, node(SCHEMA.url), NamedNode(article.url)))
    if article.published:
        kind = xsd_date_kind(article.published)
        if kind:
            out.append((a, node(SCHEMA.datePublished), Literal(article.published, datatype=node(XSD[kind]))))
        else:  # "99/99/99", "2024-13-45": the text is kept, as no date (an ill-typed one fails kg validate)
            out.append((a, node(DCTERMS.date), Literal(article.published)))
    if article.author:
        out.append((a, node(SCHEMA.author), Literal(article.author)))
    if publisher:
        out.append((a, node(SCHEMA.publisher), NamedNode(publisher)))

    run = NamedNode(f"{a.value}#run")
    started = (when or run_time()).isoformat(timespec="seconds")
    out += [(run, RDF_TYPE, node(KG.ExtractionRun)), (run, node(PROV.used), a),
            (run, node(PROV.startedAtTime), Literal(started, datatype=node(XSD.dateTime))),
            (run, node(KG.toolVersion), Literal(__version__))]
    if model:
        out.append((run, node(KG.model), Literal(model)))

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
        subject = record_iri(a, top.id)
        out.append((subject, node(KG.original), record_iri(a, chain[-1].id)))
        relays = chain[:-1]
        for order, relay in enumerate(reversed(relays), 1):
            out.append((record_iri(a, relay.id), node(KG.relayOrder),
                        Literal(str(order), datatype=XSD_INTEGER)))
    return out


_KIND = {"direct": KG.Direct, "indirect": KG.Indirect, "mixed": KG.Mixed}
_CERTAINTY = {"certain": KG.Certain, "probable": KG.Probable, "possible": KG.Possible,
              "underspecified": KG.Underspecified}
_POLARITY = {"positive": KG.Positive, "negative": KG.Negative}


def _attribution(a: NamedNode, run: NamedNode, r: Attribution) -> list[tuple]:
    subject = record_iri(a, r.id)
    claim = NamedNode(f"{subject.value}-claim")
    out = [(subject, RDF_TYPE, node(KG.Attribution)), (subject, node(KG.reportedIn), a),
           (subject, node(PROV.wasGeneratedBy), run), (subject, node(KG.claim), claim),
           (subject, node(KG.kind), node(_KIND[r.kind])), (subject, node(KG.certainty), node(_CERTAINTY[r.certainty])),
           (subject, node(KG.polarity), node(_POLARITY[r.polarity])), (claim, RDF_TYPE, node(KG.Claim))]
    # A discontinuous content ("A," he said, "B") is its fragments' words, without the interruption.
    fragments = [r.content.text[s - r.content.start:e - r.content.start] for s, e in r.content.parts]
    out.append((claim, node(KG.text), Literal(" ".join(fragments))))
    for i, ((start, end), text) in enumerate(zip(r.content.parts, fragments), 1):
        out += _span(a, claim, KG.span, f"{subject.value}-content-{i}", start, end, text)
    if r.source is not None:
        if r.source.entity:
            out.append((subject, node(KG.source), NamedNode(r.source.entity)))
        mention = r.source.mention
        out += _span(a, subject, KG.sourceMention, f"{subject.value}-source", mention.start, mention.end, mention.text)
        out.append((subject, node(KG.sourceName), Literal(r.source.name)))
        if r.source.role:
            out.append((subject, node(KG.sourceRole), Literal(r.source.role)))
    if r.cue is not None:
        out.append((subject, node(KG.cue), Literal(r.cue.text)))
        out += _span(a, subject, KG.cueSpan, f"{subject.value}-cue", r.cue.start, r.cue.end, r.cue.text)
    if r.sentence is not None:
        s = r.sentence
        out += _span(a, subject, KG.evidence, f"{subject.value}-evidence", s.start, s.end, s.text)
    if r.content_anaphor is not None:
        s = r.content_anaphor
        out += _span(a, subject, KG.contentAnaphor, f"{subject.value}-anaphor", s.start, s.end, s.text)
    if r.cites:
        out.append((subject, node(KG.citing), record_iri(a, r.cites)))
    if r.channel:
        out.append((subject, node(KG.channel), Literal(r.channel)))
    if r.channel_entity:
        out.append((subject, node(KG.onPlatform), NamedNode(r.channel_entity)))
    if r.recipient:
        out.append((subject, node(KG.recipientText), Literal(r.recipient)))
    if r.recipient_entity:
        out.append((subject, node(KG.recipient), NamedNode(r.recipient_entity)))
    if r.date:
        out.append((subject, node(KG.dateText), Literal(r.date["text"])))
        if r.date.get("value") and xsd_date_kind(r.date["value"]) == "date":
            out.append((subject, node(KG.date), Literal(r.date["value"], datatype=node(XSD.date))))
    return out


def _span(a, owner, prop, iri: str, start: int, end: int, text: str) -> list[tuple]:
    span = NamedNode(iri)
    return [(owner, node(prop), span), (span, RDF_TYPE, node(KG.TextSpan)),
            (span, node(NIF.beginIndex), Literal(str(start), datatype=XSD_INTEGER)),
            (span, node(NIF.endIndex), Literal(str(end), datatype=XSD_INTEGER)),
            (span, node(NIF.anchorOf), Literal(text)), (span, node(NIF.referenceContext), a)]


# ---------------------------------------------------------------- agents


def agent_triples(entities: Iterable[Entity], register: Register) -> list[tuple]:
    """Descriptions of agents for the shared agents graph: type, one label, the names seen, roles,
    affiliations (prov:actedOnBehalfOf), country and part-of, and the countries they point to."""
    out: list[tuple] = []
    seen: set[str] = set()
    for e in entities:
        out += _agent(e.iri, e.type, e.label, e.names, e.roles, e.affiliations, e.country,
                      getattr(register.entities.get(e.iri), "part_of", None))
        seen.add(e.iri)
    # Countries and bodies the agents point to, described from the register.
    pending = [o.value for s, p, o in out if p in (node(KG.country), node(KG.partOf), node(PROV.actedOnBehalfOf))]
    while pending:
        iri = pending.pop()
        known = register.entities.get(iri)
        if iri in seen or known is None:
            continue
        seen.add(iri)
        more = _agent(iri, known.type, known.label, {}, (), (), known.country, known.part_of)
        out += more
        pending += [o.value for s, p, o in more if p in (node(KG.country), node(KG.partOf))]
    return out


def _agent(iri, typ, label, names, roles, affiliations, country, part_of) -> list[tuple]:
    subject = NamedNode(iri)
    out = [(subject, RDF_TYPE, node(KG[typ])), (subject, RDFS_LABEL, Literal(label))]
    for name in sorted(names):
        if name != label and name.casefold() not in NOT_NAMES:
            out.append((subject, SKOS_ALT_LABEL, Literal(name)))
    out += [(subject, node(KG.role), Literal(role)) for role in sorted(roles)]
    out += [(subject, node(PROV.actedOnBehalfOf), NamedNode(x)) for x in sorted(affiliations)]
    if country:
        out.append((subject, node(KG.country), NamedNode(country)))
    if part_of:
        out.append((subject, node(KG.partOf), NamedNode(part_of)))
    return out
