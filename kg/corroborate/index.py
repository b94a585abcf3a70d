"""The claim index: what the grouping knows of every claim, in SQLite (the stdlib's sqlite3), so that
new claims are grouped without re-reading the corpus and a regroup runs in bounded memory.

    index = Index(path)          # a file: claim-index.sqlite in a local store's directory
    index = Index()              # in memory: plain claim records, no store (kg.corroborate.build)

Tables: each claim with its record, its features (kg.corroborate.terms) and its group; the postings
of its terms (term, publication day, claim) through which a new claim finds its candidates; each
term's document frequency (the IDF weights) and each word's case counts (which words the corpus
capitalises: names); the similar pairs found (cosine >= CANDIDATE), the groups, the disputes
between claims and the contested groups last written. The index is derived data: kg.corroborate.groups
writes its identifier (`token`) with the groups into the store, and rebuilds both whenever they
disagree. Nothing here knows the store.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import fields
from datetime import date
from typing import Iterable, Iterator

from kg.corroborate.records import ClaimRecord
from kg.corroborate.terms import Features

VERSION = "4"                 # of the grouping: groups and an index of another version are rebuilt
FILE = "claim-index.sqlite"   # its name in a store's directory
RECORD = [f.name for f in fields(ClaimRecord)]
_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE claims (id INTEGER PRIMARY KEY, {', '.join(RECORD)}, day INTEGER, features TEXT, grp TEXT,
                     fresh INTEGER NOT NULL DEFAULT 0, weighed INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX claims_claim ON claims (claim);
CREATE INDEX claims_article ON claims (article);
CREATE INDEX claims_grp ON claims (grp);
CREATE INDEX claims_source ON claims (source);
CREATE INDEX claims_fresh ON claims (fresh) WHERE fresh;
CREATE INDEX claims_weighed ON claims (weighed);
CREATE TABLE postings (term TEXT, day INTEGER, claim INTEGER);
CREATE INDEX postings_term ON postings (term, day, claim);  -- covering: a probe reads the index alone
CREATE INDEX postings_claim ON postings (claim);
CREATE TABLE df (term TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID;
CREATE TABLE cases (word TEXT PRIMARY KEY, upper INTEGER, total INTEGER) WITHOUT ROWID;
CREATE TABLE pairs (a INTEGER, b INTEGER, s REAL, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE INDEX pairs_b ON pairs (b);
CREATE TABLE groups (iri TEXT PRIMARY KEY, label TEXT, sources INTEGER, size INTEGER) WITHOUT ROWID;
CREATE TABLE disputes (neg INTEGER, pos INTEGER, PRIMARY KEY (neg, pos)) WITHOUT ROWID;
CREATE INDEX disputes_pos ON disputes (pos);
CREATE TABLE contests (iri TEXT PRIMARY KEY, body TEXT) WITHOUT ROWID;
"""
_SET = frozenset({"amounts", "days", "years", "names", "places"})


def day_of(published: str | None) -> int | None:
    """An article's date as a day number (its first ten characters, an ISO date), or None."""
    try:
        return date.fromisoformat(published[:10]).toordinal() if published else None
    except ValueError:
        return None


def dump_features(f: Features) -> str:
    return json.dumps({k: sorted(v) if k in _SET else v for k, v in vars(f).items()}, separators=(",", ":"))


def load_features(text: str) -> Features:
    return Features(**{k: frozenset(v) if k in _SET else v for k, v in json.loads(text).items()})


class Index:
    """The claim index in SQLite (see the module): `path` a file, None in memory. Changes are one
    transaction until commit()."""

    def __init__(self, path: str | None = None):
        self.db = sqlite3.connect(path or ":memory:", isolation_level="DEFERRED")
        self.db.execute("PRAGMA journal_mode=WAL" if path else "PRAGMA journal_mode=MEMORY")
        self.db.execute("PRAGMA synchronous=NORMAL")
        if not self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
            self.db.executescript(_SCHEMA)
            self.db.executemany("INSERT INTO meta VALUES (?, ?)", [("version", VERSION), ("token", "")])
            self.db.commit()
        self._df: dict[str, int] = {}
        self.gone: list[dict] = []   # the groups remove() broke up, as they were (group() reports them)
        self.count = self.db.execute("SELECT COUNT(*) FROM claims").fetchone()[0]

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @property
    def token(self) -> str:
        """This index's identifier, written with the groups it made (kg.corroborate.groups)."""
        return self.meta("token")

    def new_token(self, changes: Iterable[str]) -> str:
        """A new identifier, from the last one and what changed (group IRIs): the same groups made
        the same way are named the same in every store (a store rebuilt after a crash exports as
        one that never crashed), and each change names the index anew."""
        digest = hashlib.sha1(self.token.encode("utf-8"))
        for iri in changes:
            digest.update(b"\n" + iri.encode("utf-8"))
        self.db.execute("UPDATE meta SET value = ? WHERE key = 'token'", (digest.hexdigest()[:16],))
        return self.token

    def figures(self) -> tuple[int, int, int, int, int, int]:
        """Claims, groups, groups of several claims, claims in them, groups of several independent
        sources, the largest group's size."""
        groups, multi, grouped, corroborated, largest = self.db.execute(
            "SELECT COUNT(*), SUM(size > 1), SUM(CASE WHEN size > 1 THEN size ELSE 0 END), SUM(sources > 1), "
            "MAX(size) FROM groups").fetchone()
        return self.count, groups, multi or 0, grouped or 0, corroborated or 0, largest or 0

    def commit(self) -> None:
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    # -- claims in and out -----------------------------------------------------------------

    def add(self, records: list[ClaimRecord], features: list[Features]) -> set[int]:
        """New claims (fresh until clear_fresh), with their postings and document frequencies. A
        claim already indexed is replaced: returns the other members of the groups such claims left."""
        left = self.remove(self.ids("claim", [r.claim for r in records]))
        rows = [(*(getattr(r, name) for name in RECORD), day_of(r.published), dump_features(f))
                for r, f in zip(records, features)]
        self.db.executemany(f"INSERT INTO claims ({', '.join(RECORD)}, day, features, fresh) "
                            f"VALUES ({', '.join('?' * (len(RECORD) + 2))}, 1)", rows)
        ids = self.ids("claim", [r.claim for r in records])
        postings, counts = [], {}
        for i, r, f in zip(ids, records, features):
            day = day_of(r.published)
            for t in set(f.terms):
                postings.append((t, day, i))
                counts[t] = counts.get(t, 0) + 1
        self.db.executemany("INSERT INTO postings VALUES (?, ?, ?)", postings)
        self._count_terms(counts, 1)
        self.count += len(records)
        return left

    def remove(self, ids: list[int]) -> set[int]:
        """Claims out of the index (an article ingested again): their postings, pairs and disputes
        too, and their groups (kept in `gone`). Returns the other members of those groups, in no group
        now (to be grouped again)."""
        if not ids:
            return set()
        left: set[int] = set()
        counts: dict[str, int] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            broken = [g for g, in self.db.execute(f"SELECT grp FROM claims WHERE id IN ({marks}) AND grp IS NOT NULL "
                                                  f"GROUP BY grp", chunk)]
            self.gone += [g for g in map(self.group, broken) if g]
            self.drop_groups(broken)
            for features, in self.db.execute(f"SELECT features FROM claims WHERE id IN ({marks})", chunk):
                for t in set(load_features(features).terms):
                    counts[t] = counts.get(t, 0) + 1
            left.update(i for i, in self.db.execute(
                f"SELECT id FROM claims WHERE grp IN (SELECT grp FROM claims WHERE id IN ({marks}))", chunk))
            for sql in ("DELETE FROM postings WHERE claim IN ({})", "DELETE FROM pairs WHERE a IN ({}) OR b IN ({})",
                        "DELETE FROM disputes WHERE neg IN ({}) OR pos IN ({})", "DELETE FROM claims WHERE id IN ({})"):
                self.db.execute(sql.format(marks, marks), chunk * sql.count("{}"))
        self._count_terms(counts, -1)
        self.count -= len(ids)
        left -= set(ids)
        self.db.executemany("UPDATE claims SET grp = NULL WHERE id = ?", [(i,) for i in left])
        return left

    def _count_terms(self, counts: dict[str, int], sign: int) -> None:
        self.db.executemany("INSERT INTO df VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET n = n + excluded.n",
                            [(t, sign * n) for t, n in counts.items()])
        self._df.clear()

    def ids(self, column: str, values: Iterable[str]) -> list[int]:
        """The ids of the claims whose `column` (claim, article, source) is one of `values`."""
        assert column in ("claim", "article", "source")
        out: list[int] = []
        for chunk in _chunks(list(values), 500):
            out += [i for i, in self.db.execute(
                f"SELECT id FROM claims WHERE {column} IN ({','.join('?' * len(chunk))}) ORDER BY id", chunk)]
        return out

    def set_source(self, old: str, new: str) -> set[int]:
        """A bare surname that joined its person: the claims of `old` are `new`'s; their groups' members
        (to be counted again)."""
        ids = self.ids("source", [old])
        self.db.execute("UPDATE claims SET source = ? WHERE source = ?", (new, old))
        return self.members_of_groups(ids) | set(ids)

    def members_of_groups(self, ids: Iterable[int]) -> set[int]:
        out: set[int] = set()
        for chunk in _chunks(list(ids), 500):
            out.update(i for i, in self.db.execute(
                f"SELECT id FROM claims WHERE grp IN (SELECT grp FROM claims WHERE id IN ({','.join('?' * len(chunk))}))",
                chunk))
        return out

    def records(self, ids: Iterable[int]) -> dict[int, tuple[ClaimRecord, Features]]:
        out = {}
        for chunk in _chunks(list(ids), 500):
            for row in self.db.execute(f"SELECT id, {', '.join(RECORD)}, features FROM claims "
                                       f"WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                out[row[0]] = (ClaimRecord(*row[1:-1]), load_features(row[-1]))
        return out

    def fresh_articles(self) -> Iterator[list[int]]:
        """The ids of the fresh claims, article by article (by date, then article)."""
        article, ids = None, []
        for i, a in self.db.execute("SELECT id, article FROM claims WHERE fresh ORDER BY day, article, id").fetchall():
            if a != article and ids:
                yield ids
                ids = []
            article = a
            ids.append(i)
        if ids:
            yield ids

    def stale(self, growth: float) -> list[int]:
        """The claims whose pairs were scored when the index held fewer than 1/`growth` of the claims
        it holds now."""
        return [i for i, in self.db.execute("SELECT id FROM claims WHERE weighed <= ?", (self.count / growth,))]

    def weighed(self, ids: list[int]) -> None:
        """The pairs of `ids` were scored with the weights of the index as it is."""
        self.db.executemany("UPDATE claims SET weighed = ? WHERE id = ?", [(self.count, i) for i in ids])

    def pairs_of(self, ids: list[int]) -> dict[tuple[int, int], float]:
        """The stored pairs with one of `ids` at either end."""
        out = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            out.update(((a, b), s) for a, b, s in self.db.execute(
                f"SELECT a, b, s FROM pairs WHERE a IN ({marks}) UNION SELECT a, b, s FROM pairs WHERE b IN ({marks})",
                chunk * 2))
        return out

    def drop_pairs(self, pairs: Iterable[tuple[int, int]]) -> None:
        self.db.executemany("DELETE FROM pairs WHERE a = ? AND b = ?", list(pairs))

    def fresh(self) -> list[int]:
        return [i for i, in self.db.execute("SELECT id FROM claims WHERE fresh")]

    def clear_fresh(self) -> None:
        self.db.execute("UPDATE claims SET fresh = 0 WHERE fresh")

    # -- what the grouping reads -----------------------------------------------------------

    def df(self, terms: Iterable[str]) -> dict[str, int]:
        """Each term's document frequency (0 for a term no claim holds)."""
        missing = [t for t in set(terms) if t not in self._df]
        for chunk in _chunks(missing, 500):
            found = dict(self.db.execute(f"SELECT term, n FROM df WHERE term IN ({','.join('?' * len(chunk))})", chunk))
            for t in chunk:
                self._df[t] = found.get(t, 0)
        return self._df

    def near(self, terms: list[str], day: int | None, window: int, shared: int) -> list[int]:
        """The claims holding at least `shared` of `terms`, published within `window` days of `day`
        (any day when `day` is None) or of no date."""
        marks = ",".join("?" * len(terms))
        if day is None:
            return [i for i, in self.db.execute(f"SELECT claim FROM postings WHERE term IN ({marks}) GROUP BY claim "
                                                f"HAVING COUNT(*) >= ?", (*terms, shared))]
        return [i for i, in self.db.execute(
            f"SELECT claim FROM postings WHERE term IN ({marks}) AND (day BETWEEN ? AND ? OR day IS NULL) "
            f"GROUP BY claim HAVING COUNT(*) >= ?", (*terms, day - window, day + window, shared))]

    def add_cases(self, counts: dict[str, tuple[int, int]]) -> None:
        self.db.executemany("INSERT INTO cases VALUES (?, ?, ?) ON CONFLICT (word) DO UPDATE SET "
                            "upper = upper + excluded.upper, total = total + excluded.total",
                            [(w, u, t) for w, (u, t) in counts.items()])

    def capitalised(self, words: Iterable[str]) -> dict[str, float]:
        """For each word the index has seen mid-sentence, the share of those times it was capitalised."""
        out = {}
        for chunk in _chunks(list(set(words)), 500):
            out.update((w, u / t) for w, u, t in self.db.execute(
                f"SELECT word, upper, total FROM cases WHERE word IN ({','.join('?' * len(chunk))})", chunk) if t)
        return out

    def add_pairs(self, pairs: dict[tuple[int, int], float]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO pairs VALUES (?, ?, ?)", [(a, b, s) for (a, b), s in pairs.items()])

    def neighbours(self, i: int, floor: float) -> list[int]:
        """The claims paired with claim i at `floor` or more, and the other members of its group."""
        return [j for j, in self.db.execute(
            "SELECT b FROM pairs WHERE a = ? AND s >= ? UNION SELECT a FROM pairs WHERE b = ? AND s >= ? "
            "UNION SELECT id FROM claims WHERE grp = (SELECT grp FROM claims WHERE id = ?)", (i, floor, i, floor, i))]

    def pairs_among(self, ids: list[int]) -> dict[tuple[int, int], float]:
        wanted, out = set(ids), {}
        for chunk in _chunks(ids, 500):
            for a, b, s in self.db.execute(f"SELECT a, b, s FROM pairs WHERE a IN ({','.join('?' * len(chunk))})",
                                           chunk):
                if b in wanted:
                    out[a, b] = s
        return out

    def add_disputes(self, pairs: Iterable[tuple[int, int]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO disputes VALUES (?, ?)", list(pairs))

    def dispute_links(self) -> list[tuple[str, str, str, str]]:
        """Every dispute: (negative claim, positive claim, their groups)."""
        return self.db.execute("SELECT n.claim, p.claim, n.grp, p.grp FROM disputes JOIN claims n ON n.id = neg "
                               "JOIN claims p ON p.id = pos ORDER BY 1, 2").fetchall()

    # -- groups ----------------------------------------------------------------------------

    def group_of(self, ids: Iterable[int]) -> dict[int, str | None]:
        out = {}
        for chunk in _chunks(list(ids), 500):
            out.update(self.db.execute(f"SELECT id, grp FROM claims WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def group(self, iri: str) -> dict | None:
        row = self.db.execute("SELECT label, sources FROM groups WHERE iri = ?", (iri,)).fetchone()
        if row is None:
            return None
        members = [c for c, in self.db.execute("SELECT claim FROM claims WHERE grp = ? ORDER BY claim", (iri,))]
        return {"iri": iri, "label": row[0], "sources": row[1], "members": members}

    def groups(self) -> Iterator[dict]:
        """Every group with its members (claim IRIs, sorted), by IRI."""
        iri, members, head = None, [], None
        for grp, claim, label, sources in self.db.execute(
                "SELECT g.iri, c.claim, g.label, g.sources FROM groups g JOIN claims c ON c.grp = g.iri "
                "ORDER BY g.iri, c.claim"):
            if grp != iri:
                if iri is not None:
                    yield {"iri": iri, "label": head[0], "sources": head[1], "members": members}
                iri, members, head = grp, [], (label, sources)
            members.append(claim)
        if iri is not None:
            yield {"iri": iri, "label": head[0], "sources": head[1], "members": members}

    def sizes(self, iris: Iterable[str]) -> dict[str, tuple[str, int]]:
        out = {}
        for chunk in _chunks(list(iris), 500):
            out.update((i, (label, size)) for i, label, size in self.db.execute(
                f"SELECT iri, label, size FROM groups WHERE iri IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def drop_groups(self, iris: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM groups WHERE iri = ?", [(i,) for i in iris])

    def put_group(self, g: dict, ids: list[int]) -> None:
        self.db.execute("INSERT OR REPLACE INTO groups VALUES (?, ?, ?, ?)",
                        (g["iri"], g["label"], g["sources"], len(ids)))
        self.db.executemany("UPDATE claims SET grp = ? WHERE id = ?", [(g["iri"], i) for i in ids])

    def contests(self) -> dict[str, dict]:
        return {iri: json.loads(body) for iri, body in self.db.execute("SELECT iri, body FROM contests")}

    def set_contests(self, contests: list[dict]) -> None:
        self.db.execute("DELETE FROM contests")
        self.db.executemany("INSERT INTO contests VALUES (?, ?)", [(c["iri"], json.dumps(c)) for c in contests])


def _chunks(items: list, size: int) -> Iterator[list]:
    for k in range(0, len(items), size):
        yield items[k:k + size]
