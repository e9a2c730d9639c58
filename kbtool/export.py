"""The whole corpus as open data: JSON, JSON Lines or CSV, with its licence and date.

Records are exported as `kbtool show --json` prints them: every field, the citations
of the statutes a remedy rests on resolved, sources included. JSON carries the licence
and the export date in the file; JSON Lines and CSV get a companion
`<file>.license.txt` (licence, date, and for CSV the meaning of every column).

CSV has one row per record (statutes, then remedies) and one column per field of
either schema, in schema order. Nested objects are flattened with dots
(`procedure.forum`, `record_relief.time_limit.rule`); a list becomes one column per
part of its items with the values joined by ` | ` in list order (`sources.url`,
`sources.title`, ...), so the n-th values of the columns of one list belong together;
true, false and unknown are written as such. `columns()` lists them, each with the
schema's title and description.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from . import DISCLAIMER, __version__
from .corpus import Corpus
from .kb import KBError, KBUsageError
from .query import record_view

FORMATS = ("json", "jsonl", "csv")
LICENSE = {
    "id": "CC0-1.0",
    "name": "Creative Commons CC0 1.0 Universal Public Domain Dedication",
    "url": "https://creativecommons.org/publicdomain/zero/1.0/",
}
SEPARATOR = " | "
# Columns that are not schema fields: what kbtool adds when it exports.
EXTRA_COLUMNS = {
    "record_type": "`statute` or `remedy`.",
    "jurisdiction_name": "Name of the jurisdiction, from the registry.",
    "legal_basis.citation": "Citation of each legal_basis statute, with its pinpoint.",
    "legal_basis.official_text_url": "Official text of each legal_basis statute.",
    "legal_basis.official_text_url_built": (
        "true where that address was built from the publisher's section pattern in "
        "schema/publishers.yaml (the statute record gives none)."
    ),
    "official_text_url_built": (
        "Statutes: true where official_text_url was built from the publisher's section "
        "pattern in schema/publishers.yaml, not given by the record."
    ),
    "related_statutes.citation": "Citation of each related statute.",
    "provenance.verification_level": (
        "How well the record is backed, capped by its sources: official_text, "
        "unofficial_text, secondary_source or unverified."
    ),
    "provenance.verification_meaning": "What the verification level means, in words.",
    "provenance.law_as_of": (
        "The date the law described is stated as current to: the newest `current_to` of "
        "the record's sources, or unknown."
    ),
    "provenance.checked_on": "When the record was last checked against its sources.",
    "relief_status": (
        "Remedies: available, minors only (relief only for offenses as a minor or juvenile "
        "adjudications), none or undetermined."
    ),
    "path": "The record's file in the knowledge base.",
}


def companion_path(output: Path) -> Path:
    """Where the licence file of an export goes: beside it, `<file>.license.txt`."""
    return output.with_name(output.name + ".license.txt")


def collect(corpus: Corpus) -> dict[str, list[dict]]:
    """Every record, as `show --json` prints it, statutes then remedies, by file."""
    registry = corpus.registry
    out: dict[str, list[dict]] = {"statutes": [], "remedies": []}
    for kind, key in (("statute", "statutes"), ("remedy", "remedies")):
        for record in corpus.all(kind):
            view = record_view(corpus, record)
            j = registry.get(str(view.get("jurisdiction")))
            view["jurisdiction_name"] = j.name if j else None
            out[key].append(view)
    return out


@cache
def _schemas(schema_dir: Path, stamp: tuple) -> dict[str, dict]:
    from .schema import load_schemas

    return load_schemas(schema_dir)


def _resolve(doc: dict, node: dict, docs: dict[str, dict]) -> tuple[dict, dict]:
    """(document, schema) after following `$ref`s (`#/$defs/x` or `file#/$defs/x`); the
    referring node's own title and description win over the target's."""
    while node.get("$ref"):
        file, _, pointer = str(node["$ref"]).partition("#")
        doc = docs.get(file, {}) if file else doc
        target: Any = doc
        for part in (p for p in pointer.split("/") if p):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return doc, node


def _walk(doc: dict, node: dict, docs: dict[str, dict], prefix: str) -> Iterator[tuple[str, str]]:
    doc, node = _resolve(doc, node, docs)
    described = f"{node.get('title', '')}: {node.get('description', '')}".strip(": ")
    if node.get("type") == "object" and node.get("properties"):
        for name, sub in node["properties"].items():
            yield from _walk(doc, sub, docs, f"{prefix}.{name}" if prefix else name)
        return
    if node.get("type") == "array":
        items_doc, items = _resolve(doc, node.get("items") or {}, docs)
        if items.get("type") == "object" and items.get("properties"):
            for name, sub in items["properties"].items():
                yield from _walk(items_doc, sub, docs, f"{prefix}.{name}")
            return
    yield prefix, described


def columns(schema_dir: Path) -> list[tuple[str, str]]:
    """CSV columns in order, each with its description (from the schemas)."""
    from .schema import schema_files

    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in schema_files(schema_dir))
    docs = _schemas(schema_dir, stamp)
    out: dict[str, str] = {"record_type": EXTRA_COLUMNS["record_type"]}
    for file in ("statute.schema.json", "remedy.schema.json"):
        schema = docs.get(file, {})
        for name, sub in schema.get("properties", {}).items():
            for column, text in _walk(schema, sub, docs, name):
                out.setdefault(column, text)
                if column == "jurisdiction":
                    out.setdefault("jurisdiction_name", EXTRA_COLUMNS["jurisdiction_name"])
                if column == "legal_basis.note":
                    out.setdefault("legal_basis.citation", EXTRA_COLUMNS["legal_basis.citation"])
                    for extra in (
                        "legal_basis.official_text_url",
                        "legal_basis.official_text_url_built",
                    ):
                        out.setdefault(extra, EXTRA_COLUMNS[extra])
                if column == "official_text_url":
                    out.setdefault(
                        "official_text_url_built", EXTRA_COLUMNS["official_text_url_built"]
                    )
                if column == "related_statutes":
                    out.setdefault(
                        "related_statutes.citation", EXTRA_COLUMNS["related_statutes.citation"]
                    )
    for extra in (
        "provenance.verification_level",
        "provenance.verification_meaning",
        "provenance.law_as_of",
        "provenance.checked_on",
        "relief_status",
        "path",
    ):
        out[extra] = EXTRA_COLUMNS[extra]
    return list(out.items())


# A spreadsheet reads a cell starting with these as a formula (`=HYPERLINK(...)`), and a
# tab or carriage return at the start as one too in some programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def csv_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: formula starts neutralised with `'`."""
    return "'" + text if text.startswith(FORMULA_START) else text


class _Quoting:
    """Writes rows with csv's minimal quoting, plus quotes around every cell holding a
    control character (csv leaves a bare carriage return unquoted: it splits the row)."""

    def __init__(self, buf: io.StringIO) -> None:
        self.buf = buf
        self.plain = csv.writer(buf, lineterminator="\n")

    def writerow(self, cells: list[str]) -> None:
        cells = [c if c == "" else csv_cell(str(c)) for c in cells]
        if _CONTROL.search("".join(cells)) is None:
            self.plain.writerow(cells)  # the common row: csv's own (C) writer
            return
        out = []
        for cell in cells:
            scratch = io.StringIO()
            csv.writer(scratch, lineterminator="").writerow([cell])
            text = scratch.getvalue()
            if _CONTROL.search(cell) and not text.startswith('"'):
                text = '"' + cell.replace('"', '""') + '"'
            out.append(text)
        self.buf.write(",".join(out) + "\n")


def csv_writer(buf: io.StringIO) -> _Quoting:
    """A CSV writer for data from records: formulas neutralised, control characters quoted."""
    return _Quoting(buf)


def _cell(value: Any) -> str:
    kind = type(value)
    if kind is str:  # most cells: checked first
        if "\n" in value:
            value = " ".join(value.split())
        return "'" + value if value.startswith(FORMULA_START) else value
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if kind is list:
        return SEPARATOR.join([_cell(v) for v in value])
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return csv_cell(" ".join(text.split()) if "\n" in text else text)


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if type(value) is dict:
        for k, v in value.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if type(v) is dict or type(v) is list:
                _flatten(v, key, out)
            else:
                out[key] = v
    elif value == []:
        return  # an empty list leaves its column(s) empty
    elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
        keys = list(dict.fromkeys(k for v in value if isinstance(v, dict) for k in v))
        for k in keys:
            out[f"{prefix}.{k}"] = [v.get(k) if isinstance(v, dict) else None for v in value]
    elif isinstance(value, dict):  # a dict subclass: the general path
        for k, v in value.items():
            _flatten(v, f"{prefix}.{k}" if prefix else str(k), out)
    else:
        out[prefix] = value


def flat_fields(record: dict) -> dict[str, Any]:
    """One record's values by CSV column name, not yet written as cells."""
    flat: dict[str, Any] = {}
    _flatten(record, "", flat)
    if "related_statutes.statute" in flat:  # the view resolves ids into {statute, citation}
        flat["related_statutes"] = flat.pop("related_statutes.statute")
    return flat


def encode(data: dict[str, list[dict]]) -> dict[str, list[str]]:
    """Each record as one line of compact JSON (the C encoder), by list: JSON and JSON
    Lines are both assembled from these, so a site build encodes every record once."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    return {key: [dumps(r) for r in records] for key, records in data.items()}


def to_json(
    data: dict[str, list[dict]], exported_at: str, encoded: dict[str, list[str]] | None = None
) -> str:
    """One JSON document: licence, date and counts indented, then each array with one
    record per line (readable, and written by the C encoder: indenting every record
    would take the pure-Python one, about three times slower on a large corpus)."""
    if encoded is None:
        encoded = encode(data)
    head = {
        "license": LICENSE,
        "exported_at": exported_at,
        "generator": f"kbtool {__version__}",
        "disclaimer": DISCLAIMER,
        "counts": {k: len(v) for k, v in data.items()},
    }
    parts = [json.dumps(head, indent=2, ensure_ascii=False)[: -len("\n}")]]
    for key, lines in encoded.items():
        items = ",\n".join("    " + line for line in lines)
        parts.append(
            f"  {json.dumps(key)}: [\n{items}\n  ]" if lines else f"  {json.dumps(key)}: []"
        )
    return ",\n".join(parts) + "\n}\n"


def to_jsonl(data: dict[str, list[dict]], encoded: dict[str, list[str]] | None = None) -> str:
    if encoded is None:
        encoded = encode(data)
    return "".join(line + "\n" for key in ("statutes", "remedies") for line in encoded[key])


def to_csv(data: dict[str, list[dict]], cols: list[tuple[str, str]]) -> str:
    names = [name for name, _ in cols]
    known = set(names)
    buf = io.StringIO()
    writer = csv_writer(buf)
    writer.writerow(names)
    for record in (*data["statutes"], *data["remedies"]):
        flat = flat_fields(record)
        if not known.issuperset(flat):  # a field the schemas do not describe: refuse it
            unknown = set(flat) - known
            raise KBError(
                f"{record.get('path')}: fields {', '.join(sorted(unknown))} have no CSV column; "
                "run `kbtool validate`"
            )
        writer.writerow([_cell(flat[n]) if n in flat else "" for n in names])
    return buf.getvalue()


def license_text(
    kb_root: Path,
    file_name: str,
    output_format: str,
    exported_at: str,
    counts: dict[str, int],
    cols: list[tuple[str, str]] | None = None,
) -> str:
    """The companion file: what the export is, its licence, and (CSV) its columns."""
    lines = [
        f"{file_name}: trafficking survivor remedies knowledge base, exported {exported_at}",
        f"Format: {output_format.upper()}, {counts.get('statutes', 0)} statutes and "
        f"{counts.get('remedies', 0)} remedies; generated by kbtool {__version__}.",
        "",
        f"Licence: {LICENSE['name']} ({LICENSE['id']})",
        LICENSE["url"],
        "",
    ]
    from .files import Refused, read_text

    try:  # through the gate: a linked DATA-LICENSE.md is never copied into a download
        lines += [read_text(kb_root / "DATA-LICENSE.md", kb_root, 64 * 1024).strip(), ""]
    except Refused:
        lines += [DISCLAIMER, ""]
    if cols:
        lines += [
            "Columns",
            "",
            "One row per record, statutes first. Nested fields are flattened with dots; a",
            "list becomes one column per part of its items, with the values joined by",
            f"'{SEPARATOR}' in list order, so the n-th values of the columns of one list",
            "belong together; true, false and unknown are written as words.",
            "",
        ]
        lines += [f"{name}\n    {text}" for name, text in cols]
    return "\n".join(lines).rstrip() + "\n"


def render(
    corpus: Corpus,
    output_format: str,
    exported_at: str,
    data: dict[str, list[dict]] | None = None,
    encoded: dict[str, list[str]] | None = None,
) -> tuple[str, str | None, dict]:
    """(export text, companion licence text or None, counts) for a format; `data` is
    `collect(corpus)` and `encoded` is `encode(data)` when the caller already has them
    (the site renders every format)."""
    if output_format not in FORMATS:
        raise KBUsageError(f"unknown export format {output_format!r}; one of: {', '.join(FORMATS)}")
    if data is None:
        data = collect(corpus)
    counts = {k: len(v) for k, v in data.items()}
    if output_format == "json":
        return to_json(data, exported_at, encoded), None, counts
    if output_format == "jsonl":
        return to_jsonl(data, encoded), "", counts
    cols = columns(corpus.kb.schema_dir)
    return to_csv(data, cols), "", counts


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old one or the new one, never half of it."""
    from .files import sweep, write_error

    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise KBUsageError(f"{folder}: no such folder")
    # what a killed export of this file left: `.<name>.<pid>.<ns>.tmp`, an old one
    sweep(folder, re.compile(rf"\.{re.escape(path.name)}\.[0-9]+\.[0-9]+\.tmp"))
    tmp = folder / f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise write_error(path, exc) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def export(
    corpus: Corpus, output_format: str, output: Path | None, exported_at: str
) -> tuple[str | None, list[Path], dict]:
    """Export the corpus. With `output`, writes it (and its licence file) atomically and
    returns the paths written; without, returns the text to print."""
    text, companion, counts = render(corpus, output_format, exported_at)
    if output is None:
        return text, [], counts
    written = []
    if companion is not None:
        cols = columns(corpus.kb.schema_dir) if output_format == "csv" else None
        notice = license_text(corpus.kb.root, output.name, output_format, exported_at, counts, cols)
        write_atomic(companion_path(output), notice)
        written.append(companion_path(output))
    write_atomic(output, text)
    written.insert(0, output)
    return None, written, counts
