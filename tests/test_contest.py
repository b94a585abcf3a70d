"""Contested groups (kg.corroborate.contest): denials and non-confirmations against what other claims
say, on claims written here (no parser), on articles written here and on the seeds through the CLI,
in SPARQL, `kg claims --contested`, `kg analyze` and the render (escaped)."""
from __future__ import annotations

import json

import pytest
from conftest import FILLER, kg

import kg as api
from kg import corroborate, network, render
from kg.corroborate.contest import points_back

KG = "https://w3id.org/kg-attribution/ontology#"
KGE = "https://w3id.org/kg-attribution/entity/"
POS, NEG = KG + "Positive", KG + "Negative"


def claim(article: str, n: int, text: str, *, polarity=POS, source="person/someone", cue="said", start=0,
          sentence=(0, 200), certainty=KG + "Certain", cited: bool = False) -> corroborate.ClaimRecord:
    art = f"https://w3id.org/kg-attribution/article/{article}"
    attribution = f"{art}#a{n}"
    return corroborate.ClaimRecord(f"{attribution}-claim", text, attribution=attribution, top=attribution,
                                   source=source and KGE + source, source_type=KG + "Person", article=art,
                                   polarity=polarity, source_label=source, start=start, end=start + len(text),
                                   certainty=certainty, evidence_start=sentence[0], evidence_end=sentence[1],
                                   original=f"{art}#a{n + 100}" if cited else attribution, cue=cue)


def fillers() -> list:
    return [claim(f"f{i}", 1, t) for i, t in enumerate(FILLER)]


def disputes_of(records) -> set[tuple[str, str]]:
    """(disputing text, disputed text) of every dispute the contested groups hold."""
    text = {r.claim: r.text for r in records}
    return {(text[a], text[b]) for c in corroborate.build(records)[1] for a, b in c["disputes"]}


@pytest.mark.parametrize("text, yes", [
    ("that this is not true", True), ("the reports were false", True), ("it was fake news", True),
    ("that this is baseless", True), ("that the troops were not in Kursk", False),
    ("that is true of the new budget", False), ("not true", False),
])
def test_a_claim_points_back_only_with_a_pointer_and_words_of_truth(text, yes):
    assert points_back(text, corroborate.Analyzer().features(text)) is yes


def test_a_non_confirmation_of_reports_disputes_what_was_reported():
    said = claim("a", 1, "12 grain ships had left the port of Odesa on Friday under a new corridor agreement")
    not_confirmed = claim("b", 1, "Ukrainian reports that 12 grain ships had left the port of Odesa", polarity=NEG,
                          cue="confirmed", source="european-union")
    records = fillers() + [said, not_confirmed]
    groups, contested = corroborate.build(records)
    (c,) = contested
    group = {m: g["iri"] for g in groups for m in g["members"]}
    assert c["affirmed"] == [group[said.claim]] and c["disputed"] == [group[not_confirmed.claim]]
    assert c["disputes"] == [[not_confirmed.claim, said.claim]]
    assert c["label"].startswith("12 grain ships") and c["iri"].startswith(corroborate.contest.CONTESTED)


def test_this_is_not_true_disputes_its_antecedent_and_what_says_the_same():
    # "North Korea is known to be supplying Russia with shells, although both countries claim that this is not true."
    known = claim("a", 1, "to be supplying Russia with artillery shells and rockets", source=None, cue="known",
                  start=20, sentence=(0, 150))
    denial = claim("a", 2, "that this is not true", polarity=NEG, source="a/both-countries", cue="claim",
                   start=120, sentence=(0, 150))
    elsewhere = claim("b", 1, "North Korea has been supplying Russia with artillery shells and rockets for months")
    far = claim("c", 1, "that this is not true", polarity=NEG, cue="said", start=400, sentence=(390, 430))
    before_far = claim("c", 2, "the harvest near Kherson was the worst in a decade", start=10, sentence=(0, 80))
    found = disputes_of(fillers() + [known, denial, elsewhere, far, before_far])
    assert found == {(denial.text, known.text), (denial.text, elsewhere.text)}   # "far" points at nothing near


def test_the_sentence_before_resolved_by_the_extractor_is_what_is_denied():
    # "Officials said the dam had burst on Sunday near Kherson. Moscow denied this." (coref: content = sentence before)
    said = claim("a", 1, "the dam had burst on Sunday near Kherson", start=15, sentence=(0, 60))
    denied = claim("a", 2, "Officials said the dam had burst on Sunday near Kherson.", polarity=NEG, cue="denied",
                   source="russia-government", start=0, sentence=(61, 81))
    assert disputes_of(fillers() + [said, denied]) == {(denied.text, said.text)}


@pytest.mark.parametrize("negative, positive", [
    # a negated content or a negated saying is a claim of its own, not a denial of another
    (("that Trump will not win Ohio in November", "said"), "Trump will win Ohio in November, the poll shows"),
    (("he did not defend the tax code loopholes", "defend"), "the tax code loopholes helped the company rebound"),
    # about someone else, other amounts, other dates
    (("that Clinton will win Ohio in November", "denied"), "polls show that Trump will win Ohio in November"),
    (("that 1,500 troops had been deployed to the border", "denied"), "10,000 troops had been deployed to the border"),
    (("that the talks collapsed on March 3", "denied"), "the talks collapsed on May 9"),
    # sharing a topic is not saying the same thing
    (("that the ceasefire talks in Geneva had collapsed over the prisoner exchange", "denied"),
     "the ceasefire talks in Geneva will resume next week with a new mediator"),
])
def test_precision_first_no_dispute(negative, positive):
    text, cue = negative
    records = fillers() + [claim("a", 1, text, polarity=NEG, cue=cue, source="person/one"),
                           claim("b", 1, positive, source="person/two")]
    assert disputes_of(records) == set()


def test_no_dispute_within_one_statement_one_source_or_a_question():
    text = "the minister had resigned over the procurement scandal last month"
    cases = [
        # one source, one article: restating itself, not a contest
        [claim("a", 1, text, source="person/x", start=0), claim("a", 2, "that " + text, polarity=NEG, cue="denied",
                                                                   source="person/x", start=300)],
        # one statement: overlapping words in one article
        [claim("a", 1, text, source="person/x", start=10),
         claim("a", 2, "reports that " + text, polarity=NEG, cue="confirmed", source="person/y", start=0)],
        # a question asked is neither side
        [claim("a", 1, text, source="person/x"), claim("b", 1, "whether " + text, polarity=NEG, cue="confirm",
                                                       certainty=KG + "Underspecified")],
        # a relay's restatement takes no part: only the original does
        [claim("a", 1, text, source="person/x", cited=True), claim("b", 1, text, polarity=NEG, cue="denied")],
    ]
    for records in cases:
        assert disputes_of(fillers() + records) == set()


def test_the_grouping_still_never_merges_across_polarity():
    text = "12 grain ships had left the port of Odesa on Friday under a new corridor agreement"
    records = fillers() + [claim("a", 1, text), claim("b", 1, text, polarity=NEG, cue="denied")]
    groups, contested = corroborate.build(records)
    assert not any(len(g["members"]) > 1 for g in groups) and len(contested) == 1


# ----------------------------------------------------------------------------- through the store

OWN = [  # articles written for this test: a denial pointing back, a non-confirmation of reports
    {"id": "port-a", "publisher": "Reuters", "title": "Grain ships <b>leave</b> Odesa",
     "text": "Grain ships leave Odesa\n\nThe shipping ministry said that 12 grain ships had left the port of Odesa "
             "on Friday under a new <script>alert(1)</script> corridor agreement. Russian officials said that this "
             "was not true.\n\nThe mayor said the city would reopen its schools in September.\n"},
    {"id": "port-b", "publisher": "Associated Press",
     "text": "Corridor in doubt\n\nThe European Union has not confirmed Ukrainian reports that 12 grain ships had left "
             "the port of Odesa under the corridor agreement. A spokesman for the harbour authority said the new "
             "cranes would arrive in spring.\n\nThe ministry of agriculture said wheat prices fell sharply last "
             "month.\n"},
]


@pytest.fixture(scope="module")
def own_store(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("contest")
    (folder / "own.jsonl").write_text("".join(json.dumps(a) + "\n" for a in OWN), encoding="utf-8")
    location = str(folder / "store")
    kg("ingest", folder / "own.jsonl", "--store", location)
    return location


def test_kg_claims_contested_on_articles_written_here(own_store):
    rows = json.loads(kg("claims", "--contested", "--format", "json", "--store", own_store).output)
    assert len({r["contest"] for r in rows}) == 1
    sides = {r["text"]: r["side"] for r in rows}
    assert sides == {
        "that 12 grain ships had left the port of Odesa on Friday under a new <script>alert(1)</script> corridor "
        "agreement": "affirms",
        "that this was not true": "disputes",
        "Ukrainian reports that 12 grain ships had left the port of Odesa under the corridor agreement": "disputes"}
    assert all(r["disputes"] for r in rows if r["side"] == "disputes")
    table = kg("claims", "--contested", "--store", own_store).output
    assert table.startswith("CONTESTED: that 12 grain ships") and "disputes it (denies or does not confirm):" in table
    assert "disputes: that 12 grain ships" in table
    everything = json.loads(kg("claims", "--format", "json", "--store", own_store).output)
    assert len(everything) > len(rows) and {r["side"] for r in everything} == {"affirms", "disputes", None}
    assert "0 violations" in kg("validate", "--store", own_store).output + kg("validate", "--store", own_store).stderr


def test_contested_groups_in_sparql(own_store):
    sparql = ("SELECT ?contest ?label (COUNT(DISTINCT ?a) AS ?affirmed) (COUNT(DISTINCT ?d) AS ?disputed) WHERE { "
              "?contest a kg:ContestedGroup ; rdfs:label ?label ; kg:affirmedIn ?a ; kg:disputedIn ?d } "
              "GROUP BY ?contest ?label")
    (row,) = json.loads(kg("query", sparql, "--format", "json", "--store", own_store).output)["results"]["bindings"]
    assert (row["affirmed"]["value"], row["disputed"]["value"]) == ("1", "2")


def test_the_render_draws_disputes_and_escapes_the_marker(own_store, tmp_path):
    with api.Graph(own_store, read_only=True) as graph:
        net = network.build(graph)
    disputes = [(u, v, d) for u, v, k, d in net.edges(keys=True, data=True) if k == "disputes"]
    assert len(disputes) == 2 and all(net.nodes[u]["kind"] == net.nodes[v]["kind"] == "claim" for u, v, _ in disputes)
    out = tmp_path / "contest.html"
    render.render(net, out)
    page = out.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page
    assert '"dashes": true' in page or '"dashes":true' in page
    # the claims' tooltips say "contested", with the text escaped; the edge's title is text
    assert "contested\\u003c/b\\u003e: “that 12 grain ships" in page
    assert "\\u0026lt;script\\u0026gt;alert(1)" in page
    assert "disputes: claim \\u2192 the claim it denies or does not confirm (contested)" in page \
        or "disputes: claim → the claim it denies or does not confirm (contested)" in page


def test_kg_analyze_lists_the_contested_groups(own_store):
    out = kg("analyze", "--store", own_store).output
    assert "Contested (1:" in out and "1 (1) /   2 (2)  that 12 grain ships" in out


# ----------------------------------------------------------------------------- the seeds

def test_the_seeds_contested_groups(seeded_local):
    rows = json.loads(kg("claims", "--contested", "--format", "json", "--store", seeded_local).output)
    by_contest: dict[str, dict[str, set]] = {}
    for r in rows:
        by_contest.setdefault(r["contest"], {"affirms": set(), "disputes": set()})[r["side"]].add(
            (r["sourceLabel"], r["text"][:40]))
    assert len(by_contest) == 2
    sides = sorted(by_contest.values(), key=lambda s: len(s["affirms"]))
    # the U.S. has not confirmed South Korean reports: against Bloomberg's relay of South Korean intelligence
    assert sides[0]["disputes"] == {("United States government", "South Korean reports that the North Kore")}
    assert {label for label, _ in sides[0]["affirms"]} == {"National Intelligence Service"}
    # North Korea and Russia: "this is not true", against the supply reports
    assert sides[1]["disputes"] == {("both countries", "that this is not true")}
    assert {text for _, text in sides[1]["affirms"]} == {"to be supplying Russia with ballistic mi",
                                                        "Russia has received new supplies of shor"}
