"""Inputs that once lost data or stopped a run (issue 14, ../shared/design/FAULTS.md F4, F5, F8, F9,
F18 and UTF-16 without a byte-order mark): each is one error line naming the file (and line), the
other inputs are still processed, the exit status is 1, and nothing is silently replaced.

The cases are built here in tmp_path. What could hang (a FIFO) or needs another user's permissions
(an unreadable file, as root) runs the real CLI in a subprocess with a timeout."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEED_000, SEED_003, cli

GOOD_LINE = "The minister said on Monday that the bridge would reopen."


def run_kg(*args, cwd: Path = ROOT, prefix: tuple[str, ...] = (), timeout: float = 180) -> subprocess.CompletedProcess:
    """`python -m kg ARGS` in a fresh interpreter; a hang fails the test instead of stalling the suite."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*prefix, sys.executable, "-m", "kg", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


def errors_of(stderr: str) -> list[str]:
    """The error lines; the summary line and nothing else may follow them."""
    assert "Traceback" not in stderr, stderr
    return [line for line in stderr.splitlines() if line.startswith("kg: error: ")]


def doc_ids(stdout: str) -> list[str]:
    return [json.loads(line)["doc_id"] for line in stdout.splitlines()]


def stored(store) -> dict[str, int]:
    """Each article's document id in the store, with its number of attributions."""
    result = cli("query", "SELECT ?id (COUNT(?r) AS ?n) WHERE { GRAPH ?g { ?g kg:documentId ?id "
                 "OPTIONAL { ?r a kg:Attribution } } } GROUP BY ?id", "--format", "json", "--store", store)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]["bindings"]
    return {row["id"]["value"]: int(row["n"]["value"]) for row in rows}


def without_dac_override() -> tuple[str, ...]:
    """What makes a chmod 000 file unreadable to this test: nothing for an ordinary user; for root,
    setpriv dropping the capabilities that let root read any file (as FAULTS.md F18 did)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    prefix = (setpriv, "--bounding-set=-dac_override,-dac_read_search") if setpriv else ()
    if not setpriv or subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("running as root without a working setpriv: every file is readable")
    return prefix


# --- F18: an unreadable path named on the command line -------------------------------------------


def test_an_unreadable_file_or_directory_is_one_line_and_the_others_are_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(GOOD_LINE, encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(GOOD_LINE, encoding="utf-8")
    good = tmp_path / SEED_003.name
    shutil.copy(SEED_003, good)
    secret.chmod(0)
    locked.chmod(0)
    try:
        for command in (["extract", "--format", "jsonl"], ["ingest", "--store", tmp_path / "store"]):
            result = run_kg(*command, secret, locked, good, prefix=without_dac_override())
            assert result.returncode == 1, result.stderr
            assert errors_of(result.stderr) == [f"kg: error: {secret}: cannot read: permission denied",
                                                f"kg: error: {locked}: cannot read: permission denied"]
            assert "Usage:" not in result.stderr
        assert doc_ids(run_kg("extract", secret, good, prefix=without_dac_override()).stdout) == [SEED_003.stem]
        assert list(stored(tmp_path / "store")) == [SEED_003.stem]
    finally:
        secret.chmod(0o644)
        locked.chmod(0o755)


# --- F4: a FIFO (or a device) among the inputs -----------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_or_a_device_is_refused_never_read(tmp_path):
    os.mkfifo(tmp_path / "fifo.txt")
    os.mkfifo(tmp_path / "fifo.jsonl")
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(SEED_003, folder / "a.txt")
    os.mkfifo(folder / "b.txt")  # after a.txt: what was read before it must come out too
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    inputs = [tmp_path / "fifo.txt", tmp_path / "fifo.jsonl", tmp_path / "zero.txt", folder]
    expected = [f"kg: error: {tmp_path / 'fifo.txt'}: not a regular file (a FIFO)",
                f"kg: error: {tmp_path / 'fifo.jsonl'}: not a regular file (a FIFO)",
                f"kg: error: {tmp_path / 'zero.txt'}: not a regular file (a device)",
                f"kg: error: {folder / 'b.txt'}: not a regular file (a FIFO)"]
    result = run_kg("extract", "--format", "jsonl", *inputs, timeout=120)
    assert (result.returncode, errors_of(result.stderr), doc_ids(result.stdout)) == (1, expected, ["a"])
    result = run_kg("ingest", "--store", tmp_path / "store", *inputs, timeout=120)
    assert (result.returncode, errors_of(result.stderr)) == (1, expected)
    assert list(stored(tmp_path / "store")) == ["a"]


# --- UTF-16 without a byte-order mark ----------------------------------------------------------------


def test_utf16_without_a_bom_is_read_as_text_and_binary_is_still_refused(tmp_path):
    text = SEED_003.read_text(encoding="utf-8")
    (tmp_path / "le.txt").write_bytes(text.encode("utf-16-le"))
    (tmp_path / "be.txt").write_bytes(text.encode("utf-16-be"))
    (tmp_path / "utf8.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "png.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (tmp_path / "short.txt").write_bytes(b"A\x00\x01\x00")  # a control character: not text
    result = cli("extract", "--format", "jsonl", tmp_path)
    assert result.exit_code == 1
    assert errors_of(result.stderr) == [f"kg: error: {tmp_path / 'png.txt'}: binary file, not text",
                                        f"kg: error: {tmp_path / 'short.txt'}: binary file, not text"]
    documents = {d["doc_id"]: d for d in map(json.loads, result.stdout.splitlines())}
    assert sorted(documents) == ["be", "le", "utf8"]
    for name in ("le", "be"):
        same = json.dumps(documents["utf8"]["attributions"]).replace("utf8", name)  # ids, entity IRIs
        assert json.dumps(documents[name]["attributions"]) == same
        assert documents[name]["publisher"] == "Newsweek"


# --- F9, F8: a NUL byte or a lone surrogate in one JSONL line ------------------------------------------


def line(id: str, text: str = GOOD_LINE, **fields) -> bytes:
    return json.dumps({"id": id, "text": text, **fields}).encode("utf-8")


def test_a_nul_byte_in_one_jsonl_line_is_that_lines_error_and_the_rest_is_read(tmp_path):
    corpus = tmp_path / "nul_line.jsonl"
    corpus.write_bytes(b"\r\n".join([line("l1"), line("l2")[:20] + b"\x00" + line("l2")[20:], line("l3"),
                                     line("l4", "The mayor said the caf\xe9 would close.").replace(b"\\u00e9", b"\xe9"),
                                     line("l5"), b""]))
    (tmp_path / "png.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\n" * 50)
    (tmp_path / "wide.jsonl").write_bytes((line("w1") + b"\n" + line("w2") + b"\n").decode().encode("utf-16-le"))
    result = cli("extract", "--format", "jsonl", corpus, tmp_path / "png.jsonl", tmp_path / "wide.jsonl")
    assert result.exit_code == 1
    assert errors_of(result.stderr) == [f"kg: error: {corpus}:2: binary data (a NUL byte), not text",
                                        f"kg: error: {corpus}:4: not UTF-8 text",
                                        f"kg: error: {tmp_path / 'png.jsonl'}: binary file, not text",
                                        f"kg: error: {tmp_path / 'wide.jsonl'}: binary file, not text"]
    assert doc_ids(result.stdout) == ["l1", "l3", "l5"]


def test_a_lone_surrogate_in_one_jsonl_line_is_that_lines_error(tmp_path):
    corpus = tmp_path / "sur.jsonl"
    corpus.write_text("\n".join([
        json.dumps({"id": "ok", "text": GOOD_LINE}),
        '{"id": "s", "text": "The minister said \\ud800 the bridge would reopen."}',
        json.dumps({"id": "t", "text": GOOD_LINE, "title": "half \udc00 a pair"}),
        json.dumps({"id": "m", "text": GOOD_LINE, "extra": {"deep": ["x", {"k\ud83d": 1}]}}),
        json.dumps({"id": "pair", "text": "The minister said \U0001F4F0 the bridge would reopen."}),
    ]) + "\n", encoding="utf-8")
    assert "\\ud83d\\udcf0" in corpus.read_text(encoding="utf-8")  # a whole pair, escaped: valid
    expected = [f'kg: error: {corpus}:2: "text" is not valid Unicode text (a lone surrogate \\ud800)',
                f'kg: error: {corpus}:3: "title" is not valid Unicode text (a lone surrogate \\udc00)',
                f'kg: error: {corpus}:4: "extra" is not valid Unicode text (a lone surrogate \\ud83d)']
    seed = tmp_path / SEED_000.name
    shutil.copy(SEED_000, seed)
    result = cli("extract", "--format", "jsonl", corpus, seed)
    assert (result.exit_code, errors_of(result.stderr)) == (1, expected)
    assert doc_ids(result.stdout) == ["ok", "pair", SEED_000.stem]
    result = cli("ingest", "--store", tmp_path / "store", corpus, seed)
    assert (result.exit_code, errors_of(result.stderr)) == (1, expected)
    assert sorted(stored(tmp_path / "store")) == sorted(["ok", "pair", SEED_000.stem])


# --- F5: ids are unique; a repeated one is an error, never a replacement ----------------------------------


def test_files_of_the_same_name_in_different_folders_are_different_articles(tmp_path):
    corpus = tmp_path / "corpus"
    for year, seed in (("2023", SEED_000), ("2024", SEED_003)):
        (corpus / year).mkdir(parents=True)
        shutil.copy(seed, corpus / year / "report.txt")
    shutil.copy(SEED_003, corpus / "top.txt")
    result = cli("extract", "--format", "jsonl", corpus)
    assert (result.exit_code, errors_of(result.stderr)) == (0, [])
    counts = {d["doc_id"]: len(d["attributions"]) for d in map(json.loads, result.stdout.splitlines())}
    assert list(counts) == ["2023/report", "2024/report", "top"]  # below the folder named; top level: the name
    alone = {seed: len(json.loads(cli("extract", "--format", "jsonl", seed).stdout)["attributions"])
             for seed in (SEED_000, SEED_003)}
    assert counts == {"2023/report": alone[SEED_000], "2024/report": alone[SEED_003], "top": alone[SEED_003]}

    result = cli("ingest", "--store", tmp_path / "store", corpus)
    assert (result.exit_code, errors_of(result.stderr)) == (0, [])
    assert result.stderr.splitlines()[-1].startswith("3 articles, 0 unchanged, ")
    assert stored(tmp_path / "store") == counts
    result = cli("ingest", "--store", tmp_path / "store", corpus)  # the same ids again: nothing to do
    assert result.stderr.splitlines()[-1].startswith("0 articles, 3 unchanged, ")


def test_a_repeated_id_is_an_error_for_the_later_input_and_the_first_is_kept(tmp_path):
    first = "The minister said on Monday that the bridge would reopen. The mayor said the road was closed."
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join([json.dumps({"id": "dup", "text": first}),
                                 json.dumps({"id": "other", "text": GOOD_LINE}),
                                 json.dumps({"id": "dup", "text": GOOD_LINE}),
                                 json.dumps({"id": "report", "text": GOOD_LINE})]) + "\n", encoding="utf-8")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(SEED_000, tmp_path / "a" / "report.txt")
    shutil.copy(SEED_003, tmp_path / "b" / "report.txt")
    inputs = [corpus, tmp_path / "a" / "report.txt", tmp_path / "b" / "report.txt"]
    expected = [f"kg: error: {corpus}:3: duplicate id 'dup' (also {corpus}:1)",
                f"kg: error: {tmp_path / 'a' / 'report.txt'}: duplicate id 'report' (also {corpus}:4)",
                f"kg: error: {tmp_path / 'b' / 'report.txt'}: duplicate id 'report' (also {corpus}:4)"]
    result = cli("extract", "--format", "jsonl", *inputs)
    assert (result.exit_code, errors_of(result.stderr)) == (1, expected)
    assert doc_ids(result.stdout) == ["dup", "other", "report"]

    result = cli("ingest", "--store", tmp_path / "store", *inputs)
    assert (result.exit_code, errors_of(result.stderr)) == (1, expected)
    assert result.stderr.splitlines()[-1].startswith("3 articles, 0 unchanged, ")
    assert stored(tmp_path / "store") == {"dup": 2, "other": 1, "report": 1}  # dup is line 1's two claims


def test_the_python_api_refuses_a_repeated_id_among_articles_given(tmp_path):
    import kg

    first = kg.article_from_text("The minister said on Monday that the bridge would reopen. "
                                 "The mayor said the road was closed.", id="dup")
    errors = []
    with kg.Graph(str(tmp_path / "store")) as graph:
        summary = graph.ingest(articles=[first, kg.article_from_text(GOOD_LINE, id="dup")], on_error=errors.append)
    assert (summary.articles, summary.failed, [str(e) for e in errors]) == (1, 1, ["articles: duplicate id 'dup' "
                                                                                   "(not written)"])
    assert stored(tmp_path / "store") == {"dup": 2}


# --- F13: a document id is at most MAX_ID_CHARS long ------------------------------------------------------


def test_an_overlong_id_is_that_inputs_error_and_the_others_are_stored(tmp_path):
    from kg.documents.readers import MAX_ID_CHARS

    corpus = tmp_path / "ids.jsonl"
    corpus.write_text("\n".join([json.dumps({"id": "x" * 1_000_000, "text": GOOD_LINE}),
                                 json.dumps({"id": "ok", "text": GOOD_LINE}),
                                 json.dumps({"id": "y" * MAX_ID_CHARS, "text": GOOD_LINE + " "})]) + "\n",
                      encoding="utf-8")
    deep = tmp_path / "corpus" / ("d" * 200) / ("e" * 200) / ("f" * 200) / ("g" * 200) / ("h" * 200)
    deep.mkdir(parents=True)
    (deep / "report.txt").write_text(GOOD_LINE, encoding="utf-8")  # its id, the path below corpus/, is 1,011 long
    expected = [f"kg: error: {corpus}:1: id too long (1,000,000 characters > 1,000 limit)",
                f"kg: error: {deep / 'report.txt'}: id too long (1,011 characters > 1,000 limit)"]
    result = cli("ingest", "--store", tmp_path / "store", corpus, tmp_path / "corpus")
    assert (result.exit_code, errors_of(result.stderr)) == (1, expected)
    assert stored(tmp_path / "store") == {"ok": 1, "y" * MAX_ID_CHARS: 1}
    result = run_kg("validate", "--store", tmp_path / "store", timeout=120)
    assert (result.returncode, result.stderr.strip()) == (0, "2 graphs checked, 0 violations")


# --- F4 for every path a command reads: --entities, kg eval's gold, kg query -f, kg render --query -------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_every_file_a_command_reads_is_refused_when_not_a_regular_file(tmp_path, seeded_local):
    import socket

    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "zero").symlink_to("/dev/zero")
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(tmp_path / "sock"))
    listening.listen()
    kinds = {"fifo": "a FIFO", "zero": "a device", "sock": "a socket"}
    try:
        for name, kind in kinds.items():
            path = tmp_path / name
            for command in (["extract", SEED_003, "--entities", path], ["ingest", "--store", tmp_path / "s", SEED_003,
                            "--entities", path], ["eval", path], ["query", "-f", path, "--store", seeded_local],
                            ["render", "--query", path, "-o", tmp_path / "page.html", "--store", seeded_local]):
                result = run_kg(*command, timeout=120)
                assert result.returncode == 1, (command, result.stderr)
                assert errors_of(result.stderr) == [f"kg: error: {path}: not a regular file ({kind})"], command
                assert result.stdout == ""
    finally:
        listening.close()
    assert not (tmp_path / "page.html").exists()
