"""The static site's generated pages: a function from the corpus to {path: text}.

Only this module knows the page layout. It writes plain Markdown (with a little raw
HTML for tables, badges and the map) that any Python-Markdown based engine renders;
it uses no MkDocs plugin (search is our own: see `sitesearch`), so the same files can be
built by another engine (see README).

Everything that comes from a record is escaped on the way out: `md()` for Markdown
text, `h()` for HTML, `href()` for links (only http(s) addresses become links).
Python-Markdown passes raw HTML through, so this is what keeps a contributor's
`<script>` or `[link](javascript:...)` inert.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from . import DISCLAIMER, parallel, query, screener, sitesearch
from .corpus import Corpus, Record
from .jurisdictions import Jurisdiction
from .provenance import STATUS_MINORS_ONLY, VERIFICATION_LABEL, remedy_status
from .render import deadline, fmt, limitation

GENERATED_DIR = "kb"  # under docs/, git-ignored
DOWNLOAD_STEM = "trafficking-survivor-remedies"
# From this many records, the downloads are built in a second process (kbtool.parallel).
PARALLEL_RECORDS = 2000

# Relief categories for the map, strongest first; every tile also shows its letter.
RELIEF_CATEGORIES = {
    "vacatur": ("V", "Vacatur available"),
    "expungement_sealing": ("E", "Expungement or sealing only"),
    "minors_only": ("M", "Only for offenses committed as a minor (no relief for adults)"),
    "none": ("N", "No trafficking-specific record relief"),
    "undetermined": ("?", "Researched, not settled"),
    "not_researched": ("·", "Not yet researched"),
}

# Tile-grid map: (column, row) of each jurisdiction; territories on the bottom row.
TILES: dict[str, tuple[int, int]] = {
    "US-AK": (0, 0), "US-ME": (11, 0),
    "US-WI": (6, 1), "US-VT": (10, 1), "US-NH": (11, 1),
    "US-WA": (1, 2), "US-ID": (2, 2), "US-MT": (3, 2), "US-ND": (4, 2), "US-MN": (5, 2),
    "US-IL": (6, 2), "US-MI": (7, 2), "US-NY": (9, 2), "US-MA": (10, 2),
    "US-OR": (1, 3), "US-NV": (2, 3), "US-WY": (3, 3), "US-SD": (4, 3), "US-IA": (5, 3),
    "US-IN": (6, 3), "US-OH": (7, 3), "US-PA": (8, 3), "US-NJ": (9, 3), "US-CT": (10, 3),
    "US-RI": (11, 3),
    "US-CA": (1, 4), "US-UT": (2, 4), "US-CO": (3, 4), "US-NE": (4, 4), "US-MO": (5, 4),
    "US-KY": (6, 4), "US-WV": (7, 4), "US-VA": (8, 4), "US-MD": (9, 4), "US-DE": (10, 4),
    "US-AZ": (2, 5), "US-NM": (3, 5), "US-KS": (4, 5), "US-AR": (5, 5), "US-TN": (6, 5),
    "US-NC": (7, 5), "US-SC": (8, 5), "US-DC": (9, 5),
    "US-OK": (4, 6), "US-LA": (5, 6), "US-MS": (6, 6), "US-AL": (7, 6), "US-GA": (8, 6),
    "US-HI": (0, 7), "US-TX": (4, 7), "US-FL": (9, 7),
    "US-MP": (0, 8), "US-GU": (1, 8), "US-AS": (2, 8), "US-PR": (9, 8), "US-VI": (10, 8),
}  # fmt: skip

RECORD_RELIEF_FIELDS = [
    ("relief_forms", "Forms of relief"),
    ("covers_convictions", "Convictions"),
    ("covers_arrests", "Arrests"),
    ("covers_non_convictions", "Non-convictions"),
    ("covers_juvenile_adjudications", "Juvenile adjudications"),
    ("offense_scope", "Offenses covered"),
    ("exclusions", "Exclusions"),
    ("discretion", "Court's discretion"),
    ("nexus", "Nexus to trafficking"),
    ("time_limit", "Deadline"),
    ("hearing", "Hearing"),
    ("burden_of_proof", "Burden of proof"),
    ("official_documentation", "Official documentation"),
    ("confidential_filing", "Confidential filing"),
]
CIVIL_ACTION_FIELDS = [
    ("covers_knowing_beneficiaries", "Knowing beneficiaries"),
    ("damages", "Damages"),
    ("attorneys_fees", "Attorney's fees"),
    ("limitation_period", "Limitation period"),
    ("who_may_sue", "Who may sue"),
    ("defendants", "Defendants"),
]
COMPENSATION_FIELDS = [
    ("trafficking_victims_covered", "Trafficking victims named"),
    ("reporting_requirement", "Report to police"),
    ("reporting_exception_for_trafficking", "Reporting alternative for trafficking"),
    ("cooperation_required", "Cooperation required"),
    ("application_deadline", "Application deadline"),
    ("residency", "Residency and status"),
    ("pays_for", "Pays for"),
    ("maximum_award", "Maximum award"),
    ("program", "Program"),
    ("agency", "Agency"),
]
STRUCTURED = {
    "criminal_record_relief": ("record_relief", RECORD_RELIEF_FIELDS),
    "civil_action": ("civil_action", CIVIL_ACTION_FIELDS),
    "victim_compensation": ("compensation", COMPENSATION_FIELDS),
}


# --- escaping ---------------------------------------------------------------------------


def h(value: Any) -> str:
    """Text for HTML: every markup character becomes an entity (html.escape with quotes,
    inlined: pages call this half a million times at 10,000 records)."""
    text = value if type(value) is str else str(value)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


def front_matter_text(value: Any) -> str:
    """A front matter value: HTML-escaped (MkDocs puts `title` into <title>, the header
    and the navigation, and `description` into a meta tag's double-quoted attribute, all
    unescaped), then a quoted YAML string (JSON's form, which YAML reads), on one line.
    Apostrophes stay (`Hawai'i`): they end no element and no double-quoted attribute."""
    text = html.escape(" ".join(str(value).split()), quote=False).replace('"', "&quot;")
    return json.dumps(text, ensure_ascii=True)


def md(value: Any) -> str:
    """Text for Markdown: one line, Markdown syntax backslash-escaped, HTML made entities.

    Python-Markdown honours backslash escapes for its syntax characters; `<`, `>`, `&`
    and quotes become entities (a backslash does not escape raw HTML).
    """
    # Markdown syntax first (a backslash is no HTML), then HTML characters as entities
    # (so the `#` of `&#x27;` is not escaped): the same as escaping each character.
    return html.escape(_MD_SYNTAX.sub(r"\\\g<0>", " ".join(str(value).split())), quote=True)


_MD_SYNTAX = re.compile(r"[\\`*_{}\[\]()#+\-!|]")


def safe_url(url: Any) -> str | None:
    """The address if it is a plain http(s) URL without credentials, else None."""
    if not isinstance(url, str):
        return None
    if not re.fullmatch(r"https?://[^\s/@\"'<>`]+(/[^\s\"'<>`]*)?", url):
        return None
    return url


def link(text: Any, url: Any) -> str:
    """An HTML link when the URL is safe, else the escaped text alone."""
    safe = safe_url(url)
    if safe is None:
        return h(text)
    return f'<a href="{h(safe)}" rel="noopener">{h(text)}</a>'


# --- shared views -----------------------------------------------------------------------


@dataclass(frozen=True)
class SiteConfig:
    """What the pages need to know about where they are published."""

    repo_url: str = ""  # e.g. https://github.com/org/repo; empty hides edit links
    branch: str = "main"
    as_of: str = ""
    site_url: str = ""  # mkdocs.yml's site_url, if set: absolute links in the feed
    site_name: str = ""


def relief_category(records: list[Record]) -> str:
    """Map category of a jurisdiction from its criminal_record_relief records."""
    rel = [r for r in records if r.data.get("remedy_type") == "criminal_record_relief"]
    if not rel:
        return "not_researched"
    forms: set[str] = set()
    adult = [r for r in rel if remedy_status(r.data) != STATUS_MINORS_ONLY]
    if rel and not adult:
        return "minors_only"
    for r in adult:
        if r.data.get("available") is True:
            f = (r.data.get("record_relief") or {}).get("relief_forms")
            forms.update(f if isinstance(f, list) else ["unknown"])
    if "vacatur" in forms:
        return "vacatur"
    if forms & {"expungement", "sealing"}:
        return "expungement_sealing"
    if forms:
        return "undetermined"
    if any(r.data.get("available") is False for r in rel):
        return "none"
    return "undetermined"


def field_value(key: str, value: Any, short: bool = False) -> str:
    """A comparison field for people; `short` keeps table cells brief."""
    if key == "time_limit":
        text = deadline(value)
        extra = value.get("text") if isinstance(value, dict) else None
        return f"{text}: {extra}" if extra and text != extra and not short else text
    if isinstance(value, list) and key == "exclusions":
        return "; ".join(str(v) for v in value) if value else "none"
    if key == "limitation_period":
        return limitation(value)
    return fmt(value)


class Site:
    """Builds every generated page from one corpus."""

    def __init__(self, corpus: Corpus, config: SiteConfig) -> None:
        self.corpus = corpus
        self.config = config
        self.registry = corpus.registry
        self.remedies: dict[str, list[Record]] = {}
        self.statutes: dict[str, list[Record]] = {}
        for r in corpus.all("remedy"):
            self.remedies.setdefault(r.jurisdiction, []).append(r)
        for s in corpus.all("statute"):
            self.statutes.setdefault(s.jurisdiction, []).append(s)
        self.coverage = query.coverage(corpus)
        if not config.as_of:  # one "data as of" everywhere: the latest verification date
            self.config = replace(config, as_of=self.coverage["data_as_of"] or "unknown")
        from .site_changes import SiteHistory  # git history, read once when first needed

        self.history = SiteHistory(corpus)

    # -- helpers ------------------------------------------------------------------------

    def edit_link(self, record: Record) -> str:
        path = self.corpus._display(record.path)
        if not self.config.repo_url:
            return f"Record file: <code>{h(path)}</code>"
        base = self.config.repo_url.rstrip("/")
        edit = f"{base}/edit/{self.config.branch}/{path}"
        j = self.registry.get(record.jurisdiction)
        # The "report an outdated or wrong law" issue form, with the record filled in.
        report = (
            f"{base}/issues/new?template=outdated-law.yml"
            f"&title={_urlquote('[Outdated or wrong]: ' + record.id)}"
            f"&record={_urlquote(record.id)}"
            f"&jurisdiction={_urlquote(j.name if j else record.jurisdiction)}"
        )
        return (
            f"{link('Edit this record', edit)} · {link('Report an error', report)} · "
            f"<code>{h(path)}</code>"
        )

    def statute_citation(self, ref: dict) -> str:
        cite = ref.get("citation") or ref.get("statute")
        url = ref.get("official_text_url")
        return link(cite, url) if url else h(cite)

    def sources_html(self, record: Record) -> str:
        items = []
        for s in record.data.get("sources") or []:
            published = f", published {h(s['published'])}" if s.get("published") else ""
            kind = f" ({h(fmt(s['type']))})" if s.get("type") else ""
            items.append(
                f"<li>{link(s.get('title', s.get('url')), s.get('url'))}{kind}{published}, "
                f"accessed {h(s.get('accessed'))}</li>"
            )
        return '<ul class="kb-sources">' + "".join(items) + "</ul>"

    def verification_line(self, record: Record) -> str:
        p = record.provenance
        return (
            f'<p class="kb-verified"><strong>Law as of</strong> {h(p["law_as_of"])} · '
            f"<strong>checked on</strong> {h(p['checked_on'])} · "
            f"<strong>{h(VERIFICATION_LABEL[p['verification_level']])}</strong>: "
            f"{h(p['verification_meaning'])}. {self.edit_link(record)}</p>"
        )

    # -- jurisdiction pages ---------------------------------------------------------------

    def screener_link(self, j: Jurisdiction) -> str:
        """` · Screen a client's record` on pages of jurisdictions the screener takes."""
        if j.kind not in screener.SCREENABLE_KINDS:
            return ""
        url = f"../../../screener/?jurisdiction={_urlquote(j.code)}"
        return f' · <a href="{h(url)}" class="kb-screener-link">Screen a client\'s record</a>'

    @cached_property
    def help_entries(self) -> list[dict]:
        """help/help.yaml, read once for all the jurisdiction pages."""
        from .site_practice import load_help

        return load_help(self.corpus.kb)

    def help_section(self, j: Jurisdiction) -> list[str]:
        """Where a survivor or a volunteer attorney can get help (help/help.yaml)."""
        from .site_practice import help_section

        return help_section(self.help_entries, j.code, j.name)

    # -- index, comparison, home -------------------------------------------------------------

    def jurisdictions_index(self) -> str:
        out = [
            "# Jurisdictions",
            "",
            "Every state, the District of Columbia, the five inhabited "
            "territories, federal law and international instruments.",
            "",
        ]
        rows = []
        for j in self.registry:
            recs = self.remedies.get(j.code, [])
            cat = relief_category(recs) if j.kind not in ("federal", "international") else None
            label = RELIEF_CATEGORIES[cat][1] if cat else ""
            rows.append(
                f'<tr><td><a href="{h(j.folder)}/">{h(j.name)}</a></td><td>{h(j.code)}</td>'
                f"<td>{h(j.kind)}</td><td>{h(label)}</td><td>{len(recs)}</td>"
                f"<td>{len(self.statutes.get(j.code, []))}</td></tr>"
            )
        out.append(
            '<div class="kb-table-wrap" tabindex="0" role="region" aria-label="Jurisdictions">'
            '<table class="kb-sortable"><thead><tr><th>Jurisdiction</th><th>Code</th><th>Kind</th>'
            "<th>Criminal record relief</th><th>Remedies</th><th>Statutes</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table></div>"
        )
        return "\n".join(out) + "\n"

    def comparison_page(self, remedy_type: str) -> str:
        label = self.corpus.type_label(remedy_type)
        structured = STRUCTURED.get(remedy_type)
        fields = structured[1] if structured else []
        out = [
            "---",
            "hide:",
            "  - navigation",
            "  - toc",
            "---",
            "",
            f"# {md(label)}: all jurisdictions",
            "",
            md((self.corpus.remedy_types.get(remedy_type) or {}).get("description", "")),
            "",
            "Click a column heading to sort; type in the filter box or use the column filters to "
            "narrow the rows. Each row links to its jurisdiction.",
            "",
        ]
        headers = ["Jurisdiction", "Available", "Law"] + [lab for _, lab in fields] + ["Verified"]
        filters = "".join(
            f'<th><select data-col="{i}" aria-label="Filter {h(hd)}">'
            '<option value="">all</option></select></th>'
            if i > 0 and i < len(headers) - 1 and i != 2
            else "<th></th>"
            for i, hd in enumerate(headers)
        )
        rows = []
        for j in self.registry:
            for r in sorted(self.remedies.get(j.code, []), key=lambda r: r.id):
                if r.data.get("remedy_type") != remedy_type:
                    continue
                view = query.record_view(self.corpus, r)
                law = "; ".join(
                    str(ref.get("citation") or ref.get("statute")) for ref in view["legal_basis"]
                )
                block = r.data.get(structured[0]) if structured else None
                cells = [
                    f'<a href="../../jurisdictions/{h(j.folder)}/#{h(r.id)}">{h(j.name)}</a>',
                    h(
                        "minors only"
                        if remedy_status(r.data) == STATUS_MINORS_ONLY
                        else {True: "yes", False: "no", "unknown": "undetermined"}.get(
                            r.data.get("available"), ""
                        )
                    ),
                    h(law),
                ]
                for key, _ in fields:
                    value = block.get(key) if isinstance(block, dict) else None
                    cells.append(
                        h(field_value(key, value, short=True) if value is not None else "")
                    )
                cells.append(h(r.data.get("last_verified")))
                rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        out.append(
            '<p><label>Filter rows: <input type="search" class="kb-filter" '
            'placeholder="e.g. any, shall, Texas"></label> <span class="kb-count"></span></p>'
        )
        out.append("")
        out.append(
            '<div class="kb-table-wrap" tabindex="0" role="region" aria-label="Table">'
            '<table class="kb-sortable kb-compare"><thead><tr>'
            + "".join(f"<th>{h(hd)}</th>" for hd in headers)
            + f'</tr><tr class="kb-filters">{filters}</tr></thead><tbody>'
            + "".join(rows)
            + "</tbody></table></div>"
        )
        if not rows:
            out.append("")
            out.append("*No records of this type yet.*")
        return "\n".join(out) + "\n"

    def map_svg(self) -> str:
        size, gap = 46, 4
        cols = 1 + max(c for c, _ in TILES.values())
        rows = 1 + max(r for _, r in TILES.values())
        width, height = cols * (size + gap), rows * (size + gap) + 10
        parts = [
            f'<svg class="kb-map" viewBox="0 0 {width} {height}" role="group" '
            f'aria-labelledby="kb-map-title" xmlns="http://www.w3.org/2000/svg">'
            '<title id="kb-map-title">Map of criminal record relief for trafficking survivors '
            "by state, DC and territory</title>"
        ]
        for code, (c, r) in TILES.items():
            j = self.registry.get(code)
            if j is None:
                continue
            cat = relief_category(self.remedies.get(code, []))
            letter, label = RELIEF_CATEGORIES[cat]
            x, y = c * (size + gap), r * (size + gap) + (10 if r == 8 else 0)
            abbr = code.split("-")[1]
            parts.append(
                f'<a href="kb/jurisdictions/{h(j.folder)}/" class="kb-tile kb-cat-{cat}" '
                f'data-code="{h(code)}" aria-label="{h(j.name)}: {h(label)}">'
                f"<title>{h(j.name)}: {h(label)}</title>"
                f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="4"/>'
                f'<text x="{x + size / 2}" y="{y + 20}" class="kb-tile-code">{h(abbr)}</text>'
                f'<text x="{x + size / 2}" y="{y + 37}" class="kb-tile-mark">{h(letter)}</text></a>'
            )
        parts.append("</svg>")
        return "".join(parts)

    def home_fragment(self) -> str:
        """The map, its legend and a text alternative, plus coverage numbers."""
        by_cat: dict[str, list[Jurisdiction]] = {k: [] for k in RELIEF_CATEGORIES}
        for code in TILES:
            j = self.registry.get(code)
            if j is not None:
                by_cat[relief_category(self.remedies.get(code, []))].append(j)
        legend = "".join(
            f'<li><span class="kb-swatch kb-cat-{k}">{h(letter)}</span> {h(label)} '
            f"({len(by_cat[k])})</li>"
            for k, (letter, label) in RELIEF_CATEGORIES.items()
        )
        alt = "".join(
            f"<li><strong>{h(RELIEF_CATEGORIES[k][1])}</strong>: "
            + ", ".join(f'<a href="kb/jurisdictions/{h(j.folder)}/">{h(j.name)}</a>' for j in js)
            + "</li>"
            for k, js in by_cat.items()
            if js
        )
        t = self.coverage["totals"]
        recs = self.coverage["records"]
        ver = self.coverage["verification"]
        cells = sum(t.values())
        numbers = (
            f'<p class="kb-coverage">Data as of <strong>{h(self.config.as_of)}</strong> '
            "(the latest verification date), computed from "
            f"the records: {recs['statutes']} statute records and "
            f"{recs['remedies']} remedy records "
            f"for {len(self.coverage['jurisdictions'])} jurisdictions. Of {cells} "
            f"jurisdiction-and-remedy cells in scope, {t['available']} are available, {t['none']} "
            f"researched and not available, {t['undetermined']} undetermined and "
            f"{t['not researched']} not yet researched ({t['minors only']} more offer relief only "
            "for offenses committed as a minor). Records verified against the official text: "
            f"{ver.get('official_text', 0)}; against an unofficial copy of the text: "
            f"{ver.get('unofficial_text', 0)}; against secondary sources only: "
            f"{ver.get('secondary_source', 0)}; unverified: {ver.get('unverified', 0)}.</p>"
        )
        return "\n".join(
            [
                '<div class="kb-map-wrap">',
                '<div class="kb-map-scroll" tabindex="0" role="region" aria-label="Map">'
                + self.map_svg()
                + "</div>",
                f'<ul class="kb-legend">{legend}</ul>',
                "</div>",
                "",
                '<details class="kb-map-text"><summary>The map as a list</summary>'
                f"<ul>{alt}</ul></details>",
                "",
                numbers,
                "",
            ]
        )

    def fields_reference(self) -> str:
        from .schema import load_schemas

        schemas = load_schemas(self.corpus.kb.schema_dir)
        out = [
            "# Field reference",
            "",
            "Generated from the JSON Schemas in `schema/`: every field a record may have, what "
            "it means and what values it takes.",
            "",
        ]
        for name in ("statute.schema.json", "remedy.schema.json", "defs.schema.json"):
            schema = schemas.get(name)
            if not schema:
                continue
            out.append(f"## {md(schema.get('title', name))}")
            out.append("")
            out.append(md(schema.get("description", "")))
            out.append("")
            for heading, props, required in _schema_objects(schema, schemas):
                if heading:
                    out.append(f"### {md(heading)}")
                    out.append("")
                rows = "".join(
                    f"<tr><td><code>{h(key)}</code>{' (required)' if key in required else ''}</td>"
                    f"<td>{h(prop.get('title', ''))}</td>"
                    f"<td>{_inline_code(prop.get('description', ''))}"
                    f"{_allowed(prop, schemas)}</td></tr>"
                    for key, prop in props.items()
                )
                out.append(
                    "<table><thead><tr><th>Field</th><th>Title</th><th>Meaning</th></tr></thead>"
                    f"<tbody>{rows}</tbody></table>"
                )
                out.append("")
        return "\n".join(out) + "\n"

    def comparison_fields_fragment(self) -> str:
        """Meaning of each comparison field, from the schema descriptions (for Methodology)."""
        from .schema import load_schemas

        schemas = load_schemas(self.corpus.kb.schema_dir)
        remedy = schemas["remedy.schema.json"]
        out = []
        for key, title in (
            ("record_relief", "Criminal record relief"),
            ("civil_action", "Civil action"),
        ):
            block = remedy["$defs"][key]
            out.append(f"### {md(title)}")
            out.append("")
            for name, prop in block["properties"].items():
                out.append(
                    f"- **{md(prop.get('title', name))}** (`{name}`): "
                    f"{md(_plain(prop.get('description', '')))}"
                )
            out.append("")
        return "\n".join(out)

    def generate(self) -> dict[str, str]:

        # The downloads (every record as JSON, JSON Lines and CSV) do not depend on the
        # pages: on a large corpus they are built by a second process meanwhile.
        size = len(self.corpus.all("statute")) + len(self.corpus.all("remedy"))
        downloads = parallel.start(self.downloads, parallel.worth_it(size, PARALLEL_RECORDS))
        try:
            return self._generate(downloads)
        except BaseException:
            downloads.cancel()
            raise

    def _generate(self, downloads: parallel.Pending) -> dict[str, str]:
        from . import site_jurisdiction as pages_j

        pages: dict[str, str] = {}
        for j in self.registry:
            pages[f"jurisdictions/{j.folder}.md"] = pages_j.jurisdiction_page(self, j)
        pages["jurisdictions/index.md"] = self.jurisdictions_index()
        with_records = {str(r.data.get("remedy_type")) for rs in self.remedies.values() for r in rs}
        for t in self.corpus.remedy_types:
            if t in with_records:  # no empty comparison pages
                pages[f"compare/{t}.md"] = self.comparison_page(t)
        pages["statutes.md"] = pages_j.statutes_index(self)
        pages["fragments/home.md"] = self.home_fragment()
        pages["fragments/home-screener.md"] = pages_j.home_screener(self)
        pages["fragments/comparison-fields.md"] = self.comparison_fields_fragment()
        pages["reference/fields.md"] = self.fields_reference()
        pages["data/compare-data.js"] = self.compare_data_js()
        pages.update(downloads.result())
        pages.update(screener.site_files(self.corpus, self.config.as_of))
        from .site_changes import site_files as changes_files

        pages.update(changes_files(self))  # What changed page and Atom feed
        from .site_bills import site_files as bills_files

        pages.update(bills_files(self))  # Bills to watch page
        pages[sitesearch.INDEX_PATH] = sitesearch.render(self.corpus)
        return pages

    def downloads(self) -> dict[str, str]:
        """The open-data exports, built with the site, and the page that lists them."""
        from pathlib import PurePosixPath

        from . import export as exporter

        files: dict[str, str] = {}
        rows = []
        descriptions = {
            "json": "One JSON object: licence, export date, `statutes` and `remedies` arrays.",
            "jsonl": "One JSON object per line, one line per record.",
            "csv": "One row per record, nested fields flattened; columns described in its "
            "licence file.",
        }
        collected = exporter.collect(self.corpus)  # once for every format
        encoded = exporter.encode(collected)  # each record once, for JSON and JSON Lines
        for kind in exporter.FORMATS:
            name = f"{DOWNLOAD_STEM}.{kind}"
            text, companion, counts = exporter.render(
                self.corpus, kind, self.config.as_of, data=collected, encoded=encoded
            )
            files[f"downloads/{name}"] = text
            extra = ""
            if companion is not None:
                cols = exporter.columns(self.corpus.kb.schema_dir) if kind == "csv" else None
                lic = exporter.companion_path(PurePosixPath(name)).name  # type: ignore[arg-type]
                files[f"downloads/{lic}"] = exporter.license_text(
                    self.corpus.kb.root, name, kind, self.config.as_of, counts, cols
                )
                extra = f' (<a href="../downloads/{h(lic)}">licence and columns</a>)'
            size = len(text.encode("utf-8"))
            rows.append(
                f'<tr><td><a href="../downloads/{h(name)}" download>{h(name)}</a>{extra}</td>'
                f"<td>{h(kind.upper())}</td><td>{size / 1024:,.0f} KB</td>"
                f"<td>{_inline_code(descriptions[kind])}</td></tr>"
            )
        recs = self.coverage["records"]
        page = [
            "# Downloads",
            "",
            f"The whole knowledge base as open data, data as of **{md(self.config.as_of)}** "
            f"(the latest verification date), exported with the site: {recs['statutes']} "
            f"statute records and {recs['remedies']} remedy records, each with its sources, "
            "verification date and method, and the citations of the statutes it rests on.",
            "",
            '<table class="kb-fields"><thead><tr><th>File</th><th>Format</th><th>Size</th>'
            "<th>Contents</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>",
            "",
            "**Licence.** The data is dedicated to the public domain under "
            "[CC0 1.0](https://creativecommons.org/publicdomain/zero/1.0/): use it for any "
            "purpose without asking. Please cite the project and the export date. Sources "
            "linked from records keep their own terms.",
            "",
            "The same files come from the command line: `kbtool export --format json|jsonl|csv "
            "-o FILE`.",
            "",
            f'!!! warning "Legal information, not legal advice"\n    {md(DISCLAIMER)}',
            "",
        ]
        files["downloads.md"] = "\n".join(page)
        return files

    def compare_data_js(self) -> str:
        """Data for the client-side pages, as a script (works from file:// too)."""
        data = {
            "as_of": self.config.as_of,
            "jurisdictions": [
                {"code": j.code, "name": j.name, "kind": j.kind, "folder": j.folder}
                for j in self.registry
            ],
            "types": {t: self.corpus.type_label(t) for t in self.corpus.remedy_types},
            "fields": {t: [[k, lab] for k, lab in f] for t, (_, f) in STRUCTURED.items()},
            "remedies": [
                {
                    "id": r.id,
                    "jurisdiction": r.jurisdiction,
                    "remedy_type": r.data.get("remedy_type"),
                    "title": r.data.get("title"),
                    "available": r.data.get("available"),
                    "status": remedy_status(r.data),
                    "law": [
                        ref.get("citation")
                        for ref in query.resolve_refs(self.corpus, r.data.get("legal_basis"))
                    ],
                    "fields": {
                        k: field_value(k, (r.data.get(STRUCTURED[t][0]) or {}).get(k), short=True)
                        for t in [str(r.data.get("remedy_type"))]
                        if t in STRUCTURED
                        for k, _ in STRUCTURED[t][1]
                        if k in (r.data.get(STRUCTURED[t][0]) or {})
                    },
                    "last_verified": r.data.get("last_verified"),
                    "verification": r.data.get("verification"),
                }
                for code in (j.code for j in self.registry)
                for r in sorted(self.remedies.get(code, []), key=lambda r: r.id)
            ],
        }
        from .site_compare import add_compare_rows

        data = add_compare_rows(self, data)  # the rows of `kbtool compare`
        text = json.dumps(data, ensure_ascii=True, sort_keys=False, separators=(",", ":"))
        # JSON inside <script>: `</` and `<!--` must not appear raw
        text = text.replace("</", "<\\/").replace("<!--", "<\\!--")
        return f"window.KB_DATA = {text};\n"


def _row(header: Any, value: Any) -> str:
    """One table row with a row header; both escaped."""
    return f'<tr><th scope="row">{h(header)}</th><td>{h(value)}</td></tr>'


def _urlquote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _anchor(title: Any) -> str:
    """The id Python-Markdown's toc extension gives a heading (default slugify)."""
    import unicodedata

    value = unicodedata.normalize("NFKD", str(title)).encode("ascii", "ignore").decode()
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


def _plain(text: str) -> str:
    return text.replace("`", "")


def _inline_code(text: str) -> str:
    """Schema descriptions use `code` spans; render them safely as <code>."""
    parts = str(text).split("`")
    return "".join(f"<code>{h(p)}</code>" if i % 2 else h(p) for i, p in enumerate(parts))


def _resolve(prop: dict, schemas: dict) -> dict:
    ref = prop.get("$ref")
    if not ref:
        return prop
    file, _, pointer = ref.partition("#")
    doc = schemas.get(file) if file else None
    if doc is None:
        return prop
    node: Any = doc
    for part in pointer.strip("/").split("/"):
        if part:
            node = node.get(part, {})
    return node


def _allowed(prop: dict, schemas: dict) -> str:
    target = _resolve(prop, schemas)
    values: list[Any] = []
    if "enum" in target:
        values = target["enum"]
    elif target.get("type") == "array" and "enum" in (target.get("items") or {}):
        values = target["items"]["enum"]
    if not values:
        return ""
    return "<br>Values: " + ", ".join(f"<code>{h(json.dumps(v))}</code>" for v in values)


def _schema_objects(schema: dict, schemas: dict) -> Iterable[tuple[str, dict, set]]:
    if "properties" in schema:
        yield "", schema["properties"], set(schema.get("required", []))
    for name, sub in (schema.get("$defs") or {}).items():
        if isinstance(sub, dict) and "properties" in sub:
            yield sub.get("title", name), sub["properties"], set(sub.get("required", []))


def generate(corpus: Corpus, config: SiteConfig) -> dict[str, str]:
    """Every generated file of the site, as {path under docs/kb/: text}."""
    return Site(corpus, config).generate()


STAGING_PREFIX = ".kb-site-"
OLD_PREFIX = ".kb-old-"
# What a killed `kbtool site` leaves beside the target: only these names are swept.
LEFTOVER = re.compile(r"\.kb-(?:site|old)-[A-Za-z0-9._-]{1,80}")
RENAME_EXCHANGE = 2  # renameat2 flag (Linux 3.15+): swap two paths in one step


def _exchange(a: Any, b: Any) -> bool:
    """Swap two folders atomically (renameat2 RENAME_EXCHANGE); False when unsupported."""
    import ctypes
    import os

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(str(a)), at_fdcwd, os.fsencode(str(b)), 2)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this system or file system cannot
        return False
    raise OSError(err, os.strerror(err), str(b))


def exchange_supported(folder: Any) -> bool:
    """Whether `folder`'s file system swaps folders in one step (for tests and docs)."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix=STAGING_PREFIX, dir=folder) as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        a.mkdir()
        b.mkdir()
        return _exchange(a, b)


def recover(target: Any) -> None:
    """Repair what a kill between the two renames of a swap left: no `target`, but the
    previous pages moved aside as `.kb-old-*`: put the newest of those back."""
    from pathlib import Path

    target = Path(target)
    if target.exists() or target.is_symlink() or not target.parent.is_dir():
        return
    aside = [
        p
        for p in target.parent.iterdir()
        if p.name.startswith(OLD_PREFIX) and LEFTOVER.fullmatch(p.name) and not p.is_symlink()
    ]
    if aside:
        newest = max(aside, key=lambda p: p.stat().st_mtime)
        newest.rename(target)


def write_site(corpus: Corpus, config: SiteConfig, target, cli_reference: str = "") -> int:
    """Generate every page and swap it into `target` as a whole (never half-written).

    Never writes through a link (a linked docs/ or docs/kb would send the swap, and its
    deletion of the old pages, elsewhere), writes only plain relative paths, and swaps
    in one step where the system can (renameat2), so docs/kb is never missing; else in
    two renames, with `recover` repairing a kill between them on the next run.
    Leftovers of killed runs (`.kb-site-*`, `.kb-old-*`, an hour old) are swept.
    """
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from .files import check_write, safe_rel, sweep, write_error

    root = corpus.kb.root
    target = check_write(Path(target), root)
    pages = generate(corpus, config)
    if cli_reference:
        pages["reference/cli.md"] = cli_reference
    for rel in pages:
        safe_rel(rel)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        check_write(target, root)  # again: the folders now exist
        recover(target)
        sweep(target.parent, LEFTOVER, min_age=3600)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target.parent))
    except OSError as exc:
        raise write_error(target, exc) from None
    old: Path | None = None
    swapped = False
    try:
        for rel, text in pages.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        os.chmod(staging, 0o755)
        if target.exists() and _exchange(staging, target):
            old, staging = staging, target  # the old pages are now where staging was
            swapped = True
        else:
            if target.exists():
                old = target.with_name(f"{OLD_PREFIX}{staging.name}")
                target.rename(old)
            staging.rename(target)
            swapped = True
    except BaseException as exc:
        # Put the previous pages back if they were moved aside but not replaced.
        if old is not None and not swapped and old.exists() and not target.exists():
            old.rename(target)
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise write_error(target, exc) from None
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return len(pages)
