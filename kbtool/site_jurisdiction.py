"""Jurisdiction pages and the statutes index: the answer first, on any screen, on paper.

A jurisdiction page opens with one "at a glance" table (a row per remedy in scope:
status, the law linked to its official text, deadline, forum, burden, the date the law
is stated as of), then the details of each remedy, then the statutes (each with its
own anchor, the statute record's id), then the research notes and sources of every
record, folded. The print stylesheet (docs/assets/kb.css) prints the first two parts.

Layout only: escaping comes from `site` (h, md, link), statuses and dates from
`provenance`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import DISCLAIMER, query, screener
from .corpus import Record
from .jurisdictions import Jurisdiction
from .provenance import law_as_of, remedy_status
from .render import deadline, fmt, limitation
from .site import STRUCTURED, field_value, front_matter_text, h, link, md, safe_url

if TYPE_CHECKING:
    from .site import Site

# remedy_status() values, as people read them, and the badge class of each.
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "available": ("Available", "kb-yes"),
    "none": ("Not available", "kb-no"),
    "minors only": ("Minors only (not for adults)", "kb-minors"),
    "minors_only": ("Minors only (not for adults)", "kb-minors"),
    "undetermined": ("Undetermined", "kb-unknown"),
}
NOT_RESEARCHED = ("Not yet researched", "kb-unknown")
STATE_KINDS = ("state", "district", "territory")


def status_badge(status: str) -> str:
    label, cls = STATUS_LABELS.get(status, (fmt(status), "kb-unknown"))
    return f'<span class="kb-badge {cls}">{h(label)}</span>'


def natural_key(text: Any) -> tuple:
    """Sort key that orders numbers by value: § 28 < § 2255 < § 3771A, 230.34 < 440.10."""
    parts = re.split(r"(\d+)", str(text).casefold())
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p != "")


def statute_sort_key(record: Record) -> tuple:
    return natural_key(record.data.get("citation") or record.id)


def first_sentence(text: Any, limit: int = 160) -> str:
    """The first sentence of a free-text field (whole words, at most `limit` characters)."""
    if not text:
        return ""
    flat = " ".join(str(text).split())
    match = re.match(r"(.+?[.;])(\s|$)", flat)
    out = match.group(1) if match else flat
    if len(out) > limit:
        out = out[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return out


def glance_deadline(data: dict) -> str:
    comp = data.get("compensation")
    if isinstance(comp, dict) and comp.get("application_deadline") is not None:
        return first_sentence(fmt(comp["application_deadline"])) or "unknown"
    rr = data.get("record_relief")
    if isinstance(rr, dict) and "time_limit" in rr:
        return deadline(rr["time_limit"])
    ca = data.get("civil_action")
    if isinstance(ca, dict) and "limitation_period" in ca:
        return limitation(ca["limitation_period"])
    return first_sentence(data.get("time_limits")) or "unknown"


def glance_forum(data: dict) -> str:
    proc = data.get("procedure")
    forum = proc.get("forum") if isinstance(proc, dict) else None
    return first_sentence(forum) or "unknown"


def glance_burden(data: dict) -> str:
    rr = data.get("record_relief")
    if isinstance(rr, dict) and rr.get("burden_of_proof") not in (None, "not_specified"):
        return fmt(rr["burden_of_proof"])
    text = first_sentence(data.get("evidence"))
    if isinstance(rr, dict) and rr.get("burden_of_proof") == "not_specified":
        return "not specified" + (f": {text}" if text else "")
    return text or "unknown"


def law_links(site: Site, data: dict) -> str:
    """Each statute the remedy rests on, linked to its official text (else plain text)."""
    refs = query.resolve_refs(site.corpus, data.get("legal_basis"))
    seen: list[str] = []
    for ref in refs:
        cite = site.statute_citation(ref)
        if cite not in seen:
            seen.append(cite)
    return "; ".join(seen) if seen else "none recorded"


def glance_table(site: Site, types: list[str], recs: list[Record]) -> str:
    rows = []
    for t in types:
        of_type = [r for r in recs if r.data.get("remedy_type") == t]
        label = h(site.corpus.type_label(t))
        if not of_type:
            text, cls = NOT_RESEARCHED
            rows.append(
                f'<tr><th scope="row">{label}</th>'
                f'<td><span class="kb-badge {cls}">{h(text)}</span></td>'
                '<td colspan="5">Not yet researched.</td></tr>'
            )
            continue
        for r in of_type:
            d = r.data
            rows.append(
                f'<tr><th scope="row"><a href="#{h(r.id)}">{label}</a></th>'
                f"<td>{status_badge(remedy_status(d))}</td>"
                f"<td>{law_links(site, d)}</td>"
                f"<td>{h(glance_deadline(d))}</td>"
                f"<td>{h(glance_forum(d))}</td>"
                f"<td>{h(glance_burden(d))}</td>"
                f"<td>{h(law_as_of(d))}</td></tr>"
            )
    head = "".join(
        f'<th scope="col">{h(c)}</th>'
        for c in ("Remedy", "Status", "Law", "Deadline", "Forum", "Burden", "Law as of")
    )
    return (
        '<div class="kb-table-wrap kb-scroll" tabindex="0" role="region" '
        'aria-label="At a glance (scrolls sideways)">'
        f'<table class="kb-glance"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def remedy_details(site: Site, record: Record) -> list[str]:
    """One remedy: status, law, summary, comparison fields and the practical details."""
    d = record.data
    view = query.record_view(site.corpus, record)
    out = [f"### {md(d.get('title'))} {{#{h(record.id)}}}", ""]
    out.append(f"<p>{status_badge(remedy_status(d))} <code>{h(record.id)}</code></p>")
    out.append("")
    if view["legal_basis"]:
        cites = "; ".join(site.statute_citation(ref) for ref in view["legal_basis"])
        out.append(f'<p class="kb-law"><strong>Law:</strong> {cites}</p>')
        out.append("")
    out.append(md(d.get("summary", "")))
    out.append("")
    structured = STRUCTURED.get(str(d.get("remedy_type")))
    if structured and isinstance(d.get(structured[0]), dict):
        block = d[structured[0]]
        rows = "".join(
            f'<tr><th scope="row">{h(label)}</th>'
            f"<td>{h(field_value(key, block.get(key)))}</td></tr>"
            for key, label in structured[1]
            if key in block
        )
        out.append(f'<table class="kb-fields"><tbody>{rows}</tbody></table>')
        out.append("")
    details = [
        ("Eligibility", d.get("eligibility")),
        ("Time limits", d.get("time_limits")),
        ("Evidence and burden of proof", d.get("evidence")),
        ("Effect", d.get("effect")),
        ("Confidentiality", d.get("confidentiality")),
    ]
    proc = d.get("procedure") or {}
    for key, label in (
        ("forum", "Where to file"),
        ("how_to_file", "How to file"),
        ("notice_to_prosecutor", "Notice"),
        ("fees", "Fees"),
    ):
        details.append((label, proc.get(key)))
    for label, value in details:
        if value:
            out.append(f"**{md(label)}.** {md(value)}")
            out.append("")
    from .site_practice import cases_html, forms_html

    for piece in (forms_html(d), cases_html(d)):
        if piece:
            out += [piece, ""]
    out.append(site.verification_line(record))
    out.append("")
    out.extend(_history(site, record))
    out.append(
        f'<p class="kb-notes-link"><a href="#notes-{h(record.id)}">Research notes and '
        f"sources for this remedy</a></p>"
    )
    out.append("")
    return out


def statute_details(site: Site, record: Record) -> list[str]:
    """One statute under its own anchor (its id), with a copy-citation button."""
    d = record.data
    title = f"{d.get('citation')}: {d.get('title')}"
    out = [f"### {md(title)} {{#{h(record.id)}}}", ""]
    facts = [fmt(d.get("kind")).capitalize(), fmt(d.get("status"))]
    if d.get("popular_name"):
        facts.insert(0, str(d["popular_name"]))
    for key in ("enacted", "effective"):
        if d.get(key):
            facts.append(f"{key} {d[key]}")
    url, built = site.corpus.official_url(record)
    label = "Official text (address from the publisher's pattern)" if built else "Official text"
    text_link = f" · {link(label, url)}" if safe_url(url) else ""
    out.append(
        f"<p>{h(' · '.join(facts))}{text_link} <code>{h(record.id)}</code> "
        f"{copy_button(d.get('citation'))}</p>"
    )
    out.append("")
    out.append(md(d.get("summary", "")))
    out.append("")
    provisions = d.get("key_provisions") or []
    if provisions:
        rows = "".join(
            f'<tr><th scope="row">{h(p.get("pinpoint"))}</th><td>{h(p.get("summary"))}</td></tr>'
            for p in provisions
        )
        out.append(f'<table class="kb-fields"><tbody>{rows}</tbody></table>')
        out.append("")
    if d.get("amendments"):
        items = "".join(
            f"<li>{h(a.get('date'))}{' (' + h(a['law']) + ')' if a.get('law') else ''}: "
            f"{h(a.get('summary'))}</li>"
            for a in d["amendments"]
        )
        out.append(f"<p><strong>Amendments</strong></p><ul>{items}</ul>")
        out.append("")
    out.append(site.verification_line(record))
    out.append("")
    out.extend(_history(site, record))
    return out


def _history(site: Site, record: Record) -> list[str]:
    """The record's history anchor, last change and folded history (site_changes)."""
    from .site_changes import record_history

    return record_history(site, record)


def copy_button(citation: Any) -> str:
    """A button that copies the citation (kb.js wires it; hidden without script)."""
    if not citation:
        return ""
    return (
        f'<button type="button" class="kb-copy" data-copy="{h(citation)}" hidden>'
        f'Copy citation<span class="kb-visually-hidden"> {h(citation)}</span></button>'
    )


def notes_block(site: Site, record: Record) -> list[str]:
    """A record's notes, sources and verification, folded. All HTML, every value escaped
    (no Markdown inside: a record's text must not become markup)."""
    d = record.data
    name = d.get("title") if record.kind == "remedy" else d.get("citation")
    notes = f"<p><strong>Notes.</strong> {h(d['notes'])}</p>" if d.get("notes") else ""
    return [
        f'<details class="kb-notes" id="notes-{h(record.id)}"><summary>{h(name)}</summary>'
        f"{notes}<p><strong>Sources</strong></p>{site.sources_html(record)}"
        f"{site.verification_line(record)}</details>",
        "",
    ]


def federal_split(site: Site) -> tuple[list[Record], list[Record]]:
    """Available federal remedies: (any survivor may use, reach federal offenses only)."""
    fed = [r for r in site.remedies.get("US", []) if r.data.get("available") is True]
    fed.sort(key=lambda r: (site.corpus.type_rank(r.data.get("remedy_type")), r.id))
    only = [
        r
        for r in fed
        if screener.TYPE_RULES.get(str(r.data.get("remedy_type")), {}).get("federal_only")
    ]
    return [r for r in fed if r not in only], only


def federal_box(site: Site) -> list[str]:
    """The same box on every state page: built once per site."""
    cached = site.__dict__.get("_federal_box")
    if cached is None:
        cached = site.__dict__["_federal_box"] = _federal_box(site)
    return list(cached)


def _federal_box(site: Site) -> list[str]:
    anyone, only = federal_split(site)
    if not anyone and not only:
        return []

    def items(recs: list[Record]) -> str:
        return "".join(
            f'<li><a href="../us/#{h(r.id)}">{h(r.data.get("title"))}</a> '
            f"({h(site.corpus.type_label(str(r.data.get('remedy_type'))))})</li>"
            for r in recs
        )

    parts = ['<div class="kb-federal admonition info"><p class="admonition-title">Federal law</p>']
    if anyone:
        parts.append(f"<p>Any survivor may use, whatever the state:</p><ul>{items(anyone)}</ul>")
    if only:
        parts.append(
            "<p>Only for federal charges or convictions (not a record from this "
            f"jurisdiction's courts):</p><ul>{items(only)}</ul>"
        )
    parts.append("</div>")
    return ["".join(parts), ""]


def jurisdiction_page(site: Site, j: Jurisdiction) -> str:
    recs = sorted(
        site.remedies.get(j.code, []),
        key=lambda r: (site.corpus.type_rank(r.data.get("remedy_type")), r.id),
    )
    stats = sorted(site.statutes.get(j.code, []), key=statute_sort_key)
    boost = "search:\n  boost: 2\n" if j.kind not in ("federal", "international") else ""
    scope = query.SCOPE.get(j.kind, ())
    types = list(dict.fromkeys([*scope, *(str(r.data.get("remedy_type")) for r in recs)]))
    types.sort(key=site.corpus.type_rank)
    out = [
        "---",
        f"title: {front_matter_text(j.name)}",
        "description: "
        + front_matter_text("Trafficking survivor remedies and statutes: " + j.name),
        *([boost.rstrip()] if boost else []),
        "---",
        "",
        f"# {md(j.name)}",
        "",
        f'<p class="kb-lede">{h(j.official_name or j.name)} · code <code>{h(j.code)}</code> · '
        f"{len(recs)} remedy records, {len(stats)} statute records{site.screener_link(j)}. "
        f'<span class="kb-disclaimer">{h(DISCLAIMER)}</span></p>',
        "",
        "## At a glance {#at-a-glance}",
        "",
        glance_table(site, types, recs),
        "",
    ]
    if j.kind in STATE_KINDS:
        out.extend(federal_box(site))
    from .site_bills import jurisdiction_bills

    out.extend(jurisdiction_bills(site, j))  # bills to watch, if any
    for t in types:
        out.append(f"## {md(site.corpus.type_label(t))}")
        out.append("")
        of_type = [r for r in recs if r.data.get("remedy_type") == t]
        if not of_type:
            out.append("*Not yet researched.*")
            out.append("")
        for r in of_type:
            out.extend(remedy_details(site, r))
    out.extend(site.help_section(j))
    if stats:
        out += ["## Statutes {#statutes}", ""]
        for s in stats:
            out.extend(statute_details(site, s))
    if recs or stats:
        out += [
            "## Research notes and sources {#notes}",
            "",
            "Each record's research notes, the sources it was built from and when it was "
            "checked. Open one to read it.",
            "",
        ]
        for r in [*recs, *stats]:
            out.extend(notes_block(site, r))
    return "\n".join(out) + "\n"


def statutes_index(site: Site) -> str:
    """Every statute, by jurisdiction, in natural order, each linked to its own anchor."""
    out = ["# Statutes", "", "Every statute record, by jurisdiction.", ""]
    for j in site.registry:
        stats = sorted(site.statutes.get(j.code, []), key=statute_sort_key)
        if not stats:
            continue
        out.append(f"## {md(j.name)}")
        out.append("")
        for s in stats:
            d = s.data
            out.append(
                f"- [{md(d.get('citation'))}](jurisdictions/{j.folder}.md#{s.id}): "
                f"{md(d.get('title'))}"
            )
        out.append("")
    return "\n".join(out) + "\n"


def home_screener(site: Site) -> str:
    """A short form on the home page that opens the screener for a jurisdiction."""
    options = "".join(
        f'<option value="{h(j.code)}">{h(j.name)}</option>'
        for j in site.registry
        if j.kind in screener.SCREENABLE_KINDS
    )
    return (
        '<form class="kb-home-screener" action="screener/" method="get">'
        "<p>Which remedies may fit a client's record, what each requires and by when: "
        "choose the jurisdiction of the record to start the screener (it runs in your "
        "browser; nothing is sent).</p>"
        '<label for="kb-home-jurisdiction">Jurisdiction of the record</label> '
        f'<select id="kb-home-jurisdiction" name="jurisdiction">{options}</select> '
        '<button type="submit" class="md-button md-button--primary">Open the screener</button>'
        "</form>\n"
    )
