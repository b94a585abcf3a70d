"""Records -> RDF (kg.rdf): no NLP, hand-made records, checked triple by triple."""
from __future__ import annotations

import pyoxigraph as ox

from kg import rdf
from kg.documents import Article
from kg.extract.records import Attribution, Source, Span

KG = "https://w3id.org/kg-attribution/ontology#"
NIF = "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#"
TEXT = ('Newsweek: Bloomberg reported, citing South Korean intelligence, that 10,000 soldiers '
        'would be sent. "It is <script>alert(1)</script> serious," he said, "and growing."')


def span(text: str, start: int = None) -> Span:
    start = TEXT.index(text) if start is None else start
    return Span(start, start + len(text), text)


def records() -> list[Attribution]:
    sentence = span(TEXT[:TEXT.index(". ") + 1])
    bloomberg = Attribution("d#a1", Source(span("Bloomberg"), "Bloomberg", "NewsOutlet", entity="https://w3id.org/kg-attribution/entity/bloomberg"),
                            span("reported"), span("10,000 soldiers would be sent"), "indirect", cites="d#a2", sentence=sentence)
    intel = Attribution("d#a2", Source(span("South Korean intelligence"), "South Korean intelligence", "IntelligenceAgency",
                                       entity="https://w3id.org/kg-attribution/entity/south-korea-nis"),
                        span("citing"), span("10,000 soldiers would be sent"), "indirect", sentence=sentence,
                        certainty="probable")
    first, second = span('"It is <script>alert(1)</script> serious,"'), span('"and growing."')
    quote = Span(first.start, second.end, TEXT[first.start:second.end], ((first.start, first.end), (second.start, second.end)))
    he = Attribution("d#a3", Source(span("he"), "Kirby", "Person"), span("said"), quote, "direct",
                     sentence=span(TEXT[TEXT.index('"It'):]), polarity="negative")
    return [bloomberg, intel, he]


def graph(triples) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(s, p, o, ox.DefaultGraph()) for s, p, o in triples)
    return store


def ask(store, where: str) -> list:
    return list(store.query(f"PREFIX kg: <{KG}> PREFIX nif: <{NIF}> SELECT * WHERE {{ {where} }}"))


def test_article_iri_encodes_any_document_id():
    assert rdf.article_iri("nyt/2016 09#x") == "https://w3id.org/kg-attribution/article/nyt%2F2016%2009%23x"


def test_a_chain_gets_its_original_and_relay_order():
    article = Article(id="d", text=TEXT, publisher="Newsweek", published="2024-10-08")
    store = graph(rdf.article_triples(article, records(), publisher="https://w3id.org/kg-attribution/entity/newsweek"))
    a = rdf.article_iri("d")
    (row,) = ask(store, "?top kg:original ?orig . ?orig kg:source ?s . FILTER(?top != ?orig)")
    assert row["top"].value == f"{a}#a1" and row["s"].value.endswith("south-korea-nis")
    (relay,) = ask(store, "?r kg:relayOrder ?k")
    assert relay["r"].value == f"{a}#a1" and relay["k"].value == "1"
    # every attribution no one cites has an original, the cited one has none of its own
    assert {r["a"].value.rsplit("#", 1)[-1] for r in ask(store, "?a kg:original ?o")} == {"a1", "a3"}


def test_discontinuous_quote_is_its_fragments_and_text_stays_text():
    article = Article(id="d", text=TEXT)
    store = graph(rdf.article_triples(article, records()))
    (claim,) = ask(store, "?a kg:polarity kg:Negative ; kg:claim ?c . ?c kg:text ?t")
    assert claim["t"].value == '"It is <script>alert(1)</script> serious," "and growing."'
    spans = ask(store, "?a kg:polarity kg:Negative ; kg:claim/kg:span ?s . ?s nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?w")
    for s in spans:
        assert TEXT[int(s["b"].value):int(s["e"].value)] == s["w"].value
    assert len(spans) == 2


def test_every_span_points_into_the_article_text():
    article = Article(id="d", text=TEXT)
    store = graph(rdf.article_triples(article, records()))
    spans = ask(store, "?s a kg:TextSpan ; nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?w")
    assert len(spans) >= 8
    assert all(TEXT[int(s["b"].value):int(s["e"].value)] == s["w"].value for s in spans)


def test_content_hash_changes_with_text_metadata_but_not_with_nothing():
    a = Article(id="d", text=TEXT, publisher="Newsweek")
    assert rdf.content_hash(a) == rdf.content_hash(Article(id="d", text=TEXT, publisher="Newsweek"))
    assert rdf.content_hash(a) != rdf.content_hash(Article(id="d", text=TEXT + " ", publisher="Newsweek"))
    assert rdf.content_hash(a) != rdf.content_hash(Article(id="d", text=TEXT, publisher="Reuters"))


def test_bad_url_is_left_out_not_written_as_a_broken_iri():
    article = Article(id="d", text=TEXT, url="not a url <with> spaces")
    assert not [t for t in rdf.article_triples(article, []) if t[1].value == "https://schema.org/url"]
