"""Findings are data: every problem the loader or a rule finds is one of these.

Rule codes are stable (tests and docs rely on them); wording may change.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .kb import is_inside, lexical, real


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
        text = f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"
        return terminal_text(text, keep_newlines=False)  # YAML keys can hold escapes

    def as_dict(self) -> dict:
        return asdict(self)

    def github(self) -> str:
        """A GitHub Actions workflow command, shown inline on the pull request's diff.

        Everything from the record is escaped, so a crafted value can neither end the
        annotation nor start another workflow command.
        """
        level = "error" if self.severity == "error" else "warning"
        props = [f"file={_gh_property(self.path)}"]
        if self.line > 0:
            props.append(f"line={self.line}")
            if self.column > 0:
                props.append(f"col={self.column}")
        props.append(f"title={_gh_property(self.code)}")
        return f"::{level} {','.join(props)}::{_gh_data(self.code + ' ' + self.message)}"


def _gh_data(text: str) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return terminal_text(text, keep_newlines=False)


# Characters never printed raw: C0 and C1 controls (escape sequences, carriage returns),
# line and paragraph separators, bidirectional controls, lone surrogates.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in "\r\n":
        return "\\r" if ch == "\r" else "\\n"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str, keep_newlines: bool = True) -> str:
    """`text` safe for a terminal or a CI log: every control character shown as an
    escape (`\\x1b`, `\\r`, `\\u202e`), never sent raw. Tabs stay, and line breaks
    unless `keep_newlines` is False."""
    if keep_newlines:
        return "\n".join(_UNPRINTABLE.sub(_visible, line) for line in text.split("\n"))
    return _UNPRINTABLE.sub(_visible, text)


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def display_path(path: Path, root: Path | None) -> str:
    """The path relative to the knowledge-base root when it is inside it, else as given.

    A symbolic link is shown by its own name, not its target's; a link loop never raises.
    """
    if root is not None:
        root = real(root) or root
        for candidate in (lexical(path), Path(os.path.normpath(Path(path).absolute()))):
            if is_inside(candidate, root):
                return candidate.relative_to(root).as_posix()
    return Path(path).as_posix()


def json_path_str(parts: tuple) -> str:
    """A readable JSON path: `record_relief.time_limit.rule`, `sources[0].url`."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else str(p)
    return out


def plural(n: int, word: str) -> str:
    """`1 case`, `2 cases`."""
    return f"{n} {word}{'s' if n != 1 else ''}"
