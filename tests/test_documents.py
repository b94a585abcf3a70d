"""Reading documents: files, JSONL, HTML, directories, bad input, boilerplate and metadata rules."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from conftest import SEED_000, SEED_003

from kg import documents
from kg.documents import (
    Article,
    DocumentError,
    InputError,
    article_from_text,
    blank_boilerplate,
    infer_author,
    infer_publisher,
    infer_title,
    iter_documents,
    normalise_date,
    read_article,
)

DATA = Path(__file__).resolve().parent / "data" / "documents"

NEWS = "The minister said on Friday that the agreement would hold through the winter despite the attacks."
NEWS_2 = "Officials in the capital said they expected a decision on the new export corridor by the end of the month."


def blanked_lines(text: str, body: str) -> list[str]:
    """The non-blank lines of `text` that are blank in `body`."""
    return [t.strip() for t, b in zip(text.split("\n"), body.split("\n")) if t.strip() and not b.strip()]


def kept_lines(body: str) -> list[str]:
    return [b.strip() for b in body.split("\n") if b.strip()]


def only(results: list) -> Article | InputError:
    assert len(results) == 1, results
    return results[0]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- the seeds ---------------------------------------------------------------


def test_seed_000_blanks_bio_and_teaser_list_and_keeps_news():
    article = read_article(SEED_000)
    text, body = article.text, article.body
    assert len(body) == len(text)
    assert [i for i, c in enumerate(text) if c == "\n"] == [i for i, c in enumerate(body) if c == "\n"]
    bio_at = text.index("Ihor Petrenko")
    assert body[bio_at:].strip() == ""
    assert "By portraying Vladimir Putin" not in body
    assert body.startswith("   \n\nThe US concerned about involvement of DPRK troops")  # "USA" label blanked
    for sentence in [
        "White House National Security Council spokesman Sean Savett claimed this in a statement, Reuters reported.",
        "“Such a move would also indicate a new level of desperation for Russia",
        "Volodymyr Zelenskyy stated that North Korea is supplying Russia",
        "According to the Times’ source, who cited intelligence, Russia became dependent on supplies from the DPRK",
    ]:
        assert sentence in body
    assert body[:bio_at] == text[:bio_at].replace("USA", "   ", 1)


def test_seed_000_metadata():
    article = read_article(SEED_000)
    assert article.id == SEED_000.stem
    assert article.path == str(SEED_000)
    assert article.publisher is None  # "Reuters reported", "The New York Times reported": cited, not self
    assert article.author == "Ihor Petrenko"
    assert article.title == "The US concerned about involvement of DPRK troops in war against Ukraine"


def test_seed_003_blanks_label_captions_credit_and_comment_notice():
    article = read_article(SEED_003)
    caption = (
        "This illustrative image from 2019 shows North Korean People’s Army soldiers at Mansu Hill in Pyongyang."
        " The U.S. said that North Korean troops may have been sent to Russia’s Kursk region."
    )
    assert len(article.body) == len(article.text)
    assert blanked_lines(article.text, article.body) == [
        "North Korean soldiers", caption, caption, "KIM WON JIN/Getty Images", "Comments are closed.",
    ]
    news = [line for line in article.text.split("\n") if line.strip() and line.strip() not in
            {"North Korean soldiers", caption, "KIM WON JIN/Getty Images", "Comments are closed."}]
    assert kept_lines(article.body) == news
    for line in news:  # verbatim, at the same offsets
        start = article.text.index(line)
        assert article.body[start:start + len(line)] == line


def test_seed_003_metadata():
    article = read_article(SEED_003)
    assert article.publisher == "Newsweek"
    assert article.title is None  # it opens with a news paragraph
    assert article.author is None


# --- boilerplate rules ---------------------------------------------------------


def test_blanking_keeps_length_and_newlines():
    text = f"{NEWS}\r\nGetty Images\r\n\r\n{NEWS_2}\n"
    body = blank_boilerplate(text)
    assert len(body) == len(text)
    assert body == f"{NEWS}\r\n            \r\n\r\n{NEWS_2}\n"


def test_repeated_caption_is_blanked_everywhere_but_a_repeated_news_paragraph_once():
    caption = "Soldiers march in a parade in the capital"
    text = "\n\n".join([NEWS, caption, NEWS_2, caption, NEWS_2])
    assert blanked_lines(text, blank_boilerplate(text)) == [caption, caption, NEWS_2]
    assert blank_boilerplate(text).count(NEWS_2) == 1


@pytest.mark.parametrize(
    "heading", ["Recent Posts", "Related Articles", "Read more", "More from Kyiv Post", "You may also like",
                "Popular", "Most Read", "Related Posts:"],
)
def test_teaser_heading_blanks_to_the_end(heading):
    teaser = "By portraying Vladimir Putin as the only actor able to ensure security, outlets amplify the narrative."
    text = "\n\n".join([NEWS, NEWS_2, heading, "Putin’s plan: what it means", teaser, "4 days ago"])
    body = blank_boilerplate(text)
    assert body.rstrip() == f"{NEWS}\n\n{NEWS_2}"


def test_teaser_words_inside_a_news_sentence_cut_nothing():
    sentence = "More from the minister's speech was published on Friday, officials said in a statement."
    text = "\n\n".join([NEWS, sentence, NEWS_2])
    assert blank_boilerplate(text) == text


def test_author_bio_near_the_end_is_blanked_and_names_the_author():
    bio = "I am a reporter covering energy and security in Eastern Europe, and I have written for several outlets."
    text = "\n\n".join([NEWS, NEWS_2, NEWS + " Again.", "Jane Doe", bio])
    assert blanked_lines(text, blank_boilerplate(text)) == ["Jane Doe", bio]
    assert infer_author(text) == "Jane Doe"


def test_third_person_bio_is_blanked_too():
    bio = "Jane Doe is a senior correspondent based in London who covers security and defence."
    text = "\n\n".join([NEWS, NEWS_2, "Jane Doe", bio])
    assert blanked_lines(text, blank_boilerplate(text)) == ["Jane Doe", bio]


def test_first_person_opening_of_an_op_ed_is_not_a_bio():
    opening = "I have spent twenty years as a diplomat in the region, and I have never seen a crisis like this one."
    text = "\n\n".join(["John Smith", opening, NEWS, NEWS_2, NEWS + " Again."])
    assert opening in blank_boilerplate(text)
    assert infer_author(text) is None


@pytest.mark.parametrize(
    "label", ["Getty Images", "AFP via Getty Images", "KIM WON JIN/Getty Images", "4 days ago", "1 week ago",
              "North Korean soldiers", "Advertisement"],
)
def test_short_lines_without_terminal_punctuation_are_blanked(label):
    text = "\n\n".join([NEWS, label, NEWS_2])
    assert blanked_lines(text, blank_boilerplate(text)) == [label]


def test_short_sentences_are_kept():
    copyright_news = "Copyright lawyers said the ruling would change how news archives are licensed in Europe."
    short = ["The talks failed.", "“We will not give up,” he said.", "Why now?"]
    text = "\n\n".join([NEWS, *short, copyright_news, NEWS_2])
    assert blank_boilerplate(text) == text


@pytest.mark.parametrize(
    "caption",
    [
        "This photo shows the damaged port of Odesa after an overnight attack on the grain terminal, officials said.",
        "In this photo taken on Friday, rescuers search the rubble of a residential building in the city centre.",
        "Photo: Rescuers search the rubble of a residential building in the city centre.",
        "Pictured: the minister arrives at the summit in Brussels on Thursday, where talks continued late.",
        "Rescuers search the rubble of a residential building in the city centre. (Photo by John Moore/Getty Images)",
        "Rescuers search the rubble of a residential building in the city centre after the strike. Photograph: Reuters",
    ],
)
def test_captions_are_blanked_even_when_long(caption):
    text = "\n\n".join([NEWS, caption, NEWS_2])
    assert blanked_lines(text, blank_boilerplate(text)) == [caption]


@pytest.mark.parametrize(
    "trailer",
    ["Comments are closed.", "Read the rest here.", "Share this article", "Sign up for our daily briefing.",
     "Follow us on Telegram and X for the latest updates from the front line.",
     "© 2024 Example Media. All rights reserved.",
     "Click here to read the full interview with the minister.", "Subscribe to our newsletter.",
     "Copyright 2024 Example Media"],
)
def test_trailers_are_blanked(trailer):
    text = "\n\n".join([NEWS, NEWS_2, trailer])
    assert blanked_lines(text, blank_boilerplate(text)) == [trailer]


# --- metadata inferred from the text -------------------------------------------


@pytest.mark.parametrize(
    "text, publisher",
    [
        ("“It is over,” she told Newsweek. Newsweek has contacted the ministry for comment.", "Newsweek"),
        ("KYIV, Ukraine (AP) — Russia launched drones overnight, officials said.", "AP"),
        ("LONDON, Oct 25 (Reuters) - Britain said on Friday it would send more aid.", "Reuters"),
        ("North Korea (DPRK) — a reclusive state — has sent troops, officials said.", None),
        ("The ministry did not respond to The Guardian's request for comment.", "The Guardian"),
        ("When contacted by The Washington Post, the embassy declined to comment.", "The Washington Post"),
        ("Officials told Reuters. Politico could not independently verify it. Politico was unable to reach him.",
         "Politico"),
        ("Officials told The Wall Street Journal that thousands could be sent. Reuters reported the same.", None),
        ("Reuters reported that the talks had failed, citing two sources.", None),
        ("He has reached out to the president for comment. Zelensky asked allies for support.", None),
        ("When Newsweek reached out to the ministry for comment, a spokesman declined.", "Newsweek"),
        ("Newsweek was unable to independently verify the footage.", "Newsweek"),
        ("Zelensky was unable to attend the summit. The White House could not confirm the reports.", None),
        ("The Pentagon asked the ministry for clarification on Friday.", None),
    ],
)
def test_infer_publisher(text, publisher):
    assert infer_publisher(text) == publisher


@pytest.mark.parametrize(
    "text, author",
    [
        (f"Grain deal will hold, minister says\n\nBy Jane Doe\n\n{NEWS}", "Jane Doe"),
        (f"By Jane Doe and John Roe, Reuters\n\n{NEWS}", "Jane Doe"),
        (f"{NEWS}\n\nBy Tuesday the troops had left the city, officials said.", None),
    ],
)
def test_infer_author_from_byline(text, author):
    assert infer_author(text) == author


def test_title_is_a_headline_among_the_opening_short_lines():
    assert infer_title(f"World\n\nMinister says grain deal will hold\n\n{NEWS}") == "Minister says grain deal will hold"
    assert infer_title(f"{NEWS}\n\n{NEWS_2}") is None
    assert infer_title("Minister says grain deal will hold") is None  # a headline with no article
    assert infer_title(f"Published October 25, 2024\n\n{NEWS}") is None


@pytest.mark.parametrize(
    "raw, iso",
    [
        ("2024-10-25", "2024-10-25"),
        ("2024-10-25T09:30:00Z", "2024-10-25"),
        ("October 25, 2024", "2024-10-25"),
        ("Fri, 25 Oct 2024 09:30:00 GMT", "2024-10-25"),
        ("October 2024", "October 2024"),  # no day: kept as given
        ("Friday", "Friday"),
        ("yesterday", "yesterday"),
    ],
)
def test_normalise_date(raw, iso):
    assert normalise_date(raw) == iso


# --- the Python API -------------------------------------------------------------


def test_article_from_text_applies_the_rules_and_routes_metadata():
    article = article_from_text(
        f"{NEWS}\r\n\r\nGetty Images\r\n", id="a1", publisher="Example", published="25 October 2024", section="world"
    )
    assert article.id == "a1"
    assert article.text == f"{NEWS}\n\nGetty Images\n"  # newlines normalised: offsets point into this
    assert article.body == f"{NEWS}\n\n            \n"
    assert (article.publisher, article.published, article.meta) == ("Example", "2024-10-25", {"section": "world"})


def test_article_from_text_default_id_is_stable():
    assert article_from_text(NEWS).id == article_from_text(NEWS).id != article_from_text(NEWS_2).id


def test_read_article_raises_document_error_with_the_input_error(tmp_path):
    with pytest.raises(DocumentError) as raised:
        read_article(write(tmp_path / "empty.txt", ""))
    assert raised.value.error == InputError(str(tmp_path / "empty.txt"), "empty file")
    with pytest.raises(DocumentError, match="use iter_documents"):
        read_article(write(tmp_path / "corpus.jsonl", "{}"))


# --- .txt files -------------------------------------------------------------------


def test_txt_utf8_with_bom(tmp_path):
    article = only(list(iter_documents([write(tmp_path / "a.txt", b"\xef\xbb\xbf" + NEWS.encode())])))
    assert (article.id, article.text) == ("a", NEWS)


def test_txt_cp1252_is_accepted_and_decoded_right(tmp_path):
    text = "The minister\u2019s aide said: \u201cThe caf\u00e9 stays open \u2014 na\u00efve or not.\u201d\n\n" + NEWS
    article = only(list(iter_documents([write(tmp_path / "legacy.txt", text.encode("cp1252"))])))
    assert article.text == text


def test_txt_utf16_with_bom_is_accepted(tmp_path):
    article = only(list(iter_documents([write(tmp_path / "wide.txt", NEWS.encode("utf-16"))])))
    assert article.text == NEWS


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty file"),
        (b"  \n\t\r\n  ", "empty file"),
        (b"\xef\xbb\xbf\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file, not text"),
        (bytes(range(256)) * 8, "binary file, not text"),
        (bytes(b for b in os.urandom(8192) if b)[:4096], "binary file, not text"),
        (b"Hello world \x81\x8d\x8f\x90\x9d\xfe\xff\xc0\xc1 this is text\n" * 3,
         "not UTF-8 text and the encoding could not be detected"),
    ],
)
def test_txt_refused(tmp_path, data, message):
    path = write(tmp_path / "bad.txt", data)
    assert only(list(iter_documents([path]))) == InputError(str(path), message)


def test_huge_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: if it were read, it would be "binary", not "too large"
    started = time.perf_counter()
    error = only(list(iter_documents([path])))
    assert time.perf_counter() - started < 1
    assert error == InputError(str(path), "file too large (52.4 MB > 10 MB limit)")


def test_missing_path(tmp_path):
    for name in ["nope.txt", "nope.pdf", "nope"]:
        assert only(list(iter_documents([tmp_path / name]))).message == "no such file or directory"


def test_unsupported_file_type(tmp_path):
    error = only(list(iter_documents([write(tmp_path / "a.pdf", NEWS)])))
    assert error.message == "unsupported file type '.pdf' (expected .txt, .jsonl, .html or .htm)"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    path = write(tmp_path / "secret.txt", NEWS)
    path.chmod(0)
    try:
        assert only(list(iter_documents([path]))).message == "cannot read: permission denied"
    finally:
        path.chmod(0o644)


def test_permission_error_is_reported(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(documents.readers, "open", refuse, raising=False)  # the module's open, not pytest's
    path = write(tmp_path / "secret.txt", NEWS)
    assert only(list(iter_documents([path]))) == InputError(str(path), "cannot read: permission denied")


# --- .jsonl corpora -------------------------------------------------------------------


def test_jsonl_bad_lines_are_reported_and_the_rest_is_read(tmp_path):
    lines = [
        json.dumps({"id": "a", "text": NEWS, "publisher": "Example", "title": "T", "url": "https://example.com/a",
                    "publication_date": "2024-10-25", "author": "Jane Doe", "section": "world"}),
        "",
        '{"id": "b", "text": "x" "y"}',
        json.dumps({"doc_id": 7, "text": NEWS_2, "date": "25 Oct 2024"}),
        json.dumps({"id": "c", "title": "no text"}),
        json.dumps({"id": "d", "text": ["not", "a", "string"]}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": NEWS, "published": "sometime"}),
        "   ",
        json.dumps({"id": "e", "text": "  "}),
    ]
    path = write(tmp_path / "corpus.jsonl", "\n".join(lines) + "\n")
    results = list(iter_documents([path]))
    errors = [(r.line, r.message) for r in results if isinstance(r, InputError)]
    assert errors == [
        (3, "invalid JSON: Expecting ',' delimiter at column 25"),
        (5, 'missing "text" field'),
        (6, '"text" must be a string, not list'),
        (7, "expected a JSON object, got list"),
        (10, "empty text"),
    ]
    assert str(results[1]) == f"{path}:3: invalid JSON: Expecting ',' delimiter at column 25"
    a, b, c = [r for r in results if isinstance(r, Article)]
    assert (a.id, a.publisher, a.title, a.url, a.published, a.author, a.meta, a.path) == (
        "a", "Example", "T", "https://example.com/a", "2024-10-25", "Jane Doe", {"section": "world"}, str(path))
    assert (b.id, b.published, b.text) == ("7", "2024-10-25", NEWS_2)
    assert (c.id, c.published) == ("corpus:8", "sometime")


def test_jsonl_texts_get_the_boilerplate_rules(tmp_path):
    path = write(tmp_path / "c.jsonl", json.dumps({"id": "a", "text": f"{NEWS}\n\nComments are closed."}))
    article = only(list(iter_documents([path])))
    assert article.body == NEWS + "\n\n" + " " * len("Comments are closed.")


def test_jsonl_with_bom_and_empty_jsonl(tmp_path):
    path = write(tmp_path / "bom.jsonl", b"\xef\xbb\xbf" + json.dumps({"id": "a", "text": NEWS}).encode())
    assert only(list(iter_documents([path]))).id == "a"
    empty = write(tmp_path / "empty.jsonl", "\n\n")
    assert only(list(iter_documents([empty]))) == InputError(str(empty), "empty file")


def test_jsonl_size_limit_applies_per_text(tmp_path, monkeypatch):
    monkeypatch.setattr(documents.readers, "MAX_BYTES", 100_000)
    small = json.dumps({"id": "small", "text": NEWS})
    big = json.dumps({"id": "big", "text": "word " * 40_000})  # 200 kB of text on a 200 kB line
    huge_line = json.dumps({"id": "huge", "text": "word " * 130_000})  # longer than 6 x MAX_BYTES
    path = write(tmp_path / "c.jsonl", "\n".join([small, big, huge_line, small.replace("small", "after")]) + "\n")
    results = list(iter_documents([path]))
    assert [r.id if isinstance(r, Article) else (r.line, r.message) for r in results] == [
        "small", (2, "text too large (0.2 MB > 0.1 MB limit)"), (3, "line too large (more than 0.6 MB)"), "after"]


def test_jsonl_line_that_is_not_utf8_or_binary(tmp_path):
    def good(id):
        return json.dumps({"id": id, "text": NEWS}).encode()
    path = write(tmp_path / "c.jsonl", b"\n".join([good("a"), b'{"text": "caf\xe9"}', good("b"), b"\x00\x01\x02",
                                                   good("c")]))
    results = list(iter_documents([path]))
    assert [r.id if isinstance(r, Article) else (r.line, r.message) for r in results] == [
        "a", (2, "not UTF-8 text"), "b", (4, "binary data (a NUL byte), not text"), "c"]


# --- HTML -------------------------------------------------------------------------------


def test_html_main_text_and_metadata():
    article = read_article(DATA / "article.html")
    assert "The agriculture minister said on Friday that the grain export agreement would hold" in article.text
    assert "“We have every reason to believe the corridor will stay open,” the minister told reporters" in article.body
    for boilerplate in ["Log in", "Home", "All rights reserved", "Subscribe"]:
        assert boilerplate not in article.text
    assert (article.id, article.title, article.publisher, article.author, article.published, article.url) == (
        "article", "Minister says grain deal will hold", "The Daily Example", "Jane Doe", "2024-10-25",
        "https://example.com/news/grain-deal")


def test_html_without_article_text(tmp_path):
    for path in [DATA / "empty_body.html", write(tmp_path / "junk.htm", bytes(range(1, 256)) * 20)]:
        assert only(list(iter_documents([path]))) == InputError(str(path), "no article text found in HTML")


# --- directories and paths ------------------------------------------------------------------


def test_directory_is_walked_recursively_in_sorted_order(tmp_path):
    write(tmp_path / "b.txt", NEWS)
    write(tmp_path / "a" / "z.txt", NEWS)
    write(tmp_path / "a" / "deeper" / "c.jsonl", json.dumps({"id": "j1", "text": NEWS}))
    write(tmp_path / "a" / "empty.txt", "")
    write(tmp_path / "c.html", (DATA / "article.html").read_bytes())
    write(tmp_path / "notes.md", NEWS)
    write(tmp_path / ".hidden.txt", NEWS)
    write(tmp_path / ".git" / "x.txt", NEWS)
    results = list(iter_documents([tmp_path]))
    assert [r.id if isinstance(r, Article) else str(r) for r in results] == [
        "j1", f"{tmp_path / 'a' / 'empty.txt'}: empty file", "a/z", "b", "c"]


def test_a_single_path_is_accepted_as_well_as_a_list(tmp_path):
    path = write(tmp_path / "a.txt", NEWS)
    assert only(list(iter_documents(str(path)))).id == "a"
    assert only(list(iter_documents(path))).id == "a"
