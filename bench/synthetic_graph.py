"""A synthetic attribution graph of any size, deterministic (seeded), for the query benchmark.

    from synthetic_graph import Generator
    gen = Generator(seed=7)
    for article, records, publisher in gen.articles(n_triples=1_000_000): ...   # kg.extract records
    gen.entities_of(records, publisher)                                         # kg.resolve Entities

No spaCy and no corpus: `kg.extract.records.Attribution` records are made up, with resolved
entities already set (what `kg.resolve.Resolver.resolve` would have done), so that
`kg.rdf.article_triples` and `kg.rdf.agent_triples` give graphs of the real shapes:

- articles of 3-20 attributions (mean ~11.5), published 2015-2017 by 50 news outlets of the
  shipped register (kg/ontology/entities.ttl), with title, URL and sometimes an author; the article
  text is the title and the attributions' sentences, so every offset points into it;
- sources: ~250 made-up people (first names of kg/extract/first_names.tsv, made-up surnames; names
  seen: the full name, the surname, "Mr./Ms. Surname"; some with a role, an affiliation and a
  country), ~100 governments, government bodies, intelligence agencies, organisations and
  platforms of the register, and wire services and outlets as sources and relays. Who is quoted
  follows a Zipf law (the most quoted agent ~1/6 of the attributions with a global source), as in
  news; 8 % of attributions have an anonymous or collective source ("officials", "critics"), kept
  within its article as the resolver does (so the agents graph also holds some thousands of those),
  and 5 % no source at all;
- ~20 % of the attributions are in citing chains ("Reuters reported, citing Bloomberg, which cited
  officials, that ..."): chains of 2 (70 %) and 3 (30 %) records, relays mostly wire services and
  outlets;
- contents of 6-40 words (~150 characters), direct 35 % (15 % of those in two fragments), indirect
  55 %, mixed 10 %; cues, roles, channels (with platforms), recipients, dates, certainty and
  polarity in plausible proportions.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.documents import Article  # noqa: E402
from kg.extract.records import Attribution, Source, Span  # noqa: E402
from kg.resolve import Entity, load_register, slug  # noqa: E402
from kg.vocab import ENTITY  # noqa: E402

WORDS = ("the government would not agree to any new talks until the ceasefire was respected by both sides and "
         "officials said more troops were needed on the border while the budget for the coming year was "
         "still being negotiated in parliament where several members had called for an inquiry into the "
         "contracts awarded last spring to companies close to the ministry the plan will cost billions of "
         "dollars over a decade and could raise taxes for millions of families who already struggle with "
         "rising prices for food energy and housing in the capital and other large cities across the country "
         "nobody expected the negotiations to collapse so quickly after the election results were announced "
         "we are ready to work with anyone who wants peace but we will defend our people against any attack "
         "the report found no evidence that the agency had broken the law though it criticized the lack of "
         "oversight and the slow response to warnings from its own staff about security failures").split()
CUES = [("said", 30), ("told reporters", 6), ("told", 5), ("according to", 8), ("claimed", 4), ("wrote", 4),
        ("announced", 4), ("added", 6), ("warned", 4), ("argued", 3), ("insisted", 2), ("denied", 2),
        ("reported", 6), ("believes", 2), ("noted", 3), ("suggested", 2)]
RELAY_CUES = ["reported", "said", "wrote", "reported on its website", "said in a dispatch"]
ROLES = ["spokesman", "spokeswoman", "senior adviser", "minister", "deputy minister", "senator", "governor",
         "chief executive", "professor of economics", "analyst", "campaign manager", "ambassador",
         "press secretary", "chairman of the committee", "lawyer", "mayor", "general", "secretary of state"]
ANONYMOUS = [("officials", "AnonymousSource"), ("a senior official", "AnonymousSource"),
             ("sources familiar with the matter", "AnonymousSource"), ("a person close to the talks", "AnonymousSource"),
             ("critics", "Group"), ("analysts", "Group"), ("residents", "Group"), ("Democrats", "Group"),
             ("Republicans", "Group"), ("experts", "Group"), ("witnesses", "Group"), ("diplomats", "Group")]
CHANNELS = [("in a statement", None), ("in an interview", None), ("at a news conference", None),
            ("on Twitter", "Twitter"), ("on Facebook", "Facebook"), ("on Telegram", "Telegram"),
            ("on X", "X")]
WEEKDAYS = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "last week", "on Sunday"]
SYLLABLES = ("bar ten ko mal ri son ver dan lu ha ne gor vi sta mor el ka tin ber ow fen ra sel do mi lan "
             "chu pe ross ford wick ham ley ton ska vo ze nik").split()
N_PUBLISHERS = 50
N_PERSONS = 250
N_REGISTERED = 100
WIRES = ["Reuters", "Associated Press", "Agence France-Presse", "Bloomberg", "TASS", "Interfax", "Xinhua",
         "Yonhap", "Kyodo", "EFE", "ANSA", "dpa"]


class Generator:
    def __init__(self, seed: int = 7):
        self.rng = rng = random.Random(seed)
        self.register = load_register()
        reg = sorted(self.register.entities.values(), key=lambda e: e.iri)
        self.entities: dict[str, Entity] = {}

        outlets = [e for e in reg if e.type == "NewsOutlet"]
        wires = [e for e in outlets if e.label in WIRES]
        others = [e for e in outlets if e.label not in WIRES]
        self.publishers = [self._registered(e) for e in rng.sample(others, N_PUBLISHERS)]
        self.wires = [self._registered(e) for e in wires]
        # relays: wire services and a few outlets, the wires first (most used)
        self.relays = self.wires + [self._registered(e) for e in rng.sample(others, 15)]

        firsts = [line.split("\t") for line in (ROOT / "kg" / "extract" / "first_names.tsv").read_text().splitlines()
                  if line and not line.startswith("#")]
        bodies = [e for e in reg if e.type in ("Government", "GovernmentBody", "IntelligenceAgency", "Organization")]
        self.platforms = {e.label: self._registered(e) for e in reg if e.type == "Platform"}
        countries = [e.iri for e in reg if e.type == "Country"]
        persons, seen = [], set()
        while len(persons) < N_PERSONS:
            first, gender = rng.choice(firsts)
            surname = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()
            label = f"{first} {surname}"
            if label in seen:
                continue
            seen.add(label)
            honorific = "Mr." if gender == "M" else "Ms."
            e = self._entity(f"{ENTITY}person/{slug(label)}", label, "Person")
            e.names = {label: 3, surname: 5, f"{honorific} {surname}": 2}
            if rng.random() < 0.5:
                e.roles.add(rng.choice(ROLES))
            if rng.random() < 0.4:
                e.affiliations.add(rng.choice(bodies).iri)
            if rng.random() < 0.6:
                e.country = rng.choice(countries)
            persons.append(e)
        registered = [self._registered(e) for e in rng.sample(bodies, N_REGISTERED)]
        # Who is quoted: a Zipf law over people, bodies and outlets shuffled together.
        self.speakers = persons + registered + self.wires + self.publishers[:20]
        rng.shuffle(self.speakers)
        self.speaker_weights = [1 / rank for rank in range(1, len(self.speakers) + 1)]
        self.relay_weights = [1 / rank for rank in range(1, len(self.relays) + 1)]

    # -- agents

    def _entity(self, iri: str, label: str, typ: str) -> Entity:
        entity = self.entities.get(iri)
        if entity is None:
            entity = self.entities[iri] = Entity(iri, label, typ)
        return entity

    def _registered(self, known) -> Entity:
        e = self._entity(known.iri, known.label, known.type)
        e.names = {name: 1 for name in [known.label, *known.aliases[:2]]}
        e.country = known.country
        return e

    def entities_of(self, records, publisher: str | None) -> list[Entity]:
        """The entities an article's records point to, as kg.ingest.touched gives them."""
        iris = {publisher} | {r.source.entity for r in records if r.source is not None} | \
            {r.channel_entity for r in records} | {r.recipient_entity for r in records}
        iris.discard(None)
        return [self.entities[i] for i in sorted(iris)]

    # -- articles

    def words(self, lo: int, hi: int) -> str:
        start = self.rng.randrange(len(WORDS))
        n = self.rng.randint(lo, hi)
        return " ".join(WORDS[(start + k) % len(WORDS)] for k in range(n))

    def articles(self, n_triples: int | None = None, n_articles: int | None = None, triples_per_article=None):
        """(Article, records, publisher IRI) until about `n_triples` (estimated by the caller through
        `triples_per_article(article, records, publisher)`) or `n_articles`."""
        total, k = 0, 0
        while (n_articles is None or k < n_articles) and (n_triples is None or total < n_triples):
            article, records, publisher = self.article(k)
            if triples_per_article is not None:
                total += triples_per_article(article, records, publisher)
            k += 1
            yield article, records, publisher

    def article(self, k: int):
        rng = self.rng
        outlet = self.publishers[k % N_PUBLISHERS]
        published = f"{rng.choice((2015, 2016, 2017))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        doc_id = f"synthetic-{slug(outlet.label)}-{published}-{k:06d}"
        title = self.words(5, 12).capitalize()
        add = Text()
        add(title + ".\n\n")
        records: list[Attribution] = []
        n_events = rng.randint(3, 20)
        while len(records) < n_events:
            if rng.random() < 0.10:
                self._chain(doc_id, records, add, rng.choice((2, 2, 2, 2, 2, 2, 2, 3, 3, 3)))
            else:
                self._single(doc_id, records, add)
            add(" " if rng.random() < 0.7 else "\n\n")
            if rng.random() < 0.3:
                add(self.words(8, 30).capitalize() + ".\n\n")
        text = add.text()
        author = f"{rng.choice(['Anna', 'Tom', 'Lena', 'Omar'])} {rng.choice(['Berg', 'Ruiz', 'Kim', 'Shaw'])}" \
            if rng.random() < 0.5 else None
        article = Article(id=doc_id, text=text, publisher=outlet.label, title=title, published=published,
                          url=f"https://example.org/{slug(outlet.label)}/{k:06d}", author=author)
        return article, records, outlet.iri

    def _source_entity(self, doc_id: str) -> tuple[Entity | None, str]:
        """An entity and the mention that names it (None: no source)."""
        rng = self.rng
        x = rng.random()
        if x < 0.05:
            return None, ""
        if x < 0.13:
            name, typ = rng.choice(ANONYMOUS)
            return self._entity(f"{ENTITY}{slug(doc_id)}/{slug(name)}", name, typ), name
        e = rng.choices(self.speakers, self.speaker_weights)[0]
        return e, rng.choice(list(e.names))

    def _record(self, doc_id: str, records, entity, mention: Span | None, cue: Span | None, content: Span,
                sentence: Span, kind: str, cites: str | None = None) -> Attribution:
        rng = self.rng
        source = None
        if entity is not None and mention is not None:
            role = next(iter(entity.roles), None) if entity.roles and rng.random() < 0.5 else None
            source = Source(mention=mention, name=entity.label, type=entity.type, role=role, entity=entity.iri)
        r = Attribution(id=f"{doc_id}#a{len(records) + 1}", source=source, cue=cue, content=content, kind=kind,
                        cites=cites, sentence=sentence)
        r.certainty = rng.choices(["certain", "probable", "possible", "underspecified"], [80, 10, 7, 3])[0]
        r.polarity = "negative" if rng.random() < 0.08 else "positive"
        if rng.random() < 0.12:
            r.channel, platform = rng.choice(CHANNELS)
            if platform in self.platforms:
                r.channel_entity = self.platforms[platform].iri
        if rng.random() < 0.06:
            outlet = rng.choice(self.wires + self.publishers[:10])
            r.recipient, r.recipient_entity = outlet.label, outlet.iri
        if rng.random() < 0.25:
            r.date = {"text": rng.choice(WEEKDAYS), "value": None if rng.random() < 0.5 else "2016-10-08"}
        records.append(r)
        return r

    def _single(self, doc_id: str, records, add) -> None:
        rng = self.rng
        entity, name = self._source_entity(doc_id)
        name = name or "It"
        kind = rng.choices(["direct", "indirect", "mixed"], [35, 55, 10])[0]
        cue_text = rng.choices([c for c, _ in CUES], [w for _, w in CUES])[0]
        start = None
        if kind == "direct" and rng.random() < 0.15:  # "A," he said, "B."
            q1 = add("“")
            first = add(self.words(4, 15).capitalize() + ",")
            add("” ")
            mention, cue = _said(add, name, cue_text)
            add(", “")
            second = add(self.words(4, 20))
            add(".”")
            start = q1.start
            content = Span(first.start, second.end, add.text(first.start, second.end),
                           fragments=((first.start, first.end), (second.start, second.end)))
        elif kind == "direct":
            q = add("“")
            content = add(self.words(6, 40).capitalize() + ",")
            add("” ")
            mention, cue = _said(add, name, cue_text)
            add(".")
            start = q.start
        else:
            mention, cue = _said(add, name, cue_text)
            add(" that " if kind == "indirect" else " that “")
            content = add(self.words(6, 40))
            add("." if kind == "indirect" else ".”")
            start = mention.start
        sentence = Span(start, add.pos, add.text(start, add.pos))
        self._record(doc_id, records, entity, mention if entity else None, cue, content, sentence, kind)

    def _chain(self, doc_id: str, records, add, length: int) -> None:
        """'R2 reported, citing R1, which cited S, that C.': S's record, then the relays citing it."""
        rng = self.rng
        relays = []
        while len(relays) < length - 1:
            e = rng.choices(self.relays, self.relay_weights)[0]
            if e not in relays:
                relays.append(e)
        entity, name = self._source_entity(doc_id)
        name = name or "unnamed sources"
        outer = relays[-1]
        m_outer, c_outer = _said(add, rng.choice(list(outer.names)), rng.choice(RELAY_CUES))
        mentions, cues = [m_outer], [c_outer]
        for relay in reversed(relays[:-1]):
            add(", citing ")
            mentions.append(add(rng.choice(list(relay.names))))
            add(", which")
            cues.append(add(" cited"))
        add(", citing " if length == 2 else " ")
        m_source = add(name)
        add(", that ")
        content = add(self.words(6, 40))
        add(".")
        sentence = Span(m_outer.start, add.pos, add.text(m_outer.start, add.pos))
        # the original (the source's record) first, then each relay citing the previous one
        original = self._record(doc_id, records, entity, m_source if entity else None, None, content, sentence,
                                "indirect")
        previous = original
        chain_relays = list(reversed(relays))  # next to the source first
        chain_spans = list(reversed(list(zip(mentions, cues))))
        for relay, (mention, cue) in zip(chain_relays, chain_spans):
            previous = self._record(doc_id, records, relay, mention, cue, content, sentence, "indirect",
                                    cites=previous.id)


def _said(add, name: str, cue_text: str):
    """"NAME CUE" ("Kirby said"): the mention's and the cue's spans."""
    mention = add(name)
    add(" ")
    return mention, add(cue_text)


class Text:
    """An article's text as it is written: add(piece) returns the piece's Span."""

    def __init__(self):
        self.parts: list[str] = []
        self.pos = 0

    def __call__(self, piece: str) -> Span:
        self.parts.append(piece)
        span = Span(self.pos, self.pos + len(piece), piece)
        self.pos += len(piece)
        return span

    def text(self, start: int = 0, end: int | None = None) -> str:
        return "".join(self.parts)[start:end]
