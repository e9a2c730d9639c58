"""The search index: build it, keep it up to date, search it. Only this module imports
Whoosh (`whoosh-reloaded`, frozen upstream), and only inside `WhooshEngine`, behind a
small interface (build, update, search, highlight) that another engine could implement.

The index folder (a per-user cache folder outside the checkout: an index is never
trusted from the tree, see index_store.py, which keeps the folder) holds generations:

    CURRENT        the name of the live generation; replaced atomically
    g-<stamp>/     one complete index: the engine's files and manifest.json
    tmp-<stamp>/   a generation being written; never read

A build or an update writes a new generation beside the live one, then points CURRENT
at it. A crash or Ctrl-C mid-build leaves CURRENT and the old generation untouched, and
a search running meanwhile keeps reading the generation it opened (the one before the
newest is kept for that reason). An update starts from a hard-linked copy of the live
generation (the engine never rewrites a file it has written) and re-indexes only the
records whose content hash changed, plus the remedies citing a statute that changed;
it removes records whose files are gone. The manifest keeps each file's size, mtime and
hash, so noticing that nothing changed costs one `stat` per file. Writers take turns,
and older generations go only while nobody reads (index_store.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .files import MAX_RECORD_BYTES, Refused, hidden, read_bytes
from .index_store import CURRENT, GEN_MARKER, INDEX_ENV, MANIFEST, IndexStore, check_writable
from .index_store import _write_atomic as _write_atomic
from .index_store import default_dir as _default_dir
from .kb import KB, KINDS, KBError, KBUsageError, is_inside, real
from .loader import load_file
from .understand import Understood, edit_distance, normalize, understand

__all__ = ["CURRENT", "INDEX_ENV", "MANIFEST"]
FORMAT = 3  # bump when the documents change shape: the next update rebuilds
RACY_NS = 2_000_000_000  # files changed this close to a build are hashed next time

Progress = Callable[[int, int], None]

# The fields plain words are looked up in, with their weights: what a record is (title,
# citations) over what it says (`text`: title, citations, summary and every field but
# notes and sources). Research notes have a field of their own, searched only when named
# (`notes:word`); sources are not indexed. The id is not searched by plain words (ids
# typed whole are: see `understand`). Each field searched costs a postings list per
# word, which is why the summary has none of its own.
QUERY_FIELDS = {"citation": 4.0, "title": 3.0, "text": 1.0}
FIELD_ALIASES = {"type": ["remedy_type"], "jurisdiction": ["state", "j"], "kind": ["record_type"]}
FIELDS = (
    "id",
    "kind",
    "jurisdiction",
    "type",
    "citation",
    "title",
    "summary",
    "text",
    "notes",
    "available",
    "status",
    "verification",
    "last_verified",
    "enacted",
    "effective",
)
# Remedies rank ahead of statutes that match about as well: what a survivor can seek
# is the usual question, and each remedy carries the citations of its statutes.
KIND_WEIGHT = {"remedy": 1.5, "statute": 1.0}
# Remedies whose availability is undetermined, or researched and absent, rank below
# available ones; pending bills below statutes in force.
AVAILABLE_WEIGHT = {"true": 1.0, "unknown": 0.55, "false": 0.45}
STATUS_WEIGHT = {"pending": 0.7, "repealed": 0.6}
# Records checked against the official text rank a little above those resting on
# secondary sources (whose citations are sometimes only "probably" known).
VERIFICATION_WEIGHT = {"official_text": 1.0, "secondary_source": 0.85, "unverified": 0.75}
JURISDICTION_BOOST = 3.0  # a jurisdiction named in the query, over federal law
TYPE_BOOST = 2.0  # a remedy of a type the query's words name
SECTION_BOOST = 3.0  # a section number found in a record's citation, over one in its text
CITATION_BOOST = 8.0  # the words of a citation with its number, in that order, in a citation
MARK = "**"  # matched words in snippets are wrapped in this
CODES_BREAK = "\n\n"  # in the text field, prose comes before it and codes after


class QueryError(KBUsageError):
    """A query that cannot be searched (exit 2)."""


# --- Documents: what gets indexed, engine-neutral ---------------------------------------


@dataclass(frozen=True)
class Document:
    """One record as the index sees it."""

    path: str  # relative to the knowledge base root: the unique key
    id: str
    kind: str
    jurisdiction: str
    title: str
    citation: str
    summary: str
    text: str
    remedy_type: str = ""
    available: str = ""
    status: str = ""
    verification: str = ""
    last_verified: str = ""
    enacted: str = ""
    effective: str = ""
    deps: tuple[str, ...] = ()  # statute ids whose citations this document carries
    parts: tuple[tuple[str, str], ...] = ()  # (label, prose) per field, for snippets
    notes: str = ""  # research notes: searched only when named (`notes:`), never a snippet

    @property
    def prior(self) -> float:
        """How much a match in this record is worth before the query is known."""
        return record_prior(self.kind, self.available, self.status, self.verification)


def record_prior(kind: str, available: str, status: str, verification: str) -> float:
    """Remedy over statute, available over undetermined or absent, in force over pending,
    official text over secondary sources: the weight of any match in such a record
    (`available` as indexed: "true", "false", "unknown")."""
    weight = KIND_WEIGHT.get(kind, 1.0)
    if kind == "remedy":
        weight *= AVAILABLE_WEIGHT.get(available, 0.55)
    weight *= STATUS_WEIGHT.get(status, 1.0)
    return weight * VERIFICATION_WEIGHT.get(verification, 0.85)


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    jurisdiction: str
    title: str
    citation: str
    remedy_type: str
    path: str
    score: float
    snippet: str  # matched words wrapped in MARK

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "jurisdiction": self.jurisdiction,
            "title": self.title,
            "citation": self.citation,
            "remedy_type": self.remedy_type or None,
            "score": round(self.score, 3),
            "snippet": self.snippet,
            "path": self.path,
        }


@dataclass(frozen=True)
class Filters:
    jurisdiction: str | None = None  # a registry code, e.g. US-NY
    remedy_type: str | None = None
    kind: str | None = None


# Top-level fields with a field of their own, or holding codes and dates.
_OWN_FIELDS = frozenset(
    {
        "id",
        "jurisdiction",
        "remedy_type",
        "title",
        "citation",
        "summary",
        "last_verified",
        "verification",
        "enacted",
        "effective",
        "related_statutes",
        "related_remedies",
        "notes",
        "sources",
    }
)
# Labels of snippet fields, by key (top level or nested); others are the key in words.
PART_LABELS = {
    "legal_basis": "Law",
    "forum": "Where to file",
    "how_to_file": "How to file",
    "notice_to_prosecutor": "Notice",
    "time_limit": "Deadline",
    "time_limits": "Time limits",
    "limitation_text": "Limitation period",
    "offenses_note": "Offenses",
    "nexus_text": "Connection to trafficking",
    "key_provisions": "Key provisions",
    "who_may_sue": "Who may sue",
    "evidence": "Evidence and burden of proof",
}
# Order in which fields are preferred for a snippet when they match equally well.
PART_ORDER = ("Summary", "Eligibility", "Time limits", "Deadline", "Key provisions")
# Keys anywhere whose values are addresses, dates or ids: not prose worth searching.
_SKIP_KEYS = frozenset(
    {
        "url",
        "official_text_url",
        "official_page",
        "source",
        "accessed",
        "published",
        "current_to",
        "decided",
        "status_date",
        "as_of",
        "date",
        "statute",
        "type",
    }
)


_CODE = re.compile(r"[a-z0-9_]+")


def _prose(value: Any, key: str = "", top: bool = False) -> Iterator[tuple[bool, str]]:
    """Every piece of text in a record, in file order, as (is a code, text); codes such
    as `as_a_result_of` read as words."""
    if key in _SKIP_KEYS:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not (top and k in _OWN_FIELDS):
                yield from _prose(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _prose(v, key)
    elif isinstance(value, str):
        if _CODE.fullmatch(value):
            yield True, value.replace("_", " ")
        else:
            yield False, " ".join(value.split())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield True, str(value)


def _parts(data: dict) -> list[tuple[str, str]]:
    """(label, prose) for each field of a record that holds prose, in file order: the
    summary, then e.g. ("Eligibility", ...), ("How to file", ...), ("Deadline", ...)."""
    out: list[tuple[str, str]] = []
    if data.get("summary"):
        out.append(("Summary", " ".join(str(data["summary"]).split())))
    for key, value in data.items():
        if key in _OWN_FIELDS or key in _SKIP_KEYS:
            continue
        if isinstance(value, dict):
            for sub, inner in value.items():
                _add_part(out, str(sub), inner)
        else:
            _add_part(out, str(key), value)
    return out


def _add_part(out: list[tuple[str, str]], key: str, value: Any) -> None:
    if key in _SKIP_KEYS:
        return
    text = " · ".join(t for code, t in _prose(value) if not code)
    if text:
        out.append((PART_LABELS.get(key, key.replace("_", " ").capitalize()), text))


def _s(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return str(value).lower()
    return str(value)


class DocumentMaker:
    """Turns record files into Documents, resolving statute citations (with a cache)."""

    def __init__(self, kb: KB) -> None:
        self.kb = kb
        self._statutes: dict[str, dict | None] = {}

    def remember(self, kind: str, data: dict) -> None:
        if kind == "statute" and isinstance(data.get("id"), str):
            self._statutes[data["id"]] = data

    def statute(self, statute_id: str) -> dict | None:
        if statute_id not in self._statutes:
            data = None
            with contextlib.suppress(KeyError):
                _, path = self.kb.find_record_path(statute_id, ("statute",))
                loaded = load_file(path, root=self.kb.root)  # a link out: refused
                data = loaded.data if isinstance(loaded.data, dict) else None
            self._statutes[statute_id] = data
        return self._statutes[statute_id]

    def citation(self, ref: dict) -> str:
        from .query import pinpoint_citation

        statute = self.statute(str(ref.get("statute")))
        if statute is None or not statute.get("citation"):
            return ""
        return pinpoint_citation(str(statute["citation"]), ref.get("pinpoint"))

    def make(self, kind: str, rel: str, data: dict) -> Document:
        deps: list[str] = []
        if kind == "remedy":
            refs = [r for r in data.get("legal_basis") or [] if isinstance(r, dict)]
            deps = [str(r.get("statute")) for r in refs]
            cites = list(dict.fromkeys(c for c in (self.citation(r) for r in refs) if c))
            citation = "; ".join(cites)
            extra: list[str] = []
        else:
            citation = _s(data.get("citation"))
            related = [str(r) for r in data.get("related_statutes") or []]
            deps = related
            extra = [
                c for c in (self.citation({"statute": r}) for r in related) if c
            ]  # what it links to, so "1591" also finds the statutes citing § 1591
        parts = _parts(data)
        pieces = list(_prose(data, top=True))
        # prose (snippets come from it), then after a break codes and linked citations
        prose = " · ".join(t for code, t in pieces if not code)
        codes = " · ".join([*(t for code, t in pieces if code), *extra])
        text = f"{prose}{CODES_BREAK}{codes}" if codes else prose
        return Document(
            path=rel,
            id=_s(data.get("id")) or Path(rel).stem,
            kind=kind,
            jurisdiction=_s(data.get("jurisdiction")),
            title=_s(data.get("title")),
            citation=citation,
            summary=_s(data.get("summary")),
            text=text,
            remedy_type=_s(data.get("remedy_type")),
            available=_s(data.get("available")),
            status=_s(data.get("status")),
            verification=_s(data.get("verification")),
            last_verified=_s(data.get("last_verified")),
            enacted=_s(data.get("enacted")),
            effective=_s(data.get("effective")),
            deps=tuple(dict.fromkeys(d for d in deps if d)),
            parts=tuple(parts),
            notes=" ".join(t for _, t in _prose(data.get("notes"))),
        )


# --- The engine interface, and Whoosh behind it ----------------------------------------


class Engine(Protocol):
    name: str

    def build(self, directory: Path, docs: Iterable[Document]) -> None:
        """Write a new index of `docs` into the empty folder `directory`."""

    def update(self, directory: Path, remove: Iterable[str], add: Iterable[Document]) -> None:
        """Change the index in `directory` (a private copy): drop paths, add documents."""

    def search(
        self, directory: Path, query: Understood, filters: Filters, limit: int
    ) -> tuple[list[tuple[dict, float, set[str]]], int]:
        """(stored fields, score, matched words) of the best hits, and the exact total.
        May fill in `query.corrections` and `query.suggestions`."""

    def highlight(self, parts: list[tuple[str, str]], words: set[str]) -> str:
        """The field of `parts` that best matches `words`, labelled, matches in MARK."""

    def close(self) -> None:
        """Release whatever `search` keeps open."""


class WhooshEngine:
    """whoosh-reloaded 2.7.5: BM25F ranking, a stemming analyzer, phrase queries.

    Plain words are matched in the citation, the title and `text` (the operative
    content: title, citation, summary and every field of the record but its notes and
    sources); research notes only when named (`notes:`). A natural query
    (see `understand`) ORs its words, adds a bonus for the words appearing together,
    and keeps to the jurisdictions it names (and federal law); section numbers weigh
    more in the citation. Every score is then
    multiplied by the record's prior (remedy over statute, available over undetermined)
    and by the boosts of the query's jurisdictions and remedy types, through
    `weighting.final`; that turns Whoosh's block skipping off, and the collector never
    swaps matchers either, so every match is counted and the total is exact.
    """

    name = "whoosh-reloaded-2.7.5/6"

    def __init__(self) -> None:
        from whoosh import analysis, columns, fields

        self.analyzer = analysis.StemmingAnalyzer()
        spelling = analysis.RegexTokenizer(r"[A-Za-z]{4,}") | analysis.LowercaseFilter()
        self._stems: dict[str, str] = {}
        self.keep_open = False
        self._open: tuple[str, Any] | None = None
        self.schema = fields.Schema(
            path=fields.ID(stored=True, unique=True),
            id=fields.ID(stored=True),
            kind=fields.ID(stored=True, sortable=columns.RefBytesColumn()),
            jurisdiction=fields.KEYWORD(lowercase=True, scorable=False),
            jcode=fields.STORED(),
            type=fields.ID(stored=True),
            facet=fields.COLUMN(columns.RefBytesColumn()),  # jurisdiction|type|prior
            citation=fields.TEXT(analyzer=self.analyzer),
            title=fields.TEXT(analyzer=self.analyzer),
            summary=fields.TEXT(analyzer=self.analyzer),
            text=fields.TEXT(analyzer=self.analyzer),
            notes=fields.TEXT(analyzer=self.analyzer),
            words=fields.TEXT(analyzer=spelling, phrase=False),  # unstemmed, for spelling
            show=fields.STORED(),  # title, citation, summary as written
            parts=fields.STORED(),
            deps=fields.STORED(),
            available=fields.ID(),
            status=fields.ID(),
            verification=fields.ID(),
            last_verified=fields.ID(stored=True),
            enacted=fields.ID(),
            effective=fields.ID(),
        )

    @staticmethod
    def _fields(doc: Document) -> dict[str, Any]:
        code = doc.jurisdiction
        short = code.split("-", 1)[1] if "-" in code else ""
        full = " · ".join(x for x in (doc.title, doc.citation, doc.summary, doc.text) if x)
        out: dict[str, Any] = {
            "path": doc.path,
            "id": doc.id,
            "kind": doc.kind,
            "jurisdiction": f"{code} {short}".strip(),
            "jcode": code,
            "type": doc.remedy_type,
            "facet": f"{code}|{doc.remedy_type}|{doc.prior:.4f}".encode(),
            "citation": normalize(doc.citation),
            "title": normalize(doc.title),
            "summary": normalize(doc.summary),
            "text": normalize(full),
            "notes": normalize(doc.notes),
            "words": normalize(" ".join(t for _, t in doc.parts) + " " + doc.title),
            "show": {"title": doc.title, "citation": doc.citation, "summary": doc.summary},
            "parts": [list(p) for p in doc.parts],
            "deps": list(doc.deps),
            "available": doc.available,
            "status": doc.status,
            "verification": doc.verification,
            "last_verified": doc.last_verified,
            "enacted": doc.enacted,
            "effective": doc.effective,
        }
        return {k: v for k, v in out.items() if v != "" and v != []}

    def build(self, directory: Path, docs: Iterable[Document]) -> None:
        from whoosh import index

        ix = index.create_in(str(directory), self.schema)
        writer = ix.writer(limitmb=256)
        try:
            for doc in docs:
                writer.add_document(**self._fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def update(self, directory: Path, remove: Iterable[str], add: Iterable[Document]) -> None:
        from whoosh import index

        ix = index.open_dir(str(directory))
        writer = ix.writer()
        try:
            for path in remove:
                writer.delete_by_term("path", path)
            for doc in add:
                writer.add_document(**self._fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def parse(self, schema: Any, text: str) -> Any:
        """An advanced query (field:value, AND/OR/NOT, wildcards) in Whoosh's syntax."""
        from whoosh import qparser, query

        parser = qparser.MultifieldParser(list(QUERY_FIELDS), schema, fieldboosts=QUERY_FIELDS)
        parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
        try:
            parsed = parser.parse(normalize(text, query=True))
        except Exception as exc:  # the parser is lenient; anything it raises is the query's fault
            raise QueryError(f"cannot read the query {text!r}: {exc}") from None
        if parsed is query.NullQuery or isinstance(parsed, type(query.NullQuery)):
            raise QueryError(
                f"nothing to search for in {text!r}: very common words like 'the' are "
                "ignored; add a more specific word"
            )
        return parsed

    def _stem_all(self, text: str) -> list[str]:
        return [t.text for t in self.analyzer(normalize(text, query=True))]

    def _stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            if len(self._stems) > 200_000:
                self._stems.clear()
            stem = self._stems[word] = next((t.text for t in self.analyzer(word)), "")
        return stem

    def natural(self, q: Understood) -> tuple[Any, set[str]]:
        """The Whoosh query for a natural query, and the stems it looks for."""
        from whoosh import query

        stems: list[str] = []
        for word in q.words:
            for stem in self._stem_all(q.corrections.get(word, word)):
                if stem not in stems:
                    stems.append(stem)
        groups: list[Any] = [
            query.Or([query.Term(f, s, boost=w * _section(f, s)) for f, w in QUERY_FIELDS.items()])
            for s in stems
        ]
        groups += [query.Term("id", i, boost=10.0) for i in q.ids]
        if 2 <= len(stems) <= 6:  # the words together, as typed, are worth more
            groups.append(query.Phrase("text", stems, slop=3, boost=2.0))
            if any(c.isdigit() for s in stems for c in s):  # a citation typed out whole
                groups.append(query.Phrase("citation", stems, slop=1, boost=CITATION_BOOST))
        phrases = []
        for phrase in q.phrases:
            pstems = self._stem_all(phrase)
            if len(pstems) == 1:
                phrases.append(
                    query.Or([query.Term(f, pstems[0], boost=w) for f, w in QUERY_FIELDS.items()])
                )
            elif pstems:
                phrases.append(
                    query.Or([query.Phrase(f, pstems, boost=w) for f, w in QUERY_FIELDS.items()])
                )
            stems += [s for s in pstems if s not in stems]
        if not groups and not phrases and q.jurisdictions:  # "Texas": all of its records
            groups.append(
                query.ConstantScoreQuery(
                    query.Or([query.Term("jurisdiction", c.lower()) for c in q.jurisdictions]),
                    1.0,
                )
            )
        if not groups and not phrases:
            raise QueryError(_nothing_left(q))
        base = query.Or(groups) if len(groups) > 1 else (groups[0] if groups else None)
        if phrases:
            required = query.And(phrases) if len(phrases) > 1 else phrases[0]
            return (query.AndMaybe(required, base) if base is not None else required), set(stems)
        return base, set(stems)

    def spell(self, reader: Any, q: Understood) -> None:
        """Fill in `q.suggestions` for words no record contains, and `q.corrections` where
        the suggestion means something else than what the typed word stems to."""
        for word in list(q.words):
            if not word.isalpha() or len(word) < 4 or reader.doc_frequency("words", word):
                continue
            near = q.near_jurisdictions.get(word)
            if near is not None:  # "Tennesee": a jurisdiction, misspelt
                code, name = near
                q.words.remove(word)
                if code not in q.jurisdictions:
                    q.jurisdictions.append(code)
                q.corrections[word] = name
                continue
            maxdist = 1 if len(word) <= 5 else 2
            best: tuple[int, int, str] | None = None
            for cand in reader.terms_within("words", word, maxdist):
                cand = cand.decode() if isinstance(cand, bytes) else str(cand)
                if cand == word:
                    continue
                key = (edit_distance(word, cand), -reader.doc_frequency("words", cand), cand)
                if best is None or key < best:
                    best = key
            if best is None:
                continue
            cand = best[2]
            stem, cstem = self._stem(word), self._stem(cand)
            known = reader.doc_frequency("text", stem) if stem else 0
            if cstem == stem and known:
                continue  # the typo stems to the right word: it is found anyway
            q.suggestions[word] = cand
            if not known or -best[1] >= 5 * known:
                q.corrections[word] = cand

    def _searcher(self, directory: Path) -> Any:
        """A searcher on a generation; kept open between searches when `keep_open` (a
        generation never changes once written, so a cached searcher never goes stale)."""
        from whoosh import index

        key = str(directory)
        if self._open is not None and self._open[0] == key:
            return self._open[1]
        self.close()
        try:
            opened = index.open_dir(key)
        except index.EmptyIndexError:  # removed meanwhile: the caller reads the new one
            raise FileNotFoundError(key) from None
        searcher = opened.searcher(weighting=_ranking())
        if self.keep_open:
            self._open = (key, searcher)
        return searcher

    def close(self) -> None:
        if self._open is not None:
            self._open[1].close()
            self._open = None

    def search(
        self, directory: Path, q: Understood, filters: Filters, limit: int
    ) -> tuple[list[tuple[dict, float, set[str]]], int]:
        from whoosh import query

        searcher = self._searcher(directory)
        try:
            reader = searcher.reader()
            weighting = searcher.weighting
            named: set[str] = set()
            if q.advanced:
                parsed = self.parse(searcher.schema, q.text)
                words = {
                    t.decode("utf-8") if isinstance(t, bytes) else str(t)
                    for leaf in parsed.leaves()
                    for name, t in leaf.expanded_terms(reader, phrases=True)
                    if name in QUERY_FIELDS or name == "summary"
                }
            else:
                self.spell(reader, q)
                parsed, words = self.natural(q)
                named = set(q.jurisdictions)
            terms = [
                query.Term(name, value.lower())
                for name, value in (
                    ("jurisdiction", filters.jurisdiction),
                    ("type", filters.remedy_type),
                    ("kind", filters.kind),
                )
                if value
            ]
            # Filters join the query as zero-score terms: intersecting postings skips
            # ahead, where Whoosh's filter= tests every match against a bit set
            zero = [query.ConstantScoreQuery(t, 0.0) for t in terms]
            within: list[Any] = []
            if named and not filters.jurisdiction:
                codes = set(named)
                if any(c.startswith("US-") for c in codes):
                    codes.add("US")  # federal law applies in every state
                within = [
                    query.ConstantScoreQuery(
                        query.Or([query.Term("jurisdiction", c.lower()) for c in sorted(codes)]),
                        0.0,
                    )
                ]
            weighting.boosts(named, set(q.remedy_types))
            results, total = self._collect(searcher, parsed, [*zero, *within], limit)
            if not total and within:  # nothing there: the same words anywhere
                results, total = self._collect(searcher, parsed, zero, limit)
                q.widened = bool(total)
            hits = [(_stored(hit.fields()), float(hit.score or 0.0), words) for hit in results]
            return _statutes_after_remedies(hits), total
        finally:
            weighting = getattr(searcher, "weighting", None)
            if weighting is not None and hasattr(weighting, "boosts"):
                weighting.boosts(set(), set())
            if not self.keep_open:
                searcher.close()

    @staticmethod
    def _collect(searcher: Any, parsed: Any, filters: list[Any], limit: int) -> tuple[Any, int]:
        from whoosh import collectors, query

        wanted = query.And([parsed, *filters]) if filters else parsed
        # replace=0: the collector never swaps the matcher for one that skips documents
        # scoring below the current top N (which turned an OR into an AND and lost count)
        collector = collectors.TopCollector(limit, usequality=False, replace=0)
        searcher.search_with_collector(wanted, collector)
        return collector.results(), collector.total

    def highlight(self, parts: list[tuple[str, str]], words: set[str]) -> str:
        """The field of `parts` matching the most distinct words, labelled ("Eligibility:
        ..."), with up to two passages around the matches.

        Whoosh's own highlighter re-analyses every token through its filter chain
        (about 2 ms a record); this scans with the same tokenizer pattern and stems
        each distinct word once (cached), which is a tenth of that."""
        if not words or not parts:
            return ""
        best: tuple[tuple[int, int], str, str, list[tuple[int, int]]] | None = None
        for n, (label, text) in enumerate(parts):
            marks: list[tuple[int, int]] = []
            found: set[str] = set()
            for match in _WORD.finditer(text):
                stem = self._stem(match.group().lower())
                if stem in words:
                    marks.append(match.span())
                    found.add(stem)
            if not marks:
                continue
            rank = PART_ORDER.index(label) if label in PART_ORDER else len(PART_ORDER) + n
            key = (len(found), -rank)
            if best is None or key > best[0]:
                best = (key, label, text, marks)
        if best is None:
            return ""
        return f"{best[1]}: {_passages(best[2], best[3])}"


def _section(field_name: str, stem: str) -> float:
    """The extra weight of a number ("1591", "440.10") in the citation field."""
    if field_name == "citation" and any(c.isdigit() for c in stem):
        return SECTION_BOOST
    return 1.0


def _nothing_left(q: Understood) -> str:
    ignored = ", ".join(repr(w) for w in dict.fromkeys(q.ignored)) or repr(q.text)
    return (
        f"nothing to search for in {q.text!r}: very common words and single letters "
        f"({ignored}) are ignored; add a more specific word, e.g. vacatur, "
        "'civil action' or a state"
    )


def _stored(fields: dict) -> dict:
    """A hit's stored fields, with the title, citation and summary as written."""
    out = dict(fields)
    out.update(out.pop("show", None) or {})
    return out


def _statutes_after_remedies(
    hits: list[tuple[dict, float, set[str]]],
) -> list[tuple[dict, float, set[str]]]:
    """A statute listed above a remedy that applies it moves to just below that remedy."""
    order = list(hits)
    for item in list(order):
        stored = item[0]
        if stored.get("kind") != "statute":
            continue
        sid = stored.get("id")
        pos = order.index(item)
        below = [
            i
            for i, other in enumerate(order)
            if i > pos and other[0].get("kind") == "remedy" and sid in (other[0].get("deps") or ())
        ]
        if below:
            order.insert(below[0], order.pop(pos))
    return order


def _ranking() -> Any:
    """BM25F, each document's score multiplied by its prior (kind, availability, status)
    and by the boosts of the jurisdictions and remedy types the query names."""
    from whoosh import scoring

    class Ranked(scoring.BM25F):
        use_final = True

        def __init__(self) -> None:
            super().__init__()
            self.named: set[str] = set()
            self.types: set[str] = set()
            # per reader: (reader, its facet column, facets already read by document)
            self._facets: dict[int, tuple[Any, Any, dict[int, tuple[str, str, float]]]] = {}
            self._parsed: dict[bytes, tuple[str, str, float]] = {}

        def boosts(self, named: set[str], types: set[str]) -> None:
            self.named, self.types = named, types

        def final(self, searcher: Any, docnum: int, score: float) -> float:
            reader = searcher.reader()
            entry = self._facets.get(id(reader))
            if entry is None:
                column = reader.column_reader("facet") if reader.has_column("facet") else None
                entry = self._facets[id(reader)] = (reader, column, {})
            facet = entry[2].get(docnum)  # read once per document while the searcher lives
            if facet is None:
                if entry[1] is None:
                    return score
                raw = entry[1][docnum]
                facet = self._parsed.get(raw)
                if facet is None:
                    j, t, p = raw.decode().split("|")
                    facet = self._parsed[raw] = (j, t, float(p))
                entry[2][docnum] = facet
            score *= facet[2]
            if facet[0] in self.named:
                score *= JURISDICTION_BOOST
            if facet[1] in self.types:
                score *= TYPE_BOOST
            return score

    return Ranked()


_WORD = re.compile(r"\w+(?:\.?\w+)*")  # Whoosh's default tokenizer pattern
PASSAGE = 160  # characters of context per passage, at most two passages


def _passages(text: str, marks: list[tuple[int, int]]) -> str:
    """Up to two passages around the marked spans, marks wrapped in MARK, cut at spaces."""
    out: list[str] = []
    i = 0
    while i < len(marks) and len(out) < 2:
        start = max(0, marks[i][0] - PASSAGE // 3)
        end = min(len(text), start + PASSAGE)
        if start > 0:  # begin at a word
            space = text.find(" ", start, marks[i][0])
            start = space + 1 if space >= 0 else marks[i][0]
        if end < len(text):  # end at a word, after the first mark at least
            space = text.rfind(" ", marks[i][1], end)
            end = space if space >= 0 else max(end, marks[i][1])
        pieces, pos = [], start
        while i < len(marks) and marks[i][1] <= end:
            a, b = marks[i]
            pieces += [text[pos:a], MARK, text[a:b], MARK]
            pos = b
            i += 1
        pieces.append(text[pos:end])
        body = " ".join("".join(pieces).split()).strip(" ·").rstrip(" ·-–,;:")
        out.append(("… " if start > 0 else "") + body + (" …" if end < len(text) else ""))
    return " ".join(out).replace("… …", "…")


# --- Generations, manifest and change detection: engine-neutral ------------------------


@dataclass
class Entry:
    """What the manifest remembers about one record file."""

    id: str
    kind: str
    size: int
    mtime_ns: int  # -1 when the stat cannot be trusted (written too close to the build)
    sha: str
    deps: list[str] = field(default_factory=list)
    ok: bool = True  # False: the file could not be read, so it is not in the index

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class Plan:
    """What an update would do."""

    full: bool  # build from scratch (no index, a new format, --rebuild)
    reason: str = ""
    changed: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # path -> stat, sha
    removed: list[str] = field(default_factory=list)
    refresh: dict[str, tuple[int, int]] = field(default_factory=dict)  # same content, new stat
    files: int = 0

    @property
    def stale(self) -> bool:
        return self.full or bool(self.changed or self.removed)


@dataclass
class BuildStats:
    full: bool
    records: int = 0  # in the index afterwards
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # files that could not be read
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class Results:
    query: str
    hits: list[Hit]
    total: int
    updated: BuildStats | None = None  # the update made before searching, if any
    stale: Plan | None = None  # pending changes not applied (--no-update)
    understood: Understood | None = None  # how the query was read

    def as_dict(self) -> dict:
        out: dict[str, Any] = {
            "query": self.query,
            "total": self.total,
            "results": [h.as_dict() for h in self.hits],
        }
        if self.understood is not None and self.understood.as_dict():
            out["understood"] = self.understood.as_dict()
        if self.stale is not None and self.stale.stale:
            out["stale"] = {
                "changed": len(self.stale.changed),
                "removed": len(self.stale.removed),
            }
        return out


def default_dir(kb: KB, override: str | os.PathLike | None = None) -> Path:
    """The index folder: `override`, $KBTOOL_INDEX_DIR, or a per-user cache folder
    outside the checkout (index_store.default_dir)."""
    return _default_dir(kb, override)


def _sha(raw: bytes) -> str:
    return hashlib.sha1(raw, usedforsecurity=False).hexdigest()


class SearchIndex:
    """The index of one knowledge base, in one folder.

    With `keep_open`, searches reuse one open searcher until the live generation
    changes (for long-running processes; close() or `with` releases it)."""

    def __init__(
        self,
        kb: KB,
        directory: Path | None = None,
        engine: Engine | None = None,
        keep_open: bool = False,
    ):
        self.kb = kb
        self.directory = directory or default_dir(kb)
        self._engine = engine
        self.keep_open = keep_open
        self.store = IndexStore(kb, self.directory)
        self.store.check()  # before anything in the folder is read

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = WhooshEngine()
        if getattr(self._engine, "keep_open", None) is not None:
            self._engine.keep_open = self.keep_open  # type: ignore[attr-defined]
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
        self.store.release_reader()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # reading the live generation

    def current(self) -> Path | None:
        """The live generation's folder, or None when there is no index yet."""
        return self.store.current()

    def manifest(self, gen: Path | None = None) -> dict:
        gen = gen or self.current()
        if gen is None:
            return {}
        try:
            return json.loads((gen / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError):
            return {}

    # change detection

    def _files(self) -> dict[str, tuple[str, str]]:
        """Record files as `kb.record_files` finds them (<folder>/<jurisdiction>/<id>.yaml),
        by relative path; with os.scandir, as this runs before every search."""
        out: dict[str, tuple[str, str]] = {}
        root = real(self.kb.root) or self.kb.root

        def stays(entry: os.DirEntry) -> bool:  # hidden names and links out: never read
            if hidden(entry.name):
                return False
            if not entry.is_symlink():
                return True
            target = real(Path(entry.path))
            return target is not None and is_inside(target, root)

        for kind in KINDS:
            base = self.kb.folder(kind)
            if not self.kb.inside(base):
                continue
            try:
                folders = sorted(
                    (e for e in os.scandir(base) if stays(e) and e.is_dir()), key=lambda e: e.name
                )
            except (FileNotFoundError, NotADirectoryError):
                continue
            for folder in folders:
                prefix = f"{base.name}/{folder.name}/"
                try:
                    entries = sorted(
                        (e for e in os.scandir(folder.path) if stays(e)), key=lambda e: e.name
                    )
                except OSError:
                    continue
                for entry in entries:
                    if entry.name.endswith(".yaml"):
                        out[prefix + entry.name] = (kind, entry.path)
        return out

    def plan(self, rebuild: bool = False) -> Plan:
        """Compare the files with the manifest: stat first, content hash when the stat differs."""
        files = self._files()
        manifest = self.manifest()
        engine_name = getattr(self._engine, "name", WhooshEngine.name)
        if rebuild or not manifest:
            return Plan(full=True, reason="rebuild" if rebuild else "no index", files=len(files))
        if manifest.get("format") != FORMAT or manifest.get("engine") != engine_name:
            return Plan(full=True, reason="index format changed", files=len(files))
        known: dict[str, dict] = manifest.get("records", {})
        plan = Plan(full=False, files=len(files))
        plan.removed = sorted(set(known) - set(files))
        for rel, (_kind, path) in files.items():
            try:
                st = os.stat(path)
            except OSError:
                plan.removed.append(rel)
                continue
            entry = known.get(rel)
            if entry and entry["size"] == st.st_size and entry["mtime_ns"] == st.st_mtime_ns:
                continue
            try:
                sha = _sha(read_bytes(Path(path), self.kb.root, MAX_RECORD_BYTES))
            except Refused:
                sha = ""
            if entry and entry["sha"] == sha:
                plan.refresh[rel] = (st.st_size, st.st_mtime_ns)
            else:
                plan.changed[rel] = (st.st_size, st.st_mtime_ns, sha)
        return plan

    # writing

    def update(
        self, rebuild: bool = False, progress: Progress | None = None, plan: Plan | None = None
    ) -> BuildStats:
        """Bring the index up to date (or rebuild it) and make it live atomically.

        One writer at a time: under the writer lock the plan is made again (`plan` only
        says whether a rebuild was asked for), since a writer that waited may find the
        index already brought up to date. A failed write (full disk, read-only folder)
        is a KBError saying so."""
        rebuild = rebuild or (plan is not None and plan.reason == "rebuild")
        try:
            with self.store.writing():
                return self._update_locked(rebuild, progress)
        except OSError as exc:
            raise check_writable(self.directory, exc) from None

    def _update_locked(self, rebuild: bool, progress: Progress | None) -> BuildStats:
        started = time.monotonic()
        start_ns = time.time_ns()
        plan = self.plan(rebuild)
        if not plan.stale and not plan.refresh:
            manifest = self.manifest()
            records = manifest.get("records", {})
            return BuildStats(
                full=False,
                records=sum(1 for e in records.values() if e.get("ok", True)),
                unchanged=len(records),
                skipped=sorted(p for p, e in records.items() if not e.get("ok", True)),
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        if not plan.stale:  # only stats moved (e.g. a touch): refresh the manifest in place
            gen = self.current()
            assert gen is not None
            manifest = self.manifest(gen)
            for rel, (size, mtime) in plan.refresh.items():
                entry = manifest["records"][rel]
                entry["size"] = size
                entry["mtime_ns"] = mtime if mtime < start_ns - RACY_NS else -1
            _write_atomic(gen / MANIFEST, json.dumps(manifest, separators=(",", ":")))
            records = manifest["records"]
            return BuildStats(
                full=False,
                records=sum(1 for e in records.values() if e.get("ok", True)),
                unchanged=len(records),
                skipped=sorted(p for p, e in records.items() if not e.get("ok", True)),
                seconds=time.monotonic() - started,
            )
        tmp = self.store.new_generation()
        try:
            if plan.full:
                stats, records = self._build(tmp, start_ns, progress)
            else:
                stats, records = self._update(tmp, plan, start_ns, progress)
            manifest = {
                "format": FORMAT,
                "engine": self.engine.name,
                "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "records": {k: v.as_dict() for k, v in sorted(records.items())},
            }
            _write_atomic(tmp / MANIFEST, json.dumps(manifest, separators=(",", ":")))
            self.store.swap(tmp)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        stats.seconds = time.monotonic() - started
        return stats

    def _entry(self, kind: str, path: Path, sha: str, size: int, mtime: int, start_ns: int):
        return Entry(
            id=path.stem,
            kind=kind,
            size=size,
            mtime_ns=mtime if mtime < start_ns - RACY_NS else -1,
            sha=sha,
        )

    def _read(
        self, maker: DocumentMaker, kind: str, rel: str, name: str, start_ns: int
    ) -> tuple[Entry, Document | None]:
        path = Path(name)
        try:  # through the gate: inside the checkout, a regular file, size-capped
            raw = read_bytes(path, self.kb.root, MAX_RECORD_BYTES)
            st = path.stat()
        except (Refused, OSError):
            return Entry(path.stem, kind, -1, -1, "", ok=False), None
        entry = self._entry(kind, path, _sha(raw), st.st_size, st.st_mtime_ns, start_ns)
        loaded = load_file(path, rel, root=self.kb.root)
        if not isinstance(loaded.data, dict):
            entry.ok = False
            return entry, None
        maker.remember(kind, loaded.data)
        doc = maker.make(kind, rel, loaded.data)
        entry.id, entry.deps = doc.id, list(doc.deps)
        return entry, doc

    def _build(self, tmp: Path, start_ns: int, progress: Progress | None):
        tmp.mkdir(parents=True, exist_ok=True)
        files = self._files()
        maker = DocumentMaker(self.kb)
        records: dict[str, Entry] = {}
        stats = BuildStats(full=True)
        # statutes first, so remedies find their citations already read
        order = sorted(files.items(), key=lambda kv: (kv[1][0] != "statute", kv[0]))
        total = len(order)

        def docs() -> Iterator[Document]:
            for done, (rel, (kind, path)) in enumerate(order, 1):
                entry, doc = self._read(maker, kind, rel, path, start_ns)
                records[rel] = entry
                if progress is not None:
                    progress(done, total)
                if doc is None:
                    stats.skipped.append(rel)
                    continue
                stats.added += 1
                yield doc

        self.engine.build(tmp, docs())
        stats.records = stats.added
        stats.skipped.sort()
        return stats, records

    def _update(self, tmp: Path, plan: Plan, start_ns: int, progress: Progress | None):
        gen = self.current()
        assert gen is not None
        manifest = self.manifest(gen)
        records = {rel: Entry(**e) for rel, e in manifest["records"].items()}
        _link_copy(gen, tmp)
        files = self._files()
        maker = DocumentMaker(self.kb)
        stats = BuildStats(full=False)
        touched = {records[r].id for r in plan.removed if r in records}
        touched |= {records[r].id for r in plan.changed if r in records}
        docs: dict[str, Document] = {}
        todo = sorted(plan.changed)
        for rel in todo:
            if rel not in files:  # deleted since the plan was made
                plan.removed.append(rel)
                continue
            kind, path = files[rel]
            entry, doc = self._read(maker, kind, rel, path, start_ns)
            was_indexed = rel in records and records[rel].ok
            records[rel] = entry
            if doc is None:  # now unreadable: out of the index, reported as skipped
                stats.removed += int(was_indexed)
                continue
            docs[rel] = doc
            touched.add(doc.id)
            if was_indexed:
                stats.updated += 1
            else:
                stats.added += 1
        # remedies (and statutes) whose cited statutes changed carry stale citations
        for rel, entry in list(records.items()):
            if rel in plan.changed or rel in plan.removed or not entry.ok:
                continue
            if touched.intersection(entry.deps) and rel in files:
                kind, path = files[rel]
                new_entry, doc = self._read(maker, kind, rel, path, start_ns)
                records[rel] = new_entry
                if doc is not None:
                    docs[rel] = doc
                    stats.updated += 1
        for rel in plan.removed:
            if records.pop(rel, None) is not None:
                stats.removed += 1
        for rel, (size, mtime) in plan.refresh.items():
            if rel in records:
                records[rel].size = size
                records[rel].mtime_ns = mtime if mtime < start_ns - RACY_NS else -1
        remove = sorted(set(plan.removed) | set(plan.changed) | set(docs))
        total = len(docs)

        def adding() -> Iterator[Document]:
            for done, doc in enumerate(docs.values(), 1):
                if progress is not None:
                    progress(done, total)
                yield doc

        self.engine.update(tmp, remove, adding())
        stats.records = sum(1 for e in records.values() if e.ok)
        stats.skipped = sorted(rel for rel, e in records.items() if not e.ok)
        stats.unchanged = len(records) - stats.added - stats.updated - len(stats.skipped)
        stats.unchanged = max(stats.unchanged, 0)
        return stats, records

    # searching

    last_query: Understood | None = None

    def understand(self, query: str) -> Understood:
        """How a query will be read: jurisdictions, remedy types, phrases, words."""
        return _understand(self.kb, query)

    def search(
        self, query: str, filters: Filters | None = None, limit: int = 10, snippets: bool = True
    ) -> tuple[list[Hit], int]:
        """The best `limit` hits for a query and how many matched in all (exactly);
        without `snippets`, each hit's snippet is the start of its summary. How the
        query was read (jurisdictions, corrections...) is left in `self.last_query`."""
        check_query(query)
        filters = filters or Filters()
        understood = self.understand(query)
        self.last_query = understood
        for attempt in range(2):
            # the readers' lock: no generation is removed while it is held
            with self.store.reading(hold=self.keep_open) as gen:
                if gen is None:
                    raise KBError(f"no search index in {self.directory}; run `kbtool index`")
                try:
                    raw, total = self.engine.search(gen, understood, filters, limit)
                    break
                except FileNotFoundError:  # replaced meanwhile: read the new one, once
                    if attempt == 1:
                        raise KBError(
                            f"the search index in {self.directory} changed while it was "
                            "read; run the search again"
                        ) from None
        hits = []
        for stored, score, words in raw:
            parts = [tuple(p) for p in stored.get("parts") or ()]
            snippet = (self.engine.highlight(parts, words) if snippets else "") or (
                "Summary: " + _clip(stored.get("summary", "")) if stored.get("summary") else ""
            )
            hits.append(
                Hit(
                    id=stored.get("id", ""),
                    kind=stored.get("kind", ""),
                    jurisdiction=stored.get("jcode", ""),
                    title=stored.get("title", ""),
                    citation=stored.get("citation", ""),
                    remedy_type=stored.get("type", ""),
                    path=stored.get("path", ""),
                    score=score,
                    snippet=snippet,
                )
            )
        return hits, total


def _understand(kb: KB, text: str) -> Understood:
    """`understand` with the knowledge base's jurisdiction registry (if it has one)."""
    from .jurisdictions import load_registry

    try:
        registry = load_registry(kb.schema_dir)
    except (OSError, KeyError, TypeError, ValueError, KBError):
        registry = None
    return understand(text, registry)


def _clip(text: str, width: int = 200) -> str:
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    return text[: width - 1].rsplit(" ", 1)[0] + " …"


def _link_copy(src: Path, dest: Path) -> None:
    """Copy a generation by hard links (files are never rewritten once written)."""
    dest.mkdir(parents=True, exist_ok=True)
    for item in src.iterdir():
        if item.name in (MANIFEST, GEN_MARKER) or "LOCK" in item.name or not item.is_file():
            continue
        try:
            os.link(item, dest / item.name)
        except OSError:
            shutil.copy2(item, dest / item.name)


_FIELD_RE = re.compile(r"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*):")
_OPERATORS = ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")


def check_query(text: str) -> None:
    """Refuse what Whoosh would silently misread: unbalanced quotes or brackets, unknown
    fields, a field with no value, a dangling AND/OR/NOT."""
    if not text.strip():
        raise QueryError('empty query; try a word, a "phrase" or field:value')
    if text.count('"') % 2:
        raise QueryError(f'unbalanced quote in {text!r}: a "phrase" needs a closing "')
    # Phrases stand as one word of the same length, so positions still line up and an
    # operator next to a phrase is not taken for a dangling one.
    outside = re.sub(r'"[^"]*"', lambda m: "q" * len(m.group()), text)
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack: list[str] = []
    for ch in outside:
        if ch in pairs:
            stack.append(pairs[ch])
        elif ch in pairs.values() and (not stack or stack.pop() != ch):
            raise QueryError(f"unbalanced {ch!r} in {text!r}")
    if stack:
        raise QueryError(f"unbalanced brackets in {text!r}: {stack[-1]!r} is missing")
    known = set(FIELDS) | {a for aliases in FIELD_ALIASES.values() for a in aliases}
    for match in _FIELD_RE.finditer(outside):
        name = match.group(1)
        if name not in known:
            raise QueryError(f"unknown field {name!r} in {text!r}; fields: {', '.join(FIELDS)}")
        rest = outside[match.end() :]
        if not rest or rest[0].isspace() or rest[0] in ")":
            raise QueryError(f"field {name!r} needs a value, e.g. {name}:value")
    words = outside.split()
    if words and (words[0] in _OPERATORS[:2] or words[-1] in _OPERATORS):
        raise QueryError(f"{text!r} starts or ends with an operator; put a word on each side")
    for a, b in zip(words, words[1:], strict=False):
        if a in _OPERATORS and b in _OPERATORS[:2]:
            raise QueryError(f"{a} {b} in {text!r}: put a word between operators")


def hits_text(results: Results, bold: Callable[[str], str] | None = None) -> str:
    """Search results for people: id, jurisdiction, title, citation and a snippet."""
    lines: list[str] = []
    shown = len(results.hits)
    read = results.understood
    if read is not None and read.corrections:
        typed = " or ".join(repr(k) for k in read.corrections)
        fixed = ", ".join(repr(v) for v in read.corrections.values())
        lines.append(f"No record contains {typed}; showing results for {fixed}.")
    if read is not None and read.widened:
        lines.append(
            f"Nothing matches in {', '.join(read.jurisdictions)} or federal law; "
            "showing every jurisdiction."
        )
    if read is not None:
        rest = {k: v for k, v in read.suggestions.items() if k not in read.corrections}
        if rest:
            lines.append(f"Did you mean {', '.join(repr(v) for v in rest.values())}?")
    if not shown:
        lines.append(f"No results for {results.query}")
    else:
        of = f"{shown} of {results.total}" if results.total > shown else f"{shown}"
        lines.append(f"{of} result{'s' if results.total != 1 else ''} for {results.query}")
    import textwrap

    for n, hit in enumerate(results.hits, 1):
        lines.append("")
        lines.append(f"{n}. {hit.id} ({hit.kind}, {hit.jurisdiction})")
        lines.extend(textwrap.wrap(hit.title, 80, initial_indent="   ", subsequent_indent="   "))
        if hit.citation:
            lines.extend(
                textwrap.wrap(hit.citation, 80, initial_indent="   ", subsequent_indent="   ")
            )
        snippet = textwrap.wrap(hit.snippet, 77, break_on_hyphens=False, break_long_words=False)
        for line in snippet:
            lines.append("   " + (_embolden(line, bold) if bold else line))
    return "\n".join(lines)


def _embolden(line: str, bold: Callable[[str], str]) -> str:
    parts = line.split(MARK)
    return "".join(bold(p) if i % 2 else p for i, p in enumerate(parts))


def stats_text(stats: BuildStats, directory: Path) -> str:
    if stats.full:
        text = f"Indexed {stats.records} record{'s' if stats.records != 1 else ''} in {directory}"
    elif not (stats.added or stats.updated or stats.removed):
        text = f"Index up to date: {stats.records} record{'s' if stats.records != 1 else ''}"
    else:
        text = (
            f"Index updated: {stats.added} added, {stats.updated} updated, "
            f"{stats.removed} removed, {stats.unchanged} unchanged"
        )
    if stats.skipped:
        text += (
            f"\n{len(stats.skipped)} file{'s' if len(stats.skipped) != 1 else ''} could not be "
            f"read and {'are' if len(stats.skipped) != 1 else 'is'} not searchable "
            f"(run `kbtool validate`): {', '.join(stats.skipped)}"
        )
    return text
