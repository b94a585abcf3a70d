"""Paging the heavy names: --limit and --offset on kg attributions, who-said and claims, through the
CLI (Click's runner, and a real process on a pseudo-terminal), on an embedded store and on a real
`oxigraph serve` endpoint; and the same parameters in the Python API."""
from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import pytest
from conftest import ROOT, kg

import kg as api
from kg.store import StoreError


def listed(location, *args) -> list[dict]:
    return json.loads(kg(*args, "--format", "json", "--store", location).stdout)


def paged(location, size: int, *args) -> tuple[list[list[dict]], list[str]]:
    """Every page of `size` of a listing, in turn, and the stderr of each."""
    pages, notes, offset = [], [], 0
    while True:
        result = kg(*args, "--limit", size, "--offset", offset, "--format", "json", "--store", location)
        page = json.loads(result.stdout)
        if not page:
            return pages, notes
        pages.append(page)
        notes.append(result.stderr)
        offset += size


@pytest.mark.parametrize("args, key", [
    (["attributions"], "attribution"),
    (["attributions", "--source", "a"], "attribution"),
    (["who-said", "a"], None),
])
def test_pages_of_the_flat_view_and_who_said_cover_it_once_in_order(seeded, args, key):
    everything = listed(seeded, *args)
    assert len(everything) > 7
    pages, notes = paged(seeded, 3, *args)
    assert [row for page in pages for row in page] == everything   # in order, none twice, none left out
    assert all(len(page) == 3 for page in pages[:-1])
    assert f"more with --offset {3 * (len(pages) - 1)}," in notes[-2] and "more with" not in notes[-1]
    if key:  # one row an attribution, its relays folded
        assert len({row[key] for row in everything}) == len(everything)
    assert listed(seeded, *args, "--limit", "0") == everything
    assert listed(seeded, *args, "--offset", len(everything)) == []


@pytest.mark.parametrize("args", [[], ["--single-source"], ["--min-sources", "2"]])
def test_claims_pages_count_groups_and_never_cut_one(seeded, args):
    everything = listed(seeded, "claims", *args)
    groups = list(dict.fromkeys(row["group"] for row in everything))
    pages, notes = paged(seeded, 2, "claims", *args)
    assert [row for page in pages for row in page] == everything
    for n, page in enumerate(pages):
        assert list(dict.fromkeys(row["group"] for row in page)) == groups[2 * n: 2 * n + 2]
    if len(groups) > 2:
        assert "(groups 1-2 shown; more with --offset 2, all with --limit 0)" in notes[0]
    table = kg("claims", *args, "--limit", "1", "--store", seeded)
    assert table.stdout.count("independent source") == 1                    # one group, its claims whole


def test_a_terminal_gets_a_page_and_a_pipe_gets_everything(seeded_local):
    """A real `kg` process: on a pseudo-terminal 20 attributions and the way to the next page; into a
    pipe all of them."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "kg", "attributions", "--store", seeded_local]
    total = len(listed(seeded_local, "attributions"))
    assert total > 20
    main, child = pty.openpty()
    process = subprocess.Popen(command, stdout=child, stderr=subprocess.PIPE, env=env)
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    err = process.stderr.read().decode()
    assert process.wait() == 0
    os.close(main)
    assert "(20 attributions)" in err and "(attributions 1-20 shown; more with --offset 20, all with --limit 0)" in err
    assert out.count(b"[") >= 20
    piped = subprocess.run(command, capture_output=True, env=env, check=True)
    assert f"({total} attributions)" in piped.stderr.decode() and "more with" not in piped.stderr.decode()


@pytest.mark.parametrize("args", [["attributions", "--limit", "-1"], ["who-said", "x", "--offset", "-2"],
                                  ["claims", "--limit", "many"]])
def test_a_bad_page_is_one_line(seeded_local, args):
    result = kg(*args, "--store", seeded_local, ok=False)
    assert result.exit_code == 2 and ("--limit" in result.stderr or "--offset" in result.stderr)
    assert "Traceback" not in result.output


def test_the_python_api_pages_the_same_way(seeded_local):
    with api.Graph(seeded_local, read_only=True) as g:
        assert g.attributions(limit=4, offset=2) == g.attributions()[2:6]
        assert g.who_said("a", limit=3, offset=1) == g.who_said("a")[1:4]
        everything = g.claims()
        groups = list(dict.fromkeys(r["group"] for r in everything))
        assert g.claims(limit=3, offset=1) == [r for r in everything if r["group"] in groups[1:4]]
        for bad in (-1, 1.5, "3", True):
            with pytest.raises(StoreError, match="whole number"):
                g.attributions(limit=bad)
            with pytest.raises(StoreError, match="whole number"):
                g.claims(offset=bad)
