"""The site generator, tested without MkDocs: pages, escaping, map, references."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml
from conftest import REPO, make_kb

from kbtool.corpus import Corpus
from kbtool.kb import KB
from kbtool.site import TILES, SiteConfig, generate, md, safe_url, write_site

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "](javascript:alert(1)) [x](javascript:alert(2)",
    "<!-- hidden --> <iframe src=//evil.example>",
    '{: onclick="alert(1)" }',
    '--8<-- "/etc/passwd"',
    "!!! danger\n    injected admonition",
    "<svg onload=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "`code` **bold** # heading | pipe |",
]


def render(text: str) -> str:
    """Markdown as the site renders it (same extensions that matter for escaping)."""
    return markdown.markdown(text, extensions=["admonition", "attr_list", "tables", "toc"])


class _Elements(HTMLParser):
    """Collects every element and attribute the browser would create."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_comment(self, data: str) -> None:
        self.tags.append(("!--", {}))


def assert_inert(html: str) -> None:
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.tags:
        if tag == "svg" and attrs.get("class") == "kb-map":
            continue  # the generator's own map
        assert tag not in ("script", "img", "iframe", "svg", "object", "embed", "!--"), tag
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for key in ("href", "src"):
            value = attrs.get(key, "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "//")), (tag, attrs)
        assert "danger" not in attrs.get("class", ""), attrs  # the injected admonition
    assert "/etc/passwd" not in html or "8&lt;" in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_escape_is_inert(payload: str) -> None:
    assert_inert(render(md(payload)))
    assert_inert(render(f"### {md(payload)}"))
    assert_inert(render(f"**{md('Label')}.** {md(payload)}"))


def test_md_escape_keeps_the_text_readable() -> None:
    html = render(md("N.Y. Crim. Proc. Law § 440.10(1)(i) — a *quoted* [bracket]"))
    text = re.sub(r"<[^>]+>", "", html)
    assert text == "N.Y. Crim. Proc. Law § 440.10(1)(i) — a *quoted* [bracket]"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.law.cornell.edu/uscode/text/18/1595", True),
        ("http://example.org/a?b=c", True),
        ("javascript:alert(1)", False),
        ("JAVASCRIPT:alert(1)", False),
        ("data:text/html,<script>", False),
        ("https://user:pw@example.org/", False),
        ('https://example.org/"onmouseover="x', False),
        ("//evil.example/", False),
    ],
)
def test_safe_url(url: str, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


def hostile_kb(tmp_path: Path) -> Path:
    """A knowledge base whose records carry every payload in every text field."""
    root = make_kb(tmp_path / "kb")
    path = root / "remedies/us-ny/us-ny-criminal-record-relief.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    payload = " ".join(PAYLOADS)
    data["title"] = "[Vacatur](javascript:alert(1)) <script>alert(1)</script>"
    for key in ("summary", "eligibility", "time_limits", "evidence", "effect", "notes"):
        data[key] = payload
    data["procedure"] = {"forum": payload}
    data["forms"] = [
        {
            "title": payload,
            "url": "javascript:alert(1)",
            "publisher": payload,
            "kind": "court_form",
            "published": payload,
            "accessed": payload,
        }
    ]
    data["cases"] = [
        {
            "name": payload,
            "citation": payload,
            "court": payload,
            "decided": payload,
            "holding": payload,
            "url": "javascript:alert(1)",
        }
    ]
    data["sources"][0]["title"] = payload
    data["sources"][0]["url"] = "javascript:alert(1)"
    data["record_relief"]["offenses_note"] = payload
    data["record_relief"]["exclusions"] = [payload]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    statute = root / "statutes/us-ny/us-ny-cpl-440-10.yaml"
    sdata = yaml.safe_load(statute.read_text("utf-8"))
    sdata["citation"] = "<img src=x onerror=alert(1)>"
    sdata["official_text_url"] = "javascript:alert(1)"
    sdata["key_provisions"][0]["summary"] = payload
    statute.write_text(yaml.safe_dump(sdata, allow_unicode=True), "utf-8")
    (root / "help").mkdir()
    entry = {
        "id": "x",
        "name": payload,
        "kind": "hotline",
        "scope": "national",
        "url": "javascript:alert(1)",
        "phone": payload,
        "text_line": payload,
        "description": payload,
        "accessed": payload,
    }
    (root / "help/help.yaml").write_text(yaml.safe_dump({"entries": [entry]}), "utf-8")
    return root


def test_generated_pages_are_inert(tmp_path: Path) -> None:
    root = hostile_kb(tmp_path)
    pages = generate(Corpus(KB(root)), SiteConfig(as_of="2026-11-28"))
    ny = pages["jurisdictions/us-ny.md"]
    for section in ("Forms and model filings", "Key cases", "## Where to get help"):
        assert section in ny  # the hostile texts were placed, and rendered inert below
    for rel, text in pages.items():
        if rel.endswith(".md"):
            assert_inert(render(text))
    js = pages["data/compare-data.js"]
    assert "</script" not in js.lower()
    assert "<!--" not in js


def test_every_jurisdiction_has_a_page_and_a_tile() -> None:
    corpus = Corpus(KB(REPO))
    pages = generate(corpus, SiteConfig(as_of="2026-11-28"))
    for j in corpus.registry:
        assert f"jurisdictions/{j.folder}.md" in pages
        if j.kind in ("state", "district", "territory"):
            assert j.code in TILES, j.code
    assert len(TILES) == 56
    assert len(set(TILES.values())) == 56, "two tiles share a square"


def test_jurisdiction_page_content(fixture_kb: Path) -> None:
    pages = generate(
        Corpus(KB(fixture_kb)), SiteConfig(repo_url="https://github.com/o/r", as_of="2026-11-28")
    )
    ny = pages["jurisdictions/us-ny.md"]
    assert "# New York" in ny
    assert "## Criminal record relief" in ny
    assert "N.Y. Crim. Proc. Law § 440.10(1)(i)" in ny
    assert "## Affirmative defense" in ny and "*Not yet researched.*" in ny
    assert (
        'href="https://github.com/o/r/edit/main/remedies/us-ny/us-ny-criminal-record-relief.yaml"'
        in ny
    )
    assert (
        'href="https://github.com/o/r/issues/new?template=outdated-law.yml&amp;title=%5BOutdated'
        in ny
    )
    assert "&amp;record=us-ny-criminal-record-relief&amp;jurisdiction=New%20York" in ny
    assert "Legal information, not legal advice" in ny
    assert "Any survivor may use" in ny and 'href="../us/#us-civil-action-1595"' in ny
    html = render(ny)
    assert '<th scope="row">Court&#x27;s discretion</th><td>may</td>' in html


def test_home_fragment_counts_come_from_the_data(fixture_kb: Path) -> None:
    pages = generate(Corpus(KB(fixture_kb)), SiteConfig(as_of="2026-11-28"))
    home = pages["fragments/home.md"]
    assert "Data as of <strong>2026-11-28</strong>" in home
    assert "2 statute records and 3 remedy records" in home
    assert 'data-code="US-NY"' in home and "kb-cat-vacatur" in home
    assert "Not yet researched" in home  # legend and text alternative
    assert "<details" in home


def test_field_reference_covers_every_schema_property() -> None:
    import json

    pages = generate(Corpus(KB(REPO)), SiteConfig(as_of="2026-11-28"))
    reference = pages["reference/fields.md"]
    for name in ("statute.schema.json", "remedy.schema.json"):
        schema = json.loads((REPO / "schema" / name).read_text("utf-8"))
        for prop in schema["properties"]:
            assert f"<code>{prop}</code>" in reference, prop
        for sub in schema.get("$defs", {}).values():
            for prop in sub.get("properties", {}):
                assert f"<code>{prop}</code>" in reference, prop


def test_cli_reference_covers_every_command(tmp_path: Path, fixture_kb: Path) -> None:
    from kbtool.cli import cli_reference, main

    text = cli_reference()
    for name in main.commands:
        assert f"## kbtool {name}" in text
    write_site(
        Corpus(KB(fixture_kb)), SiteConfig(as_of="2026-11-28"), tmp_path / "out", cli_reference=text
    )
    assert (tmp_path / "out/reference/cli.md").read_text("utf-8") == text


def test_write_site_replaces_the_folder_whole(tmp_path: Path, fixture_kb: Path) -> None:
    out = tmp_path / "site-out"
    out.mkdir()
    (out / "stale.md").write_text("old page")
    n = write_site(Corpus(KB(fixture_kb)), SiteConfig(as_of="2026-11-28"), out)
    assert n > 60
    assert not (out / "stale.md").exists()
    assert (out / "jurisdictions/us-ny.md").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_write_site_keeps_the_old_pages_when_interrupted(
    tmp_path: Path, fixture_kb: Path, monkeypatch
) -> None:
    out = tmp_path / "build" / "site-out"
    write_site(Corpus(KB(fixture_kb)), SiteConfig(as_of="2026-11-28"), out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    real_rename = Path.rename

    def interrupted(self, target):
        if self.name.startswith(".kb-site-"):
            raise KeyboardInterrupt  # Ctrl-C between moving the old pages aside and the swap
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", interrupted)
    monkeypatch.setattr("kbtool.site._exchange", lambda a, b: False)  # the two-rename way
    with pytest.raises(KeyboardInterrupt):
        write_site(Corpus(KB(fixture_kb)), SiteConfig(as_of="2026-11-28"), out)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert [p.name for p in out.parent.iterdir()] == ["site-out"]


def test_downloads_are_built_with_the_site(fixture_kb: Path) -> None:
    import json

    pages = generate(Corpus(KB(fixture_kb)), SiteConfig(as_of="2026-11-28"))
    data = json.loads(pages["downloads/trafficking-survivor-remedies.json"])
    assert data["exported_at"].startswith("2026-11-28")
    assert "CC0" in json.dumps(data["license"])
    assert len(data["statutes"]) == 2 and len(data["remedies"]) == 3
    assert pages["downloads/trafficking-survivor-remedies.csv"].startswith("record_type,")
    assert "CC0" in pages["downloads/trafficking-survivor-remedies.csv.license.txt"]
    page = pages["downloads.md"]
    for name in ("json", "jsonl", "csv"):
        assert f'href="../downloads/trafficking-survivor-remedies.{name}"' in page
    assert "2 statute records and 3 remedy records" in page


# --- jurisdiction pages an attorney can act on (issue 15) ------------------------------------


def test_jurisdiction_page_puts_the_answer_first(fixture_kb: Path) -> None:
    ny = generate(Corpus(KB(fixture_kb)), SiteConfig(as_of="2026-11-28"))["jurisdictions/us-ny.md"]
    glance = ny.index("## At a glance")
    details = ny.index("## Criminal record relief")
    statutes = ny.index("## Statutes")
    notes = ny.index("## Research notes and sources")
    assert glance < details < statutes < notes
    assert ny.index('<table class="kb-glance">') < details
    head = ny[glance:details]
    for column in ("Status", "Law", "Deadline", "Forum", "Burden", "Law as of"):
        assert f'<th scope="col">{column}</th>' in head
    assert 'href="#us-ny-criminal-record-relief"' in head
    assert "Available" in head and "Not yet researched" in head  # affirmative defense
    # Every record has its own anchor; notes and sources are folded at the end.
    assert "{#us-ny-criminal-record-relief}" in ny and "{#us-ny-cpl-440-10}" in ny
    assert ny[notes:].count('<details class="kb-notes"') == 3
    assert "<strong>Sources</strong>" not in ny[:notes]
    html = render(ny)
    assert 'id="us-ny-cpl-440-10"' in html and 'id="us-ny-criminal-record-relief"' in html
    assert 'class="kb-copy" data-copy="N.Y. Crim. Proc. Law § 440.10"' in html


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["§ 3771A", "§ 2255", "§ 28"], ["§ 28", "§ 2255", "§ 3771A"]),
        (["§ 440.10", "§ 230.34", "§ 135.35"], ["§ 135.35", "§ 230.34", "§ 440.10"]),
        (["18 U.S.C. § 1595", "18 U.S.C. § 1591", "22 U.S.C. § 7105"], None),
    ],
)
def test_statutes_sort_naturally(items: list[str], expected: list[str] | None) -> None:
    from kbtool.site_jurisdiction import natural_key

    got = sorted(items, key=natural_key)
    assert got == (expected or ["18 U.S.C. § 1591", "18 U.S.C. § 1595", "22 U.S.C. § 7105"])


def test_statutes_index_links_each_statute_deep() -> None:
    pages = generate(Corpus(KB(REPO)), SiteConfig(as_of="2026-11-28"))
    index = pages["statutes.md"]
    assert "(jurisdictions/us-ny.md#us-ny-cpl-440-10)" in index
    assert "#statutes)" not in index
    federal = index[index.index("## United States") :].split("\n## ")[0]
    cites = re.findall(r"- \[(18 U\.S\.C\. [^\]]*)\]", federal)
    sections = [re.search(r"§ (\w+)", cite).group(1) for cite in cites]
    from kbtool.site_jurisdiction import natural_key

    assert len(sections) >= 5 and sections.index("28") < sections.index("1595")
    assert sections == sorted(sections, key=natural_key)


def test_federal_box_splits_federal_conviction_remedies() -> None:
    pages = generate(Corpus(KB(REPO)), SiteConfig(as_of="2026-11-28"))
    ny = pages["jurisdictions/us-ny.md"]
    box = ny[ny.index("kb-federal") :].split("</div>")[0]
    anyone, only = box.split("Only for federal charges or convictions")
    assert "us-civil-action-1595" in anyone and "us-t-visa" in anyone
    assert "us-criminal-record-relief" in only and "us-affirmative-defense" in only
    assert "us-criminal-record-relief" not in anyone and "us-affirmative-defense" not in anyone


def test_no_empty_comparison_page_and_nav_matches(fixture_kb: Path) -> None:
    pages = generate(Corpus(KB(REPO)), SiteConfig(as_of="2026-11-28"))
    compare = {p for p in pages if p.startswith("compare/")}
    types = {str(r.data.get("remedy_type")) for r in Corpus(KB(REPO)).all("remedy")}
    assert compare == {f"compare/{t}.md" for t in types}  # a page only for types with records
    small = generate(Corpus(KB(fixture_kb)), SiteConfig(as_of="2026-11-28"))
    assert {p for p in small if p.startswith("compare/")} == {
        "compare/criminal_record_relief.md",
        "compare/civil_action.md",
    }
    for path in compare:
        assert "*No records of this type yet.*" not in pages[path], path
    nav = (REPO / "mkdocs.yml").read_text("utf-8")
    listed = set(re.findall(r"kb/(compare/\w+\.md)", nav))
    assert listed == compare


def test_data_as_of_is_the_latest_verification_date(fixture_kb: Path) -> None:
    pages = generate(Corpus(KB(fixture_kb)), SiteConfig())
    assert "Data as of <strong>2026-11-01</strong>" in pages["fragments/home.md"]
    assert '"as_of":"2026-11-01"' in pages["data/compare-data.js"]
    assert "data as of **2026\\-11\\-01**" in pages["downloads.md"]


def test_compare_data_has_the_rows_of_kbtool_compare() -> None:
    import json

    from kbtool.compare import compare

    corpus = Corpus(KB(REPO))
    js = generate(corpus, SiteConfig(as_of="2026-11-28"))["data/compare-data.js"]
    data = json.loads(js[len("window.KB_DATA = ") :].rstrip().rstrip(";"))
    cli = compare(corpus, [corpus.registry.get("US-NY"), corpus.registry.get("US-CA")])
    for table in cli["tables"]:
        t = table["remedy_type"]
        assert [label for _, label in data["compare_rows"][t]] == [
            r["label"] for r in table["rows"]
        ]
        for col_i, col in enumerate(table["columns"]):
            if col["record"] is None:
                continue
            item = next(r for r in data["remedies"] if r["id"] == col["record"])
            for row in table["rows"]:
                assert item["display"][row["field"]] == row["display"][col_i], row["field"]


def test_md_escapes_each_character_as_before() -> None:
    """md() escapes as if character by character (it is written for speed)."""
    import html
    import random

    def one_by_one(value: str) -> str:
        out = []
        for ch in " ".join(value.split()):
            if ch in "<>&\"'":
                out.append(html.escape(ch, quote=True))
            elif ch in "\\`*_{}[]()#+-!|":
                out.append("\\" + ch)
            else:
                out.append(ch)
        return "".join(out)

    rng = random.Random(15)
    alphabet = "<>&\"'\\`*_{}[]()#+-!|;x é\n\t"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert md(text) == one_by_one(text), text


def test_whole_corpus_read_still_refuses_links_out(tmp_path: Path, fixture_kb: Path) -> None:
    """Corpus.all skips re-resolving listed regular files, never a link."""
    from kbtool.kb import KBError

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("id: us-ny-link\n", "utf-8")
    (fixture_kb / "remedies/us-ny/us-ny-link.yaml").symlink_to(outside / "secret.yaml")
    corpus = Corpus(KB(fixture_kb))
    assert "us-ny-link" not in {r.id for r in corpus.all("remedy")}  # never listed
    try:
        assert corpus.get("us-ny-link") is None  # by id: not found, or refused
    except KBError as exc:
        assert "symlink-outside" in str(exc)
    assert corpus.get("us-ny-civil-action") is not None  # lookups by id: unchanged
    assert corpus.all("statute") and corpus.get("us-ny-nothing") is None


def test_practice_layer_on_a_jurisdiction_page(fixture_kb: Path) -> None:
    path = fixture_kb / "remedies/us-ny/us-ny-criminal-record-relief.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    decision = "https://nycourts.gov/reporter/3dseries/2019/2019_29126.htm"
    data["sources"].append({"url": decision, "title": "People v P.V.", "accessed": "2026-11-01"})
    data["cases"] = [
        {
            "name": "People v. P.V.",
            "citation": "2019 NY Slip Op 29126",
            "court": "N.Y. Crim. Ct.",
            "decided": "2019-04-30",
            "holding": "Vacated some convictions and dismissed the accusatory instruments.",
            "url": decision,
        }
    ]
    data["forms"] = [
        {
            "title": "Motion papers",
            "url": "https://example.org/form",
            "publisher": "A legal aid group",
            "kind": "model_motion",
            "accessed": "2026-11-01",
        }
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    civil = fixture_kb / "remedies/us-ny/us-ny-civil-action.yaml"
    civil.write_text(civil.read_text("utf-8") + "cases: []\n", "utf-8")
    (fixture_kb / "help").mkdir()
    (fixture_kb / "help/help.yaml").write_text(
        "entries:\n"
        "  - id: national-hotline\n"
        "    name: A national hotline\n"
        "    kind: hotline\n"
        "    scope: national\n"
        "    url: https://example.org/hotline\n"
        "    phone: 1-800-000-0000\n"
        "    description: Answers calls day and night.\n"
        "    accessed: 2026-11-01\n"
        "  - id: ny-legal-aid\n"
        "    name: New York legal aid finder\n"
        "    kind: legal_aid_directory\n"
        "    scope: [US-NY]\n"
        "    url: https://example.org/ny\n"
        "    description: Finds legal aid by county.\n"
        "    accessed: 2026-11-01\n"
        "  - id: ca-only\n"
        "    name: California only\n"
        "    kind: pro_bono_directory\n"
        "    scope: [US-CA]\n"
        "    url: https://example.org/ca\n"
        "    description: Not shown in New York.\n"
        "    accessed: 2026-11-01\n",
        "utf-8",
    )
    from kbtool.validate import validate

    assert validate(KB(fixture_kb.resolve())).findings == []
    pages = generate(Corpus(KB(fixture_kb)), SiteConfig(as_of="2026-11-28"))
    html = render(pages["jurisdictions/us-ny.md"])
    assert f'<a href="{decision}" rel="noopener">People v. P.V.</a>, 2019 NY Slip Op 29126' in html
    assert "no reported decision was found" in html  # the civil action: searched, none
    assert "model motion, A legal aid group; checked 2026-11-01" in html
    assert "## Where to get help" not in html and "Where to get help</h2>" in html
    assert "call 1-800-000-0000" in html and "New York legal aid finder" in html
    assert "California only" not in html
    assert html.index("A national hotline") < html.index("New York legal aid finder")
    # the same counts in `kbtool coverage`: one case, one record searched with none found
    from kbtool.query import coverage
    from kbtool.render import coverage_markdown

    practice = coverage(Corpus(KB(fixture_kb)))["practice"]
    assert practice["cases"] == practice["case_records"] == practice["case_jurisdictions"] == 1
    assert practice["case_none_found"] == 1 and practice["form_jurisdictions"] == 1
    assert practice["compensation_jurisdictions"] == 0 and practice["order_undetermined"] == 0
    assert "1 key case on 1 remedy record in 1 jurisdiction (1 record searched" in (
        coverage_markdown(coverage(Corpus(KB(fixture_kb))))
    )


def test_help_directory_mistakes_are_findings(fixture_kb: Path) -> None:
    from kbtool.validate import validate

    (fixture_kb / "help").mkdir()
    (fixture_kb / "help/help.yaml").write_text(
        "entries:\n"
        "  - id: a\n"
        "    name: A\n"
        "    kind: hotline\n"
        "    scope: [US-XX]\n"
        "    url: https://example.org/a\n"
        "    phone: call Jane on her mobile\n"
        "    description: x\n"
        "    accessed: 2030-01-01\n"
        "  - id: a\n"
        "    name: B\n"
        "    kind: lawyer\n"
        "    scope: national\n"
        "    url: https://example.org/b\n"
        "    description: x\n"
        "    accessed: 2026-11-01\n",
        "utf-8",
    )
    found = {(f.line, f.code) for f in validate(KB(fixture_kb.resolve())).findings}
    assert (5, "unknown-jurisdiction") in found
    assert (9, "future-date") in found
    assert (10, "duplicate-id") in found
    lines = {line for line, _ in found}
    assert {7, 12} <= lines, found  # a person's "number"; an unknown kind


# --- generation at scale: the downloads in a second process ---------------------------------


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The children os.fork makes during the test (skipped where there is no fork)."""
    import os

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system: every job runs in-process")
    made: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counting_fork)
    return made


def test_downloads_from_a_second_process_are_the_same_files(
    fixture_kb: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    from kbtool import parallel

    config = SiteConfig(as_of="2026-11-28")
    monkeypatch.setenv(parallel.ENV, "0")
    alone = generate(Corpus(KB(fixture_kb)), config)
    assert not forks
    monkeypatch.setenv(parallel.ENV, "1")
    together = generate(Corpus(KB(fixture_kb)), config)
    assert len(forks) == 2, "one child reads records, one builds the downloads"
    assert together == alone
    assert list(together) == list(alone)  # same files, same order


def test_a_failed_child_leaves_the_job_to_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from kbtool import parallel

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    parent = os.getpid()

    def job() -> dict[str, str]:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return {"a.txt": "made by the parent"}

    assert parallel.start(job, fork=True).result() == {"a.txt": "made by the parent"}
    assert parallel.start(lambda: {"b.md": "é\n" * 3}, fork=True).result() == {"b.md": "é\n" * 3}


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\x00" * 8,
        (10).to_bytes(8, "big") + b"[]",  # the header cut short
        (10).to_bytes(8, "big") + b'[["a", 5]]',  # a file cut short
        (10).to_bytes(8, "big") + b'{"a": 5}  ',
        (7).to_bytes(8, "big") + b"[[1, 2]]",
        (9).to_bytes(8, "big") + b'[["a", 1]]\xff',
    ],
)
def test_a_result_file_that_is_not_whole_is_refused(payload: bytes) -> None:
    import io

    from kbtool import parallel

    assert parallel._read(io.BytesIO(payload)) is None


def test_a_result_file_reads_back_what_was_written() -> None:
    import io

    from kbtool import parallel

    buf = io.BytesIO()
    files = {"downloads/a.csv": "x,y\n", "downloads/b.json": '{"é": 1}\n', "empty.txt": ""}
    parallel._write(buf, files)
    buf.seek(0)
    assert parallel._read(buf) == files


def test_a_failed_page_build_stops_the_downloads_child(
    fixture_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from kbtool import parallel
    from kbtool import site as site_module

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    monkeypatch.setenv(parallel.ENV, "1")
    started: list[tuple[parallel.Pending, int | None]] = []
    real_start = parallel.start

    def start(job, fork):  # noqa: ANN001, ANN202
        pending = real_start(job, fork)
        started.append((pending, pending.pid))
        return pending

    def broken(self) -> str:  # noqa: ANN001
        raise RuntimeError("a page failed")

    monkeypatch.setattr(parallel, "start", start)
    monkeypatch.setattr(site_module.Site, "jurisdictions_index", broken)
    with pytest.raises(RuntimeError):
        generate(Corpus(KB(fixture_kb)), SiteConfig(as_of="2026-11-28"))
    (pending, pid), *_ = started
    assert pid is not None and pending.pid is None  # there was a child; it is gone
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie left behind


def test_a_corpus_read_shared_with_a_second_process_is_the_same(
    fixture_kb: Path, monkeypatch: pytest.MonkeyPatch, forks: list[int]
) -> None:
    from kbtool import parallel

    monkeypatch.setenv(parallel.ENV, "0")
    alone = Corpus(KB(fixture_kb))
    expected = {k: [(r.path, r.data) for r in alone.all(k)] for k in ("statute", "remedy")}
    monkeypatch.setenv(parallel.ENV, "1")
    shared = Corpus(KB(fixture_kb))
    got = {k: [(r.path, r.data) for r in shared.all(k)] for k in ("statute", "remedy")}
    assert len(forks) == 1 and got == expected


def test_a_bad_record_fails_the_shared_read_as_it_fails_alone(
    fixture_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from kbtool import parallel
    from kbtool.kb import KBError

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    bad = fixture_kb / "remedies" / "us-ny" / "us-ny-zz-broken.yaml"  # last: the child's part
    bad.write_text("id: [unclosed\n", "utf-8")
    messages = []
    for setting in ("0", "1"):
        monkeypatch.setenv(parallel.ENV, setting)
        with pytest.raises(KBError) as err:
            Corpus(KB(fixture_kb)).all("remedy")
        messages.append(str(err.value))
    assert messages[0] == messages[1] and "us-ny-zz-broken.yaml" in messages[0]
