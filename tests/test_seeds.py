"""Acceptance on the two seed articles: every line of the extraction issue, through the public API."""
from __future__ import annotations

import pytest
from conftest import SEEDS

from kg.documents import read_article
from kg.extract import extract


@pytest.fixture(scope="module")
def seed003():
    article = read_article(SEEDS / "003_4856369f2c6336b1.txt")
    return article, extract(article)


@pytest.fixture(scope="module")
def seed000():
    article = read_article(SEEDS / "000_aa75a3c8c69db266.txt")
    return article, extract(article)


def find(records, source=None, cue=None, content=None):
    """The one record whose source name (or mention), cue and content contain the given words."""
    hits = [r for r in records
            if (source is None or r.source and (source in r.source.name or source in r.source.mention.text))
            and (cue is None or r.cue and cue in r.cue.text)
            and (content is None or content in r.content.text)]
    assert hits, f"no record with source={source!r} cue={cue!r} content={content!r}"
    return hits[0]


def by_id(records, rid):
    return next(r for r in records if r.id == rid)


# --- seed 003 (Newsweek) -------------------------------------------------------------------------

def test_003_publisher_inferred(seed003):
    article, _ = seed003
    assert article.publisher == "Newsweek"


def test_003_kirby_hedged(seed003):
    r = find(seed003[1], "John Kirby", "said", "Kursk area")
    assert r.certainty in ("possible", "probable") and r.kind == "direct"
    assert r.source.type == "Person" and "National Security Council" in r.source.role


def test_003_zelensky_warned(seed003):
    r = find(seed003[1], "Zelensky", "warned", "as early as Sunday")
    assert r.source.name == "Volodymyr Zelensky"


def test_003_zelensky_telegram_and_he_added(seed003):
    wrote = find(seed003[1], "Zelensky", "wrote", "obvious escalatory step")
    assert wrote.channel == "Telegram"
    added = find(seed003[1], cue="added", content="principled and strong response")
    assert added.source.mention.text == "He" and added.source.name == "Volodymyr Zelensky"


def test_003_hranchak_and_she_told_newsweek(seed003):
    find(seed003[1], "Tetiana Hranchak", "said", "another confirmation")
    told = find(seed003[1], cue="told", content="anti-Western axis")
    assert told.source.name == "Tetiana Hranchak" and told.recipient == "Newsweek"


def test_003_bloomberg_citing_south_korean_intelligence(seed003):
    records = seed003[1]
    outer = find(records, "Bloomberg", "reported", "Vladivostok")
    assert "10,000" in outer.content.text and outer.source.type == "NewsOutlet"
    inner = by_id(records, outer.cites)
    assert inner.source.name == "South Korean intelligence" and inner.cue.text == "citing"
    assert inner.source.type == "IntelligenceAgency" and "Vladivostok" in inner.content.text


def test_003_us_has_not_confirmed(seed003):
    r = find(seed003[1], "U.S.", "confirmed", "South Korean reports")
    assert r.polarity == "negative"


def test_003_unnamed_officials_told_wsj(seed003):
    r = find(seed003[1], "unnamed officials", "told", "thousands could be sent")
    assert r.recipient == "The Wall Street Journal" and r.source.type == "AnonymousSource"
    assert r.certainty == "possible"


def test_003_brekelmans_on_x_citing_intelligence(seed003):
    records = seed003[1]
    outer = find(records, "Brekelmans", "wrote", "1,500")
    assert outer.source.name == "Ruben Brekelmans" and outer.channel == "X"
    inner = by_id(records, outer.cites)
    assert inner.source.mention.text == "his country’s intelligence" and inner.cue.text == "believed"
    assert inner.certainty == "probable" and inner.source.type == "IntelligenceAgency"


def test_003_ukraine_defense_intelligence(seed003):
    r = find(seed003[1], "Ukraine’s Defense Intelligence", "reported", "war zone on October 23")
    assert r.source.type == "IntelligenceAgency"


def test_003_brigade_no_forces_detected(seed003):
    find(seed003[1], "Ukrainian air assault brigade", "said", "no North Korean forces had been detected")


def test_003_putin(seed003):
    records = seed003[1]
    quote = find(records, "Putin", content="If there are images, they reflect something.")
    assert quote.kind == "direct"
    not_denied = find(records, "Putin", "denied", "the reports")
    assert not_denied.polarity == "positive"  # "has not denied the reports": no denial


def test_003_north_korea_foreign_ministry(seed003):
    records = seed003[1]
    find(records, "North Korea’s Foreign Ministry", "said", "comply with international law")
    r = find(records, cue="confirm", content="deployment")
    assert r.source.name == "North Korea’s Foreign Ministry" and r.polarity == "negative"


def test_003_us_confirmed_on_october_23(seed003):
    r = find(seed003[1], "The U.S.", "confirmed", "Pyongyang was joining")
    assert r.date["text"] == "on October 23" and r.source.type == "Government"


def test_003_captions_are_not_attributions(seed003):
    assert not [r for r in seed003[1] if "illustrative image" in r.sentence.text or "Getty" in r.content.text]


# --- seed 000 ------------------------------------------------------------------------------------

def test_000_savett_claimed_this_reuters_reported(seed000):
    records = seed000[1]
    reuters = find(records, "Reuters", "reported")
    savett = by_id(records, reuters.cites)
    assert savett.source.name == "Sean Savett" and savett.cue.text == "claimed"
    # "this" points at the sentence before: the US concern about North Korean participation
    assert savett.content_anaphor.text == "this"
    assert savett.content.text.startswith("The United States is concerned")
    assert savett.channel == "statement"


def test_000_white_house_official_is_savett(seed000):
    r = find(seed000[1], cue="added", content="new level of desperation")
    assert r.source.mention.text == "the White House official" and r.source.name == "Sean Savett"


def test_000_according_to_savett_conditional(seed000):
    r = find(seed000[1], "Savett", "According to", "significant strengthening")
    assert r.source.name == "Sean Savett" and r.certainty == "possible"


def test_000_zelenskyy_accused_citing_intelligence(seed000):
    records = seed000[1]
    outer = find(records, "Zelenskyy", "accused", "transferring personnel")
    inner = by_id(records, outer.cites)
    assert inner.cue.text == "citing" and inner.source.mention.text.startswith("intelligence")


def test_000_zelenskyy_quote_and_president_of_ukraine(seed000):
    records = seed000[1]
    quote = find(records, "Zelenskyy", "said", "meeting of the Staff")
    assert quote.kind == "direct" and quote.source.type == "Person"
    r = find(records, cue="said", content="relations with partners")
    assert r.source.mention.text == "The President of Ukraine" and r.source.name == "Volodymyr Zelenskyy"


def test_000_south_korean_defense_ministry_probable(seed000):
    r = find(seed000[1], "South Korean Defense Ministry", "said", "likely to send")
    assert r.certainty == "probable" and r.date["text"] == "on October 8"
    assert r.source.type == "GovernmentBody"


def test_000_both_countries_deny(seed000):
    r = find(seed000[1], "both countries", "claim", "not true")
    assert r.polarity == "negative"


def test_000_nyt_citing_british_researchers(seed000):
    records = seed000[1]
    nyt = find(records, "The New York Times", "reported")
    assert "Hwasong-11" in nyt.content.text and nyt.content_anaphor.text == "this"
    inner = by_id(records, nyt.cites)
    assert inner.source.name == "British researchers" and inner.cue.text == "citing"


def test_000_researchers_discovered(seed000):
    r = find(seed000[1], cue="discovered", content="manufacture this year")
    assert r.source.name == "British researchers"


def test_000_the_times_is_not_the_new_york_times(seed000):
    r = find(seed000[1], "The Times", "reported", "three million artillery shells")
    assert r.source.name == "The Times" and r.source.type == "NewsOutlet"


def test_000_times_source_who_cited_intelligence(seed000):
    records = seed000[1]
    outer = find(records, "the Times’ source", "According to", "dependent on supplies")
    assert outer.source.type == "AnonymousSource"
    inner = by_id(records, outer.cites)
    assert inner.source.name == "intelligence" and inner.cue.text == "cited"


def test_000_nothing_from_bio_or_recent_posts(seed000):
    article, records = seed000
    tail = article.text.index("Ihor Petrenko")
    assert all(r.content.start < tail and (r.source is None or r.source.mention.start < tail) for r in records)
    assert article.author == "Ihor Petrenko"


@pytest.mark.parametrize("seed", ["seed000", "seed003"])
def test_offsets_point_into_the_article(seed, request):
    article, records = request.getfixturevalue(seed)
    for r in records:
        for span in (r.content, r.cue, r.source.mention if r.source else None):
            if span is None:
                continue
            for s, e in span.fragments or ((span.start, span.end),):
                assert article.text[s:e] in span.text
            assert article.text[span.start:span.end] == span.text
