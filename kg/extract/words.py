"""Word lists that several stages read: who a pronoun or a role noun can be, and a name's gender.

Extraction (coref) resolves mentions with them; resolution (kg.resolve) and the RDF writer (kg.rdf)
use the same lists to tell a name from a pronoun. No spaCy here.
"""
from __future__ import annotations

import functools
from importlib import resources

# Nouns that describe what someone is: a description built on one points back to a source.
PERSON_ROLES = frozenset("""
    official president minister spokesman spokeswoman spokesperson secretary leader chancellor premier
    governor senator ambassador general commander chief director adviser advisor aide diplomat envoy
    prosecutor judge mayor lawmaker candidate nominee chairman chairwoman congressman congresswoman
    representative professor analyst expert researcher journalist reporter correspondent executive
""".split())
ROLE_NOUNS = PERSON_ROLES | frozenset("researchers journalists officials analysts experts reporters "
                                      "investigators lawmakers diplomats".split())
PERSON_PRONOUNS = frozenset("he she him her his hers i me we us".split())
PRONOUN_GENDER = {"he": "M", "him": "M", "his": "M", "she": "F", "her": "F", "hers": "F"}
GROUP_PRONOUNS = frozenset("they them their it its".split())
RELATIVE = frozenset("who which that whom".split())
HONORIFICS = frozenset("mr. mrs. ms. dr. sen. rep. gov. gen. mr mrs ms dr president".split())
# Month names and their abbreviations -> 1..12 ("sept" too): dates in context, and words that are no
# place or name when claims are compared (kg.corroborate).
MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
# Words that open a generic or hypothetical mention ("someone like Mr. Clarke", "anyone who", "you"):
# it speaks for nobody in particular, so it is no agent of the graph.
GENERIC = frozenset("someone somebody anyone anybody everyone everybody nobody whoever whomever you".split())
# Mentions that name nobody by themselves: no alias of the entity they point to.
NOT_NAMES = PERSON_PRONOUNS | GROUP_PRONOUNS | RELATIVE | frozenset("this these those each all".split())


def is_generic(mention: str) -> bool:
    """"someone like Mr. Clarke", "anyone who", "you", "no one": nobody in particular."""
    words = mention.casefold().split()
    return bool(words) and (words[0] in GENERIC or words[:2] == ["no", "one"])


def gender_of(name: str) -> str | None:
    """"M" or "F" from an honorific ("Mrs. Clinton") or a first name nearly always given to one
    gender (1990 U.S. Census lists, first_names.tsv); None when unknown."""
    words = name.split()
    if not words:
        return None
    first = words[0].lower()
    if first in ("mr.", "mr"):
        return "M"
    if first in ("mrs.", "mrs", "ms.", "ms", "miss"):
        return "F"
    return _first_names().get(words[0].capitalize()) if len(words) > 1 else None


@functools.cache
def _first_names() -> dict[str, str]:
    rows = (resources.files("kg.extract") / "first_names.tsv").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in rows if line and not line.startswith("#"))

# Platforms a statement is posted on ("on Telegram", "took to Twitter"), by the name a text uses.
PLATFORMS = {
    "x": "X", "twitter": "X", "telegram": "Telegram", "facebook": "Facebook", "instagram": "Instagram",
    "tiktok": "TikTok", "youtube": "YouTube", "truth social": "Truth Social", "weibo": "Weibo",
    "vk": "VK", "vkontakte": "VK", "linkedin": "LinkedIn", "threads": "Threads", "bluesky": "Bluesky",
    "reddit": "Reddit", "substack": "Substack",
}
