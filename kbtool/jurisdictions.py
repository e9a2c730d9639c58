"""The jurisdiction registry: codes, names, kinds, and the aliases people type."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .kb import KBError, KBUsageError
from .loader import load_file, load_plain


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    official_name: str | None = None

    @property
    def folder(self) -> str:
        """The folder name of its records: the code in lower case (`us-ny`)."""
        return self.code.lower()

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"


def _norm(text: str) -> str:
    """Matching key: case, dots, commas and spacing do not matter."""
    return re.sub(r"[\s.,']+", " ", text.casefold()).strip()


class Registry:
    """All known jurisdictions, in registry order, with lookup by code, name or alias."""

    def __init__(self, items: list[Jurisdiction]) -> None:
        self.items = items
        self.by_code = {j.code: j for j in items}
        self._keys: dict[str, Jurisdiction] = {}
        for j in items:
            for name in (j.code, j.name, j.official_name or "", *j.aliases):
                if name:
                    self._keys.setdefault(_norm(name), j)
            if j.code.startswith("US-"):
                self._keys.setdefault(_norm(j.code.replace("-", " ")), j)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def get(self, code: str) -> Jurisdiction | None:
        return self.by_code.get(code)

    def resolve(self, text: str) -> Jurisdiction:
        """`NY`, `ny`, `New York`, `N.Y.`, `US-NY` -> New York; unknown -> usage error."""
        key = _norm(text)
        if key in self._keys:
            return self._keys[key]
        if key.replace(" ", "-").upper() in self.by_code:
            return self.by_code[key.replace(" ", "-").upper()]
        hints = self.suggest(text)
        hint = f" Did you mean {' or '.join(j.label for j in hints)}?" if hints else ""
        raise KBUsageError(
            f"unknown jurisdiction {text!r}.{hint} "
            "Use a code (NY, US-NY), a name (New York), US for federal or INTL; "
            "`kbtool jurisdictions` lists them all."
        )

    def suggest(self, text: str, n: int = 2) -> list[Jurisdiction]:
        key = _norm(text)
        close = difflib.get_close_matches(key, list(self._keys), n=n * 3, cutoff=0.6)
        out: list[Jurisdiction] = []
        for k in close:
            j = self._keys[k]
            if j not in out:
                out.append(j)
        return out[:n]


# What a registry name or alias may hold: printable text, no markup characters (it
# reaches page titles, headers and meta descriptions), as jurisdictions.schema.json says.
CODE = re.compile(r"(?:US|INTL|[A-Z]{2}|US-[A-Z]{2})\Z")
NAME = re.compile(r"[^<>&\"`\\\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]{1,100}\Z")
KINDS = ("federal", "state", "district", "territory", "country", "international")


def entry_problem(entry: object) -> str | None:
    """Why a registry entry cannot be used, or None (the schema reports it in detail)."""
    if not isinstance(entry, dict):
        return "an entry is not a mapping"
    code = entry.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        return f"code {code!r} is not a jurisdiction code"
    if entry.get("kind") not in KINDS:
        return f"{code}: kind {entry.get('kind')!r} is not one of {', '.join(KINDS)}"
    aliases = entry.get("aliases")
    if not isinstance(aliases, list):
        return f"{code}: aliases must be a list"
    texts = [entry.get("name"), *aliases]
    if entry.get("official_name") is not None:
        texts.append(entry.get("official_name"))
    for text in texts:
        if not isinstance(text, str) or not NAME.match(text):
            return f"{code}: {text!r} is not a plain name"
    return None


@cache
def _load(path: Path, mtime: float, root: Path, strict: bool) -> Registry:
    if strict:
        try:
            data = load_plain(path, root=root)
        except ValueError as exc:
            raise KBError(f"cannot read the registry: {exc}\nRun `kbtool validate`.") from None
    else:  # the validator reports the file's findings; use what can be read
        data = load_file(path, root=root).data
    entries = data.get("jurisdictions") if isinstance(data, dict) else None
    items = []
    for e in entries if isinstance(entries, list) else []:
        problem = entry_problem(e)
        if not strict and isinstance(e, dict) and isinstance(e.get("code"), str):
            problem = None  # the validator reports bad names; records may still use it
        if problem is not None:
            if strict:
                raise KBError(
                    f"schema/jurisdictions.yaml: {problem}; run `kbtool validate` for details"
                )
            continue
        items.append(
            Jurisdiction(
                code=e["code"],
                name=str(e.get("name")),
                kind=str(e.get("kind")),
                aliases=tuple(a for a in _list(e.get("aliases")) if isinstance(a, str)),
                official_name=_text_or_none(e.get("official_name")),
            )
        )
    return Registry(items)


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def load_registry(schema_dir: Path, strict: bool = True) -> Registry:
    """The registry in `schema_dir`, read through the gate (no link out, size-capped).

    `strict` (lookups, the site): any bad entry is a KBError. Otherwise (the validator,
    which reports the registry's findings itself) bad entries are left out.
    """
    path = schema_dir / "jurisdictions.yaml"
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise KBError(f"cannot read {path}: no jurisdiction registry") from None
    return _load(path, mtime, schema_dir.parent, strict)
