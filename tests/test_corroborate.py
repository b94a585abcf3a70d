"""Corroboration: claims about the same thing grouped (kg.corroborate), on sentences written here and
on the seeds (ingested once), the groups in SPARQL, `kg claims` and `kg regroup` through the CLI."""
from __future__ import annotations

import json
import random
import re
from dataclasses import replace

import pytest
from conftest import FILLER, SEEDS, kg

import kg as api
from kg import corroborate



def groups_of(texts, polarities=None) -> list[set[str]]:
    return [{texts[i] for i in g} for g in corroborate.group_texts(texts, polarities)]


def together(groups, a: str, b: str) -> bool:
    return any(a in g and b in g for g in groups)


# --- the grouping, on plain texts -----------------------------------------------------------


def test_paraphrases_group():
    texts = FILLER + [
        "at least 1,500 North Korean troops had been deployed to Kursk",
        "1,500 North Korean soldiers were sent to the Kursk region",
        "Donald Trump's campaign raised $90 million in August",
        "the Trump campaign raised 90 million dollars in August",
    ]
    groups = groups_of(texts)
    assert together(groups, texts[-4], texts[-3])
    assert together(groups, texts[-2], texts[-1])
    assert not together(groups, texts[-4], texts[-2])
    assert all(len(g) == 1 for g in groups if g & set(FILLER))


@pytest.mark.parametrize("a, b", [
    ("at least 1,500 North Korean troops had been deployed to Kursk",       # different amounts
     "at least 10,000 North Korean troops had been deployed to Kursk"),
    ("Donald Trump will win Ohio in November by a wide margin",             # different names
     "Hillary Clinton will win Ohio in November by a wide margin"),
    ("the strike on the power plant happened on August 18",                 # different dates
     "the strike on the power plant happened on September 3"),
])
def test_different_numbers_names_and_dates_do_not_group(a, b):
    assert not together(groups_of(FILLER + [a, b]), a, b)


def test_a_denial_does_not_corroborate():
    text = "North Korean troops have been deployed to the front in Kursk"
    positive, negative = "https://w3id.org/kg-attribution/ontology#Positive", \
        "https://w3id.org/kg-attribution/ontology#Negative"
    texts = FILLER + [text, text + " region", text + " now"]
    polarities = [positive] * len(FILLER) + [positive, negative, positive]
    groups = groups_of(texts, polarities)
    assert together(groups, texts[-3], texts[-1]) and not together(groups, texts[-3], texts[-2])


def test_the_same_negated_words_are_one_stance_however_the_polarity_read_them():
    # the parse set one claim negative (its content's root negated) and not the other; a negation in
    # one claim's words only stays a denial of the other
    said = "she didn't sign the river dam permits before the county board's vote in March"
    positive, negative = KG + "Positive", KG + "Negative"
    texts = FILLER + [said, "that Mayor Okafor " + said, "she signed the river dam permits before the county board's vote"]
    groups = groups_of(texts, [positive] * len(FILLER) + [negative, positive, positive])
    assert together(groups, texts[-3], texts[-2]) and not together(groups, texts[-3], texts[-1])


def test_a_claim_naming_the_other_claims_speaker_names_no_one_new():
    # 'Okafor "we are going to ..."' (the speaker's name caught in the content) and Okafor's own words
    # with a place the first does not name: one claim; a third person named instead stays apart
    quote = "“We are going to close a lot of paper mills and put paper workers out of their jobs.”"
    records = [member(1, "person/ada-okafor", "Person", "Ada Okafor", article="b1",
                      text=quote + " while trying to explain her plan for Tillamook"),
               member(2, "a2/several", "Group", "several of them", article="b2", text="Okafor " + quote),
               member(3, "a3/several", "Group", "several of them", article="b3", text="Lindqvist " + quote)]
    groups = [set(g["members"]) for g in corroborate.build_groups(records)]
    claims = [r.claim for r in records]
    assert {claims[0], claims[1]} in groups and {claims[2]} in groups


def test_fragments_stay_alone():
    texts = FILLER + ["to Donald Trump", "too much is made of Donald Trump's tweets", "about Donald Trump"]
    assert all(len(g) == 1 for g in groups_of(texts))


def test_grouping_does_not_depend_on_input_order():
    texts = FILLER + [
        "at least 1,500 North Korean troops had been deployed to Kursk",
        "1,500 North Korean soldiers were sent to the Kursk region",
        "North Korea is supplying Russia with ballistic missiles and ammunition",
        "Russia has received ballistic missiles and ammunition from North Korea",
    ]
    expected = sorted(sorted(g) for g in groups_of(texts))
    for seed in range(3):
        shuffled = texts[:]
        random.Random(seed).shuffle(shuffled)
        assert sorted(sorted(g) for g in groups_of(shuffled)) == expected


def test_group_iri_depends_on_the_members_only():
    a, b = "https://w3id.org/kg-attribution/article/x#a1-claim", "https://w3id.org/kg-attribution/article/y#a2-claim"
    assert corroborate.group_iri([a, b]) == corroborate.group_iri([b, a]) != corroborate.group_iri([a])
    assert corroborate.group_iri([a]).startswith(corroborate.GROUP)


# --- independent sources, as an analyst counts them -------------------------------------------

KG = "https://w3id.org/kg-attribution/ontology#"
KGE = "https://w3id.org/kg-attribution/entity/"
NEWSWEEK, REUTERS = KGE + "newsweek", KGE + "reuters"


def member(n: int, source: str | None, typ: str | None, label: str | None = None, *, article: str = "a1",
           publisher: str | None = NEWSWEEK, text: str = "at least 1,500 North Korean troops had been deployed "
                                                         "to Kursk") -> corroborate.ClaimRecord:
    art = f"https://w3id.org/kg-attribution/article/{article}"
    return corroborate.ClaimRecord(f"{art}#a{n}-claim", text, source=source and KGE + source,
                                   source_type=typ and KG + typ, article=art, publisher=publisher,
                                   source_label=label or source)


@pytest.mark.parametrize("record, key, why", [
    (member(1, "person/john-kirby", "Person", "John Kirby"), KGE + "person/john-kirby", None),
    (member(1, None, None), None, corroborate.NO_SOURCE),                        # "is known to": nobody
    (member(1, "a1/the-spot", "Organization", "The spot"), None, corroborate.NOT_NAMED_OR_TYPED),
    (member(1, "organization/wells-fargo", "Organization", "Wells Fargo"), KGE + "organization/wells-fargo", None),
    (member(1, "a1/the-president", "Person", "the president"), KGE + "a1/the-president", None),  # typed
    (member(1, "a1/officials", "AnonymousSource", "officials"), "unnamed:" + NEWSWEEK, None),
    (member(1, "a1/experts", "Group", "experts", publisher=None), "unnamed:https://w3id.org/kg-attribution/article/a1",
     None),
])
def test_a_member_counts_only_with_a_named_or_typed_source(record, key, why):
    assert corroborate.counting(record) == (key, why)
    assert corroborate.independent_key(record) == key


def test_a_group_counts_only_its_named_or_typed_sources():
    fillers = [corroborate.ClaimRecord(f"https://w3id.org/kg-attribution/article/f#a{i}-claim", t,
                                       source=KGE + f"person/p{i}", source_type=KG + "Person", source_label=f"P {i}")
               for i, t in enumerate(FILLER)]
    kursk = [member(1, "person/john-kirby", "Person", "John Kirby"),
             member(2, "person/john-kirby", "Person", "John Kirby", article="a2", publisher=REUTERS),  # again: once
             member(3, None, None, article="a3"),                                                 # no source
             member(4, "a4/the-spot", "Organization", "The spot", article="a4"),                  # nobody known
             member(5, "a5/officials", "AnonymousSource", "officials", article="a5"),             # Newsweek's unnamed
             member(6, "a6/officials", "AnonymousSource", "officials", article="a6"),             # ... once
             member(7, "a7/officials", "AnonymousSource", "officials", article="a7", publisher=REUTERS)]
    groups = corroborate.build_groups(fillers + kursk)
    (group,) = [g for g in groups if kursk[0].claim in g["members"]]
    assert sorted(group["members"]) == sorted(m.claim for m in kursk)
    assert group["sources"] == 3                   # Kirby, Newsweek's unnamed officials, Reuters'
    lone = [g for g in corroborate.build_groups(fillers + kursk[2:4]) if kursk[2].claim in g["members"]]
    assert lone[0]["sources"] == 0                 # "(no source)" and "The spot": no independent source


def spoken(n: int, source: str | None, start: int, end: int, *, article: str = "a1",
           typ: str = "Person") -> corroborate.ClaimRecord:
    return replace(member(n, source and f"person/{source.lower()}", source and typ, source, article=article),
                   start=start, end=end)


def test_one_statement_told_through_nested_speakers_counts_once():
    # "Merrill said that Clinton called Machado to express gratitude": Clinton's words inside Merrill's
    merrill, clinton = spoken(1, "Merrill", 100, 250), spoken(2, "Clinton", 160, 250)
    assert corroborate.statements([merrill, clinton]) == [[0, 1]]
    assert corroborate.count_members([merrill, clinton]) == [(KGE + "person/clinton", None, 1),
                                                            (KGE + "person/clinton", None, None)]
    assert corroborate.independent_sources([merrill, clinton]) == 1
    # Merrill saying it again elsewhere in the article, or in another one, is a statement of his own
    again, elsewhere = spoken(3, "Merrill", 400, 480), spoken(4, "Merrill", 100, 250, article="a2")
    assert corroborate.statements([merrill, clinton, again, elsewhere]) == [[0, 1], [2], [3]]
    assert corroborate.independent_sources([merrill, clinton, again, elsewhere]) == 2


@pytest.mark.parametrize("members, keys", [
    # the narrowest member that counts stands for the statement; one that does not, counts with it
    ([spoken(1, "Trump", 0, 300), spoken(2, None, 50, 120)], [KGE + "person/trump"] * 2),
    ([spoken(1, None, 0, 300), spoken(2, "Kaine", 50, 120)], [KGE + "person/kaine"] * 2),
    # words that overlap without nesting are one statement too; words that only touch are two
    ([spoken(1, "Clarke", 10, 200), spoken(2, "Moore", 150, 260)], [KGE + "person/moore"] * 2),
    ([spoken(1, "Clarke", 10, 150), spoken(2, "Moore", 150, 260)], [KGE + "person/clarke", KGE + "person/moore"]),
    # nobody that counts: no source, each for its own reason
    ([spoken(1, None, 0, 300), spoken(2, "The spot", 50, 120, typ="Organization")], [None, None]),
])
def test_a_statement_counts_as_its_innermost_source_that_counts(members, keys):
    assert [key for key, _, _ in corroborate.count_members(members)] == keys
    if keys == [None, None]:
        assert [why for _, why, _ in corroborate.count_members(members)] == [corroborate.NO_SOURCE,
                                                                            corroborate.NOT_NAMED_OR_TYPED]


# --- the seeds ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(seeded_local):
    return seeded_local


# A hand-made article (no NLP): Merrill's claim holds Clinton's; "The spot" says it too; fillers.
NESTED = ("Nick Merrill said that Hillary Clinton called Alicia Machado on Friday to express gratitude to the "
          "former Miss Universe. The spot said that Clinton called Machado to express gratitude to the former Miss "
          "Universe. " + " ".join(f"Officials said that {t}." for t in FILLER))


def nested_records() -> list:
    from kg.extract.records import Attribution, Source, Span

    def span(text, after=0):
        start = NESTED.index(text, after)
        return Span(start, start + len(text), text)

    def said(n, source, typ, content, sentence):
        at = NESTED.index(sentence)
        return Attribution(f"nested#a{n}", Source(span(source, at), source, typ), span("said", at),
                           span(content, at), "indirect", sentence=span(sentence))
    first, second = NESTED.split(". ")[:2]
    out = [said(1, "Nick Merrill", "Person", first[len("Nick Merrill said "):], first),
           said(2, "Hillary Clinton", "Person", "to express gratitude to the former Miss Universe", first),
           said(3, "The spot", "Organization", second[len("The spot said "):], second)]
    out[1].cue = span("called", NESTED.index(first))
    for n, t in enumerate(FILLER, 4):
        out.append(said(n, "Officials", "AnonymousSource", t, f"Officials said that {t}"))
    return out


@pytest.fixture(scope="module")
def nested(tmp_path_factory) -> str:
    from conftest import store_records
    from kg.documents import Article

    location = str(tmp_path_factory.mktemp("nested") / "store")
    store_records(location, Article(id="nested", text=NESTED, publisher="Newsweek"), nested_records(), regroup=True)
    return location


def test_kg_claims_says_how_each_claim_counts(nested):
    rows = json.loads(kg("claims", "--about", "gratitude", "--format", "json", "--store", nested).stdout)
    by_source = {r["sourceLabel"]: r for r in rows}
    assert set(by_source) == {"Nick Merrill", "Hillary Clinton", "The spot"}
    assert {r["independentSources"] for r in rows} == {1}                     # Clinton's statement, once
    merrill, clinton, spot = (by_source[n] for n in ("Nick Merrill", "Hillary Clinton", "The spot"))
    assert (merrill["countsAsLabel"], merrill["statementWith"]) == ("Hillary Clinton", "Hillary Clinton")
    assert (clinton["countsAsLabel"], clinton["statementWith"], clinton["notCounted"]) == ("Hillary Clinton", None,
                                                                                           None)
    assert spot["countsAs"] is None and spot["notCounted"] == corroborate.NOT_NAMED_OR_TYPED
    table = kg("claims", "--about", "gratitude", "--store", nested).stdout
    assert "1 independent source · 3 claims in 1 article (Newsweek)" in table
    assert "+ Hillary Clinton (Person): 2 claims in 1 article (Newsweek)" in table
    assert f"- not counted, {corroborate.NOT_NAMED_OR_TYPED}: 1 claim" in table
    assert "counted as Hillary Clinton: one statement with Hillary Clinton's in this article" in table
    assert f"not counted: {corroborate.NOT_NAMED_OR_TYPED}" in table


def test_ingest_through_the_api_groups_every_claim(tmp_path):
    with api.Graph(str(tmp_path / "store"), create=True) as graph:
        summary = graph.ingest([str(SEEDS)])
    assert summary.groups is not None and summary.groups.claims == summary.attributions


def group_with(rows: list[dict], text: str) -> list[dict]:
    (group,) = {r["group"] for r in rows if text in r["text"]}
    return [r for r in rows if r["group"] == group]


def kursk_group(location) -> list[dict]:
    with api.Graph(location, read_only=True) as graph:
        return group_with(graph.claims(), "1,500 North Korean troops had been deployed to Kursk")


def test_the_kursk_deployment_claims_are_one_group_of_independent_sources(seeded):
    kursk = kursk_group(seeded)
    labels = {r["sourceLabel"] for r in kursk}
    assert {"John Kirby", "Military Intelligence and Security Service"} <= labels
    assert any(r["viaLabel"] == "Ruben Brekelmans" for r in kursk)    # the relay is shown, not counted
    assert kursk[0]["independentSources"] == len(labels) >= 2
    # and nothing about other things: the 10,000 in Vladivostok, troops sent to Russia, missiles, shells
    assert not any(w in r["text"] for r in kursk
                   for w in ("10,000", "transferring", "Hwasong", "artillery", "Hamas"))


def test_the_kursk_group_reaches_three_independent_sources(seeded):
    kursk = kursk_group(seeded)
    labels = {r["sourceLabel"] for r in kursk}
    # Zelensky's "deployed to unspecified combat zones": the same deployment, its place told coarser
    assert {"John Kirby", "Military Intelligence and Security Service"} <= labels
    assert any(label.startswith("Volodymyr Zelensk") for label in labels)
    assert kursk[0]["independentSources"] == len(labels) >= 3
    # never the denial, the 10,000 in Vladivostok, troops transferred to Russia or the missiles
    assert not any(w in r["text"] for r in kursk for w in ("detected", "Vladivostok", "transferring", "Hwasong"))


def test_a_place_and_the_front_are_one_place_told_at_two_granularities():
    analyzer = corroborate.Analyzer().fit(FILLER)
    kursk, front, vladivostok, russia = (analyzer.features(t) for t in (
        "North Korean troops could be deployed to the Kursk area",
        "North Korean troops could be deployed to unspecified combat zones",
        "North Korean troops could be deployed to Vladivostok",
        "North Korea is transferring personnel to Russia"))
    assert kursk.places == {"kursk"} and not front.places
    assert corroborate.cluster.compatible(kursk, front)                  # a place / the front: granularity
    assert not corroborate.cluster.compatible(kursk, vladivostok)        # a place / another place
    assert not corroborate.cluster.compatible(kursk, russia)             # a place / a country named instead
    # and the place slot counts in the similarity: the named place matches the generic term
    texts = FILLER + ["North Korean troops could be deployed to the Kursk area",
                      "North Korean troops could be deployed to unspecified combat zones",
                      "the senator would not seek re-election in Kursk next year"]
    assert together(groups_of(texts), texts[-3], texts[-2])


def test_a_trailing_framing_clause_is_not_part_of_the_claim():
    analyzer = corroborate.Analyzer().fit(FILLER)
    framed = analyzer.features("North Korean troops may have been deployed to a key front, as speculation grows "
                               "over how the international community may respond")
    speculation = corroborate.terms.stem("speculation")
    assert speculation not in framed.terms and "front" in framed.terms
    short = analyzer.features("troops deployed, as speculation grows over the response")
    assert speculation in short.terms                              # the rest alone would be a fragment


def test_every_claim_is_in_exactly_one_group_and_relays_count_once(seeded):
    with api.Graph(seeded, read_only=True) as graph:
        rows = graph.claims()
        claims = graph.query("SELECT ?c WHERE { ?c a kg:Claim }")
    assert sorted(r["claim"] for r in rows) == sorted(c["c"] for c in claims)
    vladivostok = group_with(rows, "Vladivostok")
    assert len(vladivostok) == 2 and vladivostok[0]["independentSources"] == 1  # Bloomberg relaying NIS


def test_a_claim_without_a_source_never_counts_on_the_seeds(seeded):
    with api.Graph(seeded, read_only=True) as graph:
        rows = graph.claims()
    nobody = [r for r in rows if r["sourceLabel"] is None]
    assert nobody and all(r["countsAs"] is None and r["notCounted"] == corroborate.NO_SOURCE for r in nobody)
    known = group_with(rows, "supplying Russia with ballistic missiles")     # "is known to": the article's own
    assert [r["independentSources"] for r in known] == [0]
    counted = [r for r in rows if r["countsAs"]]
    assert all(r["notCounted"] is None and r["countsAsLabel"] for r in counted)
    # British researchers in seed 000, which names no publisher: the article's unnamed sources
    researchers = {r["countsAsLabel"] for r in rows if r["sourceLabel"] == "British researchers"}
    assert researchers == {"unnamed sources of article 000_aa75a3c8c69db266"}
    for group in {r["group"] for r in rows}:  # the stored count is what the members say they count as
        members = [r for r in rows if r["group"] == group]
        assert members[0]["independentSources"] == len({r["countsAs"] for r in members} - {None})


def test_group_sources_gives_each_source_with_its_claims_articles_and_publishers(seeded):
    with api.Graph(seeded, read_only=True) as graph:
        rows = graph.claims()
    summaries = corroborate.group_sources(rows)
    kursk = summaries[group_with(rows, "1,500 North Korean troops had been deployed to Kursk")[0]["group"]]
    by_label = {s["label"]: s for s in kursk["sources"]}
    mivd = by_label["Military Intelligence and Security Service"]
    # itself and via Brekelmans, in one article: two claims, one source
    assert (mivd["claims"], mivd["articles"], mivd["publishers"]) == (2, ["003_4856369f2c6336b1"], ["Newsweek"])
    assert kursk["sources"][0] is mivd and kursk["publishers"] == ["Newsweek"] and kursk["notCounted"] == {}
    relayed = [r for r in group_with(rows, "deployed to Kursk") if r["viaLabel"] == "Ruben Brekelmans"]
    assert [(r["countsAsLabel"], r["statementWith"]) for r in relayed] == [(mivd["label"], None)]  # its own source
    assert len(kursk["sources"]) == group_with(rows, "deployed to Kursk")[0]["independentSources"]
    known = summaries[group_with(rows, "supplying Russia with ballistic missiles")[0]["group"]]
    assert known["sources"] == [] and known["notCounted"] == {corroborate.NO_SOURCE: 1}


def test_groups_are_queryable_in_sparql(seeded):
    out = kg("query", "--format", "json", "--store", seeded, """
        SELECT ?group ?n (COUNT(?claim) AS ?members) WHERE {
          ?claim kg:inGroup ?group . ?group a kg:ClaimGroup ; kg:independentSources ?n }
        GROUP BY ?group ?n ORDER BY DESC(?n)""").stdout
    bindings = json.loads(out)["results"]["bindings"]
    assert int(bindings[0]["n"]["value"]) >= 2 and int(bindings[0]["members"]["value"]) >= 3
    assert all(b["group"]["value"].startswith(corroborate.GROUP) for b in bindings)


def test_regroup_is_deterministic_and_validates(seeded):
    before = kg("claims", "--format", "json", "--store", seeded).stdout
    assert "39 claims" in kg("regroup", "--store", seeded).stderr  # the seeds' claims as the model keeps them
    assert kg("claims", "--format", "json", "--store", seeded).stdout == before  # same groups, same IRIs
    assert "0 violations" in kg("validate", "--store", seeded).stderr


def test_claims_single_source_through_the_cli(seeded):
    single = json.loads(kg("claims", "--single-source", "--format", "json", "--store", seeded).stdout)
    assert single and all(r["independentSources"] == 1 for r in single)   # not the groups with none
    assert any("Vladivostok" in r["text"] for r in single)
    assert not any("Kursk" in r["text"] for r in single)
    several = json.loads(kg("claims", "--min-sources", "2", "--format", "json", "--store", seeded).stdout)
    assert {r["claim"] for r in several}.isdisjoint(r["claim"] for r in single)
    table = kg("claims", "--about", "kursk", "--store", seeded)
    assert "independent sources" in table.stdout and "John Kirby" in table.stdout
    assert "+ Military Intelligence and Security Service (IntelligenceAgency): 2 claims in 1 article (Newsweek)" \
        in table.stdout
    known = kg("claims", "--about", "supplying Russia with ballistic", "--store", seeded).stdout
    assert "0 independent sources" in known and "not counted: no source" in known
    csv_out = kg("claims", "--single-source", "--format", "csv", "--store", seeded).stdout
    assert csv_out.splitlines()[0].startswith("group,groupLabel,independentSources")
    assert "countsAsLabel,statementWith,notCounted" in csv_out.splitlines()[0]


def test_hostile_about_is_bound_not_pasted(seeded):
    assert json.loads(kg("claims", "--about", 'x") } } DROP ALL #', "--format", "json",
                         "--store", seeded).stdout) == []
    assert json.loads(kg("claims", "--format", "json", "--store", seeded).stdout)


@pytest.mark.parametrize("args, message", [
    (["claims", "--min-sources", "0"], "--min-sources"),
    (["claims", "--single-source", "--min-sources", "3"], "exclude each other"),
    (["claims", "--format", "xml"], "--format"),
])
def test_bad_input_is_one_line(seeded, args, message):
    result = kg(*args, "--store", seeded, ok=False)
    assert result.exit_code in (1, 2) and message in result.stderr and "Traceback" not in result.output
    if "exclude" in message:
        assert result.exit_code == 1 and result.stderr.count("\n") == 1


def test_a_missing_store_is_one_line(tmp_path):
    result = kg("claims", "--store", tmp_path / "none", ok=False)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_an_unchanged_ingest_does_not_regroup(seeded):
    with api.Graph(seeded) as graph:
        summary = graph.ingest([str(SEEDS)])
    assert summary.articles == 0 and summary.groups is None and "claims in" not in summary.line()


def test_ingest_no_regroup_leaves_the_groups_to_kg_regroup(tmp_path):
    store = tmp_path / "store"
    result = kg("ingest", str(SEEDS / "000_aa75a3c8c69db266.txt"), "--no-regroup", "--store", store)
    assert "1 articles" in result.stderr and "claims in" not in result.stderr
    assert json.loads(kg("claims", "--format", "json", "--store", store).stdout) == []
    assert re.match(r"[1-9]\d* claims, ", kg("regroup", "--store", store).stderr)
    assert json.loads(kg("claims", "--format", "json", "--store", store).stdout)
