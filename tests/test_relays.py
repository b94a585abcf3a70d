"""Recipients that relay: "officials told Reuters" reached the page via Reuters, "told Newsweek" in
Newsweek's own article did not. Hand-made records (no NLP: what the extractor finds is not under
test here) resolved and written as kg ingest writes them, then asked through the CLI, on an embedded
store and on a real `oxigraph serve`; and the seeds."""
from __future__ import annotations

import json

import pytest
from conftest import kg, store_records

from kg import query, rdf
from kg.documents import Article
from kg.extract.records import Attribution, Source, Span
from kg.store import open_store

TEXT = ("Officials told Reuters that the bridge would reopen on Monday. "
        "The mayor told Newsweek that the bridge was safe. "
        "The minister told The Wall Street Journal, citing intelligence officials, that the troops had left. "
        "Bloomberg reported, citing officials who spoke to Bloomberg, that the talks had failed. "
        "Paul Smith told reporters that the strike would go on.")
SENTENCES = [s.rstrip(".") + "." for s in TEXT.split(". ")]
DOC = "relays-1"
ARTICLE = rdf.article_iri(DOC)


def span(text: str, after: str = "") -> Span:
    start = TEXT.index(text, TEXT.index(after) if after else 0)
    return Span(start, start + len(text), text)


def record(n: int, source: str, typ: str, cue: str, content: str, *, recipient: str | None = None,
           cites: int | None = None) -> Attribution:
    sentence = next(s for s in SENTENCES if content in s)
    return Attribution(f"{DOC}#a{n}", Source(span(source, sentence), source, typ), span(cue, sentence),
                       span(content), "indirect", cites=f"{DOC}#a{cites}" if cites else None,
                       recipient=recipient, sentence=span(sentence))


def records() -> list[Attribution]:
    return [
        record(1, "Officials", "AnonymousSource", "told", "the bridge would reopen on Monday", recipient="Reuters"),
        record(2, "The mayor", "Person", "told", "the bridge was safe", recipient="Newsweek"),
        record(3, "The minister", "Person", "told", "the troops had left", recipient="The Wall Street Journal",
               cites=4),
        record(4, "intelligence officials", "IntelligenceAgency", "citing", "the troops had left"),
        record(5, "Bloomberg", "NewsOutlet", "reported", "the talks had failed", cites=6),
        record(6, "officials", "AnonymousSource", "citing", "the talks had failed", recipient="Bloomberg"),
        record(7, "Paul Smith", "Person", "told", "the strike would go on", recipient="reporters"),
    ]


@pytest.fixture
def told(store_location) -> str:
    store_records(store_location, Article(id=DOC, text=TEXT, publisher="Newsweek", published="2024-10-08"), records())
    return store_location


def rows(location, *args) -> list[dict]:
    return json.loads(kg(*args, "--format", "json", "--store", location).stdout)


def by_content(found: list[dict]) -> dict[str, dict]:
    return {r["content"]: r for r in found}


def test_the_flat_view_carries_the_recipient_and_its_relays(told):
    flat = by_content(rows(told, "attributions"))
    reopen, safe, left, failed, strike = (flat[c] for c in (
        "the bridge would reopen on Monday", "the bridge was safe", "the troops had left", "the talks had failed",
        "the strike would go on"))
    assert reopen["via"] == ["Reuters"] and reopen["recipientLabel"] == "Reuters"
    assert reopen["recipient"] == "https://w3id.org/kg-attribution/entity/reuters"
    # the publisher told is no relay; its label and IRI are still carried
    assert safe["via"] == [] and safe["recipientLabel"] == "Newsweek" and safe["recipient"].endswith("/newsweek")
    # from the source outward: the minister relays intelligence, and told the Journal
    assert left["via"] == ["The minister", "The Wall Street Journal"]
    # officials told Bloomberg, which reported it: one hop; the recipient is the original's, not this one's
    assert failed["via"] == ["Bloomberg News"] and failed["recipient"] is None
    # "told reporters": nobody in particular, so no agent and no relay, but the words
    assert strike["via"] == [] and strike["recipientLabel"] == "reporters" and strike["recipient"] is None


@pytest.mark.parametrize("name, contents", [
    ("Reuters", {"the bridge would reopen on Monday"}),
    ("Wall Street Journal", {"the troops had left"}),
    ("Bloomberg", {"the talks had failed"}),   # as the relay that reported it (and as the outlet told)
    ("Newsweek", set()),                        # the publisher told: no relay
    ("reporters", set()),                       # no agent
])
def test_via_matches_an_outlet_that_was_told(told, name, contents):
    assert {r["content"] for r in rows(told, "attributions", "--via", name)} == contents


@pytest.mark.parametrize("ask", [lambda store: query.attributions(store, via="Reuters"),
                                 lambda store: query.attributions(store),
                                 lambda store: query.who_said(store, "Bloomberg")])
def test_without_lateral_the_same_rows(told, ask):
    """With LATERAL (Oxigraph) the questions look matches up one by one; the standard SPARQL 1.1
    form that other engines get must give the same answer."""
    store = open_store(told, read_only=True)
    try:
        assert store.lateral
        looked_up = ask(store)
        store.lateral = False
        assert ask(store) == looked_up and looked_up
    finally:
        store.close()


def test_the_table_shows_relays_and_recipients(told):
    out = kg("attributions", "--store", told).stdout
    assert "Officials (AnonymousSource) via Reuters · in Newsweek" in out
    assert "via The minister → The Wall Street Journal" in out
    assert "to reporters" in out and "to Newsweek" in out


def test_who_said_finds_an_outlet_that_was_told(told):
    found = rows(told, "who-said", "Reuters")
    assert [(r["role"], r["sourceLabel"], r["recipientLabel"], r["content"]) for r in found] == [
        ("recipient", "Officials", "Reuters", "the bridge would reopen on Monday")]
    assert rows(told, "who-said", "Newsweek") == []            # told, but the publisher: no relay
    bloomberg = {(r["role"], r["content"]) for r in rows(told, "who-said", "Bloomberg")}
    assert bloomberg == {("relay", "the talks had failed"), ("recipient", "the talks had failed")}
    assert {r["role"] for r in rows(told, "who-said", "Paul Smith")} == {"source"}


# --- the seeds ------------------------------------------------------------------------------


def test_the_seeds_officials_told_the_wall_street_journal(seeded):
    (row,) = rows(seeded, "attributions", "--via", "Wall Street Journal")
    assert row["sourceType"] == "AnonymousSource" and "thousands could be sent" in row["content"]
    assert row["via"] == ["The Wall Street Journal"] and row["recipientLabel"] == "The Wall Street Journal"
    assert row["publisherLabel"] == "Newsweek"
    (said,) = rows(seeded, "who-said", "Wall Street Journal")
    assert (said["role"], said["recipientLabel"], said["attribution"]) == \
        ("recipient", "The Wall Street Journal", row["attribution"])


def test_the_seeds_told_newsweek_in_newsweek_is_no_relay(seeded):
    assert rows(seeded, "attributions", "--via", "Newsweek") == []
    told = [r for r in rows(seeded, "attributions", "--source", "Hranchak") if r["recipientLabel"] == "Newsweek"]
    assert told and all(r["via"] == [] for r in told)
