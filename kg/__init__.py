"""kg: a source-attribution knowledge graph. Who said what, via whom, in the news.

The Python API that the CLI and notebooks share:

    import kg
    records = kg.extract(kg.article_from_text("...", id="a1"))
    with kg.Graph("./graph") as g:            # the knowledge graph: ingest, query, export
        g.ingest(["seeds/"])
        g.attributions(via="Bloomberg")

The pipeline, one stage a module or package, each importing only the stages before it
(tests/test_layers.py checks that):

    ① documents     files -> Article (text, metadata, boilerplate blanked)
    ② extract       Article -> [Attribution] (spaCy parse + rules; the only package with spaCy)
    ③ resolve       mentions -> canonical entities (the entity register + the resolver)
    ④ rdf           records -> triples: one named graph per article, the agents shared
    ⑤ store         where the triples live: embedded Oxigraph or any SPARQL 1.1 endpoint
    ⑥ ingest, query, validate   the write side (①-⑤ wired), the read side (kg/queries/*.rq), the
                    SHACL check of what was written, a slice of nodes at a time
    ⑦ corroborate   claims about the same thing, grouped, with their independent sources
    ⑧ graph         kg.Graph: the one facade over ⑤-⑦
    ⑨ network, render, analyze, evaluate   views of the graph, and the PolNeAR scores
    ⑩ cli           the `kg` command line, options and output only

Beneath them all: errors (KgError), vocab (every IRI and prefix), text (fold, plural), version.
Importing kg loads neither spaCy nor trafilatura: they load when the first article is parsed or
the first HTML page is read.
"""
from kg.documents import Article, InputError, article_from_text, iter_documents, read_article
from kg.extract import extract, extract_articles
from kg.version import __version__

__all__ = ["Article", "InputError", "article_from_text", "iter_documents", "read_article",
           "extract", "extract_articles", "Graph", "__version__"]


def __getattr__(name: str):
    if name == "Graph":  # imported on first use: extraction alone needs no store
        from kg.graph import Graph

        return Graph
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
