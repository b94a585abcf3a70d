"""Boundary variants (kg/extract/boundaries.py): the alternative contents each verb candidate
offers the model, on sentences written here, and the rule that a wider one never takes another
kept cue's words."""
from __future__ import annotations

import pytest

from kg.extract import boundaries, clauses, extract, model, nlp
from kg.extract.quotes import find_quotes
from kg.extract.spans import to_span, use_text


def variants_of(text: str, cue: str) -> dict[str, str]:
    """{variant: content text} of the verb candidate whose cue word is `cue`."""
    doc = nlp.load()(text)
    use_text(doc, text)
    quotes = find_quotes(text)
    found = [f for sent in doc.sents for f in clauses.verb_cues(sent, quotes, gate=clauses.is_verb_candidate)]
    out = {}
    for f in boundaries.with_variants(found, quotes):
        if f.anchor.text == cue:
            span = to_span(doc, f.content - {t.i for t in f.cue} - f.source_ids)
            out[f.variant] = " … ".join(text[s:e] for s, e in span.parts) if span else ""
    return out


def test_rights_keeps_what_the_verb_governs_beyond_its_object():
    v = variants_of("Reid blamed Romney for not releasing his full tax returns.", "blamed")
    assert v["rule"] == "Romney"
    assert "Romney for not releasing his full tax returns" in v.values()


def test_rest_runs_to_the_end_of_the_sentence():
    v = variants_of("The group also views Obama, Hillary Clinton, and Paul Ryan more favorably than Trump.", "views")
    assert v["rest"] == "Obama, Hillary Clinton, and Paul Ryan more favorably than Trump"


def test_to_quote_ends_the_content_with_its_last_quotation():
    v = variants_of("The senator blasted the mayor as a “disgrace” on Wednesday on a radio show.", "blasted")
    assert v["to_quote"] == "the mayor as a “disgrace”"


def test_quote_phrase_is_the_governed_phrase_that_holds_the_quotation():
    v = variants_of("The opposition accused the finance minister, John Smith, of “reckless spending” on Friday.",
                    "accused")
    assert v["quote_phrase"] == "of “reckless spending”"


def test_clause_stops_before_a_comma_that_opens_a_participle():
    v = variants_of("The report shows that the river had burst its banks, contradicting the mayor's account.",
                    "shows")
    assert v["clause"] == "that the river had burst its banks"


def test_core_leaves_out_adjuncts_of_time():
    v = variants_of("The senator blamed the mayor for the flooding during a visit to the city.", "blamed")
    assert v["core"] == "the mayor for the flooding"


def test_no_quotation_no_quote_variants():
    v = variants_of("The senator blasted the mayor as a disgrace on Wednesday on a radio show.", "blasted")
    assert "to_quote" not in v and "quote_phrase" not in v


def test_rest_starts_after_a_source_that_follows_the_cue():
    v = variants_of("“It will pass,” said Senator Jane Doe of Ohio on Tuesday.", "said")
    assert "Jane" not in v.get("rest", "") and "Doe" not in v.get("rest", "")


def test_a_variant_equal_to_the_rules_content_is_not_offered_twice():
    v = variants_of("The minister said that the bridge would reopen.", "said")
    assert list(v.values()).count("that the bridge would reopen") == 1


def use_model(tmp_path, monkeypatch, weights: str) -> None:
    """A hand-made model that always prefers the widest variant, keeping the cues `weights` say."""
    path = tmp_path / "wide.json"
    path.write_text('{"format": "%s", "threshold": 0.5, "weights": %s, '
                    '"boundary": {"variant=rest": 5.0, "variant=rights": 2.0}}' % (model.FORMAT, weights),
                    encoding="utf-8")
    monkeypatch.setenv("KG_CUE_MODEL", str(path))
    model.load.cache_clear()


@pytest.fixture(autouse=True)
def shipped_model_after():
    yield
    model.load.cache_clear()


def test_the_chosen_variant_is_the_models_best(tmp_path, monkeypatch):
    use_model(tmp_path, monkeypatch, '{"bias": -10.0, "lemma=blame": 20.0}')
    records = extract("Reid blamed Romney for not releasing his full tax returns.")
    assert [r.content.text for r in records] == ["Romney for not releasing his full tax returns"]


def test_a_wider_variant_never_takes_another_kept_cues_words(tmp_path, monkeypatch):
    # "blamed" would take "releasing"'s words whole: with both kept, it keeps its own object
    use_model(tmp_path, monkeypatch, '{"bias": 10.0}')
    records = extract("Reid blamed Romney for not releasing his full tax returns.")
    assert {r.cue.text: r.content.text for r in records}["blamed"] == "Romney"


def test_a_wider_variant_leaves_out_a_participle_that_quotes_another():
    v = variants_of("The mayor denied the reports that the bridge had failed, saying, “It is perfectly safe.”",
                    "denied")
    assert all("saying" not in content and "safe" not in content for content in v.values()), v
