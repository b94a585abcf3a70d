"""The ontology (ontology/attribution.ttl), its SHACL shapes (ontology/shapes.ttl) and kg.vocab agree,
and the shapes accept a well-formed article graph and reject the usual ways of getting one wrong."""
from __future__ import annotations

import pyoxigraph
import pyshacl
import pytest
from rdflib import RDF, RDFS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib import namespace as rns
from rdflib.namespace import OWL, PROV, SKOS

from kg import vocab
from kg.vocab import AGENT_CLASSES, AGENTS_GRAPH, KG, NIF, ontology_path

# rdflib's own TriG parsing into a Dataset goes through deprecated ConjunctiveGraph code.
pytestmark = pytest.mark.filterwarnings("ignore:.*(ConjunctiveGraph|default_context).*:DeprecationWarning")

SH = Namespace("http://www.w3.org/ns/shacl#")
KGE = Namespace("https://w3id.org/kg-attribution/entity/")
A = Namespace("https://w3id.org/kg-attribution/article/nw-1#")
ARTICLE = URIRef("https://w3id.org/kg-attribution/article/nw-1")
DECLARING_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme}
PREFIXES = Graph(bind_namespaces="none")
for _prefix, _ns in (("rdf", RDF), ("rdfs", RDFS), ("kg", KG), ("nif", NIF._NS), ("schema", rns.SDO), ("prov", PROV)):
    PREFIXES.bind(_prefix, _ns)


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ontology_path("attribution.ttl"), format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ontology_path("shapes.ttl"), format="turtle")


@pytest.fixture(scope="module")
def declared(onto) -> set[URIRef]:
    return {s for s, t in onto.subject_objects(RDF.type)
            if isinstance(s, URIRef) and str(s).startswith(str(KG)) and t in DECLARING_TYPES}


def kg_terms(graph: Graph) -> set[URIRef]:
    """Every kg: IRI a graph mentions, in any position (lists included)."""
    return {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(str(KG))}


# ---------------------------------------------------------------- files

@pytest.mark.parametrize("name", ["attribution.ttl", "shapes.ttl"])
def test_parses_with_rdflib_and_pyoxigraph(name):
    path = ontology_path(name)
    rdflib_triples = len(Graph().parse(path, format="turtle"))
    oxigraph_triples = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert rdflib_triples > 100
    assert len(oxigraph_triples) == rdflib_triples


def test_ontology_path():
    assert ontology_path("attribution.ttl").name == "attribution.ttl"
    assert ontology_path("entities.ttl").is_file()
    with pytest.raises(FileNotFoundError):
        ontology_path("no-such-file.ttl")


def test_ontology_header(onto):
    ontology = URIRef("https://w3id.org/kg-attribution/ontology")
    assert vocab.ONTOLOGY == ontology
    assert (ontology, RDF.type, OWL.Ontology) in onto
    assert onto.value(ontology, OWL.versionInfo) == Literal("0.1.0")


# ---------------------------------------------------------------- terms: ontology, shapes, vocab agree

def test_vocab_is_the_ontology(declared):
    in_vocab = {KG[name] for name in KG.__annotations__}
    assert in_vocab - declared == set(), "in kg.vocab.KG but not declared in attribution.ttl"
    assert declared - in_vocab == set(), "declared in attribution.ttl but missing from kg.vocab.KG"


def test_vocab_rejects_a_typo():
    assert KG.Attribution == URIRef("https://w3id.org/kg-attribution/ontology#Attribution")
    with pytest.raises(AttributeError):
        KG.Atribution  # noqa: B018
    with pytest.raises(AttributeError):
        NIF.beginindex  # noqa: B018


def test_no_undeclared_kg_term(onto, shapes, declared):
    assert kg_terms(onto) - declared == set(), "attribution.ttl uses kg: terms it does not declare"
    assert kg_terms(shapes) - declared == set(), "shapes.ttl uses kg: terms attribution.ttl does not declare"


def test_register_terms_are_declared(declared):
    register = Graph().parse(ontology_path("entities.ttl"), format="turtle")
    types = {t for t in register.objects(None, RDF.type) if str(t).startswith(str(KG))}
    assert types == {KG.NewsOutlet, KG.Platform, KG.IntelligenceAgency, KG.GovernmentBody, KG.Government,
                     KG.Organization, KG.Country}
    assert kg_terms(register) - declared == set()


def english(graph: Graph, subject, predicate) -> list[Literal]:
    return [o for o in graph.objects(subject, predicate) if isinstance(o, Literal) and o.language == "en"]


def test_every_term_is_documented(onto, declared):
    for term in sorted(declared):
        if (term, RDF.type, SKOS.Concept) in onto:
            assert len(english(onto, term, SKOS.prefLabel)) == 1, term
            assert len(english(onto, term, SKOS.definition)) == 1, term
            scheme = onto.value(term, SKOS.inScheme)
            assert (scheme, RDF.type, SKOS.ConceptScheme) in onto, term
            assert (scheme, SKOS.hasTopConcept, term) in onto, term
        else:
            assert len(english(onto, term, RDFS.label)) == 1, term
            assert len(english(onto, term, RDFS.comment)) == 1, term
        comment = (english(onto, term, RDFS.comment) or english(onto, term, SKOS.definition))[0]
        assert comment.endswith(".") and "\n" not in comment, term
        assert (term, RDFS.isDefinedBy, vocab.ONTOLOGY) in onto, term


def test_external_terms_exist(onto, shapes):
    """Every PROV, schema.org, SKOS and NIF IRI used is a term of that vocabulary (no invented IRIs)."""
    known = {str(PROV): set(PROV.__annotations__), str(rns.SDO): set(rns.SDO.__annotations__),
             str(SKOS): set(SKOS.__annotations__), str(NIF._NS): set(NIF.__annotations__)}
    for graph in (onto, shapes):
        for term in {t for triple in graph for t in triple if isinstance(t, URIRef)}:
            for ns, names in known.items():
                if str(term).startswith(ns) and str(term) != ns:
                    assert str(term)[len(ns):] in names, term


def test_alignment(onto):
    sub = lambda a, b: (a, RDFS.subClassOf, b) in onto or (a, RDFS.subPropertyOf, b) in onto  # noqa: E731
    assert sub(KG.Attribution, PROV.Entity) and sub(KG.Claim, PROV.Entity)
    assert sub(KG.Article, rns.SDO.NewsArticle) and sub(KG.Article, PROV.Entity)
    assert sub(KG.ExtractionRun, PROV.Activity)
    assert sub(KG.TextSpan, NIF.String)
    assert sub(KG.Agent, PROV.Agent)
    assert sub(KG.Person, PROV.Person) and sub(KG.Person, rns.SDO.Person)
    assert sub(KG.NewsOutlet, rns.SDO.NewsMediaOrganization) and sub(KG.NewsOutlet, PROV.Organization)
    assert sub(KG.Country, rns.SDO.Country) and not sub(KG.Country, KG.Agent)
    assert sub(KG.source, PROV.wasAttributedTo) and sub(KG.citing, PROV.wasDerivedFrom)
    assert {c for c in onto.subjects(RDFS.subClassOf, KG.Agent)} == set(AGENT_CLASSES)
    for cls in AGENT_CLASSES:
        if cls not in (KG.Person, KG.AnonymousSource, KG.Group):
            assert sub(cls, PROV.Organization), cls


def test_grasp_close_matches(onto):
    graspf = "http://groundedannotationframework.org/grasp/factuality#"
    matches = {c: str(onto.value(c, SKOS.closeMatch)) for c in
               (KG.Certain, KG.Probable, KG.Possible, KG.Underspecified, KG.Positive, KG.Negative)}
    assert matches == {c: graspf + c.split("#")[1].lower() for c in matches}


def shape_list(shapes: Graph, path: URIRef, key=SH["in"]) -> list:
    """The sh:in list of the (first) property shape with this path."""
    for prop in shapes.subjects(SH.path, path):
        lst = shapes.value(prop, key)
        if lst is None and key == SH["in"]:
            q = shapes.value(prop, SH.qualifiedValueShape)
            lst = shapes.value(q, SH["in"]) if q is not None else None
        if lst is not None:
            return list(Collection(shapes, lst))
    raise AssertionError(f"no sh:in for {path}")


def test_shape_value_lists_are_the_schemes(onto, shapes):
    for prop, scheme in ((KG.kind, KG.KindScheme), (KG.certainty, KG.CertaintyScheme),
                         (KG.polarity, KG.PolarityScheme)):
        assert set(shape_list(shapes, prop)) == set(onto.subjects(SKOS.inScheme, scheme)), prop
    agent_shape = URIRef("https://w3id.org/kg-attribution/shapes#AgentShape")
    assert set(shape_list(shapes, RDF.type)) == set(AGENT_CLASSES)
    assert set(shapes.objects(agent_shape, SH.targetClass)) == set(AGENT_CLASSES)


def test_every_shape_explains_itself(shapes):
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    assert len(node_shapes) >= 8
    for shape in node_shapes:
        assert english(shapes, shape, RDFS.label), shape
        for prop in shapes.objects(shape, SH.property):
            assert shapes.value(prop, SH.name) is not None, (shape, shapes.value(prop, SH.path))
            assert shapes.value(prop, SH.message) is not None, (shape, shapes.value(prop, SH.path))


# ---------------------------------------------------------------- validation

# Newsweek, 8 October 2024. The article text the offsets count in (the writer does not store it):
TEXT = ('Bloomberg reported, citing South Korean intelligence, that North Korean troops were in Russia. '
        '"We are watching closely," Sean Savett, a spokesman for the National Security Council, said on X '
        'on Tuesday. "It is serious."')

DATA = """\
@prefix kg:     <https://w3id.org/kg-attribution/ontology#> .
@prefix kge:    <https://w3id.org/kg-attribution/entity/> .
@prefix a:      <https://w3id.org/kg-attribution/article/nw-1#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix schema: <https://schema.org/> .
@prefix nif:    <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .

<https://w3id.org/kg-attribution/article/nw-1> {
    <https://w3id.org/kg-attribution/article/nw-1> a kg:Article, schema:NewsArticle ;
        kg:documentId "nw-1" ;
        kg:contentHash "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" ;
        schema:headline "North Korean troops in Russia, Bloomberg says" ;
        schema:url <https://www.newsweek.com/north-korea-troops-russia-1> ;
        schema:datePublished "2024-10-08"^^xsd:date ;
        schema:author "Jane Doe" ;
        schema:publisher kge:newsweek .

    a:run a kg:ExtractionRun ;
        prov:used <https://w3id.org/kg-attribution/article/nw-1> ;
        prov:startedAtTime "2024-10-09T12:00:00+00:00"^^xsd:dateTime ;
        kg:toolVersion "0.1.0" ;
        kg:model "en_core_web_sm 3.8.0" .

    # Bloomberg reported ..., citing South Korean intelligence: a1 relays a2.
    a:a1 a kg:Attribution ;
        kg:reportedIn <https://w3id.org/kg-attribution/article/nw-1> ;
        prov:wasGeneratedBy a:run ;
        kg:source kge:bloomberg ; kg:sourceMention a:a1-source ; kg:sourceName "Bloomberg" ;
        kg:cue "reported" ; kg:cueSpan a:a1-cue ;
        kg:claim a:a1-claim ; kg:kind kg:Indirect ;
        kg:citing a:a2 ; kg:original a:a2 ; kg:relayOrder 1 ;
        kg:certainty kg:Certain ; kg:polarity kg:Positive ;
        kg:confidence "0.83"^^xsd:decimal ;
        kg:evidence a:a1-evidence .
    a:a1-claim a kg:Claim ; kg:text "North Korean troops were in Russia" ; kg:span a:a1-content-1 .

    a:a2 a kg:Attribution ;
        kg:reportedIn <https://w3id.org/kg-attribution/article/nw-1> ;
        prov:wasGeneratedBy a:run ;
        kg:source kge:south-korea-nis ; kg:sourceMention a:a2-source ; kg:sourceName "South Korean intelligence" ;
        kg:cue "citing" ; kg:cueSpan a:a2-cue ;
        kg:claim a:a2-claim ; kg:kind kg:Indirect ;
        kg:certainty kg:Certain ; kg:polarity kg:Positive ;
        kg:evidence a:a1-evidence .
    a:a2-claim a kg:Claim ; kg:text "North Korean troops were in Russia" ; kg:span a:a1-content-1 .

    # "A," Sean Savett ... said on X on Tuesday. "B": a discontinuous direct quote.
    a:a3 a kg:Attribution ;
        kg:reportedIn <https://w3id.org/kg-attribution/article/nw-1> ;
        prov:wasGeneratedBy a:run ;
        kg:source <https://w3id.org/kg-attribution/entity/person/sean-savett> ; kg:sourceMention a:a3-source ; kg:sourceName "Sean Savett" ;
        kg:sourceRole "spokesman for the National Security Council" ;
        kg:cue "said" ; kg:cueSpan a:a3-cue ;
        kg:claim a:a3-claim ; kg:kind kg:Direct ;
        kg:original a:a3 ;
        kg:channel "X" ; kg:onPlatform kge:x ;
        kg:date "2024-10-08"^^xsd:date ; kg:dateText "on Tuesday" ;
        kg:certainty kg:Certain ; kg:polarity kg:Positive ;
        kg:evidence a:a3-evidence .
    a:a3-claim a kg:Claim ; kg:text "We are watching closely, It is serious." ;
        kg:span a:a3-content-1, a:a3-content-2 .

    a:a1-evidence a kg:TextSpan ; nif:beginIndex 0 ; nif:endIndex 94 ;
        nif:anchorOf "Bloomberg reported, citing South Korean intelligence, that North Korean troops were in Russia." ;
        nif:referenceContext <https://w3id.org/kg-attribution/article/nw-1> .
    a:a1-source a kg:TextSpan ; nif:beginIndex 0 ; nif:endIndex 9 ;
        nif:anchorOf "Bloomberg" ; nif:referenceContext <https://w3id.org/kg-attribution/article/nw-1> .
    a:a1-cue a kg:TextSpan ; nif:beginIndex 10 ; nif:endIndex 18 ;
        nif:anchorOf "reported" ; nif:referenceContext <https://w3id.org/kg-attribution/article/nw-1> .
    a:a1-content-1 a kg:TextSpan ; nif:beginIndex 59 ; nif:endIndex 93 ;
        nif:anchorOf "North Korean troops were in Russia" ; nif:referenceContext <https://w3id.org/kg-attribution/article/nw-1> .
    a:a2-source a kg:TextSpan ; nif:beginIndex 27 ; nif:endIndex 52 ;
        nif:anchorOf "South Korean intelligence" ; nif:referenceContext <https://w3id.org/kg-attribution/article/nw-1> .
    a:a2-cue a kg:TextSpan ; nif:beginIndex 20 ; nif:endIndex 26 ;
        nif:anchorOf "citing" ; nif:referenceContext <https://w3id.org/kg-attribution/article/nw-1> .
    a:a3-evidence a kg:TextSpan ; nif:beginIndex 95 ; nif:endIndex 220 ;
        nif:anchorOf "\\"We are watching closely,\\" Sean Savett, a spokesman for the National Security Council, said on X on Tuesday. \\"It is serious.\\"" ;
        nif:referenceContext <https://w3id.org/kg-attribution/article/nw-1> .
    a:a3-source a kg:TextSpan ; nif:beginIndex 122 ; nif:endIndex 133 ;
        nif:anchorOf "Sean Savett" ; nif:referenceContext <https://w3id.org/kg-attribution/article/nw-1> .
    a:a3-cue a kg:TextSpan ; nif:beginIndex 182 ; nif:endIndex 186 ;
        nif:anchorOf "said" ; nif:referenceContext <https://w3id.org/kg-attribution/article/nw-1> .
    a:a3-content-1 a kg:TextSpan ; nif:beginIndex 96 ; nif:endIndex 120 ;
        nif:anchorOf "We are watching closely," ; nif:referenceContext <https://w3id.org/kg-attribution/article/nw-1> .
    a:a3-content-2 a kg:TextSpan ; nif:beginIndex 205 ; nif:endIndex 219 ;
        nif:anchorOf "It is serious." ; nif:referenceContext <https://w3id.org/kg-attribution/article/nw-1> .
}

<https://w3id.org/kg-attribution/graph/agents> {
    kge:newsweek a kg:NewsOutlet ; rdfs:label "Newsweek"@en .
    kge:bloomberg a kg:NewsOutlet ; rdfs:label "Bloomberg" ; skos:altLabel "Bloomberg News"@en .
    kge:x a kg:Platform ; rdfs:label "X"@en ; skos:altLabel "Twitter"@en .
    kge:south-korea-nis a kg:IntelligenceAgency ; rdfs:label "National Intelligence Service"@en ;
        skos:altLabel "South Korean intelligence" ; kg:country kge:south-korea .
    <https://w3id.org/kg-attribution/entity/person/sean-savett> a kg:Person ; rdfs:label "Sean Savett" ;
        kg:role "spokesman for the National Security Council" ;
        prov:actedOnBehalfOf kge:us-national-security-council ; kg:country kge:united-states .
    kge:us-national-security-council a kg:GovernmentBody ; rdfs:label "National Security Council"@en ;
        skos:altLabel "NSC"@en ; kg:partOf kge:us-government ; kg:country kge:united-states .
    kge:us-government a kg:Government ; rdfs:label "United States government"@en ; kg:country kge:united-states .
    kge:south-korea a kg:Country ; rdfs:label "South Korea"@en ; kg:demonym "South Korean"@en .
    kge:united-states a kg:Country ; rdfs:label "United States"@en ; kg:demonym "American"@en .
}
"""


def test_offsets_of_the_example_are_right():
    """The example's anchors are the text at their offsets, so the shapes see a realistic graph."""
    ds = Dataset(default_union=True).parse(data=DATA, format="trig")
    spans = list(ds.subjects(RDF.type, KG.TextSpan))
    assert len(spans) == 11
    for span in spans:
        begin, end = int(ds.value(span, NIF.beginIndex)), int(ds.value(span, NIF.endIndex))
        assert TEXT[begin:end] == str(ds.value(span, NIF.anchorOf)), span


@pytest.fixture
def data() -> Graph:
    """The example as the validator sees it: the article graph and the agents graph in one graph."""
    ds = Dataset().parse(data=DATA, format="trig")
    assert {str(g.identifier) for g in ds.graphs() if len(g)} == {str(ARTICLE), str(AGENTS_GRAPH)}
    graph = Graph()
    for s, p, o, _ in ds.quads():
        graph.add((s, p, o))
    return graph


def violations(data: Graph, shapes: Graph) -> set[tuple[str, str]]:
    """(path, message) of every validation result; also checks pyshacl's verdict agrees."""
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=None, inference="none")
    found = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        found.add((PREFIXES.qname(path) if isinstance(path, URIRef) else str(path), str(message)))
    assert conforms == (not found)
    return found


def test_valid_graph_conforms(data, shapes):
    assert violations(data, shapes) == set()


def test_language_tags_or_plain_strings_are_both_names(data, shapes):
    data.set((KGE.bloomberg, RDFS.label, Literal("Bloomberg", lang="en")))
    data.set((KGE["person/sean-savett"], RDFS.label, Literal("Sean Savett", lang="en")))
    data.set((KGE["south-korea"], RDFS.label, Literal("South Korea")))
    assert violations(data, shapes) == set()


def drop(graph: Graph, s=None, p=None, o=None) -> Graph:
    assert (s, p, o) in graph, (s, p, o)
    graph.remove((s, p, o))
    return graph


def set_(graph: Graph, s, p, o) -> Graph:
    assert (s, p, None) in graph, (s, p)
    graph.set((s, p, o))
    return graph


def nonneg(n: int) -> Literal:
    return Literal(n)


BROKEN = {
    "missing claim": (
        lambda g: drop(g, A.a1, KG.claim, A["a1-claim"]),
        {("kg:claim", "Attribution: needs exactly one kg:claim, a kg:Claim.")}),
    "begin equals end": (
        lambda g: set_(g, A["a1-cue"], NIF.beginIndex, nonneg(18)),
        {("nif:beginIndex", "Text span: nif:beginIndex must be less than nif:endIndex."),
         ("nif:anchorOf", "Text span: nif:anchorOf (reported) is not nif:endIndex - nif:beginIndex characters long.")}),
    "begin after end": (
        lambda g: set_(set_(g, A["a1-cue"], NIF.beginIndex, nonneg(18)), A["a1-cue"], NIF.endIndex, nonneg(10)),
        {("nif:beginIndex", "Text span: nif:beginIndex must be less than nif:endIndex."),
         ("nif:anchorOf", "Text span: nif:anchorOf (reported) is not nif:endIndex - nif:beginIndex characters long.")}),
    "certainty of another scheme": (
        lambda g: set_(g, A.a1, KG.certainty, KG.Negative),
        {("kg:certainty", "Attribution: needs exactly one kg:certainty, one of kg:Certain, kg:Probable, "
                          "kg:Possible, kg:Underspecified.")}),
    "certainty missing": (
        lambda g: drop(g, A.a2, KG.certainty, KG.Certain),
        {("kg:certainty", "Attribution: needs exactly one kg:certainty, one of kg:Certain, kg:Probable, "
                          "kg:Possible, kg:Underspecified.")}),
    "kind not a kind": (
        lambda g: set_(g, A.a3, KG.kind, Literal("direct")),
        {("kg:kind", "Attribution: needs exactly one kg:kind, one of kg:Direct, kg:Indirect, kg:Mixed.")}),
    "two sources": (
        lambda g: g.add((A.a1, KG.source, KGE.newsweek)) or g,
        {("kg:source", "Attribution: has at most one kg:source, the IRI of an agent.")}),
    "source agent without type": (
        lambda g: drop(g, KGE.bloomberg, RDF.type, KG.NewsOutlet),
        {("rdf:type", "Agent: needs exactly one rdf:type among kg:Person, kg:NewsOutlet, kg:Platform, "
                      "kg:IntelligenceAgency, kg:GovernmentBody, kg:Government, kg:Organization, "
                      "kg:AnonymousSource, kg:Group.")}),
    "source agent of a country": (
        lambda g: set_(g, A.a3, KG.source, KGE["united-states"]),
        {("rdf:type", "Agent: needs exactly one rdf:type among kg:Person, kg:NewsOutlet, kg:Platform, "
                      "kg:IntelligenceAgency, kg:GovernmentBody, kg:Government, kg:Organization, "
                      "kg:AnonymousSource, kg:Group.")}),
    "agent with two agent types": (
        lambda g: g.add((KGE["person/sean-savett"], RDF.type, KG.AnonymousSource)) or g,
        {("rdf:type", "Agent: needs exactly one rdf:type among kg:Person, kg:NewsOutlet, kg:Platform, "
                      "kg:IntelligenceAgency, kg:GovernmentBody, kg:Government, kg:Organization, "
                      "kg:AnonymousSource, kg:Group.")}),
    "agent with two labels": (
        lambda g: g.add((KGE.x, RDFS.label, Literal("Twitter"))) or g,
        {("rdfs:label", "Agent: needs exactly one rdfs:label, a string (language tag allowed).")}),
    "affiliation without a label": (
        lambda g: drop(g, KGE["us-national-security-council"], RDFS.label, Literal("National Security Council", lang="en")),
        {("rdfs:label", "Agent: needs exactly one rdfs:label, a string (language tag allowed).")}),
    "span without anchorOf": (
        lambda g: drop(g, A["a1-cue"], NIF.anchorOf, Literal("reported")),
        {("nif:anchorOf", "Text span: needs exactly one nif:anchorOf, its words as an xsd:string.")}),
    "anchor that is not the offsets' length": (
        lambda g: set_(g, A["a2-cue"], NIF.anchorOf, Literal("citing South")),
        {("nif:anchorOf", "Text span: nif:anchorOf (citing South) is not nif:endIndex - nif:beginIndex "
                          "characters long.")}),
    "offsets typed as strings": (
        lambda g: set_(g, A["a3-cue"], NIF.endIndex, Literal("186")),
        {("nif:endIndex", "Text span: needs exactly one nif:endIndex, an xsd:integer >= 0."),
         ("nif:beginIndex", "Text span: nif:beginIndex must be less than nif:endIndex.")}),
    "negative offset": (
        lambda g: set_(g, A["a3-cue"], NIF.beginIndex, Literal(-1)),
        {("nif:beginIndex", "Text span: needs exactly one nif:beginIndex, an xsd:integer >= 0."),
         ("nif:anchorOf", "Text span: nif:anchorOf (said) is not nif:endIndex - nif:beginIndex characters long.")}),
    "citing something that is no attribution": (
        lambda g: set_(g, A.a1, KG.citing, KGE["south-korea-nis"]),
        {("kg:citing", "Attribution: every kg:citing is a kg:Attribution (of the same article).")}),
    "claim without span": (
        lambda g: drop(g, A["a1-claim"], KG.span, A["a1-content-1"]),
        {("kg:span", "Claim: needs at least one kg:span, each a kg:TextSpan.")}),
    "evidence missing": (
        lambda g: drop(g, A.a3, KG.evidence, A["a3-evidence"]),
        {("kg:evidence", "Attribution: needs exactly one kg:evidence, the kg:TextSpan of its sentence.")}),
    "confidence above 1": (
        lambda g: g.set((A.a1, KG.confidence, Literal("1.5", datatype=rns.XSD.decimal))) or g,
        {("kg:confidence", "Attribution: has at most one kg:confidence, an xsd:decimal from 0 to 1.")}),
    "platform that is no platform": (
        lambda g: set_(g, A.a3, KG.onPlatform, KGE.newsweek),
        {("kg:onPlatform", "Attribution: has at most one kg:onPlatform, a kg:Platform.")}),
    "publication date as a plain string": (
        lambda g: set_(g, ARTICLE, rns.SDO.datePublished, Literal("October 8, 2024")),
        {("schema:datePublished", "Article: has at most one schema:datePublished, an xsd:date or xsd:dateTime.")}),
    "article without document id": (
        lambda g: drop(g, ARTICLE, KG.documentId, Literal("nw-1")),
        {("kg:documentId", "Article: needs exactly one kg:documentId, an xsd:string.")}),
    "run without start time": (
        lambda g: drop(g, A.run, PROV.startedAtTime, None),
        {("prov:startedAtTime", "Extraction run: needs exactly one prov:startedAtTime, an xsd:dateTime.")}),
    "country not described": (
        lambda g: drop(g, KGE["south-korea"], RDF.type, KG.Country),
        {("kg:country", "Agent: has at most one kg:country, a kg:Country described in the agents graph."),
         ("rdf:type", "Country: must be typed kg:Country.")}),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_graph_fails_with_the_expected_message(case, data, shapes):
    breaking, expected = BROKEN[case]
    assert violations(breaking(data), shapes) == expected


def test_register_conforms_to_the_agent_shapes(shapes):
    """The curated register (language-tagged names, skos:note) is a valid agents graph by itself."""
    register = Graph().parse(ontology_path("entities.ttl"), format="turtle")
    assert violations(register, shapes) == set()
