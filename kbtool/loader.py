"""Strict, boring YAML: one document per file, positions kept for every key and value.

Records are composed into YAML nodes (with the libyaml C parser when present) and
converted to plain Python by our own small constructor, which lets us:

- keep the line and column of every key and value, so findings can name them;
- treat duplicate keys as errors (PyYAML silently keeps the last one: data loss);
- read dates as strings, so the schema's `format: date` applies;
- refuse anchors, aliases and custom tags (`!!python/object`), which records never
  need: this also defuses alias bombs, since nothing is ever expanded;
- refuse absurdly deep nesting and oversized files before they cost anything.

Parse failures are returned as findings, never raised, so one bad file never hides
the others.
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import files
from .findings import Finding

try:  # libyaml is about 13x faster than the pure-Python parser on our records
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = files.MAX_RECORD_BYTES
MAX_DEPTH = 32

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_scalar_constructor = yaml.constructor.SafeConstructor()

Position = tuple[int, int]  # 1-based line and column

# Bidirectional embedding, override and isolate controls ("Trojan Source"): invisible,
# they make text display in a different order than it is stored.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# ...and C0/C1 controls other than tab and line breaks, and lone surrogates.
_HIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def hidden_character(text: str) -> tuple[str, str] | None:
    """(code, message) for the first character a record's text must not hold, else None.

    Bidirectional controls reorder what readers see; control characters (reachable
    through escapes such as "\\e" in double quotes) can drive a terminal; lone
    surrogates cannot be written out as UTF-8.
    """
    match = _HIDDEN.search(text)
    if match is None:
        return None
    ch = match.group()
    if ch in _BIDI_CONTROLS:
        name = unicodedata.name(ch, "bidirectional control")
        return (
            "bidi-control",
            f"text contains U+{ord(ch):04X} {name}, an invisible character that changes "
            "the order in which text is displayed; delete it",
        )
    return (
        "control-character",
        f"text contains the control character U+{ord(ch):04X}; records hold plain text, delete it",
    )


@dataclass
class LoadedFile:
    """The result of loading one YAML file: data (or None) plus positions and findings."""

    path: Path
    display: str
    data: Any = None
    findings: list[Finding] = field(default_factory=list)
    # Positions are worked out only when asked for (most files never produce a finding):
    # the text is kept and parsed again, with positions, on first use.
    _key_positions: dict[tuple, Position] | None = field(default=None, repr=False)
    _value_positions: dict[tuple, Position] | None = field(default=None, repr=False)
    _text: str | None = field(default=None, repr=False, compare=False)

    @property
    def key_positions(self) -> dict[tuple, Position]:
        """JSON path (tuple of keys and indexes) -> position of the key (mapping entries)."""
        return self._positions()[0]

    @property
    def value_positions(self) -> dict[tuple, Position]:
        """JSON path -> position of the value."""
        return self._positions()[1]

    def _positions(self) -> tuple[dict[tuple, Position], dict[tuple, Position]]:
        if self._key_positions is None or self._value_positions is None:
            scratch = LoadedFile(path=self.path, display=self.display)
            builder = _Builder(scratch)
            node = _compose(self._text) if self._text is not None else None
            if node is not None:
                with contextlib.suppress(_Reject, RecursionError):  # it parsed cleanly before
                    builder.build(node, (), 0)
            self._key_positions, self._value_positions = builder.keys, builder.values
        return self._key_positions, self._value_positions

    @property
    def ok(self) -> bool:
        return self.data is not None and not any(f.severity == "error" for f in self.findings)

    def position(self, path: tuple, prefer_value: bool = False) -> Position:
        """Where to point for a JSON path: its key (or value), else the nearest parent."""
        p = tuple(path)
        while True:
            first, second = (
                (self.value_positions, self.key_positions)
                if prefer_value
                else (self.key_positions, self.value_positions)
            )
            if p in first:
                return first[p]
            if p in second:
                return second[p]
            if not p:
                return (1, 1)
            p = p[:-1]


class _Reject(Exception):
    """A node the constructor refuses; carries the finding."""

    def __init__(self, code: str, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.mark = mark


def _pos(mark: yaml.Mark | None) -> Position:
    if mark is None:
        return (1, 1)
    return (mark.line + 1, mark.column + 1)


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
# What YAML 1.1 (PyYAML) reads differently from YAML 1.2 and from what people mean:
# `1:20` is 80 (base 60), `017` is 15 (octal), `0b11` is 3, `1_000` is 1000.
_YAML11_NUMBER = re.compile(
    r"[-+]?(?:[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|0[0-7_]+|0b[01_]+|[0-9.]*_[0-9_.]*)\Z"
)
_YAML11_BOOL = frozenset({"yes", "no", "on", "off"})


def _construct(node: yaml.ScalarNode) -> Any:
    """The scalar's value, by the safe constructor's own function for its tag (not
    construct_object, which caches every node, and wedges on one that raised)."""
    return _scalar_constructor.yaml_constructors[node.tag](_scalar_constructor, node)


def scalar_value(node: yaml.ScalarNode) -> tuple[Any, tuple[str, str] | None]:
    """(value, problem) of a number, boolean or null; the problem is (code, message).

    Never raises: `!!int "abc"`, `!!float ""`, `!!bool "maybe"` and integers too long to
    convert become findings, as do NaN and infinities (no record field is one, and JSON
    cannot hold them) and the YAML 1.1 readings that silently change a value. A value
    with a problem is kept as its text.
    """
    text = node.value
    tag = node.tag
    shown = text if len(text) <= 40 else text[:37] + "..."
    if tag in (_INT, _FLOAT) and _YAML11_NUMBER.match(text):
        try:
            read = _construct(node)
        except Exception:  # noqa: BLE001 - anything the constructor raises is the data's fault
            read = None
        return text, (
            "ambiguous-number",
            f"{shown!r} would be read as the number {read!r} (a YAML 1.1 rule: base 60, "
            "octal or digit groups); put it in quotes if it is text, or write the number "
            "plainly",
        )
    if tag == "tag:yaml.org,2002:null" and text not in ("", "~", "null", "Null", "NULL"):
        return text, ("bad-scalar", f"{shown!r} cannot be read as null: it would be lost")
    if tag == _BOOL and text.lower() in _YAML11_BOOL:
        return text, (
            "ambiguous-boolean",
            f"{shown!r} would be read as a yes/no value (a YAML 1.1 rule); write true or "
            f'false, or put it in quotes if it is text ("{shown}")',
        )
    try:
        value = _construct(node)
    except Exception as exc:  # noqa: BLE001 - ValueError, KeyError, ... : the data's fault
        kind = tag.rsplit(":", 1)[-1]
        detail = "more than 4,300 digits" if "digits" in str(exc) else f"not a valid {kind}"
        return text, ("bad-scalar", f"{shown!r} cannot be read as {kind}: {detail}")
    if isinstance(value, float) and not math.isfinite(value):
        return text, (
            "not-a-number",
            f"{shown!r} is {'not a number' if math.isnan(value) else 'infinite'}; "
            "records hold finite numbers only",
        )
    return value, None


class _Builder:
    """Turns a composed node tree into Python data, recording positions and problems."""

    def __init__(self, loaded: LoadedFile) -> None:
        self.loaded = loaded
        self.seen: set[int] = set()
        if loaded._key_positions is None or loaded._value_positions is None:
            loaded._key_positions, loaded._value_positions = {}, {}
        self.keys: dict[tuple, Position] = loaded._key_positions
        self.values: dict[tuple, Position] = loaded._value_positions

    def problem(self, code: str, message: str, mark: yaml.Mark | None) -> None:
        line, col = _pos(mark)
        self.loaded.findings.append(Finding(self.loaded.display, line, col, code, message))

    def build(self, node: yaml.Node, path: tuple, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _Reject(
                "too-deep",
                f"nesting deeper than {MAX_DEPTH} levels; records are never this deep",
                node.start_mark,
            )
        if id(node) in self.seen:
            line, col = self.values.get(path[:-1], _pos(node.start_mark))
            raise _Reject(
                "yaml-alias",
                "anchors and aliases (&name / *name) are not allowed in records; "
                "write the value out in full",
                yaml.Mark("", 0, line - 1, col - 1, None, None),
            )
        self.seen.add(id(node))
        self.values[path] = _pos(node.start_mark)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise _Reject("yaml-tag", f"tag {node.tag!r} is not allowed", node.start_mark)
            return [self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                raise _Reject("yaml-tag", f"tag {node.tag!r} is not allowed", node.start_mark)
            return self.mapping(node, path, depth)
        raise _Reject("yaml-syntax", "unexpected YAML node", node.start_mark)  # pragma: no cover

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise _Reject(
                "yaml-tag",
                f"tag {node.tag!r} is not allowed; records hold plain text, numbers and lists",
                node.start_mark,
            )
        if node.tag in (_STR, "tag:yaml.org,2002:timestamp"):
            hidden = hidden_character(node.value)
            if hidden is not None:
                self.problem(*hidden, node.start_mark)
            return node.value  # dates stay strings so the schema checks their format
        value, problem = scalar_value(node)
        if problem is not None:
            self.problem(*problem, node.start_mark)
        return value

    def mapping(self, node: yaml.MappingNode, path: tuple, depth: int) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            if id(key_node) in self.seen:
                raise _Reject(
                    "yaml-alias", "aliases are not allowed in records", key_node.start_mark
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Reject("yaml-syntax", "a key must be plain text", key_node.start_mark)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Reject(
                    "yaml-alias", "merge keys (<<) are not allowed in records", key_node.start_mark
                )
            key = self.scalar(key_node)
            if not isinstance(key, str):
                key = str(key).lower() if isinstance(key, bool) else str(key)
            if key in out:
                first = self.keys.get((*path, key), (0, 0))
                self.problem(
                    "duplicate-key",
                    f"key {key!r} appears twice (first at line {first[0]}); "
                    "YAML would silently keep only the last value",
                    key_node.start_mark,
                )
                continue
            self.keys[(*path, key)] = _pos(key_node.start_mark)
            out[key] = self.build(value_node, (*path, key), depth + 1)
        return out


def _yaml_error_finding(display: str, exc: yaml.YAMLError, text: str) -> Finding:
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = str(getattr(exc, "problem", None) or exc)
    context = getattr(exc, "context", None)
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_error_finding(display, exc, text)
    mark = problem_mark or context_mark
    at_end = problem_mark is not None and problem_mark.index >= len(text.rstrip())
    if context_mark is not None and ("end of stream" in problem or at_end):
        mark = context_mark  # an unclosed quote or bracket: point where it was opened
    line, col = _pos(mark)
    if "expected a single document" in str(exc):
        return Finding(
            display,
            line,
            col,
            "multiple-documents",
            "more than one YAML document (---) in the file; one record per file",
        )
    lines = text.splitlines()
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = source_line[: len(source_line) - len(source_line.lstrip(" \t"))]
    if "\t" in indent or "tab" in problem:
        return Finding(
            display, line, col, "yaml-tab", "tab character in indentation; indent with spaces"
        )
    if "maximum nesting depth" in problem:
        return Finding(
            display, line, col, "too-deep", "nesting too deep; records are never this deep"
        )
    message = f"{context}, {problem}" if context else problem
    if mark is not problem_mark and problem_mark is not None and problem_mark.line + 1 != line:
        message += f" (reached line {problem_mark.line + 1})"
    return Finding(display, line, col, "yaml-syntax", f"YAML syntax error: {message}")


def _reader_error_finding(display: str, exc: yaml.reader.ReaderError, text: str) -> Finding:
    """A character YAML does not allow anywhere (NUL, U+FFFE, other controls)."""
    pos = exc.position if isinstance(exc.position, int) else 0
    before = text[:pos]
    line = before.count("\n") + 1
    col = pos - (before.rfind("\n") + 1) + 1
    ch = exc.character
    code = ord(ch) if isinstance(ch, str) and ch else int(ch or 0)
    return Finding(
        display,
        line,
        col,
        "bad-character",
        f"the character U+{code:04X} is not allowed in YAML; delete it",
    )


class _Unusual(Exception):
    """Something the fast path leaves to the careful builder (which reports it)."""


_PLAIN_STR_TAGS = frozenset({_STR, "tag:yaml.org,2002:timestamp"})


def _plain(node: yaml.Node, depth: int, seen: set[int]) -> Any:
    """The data of a well-formed node tree, without positions: the common case, fast.

    Anything the builder would refuse or report (aliases, tags, duplicate or non-text
    keys, deep nesting) raises _Unusual and the builder then does the file, so data and
    findings are exactly the builder's.
    """
    if depth > MAX_DEPTH or id(node) in seen:
        raise _Unusual
    seen.add(id(node))
    kind = type(node)
    if kind is yaml.ScalarNode:
        tag = node.tag
        if tag in _PLAIN_STR_TAGS:
            if _HIDDEN.search(node.value):
                raise _Unusual  # the builder reports it
            return node.value
        if tag in _SCALAR_TAGS:
            value, problem = scalar_value(node)
            if problem is not None:
                raise _Unusual  # the builder reports it
            return value
        raise _Unusual
    if kind is yaml.MappingNode and node.tag == _MAP:
        out: dict = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag != _STR:
                raise _Unusual
            if id(key_node) in seen:
                raise _Unusual
            key = key_node.value
            if key in out:
                raise _Unusual
            out[key] = _plain(value_node, depth + 1, seen)
        return out
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        return [_plain(child, depth + 1, seen) for child in node.value]
    raise _Unusual


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def parse_text(text: str, loaded: LoadedFile) -> LoadedFile:
    """Parse YAML text into `loaded` (data, positions, findings)."""
    try:
        node = _compose(text)
    except yaml.YAMLError as exc:
        loaded.findings.append(_yaml_error_finding(loaded.display, exc, text))
        return loaded
    except RecursionError:  # the pure-Python parser recurses once per nesting level
        loaded.findings.append(
            Finding(
                loaded.display, 1, 1, "too-deep", "nesting too deep; records are never this deep"
            )
        )
        return loaded
    if node is None:
        loaded.findings.append(
            Finding(
                loaded.display, 1, 1, "empty-file", "the file is empty; it should hold one record"
            )
        )
        return loaded
    try:
        loaded.data = _plain(node, 0, set())
    except (_Unusual, RecursionError):
        pass
    else:
        loaded._text = text  # positions are worked out if a finding needs them
        return loaded
    try:
        data = _Builder(loaded).build(node, (), 0)
    except _Reject as rej:
        line, col = _pos(rej.mark)
        loaded.findings.append(Finding(loaded.display, line, col, rej.code, rej.message))
        return loaded
    except RecursionError:
        loaded.findings.append(
            Finding(
                loaded.display, 1, 1, "too-deep", "nesting too deep; records are never this deep"
            )
        )
        return loaded
    loaded.data = data
    return loaded


def decode(raw: bytes, display: str) -> tuple[str | None, Finding | None]:
    """UTF-8 text (a leading BOM is dropped), or a finding naming the first bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, Finding(
            display,
            line,
            col,
            "not-utf8",
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


def _refusal(path: Path, root: Path | None) -> tuple[str, str] | None:
    """(code, message) when a path must not be opened at all (see files.refusal)."""
    return files.refusal(path, root)


def _read_regular_file(path: Path) -> tuple[bytes | None, str | None, int]:
    """The file's bytes (at most MAX_FILE_BYTES + 1), or why not (see files.open_regular)."""
    data, problem, size = files.open_regular(path, MAX_FILE_BYTES)
    if problem == "is a directory, not a file":
        problem = "is a directory, not a record file"
    return data, problem, size


def load_file(path: Path, display: str | None = None, root: Path | None = None) -> LoadedFile:
    """Load one record file. Never raises for bad content: problems become findings.

    With `root` (the resolved knowledge-base folder), a path that leads outside it (a
    symbolic link, say) is refused without being opened.
    """
    display = display if display is not None else path.as_posix()
    loaded = LoadedFile(path=path, display=display)
    refusal = _refusal(path, root)
    if refusal is not None:
        loaded.findings.append(Finding(display, 0, 0, *refusal))
        return loaded
    try:
        if path.is_dir():  # before opening: some systems cannot open a folder at all
            loaded.findings.append(
                Finding(display, 0, 0, "not-a-file", "is a directory, not a record file")
            )
            return loaded
        raw, problem, size = _read_regular_file(path)
    except OSError as exc:
        loaded.findings.append(
            Finding(display, 0, 0, "unreadable", f"cannot read file: {exc.strerror or exc}")
        )
        return loaded
    if problem is not None:
        loaded.findings.append(Finding(display, 0, 0, "not-a-file", problem))
        return loaded
    if raw is None or size > MAX_FILE_BYTES:
        more = " or more" if raw is not None else ""
        loaded.findings.append(
            Finding(
                display,
                1,
                1,
                "file-too-large",
                f"file is {size:,} bytes{more}; a record may be at most {MAX_FILE_BYTES:,} bytes",
            )
        )
        return loaded
    text, problem_finding = decode(raw, display)
    if problem_finding is not None:
        loaded.findings.append(problem_finding)
        return loaded
    assert text is not None
    return parse_text(text, loaded)


def load_plain(path: Path, root: Path | None = None) -> Any:
    """Data only, no positions, for lookups. Raises ValueError on a file with errors.

    With `root`, a path leading outside the knowledge base is refused unread."""
    loaded = load_file(path, root=root)
    errors = [f for f in loaded.findings if f.severity == "error"]
    if errors:
        raise ValueError(errors[0].format())
    if loaded.data is None:
        first = loaded.findings[0] if loaded.findings else None
        raise ValueError(first.format() if first else f"{path}: could not be loaded")
    return loaded.data
