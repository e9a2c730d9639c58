"""The site's search index: what readers search, as one small JSON file.

`kbtool site` writes it to `kb/search/index.json`; `docs/assets/kb-search.js` fetches it
the first time the reader focuses the search box (never on page load) and ranks records
the way `kbtool search` does, as far as a few kilobytes of script can: the same
stopwords, jurisdiction names, remedy words, compounds ("T visa") and priors (remedies
over statutes, available over undetermined), plus tolerance of one-letter typos.

It holds, per record, only the title, the citations, the summary, the eligibility and
the deadline (the fields attorneys search), never sources or research notes. Long
fields are cut at a word boundary (MAX_FIELD characters): the full text is on the page.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import query as lookups
from .corpus import Corpus, Record
from .index import JURISDICTION_BOOST, SECTION_BOOST, TYPE_BOOST, record_prior
from .understand import jurisdiction_keys, tables

INDEX_PATH = "search/index.json"  # under docs/kb/
MAX_BYTES = 600 * 1024  # the ceiling; a test checks the real data stays under it
MAX_FIELD = 700  # characters kept of a long summary, eligibility or deadline
FIELD_WEIGHTS = {
    "title": 3.0,
    "citation": 4.0,
    "summary": 1.5,
    "eligibility": 1.0,
    "deadline": 1.0,
    "keywords": 0.5,
}


def _clip(text: Any, width: int = MAX_FIELD) -> str:
    text = " ".join(str(text or "").split())
    if len(text) <= width:
        return text
    return text[: width - 1].rsplit(" ", 1)[0] + " …"


def _anchor(title: Any) -> str:
    """The id Python-Markdown's toc extension gives a heading (as kbtool.site does)."""
    from .site import _anchor as site_anchor

    return site_anchor(title)


def record_url(record: Record) -> str:
    """Where a record is shown: its heading on its jurisdiction's page (site-relative),
    whose id is the record's id (site_jurisdiction), stable when a title changes."""
    return f"kb/jurisdictions/{record.jurisdiction.lower()}/#{record.id}"


def deadline(data: dict) -> str:
    """The record's time limit, in words: the first of the fields that say it."""
    for value in (
        data.get("time_limits"),
        (data.get("record_relief") or {}).get("time_limit", {}).get("text")
        if isinstance((data.get("record_relief") or {}).get("time_limit"), dict)
        else None,
        (data.get("civil_action") or {}).get("limitation_text"),
    ):
        if isinstance(value, str) and value.strip():
            return value
    return ""


def keywords(corpus: Corpus, data: dict) -> str:
    """Codes worth finding a remedy by, in words: its type's label, the forms of relief
    and the kinds of trafficking it covers ("Criminal record relief vacatur sex labor")."""
    out = [corpus.type_label(str(data["remedy_type"]))] if data.get("remedy_type") else []
    for block in ("record_relief", "civil_action"):
        inner = data.get(block)
        if not isinstance(inner, dict):
            continue
        for key in ("relief_forms", "trafficking_types"):
            value = inner.get(key)
            values = value if isinstance(value, list) else [value] if value else []
            out += [str(v).replace("_", " ") for v in values]
    return " ".join(dict.fromkeys(out))


def _available(value: Any) -> int:
    return {True: 1, False: 0}.get(value, -1) if isinstance(value, bool) else -1


def build(corpus: Corpus) -> dict:
    """The search index of the site, as data."""
    names = {j.code: j.name for j in corpus.registry}
    docs: list[list[Any]] = []
    for kind in ("remedy", "statute"):
        for r in corpus.all(kind):
            d = r.data
            if kind == "remedy":
                refs = lookups.resolve_refs(corpus, d.get("legal_basis"))
                citation = "; ".join(dict.fromkeys(x["citation"] for x in refs if x["citation"]))
            else:
                citation = str(d.get("citation") or "")
            docs.append(
                [
                    record_url(r),
                    r.id,
                    kind[0],  # r or s
                    r.jurisdiction,
                    str(d.get("remedy_type") or ""),
                    _available(d.get("available")) if kind == "remedy" else 1,
                    str(d.get("title") or ""),
                    citation,
                    _clip(d.get("summary")),
                    _clip(d.get("eligibility")) if kind == "remedy" else "",
                    _clip(deadline(d)) if kind == "remedy" else "",
                    keywords(corpus, d) if kind == "remedy" else "",
                    round(
                        record_prior(
                            kind,
                            str(d.get("available")).lower(),
                            str(d.get("status") or ""),
                            str(d.get("verification") or ""),
                        ),
                        3,
                    ),
                ]
            )
    pages = [
        [f"kb/jurisdictions/{j.folder}/", j.code, j.name, j.official_name or ""]
        for j in corpus.registry
    ]
    pages += [
        [f"kb/compare/{t}/", "", f"{corpus.type_label(t)}: compare jurisdictions", ""]
        for t in corpus.remedy_types
    ]
    pages += [
        ["screener/", "", "Remedy screener", "Screen a client's record"],
        ["kb/statutes/", "", "Statutes", "All statute records"],
        ["kb/downloads/", "", "Downloads", "Open data exports"],
        ["methodology/", "", "Methodology", ""],
    ]
    # The CLI's own table (understand.py): the page reads a query the same way.
    keys = [
        [key, code, 1 if careful else 0]
        for key, (code, careful) in jurisdiction_keys(corpus.registry).items()
    ]
    return {
        "version": 1,
        "fields": [
            "url",
            "id",
            "kind",
            "jurisdiction",
            "type",
            "available",
            "title",
            "citation",
            "summary",
            "eligibility",
            "deadline",
            "keywords",
            "prior",
        ],
        "labels": {"summary": "Summary", "eligibility": "Eligibility", "deadline": "Deadline"},
        "weights": {
            "fields": FIELD_WEIGHTS,
            "jurisdiction": JURISDICTION_BOOST,
            "type": TYPE_BOOST,
            "section": SECTION_BOOST,
        },
        "names": names,
        "jurisdiction_keys": keys,
        **tables(),
        "docs": docs,
        "pages": pages,
    }


def render(corpus: Corpus) -> str:
    """The index as compact JSON (no `</` so it is also safe inside a script tag)."""
    text = json.dumps(build(corpus), ensure_ascii=False, separators=(",", ":"))
    return re.sub(r"</", r"<\\/", text)
