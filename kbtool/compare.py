"""Side-by-side comparison of jurisdictions, field by field, and its renderers.

`compare()` returns plain data: for each remedy type, one column per remedy record of
each jurisdiction (a jurisdiction with none gets a `not researched` column) and one row
per field: availability, the law, every structured comparison field of that type (as
the remedy schema defines them, labelled with the schema's titles) and the date last
verified. Rows whose values differ are flagged. `table_text` (wrapped to 80 columns),
`table_markdown` and `table_csv` render it. Reads only the jurisdictions' folders: no
jsonschema, no index.
"""

from __future__ import annotations

import io
import re
import textwrap
from functools import cache
from pathlib import Path
from typing import Any

from . import DISCLAIMER
from .corpus import Corpus
from .jurisdictions import Jurisdiction
from .kb import KBUsageError
from .query import record_view
from .render import availability, deadline, fmt, limitation

WIDTH = 80
NOT_RESEARCHED = "not researched"


@cache
def _schema(schema_dir: Path, stamp: float) -> dict:
    from .schema import load_schemas  # through the gate: no link out, size-capped

    return load_schemas(schema_dir)["remedy.schema.json"]


def structured_fields(schema_dir: Path) -> dict[str, tuple[str, list[tuple[tuple[str, ...], str]]]]:
    """remedy type -> (property holding its comparison fields, [(field path, label)]).

    Read from the remedy schema: the `allOf` rule that requires a property for a
    remedy type names it, and that property's object schema lists the fields in order.
    Nested objects (a time limit) give one row for the whole and one per free-text part.
    """
    path = schema_dir / "remedy.schema.json"
    schema = _schema(schema_dir, path.stat().st_mtime)
    defs = schema.get("$defs", {})
    props = schema.get("properties", {})
    out: dict[str, tuple[str, list[tuple[tuple[str, ...], str]]]] = {}
    for rule in schema.get("allOf", []):
        cond = rule.get("if", {}).get("properties", {}).get("remedy_type", {})
        remedy_type = cond.get("const")
        if not isinstance(remedy_type, str):
            continue
        for name in rule.get("then", {}).get("required", []):
            ref = props.get(name, {}).get("$ref", "")
            target = defs.get(ref.rsplit("/", 1)[-1]) if ref.startswith("#/$defs/") else None
            if not isinstance(target, dict) or "properties" not in target:
                continue
            rows: list[tuple[tuple[str, ...], str]] = []
            for field, sub in target["properties"].items():
                title = str(sub.get("title") or field)
                rows.append(((field,), title))
                if sub.get("type") == "object":  # its free-text parts get rows of their own
                    for inner, inner_sub in (sub.get("properties") or {}).items():
                        free_text = "$ref" in inner_sub or (
                            inner_sub.get("type") == "string" and "enum" not in inner_sub
                        )
                        if free_text:
                            label = f"{title}: {inner_sub.get('title', inner)}"
                            rows.append(((field, inner), label))
            out[remedy_type] = (name, rows)
    return out


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _display(field: tuple[str, ...], value: Any) -> str:
    if value is None:
        return "-"
    if field == ("time_limit",):
        return deadline(value)
    if field == ("limitation_period",):
        return limitation(value)
    if field == ("offense_categories",) and isinstance(value, dict):
        from .screener import OFFENSE_CATEGORIES  # labels, as in schema/vocabulary.yaml

        return "; ".join(f"{OFFENSE_CATEGORIES.get(k, k)}: {fmt(v)}" for k, v in value.items())
    if _prose_list(value):
        return "; ".join(" ".join(str(v).split()) for v in value)
    if isinstance(value, str) and not re.fullmatch(r"[a-z0-9_]+", value):
        return " ".join(value.split())  # prose, as written
    return fmt(value)  # codes and lists: `as_a_result_of` -> `as a result of`


def _prose_list(value: Any) -> bool:
    """A list of two or more texts that are not codes (exclusions and the like)."""
    return (
        isinstance(value, list)
        and len(value) > 1
        and any(isinstance(v, str) and not re.fullmatch(r"[a-z0-9_]+", v) for v in value)
    )


def _cell_lines(row: dict, i: int, width: int) -> list[str]:
    """One cell of the text table: words never broken; a list of texts one item a line."""
    value = row["values"][i] if i < len(row["values"]) else None
    opts = {"break_on_hyphens": False, "break_long_words": False}
    if isinstance(value, dict) and value:
        value = row["display"][i].split("; ")  # one `label: value` a line
    if (_prose_list(value) or isinstance(row["values"][i], dict)) and row["field"] != "record":
        lines: list[str] = []
        for item in value:
            text = " ".join(str(item).split())
            lines += textwrap.wrap(text, width, initial_indent="- ", subsequent_indent="  ", **opts)
        return lines
    return textwrap.wrap(row["display"][i], width, **opts) or [""]


def compare(
    corpus: Corpus, jurisdictions: list[Jurisdiction], remedy_type: str | None = None
) -> dict:
    """The comparison of `jurisdictions`, per remedy type, as data ready for JSON."""
    if len(jurisdictions) < 2:
        raise KBUsageError("compare needs at least two different jurisdictions")
    types = list(corpus.remedy_types)
    if remedy_type is not None and remedy_type not in corpus.remedy_types:
        raise KBUsageError(f"unknown remedy type {remedy_type!r}; one of: {', '.join(types)}")
    records = {j.code: corpus.of_jurisdiction("remedy", j) for j in jurisdictions}
    present = {str(r.data.get("remedy_type")) for recs in records.values() for r in recs}
    wanted = [remedy_type] if remedy_type else [t for t in types if t in present]
    structured = structured_fields(corpus.kb.schema_dir)
    order = {True: 0, "unknown": 1, False: 2}
    tables = []
    for t in wanted:
        columns: list[dict] = []
        for j in jurisdictions:
            recs = sorted(
                (r for r in records[j.code] if r.data.get("remedy_type") == t),
                key=lambda r: (order.get(r.data.get("available"), 3), r.id),
            )
            if not recs:
                columns.append(
                    {"jurisdiction": j.code, "name": j.name, "record": None, "data": None}
                )
            for r in recs:
                view = record_view(corpus, r)
                columns.append(
                    {"jurisdiction": j.code, "name": j.name, "record": r.id, "data": view}
                )
        holder, fields = structured.get(t, ("", []))
        rows = [
            _row("record", "Record", columns, lambda d: d.get("id"), lambda v: fmt(v)),
            _row(
                "available",
                "Available",
                columns,
                lambda d: d.get("available"),
                availability,
                missing=NOT_RESEARCHED,
            ),
            _row(
                "title",
                "Title",
                columns,
                lambda d: d.get("title"),
                lambda v: "-" if v is None else str(v),
            ),
            _row(
                "legal_basis",
                "Law",
                columns,
                lambda d: (
                    [c.get("citation") or c.get("statute") for c in d.get("legal_basis") or []]
                    or None
                ),
                lambda v: "-" if not v else "; ".join(dict.fromkeys(v)),
            ),
        ]
        for path, label in fields:
            rows.append(
                _row(
                    ".".join((holder, *path)),
                    label,
                    columns,
                    lambda d, p=path, h=holder: _get(d.get(h), p),
                    lambda v, p=path: _display(p, v),
                )
            )
        rows.append(
            _row(
                "last_verified",
                "Last verified",
                columns,
                lambda d: d.get("last_verified"),
                lambda v: "-" if v is None else str(v),
            )
        )
        tables.append(
            {
                "remedy_type": t,
                "label": corpus.type_label(t),
                "columns": [{k: c[k] for k in ("jurisdiction", "name", "record")} for c in columns],
                "rows": rows,
            }
        )
    return {
        "jurisdictions": [{"code": j.code, "name": j.name} for j in jurisdictions],
        "tables": tables,
    }


def _row(key, label, columns, get, show, missing: str = "-") -> dict:
    values = [get(c["data"]) if c["data"] is not None else None for c in columns]
    shown = [
        show(v) if c["data"] is not None else missing for c, v in zip(columns, values, strict=True)
    ]
    # Availability differs when one side has no record; the other fields are compared
    # only between records (a missing record is not a difference in every field).
    compared = [s for c, s in zip(columns, shown, strict=True) if c["data"] is not None]
    return {
        "field": key,
        "label": label,
        "values": values,
        "display": shown,
        "differs": key not in ("record", "title", "last_verified")
        and len(set(shown if key == "available" else compared)) > 1,
    }


# --- Renderers ---------------------------------------------------------------------------


def _header(col: dict, columns: list[dict]) -> str:
    same = [c for c in columns if c["jurisdiction"] == col["jurisdiction"]]
    if len(same) > 1:
        return f"{col['jurisdiction']} ({same.index(col) + 1})"
    return col["jurisdiction"]


def table_text(data: dict, width: int = WIDTH) -> str:
    """Tables wrapped to `width` columns; a `*` marks rows whose values differ."""
    names = " vs ".join(f"{j['name']} ({j['code']})" for j in data["jurisdictions"])
    title = textwrap.wrap(names, width)
    if not data["tables"]:
        return "\n".join(
            [*title, "", "No remedy records for these jurisdictions yet (not researched)."]
        )
    out = [*title, "* = the values differ", ""]
    for table in data["tables"]:
        columns = table["columns"]
        n = len(columns)
        label_w = 22 if n <= 3 else 16
        cell_w = max(10, (width - 2 - label_w - 2 * n) // n)
        # never break a word: widen the cells to the longest word, taking the room from
        # the labels (down to 12); the record ids are listed above the table
        longest = max(
            (
                len(w)
                for row in table["rows"]
                if row["field"] != "record"
                for v in row["display"]
                for w in v.split()
            ),
            default=0,
        )
        longest += 2  # room for a list item's "- "
        stacked = longest > (width - 2 - 12 - 2 * n) // n
        if longest > cell_w and not stacked:
            cell_w = longest
            label_w = max(12, min(label_w, width - 2 - n * (cell_w + 2)))
        out.append(table["label"])
        out.append("=" * len(table["label"]))
        heads = [_header(c, columns) for c in columns]
        for row in table["rows"]:
            if row["field"] == "record":
                for head, shown in zip(heads, row["display"], strict=True):
                    out.append(f"  {head}: {shown}")
                out.append("")
        if stacked:  # too many columns for whole words side by side: one value a block
            out.extend(_stacked(table, heads, width))
            continue
        out.append(("  " + " " * label_w + "".join(f"  {h:<{cell_w}}" for h in heads)).rstrip())
        for row in table["rows"]:
            if row["field"] == "record":
                continue
            label = textwrap.wrap(row["label"], label_w, break_long_words=False) or [""]
            cells = [_cell_lines(row, i, cell_w) for i in range(len(row["display"]))]
            height = max(len(label), *(len(c) for c in cells))
            mark = "* " if row["differs"] else "  "
            for i in range(height):
                line = (
                    mark if i == 0 else "  "
                ) + f"{label[i] if i < len(label) else '':<{label_w}}"
                line += "".join(f"  {c[i] if i < len(c) else '':<{cell_w}}" for c in cells)
                out.append(line.rstrip())
            if height > 1:
                out.append("")
        if out[-1] != "":
            out.append("")
    out.extend(textwrap.wrap(DISCLAIMER, width))
    return "\n".join(out)


def _stacked(table: dict, heads: list[str], width: int) -> list[str]:
    """A table as blocks: the field, then each jurisdiction's value on its own lines."""
    out: list[str] = []
    head_w = max(len(h) for h in heads) + 1
    for row in table["rows"]:
        if row["field"] == "record":
            continue
        out.append(("* " if row["differs"] else "  ") + row["label"])
        for i, head in enumerate(heads):
            lines = _cell_lines(row, i, width - 4 - head_w - 1)
            for j, line in enumerate(lines):
                lead = f"{head + ':':<{head_w}}" if j == 0 else " " * head_w
                out.append(f"    {lead} {line}".rstrip())
        out.append("")
    return out


def _md(text: str) -> str:
    """A Markdown table cell: one line, HTML made inert, `|` escaped."""
    import html

    return " ".join(html.escape(str(text), quote=True).replace("|", "\\|").split())


def table_markdown(data: dict) -> str:
    """One Markdown table per remedy type; differing rows have their label in bold."""
    names = " vs ".join(f"{j['name']} ({j['code']})" for j in data["jurisdictions"])
    out = [f"# {_md(names)}", ""]
    if not data["tables"]:
        out.append("No remedy records for these jurisdictions yet (not researched).")
    for table in data["tables"]:
        columns = table["columns"]
        out.append(f"## {_md(table['label'])}")
        out.append("")
        out.append("| Field | " + " | ".join(_md(_header(c, columns)) for c in columns) + " |")
        out.append("|---|" + "---|" * len(columns))
        for row in table["rows"]:
            label = f"**{_md(row['label'])}**" if row["differs"] else _md(row["label"])
            out.append(f"| {label} | " + " | ".join(_md(v) for v in row["display"]) + " |")
        out.append("")
    out.append("Rows in bold differ between jurisdictions.")
    return "\n".join(out)


def table_csv(data: dict) -> str:
    """One CSV: remedy_type, field, label, differs, then one column per jurisdiction
    (a jurisdiction with several records of a type gets `CODE (2)` and so on)."""
    heads: list[str] = []
    for table in data["tables"]:
        for c in table["columns"]:
            h = _header(c, table["columns"])
            if h not in heads:
                heads.append(h)
    if not heads:
        heads = [j["code"] for j in data["jurisdictions"]]
    from .export import csv_writer  # formulas neutralised, control characters quoted

    buf = io.StringIO()
    writer = csv_writer(buf)
    writer.writerow(["remedy_type", "field", "label", "differs", *heads])
    for table in data["tables"]:
        names = [_header(c, table["columns"]) for c in table["columns"]]
        for row in table["rows"]:
            by_head = dict(zip(names, row["display"], strict=True))
            writer.writerow(
                [
                    table["remedy_type"],
                    row["field"],
                    row["label"],
                    "yes" if row["differs"] else "no",
                    *(by_head.get(h, "") for h in heads),
                ]
            )
    return buf.getvalue().rstrip("\n")


def as_json(data: dict) -> dict:
    """The comparison for scripts: raw values (and their display form) per column."""
    return {
        "jurisdictions": data["jurisdictions"],
        "tables": [
            {
                "remedy_type": t["remedy_type"],
                "label": t["label"],
                "columns": t["columns"],
                "rows": [
                    {
                        "field": r["field"],
                        "label": r["label"],
                        "differs": r["differs"],
                        "values": r["values"],
                        "display": r["display"],
                    }
                    for r in t["rows"]
                ],
            }
            for t in data["tables"]
        ],
    }
