"""Provenance: how well a record is backed, how current the law it states is, and whether
a remedy reaches adults.

Three dates are never confused: `accessed` (when a source was read), `current_to` (the
date the law shown in a source is current to, as the source says) and `last_verified`
(when the record was last checked). A record's verification level follows from the kinds
of its sources and can never be higher than they support; its "law as of" date is the
newest `current_to` among its sources, or "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from .loader import load_plain

UNKNOWN = "unknown"

# Verification levels, strongest first, and the source kind that supports each.
LEVELS = ("official_text", "unofficial_text", "secondary_source", "unverified")
LEVEL_OF_KIND = {
    "official": "official_text",
    "unofficial_text": "unofficial_text",
    "secondary": "secondary_source",
}
VERIFICATION_MEANING = {
    "official_text": "checked against the text of the law from its official publisher",
    "unofficial_text": (
        "checked against the text of the law from an unofficial copy (not the official publisher)"
    ),
    "secondary_source": (
        "checked against guides or reports that describe the law, not against its text"
    ),
    "unverified": "not checked against any source",
}
VERIFICATION_LABEL = {
    "official_text": "Official text",
    "unofficial_text": "Unofficial copy of the text",
    "secondary_source": "Secondary sources",
    "unverified": "Unverified",
}

# Status of a remedy (one record) or of a jurisdiction-and-type cell.
STATUS_AVAILABLE = "available"
STATUS_MINORS_ONLY = "minors only"
STATUS_NONE = "none"
STATUS_UNDETERMINED = "undetermined"
STATUS_NOT_RESEARCHED = "not researched"
STATUS_MEANING = {
    STATUS_AVAILABLE: "available (to adults as well as minors, where the law says so)",
    STATUS_MINORS_ONLY: (
        "available only for offenses committed as a minor or for juvenile adjudications: "
        "not relief for adults"
    ),
    STATUS_NONE: "researched: no such law, as of the dated source that says so",
    STATUS_UNDETERMINED: "researched, not settled by the sources found",
    STATUS_NOT_RESEARCHED: "not yet researched",
}


def partial_date_key(value: object) -> tuple[int, int, int] | None:
    """A sortable (year, month, day) for YYYY, YYYY-MM or YYYY-MM-DD; None if not a date."""
    if not isinstance(value, str):
        return None
    parts = value.split("-")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        return None
    if not 1 <= len(nums) <= 3:
        return None
    while len(nums) < 3:
        nums.append(0)
    return (nums[0], nums[1], nums[2])


def _sources(data: dict) -> list[dict]:
    items = data.get("sources")
    return [s for s in items if isinstance(s, dict)] if isinstance(items, list) else []


def supported_level(data: dict) -> str:
    """The strongest level the record's sources can support (a source that does not say
    its kind counts as a description of the law)."""
    kinds = {s.get("type") or "secondary" for s in _sources(data)}
    for level in LEVELS[:-1]:
        if any(LEVEL_OF_KIND.get(k) == level for k in kinds):
            return level
    return "unverified"


def verification_level(data: dict) -> str:
    """The level shown: the record's declared level, capped by what its sources support."""
    declared = data.get("verification")
    supported = supported_level(data)
    if declared not in LEVELS:
        return supported
    return LEVELS[max(LEVELS.index(declared), LEVELS.index(supported))]


def law_as_of(data: dict) -> str:
    """The date the law described is stated as current to: the newest `current_to` of the
    record's sources (as precise as they give it), or "unknown"."""
    best: tuple[tuple[int, int, int], str] | None = None
    for s in _sources(data):
        key = partial_date_key(s.get("current_to"))
        if key and (best is None or key > best[0]):
            best = (key, str(s["current_to"]))
    return best[1] if best else UNKNOWN


def minors_only(data: dict) -> bool:
    """Whether record relief reaches only offenses committed as a minor or juvenile
    adjudications (never relief for adults)."""
    rr = data.get("record_relief")
    if not isinstance(rr, dict):
        return False
    if rr.get("applies_to") == "minors_only":
        return True
    age = rr.get("max_age_at_offense")
    return isinstance(age, int) and not isinstance(age, bool) and age < 18


def remedy_status(data: dict) -> str:
    """Status of one remedy record: available, minors only, none or undetermined."""
    available = data.get("available")
    if available is True:
        return STATUS_MINORS_ONLY if minors_only(data) else STATUS_AVAILABLE
    if available is False:
        return STATUS_NONE
    return STATUS_UNDETERMINED


def cell_status(records: list[dict]) -> str:
    """Status of a jurisdiction-and-type cell from its records' data: relief for adults
    wins over minors-only relief, which wins over a recorded absence."""
    statuses = {remedy_status(d) for d in records}
    for status in (STATUS_AVAILABLE, STATUS_MINORS_ONLY, STATUS_NONE, STATUS_UNDETERMINED):
        if status in statuses:
            return status
    return STATUS_NOT_RESEARCHED


def provenance(data: dict) -> dict[str, Any]:
    """The provenance of a record as plain data, for output."""
    level = verification_level(data)
    return {
        "verification_level": level,
        "verification_meaning": VERIFICATION_MEANING[level],
        "law_as_of": law_as_of(data),
        "checked_on": str(data["last_verified"]) if data.get("last_verified") else UNKNOWN,
    }


def provenance_line(data: dict) -> str:
    """`Law as of 2021-11 · checked on 2026-11-28 · Official text: checked against ...`"""
    p = provenance(data)
    return (
        f"Law as of {p['law_as_of']} · checked on {p['checked_on']} · "
        f"{VERIFICATION_LABEL[p['verification_level']]}: {p['verification_meaning']}"
    )


# -- the registry of official publishers (schema/publishers.yaml) -------------------------


_PLACEHOLDER = re.compile(r"\{([a-z]{1,12})\}")
# In an address template a placeholder may ask for zero-padding: `{section:05}` writes
# `1308` as `01308` (Arizona's addresses). Only a part that is all digits is padded; any
# other part (`1307.01`) builds no address rather than a guessed one.
_URL_PLACEHOLDER = re.compile(r"\{([a-z]{1,12})(?::0([1-9]))?\}")
# A placeholder stands for one part of a citation: a title, chapter or section number
# (`18`, `13-3212`, `19-A`, `25-21,300`, `447-a`). Short and without spaces, so that
# matching a citation never backtracks far, whatever a registry's template says.
_PART = "[0-9A-Za-z][0-9A-Za-z.,:-]{0,30}?"
MAX_CITATION = 300
# Subsections written after a section number: `(a)(15)(T)`, `(1m)`, `(b)`.
_PINPOINT = re.compile(r"(?:\([0-9A-Za-z]{1,8}\)){1,8}$")
# At most this many parts, each with text between: matching tries at most 31^3 splits.
MAX_PLACEHOLDERS = 3


@dataclass(frozen=True)
class SectionUrl:
    """How a publisher addresses one section: a citation template and an address
    template with the same `{placeholders}`, and the statute that evidences it."""

    citation: str
    url: str
    example: str

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """The citation template as a regular expression; None when it is not usable
        (a placeholder repeated, or none at all)."""
        names = _PLACEHOLDER.findall(self.citation)
        if not names or len(names) > MAX_PLACEHOLDERS or len(set(names)) != len(names):
            return None
        if re.search(r"\}\{", self.citation):  # side by side, two parts could split anywhere
            return None
        parts, last = [], 0
        for m in _PLACEHOLDER.finditer(self.citation):
            parts.append(re.escape(self.citation[last : m.start()]))
            parts.append(f"(?P<{m.group(1)}>{_PART})")
            last = m.end()
        parts.append(re.escape(self.citation[last:]))
        return re.compile("".join(parts))

    def build(self, citation: str) -> str | None:
        """The section's address for a citation of this form, else None."""
        pattern = self.pattern
        if pattern is None or not isinstance(citation, str) or len(citation) > MAX_CITATION:
            return None
        m = pattern.fullmatch(citation.strip())
        if m is None:
            return None
        values = m.groupdict()
        slots = _URL_PLACEHOLDER.findall(self.url)
        if any(name not in values for name, _ in slots):
            return None
        if any(width and not values[name].isdigit() for name, width in slots):
            return None

        def fill(x: re.Match[str]) -> str:
            value = values[x.group(1)]
            return quote(value.zfill(int(x.group(2))) if x.group(2) else value, safe="-.,:")

        return _URL_PLACEHOLDER.sub(fill, self.url)


@dataclass(frozen=True)
class Publishers:
    """Official hosts by jurisdiction code."""

    hosts: dict[str, tuple[str, ...]]
    online_code: dict[str, Any]
    notes: dict[str, str]
    section_urls: dict[str, tuple[SectionUrl, ...]] = field(default_factory=dict)

    def section_url(self, code: str, citation: object) -> str | None:
        """The official address of the section a citation names, from the registry's
        section patterns for `code` (its own publishers only), on an official host."""
        if not isinstance(citation, str) or len(citation) > MAX_CITATION:
            return None
        # `8 U.S.C. § 1101(a)(15)(T)` is on the page of § 1101: try without the pinpoint
        section = _PINPOINT.sub("", citation.strip())
        for text in dict.fromkeys((citation, section)):
            for entry in self.section_urls.get(code, ()):
                url = entry.build(text)
                if url and self.is_official(code, url):
                    return url
        return None

    def official_hosts(self, code: str) -> tuple[str, ...]:
        """Hosts whose pages count as official for records of `code`: its own, plus the
        federal ones for a state, DC or territory (federal law applies there too)."""
        own = self.hosts.get(code, ())
        if code.startswith("US-"):
            return own + self.hosts.get("US", ())
        return own

    def is_official(self, code: str, url: str) -> bool:
        host = host_of(url)
        if not host:
            return False
        for entry in self.official_hosts(code):
            if entry.startswith("."):
                if host.endswith(entry):
                    return True
            elif host == entry:
                return True
        return False


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def load_publishers(schema_dir: Path) -> Publishers:
    """The registry as data; empty when the file is missing or not a mapping (validate
    reports what is wrong with it)."""
    path = schema_dir / "publishers.yaml"
    return _load(path, *_stamp(path))


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


@cache
def _load(path: Path, _mtime: int, _size: int) -> Publishers:
    hosts: dict[str, tuple[str, ...]] = {}
    online: dict[str, Any] = {}
    notes: dict[str, str] = {}
    sections: dict[str, tuple[SectionUrl, ...]] = {}
    try:
        data = load_plain(path) if _size else {}
    except (OSError, ValueError):  # kbtool validate says what is wrong with the file
        data = {}
    entries = data.get("jurisdictions") if isinstance(data, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
            continue
        code = entry["code"]
        found: list[str] = []
        patterns: list[SectionUrl] = []
        for pub in entry.get("publishers") or []:
            if isinstance(pub, dict) and isinstance(pub.get("hosts"), list):
                found += [h.lower() for h in pub["hosts"] if isinstance(h, str)]
            for item in (pub.get("section_urls") or []) if isinstance(pub, dict) else []:
                if isinstance(item, dict) and all(
                    isinstance(item.get(k), str) for k in ("citation", "url", "example")
                ):
                    patterns.append(SectionUrl(item["citation"], item["url"], item["example"]))
        hosts[code] = tuple(found)
        if patterns:
            sections[code] = tuple(patterns)
        online[code] = entry.get("online_code", UNKNOWN)
        if isinstance(entry.get("note"), str):
            notes[code] = entry["note"]
    return Publishers(hosts, online, notes, sections)
