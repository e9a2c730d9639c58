"""Findings are data: every problem the loader or a rule finds is one of these.

Rule codes are stable (tests and docs rely on them); wording may change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one file, at a line and column (1-based; 0 when unknown)."""

    path: str
    line: int
    column: int
    code: str
    message: str
    severity: str = field(default="error", compare=False)
    json_path: str = field(default="", compare=False)

    def format(self) -> str:
        """`path:line:col: CODE message`, the form editors and CI understand."""
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


def display_path(path: Path, root: Path | None) -> str:
    """The path relative to the knowledge-base root when it is inside it, else as given."""
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def json_path_str(parts: tuple) -> str:
    """A readable JSON path: `record_relief.time_limit.rule`, `sources[0].url`."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else str(p)
    return out
