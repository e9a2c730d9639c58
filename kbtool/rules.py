"""Record and corpus rules: what JSON Schema cannot say.

Record layer: one file on its own (id matches file name, folder matches jurisdiction,
dates in order). Corpus layer: all files together (ids unique, references resolve,
jurisdiction codes registered). Date checks take an explicit `as_of` date so they
are reproducible (set KBTOOL_TODAY to override today's date).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from .findings import Finding
from .jurisdictions import Registry
from .kb import RECORD_ID
from .loader import LoadedFile
from .provenance import (
    LEVEL_OF_KIND,
    LEVELS,
    Publishers,
    host_of,
    partial_date_key,
    supported_level,
)

TODAY_ENV = "KBTOOL_TODAY"


def today() -> dt.date:
    """Today, or the date in $KBTOOL_TODAY (YYYY-MM-DD) for reproducible checks."""
    value = os.environ.get(TODAY_ENV)
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return dt.date.today()


def _items(value: object) -> list:
    """A list field's items; nothing when the value is not a list (the schema says so)."""
    return value if isinstance(value, list) else []


def _is_real_date(value: object) -> bool:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


@dataclass
class RecordContext:
    """A loaded record and where it sits: kind and jurisdiction folder from its path."""

    loaded: LoadedFile
    kind: str | None  # statute / remedy, from the top folder; None when misplaced
    folder: str | None  # the jurisdiction folder name

    @property
    def data(self) -> dict:
        return self.loaded.data if isinstance(self.loaded.data, dict) else {}

    @property
    def record_id(self) -> str | None:
        rid = self.data.get("id")
        return rid if isinstance(rid, str) else None

    def finding(self, path: tuple, code: str, message: str, severity: str = "error") -> Finding:
        line, col = self.loaded.position(path, prefer_value=True)
        return Finding(self.loaded.display, line, col, code, message, severity)


def check_record(
    ctx: RecordContext,
    registry: Registry,
    as_of: dt.date,
    placeholders: Placeholders | None = None,
) -> list[Finding]:
    """Rules for one record on its own.

    `placeholders` comes from the kind's annotated template (templates/<kind>.yaml), if
    there is one: its placeholder text left in a record is reported.
    """
    out: list[Finding] = []
    out.extend(_check_identifiers(ctx))
    if placeholders:
        out.extend(_check_placeholders(ctx, placeholders))
    data = ctx.data
    stem = ctx.loaded.path.stem
    rid = ctx.record_id
    if rid is not None and not RECORD_ID.match(rid):
        rid = None  # not an id at all (`../x`, look-alike letters): the schema says so
    if rid is not None and rid != stem:
        out.append(
            ctx.finding(
                ("id",),
                "id-mismatch",
                f"id {rid!r} does not match the file name {stem + '.yaml'!r}; "
                f"rename the file to {rid + '.yaml'!r} or fix the id",
            )
        )
    code = data.get("jurisdiction")
    if isinstance(code, str) and code.isascii():  # else: non-ascii, below
        if registry.get(code) is None:
            hints = registry.suggest(code)
            hint = f"; did you mean {hints[0].code}?" if hints else ""
            out.append(
                ctx.finding(
                    ("jurisdiction",),
                    "unknown-jurisdiction",
                    f"jurisdiction {code!r} is not in schema/jurisdictions.yaml{hint}",
                )
            )
        if ctx.folder is not None and ctx.folder != code.lower():
            out.append(
                ctx.finding(
                    ("jurisdiction",),
                    "folder-mismatch",
                    f"jurisdiction {code!r} belongs in folder {code.lower()!r}, "
                    f"but the file is in {ctx.folder!r}",
                )
            )
    if rid is not None and ctx.folder is not None and not rid.startswith(ctx.folder + "-"):
        out.append(
            ctx.finding(
                ("id",),
                "id-prefix",
                f"id {rid!r} must start with its folder name {ctx.folder + '-'!r}",
            )
        )
    out.extend(_check_dates(ctx, as_of))
    if data.get("verification") == "unverified" and not data.get("notes"):
        out.append(
            ctx.finding(
                ("verification",),
                "unverified-without-note",
                "an unverified record must say in `notes` why it could not be verified",
            )
        )
    return out


def _identifiers(ctx: RecordContext) -> Iterable[tuple[tuple, str]]:
    """(json path, value) of every id and code in a record: its own and those it names."""
    data = ctx.data
    for key in ("id", "jurisdiction"):
        if isinstance(data.get(key), str):
            yield (key,), data[key]
    for path, target, _ in references(ctx):
        yield path, target


def _check_identifiers(ctx: RecordContext) -> Iterable[Finding]:
    """Ids and codes are ASCII: a Cyrillic `а` looks like `a` but names nothing."""
    for path, value in _identifiers(ctx):
        if value.isascii():
            continue
        ch = next(c for c in value if not c.isascii())
        name = unicodedata.name(ch, "unnamed character")
        meant = ascii_lookalike(value)
        hint = f"; did you mean {meant!r}?" if meant else ""
        yield ctx.finding(
            path,
            "non-ascii",
            f"{path[-1] if isinstance(path[-1], str) else path[0]} {value!r} contains "
            f"{ch!r} (U+{ord(ch):04X} {name}), which only looks like a plain letter or digit; "
            f"ids and codes use only a-z, A-Z, 0-9 and hyphens{hint}",
        )


# Letters of other scripts that look like Latin ones (after NFKC, which already folds
# full-width and other compatibility forms): the usual suspects in spoofed identifiers.
_CONFUSABLES = str.maketrans(
    "\u0430\u0435\u043a\u043e\u0440\u0441\u0443\u0445\u0455\u0456\u0458\u0501\u051b\u051d"
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0423\u0425\u0406\u0408"
    "\u0405\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5"
    "\u03a7\u03bf\u03bd\u2010\u2011\u2012\u2013\u2212",
    "aekopcyxsijdqwABEKMHOPCTYXIJSABEZHIKMNOPTYXov-----",
)


def ascii_lookalike(value: str) -> str | None:
    """The plain-ASCII string `value` imitates (`US-NУ` -> `US-NY`), if there is one."""
    folded = unicodedata.normalize("NFKC", value).translate(_CONFUSABLES)
    return folded if folded.isascii() and folded != value else None


# Fields whose template text is an instruction or a placeholder, never a real value.
PLACEHOLDER_FIELDS = frozenset({"summary", "citation", "official_text_url", "url"})


def _leaves(value: object, path: tuple = ()) -> Iterable[tuple[tuple, object]]:
    """(path, value) of every scalar; list indexes become None so items compare alike."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))
    else:
        yield path, value


def _shape(path: tuple) -> tuple:
    return tuple(None if isinstance(p, int) else p for p in path)


@dataclass(frozen=True)
class Placeholders:
    """What of a template must never stay in a record, worked out once per kind:
    placeholder values of PLACEHOLDER_FIELDS at their own place in the record, and
    instruction sentences (three words or more) in any field."""

    by_shape: dict[tuple, frozenset[str]]
    phrases: frozenset[str]

    @classmethod
    def of(cls, template: dict | None) -> Placeholders | None:
        if not template:
            return None
        by_shape: dict[tuple, set[str]] = {}
        phrases = set()
        for path, value in _leaves(template):
            if not isinstance(value, str):
                continue
            if path and path[-1] in PLACEHOLDER_FIELDS:
                by_shape.setdefault(_shape(path), set()).add(value)
            if len(value.split()) >= 3:
                phrases.add(value.strip())
        return cls({k: frozenset(v) for k, v in by_shape.items()}, frozenset(phrases))


def _check_placeholders(ctx: RecordContext, placeholders: Placeholders) -> Iterable[Finding]:
    """Template text still in the record: `kbtool new` output that was not filled in."""
    for path, value in _leaves(ctx.data):
        if not isinstance(value, str):
            continue
        shown = value if len(value) <= 50 else value[:47] + "..."
        if value in placeholders.by_shape.get(_shape(path), ()):
            yield ctx.finding(
                path,
                "placeholder",
                f"{path[-1]} still holds the template's placeholder {shown!r}; "
                "replace it with what you read",
            )
        elif value.strip() in placeholders.phrases and (
            not path or path[-1] not in PLACEHOLDER_FIELDS
        ):
            yield ctx.finding(
                path,
                "placeholder",
                f"{_field_name(path)} still holds the template's text {shown!r}; "
                "replace it with what you read",
            )


def _check_dates(ctx: RecordContext, as_of: dt.date) -> Iterable[Finding]:
    data = ctx.data
    limit = (as_of.year, as_of.month, as_of.day)
    checks: list[tuple[tuple, object]] = [(("last_verified",), data.get("last_verified"))]
    for i, src in enumerate(_items(data.get("sources"))):
        if isinstance(src, dict):
            checks.append((("sources", i, "accessed"), src.get("accessed")))
    for path, value in checks:
        when = partial_date_key(value)
        if when and when > limit and _is_real_date(value):
            yield ctx.finding(
                path, "future-date", f"{path[-1]} {value} is after today ({as_of.isoformat()})"
            )
    yield from _impossible_dates(ctx)
    enacted, effective = (
        partial_date_key(data.get("enacted")),
        partial_date_key(data.get("effective")),
    )
    if enacted and effective and effective[0] < enacted[0]:
        yield ctx.finding(
            ("effective",),
            "date-order",
            f"effective {data.get('effective')} is before enacted {data.get('enacted')}",
        )
    previous = None
    for i, amendment in enumerate(_items(data.get("amendments"))):
        if not isinstance(amendment, dict):
            continue
        when = partial_date_key(amendment.get("date"))
        if when and enacted and when[0] < enacted[0]:
            yield ctx.finding(
                ("amendments", i, "date"),
                "date-order",
                f"amendment of {amendment.get('date')} is before enactment ({data.get('enacted')})",
            )
        if when and previous and when < previous:
            yield ctx.finding(
                ("amendments", i, "date"),
                "date-order",
                "amendments must be listed oldest first",
            )
        previous = when or previous


_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def _impossible_dates(ctx: RecordContext) -> Iterable[Finding]:
    """Year-or-date fields given as a full date that no calendar has (`2021-02-30`): the
    schema's pattern can only check each part's range."""
    data = ctx.data
    values: list[tuple[tuple, object]] = [(("enacted",), data.get("enacted"))]
    values.append((("effective",), data.get("effective")))
    for i, amendment in enumerate(_items(data.get("amendments"))):
        if isinstance(amendment, dict):
            values.append((("amendments", i, "date"), amendment.get("date")))
    for i, src in enumerate(_items(data.get("sources"))):
        if isinstance(src, dict):
            values.append((("sources", i, "published"), src.get("published")))
    for path, value in values:
        if isinstance(value, str) and _FULL_DATE.match(value) and not _is_real_date(value):
            yield ctx.finding(path, "bad-date", f"{path[-1]} {value} is not a date on the calendar")


def references(ctx: RecordContext) -> Iterable[tuple[tuple, str, str]]:
    """(json path, referenced id, expected kind) for every cross-reference in a record."""
    data = ctx.data
    for i, ref in enumerate(_items(data.get("legal_basis"))):
        if isinstance(ref, dict) and isinstance(ref.get("statute"), str):
            yield ("legal_basis", i, "statute"), ref["statute"], "statute"
    for i, rid in enumerate(_items(data.get("related_statutes"))):
        if isinstance(rid, str):
            yield ("related_statutes", i), rid, "statute"
    for i, rid in enumerate(_items(data.get("related_remedies"))):
        if isinstance(rid, str):
            yield ("related_remedies", i), rid, "remedy"


def check_corpus(
    selected: list[RecordContext], everything: dict[str, list[RecordContext]]
) -> list[Finding]:
    """Rules across files: unique ids and resolvable references, reported on `selected`.

    `everything` maps each id in the whole tree to the records that carry it.
    """
    out: list[Finding] = []
    for ctx in selected:
        rid = ctx.record_id
        if rid is not None:
            holders = everything.get(rid, [])
            if len(holders) > 1:
                others = [h.loaded.display for h in holders if h.loaded.path != ctx.loaded.path]
                if others:
                    out.append(
                        ctx.finding(
                            ("id",),
                            "duplicate-id",
                            f"id {rid!r} is also used by {', '.join(sorted(others))}",
                        )
                    )
        for path, target, expected in references(ctx):
            if not RECORD_ID.match(target):
                continue  # not an id at all: the schema's bad-id says so
            holders = everything.get(target, [])
            if not holders:
                folder = "statutes" if expected == "statute" else "remedies"
                out.append(
                    ctx.finding(
                        path,
                        "dangling-reference",
                        f"{expected} {target!r} does not exist (no {folder}/*/{target}.yaml)",
                    )
                )
            elif all(h.kind != expected for h in holders):
                out.append(
                    ctx.finding(
                        path,
                        "wrong-reference-kind",
                        f"{target!r} is a {holders[0].kind} record; a {expected} is expected here",
                    )
                )
            elif target == rid:
                out.append(ctx.finding(path, "self-reference", "a record cannot refer to itself"))
    return out


# -- provenance: what the sources support ------------------------------------------------

# Text that says a claim was never checked: published text must be checked text.
UNCHECKED_MARKERS = ("from memory", "recollection")
# A subsection written twice in a row: `§ 647(b)(b)(5)`. Lower-case roman numerals are
# left alone: paragraph (i) may have a subparagraph (i), as in CPL 440.10(1)(i)(i).
_REPEATED_SUBSECTION = re.compile(r"(\((?![ivx]+\))[^()\s]{1,8}\))\1")
_CITATION_FIELDS = frozenset({"citation", "pinpoint"})
# Query parameters that say who sent a reader, not which page: a link published with one
# passes a third party's tag on to every attorney who follows it.
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_NAMES = frozenset({"fbclid", "gclid", "msclkid", "mc_cid", "mc_eid", "igshid", "_ga"})
# `ref=radiofreetomorrow.org` names a site; `ref=main` or `ref=v1.2` names a branch or tag
_REFERRER_VALUE = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\Z")


def tracking_parameters(url: str) -> list[str]:
    """The names of the tracking parameters in an address's query, in order."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return []
    found = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        low = name.casefold()
        if (
            low.startswith(_TRACKING_PREFIXES)
            or low in _TRACKING_NAMES
            or (low == "ref" and _REFERRER_VALUE.match(value.casefold()))
        ):
            found.append(name)
    return found


def check_provenance(ctx: RecordContext, publishers: Publishers) -> list[Finding]:
    """Sources that overstate, dates out of order, text that was never checked."""
    data = ctx.data
    out: list[Finding] = []
    code = data.get("jurisdiction") if isinstance(data.get("jurisdiction"), str) else ""
    verified = data.get("last_verified")
    urls = set()
    for i, src in enumerate(_items(data.get("sources"))):
        if not isinstance(src, dict):
            continue
        url = src.get("url")
        if isinstance(url, str):
            urls.add(url)
        if (
            src.get("type") == "official"
            and isinstance(url, str)
            and not publishers.is_official(code, url)
        ):
            out.append(
                ctx.finding(
                    ("sources", i, "type"),
                    "official-host",
                    f"{host_of(url) or url!r} is not an official publisher of {code or 'this'}"
                    " law in schema/publishers.yaml; use `unofficial_text` for a copy of "
                    "the text, `secondary` for a description, or register the publisher",
                )
            )
        accessed = src.get("accessed")
        if _is_real_date(accessed) and _is_real_date(verified) and str(accessed) > str(verified):
            out.append(
                ctx.finding(
                    ("sources", i, "accessed"),
                    "accessed-after-verified",
                    f"source accessed {accessed}, after the record's last_verified {verified}; "
                    "re-check the record and move last_verified forward",
                )
            )
        current = partial_date_key(src.get("current_to"))
        if current and _is_real_date(accessed) and current > partial_date_key(str(accessed)):
            out.append(
                ctx.finding(
                    ("sources", i, "current_to"),
                    "date-order",
                    f"current_to {src.get('current_to')} is after the date the source was "
                    f"read ({accessed})",
                )
            )
    official_url = data.get("official_text_url")
    if isinstance(official_url, str) and not publishers.is_official(code, official_url):
        out.append(
            ctx.finding(
                ("official_text_url",),
                "official-host",
                f"official_text_url is on {host_of(official_url) or official_url!r}, not an "
                f"official publisher of {code or 'this'} law in schema/publishers.yaml; link "
                "the official publisher's page, or list the copy in sources as unofficial_text",
            )
        )
    declared = data.get("verification")
    supported = supported_level(data)
    if (
        isinstance(data.get("sources"), list)  # else the schema already says what is wrong
        and declared in LEVELS
        and LEVELS.index(declared) < LEVELS.index(supported)
    ):
        out.append(
            ctx.finding(
                ("verification",),
                "verification-overstated",
                f"verification {declared!r} needs a source of kind "
                f"{next(k for k, v in LEVEL_OF_KIND.items() if v == declared)!r}; the sources "
                f"support at most {supported!r}",
            )
        )
    absence = data.get("absence")
    if absence is not None and data.get("available") is not False:
        out.append(
            ctx.finding(
                ("absence",),
                "absence-not-false",
                "an absence finding belongs only to a record that says `available: false`; "
                "remove it, or set available to false if the source settles it",
            )
        )
    if (
        isinstance(absence, dict)
        and isinstance(absence.get("source"), str)
        and absence["source"] not in urls
    ):
        out.append(
            ctx.finding(
                ("absence", "source"),
                "unlisted-source",
                "the source stating the absence must also be listed in `sources`",
            )
        )
    comp = data.get("compensation")
    # Addresses that must be among the sources: what was read to state them.
    cited: list[tuple[tuple, object, str]] = []
    if isinstance(comp, dict):
        page = comp.get("official_page")
        cited.append((("compensation", "official_page"), page, "the program's official page"))
    for key, what in (("cases", "a case's address"), ("pending_bills", "a pending bill's address")):
        for i, item in enumerate(_items(data.get(key))):
            if isinstance(item, dict):
                cited.append(((key, i, "url"), item.get("url"), what))
    for path, url, what in cited:
        if isinstance(url, str) and url not in urls:
            out.append(
                ctx.finding(path, "unlisted-source", f"{what} must also be listed in `sources`")
            )
    rr = data.get("record_relief")
    if isinstance(rr, dict):
        age = rr.get("max_age_at_offense")
        if (
            rr.get("applies_to") == "adults_and_minors"
            and isinstance(age, int)
            and not isinstance(age, bool)
            and age < 18
        ):
            out.append(
                ctx.finding(
                    ("record_relief", "applies_to"),
                    "minors-only-conflict",
                    f"max_age_at_offense {age} limits the relief to minors; "
                    "applies_to must be minors_only",
                )
            )
    for path, value in _leaves(data):
        if not isinstance(value, str):
            continue
        if value.startswith(("http://", "https://")):
            tags = tracking_parameters(value)
            if tags:
                them = "them" if len(tags) > 1 else "it"
                out.append(
                    ctx.finding(
                        path,
                        "tracking-parameter",
                        f"{_field_name(path)} carries the tracking "
                        f"{'parameters' if len(tags) > 1 else 'parameter'} "
                        f"{', '.join(dict.fromkeys(tags))}; remove {them}: the address "
                        f"names the same page without {them}",
                    )
                )
        lowered = value.casefold()
        marker = next((m for m in UNCHECKED_MARKERS if m in lowered), None)
        if marker:
            out.append(
                ctx.finding(
                    path,
                    "unchecked-text",
                    f"{_field_name(path)} says {marker!r}: published text must be checked "
                    "against a source; state it as an open question with what was searched",
                )
            )
        if path and path[-1] in _CITATION_FIELDS:
            m = _REPEATED_SUBSECTION.search(value)
            if m:
                out.append(
                    ctx.finding(
                        path,
                        "repeated-subsection",
                        f"{_field_name(path)} repeats the subsection {m.group(1)} "
                        f"({value[:80]!r}); write it once",
                    )
                )
    return out


def _field_name(path: tuple) -> str:
    names = [p for p in path if isinstance(p, str)]
    return names[-1] if names else "value"
