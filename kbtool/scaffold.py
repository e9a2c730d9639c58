"""New records from the annotated templates: `kbtool new`.

A new record is the kind's template (templates/<kind>.yaml: every field, with a comment
saying what goes there) with its id, jurisdiction, type and dates filled in, and the
blocks that belong to other remedy types left out. It is written in the right folder
under the right name, atomically, and never over an existing file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_text
from .corpus import load_vocabulary
from .files import (
    MAX_RECORD_BYTES,
    Refused,
    check_write,
    read_text,
    safe_part,
    sweep,
    write_error,
)
from .jurisdictions import Jurisdiction, load_registry
from .kb import KB, RECORD_ID, KBError, KBUsageError, is_inside, lexical, real
from .loader import LoadedFile, parse_text
from .schema import load_schemas

ID_MAX = 100
# atomic.write_text's temporary files: `.<id>.yaml.<8 random characters>.tmp`
TMP_LEFTOVER = re.compile(r"\.[a-z0-9-]+\.yaml\.[A-Za-z0-9_]{8}\.tmp")
_DATE_LINE = re.compile(r"^(\s*(?:- )?(?:accessed|last_verified):\s*)\d{4}-\d{2}-\d{2}", re.M)


@dataclass(frozen=True)
class NewRecord:
    """What `kbtool new` writes: the record's kind, id, file and text."""

    kind: str
    record_id: str
    path: Path
    text: str

    def relative(self, root: Path) -> str:
        return self.path.relative_to(root).as_posix()


def types(kb: KB, kind: str) -> list[str]:
    """What `--type` may be: remedy types (vocabulary) or statute kinds (schema)."""
    if kind == "remedy":
        return list(load_vocabulary(kb).get("remedy_types") or {})
    schema = load_schemas(kb.schema_dir)["statute.schema.json"]
    return list(schema["properties"]["kind"]["enum"])


def type_blocks(kb: KB) -> dict[str, str]:
    """Remedy fields that belong to one remedy type, from the schema: field -> type.

    The schema says it as "if remedy_type is not X then F is not allowed".
    """
    schema = load_schemas(kb.schema_dir)["remedy.schema.json"]
    out: dict[str, str] = {}
    for rule in schema.get("allOf") or []:
        condition = ((rule.get("if") or {}).get("properties") or {}).get("remedy_type") or {}
        excluded = ((rule.get("then") or {}).get("not") or {}).get("required") or []
        if "const" in (condition.get("not") or {}):
            for name in excluded:
                out[name] = condition["not"]["const"]
    return out


def record_id_for(
    kind: str, jurisdiction: Jurisdiction, record_type: str | None, given: str | None, registry
) -> str:
    """The new record's id: `--id` (its folder prefix added when missing), else a default."""
    prefix = jurisdiction.folder + "-"
    if given is not None:
        rid = given.strip()
        if not rid.startswith(prefix):
            for other in registry:
                theirs = other.folder + "-"
                if rid.startswith(theirs) and not jurisdiction.folder.startswith(theirs):
                    raise KBUsageError(
                        f"id {rid!r} starts with {other.folder + '-'!r}, the folder of "
                        f"{other.label}; ids of {jurisdiction.label} start with {prefix!r}"
                    )
            rid = prefix + rid
    elif kind == "remedy" and record_type:
        rid = prefix + record_type.replace("_", "-")
    else:
        raise KBUsageError(
            "a statute needs --id: its code and section, e.g. --id penal-230-34 "
            f"(gives {prefix}penal-230-34)"
        )
    if not RECORD_ID.match(rid) or not 3 <= len(rid) <= ID_MAX:
        raise KBUsageError(
            f"{given or rid!r} is not a valid id: use lower-case letters a-z, digits and "
            f"single hyphens (at most {ID_MAX} characters), e.g. {prefix}penal-230-34"
        )
    return rid


def _block(lines: list[str], key: str) -> tuple[int, int, bool] | None:
    """(start, end, commented) of a top-level block and the comment lines just above it."""
    for i, line in enumerate(lines):
        commented = line.startswith(f"# {key}:")
        if line.startswith(f"{key}:") or commented:
            end = i + 1
            while end < len(lines) and (
                lines[end].startswith("#  ") if commented else lines[end].startswith(" ")
            ):
                end += 1
            start = i
            while (
                start > 0 and lines[start - 1].startswith("#") and not commented_key(lines, start)
            ):
                start -= 1
            return start, end, commented
    return None


def commented_key(lines: list[str], index: int) -> bool:
    """Whether the line above `index` belongs to a commented-out block, not a header."""
    return lines[index - 1].startswith("#  ")


def shape_for_type(text: str, remedy_type: str, blocks: dict[str, str]) -> str:
    """Keep the blocks of `remedy_type` (uncommented), drop those of other types."""
    lines = text.splitlines()
    for key, owner in blocks.items():
        span = _block(lines, key)
        if span is None:
            continue
        start, end, commented = span
        if owner != remedy_type:
            del lines[start:end]
        elif commented:
            header_end = next(i for i in range(start, end) if lines[i].startswith(f"# {key}:"))
            lines[header_end:end] = [line[2:] for line in lines[header_end:end]]
    return "\n".join(lines) + "\n"


def _set_line(text: str, key: str, value: str) -> str:
    """Replace a top-level `key: ...` line's value, keeping any trailing comment."""
    pattern = re.compile(rf"^{re.escape(key)}:[^\n#]*?(\s+#[^\n]*)?$", re.M)
    if not pattern.search(text):
        return text
    return pattern.sub(lambda m: f"{key}: {value}{m.group(1) or ''}", text, count=1)


def render(
    kb: KB,
    kind: str,
    jurisdiction: Jurisdiction,
    record_id: str,
    record_type: str | None,
    as_of: dt.date,
) -> str:
    """The new record's text: the template, filled in for this jurisdiction and type."""
    template = kb.root / "templates" / f"{kind}.yaml"
    try:  # through the gate: inside the checkout, a regular file, size-capped
        text = read_text(template, kb.root, MAX_RECORD_BYTES)
    except Refused:
        raise KBError(f"no template for a {kind} at templates/{kind}.yaml") from None
    text = text.replace("us-xx-", jurisdiction.folder + "-").replace("US-XX", jurisdiction.code)
    text = _set_line(text, "id", record_id)
    text = _set_line(text, "jurisdiction", jurisdiction.code)
    if kind == "remedy" and record_type:
        text = _set_line(text, "remedy_type", record_type)
        vocabulary = load_vocabulary(kb)
        label = ((vocabulary.get("remedy_types") or {}).get(record_type) or {}).get("label")
        if label:
            text = _set_line(text, "title", label)
        text = shape_for_type(text, record_type, type_blocks(kb))
    elif kind == "statute" and record_type:
        text = _set_line(text, "kind", record_type)
    text = _DATE_LINE.sub(lambda m: m.group(1) + as_of.isoformat(), text)
    loaded = parse_text(text, LoadedFile(path=template, display=f"templates/{kind}.yaml"))
    if not isinstance(loaded.data, dict) or loaded.data.get("id") != record_id:
        problem = loaded.findings[0].format() if loaded.findings else "the id line is missing"
        raise KBError(f"templates/{kind}.yaml could not be filled in: {problem}")
    return text


def new_record(
    kb: KB,
    kind: str,
    jurisdiction_text: str,
    record_type: str | None = None,
    record_id: str | None = None,
    as_of: dt.date | None = None,
) -> NewRecord:
    """Write a new record from the template; refuses to overwrite anything."""
    from .rules import today

    if kind not in ("statute", "remedy"):
        raise KBUsageError(f"unknown kind {kind!r}: use statute or remedy")
    registry = load_registry(kb.schema_dir)
    jurisdiction = registry.resolve(jurisdiction_text)
    allowed = types(kb, kind)
    if record_type is not None and record_type not in allowed:
        raise KBUsageError(f"unknown {kind} type {record_type!r}; use one of: {', '.join(allowed)}")
    if kind == "remedy" and record_type is None:
        raise KBUsageError(f"a remedy needs --type, one of: {', '.join(allowed)}")
    rid = record_id_for(kind, jurisdiction, record_type, record_id, registry)
    text = render(kb, kind, jurisdiction, rid, record_type, as_of or today())

    root = real(kb.root) or kb.root
    folder = kb.folder(kind) / safe_part(jurisdiction.folder, "jurisdiction folder")
    path = folder / f"{rid}.yaml"
    if path.exists() or path.is_symlink():
        raise KBError(
            f"{path.relative_to(kb.root).as_posix()} already exists; edit it, or choose "
            "another id with --id"
        )
    try:
        check_write(path, kb.root)  # no link anywhere on the way
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(folder, exc) from None
    resolved = real(folder)
    if resolved is None or not is_inside(resolved, root) or not is_inside(lexical(path), root):
        raise KBError(f"{folder} leads outside the knowledge base; refusing to write there")
    sweep(folder, TMP_LEFTOVER)  # what a killed `kbtool new` left (atomic.write_text's names)
    try:
        write_text(path, text, overwrite=False)
    except FileExistsError:
        raise KBError(f"{path.relative_to(kb.root).as_posix()} already exists") from None
    except OSError as exc:
        raise write_error(path, exc) from None
    return NewRecord(kind, rid, path, text)
