"""Entity resolution: source mentions -> canonical entities, within an article and across the corpus.

    resolver = Resolver(register.load())
    for article, records in extract_articles(...):
        resolver.resolve(article, records)     # sets record.source.entity, .type
    resolver.finish()                          # bare surnames -> the corpus' full names
    resolver.entities                          # IRI -> Entity, with names seen and why

Identifiers are stable: they derive from the register's IRIs or from a normalised name, never
from the order of ingestion. A bare surname ("Mr. Obama") in an article that never gives the full
name is first its own entity (`person/obama`); `finish()`, once the batch is read, merges it into
the person of that surname the corpus names most, so the result does not depend on which article
came first. Anonymous and collective sources ("unnamed officials", "British
researchers") get one entity per article: two articles' "officials" are not the same people.
Lookups go through dictionaries keyed by normalised names, so the cost is linear in the
number of mentions.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from kg.documents import Article
from kg.extract.records import Attribution
from kg.extract.words import GROUP_PRONOUNS, PERSON_PRONOUNS, RELATIVE, ROLE_NOUNS, gender_of, is_generic
from kg.resolve.register import Register, name_key
from kg.vocab import ENTITY

UNMERGED = ("AnonymousSource", "Group")
PRONOUNS = PERSON_PRONOUNS | GROUP_PRONOUNS | RELATIVE
ROLE_WORDS = ROLE_NOUNS | {"the", "a", "an", "former", "senior", "top", "deputy", "vice", "sen", "rep", "gov", "mr", "mrs", "ms"}
PORTFOLIOS = r"defen[cs]e|foreign|interior|finance|justice|health|economy|energy"
MINISTER = re.compile(rf"\b(?P<a>{PORTFOLIOS})\s+minister\b|\bminister\s+(?:of|for)\s+(?:the\s+)?(?P<b>{PORTFOLIOS})", re.I)
# Words that make an unknown name an agency or a body ("Kharkiv Regional Military Administration").
TYPE_WORDS = [
    (re.compile(r"\bintelligence\b|\bsecurity service\b", re.I), "IntelligenceAgency"),
    (re.compile(r"\b(ministry|department|council|office|administration|committee|commission|"
                r"parliament|army|forces|brigade|command|police)\b", re.I), "GovernmentBody"),
]


@dataclass
class Entity:
    iri: str
    label: str
    type: str
    names: dict[str, int] = field(default_factory=dict)  # mention -> times seen
    roles: set[str] = field(default_factory=set)
    affiliations: set[str] = field(default_factory=set)  # IRIs
    country: str | None = None
    attributions: int = 0
    why: list[str] = field(default_factory=list)  # how mentions were merged into this entity

    def to_dict(self) -> dict:
        return {"iri": self.iri, "label": self.label, "type": self.type, "names": dict(self.names),
                "roles": sorted(self.roles), "affiliations": sorted(self.affiliations),
                "country": self.country, "attributions": self.attributions}


def person_key(name: str) -> str:
    """Spelling variants meet: Zelensky, Zelenskyy, Zelenskiy, Zelenskij -> "zelensky"."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    folded = re.sub(r"[^a-z ]", "", folded)
    folded = re.sub(r"(iy|yy|ij|ii)\b", "y", folded)
    folded = re.sub(r"\b[a-z]\b", " ", folded)  # middle initials: Donald J. Trump is Donald Trump
    return re.sub(r"\s+", " ", folded).strip()


def is_proper_name(name: str) -> bool:
    """"The Wall Street Journal" is a name; "intelligence about North Korea" is a description."""
    return re.sub(r"^the\s+", "", name.strip(), flags=re.I)[:1].isupper()


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "unnamed"


# Intelligence named by no one's name: whose it is comes from who cites it.
BARE_INTELLIGENCE = re.compile(r"^(?:the )?intelligence(?: (?:services?|agency|agencies|reports?|data))?$")


class Resolver:
    def __init__(self, register: Register):
        self.register = register
        self.entities: dict[str, Entity] = {}
        # surname key -> {IRI of a person with a full name of that surname: mentions}
        self._people: dict[str, dict[str, int]] = {}
        # IRI of a bare-surname entity -> the sources that hold it, rewritten by finish()
        self._bare: dict[str, list] = {}

    def resolve(self, article: Article, records: list[Attribution]) -> None:
        """Give each record's source its entity: `source.entity` (IRI) and a refined `source.type`."""
        outlets = self._outlets_named(article, records)
        antecedents: dict[str, Entity] = {}  # a name -> the entity it got in this article
        for r in records:
            r.channel_entity = self._channel(r.channel)
            r.recipient_entity = self._recipient(r.recipient)
            if r.source is None or r.source.name.casefold() in PRONOUNS or is_generic(r.source.name):
                continue  # nobody, a pronoun the article's coreference left unresolved ("who"), or anyone
            mention = r.source.mention.text
            if mention.casefold() in PRONOUNS and r.source.name in antecedents:
                # "It" after "North Korea's Foreign Ministry" is that ministry, not a second one
                entity, why = antecedents[r.source.name], ""
            else:
                entity, why = self._short_for(mention, outlets) or self._entity_for(article, r, records)
                antecedents.setdefault(r.source.name, entity)
            r.source.entity = entity.iri
            r.source.type = entity.type
            if entity.iri in self._bare:
                self._bare[entity.iri].append(r.source)
            entity.names[r.source.mention.text] = entity.names.get(r.source.mention.text, 0) + 1
            entity.attributions += 1
            if why and why not in entity.why:
                entity.why.append(why)
            if r.source.role:
                entity.roles.add(r.source.role)
                affiliation = self._affiliation(r.source.role) or self._ministry(r.source.role, entity.country)
                if affiliation:
                    entity.affiliations.add(affiliation)
                    entity.country = entity.country or self.register.entities.get(affiliation, entity).country

    # -- one mention -----------------------------------------------------------------------------

    def _outlets_named(self, article, records) -> tuple[list, list]:
        """The registered outlets that published the article, and those it names in full (as a
        source or a recipient)."""
        def outlets(names):
            found = (self.register.lookup(name) for name in names if name)
            return list({e.iri: e for e in found if e is not None and e.type == "NewsOutlet"}.values())
        return outlets([article.publisher]), \
            outlets([r.recipient for r in records] + [r.source.name for r in records if r.source is not None])

    def _short_for(self, mention: str, outlets) -> tuple[Entity, str] | None:
        """"The Times" is The New York Times in the Times' own pages, and "the Times" (lower-case
        article: a short form, not the title "The Times") where the article named The New York
        Times in full. Otherwise "The Times" is the London paper, as the register says."""
        key = name_key(mention)
        if not key or " " in key:
            return None
        publishers, named = outlets
        for outlet in publishers + (named if mention.startswith("the ") else []):
            if any(name_key(full).endswith(" " + key) for full in outlet.names):
                entity, _ = self._registered(outlet, "")
                where = "the article's publisher" if outlet in publishers else "named in full in the same article"
                return entity, f"{mention!r} is short for {outlet.label}, {where}"
        return None

    def _entity_for(self, article, r, records) -> tuple[Entity, str]:
        name, typ = r.source.name, r.source.type
        if typ == "Person":
            return self._person(name, r.source.role, article.id)
        # A pronoun is no name: "who" is not the World Health Organization.
        known = None if r.source.mention.text.casefold() in PRONOUNS else \
            self.register.lookup(name) or self.register.lookup(r.source.mention.text)
        if known is not None:
            return self._registered(known, f"{name!r} is a name of {known.label} in the register")
        country_agency = self._speakers_country_body(r, records)
        if country_agency is not None:
            return country_agency
        # Collective and anonymous sources, and descriptions that are no name at all ("intelligence"),
        # stay within their article.
        if typ in UNMERGED or typ is None or not is_proper_name(name):
            # Cited by someone ("citing intelligence"), it is that speaker's: two speakers' "intelligence"
            # in one article are not the same.
            outer = next((o.source.name for o in records if o.cites == r.id and o.source is not None), None)
            iri = f"{ENTITY}{slug(article.id)}/{slug(name)}" + (f"-of-{slug(outer)}" if outer else "")
            return self._get(iri, name, typ or "Group"), ""
        for pattern, word_type in TYPE_WORDS:
            if pattern.search(name):
                typ = word_type
                break
        entity = self._get(f"{ENTITY}{typ.lower()}/{slug(name)}", name, typ)
        if typ == "Organization" and len(person_key(name).split()) == 1:
            self._bare.setdefault(entity.iri, [])  # "Baerbock said": a person's surname, if the corpus says so
        return entity, ""

    def _person(self, name: str, role: str | None = None, article_id: str = "") -> tuple[Entity, str]:
        key = person_key(name)
        if not is_proper_name(name) or set(key.split()) <= ROLE_WORDS:
            # "the president", "Lawmaker": a title with no name stays within its article
            return self._get(f"{ENTITY}{slug(article_id)}/{slug(name)}", name, "Person"), ""
        iri = f"{ENTITY}person/{slug(key)}"
        entity = self._get(iri, name, "Person")
        if entity.country is None and role:
            country = self._country_in(role)  # "Dutch Defense Minister" -> the Netherlands
            entity.country = country.iri if country is not None else None
        if len(key.split()) > 1:
            named = self._people.setdefault(key.split()[-1], {})
            named[iri] = named.get(iri, 0) + 1
        else:
            self._bare.setdefault(iri, [])
        why = f"{name!r}: same name as {entity.label} (spelling folded to {key!r})" if name != entity.label else ""
        return entity, why

    def seed_person(self, iri: str, label: str, mentions: int) -> None:
        """A person the store already holds (from earlier ingests), so that bare surnames of this
        batch can join it, and its own bare surname can join a full name of this batch. A title kept
        within its article ("the judge" of one article) is nobody's surname: not seeded."""
        if not iri.startswith(f"{ENTITY}person/"):
            return
        entity = self._get(iri, label, "Person")
        key = person_key(label)
        if len(key.split()) > 1:
            named = self._people.setdefault(key.split()[-1], {})
            named[iri] = named.get(iri, 0) + mentions
        elif key:
            self._bare.setdefault(iri, [])
        entity.attributions = max(entity.attributions, mentions)

    def publisher(self, name: str | None) -> str | None:
        """The outlet that published an article, by its name ("Newsweek"): a registered outlet, else one
        of the article's own name."""
        if not name or not name.strip():
            return None
        known = self.register.lookup(name)
        if known is not None:
            return self._registered(known, "")[0].iri
        return self._get(f"{ENTITY}newsoutlet/{slug(name)}", name.strip(), "NewsOutlet").iri

    def _channel(self, channel: str | None) -> str | None:
        """"on X", "on Telegram": the registered platform; a statement or an interview is no agent."""
        known = self.register.lookup(channel) if channel else None
        if known is None or known.type != "Platform":
            return None
        return self._registered(known, "")[0].iri

    def _recipient(self, recipient: str | None) -> str | None:
        """"told Newsweek", "told Ruben Brekelmans": a registered name, or a proper name typed by its
        words (an outlet's, a body's) or, with a first name, a person. "told reporters" is nobody in particular."""
        if not recipient or not is_proper_name(recipient) or recipient.casefold() in PRONOUNS:
            return None
        known = self.register.lookup(recipient)
        if known is not None:
            return self._registered(known, f"{recipient!r} is a name of {known.label} in the register")[0].iri
        if len(recipient.split()) > 1 and gender_of(recipient) is not None:
            return self._person(recipient)[0].iri
        typ = next((t for pattern, t in TYPE_WORDS if pattern.search(recipient)), "Organization")
        if re.search(r"\b(Times|Post|Journal|News|Radio|TV|Television|Magazine)\b", recipient):
            typ = "NewsOutlet"
        return self._get(f"{ENTITY}{typ.lower()}/{slug(recipient)}", recipient, typ).iri

    def finish(self) -> dict[str, str]:
        """Merge each bare surname into the person of that surname the corpus names most (ties: the
        first IRI in sorted order), and each unregistered one-word name taken for an organisation
        ("Baerbock said") into the person of that surname. Returns {old IRI: new IRI}; the sources
        resolved so far are updated. Call it once the batch is read; calling it again is harmless."""
        merged: dict[str, str] = {}
        for iri, sources in list(self._bare.items()):
            entity = self.entities[iri]
            candidates = self._people.get(person_key(entity.label).split()[-1], {})
            if not candidates:
                continue
            target = self.entities[min(candidates, key=lambda c: (-candidates[c], c))]
            why = f"{entity.label!r}: surname of {target.label}" + (
                f", the most named of {len(candidates)} people of that name" if len(candidates) > 1 else "")
            self._merge(entity, target, why)
            for source in sources:
                source.entity, source.type = target.iri, target.type
            merged[iri] = target.iri
            del self._bare[iri]
        return merged

    def tables(self) -> dict:
        """What finish() needs of this batch, as plain data that another process can take in (add):
        the entities with their names and counts, the people named in full by surname with their
        mentions, the bare surnames. Its entities in the order they were first seen."""
        return {"entities": [e.to_dict() for e in self.entities.values()], "people": self._people,
                "bare": list(self._bare)}

    def add(self, tables: dict) -> None:
        """Another batch's tables() taken in, as if its articles had been resolved here after this
        batch's: names and mentions added up, a person's fullest name kept, the rest as resolve()
        sets it. finish() then merges the surnames of both."""
        for seen in tables["entities"]:
            entity = self._get(seen["iri"], seen["label"], seen["type"])
            for name, n in seen["names"].items():
                entity.names[name] = entity.names.get(name, 0) + n
            entity.roles.update(seen["roles"])
            entity.affiliations.update(seen["affiliations"])
            entity.country = entity.country or seen["country"]
            entity.attributions += seen["attributions"]
        for surname, people in tables["people"].items():
            named = self._people.setdefault(surname, {})
            for iri, n in people.items():
                named[iri] = named.get(iri, 0) + n
        for iri in tables["bare"]:
            self._bare.setdefault(iri, [])

    def _merge(self, entity: Entity, target: Entity, why: str) -> None:
        for name, n in entity.names.items():
            target.names[name] = target.names.get(name, 0) + n
        target.roles |= entity.roles
        target.affiliations |= entity.affiliations
        target.country = target.country or entity.country
        target.attributions += entity.attributions
        target.why += [why, *entity.why]
        del self.entities[entity.iri]

    def _registered(self, known, why: str) -> tuple[Entity, str]:
        if known.type == "Country":  # "The U.S. confirmed", "Ukraine said": the country's government
            government = self.register.government_of(known.iri)
            if government is not None:
                why = f"{why}; a country speaking is its government, {government.label}"
                known = government
        entity = self._get(known.iri, known.label, known.type)
        entity.country = known.country or entity.country
        return entity, why

    def _speakers_country_body(self, r, records) -> tuple[Entity, str] | None:
        """"his country's intelligence", and bare "intelligence" that a country's official cites
        ("Zelenskyy ..., citing intelligence"): the country's own service, of the record that cites this one."""
        mention = r.source.mention.text.casefold()
        possessive = re.match(r"^(his|her|their|its) country['’]s ", mention)
        if not possessive and not BARE_INTELLIGENCE.match(mention):
            return None
        outer = next((o for o in records if o.cites == r.id and o.source is not None), None)
        country = self._country_in(outer.source.role or outer.source.mention.text) if outer else None
        if country is None:
            return None
        wanted = "IntelligenceAgency" if "intelligence" in mention else "GovernmentBody"
        candidates = [e for e in self.register.entities.values() if e.type == wanted and e.country == country.iri]
        # A defence minister's intelligence is the military service where the register has one.
        role = (outer.source.role or "").casefold()
        military = [e for e in candidates if re.search(r"military|defen[cs]e", " ".join(e.names), re.I)]
        if "defen" in role and military:
            candidates = military
        why = f"{r.source.mention.text!r}: of the country of {outer.source.name} ({country.label})"
        if len(candidates) == 1 or candidates and possessive:
            entity, _ = self._registered(candidates[0], "")
            return entity, f"{why}, {candidates[0].label}"
        if wanted != "IntelligenceAgency":
            return None
        # Several services and nothing to choose between them: the country's services as a whole.
        entity = self._get(f"{ENTITY}intelligenceagency/{slug(country.label)}-intelligence-services",
                           f"{country.label}'s intelligence services", wanted)
        entity.country = country.iri
        return entity, f"{why}, which has several"

    def _country_in(self, text: str):
        """The country a phrase names by its demonym or name ("Dutch Defense Minister" -> Netherlands)."""
        words = re.findall(r"[A-Z][\w.’']*(?:\s+[A-Z][\w.’']*)?", text)
        for phrase in words:
            for candidate in (phrase, phrase.split()[0]):
                country = self.register.country_of_demonym(candidate)
                entity = country or self.register.lookup(candidate)
                if entity is not None and entity.type == "Country":
                    return entity
        return None

    def _affiliation(self, role: str) -> str | None:
        """The registered body a role names: "spokesperson U.S. National Security Council" -> the NSC."""
        words = role.split()
        for size in range(len(words), 0, -1):
            for start in range(len(words) - size + 1):
                known = self.register.lookup(" ".join(words[start:start + size]))
                if known is not None and known.type != "Country":
                    self._get(known.iri, known.label, known.type)
                    return known.iri
        return None

    def _ministry(self, role: str, country: str | None) -> str | None:
        """"Dutch Defense Minister" -> the Dutch Ministry of Defence: a portfolio and a country."""
        portfolio = MINISTER.search(role)
        if portfolio is None or country is None:
            return None
        word = portfolio.group("a") or portfolio.group("b")
        for e in self.register.entities.values():
            if e.type == "GovernmentBody" and e.country == country and re.search(
                    rf"ministry\b.*\b{word[:5]}|\b{word[:5]}\w*\s+ministry", e.label, re.I):
                self._get(e.iri, e.label, e.type)
                return e.iri
        return None

    def _get(self, iri: str, label: str, typ: str) -> Entity:
        entity = self.entities.get(iri)
        if entity is None:
            entity = self.entities[iri] = Entity(iri, label, typ)
        elif typ == "Person" and len(label) > len(entity.label):
            entity.label = label  # the fullest form of a person's name
        return entity

    def explain(self, name: str) -> list[str]:
        """Why mentions were merged into the entity a name resolves to."""
        hits = [e for e in self.entities.values()
                if name_key(name) in {name_key(n) for n in [e.label, *e.names]}]
        return [f"{e.label} ({e.type}, {e.iri}): mentions {', '.join(repr(n) for n in e.names)}; "
                + ("; ".join(e.why) or "no merges") for e in hits]
