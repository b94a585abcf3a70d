"""Work per article is linear in its length (issue 14, ../shared/design/FAULTS.md F6, F7, F17).

Speed itself is measured in bench/bench_long_article.py (no timings here); these check what makes it
linear: an article past BLOCK_CHARS is extracted in blocks whose records are the article's own, no
sentence runs on without bound, and pathological nesting gives output proportional to the input."""
from __future__ import annotations

from conftest import SEED_000, SEED_003, cli

from kg.documents import Article, article_from_text, read_article
from kg.extract import blocks, extract, nlp


def shifted(record: dict, by: int, ids: dict[str, str]) -> dict:
    """A record of an article alone, as it reads inside a longer one starting `by` characters later."""
    def span(s):
        return s and {**s, "start": s["start"] + by, "end": s["end"] + by,
                      **({"spans": [[a + by, b + by] for a, b in s["spans"]]} if "spans" in s else {})}
    out = {**record, "id": ids[record["id"]], "cites": ids.get(record["cites"])}
    for name in ("source", "cue", "content", "sentence", "content_anaphor"):
        out[name] = span(record[name])
    return out


def test_a_long_article_is_extracted_in_blocks_whose_records_are_the_articles_own(monkeypatch):
    first, second = (read_article(seed) for seed in (SEED_000, SEED_003))
    both = Article(id="both", text=first.text + "\n" + second.text, body=first.body + "\n" + second.body)
    # a block ends at the paragraph break between the two articles
    monkeypatch.setattr(blocks, "BLOCK_CHARS", len(first.text) + 1)
    assert [offset for offset, _ in blocks.split(both)] == [0, len(first.text) + 1]
    alone = [[r.to_dict() for r in extract(Article(id=a.id, text=a.text, body=a.body))] for a in (first, second)]
    n = iter(range(1, 1000))
    ids = [{r["id"]: f"both#a{next(n)}" for r in part} for part in alone]
    expected = [shifted(r, 0, ids[0]) for r in alone[0]] + [shifted(r, len(first.text) + 1, ids[1]) for r in alone[1]]
    found = [r.to_dict() for r in extract(both)]
    assert len(found) > 30 and found == expected
    for r in found:
        for name in ("source", "cue", "content", "sentence"):
            if r[name]:  # offsets point into the whole article
                assert both.text[r[name]["start"]:r[name]["end"]] == r[name]["text"]


def test_blocks_end_at_a_paragraph_break_else_a_sentence_end_else_a_space():
    text = "word " * 30_000  # 150,000 characters, one line, no stop
    parts = blocks.split(article_from_text(text))
    assert len(parts) == 4 and all(len(b.text) <= blocks.BLOCK_CHARS for _, b in parts)
    assert "".join(b.text for _, b in parts) == text
    assert all(b.text.endswith(" ") for _, b in parts[:-1])  # never inside a word
    assert [offset for offset, _ in parts] == [sum(len(b.text) for _, b in parts[:k]) for k in range(4)]
    paragraphs = ("A sentence. " * 300 + "\n") * 40
    assert all(b.text.endswith("\n") for _, b in blocks.split(article_from_text(paragraphs))[:-1])
    short = article_from_text("short")
    assert blocks.split(short) == [(0, short)]


def test_no_sentence_runs_on_without_a_stop():
    doc = nlp.load()(" ".join(["the minister said"] * 400) + "\n\nThe mayor said it. She left.")
    lengths = [len(s) for s in doc.sents]
    assert max(lengths) <= nlp.MAX_SENTENCE_TOKENS and sum(lengths) == len(doc)
    assert [s.text for s in doc.sents][-2:] == ["The mayor said it.", "She left."]  # stops are the parser's


def test_nested_unclosed_quotations_give_output_in_proportion_to_the_input(tmp_path):
    nest = tmp_path / "nest.txt"
    nest.write_text("“He said " * 1000 + " something. " + '"' * 501 + " She said “no.", encoding="utf-8")
    result = cli("extract", "--format", "jsonl", nest)
    assert result.exit_code == 0, result.output
    # each record's content held the rest of the nest: 17 MB of JSON for these 9 KB
    assert len(result.stdout.encode()) < 30 * nest.stat().st_size
