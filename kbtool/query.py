"""Library functions behind the lookup commands. They return plain data (dicts and
lists ready for JSON); `render` turns them into text."""

from __future__ import annotations

import re
from typing import Any

from .corpus import Corpus, Record
from .jurisdictions import Jurisdiction
from .kb import KBUsageError
from .provenance import (
    STATUS_AVAILABLE,
    STATUS_MINORS_ONLY,
    STATUS_NONE,
    STATUS_NOT_RESEARCHED,
    STATUS_UNDETERMINED,
    cell_status,
    remedy_status,
    verification_level,
)

# Remedy types whose absence we research for every jurisdiction of a kind.
SCOPE: dict[str, tuple[str, ...]] = {
    "state": (
        "criminal_record_relief",
        "civil_action",
        "affirmative_defense",
        "safe_harbor_minors",
    ),
    "federal": ("criminal_record_relief", "civil_action", "restitution", "immigration_relief"),
    "international": ("non_punishment",),
}
SCOPE["district"] = SCOPE["state"]
SCOPE["territory"] = SCOPE["state"]


_TRAILING_GROUPS = re.compile(r"(?:\([0-9A-Za-z]{1,8}\))+\Z")


def pinpoint_citation(citation: str, pinpoint: Any) -> str:
    """`18 U.S.C. § 1595` + `(c)` -> `18 U.S.C. § 1595(c)`; `art. 6` is added after a comma.

    A pinpoint counts from the section, so when the statute's citation already names a
    subsection the pinpoint starts with, it is written once: `8 U.S.C. § 1255(l)` +
    `(l)(1)` -> `8 U.S.C. § 1255(l)(1)`, not `§ 1255(l)(l)(1)`."""
    if not pinpoint or citation.endswith(str(pinpoint)):
        return citation
    pin = str(pinpoint)
    if not pin.startswith("("):
        return f"{citation}, {pin}"
    trailing = _TRAILING_GROUPS.search(citation)
    if trailing:
        groups = re.findall(r"\([^()]*\)", trailing.group(0))
        for k in range(len(groups), 0, -1):  # the longest run of the citation's own groups
            named = "".join(groups[-k:])
            if pin.startswith(named):
                return citation + pin[len(named) :]
    return f"{citation}{pin}"


def resolve_refs(corpus: Corpus, refs: list[Any] | None) -> list[dict]:
    """legal_basis entries with each statute's citation and official text address added."""
    out = []
    for ref in refs or []:
        if not isinstance(ref, dict):
            continue
        statute = corpus.get(str(ref.get("statute")), ("statute",))
        item = dict(ref)
        if statute is not None:
            cite = str(statute.data.get("citation", ""))
            pin = ref.get("pinpoint")
            item["citation"] = pinpoint_citation(cite, pin)
            url, built = corpus.official_url(statute)
            if url:
                item["official_text_url"] = url
            if built:
                item["official_text_url_built"] = True
        else:
            item["citation"] = None
        out.append(item)
    return out


def record_view(corpus: Corpus, record: Record) -> dict:
    """A record as data for output: its fields, citations resolved, and its file."""
    data = dict(record.data)
    data["record_type"] = record.kind
    if record.kind == "remedy":
        data["legal_basis"] = resolve_refs(corpus, record.data.get("legal_basis"))
    else:
        related = []
        for rid in record.data.get("related_statutes") or []:
            other = corpus.get(str(rid), ("statute",))
            related.append(
                {"statute": rid, "citation": other.data.get("citation") if other else None}
            )
        data["related_statutes"] = related
        url, built = corpus.official_url(record)
        if built:  # the publisher's address for the section, the record giving none
            data["official_text_url"] = url
            data["official_text_url_built"] = True
    data["provenance"] = dict(record.provenance)
    if record.kind == "remedy":
        data["relief_status"] = remedy_status(record.data)
    data["path"] = corpus._display(record.path)
    return data


def remedies(
    corpus: Corpus, jurisdiction: Jurisdiction, remedy_type: str | None = None
) -> list[dict]:
    """The remedies of one jurisdiction, by remedy type (vocabulary order), then id."""
    if remedy_type is not None and remedy_type not in corpus.remedy_types:
        raise KBUsageError(
            f"unknown remedy type {remedy_type!r}; one of: {', '.join(corpus.remedy_types)}"
        )
    records = [
        r
        for r in corpus.of_jurisdiction("remedy", jurisdiction)
        if remedy_type is None or r.data.get("remedy_type") == remedy_type
    ]
    records.sort(
        key=lambda r: (
            corpus.type_rank(r.data.get("remedy_type")),
            {True: 0, "unknown": 1, False: 2}.get(r.data.get("available"), 3),
            r.id,
        )
    )
    return [record_view(corpus, r) for r in records]


def show(corpus: Corpus, record_id: str) -> dict:
    record = corpus.get(record_id)
    if record is None:
        raise KBUsageError(unknown_record_message(corpus, record_id))
    return record_view(corpus, record)


def unknown_record_message(corpus: Corpus, text: str) -> str:
    """What to say for `kbtool show TEXT` when TEXT is no record id: a jurisdiction (run
    `remedies`), a citation or section number (the records that cite it, or `search`), or
    a mistyped id (the closest ids)."""
    import difflib
    import shlex

    from .kb import KBUsageError as _UsageError

    ids = [p.stem for kind in ("statute", "remedy") for p in corpus.kb.record_files(kind)]
    lines = [f"no record with id {text!r}."]
    try:
        jurisdiction = corpus.registry.resolve(text)
    except _UsageError:
        jurisdiction = None
    if jurisdiction is not None and len(text) > 1:
        lines.append(
            f"{text} is a jurisdiction: run `kbtool remedies {jurisdiction.code}` for its "
            "remedies (`kbtool jurisdictions` lists them all)."
        )
    words = text.lower().replace("§", " ").replace(".", "-").split()
    section = "-".join(w.strip("-") for w in words if any(c.isdigit() for c in w))
    citing = [i for i in ids if section and f"-{section}" in i] if section else []
    close = difflib.get_close_matches(text.lower(), ids, n=3, cutoff=0.6)
    suggestions = list(dict.fromkeys(citing[:5] + close))
    if suggestions:
        lines.append("Close ids: " + ", ".join(suggestions) + ".")
    if any(c.isdigit() for c in text) or "§" in text:
        lines.append(f"For a citation or section number, run `kbtool search {shlex.quote(text)}`.")
    lines.append(
        "Ids are file names without .yaml (`kbtool remedies STATE` lists a jurisdiction's records)."
    )
    return "\n".join(lines)


def jurisdictions(corpus: Corpus) -> list[dict]:
    """The registry, with the number of records per jurisdiction."""
    counts = corpus.count_files()
    out = []
    for j in corpus.registry:
        c = counts.get(j.folder, {"statute": 0, "remedy": 0})
        out.append(
            {
                "code": j.code,
                "name": j.name,
                "official_name": j.official_name,
                "kind": j.kind,
                "aliases": list(j.aliases),
                "statutes": c["statute"],
                "remedies": c["remedy"],
            }
        )
    return out


def coverage(corpus: Corpus) -> dict:
    """Jurisdiction x remedy type matrix, computed from the records."""
    remedies_by_j: dict[str, list[Record]] = {}
    for r in corpus.all("remedy"):
        remedies_by_j.setdefault(r.jurisdiction, []).append(r)
    statutes_by_j: dict[str, list[Record]] = {}
    for s in corpus.all("statute"):
        statutes_by_j.setdefault(s.jurisdiction, []).append(s)
    rows = []
    totals: dict[str, int] = {
        STATUS_AVAILABLE: 0,
        STATUS_MINORS_ONLY: 0,
        STATUS_NONE: 0,
        STATUS_UNDETERMINED: 0,
        STATUS_NOT_RESEARCHED: 0,
    }
    verification: dict[str, int] = {}
    for j in corpus.registry:
        scope = SCOPE.get(j.kind, ())
        recs = remedies_by_j.get(j.code, [])
        stats = statutes_by_j.get(j.code, [])
        if not scope and not recs and not stats:
            continue
        cells = {}
        for t in scope:
            status = cell_status([r.data for r in recs if r.data.get("remedy_type") == t])
            cells[t] = status
            totals[status] += 1
        extra = sorted(
            {str(r.data.get("remedy_type")) for r in recs} - set(scope),
            key=corpus.type_rank,
        )
        for t in extra:
            cells[t] = cell_status([r.data for r in recs if r.data.get("remedy_type") == t])
        dates = [
            str(r.data.get("last_verified")) for r in recs + stats if r.data.get("last_verified")
        ]
        for r in recs + stats:
            v = verification_level(r.data)
            verification[v] = verification.get(v, 0) + 1
        rows.append(
            {
                "code": j.code,
                "name": j.name,
                "kind": j.kind,
                "remedies": cells,
                "crime_statute": any(
                    s.data.get("kind") == ("treaty" if j.kind == "international" else "criminal")
                    for s in stats
                ),
                "statutes": len(stats),
                "remedy_records": len(recs),
                "oldest_verified": min(dates) if dates else None,
            }
        )
    all_dates = [
        str(r.data["last_verified"])
        for group in (remedies_by_j, statutes_by_j)
        for recs in group.values()
        for r in recs
        if r.data.get("last_verified")
    ]
    return {
        "data_as_of": max(all_dates) if all_dates else None,
        "jurisdictions": rows,
        "totals": totals,
        "verification": dict(sorted(verification.items())),
        "records": {
            "statutes": sum(len(v) for v in statutes_by_j.values()),
            "remedies": sum(len(v) for v in remedies_by_j.values()),
        },
        "official_links": _official_links(corpus, statutes_by_j),
        "practice": _practice(remedies_by_j, rows),
        "scope": {k: list(v) for k, v in SCOPE.items()},
    }


def _practice(remedies_by_j: dict[str, list[Record]], rows: list[dict]) -> dict[str, int]:
    """Counts for the practice layer: key cases and record-relief forms from the records,
    victim compensation and protective orders from the matrix's cells (a jurisdiction
    counts once however many records it has)."""
    out = {
        "cases": 0,
        "case_jurisdictions": 0,
        "case_records": 0,
        "case_none_found": 0,
        "form_jurisdictions": 0,
        "compensation_available": 0,
        "compensation_jurisdictions": 0,
        "order_available": 0,
        "order_none": 0,
        "order_undetermined": 0,
    }
    for recs in remedies_by_j.values():
        cases = [r.data["cases"] for r in recs if isinstance(r.data.get("cases"), list)]
        out["cases"] += sum(len(c) for c in cases)
        out["case_records"] += sum(1 for c in cases if c)
        out["case_none_found"] += sum(1 for c in cases if not c)
        out["case_jurisdictions"] += any(cases)
        out["form_jurisdictions"] += any(
            r.data.get("remedy_type") == "criminal_record_relief" and r.data.get("forms")
            for r in recs
        )
    for row in rows:  # both types are outside SCOPE: a cell exists only where a record does
        comp = row["remedies"].get("victim_compensation")
        if comp:
            out["compensation_jurisdictions"] += 1
            out["compensation_available"] += comp == STATUS_AVAILABLE
        order = row["remedies"].get("protective_order")
        if order in (STATUS_AVAILABLE, STATUS_MINORS_ONLY):
            out["order_available"] += 1
        elif order == STATUS_NONE:
            out["order_none"] += 1
        elif order:
            out["order_undetermined"] += 1
    return out


def _official_links(corpus: Corpus, statutes_by_j: dict[str, list[Record]]) -> dict[str, int]:
    """Statutes with a link to the official text: given by the record, or built from the
    publisher's section pattern (schema/publishers.yaml); and those with none."""
    out = {"recorded": 0, "built": 0, "none": 0}
    for recs in statutes_by_j.values():
        for r in recs:
            url, built = corpus.official_url(r)
            out["built" if built else "recorded" if url else "none"] += 1
    return out


# The words people use for remedy types (`--type vacatur`), besides the keys and labels.
TYPE_WORDS: dict[str, str] = {
    "vacatur": "criminal_record_relief",
    "vacate": "criminal_record_relief",
    "vacating": "criminal_record_relief",
    "expungement": "criminal_record_relief",
    "expunge": "criminal_record_relief",
    "sealing": "criminal_record_relief",
    "seal": "criminal_record_relief",
    "set aside": "criminal_record_relief",
    "record relief": "criminal_record_relief",
    "record clearing": "criminal_record_relief",
    "defense": "affirmative_defense",
    "defence": "affirmative_defense",
    "safe harbor": "safe_harbor_minors",
    "safe harbour": "safe_harbor_minors",
    "civil": "civil_action",
    "lawsuit": "civil_action",
    "civil suit": "civil_action",
    "sue": "civil_action",
    "compensation": "victim_compensation",
    "immigration": "immigration_relief",
    "visa": "immigration_relief",
    "t visa": "immigration_relief",
    "u visa": "immigration_relief",
    "protective order": "protective_order",
    "restraining order": "protective_order",
    "non-punishment": "non_punishment",
}


def resolve_type(corpus: Corpus, text: str) -> str:
    """A remedy type key from its key, its label or a word people use (`vacatur`,
    `expungement`, `sealing`, `civil`, `defense`...); unknown -> a usage error listing
    the types."""
    import re as _re

    def norm(value: str) -> str:
        return _re.sub(r"[-_\s]+", " ", value.lower()).strip()

    words = norm(text)
    for key, entry in corpus.remedy_types.items():
        if words in (norm(key), norm(str((entry or {}).get("label") or ""))):
            return key
    for word, key in TYPE_WORDS.items():
        if words == norm(word) and key in corpus.remedy_types:
            return key
    listed = ", ".join(f"{k} ({corpus.type_label(k)})" for k in corpus.remedy_types)
    raise KBUsageError(
        f"unknown remedy type {text!r}; one of: {listed}. Words such as vacatur, "
        "expungement, sealing, civil or defense work too."
    )
