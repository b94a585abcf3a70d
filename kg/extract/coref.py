"""Sources resolved within the article, and contents that only point back.

- a name and a role from the mention: "White House spokesman Sean Savett" is Sean
  Savett, role "White House spokesman"; "John Kirby, a spokesperson for the NSC";
- pronouns ("he", "she", "they", "it", "who") to the most recent fitting source or subject;
- surnames ("Kirby", "Mr. Kirby") to the full name the article used before;
- descriptions ("the White House official", "the President of Ukraine", "the
  researchers") through their role noun to the earlier source with that role; named
  organisations never merge on shared words ("The Times" is not "The New York Times");
- a content of "this" or "the reports" to the sentence before;
- a work that speaks ("The spot says ...", "the lawsuit alleges ...") to whoever released it: "The
  Clinton campaign released a new ad" before, or "the ad, released by the campaign".
"""
from __future__ import annotations

import re
from collections import Counter

from kg.extract.context import DOCUMENT_NOUNS
from kg.extract.quotes import is_quoted
from kg.extract.spans import ents_in, to_span
from kg.extract.words import (GROUP_PRONOUNS, HONORIFICS, PERSON_PRONOUNS, PERSON_ROLES, PRONOUN_GENDER, RELATIVE,
                              ROLE_NOUNS, gender_of, is_generic)

# Content words that describe a role rather than name someone.
STOP = frozenset("the a an of for in on at to and his her their its 's ’s ' , .".split())
DASHES = frozenset({"--", "—", "–", "-"})
STRAY_MARKS = re.compile(r"[\[\]{}<>|*_]")
POINTING = re.compile(r"^(this|that|it|these|those|so|the (reports?|claims?|information|allegations?|news))$", re.I)

ANONYMOUS = re.compile(r"\b(unnamed|anonymous|sources?|officials?|people familiar|a source|insiders?)\b", re.I)
OUTLET_WORDS = re.compile(r"\b(Times|Post|Journal|News|Reuters|Bloomberg|Associated Press|AP|AFP|Newsweek|"
                          r"CNN|BBC|NBC|CBS|ABC|Fox|Guardian|Telegraph|Politico|Axios|Tribune|Herald|"
                          r"Gazette|Agency|Kyiv Independent|Ukrinform|Interfax|TASS|Yonhap|Xinhua)\b")
AGENCY_WORDS = re.compile(r"\bintelligence\b|\bsecurity service\b|\bCIA\b|\bFBI\b|\bMI6\b|\bNIS\b|\bHUR\b", re.I)
BODY_WORDS = re.compile(r"\b(ministry|department|council|pentagon|white house|kremlin|parliament|congress|"
                        r"senate|committee|commission|office|embassy|military|army|forces|brigade|command)\b", re.I)


def resolve(doc, article, records, quotes) -> None:
    """Fill source name, type and role, in article order, and resolve pointing contents."""
    # Sources seen so far, and people the article named, as (char offset, name, type, words).
    history: list[tuple[int, str, str, set[str]]] = []
    subjects = _person_subjects(doc, quotes)
    people = [(ent.start_char, _strip_honorific(ent.text), "Person", set()) for ent in ents_in(doc[:])
              if ent.label_ == "PERSON" and len(ent.text.split()) > 1]
    named = Counter(p[1] for p in people)
    for r in sorted(records, key=lambda r: r.cue.start if r.cue else r.content.start):
        if r.source is not None:
            _resolve_source(doc, r, history, subjects, people, named)
            if not is_generic(r.source.name):  # "someone like Mr. Clarke": no later "he" refers to it
                history.append((r.source.mention.start, r.source.name, r.source.type or "",
                                _words(r.source.mention.text)))
        _resolve_pointing_content(doc, article, r)


def _resolve_source(doc, r, history, subjects, people, named) -> None:
    span = doc.char_span(r.source.mention.start, r.source.mention.end, alignment_mode="expand")
    dash = _dateline_end(span) if span is not None else None
    if dash is not None:
        span = doc[dash + 1: span.end]
        r.source.mention = to_span(doc, range(span.start, span.end)) or r.source.mention
    mention = r.source.mention
    text = mention.text
    low = text.lower()
    name, role, typ = _name_and_role(span) if span is not None else (text, None, None)
    if low in PERSON_PRONOUNS or low in RELATIVE and span is not None and _relative_person(span):
        name, typ = _latest_person(mention.start, history, subjects, PRONOUN_GENDER.get(low)) or (text, "Person")
        if low in RELATIVE:
            name = _relative_antecedent(span) or name
    elif low in GROUP_PRONOUNS:
        prev = next((h for h in reversed(history) if h[0] < mention.start and h[2] != "Person"), None)
        if prev:
            name, typ = prev[1], prev[2]
    else:
        gender = gender_of(text)  # "Mrs. Clinton" is not "Bill Clinton"
        earlier = _same_name(mention.start, name, history, gender=gender) \
            or _same_name(mention.start, name, people, named, gender) \
            or _described(mention.start, span, history)
        if earlier:  # the earlier name; its type, unless the tagger sees a person here ("Obama Says" headline)
            name, typ = earlier[1], typ if typ == "Person" else earlier[2] or typ
    author = _work_author(span) if span is not None and typ != "Person" else None
    if author is not None:  # "The spot says": the campaign that released it
        name, role, typ = _name_and_role(author)
        earlier = _same_name(author.start_char, name, history)
        if earlier:
            name, typ = earlier[1], earlier[2] or typ
        typ = typ or _guess_type(author)
    if r.meta.get("pattern") == "colon" and text.isupper() and len(text.split()) == 1:
        name, typ = text.title(), "Person"  # a transcript's speaker label ("WALLACE:") is a person
    r.source.name, r.source.role = clean_name(name), role
    r.source.type = typ or _guess_type(span) if span is not None else typ


# Works that "say" things on their author's behalf, by kind: an ad is the same work as a spot.
WORK_KINDS = {"ad": "ad", "spot": "ad", "advertisement": "ad", "commercial": "ad", "video": "ad",
              "lawsuit": "suit", "suit": "suit", "complaint": "suit", "filing": "suit",
              "letter": "letter", "memo": "memo", "memorandum": "memo", "book": "book", "documentary": "film",
              "film": "film", "movie": "film", "editorial": "editorial", "op-ed": "editorial"}
RELEASE_VERBS = frozenset("release air launch unveil post publish run file issue debut send write "
                          "produce sponsor pay bring".split())
WORK_LOOKBACK = 6  # sentences


def _work_author(span):
    """Who released the work a mention names ("The spot", "the lawsuit"): the subject of "release",
    "air", "file" ... with a work of the same kind as object, in this sentence or up to WORK_LOOKBACK
    before; or the agent of "the ad, released by X". The author's span, or None."""
    head = span.root
    kind = WORK_KINDS.get(head.lemma_.lower())
    if kind is None or any(c.dep_ == "poss" for c in head.children):
        return None  # "Trump's tweet" is Trump's already (context.channel)
    for c in head.children:  # "the ad, released by the campaign, says"
        agent = next((a for a in c.children if a.dep_ == "agent"), None) if c.dep_ == "acl" else None
        by = next((o for o in agent.children if o.dep_ == "pobj"), None) if agent is not None else None
        if by is not None:
            return span.doc[by.left_edge.i: by.right_edge.i + 1]
    doc, first = span.doc, span.sent
    for _ in range(WORK_LOOKBACK):
        for tok in reversed([t for t in first if t.i < span.start]):
            if tok.lemma_.lower() not in RELEASE_VERBS:
                continue
            objects = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")]
            subject = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            if subject is not None and any(WORK_KINDS.get(o.lemma_.lower()) == kind for o in objects) \
                    and subject.pos_ in ("PROPN", "NOUN"):
                return doc[subject.left_edge.i: subject.right_edge.i + 1]
        if first.start == 0:
            break
        first = doc[first.start - 1].sent
    return None


def _dateline_end(span) -> int | None:
    """The dash ending a dateline that opens the phrase ("WASHINGTON -- President Obama",
    "KYIV, Ukraine (AP) — ..."): the place is where the story was filed, not part of the source."""
    if span.start != span.sent.start:
        return None
    for tok in span[:8]:
        if tok.text in DASHES and tok.i > span.start:
            before = span.doc[span.start: tok.i]
            place = [t for t in before if t.is_alpha]
            if place and place[0].is_upper and all(t.is_upper or t.is_title for t in place) \
                    and all(t.is_alpha or t.is_punct for t in before):
                return tok.i if tok.i + 1 < span.end else None
            return None
    return None


def clean_name(name: str) -> str:
    """A name without the brackets, quotation marks and dashes a quotation or a markup left around or
    inside it ("Hillary] Clinton", "“Trump"): an agent's label is a name, never punctuation."""
    name = STRAY_MARKS.sub(" ", name)
    return " ".join(name.split()).strip(" ,;:-–—'\"‘’“”") or name


def _name_and_role(span) -> tuple[str, str | None, str | None]:
    """The person (or organisation) named in a source phrase, and the words describing them."""
    ents = ents_in(span)
    root = span.root
    # "Donald Trump's tweet", "Mr. Obama's letter": the named author speaks; the document is the channel.
    author = next((c for c in root.children if c.dep_ == "poss" and c.pos_ == "PROPN"), None) \
        if root.lemma_.lower() in DOCUMENT_NOUNS else None
    if author is not None:
        name = span.doc[author.left_edge.i: author.i + 1]
        typ = "Person" if any(t.ent_type_ == "PERSON" for t in name) else None
        return _strip_honorific(name.text), None, typ
    # "Mr. Grassley and Mr. Leahy", "Trump and Clinton": the group, not its first member.
    if root.pos_ == "PROPN" and any(c.dep_ == "conj" and c.pos_ == "PROPN" and c.i < span.end for c in root.children):
        return span.text.strip(" ,"), None, "Group"
    # The person the phrase is about holds its head: "Clinton campaign spokesman Brian Fallon" is
    # Fallon, and "The Clinton campaign" is no person at all.
    persons = [e for e in ents if e.label_ == "PERSON" and e.start <= span.root.i < e.end]
    if persons:
        ent = persons[0]
        return _strip_honorific(ent.text), _role(span, ent.start, ent.end), "Person"
    # "Dutch Defense Minister Ruben Brekelmans": a name after a title the tagger did not mark.
    titled = _name_after_title(span)
    if titled is not None:
        return titled.text, _role(span, titled.start, titled.end), "Person"
    if any(e.label_ == "GPE" and e.root == span.root for e in ents) and not OUTLET_WORDS.search(span.text):
        return span.text.strip(" ,"), None, "Government"  # "The U.S. confirmed ..."
    # "Rendell, a Clinton surrogate,": the name before the apposition, which is the role.
    appos = [c for c in root.children if c.dep_ == "appos" and c.i > root.i and c.i < span.end]
    if root.pos_ == "PROPN" and appos:
        name = span.doc[min(t.i for t in root.subtree if t.i >= span.start and t.i <= root.i): root.i + 1]
        return _strip_honorific(name.text), _role(span, name.start, name.end), None
    return span.text.strip(" ,"), None, None


def _name_after_title(span):
    toks = [t for t in span if not t.is_punct]
    end = len(toks)
    start = end
    while start > 0 and toks[start - 1].pos_ == "PROPN" and toks[start - 1].is_title \
            and toks[start - 1].lower_ not in ROLE_NOUNS:
        start -= 1
    if end - start >= 2 and any(t.lower_ in ROLE_NOUNS for t in toks[:start]):
        return span.doc[toks[start].i: toks[end - 1].i + 1]
    return None


def _role(span, start: int, end: int) -> str | None:
    words = [t.text for t in span if (t.i < start or t.i >= end) and t.lower_ not in STOP and not t.is_punct]
    return " ".join(words) or None


def _strip_honorific(name: str) -> str:
    parts = name.split()
    while len(parts) > 1 and parts[0].lower() in HONORIFICS:
        parts = parts[1:]
    return " ".join(parts).removesuffix("’s").removesuffix("'s")


def _person_subjects(doc, quotes) -> list[tuple[int, str]]:
    """People named as the subject of a main clause outside quotations, in order: a pronoun most
    often continues them, and not a name in an object ("against Mitt Romney"), a possessive
    ("Jared Diamond's book"), an apposition ("his wife, Hillary Clinton"), a reported clause
    ("said Clinton would recover") or someone's quoted words."""
    out = []
    for ent in ents_in(doc[:]):
        root = ent.root
        if ent.label_ == "PERSON" and root.dep_ in ("nsubj", "nsubjpass") and _main_clause(root.head) \
                and not is_quoted(quotes, ent.start_char):
            out.append((ent.start_char, _strip_honorific(ent.text)))
    return out


def _main_clause(verb) -> bool:
    while verb.dep_ == "conj":  # "Trump spoke and then left"
        verb = verb.head
    return verb.dep_ == "ROOT"


def _latest_person(offset, history, subjects, gender=None):
    """The person a pronoun continues: the latest person source or main-clause subject before it
    whose gender (where known) agrees with the pronoun's."""
    candidates = [(start, name) for start, name, typ, _ in history if start < offset and typ == "Person"]
    candidates += [(start, name) for start, name in subjects if start < offset]
    for _, name in sorted(candidates, key=lambda c: -c[0]):
        full = _full_name(name, history, subjects)
        if _agrees(gender, gender_of(full)):
            return full, "Person"
    return None


def _agrees(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


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


def _same_name(offset, name, history, named=None, gender=None):
    """An earlier source with this name, or the full name of a surname ("Kirby" -> "John Kirby").
    Where the article named several people of that surname before ("Bill Clinton", "Hillary
    Clinton"), the one it names most often (`named`: full name -> times)."""
    matches = [h for h in reversed(history)
               if h[0] < offset and (h[1] == name or h[2] == "Person" and len(name.split()) == 1
                                     and len(h[1].split()) > 1 and h[1].split()[-1] == name
                                     and _agrees(gender, gender_of(h[1])))]
    if named and len({h[1] for h in matches}) > 1:
        return max(matches, key=lambda h: named.get(h[1], 0))  # max keeps the latest of a tie
    return matches[0] if matches else None


def _described(offset, span, history):
    """"the White House official", "The President of Ukraine", "the researchers": the earlier
    source with that role. Named organisations are never merged on shared words ("The Times"
    is not "The New York Times")."""
    if span is None or span[0].lower_ not in ("the", "this", "that"):
        return None
    head = _role_head(span)
    if head is None:
        return None
    words = _words(span.text)
    for h in reversed(history):
        if h[0] >= offset:
            continue
        mention_words = h[3]
        if head[:5] in mention_words:  # the role noun itself: "President", "researchers"
            return h
        if h[2] == "Person" and head in PERSON_ROLES and words & mention_words:  # "the White House official"
            return h
    return None


def _role_head(span) -> str | None:
    """The role noun a description is built on, before any "of" ("The President of Ukraine")."""
    head = None
    for t in span:
        if t.lower_ == "of":
            break
        if t.lemma_.lower() in ROLE_NOUNS or t.lower_ in ROLE_NOUNS:
            head = t.lower_
    return head


def _words(text: str) -> set[str]:
    """Content words, cut to 5 letters so "Ukrainian" meets "Ukraine"."""
    return {w.lower()[:5] for w in re.findall(r"[A-Za-z]+", text) if w.lower() not in STOP and len(w) > 2}


def _guess_type(span) -> str:
    """A first type from the words of the phrase; entity resolution refines it."""
    text, head = span.text, span.root
    if AGENCY_WORDS.search(text):
        return "IntelligenceAgency"
    if ANONYMOUS.search(head.text) or ANONYMOUS.search(text) and not OUTLET_WORDS.search(head.text):
        return "AnonymousSource"  # "the Times' source", "unnamed officials"
    if OUTLET_WORDS.search(text):
        return "NewsOutlet"
    if BODY_WORDS.search(text):
        return "GovernmentBody"
    if head.tag_ in ("NNS", "NNPS"):
        return "Group"  # "British researchers", "Democrats"
    if head.lower_ in PERSON_ROLES:
        return "Person"  # "the mayor", "the analyst"
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
    r.content = to_span(doc, range(prev.start, prev.end), strip_edge_punct=False)


def _previous_sentence(doc, sent):
    prev = None
    for s in doc.sents:
        if s.start >= sent.start:
            break
        if s.text.strip():
            prev = s
    return prev
