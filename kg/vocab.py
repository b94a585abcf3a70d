"""The RDF vocabulary of the graph: every IRI and prefix kg uses, the kg: terms, and the shipped
ontology files.

    from kg.vocab import KG, NIF, PROV, SCHEMA, ARTICLE, AGENTS_GRAPH, node
    KG.Attribution, KG.citing          # a misspelt kg: term raises AttributeError
    node(KG.Attribution)               # the same term for pyoxigraph (the store's writers)

The terms are those of ontology/attribution.ttl (tests/test_ontology.py keeps the two equal);
ontology/shapes.ttl says what a valid ingested graph is. No NLP here.
"""
from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from pyoxigraph import NamedNode
from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace, Namespace

__all__ = ["KG", "NIF", "PROV", "SCHEMA", "SKOS", "RDF", "RDFS", "XSD", "OWL", "DCTERMS", "KGSH",
           "ONTOLOGY", "TERMS", "ENTITY", "ARTICLE", "GRAPH", "AGENTS_GRAPH", "GROUPS_GRAPH", "CLAIM_GROUP",
           "AGENT_CLASSES", "PREFIXES", "node", "RDF_TYPE", "RDFS_LABEL", "SKOS_ALT_LABEL", "XSD_INTEGER",
           "ontology_path"]

BASE = "https://w3id.org/kg-attribution/"
ONTOLOGY = URIRef(BASE + "ontology")          # the owl:Ontology
TERMS = BASE + "ontology#"                    # its terms: kg:
ENTITY = Namespace(BASE + "entity/")          # agents and countries: kge:
ARTICLE = Namespace(BASE + "article/")        # + percent-encoded document id; also the article's graph
GRAPH = Namespace(BASE + "graph/")            # named graphs that are no article
AGENTS_GRAPH = GRAPH.agents                   # the agents graph, shared by all articles
GROUPS_GRAPH = GRAPH["claim-groups"]          # the claim groups (kg.corroborate writes it whole)
CLAIM_GROUP = Namespace(BASE + "claim-group/")  # + 16 hex digits of a hash of the sorted member IRIs
KGSH = Namespace(BASE + "shapes#")            # the SHACL shapes of ontology/shapes.ttl
SCHEMA = SDO                                  # https://schema.org/ (rdflib's SDO is https)


class KG(DefinedNamespace):
    """kg: <https://w3id.org/kg-attribution/ontology#>, every term of ontology/attribution.ttl."""

    _NS = Namespace(TERMS)
    _fail = True

    # articles and runs
    Article: URIRef
    documentId: URIRef
    contentHash: URIRef
    ExtractionRun: URIRef
    toolVersion: URIRef
    model: URIRef

    # attributions
    Attribution: URIRef
    reportedIn: URIRef
    source: URIRef
    sourceMention: URIRef
    sourceName: URIRef
    sourceRole: URIRef
    cue: URIRef
    cueSpan: URIRef
    claim: URIRef
    kind: URIRef
    evidence: URIRef
    contentAnaphor: URIRef
    citing: URIRef
    original: URIRef
    relayOrder: URIRef
    channel: URIRef
    onPlatform: URIRef
    recipient: URIRef
    recipientText: URIRef
    date: URIRef
    dateText: URIRef
    certainty: URIRef
    polarity: URIRef
    confidence: URIRef

    # claims, claim groups, spans
    Claim: URIRef
    text: URIRef
    span: URIRef
    ClaimGroup: URIRef
    inGroup: URIRef
    independentSources: URIRef
    TextSpan: URIRef

    # agents and countries
    Agent: URIRef
    Person: URIRef
    NewsOutlet: URIRef
    Platform: URIRef
    IntelligenceAgency: URIRef
    GovernmentBody: URIRef
    Government: URIRef
    Organization: URIRef
    AnonymousSource: URIRef
    Group: URIRef
    Country: URIRef
    role: URIRef
    country: URIRef
    partOf: URIRef
    demonym: URIRef

    # concept schemes and their concepts
    CertaintyScheme: URIRef
    Certain: URIRef
    Probable: URIRef
    Possible: URIRef
    Underspecified: URIRef
    PolarityScheme: URIRef
    Positive: URIRef
    Negative: URIRef
    KindScheme: URIRef
    Direct: URIRef
    Indirect: URIRef
    Mixed: URIRef


class NIF(DefinedNamespace):
    """The NIF 2.0 core terms the graph uses for text offsets."""

    _NS = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
    _fail = True

    String: URIRef
    Context: URIRef
    beginIndex: URIRef
    endIndex: URIRef
    anchorOf: URIRef
    referenceContext: URIRef


# The classes an agent of the agents graph has exactly one of (kg:Country is no agent).
AGENT_CLASSES = (KG.Person, KG.NewsOutlet, KG.Platform, KG.IntelligenceAgency, KG.GovernmentBody,
                 KG.Government, KG.Organization, KG.AnonymousSource, KG.Group)


# The prefixes of kg's SPARQL (pre-declared for every query) and of its compact IRIs.
PREFIXES = {
    "kg": TERMS,
    "kge": str(ENTITY),
    "kga": str(ARTICLE),
    "kgg": str(GRAPH),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "nif": str(NIF),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "dcterms": str(DCTERMS),
}


# --- the same terms for pyoxigraph: what the RDF writers and the store take -------------------------

@functools.cache
def node(term: str) -> NamedNode:
    """A term of this module (an rdflib URIRef, or an IRI string) as a pyoxigraph node."""
    return NamedNode(str(term))


RDF_TYPE = node(RDF.type)
RDFS_LABEL = node(RDFS.label)
SKOS_ALT_LABEL = node(SKOS.altLabel)
XSD_INTEGER = node(XSD.integer)  # Oxigraph stores every integer type as xsd:integer


def ontology_path(name: str) -> Path:
    """The path of a shipped ontology file: "attribution.ttl", "shapes.ttl", "entities.ttl"."""
    path = Path(str(resources.files("kg") / "ontology" / name))
    if not path.is_file():
        raise FileNotFoundError(f"no ontology file {name!r} in {path.parent}")
    return path
