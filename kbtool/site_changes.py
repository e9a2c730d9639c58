"""The site's "keeping current" pages: record histories, What changed, the Atom feed.

The history comes from git once per build (`history.changes`, one log pass); the site
generator calls `record_history()` under each record and `site_files()` for the pages.
Everything from git or a record is escaped on the way out (`h()` for HTML, ElementTree
for the feed, which also never sees a control character: `history.printable` removed
them). Links are relative unless mkdocs.yml sets `site_url`: no address is invented.

A build without git history (not a checkout) or with part of it (a shallow clone) says
so on the What changed page and still builds.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from . import history
from .history import Change, ChangeLog, HistoryUnavailable
from .site import h, safe_url

if TYPE_CHECKING:
    from .corpus import Corpus, Record
    from .site import Site

ATOM = "http://www.w3.org/2005/Atom"
FEED_FILE = "changes.xml"  # under docs/kb/, next to the What changed page
PAGE_FILE = "changes.md"
MAX_PAGE_COMMITS = 100
FOLD_ROWS = 12  # a commit that changed more records shows them folded
MAX_FEED_ENTRIES = 100
DEFAULT_SITE_NAME = "Trafficking Survivor Remedies"
# Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def history_id(record_id: str) -> str:
    """The HTML id of a record's history block on its jurisdiction page."""
    return f"history-{record_id}"


def record_anchor(record_id: str) -> str:
    """Where links to a record point on its jurisdiction page (feed, What changed, bills).

    Its history block, which every record card has. When the jurisdiction pages give
    each record's heading its id (`### Title {#id}`), return `record_id` here instead.
    """
    return history_id(record_id)


def mkdocs_setting(root: Path, key: str) -> str:
    """A top-level `key: value` from mkdocs.yml ('' if absent), read as text, not run."""
    path = root / "mkdocs.yml"
    try:
        text = path.read_text("utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError):
        return ""
    match = re.search(rf"^{re.escape(key)}:[ \t]*(\S[^\n]*?)[ \t]*$", text, re.MULTILINE)
    return match.group(1).strip("'\"") if match else ""


def site_url_from(root: Path) -> str:
    """`site_url` from mkdocs.yml if it is a plain http(s) address, ending in '/'; else ''."""
    url = safe_url(mkdocs_setting(root, "site_url"))
    if not url or "?" in url or "#" in url:
        return ""
    return url if url.endswith("/") else url + "/"


class SiteHistory:
    """The git history one site build shows, read once (lazily)."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.reason = ""  # why there is no history, when there is none

    @cached_property
    def log(self) -> ChangeLog | None:
        try:
            return history.changes(self.corpus.kb)
        except HistoryUnavailable as exc:
            self.reason = str(exc)
            return None

    @cached_property
    def shown(self) -> list[Change]:
        """Changes worth showing readers, newest first (formatting-only ones left out)."""
        return [c for c in self.log.changes if c.substantive] if self.log else []

    @cached_property
    def by_path(self) -> dict[str, list[Change]]:
        return history.by_record(self.log) if self.log else {}


def _day(change: Change) -> str:
    return f'<time datetime="{h(change.date)}">{h(change.day)}</time>'


def _commit(site: Site, change: Change) -> str:
    short = h(change.commit[:7])
    base = site.config.repo_url.rstrip("/")
    if base and safe_url(base):
        return (
            f'<a href="{h(base)}/commit/{h(change.commit)}" rel="noopener"><code>{short}</code></a>'
        )
    return f"<code>{short}</code>"


def record_history(site: Site, record: Record) -> list[str]:
    """Under a record: its anchor, last change and folded history (empty without git)."""
    anchor = h(history_id(record.id))
    log: SiteHistory = site.history
    if log.log is None:
        return [f'<div class="kb-history" id="{anchor}"></div>', ""]
    path = site.corpus._display(record.path)
    changes = log.by_path.get(path, [])
    shown = [c for c in changes if c.substantive]
    if not shown:
        return [f'<div class="kb-history" id="{anchor}"></div>', ""]
    last = shown[0]
    items = "".join(
        f"<li>{_day(c)} {_commit(site, c)} {h(c.summary)}<br><small>{h(c.describe())}</small></li>"
        for c in shown
    )
    hidden = len(changes) - len(shown)
    more = (
        f"<p><small>Plus {hidden} formatting-only change{'s' if hidden != 1 else ''}.</small></p>"
        if hidden
        else ""
    )
    incomplete = " (this build has only part of the history)" if log.log.shallow else ""
    return [
        f'<div class="kb-history" id="{anchor}"><p class="kb-last-change">Last changed '
        f"{_day(last)}: {h(last.summary)}</p>"
        f"<details><summary>History: {len(shown)} change{'s' if len(shown) != 1 else ''}"
        f"{incomplete}</summary><ul>{items}</ul>{more}</details></div>",
        "",
    ]


def _names(site: Site) -> dict[str, str]:
    return {j.folder: j.name for j in site.registry}


def _record_href(site: Site, change: Change, base: str) -> str:
    """Link to the record on its jurisdiction page, from a page at `base` (relative)."""
    folder = change.jurisdiction
    if folder not in _names(site):
        return f"{base}changes/" if base else "changes/"
    if change.action == "removed":
        return f"{base}jurisdictions/{folder}/"
    return f"{base}jurisdictions/{folder}/#{record_anchor(change.record_id)}"


def changes_page(site: Site) -> str:
    """The What changed page: every change to the records, newest first."""
    log: SiteHistory = site.history
    out = [
        "---",
        'title: "What changed"',
        'description: "Records added, changed or removed, newest first, from the history."',
        "hide:",
        "  - toc",
        "---",
        "",
        "# What changed",
        "",
        "Records added, changed or removed, newest first (dates in UTC), with the fields "
        "each change touched. Laws change every legislative year: check a record's sources and its "
        "verification date before relying on it.",
        "",
        f'<p>Follow the changes in a feed reader: <a href="../{FEED_FILE}" type='
        '"application/atom+xml">Atom feed</a>. The same list from the command line: '
        "<code>kbtool changes --since YYYY-MM-DD</code>; one record's history: "
        "<code>kbtool history ID</code>.</p>",
        "",
    ]
    if log.log is None:
        out += [
            '!!! note "No history in this build"',
            "    This site was built without the repository's git history (not from a git "
            "checkout, or git could not be run), so changes cannot be listed here. Build it "
            "from a full clone "
            "(`git clone`, or `fetch-depth: 0` in CI) to see them.",
            "",
        ]
        return "\n".join(out) + "\n"
    if log.log.shallow:
        out += [
            '!!! note "Part of the history only"',
            "    This site was built from a shallow clone: older changes are missing. "
            "Build it from a full clone (`fetch-depth: 0` in CI) to list them all.",
            "",
        ]
    shown = log.shown
    if not shown:
        out += ["*No changes to the records in the history available.*", ""]
        return "\n".join(out) + "\n"
    names = _names(site)
    # One block per commit (its changes are adjacent: same date, git's order kept).
    groups: list[list[Change]] = []
    for c in shown:
        if groups and groups[-1][0].commit == c.commit:
            groups[-1].append(c)
        else:
            groups.append([c])
    commits = len(groups)
    groups = groups[:MAX_PAGE_COMMITS]
    for group in groups:
        first = group[0]
        rows = []
        for c in group:
            target = _record_href(site, c, "../")
            rows.append(
                "<tr>"
                f"<td>{h(names.get(c.jurisdiction, c.jurisdiction))}</td>"
                f'<td><a href="{h(target)}">{h(c.title or c.record_id)}</a><br>'
                f"<code>{h(c.record_id)}</code></td>"
                f"<td>{h(c.describe())}</td>"
                "</tr>"
            )
        count = f"{len(group)} record{'s' if len(group) != 1 else ''}"
        table = (
            '<div class="kb-table-wrap"><table class="kb-changes"><thead><tr>'
            "<th>Jurisdiction</th><th>Record</th><th>What changed</th></tr></thead>"
            "<tbody>" + "".join(rows) + "</tbody></table></div>"
        )
        if len(group) > FOLD_ROWS:
            table = f"<details><summary>Show the {count}</summary>{table}</details>"
        out.append(
            f'<div class="kb-commit"><p class="kb-commit-head"><strong>{_day(first)}</strong> · '
            f"{h(first.summary)} · {_commit(site, first)} · {count}</p>{table}</div>"
        )
    out.append("")
    if commits > len(groups):
        out += [
            f"Only the newest {len(groups)} of {commits} commits are listed here; "
            "`kbtool changes --since DATE` lists them all.",
            "",
        ]
    return "\n".join(out) + "\n"


def _xml_text(text: object) -> str:
    return _NOT_XML.sub("\ufffd", str(text))


def _rfc3339(change_date: str) -> str:
    when = history._parse_date(change_date)
    return when.isoformat()


def atom_feed(site: Site) -> str:
    """An Atom 1.0 feed of the newest changes, one entry per record change."""
    base = site.config.site_url if safe_url(site.config.site_url) else ""
    name = site.config.site_name or DEFAULT_SITE_NAME
    log: SiteHistory = site.history
    shown = log.shown[:MAX_FEED_ENTRIES]
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _xml_text(v) for k, v in attrs.items()})
        if text is not None:
            el.text = _xml_text(text)
        return el

    feed = ET.Element(f"{{{ATOM}}}feed")
    feed_url = f"{base}kb/{FEED_FILE}" if base else ""
    feed_id = feed_url or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'kbtool:changes:' + name)}"
    sub(feed, "id", feed_id)
    sub(feed, "title", f"{name}: what changed")
    subtitle = "Records added, changed or removed in the knowledge base, newest first."
    if log.log is None:
        subtitle += " This build had no git history, so the feed is empty."
    elif log.log.shallow:
        subtitle += " This build had only part of the history."
    sub(feed, "subtitle", subtitle)
    if shown:
        updated = _rfc3339(shown[0].date)
    else:  # no change to date the feed by: the build date
        from .rules import today

        updated = f"{today().isoformat()}T00:00:00+00:00"
    sub(feed, "updated", updated)
    author = sub(feed, "author")
    sub(author, "name", f"{name} contributors")
    page = f"{base}kb/changes/" if base else "changes/"
    sub(feed, "link", rel="alternate", type="text/html", href=page)
    if feed_url:
        sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    sub(feed, "rights", "Data: CC0 1.0. Legal information, not legal advice.")
    names = _names(site)
    for c in shown:
        entry = sub(feed, "entry")
        sub(
            entry,
            "id",
            f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'kbtool:change:{c.commit}:{c.path}')}",
        )
        where = names.get(c.jurisdiction, c.jurisdiction)
        sub(entry, "title", f"{where}: {c.title or c.record_id} ({c.action})")
        sub(entry, "updated", _rfc3339(c.date))
        href = _record_href(site, c, f"{base}kb/" if base else "")
        sub(entry, "link", rel="alternate", type="text/html", href=href)
        sub(
            entry,
            "summary",
            f"{c.summary}. {c.describe()}. Record {c.record_id}, commit {c.commit[:10]}.",
            type="text",
        )
        sub(entry, "category", term=c.jurisdiction, label=where)
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def site_files(site: Site) -> dict[str, str]:
    """The What changed page and the feed, as {path under docs/kb/: text}."""
    return {PAGE_FILE: changes_page(site), FEED_FILE: atom_feed(site)}
