"""What `kg ingest` writes passes `kg validate`, in any order (issue 14, ../shared/design/FAULTS.md
F11, F12): one label per agent when several articles of one write name a person differently; no
label-less agent left when a bare surname joins its person; a `published` that is no date is kept
as text, never as an ill-typed literal; and validate lists violations without library tracebacks.
The articles are built here; the real CLI runs in-process, validate of a damaged store in a
subprocess (where a library's logging would reach the terminal)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, SEED_000, SEED_003, cli

BRIDGE = "The minister said on Monday that the bridge would reopen."


def validates(store: str) -> None:
    result = cli("validate", "--store", store)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and "0 violations" in result.stderr, result.output


def rows(store: str, sparql: str) -> list[dict]:
    result = cli("query", sparql, "--format", "json", "--store", store)
    assert result.exit_code == 0, result.output
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(result.stdout)["results"]["bindings"]]


def test_seed_003_before_seed_000_in_one_run_validates(tmp_path):
    store = str(tmp_path / "store")
    assert cli("ingest", "--store", store, SEED_003, SEED_000).exit_code == 0
    validates(store)
    labels = rows(store, "SELECT ?l WHERE { <https://w3id.org/kg-attribution/entity/person/volodymyr-zelensky> rdfs:label ?l }")
    assert len(labels) == 1, labels


@pytest.mark.parametrize("runs", [1, 2], ids=["one run", "two runs"])
def test_a_bare_surname_joining_its_person_leaves_no_label_less_agent(tmp_path, runs):
    texts = [{"id": "s1", "text": "Savett said on Monday that the plan was sound."},
             {"id": "s2", "text": "Jane Savett, a spokeswoman, said on Tuesday that the talks would continue."}]
    files = []
    for i, group in enumerate([texts] if runs == 1 else [[t] for t in texts]):
        files.append(tmp_path / f"in{i}.jsonl")
        files[-1].write_text("".join(json.dumps(t) + "\n" for t in group), encoding="utf-8")
    store = str(tmp_path / "store")
    for path in files:
        assert cli("ingest", "--store", store, path).exit_code == 0
    assert rows(store, "SELECT ?p ?o WHERE { <https://w3id.org/kg-attribution/entity/person/savett> ?p ?o }") == []
    assert rows(store, "SELECT ?a WHERE { ?a kg:source <https://w3id.org/kg-attribution/entity/person/jane-savett> }")  # both claims moved
    validates(store)


def test_a_published_that_is_no_date_is_kept_as_text_and_validates(tmp_path):
    dates = ["not a date at all 99/99/99", "2024-13-45", "99999-01-01", "2024-02-30T10:00:00", "2024-02-29",
             "2024-03-01T10:00:00Z"]
    path = tmp_path / "baddate.jsonl"
    path.write_text("".join(json.dumps({"id": f"bd{i}", "text": BRIDGE, "published": d}) + "\n"
                            for i, d in enumerate(dates)), encoding="utf-8")
    store = str(tmp_path / "store")
    assert cli("ingest", "--store", store, path).exit_code == 0
    validates(store)
    found = rows(store, "SELECT ?id ?p ?d (DATATYPE(?d) AS ?t) WHERE { ?a kg:documentId ?id ; ?p ?d "
                        "FILTER(?p IN (schema:datePublished, dcterms:date)) } ORDER BY ?id")
    xsd, schema, dcterms = "http://www.w3.org/2001/XMLSchema#", "https://schema.org/", "http://purl.org/dc/terms/"
    assert [(r["id"], r["p"], r["d"], r["t"]) for r in found] == \
        [(f"bd{i}", dcterms + "date", d, xsd + "string") for i, d in enumerate(dates[:4])] + \
        [("bd4", schema + "datePublished", "2024-02-29", xsd + "date"),
         ("bd5", schema + "datePublished", "2024-03-01", xsd + "date")]  # the reader keeps the day


def test_validate_lists_an_ill_typed_literal_without_a_traceback(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "a", "text": BRIDGE}) + "\n", encoding="utf-8")
    store = str(tmp_path / "store")
    assert cli("ingest", "--store", store, path).exit_code == 0
    assert cli("query", "--update", "--store", store, "INSERT DATA { GRAPH kga:a { kga:a schema:datePublished "
               '"2024-13-45"^^xsd:date } }').exit_code == 0  # as an older kg wrote it
    result = subprocess.run([sys.executable, "-m", "kg", "validate", "--store", store], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Failed to convert" not in result.stderr, result.stderr
    assert result.stdout.splitlines() == ["kga:a: schema:datePublished: Article: has at most one "
                                          "schema:datePublished, an xsd:date or xsd:dateTime."]
    assert result.stderr.strip() == "1 graph checked, 1 violation"


# --- F10: a regroup cut short is redone by the next ingest -------------------------------------------

KILLED_IN_REGROUP = """
import os, signal, sys
import kg.corroborate
kg.corroborate.regroup = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)  # killed as it starts
from kg.cli import main
main(sys.argv[1:], prog_name="kg")
"""


def claim_count(store: str) -> int:
    result = cli("claims", "--store", store, "--format", "json")
    assert result.exit_code == 0, result.output
    return len(json.loads(result.stdout))


def test_an_ingest_killed_while_regrouping_is_regrouped_by_the_next(tmp_path):
    store = str(tmp_path / "store")
    killed = subprocess.run([sys.executable, "-c", KILLED_IN_REGROUP, "ingest", "--store", store, SEED_000, SEED_003],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                            timeout=300)
    assert killed.returncode == -9, killed.stderr
    assert claim_count(store) == 0  # the articles are in, their groups are not

    rerun = cli("ingest", "--store", store, SEED_000, SEED_003)
    assert rerun.exit_code == 0, rerun.output
    assert "0 articles, 2 unchanged" in rerun.stderr and "claims in" in rerun.stderr, rerun.stderr
    assert claim_count(store) > 0
    validates(store)

    again = cli("ingest", "--store", store, SEED_000, SEED_003)  # nothing stale: no regroup
    assert again.exit_code == 0 and "claims in" not in again.stderr, again.stderr


def test_no_regroup_leaves_the_groups_stale_until_an_ingest_or_kg_regroup(tmp_path):
    store = str(tmp_path / "store")
    assert cli("ingest", "--store", store, "--no-regroup", SEED_000).exit_code == 0
    assert claim_count(store) == 0
    validates(store)  # the mark on the groups graph is no violation
    rerun = cli("ingest", "--store", store, SEED_000)
    assert "1 unchanged" in rerun.stderr and "claims in" in rerun.stderr, rerun.stderr
    assert cli("ingest", "--store", store, "--no-regroup", SEED_003).exit_code == 0
    assert cli("regroup", "--store", store).exit_code == 0
    again = cli("ingest", "--store", store, SEED_000, SEED_003)
    assert "claims in" not in again.stderr, again.stderr


# --- F16: validate evaluates the SHACL-SPARQL constraint once over the store, not once per text span ---


def test_a_text_span_whose_words_do_not_fit_its_offsets_is_one_violation_of_its_graph(tmp_path):
    store = str(tmp_path / "store")
    assert cli("ingest", "--store", store, SEED_000, SEED_003).exit_code == 0
    cue = f"https://w3id.org/kg-attribution/article/{SEED_000.stem}#a3-cue"
    assert cli("query", "--update", "--store", store, "DELETE { GRAPH ?g { ?s nif:anchorOf ?a } } INSERT { GRAPH ?g "
               f'{{ ?s nif:anchorOf "Acc" }} }} WHERE {{ GRAPH ?g {{ ?s nif:anchorOf ?a }} FILTER(?s = <{cue}>) }}'
               ).exit_code == 0
    line = (f"kga:{SEED_000.stem}#a3-cue: nif:anchorOf: Text span: nif:anchorOf (Acc) is not nif:endIndex - "
            "nif:beginIndex characters long.")
    for graph, lines in (([], [line]), (["--graph", SEED_000.stem], [line]), (["--graph", SEED_003.stem], [])):
        result = cli("validate", "--store", store, *graph)
        assert (result.exit_code, result.stdout.splitlines()) == (1 if lines else 0, lines), result.output


# --- F16: validate checks the store a slice of nodes at a time, and finds what it finds whole ----------

A, B = (f"https://w3id.org/kg-attribution/article/{seed.stem}" for seed in (SEED_000, SEED_003))
ZELENSKY = "https://w3id.org/kg-attribution/entity/person/volodymyr-zelensky"
NOWHERE = "https://w3id.org/kg-attribution/entity/platform/nowhere"
PLANTED = f"""
INSERT {{ GRAPH kgg:claim-groups {{ <{A}#a2> kg:inGroup ?group }} }}  # a member that is no claim
WHERE {{ GRAPH kgg:claim-groups {{ <{A}#a1-claim> kg:inGroup ?group }} }} ;
DELETE WHERE {{ GRAPH <{B}> {{ <{B}#a11-claim> kg:span ?span }} }} ;  # a claim (in a group) without spans
INSERT DATA {{
  GRAPH kgg:agents {{ <{ZELENSKY}> rdfs:label "Zelenskyy" }}            # two labels
  GRAPH <{A}> {{
    <{A}> schema:datePublished "2024-13-45"^^xsd:date .                   # an ill-typed date
    <{ZELENSKY}> kg:role 7 }}                     # an agent described in an article graph too
  GRAPH <{B}> {{ <{B}#a1> kg:onPlatform <{NOWHERE}> }}                # an agent described nowhere
}}"""


def validated(store: str, monkeypatch, slice_nodes: int, *options: str) -> list[str]:
    monkeypatch.setattr("kg.validate.SLICE_NODES", slice_nodes)
    result = cli("validate", "--store", store, *options)
    assert result.exit_code == (1 if result.stdout else 0) and "Traceback" not in result.output, result.output
    return result.stdout.splitlines()


def test_violations_planted_across_slices_are_found_as_in_the_whole_store(store_location, monkeypatch):
    assert cli("ingest", "--store", store_location, SEED_000, SEED_003).exit_code == 0
    assert validated(store_location, monkeypatch, 3) == []
    assert cli("query", "--update", "--store", store_location, PLANTED).exit_code == 0
    group = rows(store_location, f"SELECT ?g WHERE {{ <{A}#a1-claim> kg:inGroup ?g }}")[0]["g"]
    a, b, person = f"kga:{SEED_000.stem}", f"kga:{SEED_003.stem}", "kge:person/volodymyr-zelensky"
    expected = sorted([
        f"<{group}>: ^kg:inGroup: Claim group: needs at least one member, each a kg:Claim (kg:inGroup).",
        f"{b}#a11-claim: kg:span: Claim: needs at least one kg:span, each a kg:TextSpan.",
        f"{person}: rdfs:label: Agent: needs exactly one rdfs:label, a string (language tag allowed).",
        f"{person}: kg:role: Agent: every kg:role is an xsd:string.",
        f"{a}: schema:datePublished: Article: has at most one schema:datePublished, an xsd:date or xsd:dateTime.",
        f"{b}#a1: kg:onPlatform: Attribution: has at most one kg:onPlatform, a kg:Platform.",
        ("kge:platform/nowhere: rdf:type: Agent: needs exactly one rdf:type among kg:Person, kg:NewsOutlet, "
         "kg:Platform, kg:IntelligenceAgency, kg:GovernmentBody, kg:Government, kg:Organization, "
         "kg:AnonymousSource, kg:Group."),
        "kge:platform/nowhere: rdfs:label: Agent: needs exactly one rdfs:label, a string (language tag allowed).",
    ])
    whole = validated(store_location, monkeypatch, 10**9)  # one slice: pyshacl given the whole store
    assert whole == expected
    for size in (4, 40):  # claims, their groups, their spans and agents in other slices
        assert validated(store_location, monkeypatch, size) == whole
    # B's graph with the agents graph: the role planted in A's graph is not in them
    one = [line for line in whole if line.startswith((b, "kge:")) and "kg:role" not in line]
    assert validated(store_location, monkeypatch, 10**9, "--graph", SEED_003.stem) == one
    assert validated(store_location, monkeypatch, 3, "--graph", SEED_003.stem) == one
