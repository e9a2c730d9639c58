"""The jurisdiction registry: codes, names, kinds, and the aliases people type."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .kb import KBUsageError
from .loader import load_plain


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


@cache
def _load(path: Path, mtime: float) -> Registry:
    data = load_plain(path)
    items = [
        Jurisdiction(
            code=e["code"],
            name=e["name"],
            kind=e["kind"],
            aliases=tuple(e.get("aliases") or ()),
            official_name=e.get("official_name"),
        )
        for e in data["jurisdictions"]
    ]
    return Registry(items)


def load_registry(schema_dir: Path) -> Registry:
    path = schema_dir / "jurisdictions.yaml"
    return _load(path, path.stat().st_mtime)
