"""kg: a source-attribution knowledge graph. Who said what, via whom, in the news.

The Python API that the CLI and notebooks share:

    import kg
    records = kg.extract(kg.article_from_text("...", id="a1"))
    with kg.Graph("./graph") as g:            # the knowledge graph: ingest, query, export
        g.ingest(["seeds/"])
        g.attributions(via="Bloomberg")
"""
__version__ = "0.1.0"

from kg.documents import Article, InputError, article_from_text, iter_documents, read_article  # noqa: E402
from kg.extract import extract, extract_articles  # noqa: E402

__all__ = ["Article", "InputError", "article_from_text", "iter_documents", "read_article",
           "extract", "extract_articles", "Graph", "__version__"]


def __getattr__(name: str):
    if name == "Graph":  # imported on first use: extraction alone needs no store
        from kg.graph import Graph

        return Graph
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
