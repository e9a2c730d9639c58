"""What a search query means, before any engine sees it: engine-neutral and pure Python.

Attorneys type questions, not query syntax: "can a minor be charged with prostitution in
Georgia", "vacatur NY", "T visa", "trafficing". `understand()` splits such a query into

- the jurisdictions it names ("New York", "NY", "N.Y.", "Texas", "federal"), taken out of
  the words; two-letter codes only when written in capitals ("IN", "OR", "ME") or when
  they are not also English words ("ny", "tx");
- the remedy types its words point to ("vacate" -> criminal record relief, "sue" ->
  civil action, "visa" -> immigration relief);
- quoted phrases, kept whole;
- the remaining words, which the engine looks up (stemmed) in the records.

A query using field:value, AND/OR/NOT, brackets or wildcards is *advanced*: it goes to the
engine's own parser as typed, and only the ranking applies.

The tables here (stopwords, remedy words, compounds) are also written into the site's
search index, so that the site's search script reads queries the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .jurisdictions import Registry, _norm


def _w(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Words that carry no meaning in a search of this corpus (Whoosh's list plus question words).
STOPWORDS = frozenset(
    _w(
        """a an and are as at be by can for from have if in is it may not of on or tbd that the
    this to us we when will with yet you your i my me our do does did what which who how
    there their they he she his her its was were been being any all about into under after
    before than then so such get got need want should could would"""
    )
)

# Query words that name a remedy type. Matched on the lower-cased word.
REMEDY_WORDS: dict[str, tuple[str, ...]] = {
    "criminal_record_relief": _w(
        "vacate vacates vacated vacating vacatur vacature expunge expunged expunging "
        "expungement expungements expunction expunge seal sealed sealing nondisclosure "
        "set-aside record records clear clearing conviction convictions"
    ),
    "civil_action": _w("sue suing lawsuit lawsuits suit civil damages tort"),
    "immigration_relief": _w(
        "visa visas tvisa uvisa immigration immigrant immigrants noncitizen nonimmigrant "
        "deportation"
    ),
    "affirmative_defense": _w("defense defence defenses affirmative duress"),
    "restitution": _w("restitution"),
    "victim_compensation": _w("compensation compensated"),
    "safe_harbor_minors": _w("minor minors child children youth harbor harbour"),
    "protective_order": _w("protective restraining"),
    "non_punishment": _w("non-punishment nonpunishment"),
}
# Words for more than one type: "compensation" is also what a civil action or
# restitution pays.
REMEDY_WORDS_EXTRA: dict[str, tuple[str, ...]] = {
    "compensation": ("restitution", "civil_action"),
}
WORD_TYPES: dict[str, tuple[str, ...]] = {}
for _type, _words in REMEDY_WORDS.items():
    for _word in _words:
        WORD_TYPES[_word] = (*WORD_TYPES.get(_word, ()), _type)
for _word, _types in REMEDY_WORDS_EXTRA.items():
    WORD_TYPES[_word] = (*WORD_TYPES.get(_word, ()), *_types)

# Compounds written the same way in records and queries: "T visa", "T-visa", "U visas"
# gain one word ("tvisa visa"), so that "T visa" finds the T visa first and "visa" both.
COMPOUNDS = [re.compile(r"\b([TtUu])[- ]?(visas?)\b")]

# Two-letter codes that are also English words or common abbreviations: a state only
# when written in capitals (IN, OR, ME, OH ...).
AMBIGUOUS_CODES = frozenset(
    _w(
        "in or me oh hi id la ok pa ma de al co as mi mo ne wa va us un "
        "md ms mt vi mp gu pr ct ia ar"
    )
)
MAX_NAME_WORDS = 4  # "United States Virgin Islands"

_ADVANCED = re.compile(
    r"(?<![\w.])[A-Za-z_]\w*:\S|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b|[()*?\[\]{}^~]"
)
_PHRASE = re.compile(r'"([^"]*)"')
_ID = re.compile(r"^(?:us|intl)(?:-[a-z0-9]+)+$")


def normalize(text: str, query: bool = False) -> str:
    """Rewrite compounds in record text ("T visa" -> "tvisa visa") and, with `query`,
    in queries ("T visa" -> "tvisa": the T visa, not any visa)."""
    for pattern in COMPOUNDS:
        text = pattern.sub(
            lambda m: f"{m.group(1).lower()}visa" + ("" if query else f" {m.group(2).lower()}"),
            text,
        )
    return text


@dataclass
class Understood:
    """A query, read."""

    text: str  # as typed
    advanced: bool = False  # field:value, AND/OR/NOT...: the engine's parser reads `text`
    words: list[str] = field(default_factory=list)  # content words, lower case, in order
    phrases: list[str] = field(default_factory=list)  # quoted phrases, normalised
    jurisdictions: list[str] = field(default_factory=list)  # registry codes named
    jurisdiction_words: list[str] = field(default_factory=list)  # as typed
    remedy_types: list[str] = field(default_factory=list)  # in order of mention
    ids: list[str] = field(default_factory=list)  # record ids typed as such
    ignored: list[str] = field(default_factory=list)  # stopwords and one-letter words
    near_jurisdictions: dict[str, tuple[str, str]] = field(default_factory=dict)
    # a word one or two letters off a jurisdiction's name ("tennesee"): word -> (code, name)
    corrections: dict[str, str] = field(default_factory=dict)  # typed -> searched instead
    suggestions: dict[str, str] = field(default_factory=dict)  # typed -> "did you mean"
    widened: bool = False  # nothing matched in the jurisdictions named: searched them all

    @property
    def empty(self) -> bool:
        """Nothing left to search for (only common words)."""
        return not (self.advanced or self.words or self.phrases or self.jurisdictions)

    def as_dict(self) -> dict:
        out: dict = {}
        if self.jurisdictions:
            out["jurisdictions"] = self.jurisdictions
        if self.remedy_types:
            out["remedy_types"] = self.remedy_types
        if self.corrections:
            out["corrected"] = self.corrections
        if self.suggestions:
            out["did_you_mean"] = self.suggestions
        if self.ignored:
            out["ignored"] = self.ignored
        if self.widened:
            out["widened"] = True
        return out


def is_advanced(text: str) -> bool:
    outside = _PHRASE.sub(" ", text)
    return bool(_ADVANCED.search(outside))


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,;!?]+", text) if t]


def jurisdiction_keys(registry: Registry) -> dict[str, tuple[str, bool]]:
    """Normalised name -> (code, needs care): care for two-letter codes that are words,
    and for abbreviations with a dot ("Ill.", "Miss.") that are words without it."""
    keys: dict[str, tuple[str, bool]] = {}
    for j in registry:
        names = [j.name, j.official_name or "", *j.aliases]
        if j.code.startswith("US-"):
            names.append(j.code)
        for name in names:
            if not name:
                continue
            key = _norm(name)
            careful = (len(key) <= 2 and key in AMBIGUOUS_CODES) or name.endswith(".")
            old = keys.get(key)
            if old is None or (old[1] and not careful):
                keys[key] = (j.code, careful)
    keys.setdefault("federal", ("US", False))
    return keys


_KEYS_CACHE: dict[int, dict[str, tuple[str, bool]]] = {}


def understand(text: str, registry: Registry | None = None) -> Understood:
    """Read a query: jurisdictions, remedy types, phrases and content words."""
    q = Understood(text=text)
    if is_advanced(text):
        q.advanced = True
        return q
    q.phrases = [normalize(p, query=True).strip() for p in _PHRASE.findall(text) if p.strip()]
    rest = _PHRASE.sub(" ", text)
    tokens = _tokens(normalize(rest, query=True))
    keys: dict[str, tuple[str, bool]] = {}
    if registry is not None:
        keys = _KEYS_CACHE.get(id(registry)) or _KEYS_CACHE.setdefault(
            id(registry), jurisdiction_keys(registry)
        )
    i = 0
    remaining: list[str] = []
    while i < len(tokens):
        matched = 0
        for n in range(min(MAX_NAME_WORDS, len(tokens) - i), 0, -1):
            span = tokens[i : i + n]
            typed = " ".join(span)
            key = _norm(typed)
            hit = keys.get(key)
            if hit is None:
                continue
            code, careful = hit
            if careful and not _careful_ok(typed, key):
                continue
            if code not in q.jurisdictions:
                q.jurisdictions.append(code)
            q.jurisdiction_words.append(typed)
            matched = n
            break
        if matched:
            i += matched
            continue
        remaining.append(tokens[i])
        i += 1
    for token in remaining:
        low = token.lower().strip(".'\"§")
        if _ID.match(low) and low.count("-") >= 2:
            q.ids.append(low)
        for word in re.findall(r"\w+(?:[.\-:]\w+)*", low):
            for t in WORD_TYPES.get(word, ()):
                if t not in q.remedy_types:
                    q.remedy_types.append(t)
            if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
                q.ignored.append(word)
            else:
                q.words.append(word)
    if keys:
        names = {k: v[0] for k, v in keys.items() if len(k) >= 6 and " " not in k and not v[1]}
        for word in q.words:
            if len(word) < 6 or not word.isalpha():
                continue
            limit = 2 if len(word) >= 9 else 1
            close = [(d, k) for k in names if (d := edit_distance(word, k, limit)) <= limit]
            if close:
                name = min(close)[1]
                q.near_jurisdictions[word] = (names[name], name)
    for phrase in q.phrases:
        for word in phrase.lower().split():
            for t in WORD_TYPES.get(word, ()):
                if t not in q.remedy_types:
                    q.remedy_types.append(t)
    return q


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Edit distance with transpositions (optimal string alignment); with a `limit`,
    limit + 1 as soon as it is sure to be larger."""
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if limit is not None and min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _careful_ok(typed: str, key: str) -> bool:
    """A careful name counts when typed as a code in capitals ("IN") or, for
    abbreviations, with its dot and capital ("Ill.", "Me.")."""
    if len(key) <= 2:
        return typed.isupper() and len(typed.replace(".", "")) <= 3
    return typed.endswith(".") and typed[:1].isupper()


def tables() -> dict:
    """The tables the site's search script needs to read queries the same way."""
    return {
        "stopwords": sorted(STOPWORDS),
        "remedy_words": {w: list(t) for w, t in sorted(WORD_TYPES.items())},
        "ambiguous_codes": sorted(AMBIGUOUS_CODES),
    }
