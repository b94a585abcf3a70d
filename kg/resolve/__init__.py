"""Resolution: source mentions -> canonical entities (people, outlets, agencies, platforms, ...).

    from kg.resolve import Resolver, load_register
    resolver = Resolver(load_register(["my-entities.ttl"]))
    for article, records in extract_articles(...):
        resolver.resolve(article, records)     # sets record.source.entity, .type
    resolver.finish()                          # bare surnames -> the corpus' full names

register.py reads the entity register (ontology/entities.ttl and the user's files); resolver.py
resolves mentions within an article and across the corpus. No spaCy here.
"""
from __future__ import annotations

from kg.resolve.register import Register, RegisterError
from kg.resolve.register import load as load_register
from kg.resolve.resolver import Entity, Resolver, is_proper_name, person_key, slug

__all__ = ["Entity", "Register", "RegisterError", "Resolver", "is_proper_name", "load_register", "person_key",
           "slug"]
