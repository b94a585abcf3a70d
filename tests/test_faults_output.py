"""Output that must not attack its reader (issue 14, ../shared/design/FAULTS.md F14, F15): CSV and
TSV cells that a spreadsheet would run as formulas are neutralised (OWASP: a ' in front), and
no control character from an article's text reaches the terminal in table output (each is shown
as \\xNN). The hostile article is built here; the real CLI runs in-process."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from conftest import cli

HOSTILE_ID = '=HYPERLINK("http://evil")'
TEXT = ('=1+2 is wrong, John Smith said on Monday.\n\n'
        '\u201c\x1b]0;PWNED-TITLE\x07Everything is fine,\x1b[2J\x9b31m\u201d John Smith said on Tuesday.\n\n'
        '@SUM(1+1) was the answer, Alice Jones told Reuters.\n\n'
        '-5 was low, Mary Brown said.')
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FORMULA = re.compile(r"[=+\-@\t\r]")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile article as a JSONL file, and a store holding it."""
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "evil.jsonl"
    path.write_text(json.dumps({"id": HOSTILE_ID, "text": TEXT, "publisher": "@Evil",
                                "title": "\x1b]8;;http://evil\x07link\x1b]8;;\x07"}) + "\n", encoding="utf-8")
    store = str(folder / "store")
    result = cli("ingest", "--store", store, path)
    assert result.exit_code == 0, result.output
    return path, store


CSV_COMMANDS = [("attributions", "--format", "csv"), ("attributions", "--format", "tsv"),
                ("who-said", "Smith", "--format", "csv"), ("who-said", "Jones", "--format", "tsv"),
                ("sources", "--format", "csv"), ("claims", "--format", "csv")]


@pytest.mark.parametrize("args", CSV_COMMANDS, ids=" ".join)
def test_no_csv_cell_is_a_formula_and_the_text_is_kept_behind_a_quote(hostile, args):
    _, store = hostile
    result = cli(*args, "--store", store)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout), delimiter="\t" if "tsv" in args else ","))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells
    for cell in cells:
        assert not FORMULA.match(cell) or re.fullmatch(r"[+-]?\d+(\.\d+)?", cell), cell
    wanted = {"'@Evil"} if args[0] == "sources" else {"'@Evil", "'" + HOSTILE_ID}
    assert wanted <= set(cells)


def test_entities_csv_neutralises_formulas(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_text(json.dumps({"id": "e", "text": "\u201cIt works,\u201d =Bob Smith said on Monday."}) + "\n",
                    encoding="utf-8")
    result = cli("entities", path, "--format", "csv")
    assert result.exit_code == 0, result.output
    cells = [cell for row in list(csv.reader(io.StringIO(result.stdout)))[1:] for cell in row]
    assert cells and not any(FORMULA.match(c) for c in cells), cells


TABLE_COMMANDS = [("attributions",), ("who-said", "Smith"), ("claims",),
                  ("query", "SELECT ?t WHERE { ?c kg:text ?t }"),
                  ("query", "CONSTRUCT { ?c kg:text ?t } WHERE { ?c kg:text ?t }")]


@pytest.mark.parametrize("args", TABLE_COMMANDS, ids=" ".join)
def test_no_control_character_of_the_text_reaches_a_table(hostile, args):
    _, store = hostile
    result = cli(*args, "--store", store)
    assert result.exit_code == 0, result.output
    assert not CONTROL.search(result.stdout), repr(result.stdout)
    assert "\\x1b]0;PWNED-TITLE\\x07Everything is fine,\\x1b[2J\\x9b31m" in result.stdout


def test_extract_table_shows_control_characters_escaped(hostile):
    path, _ = hostile
    result = cli("extract", path, "--format", "table")
    assert result.exit_code == 0, result.output
    assert not CONTROL.search(result.stdout), repr(result.stdout)
    assert "\\x1b]0;PWNED-TITLE\\x07" in result.stdout and "\\x1b]8;;http://evil\\x07link" in result.stdout


def test_json_keeps_the_text_exactly(hostile):
    """The data formats are for programs: they carry the text as it is."""
    _, store = hostile
    rows = json.loads(cli("attributions", "--store", store, "--format", "json").stdout)
    assert HOSTILE_ID in {r["documentId"] for r in rows}
    assert any("\x1b]0;PWNED-TITLE\x07" in r["content"] for r in rows)


# --- F20: an error quoting a file name with a line break in it --------------------------------------

def test_an_error_naming_a_file_with_a_line_break_is_one_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad\nname.txt").write_text("", encoding="utf-8")  # empty: an error for that file
    (folder / "good.txt").write_text("The minister said that the bridge would reopen.\n", encoding="utf-8")
    result = cli("extract", folder, "--format", "jsonl")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("kg: error:")]
    assert len(errors) == 1 and "bad\\nname.txt" in errors[0], result.stderr
    assert not any(line.startswith("name.txt") for line in result.stderr.splitlines()), result.stderr
    assert json.loads(result.stdout.splitlines()[0])["doc_id"] == "good"
