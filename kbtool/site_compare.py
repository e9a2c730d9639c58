"""Data for the compare-jurisdictions page: the same rows as `kbtool compare`.

For every remedy type, the rows `compare.compare()` shows (record, availability, title,
law, each structured field the remedy schema lists, last verified), and for every remedy
record the text of each row, formatted as `kbtool compare` formats it. The page's script
(docs/assets/kb.js) lays the columns side by side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import compare as cmp
from .query import resolve_refs
from .render import availability, fmt

if TYPE_CHECKING:
    from .corpus import Record
    from .site import Site


def compare_rows(site: Site) -> dict[str, list[list[str]]]:
    """remedy type -> [[row key, label], ...] in `kbtool compare`'s order."""
    structured = cmp.structured_fields(site.corpus.kb.schema_dir)
    out: dict[str, list[list[str]]] = {}
    for t in site.corpus.remedy_types:
        holder, fields = structured.get(t, ("", []))
        rows = [
            ["record", "Record"],
            ["available", "Available"],
            ["title", "Title"],
            ["legal_basis", "Law"],
        ]
        rows += [[".".join((holder, *path)), label] for path, label in fields]
        rows.append(["last_verified", "Last verified"])
        out[t] = rows
    return out


def record_display(site: Site, record: Record, holder_fields: tuple[str, list]) -> dict[str, str]:
    """The text of each `kbtool compare` row for one remedy record."""
    d = record.data
    cites = [
        str(c.get("citation") or c.get("statute"))
        for c in resolve_refs(site.corpus, d.get("legal_basis"))
    ]
    out: dict[str, str] = {
        "record": fmt(d.get("id")),
        "available": availability(d.get("available")),
        "title": "-" if d.get("title") is None else str(d.get("title")),
        "legal_basis": "; ".join(dict.fromkeys(cites)) if cites else "-",
    }
    holder, fields = holder_fields
    for path, _label in fields:
        value: Any = cmp._get(d.get(holder), path)
        out[".".join((holder, *path))] = cmp._display(path, value)
    out["last_verified"] = "-" if d.get("last_verified") is None else str(d["last_verified"])
    return out


def add_compare_rows(site: Site, data: dict) -> dict:
    """`data` (the page's KB_DATA) with `compare_rows` and each remedy's `display`."""
    structured = cmp.structured_fields(site.corpus.kb.schema_dir)
    by_id = {r.id: r for recs in site.remedies.values() for r in recs}
    data["compare_rows"] = compare_rows(site)
    for item in data["remedies"]:
        record = by_id.get(item["id"])
        if record is not None:
            t = str(record.data.get("remedy_type"))
            item["display"] = record_display(site, record, structured.get(t, ("", [])))
            for key in ("title", "available", "law", "fields", "last_verified", "verification"):
                item.pop(key, None)  # all in `display`, as the page shows them
    return data
