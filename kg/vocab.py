"""The RDF vocabulary of the graph: namespaces, the kg: terms, and the shipped ontology files.

    from kg.vocab import KG, NIF, PROV, SCHEMA, ARTICLE, AGENTS_GRAPH
    KG.Attribution, KG.citing          # a misspelt kg: term raises AttributeError

The terms are those of ontology/attribution.ttl (tests/test_ontology.py keeps the two equal);
ontology/shapes.ttl says what a valid ingested graph is. No NLP here.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace, Namespace

__all__ = ["KG", "NIF", "PROV", "SCHEMA", "SKOS", "RDF", "RDFS", "XSD", "OWL", "DCTERMS", "KGSH",
           "ONTOLOGY", "ENTITY", "ARTICLE", "GRAPH", "AGENTS_GRAPH", "AGENT_CLASSES", "ontology_path"]

BASE = "https://w3id.org/kg-attribution/"
ONTOLOGY = URIRef(BASE + "ontology")          # the owl:Ontology
ENTITY = Namespace(BASE + "entity/")          # agents and countries: kge:
ARTICLE = Namespace(BASE + "article/")        # + percent-encoded document id; also the article's graph
GRAPH = Namespace(BASE + "graph/")            # named graphs that are no article
AGENTS_GRAPH = GRAPH.agents                   # the agents graph, shared by all articles
KGSH = Namespace(BASE + "shapes#")            # the SHACL shapes of ontology/shapes.ttl
SCHEMA = SDO                                  # https://schema.org/ (rdflib's SDO is https)


class KG(DefinedNamespace):
    """kg: <https://w3id.org/kg-attribution/ontology#>, every term of ontology/attribution.ttl."""

    _NS = Namespace(BASE + "ontology#")
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


def ontology_path(name: str) -> Path:
    """The path of a shipped ontology file: "attribution.ttl", "shapes.ttl", "entities.ttl"."""
    path = Path(str(resources.files("kg") / "ontology" / name))
    if not path.is_file():
        raise FileNotFoundError(f"no ontology file {name!r} in {path.parent}")
    return path
