"""Plain-text rendering of query results. Only decoration, no logic: the data comes
from `query`; tests compare this text exactly."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from typing import Any

from . import DISCLAIMER
from .findings import Finding, plural
from .findings import terminal_text as terminal_text  # for outputs that print data
from .provenance import provenance_line

WIDTH = 80


def fmt(value: Any) -> str:
    """A field value for people: yes/no/unknown, lists joined, underscores as spaces."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(fmt(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {fmt(v)}" for k, v in value.items())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("_", " ")


def verified(date: Any, method: Any) -> str:
    """`Verified 2026-11-28 (official text)`; an unverified record says so plainly."""
    if method == "unverified":
        return f"Checked {date}, not verified against a source"
    return f"Verified {date} ({fmt(method)})"


def relief_status(view: dict) -> str:
    """`available`, `minors only`, `not available` or `undetermined` for a remedy view."""
    status = view.get("relief_status")
    if status == "minors only":
        return "available only for offenses as a minor"
    return availability(view.get("available"))


def availability(value: Any) -> str:
    return {True: "available", False: "not available", "unknown": "undetermined"}.get(
        value, fmt(value)
    )


def deadline(time_limit: Any) -> str:
    """`6 years from conviction`, `due diligence`, `none`, ..."""
    if not isinstance(time_limit, dict):
        return fmt(time_limit)
    rule = time_limit.get("rule")
    if rule == "fixed_period" and time_limit.get("years"):
        text = f"{fmt(time_limit['years'])} years"
        if time_limit.get("runs_from"):
            text += f" from {fmt(time_limit['runs_from'])}"
        return text
    return fmt(rule)


def limitation(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{fmt(value)} years"
    return fmt(value)


def key_fields(remedy: dict) -> list[tuple[str, str]]:
    """The comparison fields worth a glance, as (label, value) pairs."""
    rr = remedy.get("record_relief")
    if isinstance(rr, dict):
        records = [
            name
            for name, key in (
                ("convictions", "covers_convictions"),
                ("arrests", "covers_arrests"),
                ("non-convictions", "covers_non_convictions"),
                ("juvenile adjudications", "covers_juvenile_adjudications"),
            )
            if rr.get(key) is True
        ]
        exclusions = rr.get("exclusions")
        return [
            ("Relief", fmt(rr.get("relief_forms"))),
            ("Records", ", ".join(records) if records else "unknown"),
            ("Offenses", fmt(rr.get("offense_scope"))),
            ("Exclusions", _listed(exclusions)),
            ("Court", fmt(rr.get("discretion"))),
            ("Nexus", fmt(rr.get("nexus"))),
            ("Deadline", deadline(rr.get("time_limit"))),
            ("Hearing", fmt(rr.get("hearing"))),
            ("Burden", fmt(rr.get("burden_of_proof"))),
            ("Documentation", fmt(rr.get("official_documentation"))),
        ]
    ca = remedy.get("civil_action")
    if isinstance(ca, dict):
        return [
            ("Knowing beneficiaries", fmt(ca.get("covers_knowing_beneficiaries"))),
            ("Damages", fmt(ca.get("damages"))),
            ("Attorney's fees", fmt(ca.get("attorneys_fees"))),
            ("Limitation", limitation(ca.get("limitation_period"))),
        ]
    return []


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        " ".join(str(text).split()),
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _listed(value: Any) -> Any:
    """A list of two or more texts stays a list (printed one item a line: the items may
    contain commas); anything else as `fmt` shows it."""
    if isinstance(value, list) and len(value) > 1:
        return [fmt(v) for v in value]
    return fmt(value)


def _pairs(pairs: Iterable[tuple[str, Any]], indent: str) -> list[str]:
    """`Label: value` pairs packed on lines of at most WIDTH characters; a list value gets
    its own lines, one item each."""
    lines: list[str] = []
    current = ""

    def flush() -> None:
        if current:
            lines.extend(
                _wrap(current, indent) if len(indent + current) > WIDTH else [indent + current]
            )

    for label, value in pairs:
        if isinstance(value, list):
            flush()
            current = ""
            lines.append(f"{indent}{label}:")
            for item in value:
                lines.extend(
                    textwrap.wrap(
                        " ".join(str(item).split()),
                        WIDTH,
                        initial_indent=indent + "  - ",
                        subsequent_indent=indent + "    ",
                        break_on_hyphens=False,
                    )
                )
            continue
        piece = f"{label}: {value}"
        candidate = f"{current} · {piece}" if current else piece
        if current and len(indent) + len(candidate) > WIDTH:
            flush()
            current = piece
        else:
            current = candidate
    flush()
    return lines


def undetermined_line(remedy: dict) -> str:
    """For a record whose availability research could not settle: what to read."""
    rid = remedy.get("id")
    if remedy.get("legal_basis"):
        return f"To settle it, read {citations(remedy)}; `kbtool show {rid}` has the sources."
    summary = " ".join(str(remedy.get("summary") or "").split())
    first = re.split(r"(?<=[a-z0-9)][.;])\s+(?=[A-Z])", summary, maxsplit=1)[0]
    return f"{first} `kbtool show {rid}` has what was read and the sources.".strip()


def citations(remedy: dict) -> str:
    cites = [
        c.get("citation") or f"{c.get('statute')} (missing)"
        for c in remedy.get("legal_basis") or []
    ]
    return "; ".join(cites)


def remedies_text(
    jurisdiction_label: str,
    items: list[dict],
    type_label,
    federal_hint: bool,
    disclaimer: bool = True,
) -> str:
    """Remedies of one jurisdiction, grouped by remedy type (`disclaimer=False` when
    another jurisdiction's list follows)."""
    lines = [f"{jurisdiction_label}: {len(items)} remedy record{'s' if len(items) != 1 else ''}"]
    if not items:
        lines.append("")
        lines.append("  No remedies recorded yet for this jurisdiction (not researched).")
    current = None
    for r in items:
        if r.get("remedy_type") != current:
            current = r.get("remedy_type")
            lines.append("")
            lines.append(type_label(current))
        lines.append(f"  {r.get('title')} [{relief_status(r)}]")
        lines.append(f"    id: {r.get('id')}")
        if r.get("legal_basis"):
            lines.extend(_wrap(f"Law: {citations(r)}", "    "))
        if r.get("available") == "unknown":
            lines.extend(_wrap(undetermined_line(r), "    "))
        elif r.get("available") is not True:
            lines.extend(_wrap(str(r.get("summary", "")), "    "))
        lines.extend(_pairs(key_fields(r), "    "))
        lines.extend(_wrap(provenance_line(r), "    "))
    lines.append("")
    if federal_hint:
        lines.append("Federal remedies apply in every state: kbtool remedies US")
    if disclaimer:
        lines.append(DISCLAIMER)
    return "\n".join(lines)


def record_text(record: dict, type_label) -> str:
    """One record in full."""
    lines: list[str] = []
    if record.get("record_type") == "statute":
        lines.append(f"{record.get('citation')}: {record.get('title')}")
        lines.append(f"  id: {record.get('id')} · statute · {record.get('jurisdiction')}")
        facts = [("Kind", fmt(record.get("kind"))), ("Status", fmt(record.get("status")))]
        if record.get("popular_name"):
            facts.insert(0, ("Popular name", str(record["popular_name"])))
        for key in ("enacted", "effective"):
            if record.get(key):
                facts.append((key.capitalize(), str(record[key])))
        lines.extend(_pairs(facts, "  "))
        if record.get("official_text_url"):
            lines.append(f"  Official text: {record['official_text_url']}")
            if record.get("official_text_url_built"):
                lines.append("    (address built from the publisher's section pattern)")
        lines.append("")
        lines.extend(_wrap(str(record.get("summary", "")), "  "))
        if record.get("key_provisions"):
            lines.append("")
            lines.append("Key provisions")
            for p in record["key_provisions"]:
                lines.extend(_wrap(f"{p.get('pinpoint')}: {p.get('summary')}", "  "))
        if record.get("amendments"):
            lines.append("")
            lines.append("Amendments")
            for a in record["amendments"]:
                law = f" ({a['law']})" if a.get("law") else ""
                lines.extend(_wrap(f"{a.get('date')}{law}: {a.get('summary')}", "  "))
        if record.get("related_statutes"):
            lines.append("")
            lines.append("Related statutes")
            for rel in record["related_statutes"]:
                lines.append(f"  {rel.get('citation') or '(missing)'} [{rel.get('statute')}]")
    else:
        lines.append(f"{record.get('title')} [{relief_status(record)}]")
        lines.append(
            f"  id: {record.get('id')} · {type_label(record.get('remedy_type'))} · "
            f"{record.get('jurisdiction')}"
        )
        if record.get("legal_basis"):
            lines.extend(_wrap(f"Law: {citations(record)}", "  "))
        lines.append("")
        lines.extend(_wrap(str(record.get("summary", "")), "  "))
        pairs = key_fields(record)
        if pairs:
            lines.append("")
            lines.extend(_pairs(pairs, "  "))
        for key, label in (
            ("eligibility", "Eligibility"),
            ("time_limits", "Time limits"),
            ("evidence", "Evidence and burden of proof"),
            ("effect", "Effect"),
            ("confidentiality", "Confidentiality"),
        ):
            if record.get(key):
                lines.append("")
                lines.append(label)
                lines.extend(_wrap(str(record[key]), "  "))
        procedure = record.get("procedure") or {}
        if procedure:
            lines.append("")
            lines.append("Procedure")
            for key, label in (
                ("forum", "Forum"),
                ("how_to_file", "How to file"),
                ("notice_to_prosecutor", "Notice"),
                ("fees", "Fees"),
            ):
                if procedure.get(key):
                    lines.extend(_wrap(f"{label}: {procedure[key]}", "  "))
        for form in record.get("forms") or []:
            lines.extend(
                _wrap(
                    f"Form: {form.get('title')} ({form.get('publisher')}, checked "
                    f"{form.get('accessed')}) {form.get('url', '')}",
                    "  ",
                )
            )
        if isinstance(record.get("cases"), list):
            lines.append("")
            lines.append("Key cases")
            if not record["cases"]:
                lines.append("  No reported decision was found in the sources searched.")
            for case in record["cases"]:
                cite = f", {case['citation']}" if case.get("citation") else ""
                lines.extend(
                    _wrap(
                        f"{case.get('name')}{cite} ({case.get('court')}, {case.get('decided')}): "
                        f"{case.get('holding')}",
                        "  ",
                    )
                )
        if record.get("related_remedies"):
            lines.append("")
            lines.append(f"Related remedies: {', '.join(record['related_remedies'])}")
    if record.get("notes"):
        lines.append("")
        lines.append("Notes")
        lines.extend(_wrap(str(record["notes"]), "  "))
    lines.append("")
    lines.append("Sources")
    for s in record.get("sources") or []:
        published = f", published {s['published']}" if s.get("published") else ""
        lines.extend(_wrap(f"{s.get('title')}{published} (accessed {s.get('accessed')})", "  "))
        lines.append(f"    {s.get('url')}")
    lines.extend(_wrap(f"{provenance_line(record)} · file: {record.get('path')}", ""))
    lines.append(DISCLAIMER)
    return "\n".join(lines)


def jurisdictions_text(rows: list[dict]) -> str:
    lines = [f"{'CODE':<6} {'NAME':<26} {'KIND':<13} {'STATUTES':>8} {'REMEDIES':>8}"]
    for r in rows:
        lines.append(
            f"{r['code']:<6} {r['name'][:26]:<26} {r['kind']:<13} "
            f"{r['statutes']:>8} {r['remedies']:>8}"
        )
    total_s = sum(r["statutes"] for r in rows)
    total_r = sum(r["remedies"] for r in rows)
    lines.append(f"{len(rows)} jurisdictions, {total_s} statute records, {total_r} remedy records")
    return "\n".join(lines)


STATUS_MARK = {
    "available": "yes",
    "minors only": "minors",
    "none": "none",
    "undetermined": "?",
    "not researched": "-",
}


def coverage_text(cov: dict, type_label, as_of: str, order: list[str]) -> str:
    """The coverage matrix: one row per jurisdiction, one column per remedy type in scope."""
    present = {t for row in cov["jurisdictions"] for t in row["remedies"]}
    types = [t for t in order if t in present] + sorted(present - set(order))
    short = {
        "criminal_record_relief": "RECORD",
        "civil_action": "CIVIL",
        "affirmative_defense": "DEFENSE",
        "safe_harbor_minors": "HARBOR",
        "restitution": "RESTIT",
        "immigration_relief": "IMMIG",
        "non_punishment": "NONPUN",
        "victim_compensation": "COMP",
        "protective_order": "ORDER",
    }
    head = f"{'CODE':<6} " + " ".join(f"{short.get(t, t[:7].upper()):<7}" for t in types)
    head += f" {'CRIME':<5} OLDEST"
    lines = [f"Coverage as of {as_of} (computed from the records)", "", head]
    for row in cov["jurisdictions"]:
        cells = " ".join(
            f"{STATUS_MARK.get(row['remedies'].get(t, ''), ''):<7}"
            if t in row["remedies"]
            else f"{'':<7}"
            for t in types
        )
        crime = "yes" if row["crime_statute"] else "-"
        lines.append(
            f"{row['code']:<6} {cells} {crime:<5} {row['oldest_verified'] or '-'}".rstrip()
        )
    lines.append("")
    lines.extend(
        textwrap.wrap(
            "Legend: yes = available, minors = only for offenses as a minor or juvenile "
            "adjudications (not relief for adults), none = researched and not available, "
            "? = undetermined, - = not researched; blank = not in scope",
            WIDTH,
        )
    )
    legend = ", ".join(f"{short.get(t, t)} = {type_label(t)}" for t in types)
    lines.extend(textwrap.wrap(legend, WIDTH))
    lines.extend(
        textwrap.wrap(
            "CODE = jurisdiction code; CRIME = yes if a criminal trafficking statute (a "
            "treaty for INTL) is recorded, - if not; OLDEST = the oldest last_verified date "
            "among the jurisdiction's records (`kbtool stale` lists records due for a check)",
            WIDTH,
        )
    )
    t = cov["totals"]
    lines.append("")
    lines.append(
        f"Cells in scope: {t['available']} available, {t['minors only']} minors only, "
        f"{t['none']} none, "
        f"{t['undetermined']} undetermined, {t['not researched']} not researched"
    )
    recs = cov["records"]
    ver = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in cov["verification"].items())
    lines.append(f"Records: {recs['statutes']} statutes, {recs['remedies']} remedies ({ver})")
    links = cov.get("official_links")
    if links:
        lines.append(
            f"Official text links: {links['recorded'] + links['built']} of {recs['statutes']} "
            f"statutes ({links['recorded']} given by the record, {links['built']} built from "
            f"the publisher's section pattern), {links['none']} without"
        )
    if cov.get("practice"):
        lines.extend(textwrap.wrap(f"Practice layer: {practice_sentence(cov['practice'])}", WIDTH))
    return "\n".join(lines)


def practice_sentence(p: dict) -> str:
    """The practice layer's counts, as coverage and the README both state them."""
    return (
        f"{plural(p['cases'], 'key case')} on "
        f"{plural(p['case_records'], 'remedy record')} in "
        f"{plural(p['case_jurisdictions'], 'jurisdiction')} "
        f"({plural(p['case_none_found'], 'record')} searched with no reported decision found); "
        f"record-relief forms in {plural(p['form_jurisdictions'], 'jurisdiction')}; "
        f"victim compensation available in {p['compensation_available']} of "
        f"{plural(p['compensation_jurisdictions'], 'jurisdiction')}; protective orders: "
        f"{p['order_available']} available, {p['order_none']} none, "
        f"{p['order_undetermined']} undetermined"
    )


def findings_text(findings: list[Finding], files: int) -> str:
    lines = [f.format() for f in findings]
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if errors or warnings:
        lines.append(
            f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning"
            f"{'s' if warnings != 1 else ''} in {files} file{'s' if files != 1 else ''}"
        )
    else:
        lines.append(f"{files} file{'s' if files != 1 else ''} checked, no problems")
    return "\n".join(lines)


README_START = "<!-- coverage:start (generated by `make readme`; do not edit by hand) -->"
README_END = "<!-- coverage:end -->"


def coverage_markdown(cov: dict) -> str:
    """The coverage summary quoted in the README, computed from the records."""
    t = cov["totals"]
    recs = cov["records"]
    ver = cov["verification"]
    links = cov.get("official_links") or {"recorded": 0, "built": 0, "none": 0}
    rows = cov["jurisdictions"]
    relief = [
        r["remedies"].get("criminal_record_relief") for r in rows if r["kind"] != "international"
    ]
    lines = [
        README_START,
        f"Data as of {cov['data_as_of']} (the latest verification date in the records), "
        f"computed by `kbtool coverage`:",
        "",
        f"- {len(rows)} jurisdictions, {recs['statutes']} statute records, "
        f"{recs['remedies']} remedy records;",
        f"- criminal record relief: {relief.count('available')} jurisdictions with a recorded law "
        f"for adults, {relief.count('minors only')} with relief only for offenses committed as "
        f"a minor, {relief.count('none')} researched with none found, "
        f"{relief.count('undetermined')} undetermined, {relief.count('not researched')} not "
        "researched;",
        f"- all remedy types in scope: {t['available']} available, {t['minors only']} minors "
        f"only, {t['none']} none, {t['undetermined']} undetermined, {t['not researched']} not "
        "researched;",
        f"- verification (capped by the sources): {ver.get('official_text', 0)} records against "
        f"the official text, {ver.get('unofficial_text', 0)} against an unofficial copy of the "
        f"text, {ver.get('secondary_source', 0)} against secondary sources only, "
        f"{ver.get('unverified', 0)} unverified;",
        f"- official text links: {links['recorded'] + links['built']} of {recs['statutes']} "
        f"statutes ({links['built']} built from the publisher's section pattern).",
    ]
    if cov.get("practice"):
        lines[-1] = lines[-1][:-1] + ";"
        lines.append(f"- practice layer: {practice_sentence(cov['practice'])}.")
    lines.append(README_END)
    return "\n".join(lines)


def splice_readme(readme: str, block: str) -> str:
    """README text with the coverage block replaced."""
    start = readme.index(README_START)
    end = readme.index(README_END) + len(README_END)
    return readme[:start] + block + readme[end:]


def screen_input_lines(data: dict) -> list[str]:
    """The client's situation as the screener read it: what was given, what was not."""
    from .screener import MEMO_FIELDS, memo_value

    given = data["input"]
    labels = {
        "record": "kind of record",
        "offense_date": "offense date",
        "convicted": "convicted or disposed",
        "exited": "left trafficking",
        "age": "age at offense",
        "immigration_status": "immigration status",
    }
    fields = [(labels.get(name, name), name) for name, _label in MEMO_FIELDS]
    known = [
        f"{label}: {memo_value(name, data)}"
        for label, name in fields
        if given.get(name) not in (None, "")
    ]
    missing = [label for label, name in fields if given.get(name) in (None, "")]
    lines = _wrap("Client: " + (" · ".join(known) if known else "nothing but the jurisdiction"), "")
    if missing:
        lines.extend(_wrap("Not given: " + ", ".join(missing), ""))
    return lines


def _screen_groups(data: dict) -> list[tuple[str, list[dict]]]:
    """(heading, results): the jurisdiction's, then federal; relief only for those under 18
    at the time in its own group after each."""
    j = data["jurisdiction"]
    results = data["results"]
    federal = "Federal remedies (they can apply whatever the state)"
    groups = []
    for heading, short, fed in ((j["name"], j["name"], False), (federal, "Federal", True)):
        items = [r for r in results if r["federal"] == fed]
        groups.append((heading, [r for r in items if not r.get("minors_only")]))
        minors = [r for r in items if r.get("minors_only")]
        if minors:
            groups.append((f"{short}: only for those under 18 at the time", minors))
    return groups


def screen_text(data: dict, type_label) -> str:
    """The screener's answer: a summary table first, then each remedy with its verdict,
    reasons and what it takes. The words-only caution is said once, as a footnote."""
    from .screener import SCREEN_MARKS, VERDICTS

    j = data["jurisdiction"]
    results = data["results"]
    lines = [f"Screener: {j['name']} ({j['code']}), as of {data['as_of']}"]
    lines.extend(screen_input_lines(data))
    counts = {v: sum(1 for r in results if r["verdict"] == v) for v in VERDICTS}
    lines.append("")
    lines.append("Summary: " + ", ".join(f"{n} {v}" for v, n in counts.items()))
    groups = _screen_groups(data)
    numbers: dict[int, int] = {}
    in_words = False
    own = any(not r["federal"] for r in results)
    for heading, items in groups:
        if not items and (heading != j["name"] or own):
            continue
        lines.append("")
        lines.append(heading)
        if not items:
            lines.append("  No remedies recorded yet for this jurisdiction (not researched).")
        for r in items:
            n = numbers[id(r)] = len(numbers) + 1
            star = "*" if any(x["code"] == "eligibility_in_words" for x in r["reasons"]) else ""
            in_words = in_words or bool(star)
            lines.extend(
                textwrap.wrap(
                    f"{n:>2}. {r['verdict'] + star:<20} {r['title']}",
                    WIDTH,
                    subsequent_indent=" " * 25,
                    break_on_hyphens=False,
                    break_long_words=False,
                )
            )
            extra = []
            if r.get("deadline_summary"):
                extra.append(f"deadline: {r['deadline_summary']}")
            if r["law"]:
                extra.append("law: " + "; ".join(x["citation"] for x in r["law"]))
            if extra:
                lines.extend(_wrap(" · ".join(extra), " " * 25))
    lines.append("")
    if in_words:
        lines.append("* Its conditions are described in words only: read the eligibility.")
    lines.append("Key: + met · x rules it out · ? unknown · ! note")
    for _heading, items in groups:
        for r in items:
            lines.append("")
            lines.extend(
                textwrap.wrap(
                    f"{numbers[id(r)]}. {r['title']} [{r['verdict']}]",
                    WIDTH,
                    subsequent_indent="    ",
                    break_on_hyphens=False,
                    break_long_words=False,
                )
            )
            lines.append(f"    {type_label(r['remedy_type'])} · id: {r['id']}")
            if r["law"]:
                lines.extend(_wrap("Law: " + "; ".join(x["citation"] for x in r["law"]), "    "))
            for reason in r["reasons"]:
                if reason["code"] == "eligibility_in_words":
                    continue
                mark = SCREEN_MARKS.get(reason["effect"], "-")
                lines.extend(
                    textwrap.wrap(
                        reason["text"],
                        WIDTH,
                        initial_indent=f"    {mark} ",
                        subsequent_indent="      ",
                        break_on_hyphens=False,
                        break_long_words=False,
                    )
                )
            if r["verdict"] != "not available":
                for title, pairs in (("Establish", r["establish"]), ("Procedure", r["procedure"])):
                    if pairs:
                        lines.append(f"    {title}")
                        for label, text in pairs:
                            lines.extend(_wrap(f"{label}: {text}", "      "))
            lines.append(f"    {verified(r['last_verified'], r['verification'])}")
    lines.append("")
    lines.append(data["disclaimer"])
    return "\n".join(lines)
