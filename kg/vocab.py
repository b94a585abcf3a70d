"""The RDF vocabulary of the graph: every IRI and prefix kg uses, the kg: terms, and the shipped
ontology files.

    from kg.vocab import KG, NIF, PROV, SCHEMA, ARTICLE, AGENTS_GRAPH, node
    KG.Attribution, KG.citing          # a misspelt kg: term raises AttributeError
    node(KG.Attribution)               # the same term for pyoxigraph (the store's writers)

The terms are those of ontology/attribution.ttl (tests/test_ontology.py keeps the two equal);
ontology/shapes.ttl says what a valid ingested graph is. No NLP here.

The prefixes and the pyoxigraph terms are plain values; the rdflib terms (KG, NIF, the namespaces,
the graph IRIs as URIRefs) are built on first use, since importing rdflib takes about 0.1 s that the
store and the queries do not need.
"""
from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from pyoxigraph import NamedNode

# Built on first use (by __getattr__ at the end of this module): they need rdflib.
RDFLIB_TERMS = ("KG", "NIF", "PROV", "SCHEMA", "SKOS", "RDF", "RDFS", "XSD", "OWL", "DCTERMS", "KGSH", "ONTOLOGY",
                "ENTITY", "ARTICLE", "GRAPH", "AGENTS_GRAPH", "GROUPS_GRAPH", "CLAIM_GROUP", "CONTESTED_GROUP",
                "AGENT_CLASSES")
__all__ = [*RDFLIB_TERMS, "BASE", "TERMS", "PREFIXES", "node", "RDF_TYPE", "RDFS_LABEL", "SKOS_ALT_LABEL",
           "XSD_INTEGER", "ontology_path"]

BASE = "https://w3id.org/kg-attribution/"
TERMS = BASE + "ontology#"                    # the ontology's terms: kg:

# The prefixes of kg's SPARQL (pre-declared for every query) and of its compact IRIs.
PREFIXES = {
    "kg": TERMS,
    "kge": BASE + "entity/",                  # agents and countries
    "kga": BASE + "article/",                 # + percent-encoded document id; also the article's graph
    "kgg": BASE + "graph/",                   # named graphs that are no article
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}


# --- pyoxigraph terms: what the RDF writers and the store take ---------------------------------------

@functools.cache
def node(term: str) -> NamedNode:
    """A term of this module (an rdflib URIRef, or an IRI string) as a pyoxigraph node."""
    return NamedNode(str(term))


RDF_TYPE = node(PREFIXES["rdf"] + "type")
RDFS_LABEL = node(PREFIXES["rdfs"] + "label")
SKOS_ALT_LABEL = node(PREFIXES["skos"] + "altLabel")
XSD_INTEGER = node(PREFIXES["xsd"] + "integer")  # Oxigraph stores every integer type as xsd:integer


def ontology_path(name: str) -> Path:
    """The path of a shipped ontology file: "attribution.ttl", "shapes.ttl", "entities.ttl"."""
    path = Path(str(resources.files("kg") / "ontology" / name))
    if not path.is_file():
        raise FileNotFoundError(f"no ontology file {name!r} in {path.parent}")
    return path


# --- rdflib terms, built on first use ------------------------------------------------------------------

def __getattr__(name: str):
    if name not in RDFLIB_TERMS:  # the import system asks for __path__ and the like: no rdflib for that
        raise AttributeError(f"module 'kg.vocab' has no attribute {name!r}")
    terms = _rdflib_terms()
    globals().update(terms)  # from now on plain module attributes
    return terms[name]


@functools.cache
def _rdflib_terms() -> dict:
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace, Namespace

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
        ContestedGroup: URIRef
        affirmedIn: URIRef
        disputedIn: URIRef
        disputes: URIRef
        groupingVersion: URIRef
        groupingIndex: URIRef
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

        _NS = Namespace(PREFIXES["nif"])
        _fail = True

        String: URIRef
        Context: URIRef
        beginIndex: URIRef
        endIndex: URIRef
        anchorOf: URIRef
        referenceContext: URIRef
        isString: URIRef

    graph = Namespace(PREFIXES["kgg"])
    return {
        "KG": KG, "NIF": NIF, "PROV": PROV, "SKOS": SKOS, "RDF": RDF, "RDFS": RDFS, "XSD": XSD, "OWL": OWL,
        "DCTERMS": DCTERMS,
        "SCHEMA": SDO,                                         # https://schema.org/ (rdflib's SDO is https)
        "ONTOLOGY": URIRef(BASE + "ontology"),                 # the owl:Ontology
        "ENTITY": Namespace(PREFIXES["kge"]),
        "ARTICLE": Namespace(PREFIXES["kga"]),
        "GRAPH": graph,
        "AGENTS_GRAPH": graph.agents,                          # the agents graph, shared by all articles
        "GROUPS_GRAPH": graph["claim-groups"],                 # the claim groups (kg.corroborate writes it)
        "CLAIM_GROUP": Namespace(BASE + "claim-group/"),       # + 16 hex digits of a hash of the members
        "CONTESTED_GROUP": Namespace(BASE + "contested-group/"),  # + 16 hex digits of a hash of its groups
        "KGSH": Namespace(BASE + "shapes#"),                   # the SHACL shapes of ontology/shapes.ttl
        # The classes an agent of the agents graph has exactly one of (kg:Country is no agent).
        "AGENT_CLASSES": (KG.Person, KG.NewsOutlet, KG.Platform, KG.IntelligenceAgency, KG.GovernmentBody,
                          KG.Government, KG.Organization, KG.AnonymousSource, KG.Group),
    }
