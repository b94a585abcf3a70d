"""Grouping that scales (kg.corroborate.grouping, index, groups): the pure group() over plain records
and an index in memory, new articles joining the groups of a store through its claim index, an article
ingested again replacing its claims there, a grouping that fails leaving the groups to be rebuilt, and
groups an older kg wrote refused by `kg claims` until `kg regroup` upgrades them."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from conftest import FILLER, SEED_000, SEED_003, SEEDS, kg

from kg import corroborate
from kg.corroborate import ClaimRecord, Index, group
from kg.store import StoreError, open_store

ART = "https://w3id.org/kg-attribution/article/"
COUNT = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH kgg:claim-groups { ?c kg:inGroup ?g } }"


def groups(location) -> dict[str, set[str]]:
    rows = json.loads(kg("claims", "--format", "json", "--limit", "0", "--store", location).stdout)
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r["group"], set()).add(r["claim"])
    return out


def number(location, sparql: str) -> int:
    return int(json.loads(kg("query", sparql, "--format", "json", "--store", location).stdout)
               ["results"]["bindings"][0]["n"]["value"])


def record(n: int, text: str, published: str | None = "2024-10-20") -> ClaimRecord:
    return ClaimRecord(f"{ART}d{n}#a1-claim", text, article=f"{ART}d{n}", published=published)


@pytest.fixture
def seeded_copy(seeded_local, tmp_path) -> str:
    shutil.copytree(seeded_local, tmp_path / "store")
    return str(tmp_path / "store")


def test_group_runs_on_plain_records_and_new_claims_join_the_groups_of_the_index():
    index = Index()
    first = [record(i, t) for i, t in enumerate(FILLER)] + [
        record(10, "at least 1,500 North Korean troops had been deployed to Kursk")]
    changes = group(first, index)
    assert changes.claims == len(first) and len(changes.added) == len(first) and not changes.removed
    later = [record(11, "1,500 North Korean soldiers were sent to the Kursk region"),
             record(12, "the storm left more than 40,000 homes without power", published="2026-01-01")]
    changes = group(later, index)
    (kursk,) = [g for g in index.groups() if len(g["members"]) > 1]
    assert kursk["members"] == [f"{ART}d10#a1-claim", f"{ART}d11#a1-claim"]
    assert [g["iri"] for g in changes.removed] == [corroborate.group_iri([f"{ART}d10#a1-claim"])]
    # the storm, repeated more than a year later, is outside the window: a group of its own
    assert len(changes.added) == 2 and index.figures()[:2] == (9, 8)


def test_a_new_article_joins_the_groups_of_the_store(tmp_path):
    one = str(tmp_path / "one")
    kg("ingest", SEED_003, "--store", one)
    before = groups(one)
    kg("ingest", SEED_000, "--store", one)
    after = groups(one)
    claims = {c for g in after.values() for c in g}
    assert sum(map(len, after.values())) == len(claims) == number(one, COUNT)
    with open_store(one) as store:   # the groups were written through the index they name
        index = corroborate.current_index(store)
        assert index is not None and index.count == len(claims)
        index.close()
    untouched = [g for g in before.values() if g in after.values()]
    assert len(untouched) >= len(before) - 3
    # the Kursk deployment group reaches across the two articles with its three sources, as in one ingest
    rows = json.loads(kg("claims", "--about", "Kursk", "--format", "json", "--store", one).stdout)
    assert max(r["independentSources"] for r in rows) == 3


@pytest.mark.parametrize("order", [(SEED_003, SEED_000), (SEED_000, SEED_003)])
def test_articles_ingested_one_at_a_time_give_the_groups_of_kg_regroup(tmp_path, order):
    # the second article doubles the index: the pairs of the first are scored again with its weights
    location = str(tmp_path / "store")
    for seed in order:
        kg("ingest", seed, "--store", location)
    ingested = groups(location)
    kg("regroup", "--store", location)
    assert sorted(map(sorted, groups(location).values())) == sorted(map(sorted, ingested.values()))


def test_every_pair_is_scored_with_the_weights_of_an_index_at_least_two_thirds_its_size():
    index = Index()
    texts = [f"{w} North Korean troops had been deployed to Kursk on {d} by the command of {w}"
             for w in ("Kim", "Putin", "Shoigu", "Gerasimov", "Belousov", "Kirby") for d in ("Monday", "Oct. 23")]
    for k in range(0, len(texts), 2):
        group([record(k + i, t) for i, t in enumerate(texts[k:k + 2])], index)
        weighed = [n for n, in index.db.execute("SELECT weighed FROM claims")]
        assert min(weighed) * corroborate.grouping.REWEIGH > index.count == k + 2
        assert sorted(map(sorted, (g["members"] for g in index.groups()))) == sorted(
            map(sorted, (g["members"] for g in corroborate.build_groups([record(n, t) for n, t in enumerate(texts[:k + 2])]))))


def test_two_clauses_parsed_each_inside_the_other_make_a_chain_with_a_top(tmp_path):
    # "According to X, Y had referred to Z as ...": each record's content holds the other's cue; a
    # loop of kg:citing left both claims out of every group, and kg regroup refused the store
    text = ("The governor has attacked her record for weeks. According to letters from Jane Doe, a close friend of "
            "the governor's who died in 2001, the mayor had referred to the clerk as ''a hopeless crank.'' The "
            "campaign declined to comment.")
    (tmp_path / "loop.txt").write_text(text, encoding="utf-8")
    location = str(tmp_path / "store")
    kg("ingest", tmp_path / "loop.txt", "--store", location)
    held = number(location, "SELECT (COUNT(?c) AS ?n) WHERE { GRAPH ?g { ?c a kg:Claim } }")
    assert held == number(location, COUNT) == 4
    assert re.match(r"4 claims, ", kg("regroup", "--store", location).stderr)


def test_an_article_ingested_again_replaces_its_claims_in_the_index(tmp_path):
    text = ("Officials said that at least 1,500 North Korean troops had been deployed to Kursk. "
            "The minister said that the army will hold exercises near the northern border next week.")
    docs = tmp_path / "docs.jsonl"
    location = str(tmp_path / "store")
    docs.write_text(json.dumps({"id": "doc", "text": text}) + "\n", encoding="utf-8")
    kg("ingest", docs, "--store", location)
    assert number(location, COUNT) == 2
    docs.write_text(json.dumps({"id": "doc", "text": text.split(". ")[0] + "."}) + "\n", encoding="utf-8")
    kg("ingest", docs, "--store", location)
    assert number(location, COUNT) == 1
    with open_store(location) as store:
        index = corroborate.current_index(store)
        assert index.count == 1 and index.figures()[1] == 1
        index.close()


def test_groups_of_an_older_kg_are_refused_until_kg_regroup_upgrades_them(seeded_copy):
    expected = groups(seeded_copy)
    kg("query", "--update", "DELETE WHERE { GRAPH kgg:claim-groups { ?s kg:groupingVersion ?v } }",
       "--store", seeded_copy)
    refused = kg("claims", "--store", seeded_copy, ok=False)
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1 and "Traceback" not in refused.output
    assert "written by an older kg" in refused.stderr and "kg regroup" in refused.stderr
    assert "claims, " in kg("regroup", "--store", seeded_copy).stderr
    assert groups(seeded_copy) == expected


def test_a_grouping_that_fails_leaves_the_groups_stale_and_the_next_ingest_rebuilds_them(seeded_copy, monkeypatch):
    expected = groups(seeded_copy)
    real = corroborate.groups.group

    def fails(*args, **options):
        raise StoreError("the disk is full")
    monkeypatch.setattr(corroborate.groups, "group", fails)
    with open_store(seeded_copy) as store:
        index = corroborate.current_index(store)
        assert index is not None
        with pytest.raises(StoreError):
            corroborate.update(store, index, [f"{ART}{SEED_000.stem}"], {})
        index.close()
        with pytest.raises(StoreError):
            corroborate.regroup(store)
    monkeypatch.setattr(corroborate.groups, "group", real)
    assert groups(seeded_copy) == expected            # the groups as they were, readable
    kg("query", "--update", 'INSERT DATA { GRAPH kgg:claim-groups { kgg:claim-groups prov:invalidatedAtTime '
       '"2026-12-02T06:00:00+00:00"^^xsd:dateTime } }', "--store", seeded_copy)   # as an ingest killed before it
    with open_store(seeded_copy) as store:
        assert corroborate.current_index(store) is None   # stale: the next grouping is a regroup
    assert "claims in" in kg("ingest", SEEDS, "--store", seeded_copy).stderr
    assert groups(seeded_copy) == expected
    with open_store(seeded_copy) as store:
        assert corroborate.current_index(store) is not None


def test_a_damaged_claim_index_is_rebuilt_by_the_next_ingest(seeded_copy, tmp_path):
    (tmp_path / "store" / corroborate.index.FILE).write_bytes(b"not a database at all" * 100)
    docs = tmp_path / "docs.jsonl"
    docs.write_text(json.dumps({"id": "new", "text": "The minister said that the army will hold exercises near "
                                "the northern border next week."}) + "\n", encoding="utf-8")
    done = kg("ingest", docs, "--store", seeded_copy, ok=False)
    assert done.exit_code == 0 and "Traceback" not in done.output and "claims in" in done.stderr
    claims = number(seeded_copy, COUNT)
    with open_store(seeded_copy) as store:   # regrouped: a new index, which the groups name
        index = corroborate.current_index(store)
        assert index is not None and index.count == claims
        index.close()
