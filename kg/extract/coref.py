"""Sources resolved within the article, and contents that only point back.

- a name and a role from the mention: "White House spokesman Sean Savett" is Sean
  Savett, role "White House spokesman"; "John Kirby, a spokesperson for the NSC";
- pronouns ("he", "she", "they", "it", "who") to the most recent fitting source or subject;
- surnames ("Kirby", "Mr. Kirby") to the full name the article used before;
- descriptions ("the White House official", "the President of Ukraine", "the
  researchers") to the earlier source that shares their words;
- a content of "this" or "the reports" to the sentence before.
"""
from __future__ import annotations

import re

from kg.extract.records import Span
from kg.extract.spans import ents_in

PERSON_PRONOUNS = frozenset("he she him her his hers i me we us".split())
GROUP_PRONOUNS = frozenset("they them their it its".split())
RELATIVE = frozenset("who which that whom".split())
HONORIFICS = frozenset("mr. mrs. ms. dr. sen. rep. gov. gen. mr mrs ms dr president".split())
# Content words that describe a role rather than name someone.
STOP = frozenset("the a an of for in on at to and his her their its 's ’s ' , .".split())
POINTING = re.compile(r"^(this|that|it|these|those|so|the (reports?|claims?|information|allegations?|news))$", re.I)

ANONYMOUS = re.compile(r"\b(unnamed|anonymous|sources?|officials?|people familiar|a source|insiders?)\b", re.I)
OUTLET_WORDS = re.compile(r"\b(Times|Post|Journal|News|Reuters|Bloomberg|Associated Press|AP|AFP|Newsweek|"
                          r"CNN|BBC|NBC|CBS|ABC|Fox|Guardian|Telegraph|Politico|Axios|Tribune|Herald|"
                          r"Gazette|Agency|Kyiv Independent|Ukrinform|Interfax|TASS|Yonhap|Xinhua)\b")
AGENCY_WORDS = re.compile(r"\bintelligence\b|\bsecurity service\b|\bCIA\b|\bFBI\b|\bMI6\b|\bNIS\b|\bHUR\b", re.I)
BODY_WORDS = re.compile(r"\b(ministry|department|council|pentagon|white house|kremlin|parliament|congress|"
                        r"senate|committee|commission|office|embassy|military|army|forces|brigade|command)\b", re.I)


def resolve(doc, article, records) -> None:
    """Fill source name, type and role, in article order, and resolve pointing contents."""
    history: list[tuple[int, str, str, str]] = []  # (char offset, name, type, words) of named sources
    subjects = _person_subjects(doc)
    for r in sorted(records, key=lambda r: r.cue.start if r.cue else r.content.start):
        if r.source is not None:
            _resolve_source(doc, r, history, subjects)
            history.append((r.source.mention.start, r.source.name, r.source.type or "", _words(r.source.mention.text)))
        _resolve_pointing_content(doc, article, r)


def _resolve_source(doc, r, history, subjects) -> None:
    mention = r.source.mention
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    text = mention.text
    low = text.lower()
    name, role, typ = _name_and_role(span) if span is not None else (text, None, None)
    if low in PERSON_PRONOUNS or low in RELATIVE and span is not None and _relative_person(span):
        name, typ = _latest_person(mention.start, history, subjects) or (text, "Person")
        if low in RELATIVE:
            name = _relative_antecedent(span) or name
    elif low in GROUP_PRONOUNS:
        prev = next((h for h in reversed(history) if h[0] < mention.start and h[2] != "Person"), None)
        if prev:
            name, typ = prev[1], prev[2]
    elif typ != "Person" or len(name.split()) == 1:
        earlier = _earlier_by_words(mention.start, name, text, history)
        if earlier:
            name, typ = earlier[1], earlier[2] or typ
    r.source.name, r.source.role = name, role
    r.source.type = typ or _guess_type(text)


def _name_and_role(span) -> tuple[str, str | None, str | None]:
    """The person (or organisation) named in a source phrase, and the words describing them."""
    ents = ents_in(span)
    persons = [e for e in ents if e.label_ == "PERSON"]
    if persons:
        ent = persons[0]
        role_toks = [t for t in span if t.i < ent.start or t.i >= ent.end]
        role = " ".join(t.text for t in role_toks if t.lower_ not in STOP and not t.is_punct) or None
        return _strip_honorific(ent.text), role, "Person"
    return span.text.strip(" ,"), None, None


def _strip_honorific(name: str) -> str:
    parts = name.split()
    while len(parts) > 1 and parts[0].lower() in HONORIFICS:
        parts = parts[1:]
    return " ".join(parts).removesuffix("’s").removesuffix("'s")


def _person_subjects(doc) -> list[tuple[int, str]]:
    """People named as the subject of a clause, in order: pronouns most often continue them."""
    out = []
    for ent in ents_in(doc[:]):
        if ent.label_ == "PERSON" and any(t.dep_ in ("nsubj", "nsubjpass", "compound", "appos") for t in ent):
            out.append((ent.start_char, _strip_honorific(ent.text)))
    return out


def _latest_person(offset, history, subjects):
    best = None
    for start, name, typ, _ in history:
        if start < offset and typ == "Person":
            best = (start, name)
    for start, name in subjects:
        if start < offset and (best is None or start > best[0]):
            best = (start, name)
    if best is None:
        return None
    full = _full_name(best[1], history, subjects)
    return full, "Person"


def _full_name(name, history, subjects) -> str:
    """"Kirby" -> "John Kirby" when the article used the full name."""
    if len(name.split()) > 1:
        return name
    for _, n, *_ in list(history) + [(s, n) for s, n in subjects]:
        if len(n.split()) > 1 and n.split()[-1] == name:
            return n
    return name


def _relative_person(span) -> bool:
    return span[0].head.head.ent_type_ == "PERSON" if len(span) else False


def _relative_antecedent(span) -> str | None:
    """"X, who said": the noun the relative clause hangs on."""
    noun = span[0].head.head
    if noun.ent_type_ == "PERSON":
        ent = next((e for e in ents_in(noun.doc[:]) if e.start <= noun.i < e.end), None)
        return _strip_honorific(ent.text) if ent is not None else noun.text
    return None


def _earlier_by_words(offset, name, text, history):
    """An earlier source sharing the description's words ("the President of Ukraine" ~ "Ukrainian President ...")."""
    if len(name.split()) == 1:  # a surname
        for h in reversed(history):
            if h[0] < offset and h[1].split()[-1] == name and len(h[1].split()) > 1:
                return h
    if not text.lower().startswith(("the ", "this ", "that ")):
        return None
    words = _words(text)
    for h in reversed(history):
        if h[0] < offset and h[1] != name and words & h[3]:
            return h
    return None


def _words(text: str) -> set[str]:
    """Content words, cut to 5 letters so "Ukrainian" meets "Ukraine"."""
    return {w.lower()[:5] for w in re.findall(r"[A-Za-z]+", text) if w.lower() not in STOP and len(w) > 2}


def _guess_type(text: str) -> str:
    if AGENCY_WORDS.search(text):
        return "IntelligenceAgency"
    if OUTLET_WORDS.search(text):
        return "NewsOutlet"
    if ANONYMOUS.search(text):
        return "AnonymousSource"
    if BODY_WORDS.search(text):
        return "GovernmentBody"
    return "Organization" if text[:1].isupper() else "Group"


def _resolve_pointing_content(doc, article, r) -> None:
    """"Savett claimed this": the content is the sentence before."""
    if not POINTING.match(r.content.text.strip()):
        return
    sent = doc.char_span(r.content.start, r.content.end, alignment_mode="expand")
    if sent is None:
        return
    sent = sent[0].sent
    prev = _previous_sentence(doc, sent)
    if prev is None:
        return
    r.content_anaphor = r.content
    r.content = Span(prev.start_char, prev.end_char, prev.text.strip())
    r.content = Span(prev.start_char, prev.start_char + len(r.content.text), r.content.text)


def _previous_sentence(doc, sent):
    prev = None
    for s in doc.sents:
        if s.start >= sent.start:
            break
        if s.text.strip():
            prev = s
    return prev
