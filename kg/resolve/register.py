"""The entity register: the agents news attribution keeps naming, and every name they go by.

Data, not code: ontology/entities.ttl (shipped inside the package) plus any Turtle files the
user adds (`--entities my.ttl`). Each entity has one type, one rdfs:label and any number of
skos:altLabel; a user file may add names to an entity of the register by using its IRI.

Loading is all or nothing: a file that does not parse, or a name given to two entities, is a
RegisterError naming the file (and line, or the name) and no register is returned.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kg.documents import open_regular, os_error_message
from kg.errors import KgError
from kg.vocab import ENTITY, KG, TERMS, ontology_path

DEFAULT_PATH = ontology_path("entities.ttl")
TYPES = ("NewsOutlet", "Platform", "IntelligenceAgency", "GovernmentBody", "Government", "Organization", "Country")


class RegisterError(KgError, ValueError):
    """A register file that cannot be used; the message is one line naming the file."""


@dataclass
class Entry:
    """An entity of the register: its IRI, one label and type, the other names it goes by."""

    iri: str
    label: str
    type: str
    aliases: list[str] = field(default_factory=list)
    country: str | None = None  # IRI of a Country entity
    part_of: str | None = None  # IRI of the entity this one belongs to (a ministry's government)
    demonyms: list[str] = field(default_factory=list)
    source: str = ""  # the file that declared it

    @property
    def names(self) -> list[str]:
        return [self.label, *self.aliases]


def name_key(name: str) -> str:
    """How names are compared: case, a leading "the", a possessive and spacing do not matter."""
    key = re.sub(r"\s+", " ", name.replace("\u2019", "'")).strip().casefold()
    key = re.sub(r"^the ", "", key)
    return re.sub(r"'s?$", "", key)


@dataclass
class Register:
    entities: dict[str, Entry]
    _by_name: dict[str, str]
    _by_demonym: dict[str, str]

    def lookup(self, name: str) -> Entry | None:
        iri = self._by_name.get(name_key(name))
        return self.entities[iri] if iri else None

    def country_of_demonym(self, word: str) -> Entry | None:
        """"Dutch" -> the Netherlands, "South Korean" -> South Korea."""
        iri = self._by_demonym.get(name_key(word))
        return self.entities[iri] if iri else None

    def government_of(self, country_iri: str) -> Entry | None:
        """The Government whose country this is: who speaks when "Ukraine said"."""
        return next((e for e in self.entities.values() if e.type == "Government" and e.country == country_iri), None)

    def __len__(self) -> int:
        return len(self.entities)


def load(extra: Iterable[str | Path] = (), default: str | Path | None = DEFAULT_PATH) -> Register:
    """The register of `default` (the shipped file) extended by the user's files, in order."""
    entities: dict[str, Entry] = {}
    paths = ([Path(default)] if default is not None else []) + [Path(p) for p in extra]
    for path in paths:
        _read(path, entities)
    by_name: dict[str, str] = {}
    for entity in entities.values():
        for name in entity.names:
            key = name_key(name)
            other = by_name.setdefault(key, entity.iri)
            if other != entity.iri:
                raise RegisterError(f"{entity.source}: the name {name!r} is given to two entities: "
                                    f"{_short(other)} and {_short(entity.iri)}")
    by_demonym = {name_key(d): e.iri for e in entities.values() for d in e.demonyms}
    return Register(entities, by_name, by_demonym)


def _read(path: Path, entities: dict[str, Entry]) -> None:
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, RDFS, SKOS

    graph = Graph()
    try:
        with open_regular(path) as f:
            graph.parse(f, format="turtle")
    except OSError as error:
        raise RegisterError(f"{path}: {os_error_message(error)}") from None
    except Exception as error:  # rdflib's parse errors have no common base class
        raise RegisterError(f"{path}: {_syntax_message(error)}") from None

    for subject in set(graph.subjects(RDF.type, None)) | set(graph.subjects(SKOS.altLabel, None)):
        if not isinstance(subject, URIRef):
            raise RegisterError(f"{path}: an entity without an IRI (a blank node) cannot be referred to")
        iri = str(subject)
        types = [str(t)[len(TERMS):] for t in graph.objects(subject, RDF.type) if str(t).startswith(TERMS)]
        entity = entities.get(iri)
        if entity is None:
            labels = [str(o) for o in graph.objects(subject, RDFS.label) if isinstance(o, Literal)]
            if len(types) != 1 or types[0] not in TYPES:
                raise RegisterError(f"{path}: {_short(iri)} needs one type of {', '.join('kg:' + t for t in TYPES)}")
            if len(labels) != 1:
                raise RegisterError(f"{path}: {_short(iri)} needs exactly one rdfs:label, has {len(labels)}")
            entity = entities[iri] = Entry(iri, labels[0], types[0], source=str(path))
        entity.aliases += [str(o) for o in graph.objects(subject, SKOS.altLabel) if str(o) not in entity.names]
        entity.demonyms += [str(o) for o in graph.objects(subject, KG.demonym)]
        entity.country = str(graph.value(subject, KG.country) or "") or entity.country
        entity.part_of = str(graph.value(subject, KG.partOf) or "") or entity.part_of
    for entity in entities.values():
        for target in (entity.country, entity.part_of):
            if target and target not in entities:
                raise RegisterError(f"{entity.source}: {_short(entity.iri)} points to {_short(target)}, "
                                    f"which no register file declares")


def _short(iri: str) -> str:
    return "kge:" + iri[len(ENTITY):] if iri.startswith(ENTITY) else f"<{iri}>"


def _syntax_message(error: Exception) -> str:
    """rdflib's Turtle errors, cut to "line N: what" on one line."""
    text = " ".join(str(error).split())
    line = re.search(r"at line (\d+)", text)
    what = re.sub(r"^.*?:\s*", "", text.split(" at ^ in:")[0])[:160]
    return f"line {line.group(1)}: not valid Turtle: {what}" if line else f"not valid Turtle: {text[:200]}"
