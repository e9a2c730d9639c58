"""Site pieces for the practice layer: key cases and forms under a remedy, and "Where to
get help" on every jurisdiction page (from help/help.yaml). Every text is escaped where
it is written, and only plain http(s) addresses become links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .kb import KB
from .loader import load_file
from .site import h, link

HELP_FILE = Path("help") / "help.yaml"
HELP_KINDS = {
    "hotline": "Hotlines",
    "legal_aid_directory": "Legal aid",
    "pro_bono_directory": "Pro bono and volunteer attorneys",
    "legal_network": "Legal networks that take referrals",
    "survivor_network": "Survivor-led networks",
    "self_help": "Self-help",
}
FORM_KINDS = {
    "court_form": "court form",
    "self_help_page": "self-help page",
    "model_motion": "model motion",
    "affidavit": "affidavit",
    "guide": "guide",
}


def cases_html(data: dict) -> str:
    """Key cases of a remedy, or a plain line saying none was found (`cases: []`)."""
    cases = data.get("cases")
    if not isinstance(cases, list):
        return ""
    if not cases:
        return (
            '<p class="kb-cases"><strong>Key cases:</strong> no reported decision was found '
            "in the sources searched (see the notes).</p>"
        )
    items = []
    for c in cases:
        if not isinstance(c, dict):
            continue
        cite = f", {h(c['citation'])}" if c.get("citation") else ""
        items.append(
            f"<li>{link(c.get('name'), c.get('url'))}{cite} ({h(c.get('court'))}, "
            f"{h(c.get('decided'))}): {h(c.get('holding'))}</li>"
        )
    return '<p><strong>Key cases</strong></p><ul class="kb-cases">' + "".join(items) + "</ul>"


def forms_html(data: dict) -> str:
    """Forms and model filings of a remedy, each with its publisher, kind and date."""
    forms = data.get("forms")
    if not isinstance(forms, list) or not forms:
        return ""
    items = []
    for f in forms:
        if not isinstance(f, dict):
            continue
        kind = FORM_KINDS.get(str(f.get("kind")), str(f.get("kind")))
        dated = f", dated {h(f['published'])}" if f.get("published") else ""
        items.append(
            f"<li>{link(f.get('title'), f.get('url'))} ({h(kind)}, {h(f.get('publisher'))}"
            f"{dated}; checked {h(f.get('accessed'))})</li>"
        )
    return (
        '<p><strong>Forms and model filings</strong></p><ul class="kb-forms">'
        + "".join(items)
        + "</ul>"
    )


def load_help(kb: KB) -> list[dict]:
    """The entries of help/help.yaml (none when the file is missing or unreadable:
    `kbtool validate` says what is wrong with it)."""
    path = kb.root / HELP_FILE
    if not path.is_file():
        return []
    loaded = load_file(path, root=kb.root)
    data = loaded.data if loaded.ok else None
    entries = data.get("entries") if isinstance(data, dict) else None
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def help_for(entries: list[dict], code: str) -> list[dict]:
    """National entries and those serving `code`, national first, then by name."""
    out = [
        e
        for e in entries
        if e.get("scope") == "national" or (isinstance(e.get("scope"), list) and code in e["scope"])
    ]
    return sorted(out, key=lambda e: (e.get("scope") != "national", str(e.get("name"))))


def help_section(entries: list[dict], code: str, name: str) -> list[str]:
    """The "Where to get help" section of a jurisdiction page (Markdown lines)."""
    chosen = help_for(entries, code)
    if not chosen:
        return []
    out = ["## Where to get help", ""]
    out.append(
        '<p class="kb-help-lede">Organisations, not individuals; each link was checked on the '
        f"date shown. For {h(name)} and nationally:</p>"
    )
    for kind, label in HELP_KINDS.items():
        of_kind = [e for e in chosen if e.get("kind") == kind]
        if not of_kind:
            continue
        items = "".join(_help_item(e) for e in of_kind)
        out.append(f'<p><strong>{h(label)}</strong></p><ul class="kb-help">{items}</ul>')
        out.append("")
    return out


def _help_item(entry: dict[str, Any]) -> str:
    contact = []
    if entry.get("phone"):
        contact.append(f"call {h(entry['phone'])}")
    if entry.get("text_line"):
        contact.append(h(entry["text_line"]))
    reach = f" ({'; '.join(contact)})" if contact else ""
    return (
        f"<li>{link(entry.get('name'), entry.get('url'))}{reach}: {h(entry.get('description'))} "
        f'<span class="kb-checked">Checked {h(entry.get("accessed"))}.</span></li>'
    )
