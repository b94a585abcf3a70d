"""The entity register loader: lookups by any name, user extensions, and one-line errors."""
from __future__ import annotations

import pytest

from kg.resolve import register

PREFIXES = """\
@prefix kg: <https://w3id.org/kg-attribution/ontology#> .
@prefix kge: <https://w3id.org/kg-attribution/entity/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


@pytest.fixture(scope="module")
def shipped():
    return register.load()


def user_file(tmp_path, body: str):
    path = tmp_path / "mine.ttl"
    path.write_text(PREFIXES + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("name, label, typ", [
    ("Reuters", "Reuters", "NewsOutlet"),
    ("the Wall Street Journal", "The Wall Street Journal", "NewsOutlet"),
    ("Twitter", "X", "Platform"),
    ("Telegram", "Telegram", "Platform"),
    ("South Korean intelligence", "National Intelligence Service", "IntelligenceAgency"),
    ("Ukraine’s Defense Intelligence", "Defence Intelligence of Ukraine", "IntelligenceAgency"),
    ("U.S. National Security Council", "National Security Council", "GovernmentBody"),
])
def test_names_find_their_entity(shipped, name, label, typ):
    entity = shipped.lookup(name)
    assert entity is not None and (entity.label, entity.type) == (label, typ)


def test_the_times_is_not_the_new_york_times(shipped):
    assert shipped.lookup("The Times").iri != shipped.lookup("The New York Times").iri


def test_demonyms_and_governments(shipped):
    netherlands = shipped.country_of_demonym("Dutch")
    assert netherlands.type == "Country" and netherlands.label == "Netherlands"
    assert shipped.government_of(netherlands.iri).type == "Government"


def test_unknown_name(shipped):
    assert shipped.lookup("The Springfield Shopper") is None


def test_user_file_adds_entities_and_names(tmp_path, shipped):
    path = user_file(tmp_path, """
kge:springfield-shopper a kg:NewsOutlet ; rdfs:label "The Springfield Shopper"@en ; skos:altLabel "the Shopper"@en .
kge:reuters skos:altLabel "Reuters wire"@en .
""")
    reg = register.load([path])
    assert reg.lookup("Shopper").label == "The Springfield Shopper"
    assert reg.lookup("Reuters wire").iri == shipped.lookup("Reuters").iri
    assert len(reg) == len(shipped) + 1


def test_a_file_that_does_not_parse_names_file_and_line(tmp_path):
    path = user_file(tmp_path, 'kge:a a kg:NewsOutlet ;\n    rdfs:label "A"@en\nkge:b a kg:NewsOutlet .\n')
    with pytest.raises(register.RegisterError) as err:
        register.load([path])
    message = str(err.value)
    assert message.startswith(f"{path}: line ") and "Turtle" in message and "\n" not in message


def test_a_name_given_to_two_entities_is_refused(tmp_path):
    path = user_file(tmp_path, 'kge:fake-wire a kg:NewsOutlet ; rdfs:label "Fake Wire"@en ; skos:altLabel "Reuters"@en .\n')
    with pytest.raises(register.RegisterError, match=r"the name 'Reuters' is given to two entities: "
                                                     r"kge:reuters and kge:fake-wire"):
        register.load([path])


@pytest.mark.parametrize("body, expected", [
    ('kge:a rdfs:label "A"@en .\nkge:a skos:altLabel "AA"@en .\n', "needs one type"),
    ('kge:a a kg:Spaceship ; rdfs:label "A"@en .\n', "needs one type"),
    ('kge:a a kg:NewsOutlet .\n', "exactly one rdfs:label"),
    ('kge:a a kg:NewsOutlet ; rdfs:label "A"@en ; kg:country kge:atlantis .\n', "kge:atlantis"),
])
def test_malformed_entities_are_refused(tmp_path, body, expected):
    with pytest.raises(register.RegisterError, match=expected):
        register.load([user_file(tmp_path, body)])


def test_missing_file(tmp_path):
    with pytest.raises(register.RegisterError, match="no such file"):
        register.load([tmp_path / "absent.ttl"])
