"""kg's version: in the package metadata, the RDF of every extraction run, and the content hash that
makes re-ingesting an unchanged article a no-op."""
__version__ = "0.1.0"
