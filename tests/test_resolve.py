"""Entity resolution: one entity per real speaker, outlet, agency and platform."""
from __future__ import annotations

from pathlib import Path

import pytest

from kg import register
from kg.documents import Article, read_article
from kg.extract import extract
from kg.resolve import Resolver, is_proper_name, person_key

SEEDS = sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def reg():
    return register.load()


@pytest.fixture(scope="module")
def seeds():
    return [(a, extract(a)) for a in map(read_article, SEEDS)]


def resolved(reg, articles):
    resolver = Resolver(reg)
    for article, records in articles:
        resolver.resolve(article, records)
    return resolver


def entity_of(resolver, articles, mention):
    iris = {r.source.entity for _, records in articles for r in records
            if r.source and r.source.mention.text == mention}
    assert len(iris) == 1, (mention, iris)
    return resolver.entities[iris.pop()]


# --- the seeds ------------------------------------------------------------------------------------

def test_zelensky_is_one_entity_across_both_articles(reg, seeds):
    resolver = resolved(reg, seeds)
    names = ["Ukrainian President Volodymyr Zelenskyy", "The President of Ukraine", "Zelensky",
             "Ukrainian President Volodymyr Zelensky", "He"]
    assert len({entity_of(resolver, seeds, n).iri for n in names}) == 1


def test_savett_and_kirby_are_two_people_of_the_nsc(reg, seeds):
    resolver = resolved(reg, seeds)
    savett = entity_of(resolver, seeds, "White House National Security Council spokesman Sean Savett")
    kirby = entity_of(resolver, seeds, "John Kirby, a spokesperson for the U.S. National Security Council")
    nsc = reg.lookup("U.S. National Security Council").iri
    assert savett.iri != kirby.iri and savett.type == kirby.type == "Person"
    assert nsc in savett.affiliations and nsc in kirby.affiliations
    assert entity_of(resolver, seeds, "the White House official").iri == savett.iri


def test_roles_give_affiliations_and_countries(reg, seeds):
    resolver = resolved(reg, seeds)
    brekelmans = entity_of(resolver, seeds, "Dutch Defense Minister Ruben Brekelmans")
    assert brekelmans.country == reg.lookup("Netherlands").iri
    assert reg.lookup("Dutch Ministry of Defence").iri in brekelmans.affiliations
    savett = entity_of(resolver, seeds, "White House National Security Council spokesman Sean Savett")
    assert savett.country == reg.lookup("United States").iri  # through the NSC


def test_the_times_and_the_new_york_times_are_two_outlets(reg, seeds):
    resolver = resolved(reg, seeds)
    times, nyt = entity_of(resolver, seeds, "The Times"), entity_of(resolver, seeds, "The New York Times")
    assert times.iri != nyt.iri and times.type == nyt.type == "NewsOutlet"


def test_his_countrys_intelligence_is_dutch(reg, seeds):
    resolver = resolved(reg, seeds)
    agency = entity_of(resolver, seeds, "his country’s intelligence")
    assert agency.type == "IntelligenceAgency" and agency.country == reg.lookup("Netherlands").iri


@pytest.mark.parametrize("mention, typ", [
    ("Bloomberg", "NewsOutlet"), ("Reuters", "NewsOutlet"),
    ("South Korean intelligence", "IntelligenceAgency"), ("Ukraine’s Defense Intelligence", "IntelligenceAgency"),
    ("unnamed officials", "AnonymousSource"), ("The U.S.", "Government"),
])
def test_seed_sources_are_typed(reg, seeds, mention, typ):
    assert entity_of(resolved(reg, seeds), seeds, mention).type == typ


@pytest.mark.parametrize("name, typ", [("Newsweek", "NewsOutlet"), ("The Wall Street Journal", "NewsOutlet"),
                                       ("Telegram", "Platform"), ("X", "Platform")])
def test_publishers_recipients_and_channels_are_in_the_register(reg, name, typ):
    assert reg.lookup(name).type == typ


def test_identifiers_do_not_depend_on_the_order_of_ingestion(reg, seeds):
    forward, backward = resolved(reg, seeds), resolved(reg, list(reversed(seeds)))
    assert set(forward.entities) == set(backward.entities)


def test_merges_can_be_explained(reg, seeds):
    (line,) = resolved(reg, seeds).explain("Zelensky")
    assert "Volodymyr Zelenskyy" in line and "spelling folded" in line


# --- each rule on sentences of our own --------------------------------------------------------------

def run(reg, *texts):
    articles = [(a, extract(a)) for a in (Article(id=f"t{i}", text=t) for i, t in enumerate(texts))]
    return resolved(reg, articles), articles


def test_spelling_variants_fold():
    assert person_key("Zelenskiy") == person_key("Zelenskyy") == person_key("Zelensky") == "zelensky"


def test_anonymous_sources_stay_in_their_article(reg):
    resolver, articles = run(reg, "Unnamed officials said the talks had stalled.",
                             "Unnamed officials said the border would stay closed.")
    iris = [r.source.entity for _, records in articles for r in records]
    assert len(set(iris)) == 2


def test_a_surname_in_another_article_is_the_full_name(reg):
    resolver, articles = run(reg, "Foreign Minister Annalena Baerbock said the talks had stalled.",
                             "Baerbock said the border would stay closed.")
    iris = {r.source.entity for _, records in articles for r in records}
    assert len(iris) == 1 and resolver.entities[iris.pop()].label == "Annalena Baerbock"


def test_a_country_speaking_is_its_government(reg):
    resolver, articles = run(reg, "The United States said the sanctions would remain.")
    (record,) = articles[0][1]
    assert resolver.entities[record.source.entity].label == reg.government_of(reg.lookup("United States").iri).label


def test_unknown_names_take_a_type_from_their_words(reg):
    resolver, articles = run(reg, "The Kharkiv Regional Military Administration said two people were hurt.")
    (record,) = articles[0][1]
    assert resolver.entities[record.source.entity].type == "GovernmentBody"


def test_proper_names_and_descriptions():
    assert is_proper_name("The Wall Street Journal") and not is_proper_name("intelligence about North Korea")
