"""Provenance: levels capped by the sources, law-as-of dates, minors-only relief, the
official publishers registry, and how all of it reaches the CLI, exports and stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO

from kbtool import provenance as pv
from kbtool.jurisdictions import load_registry
from kbtool.kb import KB
from kbtool.loader import load_plain
from kbtool.stale import find_stale
from kbtool.validate import validate


def src(kind: str | None = None, url: str = "https://example.org/x", **extra) -> dict:
    out = {"url": url, "title": "t", "accessed": "2026-11-01", **extra}
    if kind:
        out["type"] = kind
    return out


@pytest.mark.parametrize(
    "declared,kinds,shown",
    [
        ("official_text", ["official"], "official_text"),
        ("official_text", ["unofficial_text", "secondary"], "unofficial_text"),
        ("official_text", ["secondary"], "secondary_source"),
        ("official_text", [None], "secondary_source"),  # no kind: a description
        ("secondary_source", ["official"], "secondary_source"),  # never raised
        ("unverified", ["official"], "unverified"),
        ("unofficial_text", [], "unverified"),
        ("nonsense", ["official"], "official_text"),
    ],
)
def test_level_is_capped_by_the_sources(declared, kinds, shown) -> None:
    data = {"verification": declared, "sources": [src(k) for k in kinds]}
    assert pv.verification_level(data) == shown


def test_law_as_of_is_the_newest_current_to_or_unknown() -> None:
    assert pv.law_as_of({"sources": [src("secondary")]}) == pv.UNKNOWN
    data = {
        "sources": [
            src("secondary", current_to="2021-11"),
            src("official", current_to="2025-07-01"),
            src("secondary", current_to="2024"),
            src("secondary", current_to="not a date"),
        ]
    }
    assert pv.law_as_of(data) == "2025-07-01"
    assert pv.law_as_of({"sources": "not a list"}) == pv.UNKNOWN


@pytest.mark.parametrize(
    "record_relief,status",
    [
        ({"applies_to": "minors_only"}, pv.STATUS_MINORS_ONLY),
        ({"max_age_at_offense": 17}, pv.STATUS_MINORS_ONLY),
        ({"max_age_at_offense": 24}, pv.STATUS_AVAILABLE),
        ({"applies_to": "adults_and_minors"}, pv.STATUS_AVAILABLE),
        ({"applies_to": "unknown"}, pv.STATUS_AVAILABLE),
        ({"max_age_at_offense": True}, pv.STATUS_AVAILABLE),  # not an age
    ],
)
def test_minors_only_relief_is_not_relief_for_adults(record_relief, status) -> None:
    data = {"available": True, "record_relief": record_relief}
    assert pv.remedy_status(data) == status


def test_a_cell_counts_adult_relief_first_and_minors_only_before_absence() -> None:
    adult = {"available": True, "record_relief": {"applies_to": "adults_and_minors"}}
    minors = {"available": True, "record_relief": {"applies_to": "minors_only"}}
    none = {"available": False}
    unsettled = {"available": "unknown"}
    assert pv.cell_status([minors, adult]) == pv.STATUS_AVAILABLE
    assert pv.cell_status([minors, none]) == pv.STATUS_MINORS_ONLY
    assert pv.cell_status([none, unsettled]) == pv.STATUS_NONE
    assert pv.cell_status([unsettled]) == pv.STATUS_UNDETERMINED
    assert pv.cell_status([]) == pv.STATUS_NOT_RESEARCHED


def test_official_hosts_are_the_jurisdictions_own_plus_federal_for_states() -> None:
    pubs = pv.load_publishers(REPO / "schema")
    assert pubs.is_official("US-NY", "https://www.nysenate.gov/legislation/laws/CPL/440.10")
    assert pubs.is_official("US-NY", "https://uscode.house.gov/view.xhtml?req=1595")
    assert pubs.is_official("US", "https://www.ca9.uscourts.gov/opinion")  # `.uscourts.gov`
    assert not pubs.is_official("US", "https://uscourts.gov.example.org/")
    assert not pubs.is_official("US-CA", "https://www.nysenate.gov/x")  # another state's
    assert not pubs.is_official("US", "https://www.nysenate.gov/x")  # not federal
    assert not pubs.is_official("US-NY", "https://law.justia.com/codes/new-york/")
    assert not pubs.is_official("US-NY", "not a url")


def test_the_registry_covers_every_jurisdiction_and_lists_no_mirror() -> None:
    pubs = pv.load_publishers(REPO / "schema")
    codes = {j.code for j in load_registry(REPO / "schema") if j.kind != "country"}
    assert codes <= set(pubs.online_code)
    mirrors = ("justia", "findlaw", "cornell", "casetext", "lawserver", "legiscan", "scribd")
    for code, hosts in pubs.hosts.items():
        for host in hosts:
            assert not any(m in host for m in mirrors), (code, host)


def test_every_official_source_in_the_data_is_on_a_registered_host() -> None:
    """The real data as a whole: `official` never rests on a mirror."""
    pubs = pv.load_publishers(REPO / "schema")
    for folder in ("statutes", "remedies"):
        for path in sorted((REPO / folder).glob("*/*.yaml")):
            data = load_plain(path)
            for s in data.get("sources", []):
                if s.get("type") == "official":
                    assert pubs.is_official(data["jurisdiction"], s["url"]), (path, s["url"])


def test_publishers_registry_mistakes_are_findings(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(REPO / "schema", root / "schema")
    (root / "schema" / "publishers.yaml").write_text(
        "jurisdictions:\n"
        "  - code: US-XX\n"
        "    online_code: true\n"
        "    publishers: []\n"
        "  - code: US-NY\n"
        "    online_code: maybe\n"
        "    publishers:\n"
        "      - name: '<script>alert(1)</script>'\n"
        "        hosts: ['../etc', 'WWW.NYSENATE.GOV']\n"
        "        publishes: [code]\n"
        "  - code: US-NY\n"
        "    online_code: true\n"
        "    publishers: []\n",
        "utf-8",
    )
    found = {(f.line, f.code) for f in validate(KB(root.resolve())).findings}
    assert (2, "unknown-jurisdiction") in found
    assert (11, "duplicate-id") in found
    codes = {code for _, code in found}
    assert "bad-value" in codes or "bad-enum" in codes or "bad-format" in codes, found
    lines = {line for line, _ in found}
    assert {6, 8, 9} <= lines, found  # online_code, the name's markup, the hosts


def test_a_missing_registry_is_a_finding(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(REPO / "schema", root / "schema")
    (root / "schema" / "publishers.yaml").unlink()
    codes = {f.code for f in validate(KB(root.resolve())).findings}
    assert "missing-file" in codes


def test_views_and_exports_carry_provenance(run) -> None:
    result = run("show", "us-ny-criminal-record-relief", "--json")
    data = json.loads(result.output)
    assert data["provenance"] == {
        "verification_level": "official_text",
        "verification_meaning": pv.VERIFICATION_MEANING["official_text"],
        "law_as_of": "2026-10-15",
        "checked_on": "2026-11-01",
    }
    assert data["relief_status"] == "available"
    result = run("export", "--format", "csv")
    header = result.output.splitlines()[0].split(",")
    for column in ("provenance.verification_level", "provenance.law_as_of", "relief_status"):
        assert column in header
    result = run("show", "us-civil-action-1595")
    assert "Law as of unknown · checked on 2026-11-01 · Unofficial copy of the text" in (
        " ".join(result.output.split())
    )


def test_minors_only_relief_reads_as_such_in_the_cli_and_coverage(run, fixture_kb: Path) -> None:
    path = fixture_kb / "remedies/us-ny/us-ny-criminal-record-relief.yaml"
    text = path.read_text("utf-8").replace(
        "  confidential_filing: unknown\n",
        "  confidential_filing: unknown\n  max_age_at_offense: 17\n  applies_to: minors_only\n",
    )
    path.write_text(text, "utf-8")
    result = run("remedies", "NY")
    assert "[available only for offenses as a minor]" in result.output
    cov = json.loads(run("coverage", "--json").output)
    ny = next(r for r in cov["jurisdictions"] if r["code"] == "US-NY")
    assert ny["remedies"]["criminal_record_relief"] == "minors only"
    assert cov["totals"]["minors only"] == 1
    assert "minors = only for offenses as a minor" in run("coverage").output


def test_stale_by_law_as_of(fixture_kb: Path) -> None:
    report = find_stale(KB(fixture_kb.resolve()), "2m", by="law")
    stale = {r.record_id: r.last_verified for _, _, rs in report.groups for r in rs}
    # The NY vacatur record states the law as of 2026-10-15 (within two months of 2026-11-28);
    # the others give no date, so they are due a look.
    assert "us-ny-criminal-record-relief" not in stale
    assert stale["us-ny-civil-action"] is None
    assert "unknown" in report.text()
    assert find_stale(KB(fixture_kb.resolve()), "1d", by="law").count == report.checked


# --- official links from the publisher's section pattern (issue 14) ---------------------------


USC = {
    "citation": "{title} U.S.C. § {section}",
    "url": "https://uscode.house.gov/view.xhtml?edition=prelim&num=0"
    "&req=granuleid%3AUSC-prelim-title{title}-section{section}",
    "example": "us-18-usc-1595",
}


def test_a_section_pattern_builds_the_address_of_a_matching_citation() -> None:
    from kbtool.provenance import SectionUrl

    p = SectionUrl(**USC)
    assert p.build("18 U.S.C. § 1593A") == (
        "https://uscode.house.gov/view.xhtml?edition=prelim&num=0"
        "&req=granuleid%3AUSC-prelim-title18-section1593A"
    )
    for other in ("18 U.S.C. § 1595(c)", "18 U.S.C. §§ 1581-1597", "Cal. Penal Code § 236.1", ""):
        assert p.build(other) is None, other
    me = SectionUrl(
        "Me. Rev. Stat. tit. {title}, § {section}",
        "https://mainelegislature.org/legis/statutes/{title}/title{title}sec{section}.html",
        "x",
    )
    assert me.build("Me. Rev. Stat. tit. 17-A, § 852") == (
        "https://mainelegislature.org/legis/statutes/17-A/title17-Asec852.html"
    )
    az = SectionUrl(
        "Ariz. Rev. Stat. § {title}-{section}",
        "https://www.azleg.gov/ars/{title}/{section:05}.htm",
        "x",
    )
    assert az.build("Ariz. Rev. Stat. § 13-909") == "https://www.azleg.gov/ars/13/00909.htm"
    assert az.build("Ariz. Rev. Stat. § 41-2407") == "https://www.azleg.gov/ars/41/02407.htm"
    # only digits are padded: a decimal section builds no address rather than a guessed one
    assert az.build("Ariz. Rev. Stat. § 13-1307.01") is None


@pytest.mark.parametrize(
    "citation",
    ["no placeholder at all", "{a} and {a} again", "{title} U.S.C. § {section}"],
)
def test_a_pattern_needs_each_placeholder_once_and_in_the_address(citation: str) -> None:
    from kbtool.provenance import SectionUrl

    p = SectionUrl(citation, "https://uscode.house.gov/{title}/{chapter}", "x")
    assert p.build("18 U.S.C. § 1595") is None  # no pattern, or {chapter} has no value


def test_a_hostile_pattern_neither_hangs_nor_leaves_its_host() -> None:
    from kbtool.provenance import Publishers, SectionUrl

    side_by_side = SectionUrl("{a}{b}{c}{d}{e}{f}{g}{h}!", "https://uscode.house.gov/{a}", "x")
    assert side_by_side.pattern is None and side_by_side.build("1" * 290) is None
    assert SectionUrl("{a}-{b}-{c}-{d}", "https://uscode.house.gov/{a}", "x").pattern is None
    three = SectionUrl("{a}-{b}-{c}!", "https://uscode.house.gov/{a}/{b}/{c}", "x")
    assert three.build("1-" * 149) is None  # at most 31^3 splits are tried
    assert three.build("1" * 400 + "!") is None  # too long to be a citation
    assert three.build("1-2-3!") == "https://uscode.house.gov/1/2/3"
    elsewhere = Publishers(
        hosts={"US": ("uscode.house.gov",)},
        online_code={},
        notes={},
        section_urls={"US": (SectionUrl("{t} U.S.C. § {s}", "https://evil.example/{t}/{s}", "x"),)},
    )
    assert elsewhere.section_url("US", "18 U.S.C. § 1595") is None


def test_a_citation_with_subsections_links_the_page_of_its_section() -> None:
    from kbtool.provenance import Publishers, SectionUrl

    usc = Publishers(
        hosts={"US": ("uscode.house.gov",)},
        online_code={},
        notes={},
        section_urls={"US": (SectionUrl(**USC),)},
    )
    page = usc.section_url("US", "8 U.S.C. § 1101")
    assert page is not None and page.endswith("title8-section1101")
    assert usc.section_url("US", "8 U.S.C. § 1101(a)(15)(T)") == page
    assert usc.section_url("US", "8 U.S.C. § 1101(a)(15)(T) and more") is None
    assert usc.section_url("US", "8 U.S.C. § 1101" + "(a)" * 40) is None  # not a pinpoint


def test_statutes_without_a_link_get_the_publishers_address_labelled(tmp_path: Path) -> None:
    import yaml
    from conftest import make_kb

    from kbtool.corpus import Corpus
    from kbtool.kb import KB
    from kbtool.query import coverage, record_view
    from kbtool.site import SiteConfig, generate
    from kbtool.validate import validate

    root = make_kb(tmp_path / "kb")
    statute = root / "statutes" / "us" / "us-18-usc-1595.yaml"
    data = yaml.safe_load(statute.read_text("utf-8"))
    recorded = data["official_text_url"]
    path = root / "schema" / "publishers.yaml"
    reg = yaml.safe_load(path.read_text("utf-8"))
    us = next(e for e in reg["jurisdictions"] if e["code"] == "US")
    # the fixture's own link, read from its page, is the evidence of the pattern
    us["publishers"][0]["section_urls"] = [
        {
            "citation": "{title} U.S.C. § {section}",
            "url": recorded.replace("title18", "title{title}").replace("1595", "{section}"),
            "example": "us-18-usc-1595",
        }
    ]
    path.write_text(yaml.safe_dump(reg, allow_unicode=True, sort_keys=False), "utf-8")
    assert validate(KB(root.resolve())).findings == []
    other = dict(data, id="us-18-usc-1591", citation="18 U.S.C. § 1591")
    other.pop("official_text_url")
    (root / "statutes" / "us" / "us-18-usc-1591.yaml").write_text(
        yaml.safe_dump(other, allow_unicode=True, sort_keys=False), "utf-8"
    )
    assert validate(KB(root.resolve())).findings == []  # a link the site builds is no finding
    corpus = Corpus(KB(root.resolve()))
    view = record_view(corpus, corpus.get("us-18-usc-1591"))
    assert view["official_text_url"].endswith("title18-section1591&num=0&edition=prelim")
    assert view["official_text_url_built"] is True
    assert "official_text_url_built" not in record_view(corpus, corpus.get("us-18-usc-1595"))
    assert coverage(corpus)["official_links"] == {"recorded": 1, "built": 1, "none": 1}
    page = generate(corpus, SiteConfig(as_of="2026-11-28"))["jurisdictions/us.md"]
    assert "Official text (address from the publisher&#x27;s pattern)" in page


@pytest.mark.parametrize(
    ("citation", "pinpoint", "written"),
    [
        ("18 U.S.C. § 1595", "(c)", "18 U.S.C. § 1595(c)"),
        ("18 U.S.C. § 1595(c)", "(c)", "18 U.S.C. § 1595(c)"),
        ("8 U.S.C. § 1255(l)", "(l)(1)", "8 U.S.C. § 1255(l)(1)"),
        ("Cal. Penal Code § 647(b)", "(b)(5)", "Cal. Penal Code § 647(b)(5)"),
        ("8 U.S.C. § 1101(a)(15)(T)", "(a)(15)(T)(i)", "8 U.S.C. § 1101(a)(15)(T)(i)"),
        ("Cal. Penal Code § 647(b)", "(c)", "Cal. Penal Code § 647(b)(c)"),
        ("Palermo Protocol", "art. 6", "Palermo Protocol, art. 6"),
        ("18 U.S.C. § 1595", None, "18 U.S.C. § 1595"),
    ],
)
def test_a_pinpoint_is_written_once_after_the_citation(citation, pinpoint, written) -> None:
    from kbtool.query import pinpoint_citation

    assert pinpoint_citation(citation, pinpoint) == written


@pytest.mark.parametrize(
    ("url", "tags"),
    [
        ("https://example.org/a?utm_source=rss&utm_medium=rss&id=7", ["utm_source", "utm_medium"]),
        ("https://example.org/a/?fbclid=IwAR2n", ["fbclid"]),
        ("https://www.revisor.mn.gov/laws/2023/?ref=radiofreetomorrow.org", ["ref"]),
        ("https://api.github.com/repos/o/r/contents/x?ref=main", []),
        ("https://api.github.com/repos/o/r/contents/x?ref=v1.2", []),
        ("https://law.lis.virginia.gov/vacode/19.2-327.17/", []),
        ("https://[::1", []),
    ],
)
def test_tracking_parameters_name_who_sent_the_reader_not_the_page(url, tags) -> None:
    from kbtool.rules import tracking_parameters

    assert tracking_parameters(url) == tags
