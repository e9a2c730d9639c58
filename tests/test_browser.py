"""The built site in a real browser: Debian's Chromium driven by Playwright.

Builds the real site (kbtool site + mkdocs build --strict) into a temporary folder,
serves it on 127.0.0.1, and checks what an attorney would do: open the map, click a
state, search a section number, filter a comparison table, compare two states. Every
request that would leave 127.0.0.1 is blocked and fails the test; so does any console
error. Screenshots are kept in test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import REPO

ARTIFACTS = REPO / "test-artifacts"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


CHROMIUM = _chromium()
if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed; `make test` installs it (apt-get install chromium)")
    pytest.skip("chromium not installed (make test installs it)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built by kbtool site + mkdocs build --strict; its folder."""
    work = tmp_path_factory.mktemp("sitebuild")
    shutil.copytree(REPO / "docs", work / "docs", ignore=shutil.ignore_patterns("kb"))
    shutil.copy(REPO / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copy(REPO / "CONTRIBUTING.md", work / "CONTRIBUTING.md")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KBTOOL_ROOT": str(REPO)}
    bindir = Path(sys.executable).parent
    subprocess.run(
        [str(bindir / "kbtool"), "site", "--out", str(work / "docs" / "kb")], check=True, env=env
    )
    subprocess.run(
        [str(bindir / "mkdocs"), "build", "--strict", "--quiet", "-f", "mkdocs.yml"],
        check=True,
        cwd=work,
        env=env,
    )
    from kbtool.site_postbuild import strip_source_maps

    strip_source_maps(work / "site")  # as `make site` does
    return work / "site"


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page that records console errors and blocks (and records) non-local requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.outside = []  # type: ignore[attr-defined]

    def on_console(msg) -> None:
        if msg.type == "error":
            pg.errors.append(msg.text)

    def route(r) -> None:
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            r.continue_()
        else:
            pg.outside.append(r.request.url)
            r.abort()

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    context.route("**/*", route)
    yield pg
    assert pg.outside == [], f"requests left 127.0.0.1: {pg.outside}"
    assert pg.errors == [], f"console errors: {pg.errors}"
    context.close()


def _shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_home_map_and_click_a_state(page, site_url: str) -> None:
    page.goto(site_url + "/")
    tiles = page.locator("svg.kb-map a.kb-tile")
    assert tiles.count() == 56
    legend = page.locator(".kb-legend li")
    assert legend.count() == 6
    assert "Only for offenses committed as a minor" in legend.all_inner_texts()[2]
    assert page.locator("details.kb-map-text li").count() >= 2
    _shot(page, "home.png")
    page.locator('svg.kb-map a[data-code="US-NY"]').click()
    page.wait_for_url("**/kb/jurisdictions/us-ny/")
    assert page.locator("h1").inner_text().rstrip("¶").strip() == "New York"
    assert page.get_by_text("N.Y. Crim. Proc. Law § 440.10").first.is_visible()


def _search(pg, query: str):
    """Type a query into the site's search box; the first result link, once shown."""
    pg.locator("#kb-search-input").click()
    pg.locator("#kb-search-input").fill(query)
    first = pg.locator(".kb-search-results a.kb-search-hit").first
    first.wait_for(timeout=15000)
    return first


def test_search_index_is_fetched_only_when_the_reader_uses_search(page, site_url: str) -> None:
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(site_url + "/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in fetched if u.endswith(".json")]  # no index, ours or Material's
    first = _search(page, "440.10")
    assert [u for u in fetched if u.endswith("/kb/search/index.json")]
    assert "/kb/jurisdictions/us-ny/" in first.get_attribute("href")
    assert first.get_attribute("data-id") == "us-ny-criminal-record-relief"
    _shot(page, "search.png")


@pytest.mark.parametrize(
    ("query", "expected"), [("vacatur", None), ("Vermont", "/us-vt/"), ("236.14", "/us-ca/")]
)
def test_search_finds_words_and_state_names(page, site_url: str, query, expected) -> None:
    page.goto(site_url + "/")
    first = _search(page, query)
    if expected:
        assert expected in first.get_attribute("href")


def test_search_result_link_opens_the_record(page, site_url: str) -> None:
    page.goto(site_url + "/")
    _search(page, "T visa").click()
    page.wait_for_url("**/kb/jurisdictions/us/#*")
    anchor = page.url.split("#", 1)[1]
    assert page.locator(f"[id='{anchor}']").count() == 1


def test_search_tolerates_typos_and_says_so(page, site_url: str) -> None:
    page.goto(site_url + "/")
    first = _search(page, "trafficing")
    assert "traffick" in first.inner_text().lower()
    assert "Showing results for trafficking" in page.locator(".kb-search-meta").inner_text()
    page.locator("#kb-search-input").press("ArrowDown")  # the keyboard reaches the results
    assert page.evaluate("document.activeElement.classList.contains('kb-search-hit')")


def _relevance_cases() -> list[dict]:
    import yaml

    cases = yaml.safe_load((REPO / "tests" / "relevance.yaml").read_text("utf-8"))
    return [c for c in cases if c.get("site")]


def test_search_relevance_subset(page, site_url: str) -> None:
    """The relevance queries marked `site: true`, through the page's own search."""
    cases = _relevance_cases()
    assert len(cases) >= 8
    page.goto(site_url + "/")
    got = page.evaluate(
        "(qs) => Promise.all(qs.map((q) => window.KBSearch.ids(q, 3)))",
        [c["query"] for c in cases],
    )
    missed = []
    for case, top3 in zip(cases, got, strict=True):
        wanted = case.get("expect") or case.get("any")
        ok = all(w in top3 for w in wanted) if case.get("expect") else set(wanted) & set(top3)
        if not ok:
            missed.append(f"{case['query']!r}: got {top3}")
    assert missed == []
    # and one of them typed into the box, as a reader would
    first = _search(page, cases[0]["query"])
    assert first.get_attribute("data-id") in (cases[0].get("expect") or cases[0].get("any"))


def test_comparison_filter_reduces_rows(page, site_url: str) -> None:
    page.goto(site_url + "/kb/compare/criminal_record_relief/")
    rows = page.locator("table.kb-compare tbody tr")
    total = rows.count()
    assert total >= 56
    page.locator("input.kb-filter").fill("shall")
    visible = page.locator("table.kb-compare tbody tr:not([hidden])").count()
    assert 0 < visible < total
    page.locator("input.kb-filter").fill("")
    page.locator('.kb-filters select[data-col="1"]').select_option("undetermined")
    assert page.locator("table.kb-compare tbody tr:not([hidden])").count() < total
    _shot(page, "compare-criminal_record_relief.png")
    page.locator('.kb-filters select[data-col="1"]').select_option("")
    page.locator("table.kb-compare thead tr:first-child th").first.click()
    assert page.locator("table.kb-compare thead th").first.get_attribute("aria-sort") == "ascending"


def test_compare_page_shows_new_york_and_california(page, site_url: str) -> None:
    page.goto(site_url + "/compare/?j=US-NY,US-CA&type=criminal_record_relief")
    table = page.locator("#kb-compare-result table")
    table.wait_for()
    headers = table.locator("thead th").all_inner_texts()
    assert headers[1:] == ["New York", "California"]
    assert table.locator("tbody tr").count() >= 10
    page.locator('input[name="j"][value="US-TX"]').check()
    assert (
        table.locator("thead th").count() == 4
        or page.locator("#kb-compare-result table thead th").count() == 4
    )
    _shot(page, "compare-jurisdictions.png")


# --- the remedy screener ---------------------------------------------------------------------

SCREENER_VECTORS = REPO / "tests" / "fixtures" / "screener" / "vectors.json"


def _python_screen(remedies: list, given: dict, today: str) -> list[dict]:
    import datetime as dt

    from kbtool.screener import ScreenInput, screen

    query = ScreenInput.from_dict(given)
    return [r.as_dict() for r in screen(remedies, query, dt.date.fromisoformat(today))]


def test_screener_linked_from_a_jurisdiction_page_prefilled(page, site_url: str) -> None:
    page.goto(site_url + "/kb/jurisdictions/us-ny/")
    page.locator("a.kb-screener-link").click()
    page.wait_for_url("**/screener/?jurisdiction=US-NY")
    assert page.locator("#kb-sc-jurisdiction").input_value() == "US-NY"
    page.locator('#kb-sc-results article[data-id="us-ny-criminal-record-relief"]').wait_for()
    assert page.locator("#kb-sc-results h2").inner_text() == "Results for New York"
    page.goto(site_url + "/screener/?jurisdiction=US-XX")
    assert "Unknown jurisdiction code: US-XX" in page.locator(".kb-sc-note").inner_text()
    assert page.locator("#kb-sc-results article").count() == 0


def test_screener_form_shows_results(page, site_url: str) -> None:
    page.goto(site_url + "/screener/")
    page.locator("#kb-sc-jurisdiction").select_option("US-MO")
    page.locator("#kb-sc-record").select_option("conviction")
    page.locator("#kb-sc-offense").select_option("prostitution")
    page.locator("#kb-sc-age").fill("25")
    page.locator("#kb-sc-exited").fill("2014-01-01")
    page.locator("#kb-sc-trafficking").select_option("sex")
    page.get_by_role("button", name="Screen").click()
    cards = page.locator("#kb-sc-results article.kb-sc-result")
    cards.first.wait_for()
    ids = [cards.nth(i).get_attribute("data-id") for i in range(cards.count())]
    assert "us-mo-criminal-record-relief" in ids
    assert "us-criminal-record-relief" in ids  # listed, ruled out: federal offenses only
    verdicts = set(page.locator("#kb-sc-results .kb-sc-badge").all_inner_texts())
    assert verdicts <= {"likely available", "possibly available", "time-barred", "not available"}
    federal = page.locator('#kb-sc-results article[data-id="us-criminal-record-relief"]')
    assert federal.locator(".kb-sc-badge").inner_text() == "not available"
    assert federal.locator('li[data-code="federal_offenses_only"]').count() == 1
    for i in range(cards.count()):
        card = cards.nth(i)
        assert card.locator(".kb-sc-reasons li").count() + card.locator(".kb-sc-star").count() >= 1
    assert "verify against the official text" in page.locator(".kb-sc-disclaimer").inner_text()
    assert "jurisdiction=US-MO" in page.url and "age=25" in page.url
    _shot(page, "screener.png")


def test_screener_vectors_match_python(page, site_url: str) -> None:
    """The shared vectors in the browser evaluator: expected verdicts, reasons and deadlines,
    and the whole answer (wording, details, law) equal to the Python evaluator's."""
    import json

    cases = json.loads(SCREENER_VECTORS.read_text("utf-8"))["cases"]
    page.goto(site_url + "/screener/")
    got = page.evaluate(
        "(cases) => cases.map((c) => window.KBScreener.screen(c.remedies, c.input, c.today))",
        cases,
    )
    assert len(got) == len(cases) >= 90
    for case, results in zip(cases, got, strict=True):
        short = [
            {
                "id": r["id"],
                "verdict": r["verdict"],
                "reasons": [x["code"] for x in r["reasons"]],
                "deadline": r["deadline"],
                "deadline_summary": r["deadline_summary"],
                "minors_only": r["minors_only"],
            }
            for r in results
        ]
        assert short == case["expected"], case["name"]
        assert results == _python_screen(case["remedies"], case["input"], case["today"]), case[
            "name"
        ]


def test_screener_real_data_matches_python(page, site_url: str) -> None:
    """Every jurisdiction of the built site's own data, screened in both evaluators."""
    page.goto(site_url + "/screener/")
    data = page.evaluate("() => window.KB_SCREENER_DATA")
    given = {
        "record": "conviction",
        "offense": "prostitution",
        "offense_date": "2011-03-01",
        "convicted": "2012-05-01",
        "exited": "2014-01-01",
        "age": 17,
        "trafficking": "sex",
    }
    queries = [{"jurisdiction": j["code"], **given} for j in data["jurisdictions"]]
    queries += [{"jurisdiction": j["code"]} for j in data["jurisdictions"]]
    got = page.evaluate(
        "([rs, qs]) => qs.map((q) => window.KBScreener.screen(rs, q, '2026-11-28'))",
        [data["remedies"], queries],
    )
    for query, results in zip(queries, got, strict=True):
        assert results == _python_screen(data["remedies"], query, "2026-11-28"), query


# --- pages an attorney can act on (issue 15) --------------------------------------------------

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 1000}
# One page of every kind: home, state, federal, international, index, comparison table,
# side-by-side comparison, statutes, screener, downloads, hand-written, contributor pages.
EVERY_KIND = [
    "/",
    "/kb/jurisdictions/us-ny/",
    "/kb/jurisdictions/us/",
    "/kb/jurisdictions/intl/",
    "/kb/jurisdictions/",
    "/kb/compare/criminal_record_relief/",
    "/compare/?j=US-NY,US-CA,US-TX&type=criminal_record_relief",
    "/kb/statutes/",
    "/screener/?jurisdiction=US-NY",
    "/kb/downloads/",
    "/kb/changes/",
    "/kb/bills/",
    "/kb/compare/victim_compensation/",
    "/methodology/",
    "/kb/reference/fields/",
    "/kb/reference/cli/",
]


@pytest.fixture
def open_page(browser):
    """open_page(path, viewport=..., **context options) -> a page; checks like `page`."""
    contexts = []

    def make(url: str, viewport: dict = DESKTOP, **options):
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        pg = context.new_page()
        pg.errors = []  # type: ignore[attr-defined]
        pg.outside = []  # type: ignore[attr-defined]
        pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
        pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))

        def route(r) -> None:
            host = urlparse(r.request.url).hostname
            if r.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
                r.continue_()
            else:
                pg.outside.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        pg.goto(url)
        pg.wait_for_load_state("networkidle")
        return pg

    yield make
    for context in contexts:
        for pg in context.pages:
            assert pg.outside == [], f"requests left 127.0.0.1: {pg.outside}"
            assert pg.errors == [], f"console errors: {pg.errors}"
        context.close()


def test_state_page_answers_first(open_page, site_url: str) -> None:
    for viewport in (DESKTOP, PHONE):
        pg = open_page(site_url + "/kb/jurisdictions/us-ny/", viewport)
        glance = pg.locator("table.kb-glance")
        box = glance.bounding_box()
        assert box is not None and box["y"] < viewport["height"] / 2, box
        headers = glance.locator("thead th").all_inner_texts()
        assert headers == ["Remedy", "Status", "Law", "Deadline", "Forum", "Burden", "Law as of"]
        first = glance.locator("tbody tr").first
        assert first.locator("th").inner_text() == "Criminal record relief"
        assert first.locator(".kb-badge").inner_text() in (
            "Available",
            "Not available",
            "Minors only",
            "Undetermined",
        )
        # notes and sources are folded; the statute has its own anchor
        assert pg.locator("details.kb-notes").count() >= 4
        assert not pg.locator("details.kb-notes[open]").count()
        assert not pg.locator("details.kb-notes ul.kb-sources").first.is_visible()
        assert pg.locator("h3#us-ny-cpl-440-10").count() == 1
        _shot(pg, f"ny-{viewport['width']}.png")


def test_state_page_prints_in_four_letter_pages(open_page, site_url: str) -> None:
    import re

    pg = open_page(site_url + "/kb/jurisdictions/us-ny/")
    pg.emulate_media(media="print")
    assert not pg.locator(".md-sidebar--primary").is_visible()
    assert not pg.locator("h2#notes").is_visible()
    assert pg.locator("table.kb-glance").is_visible()
    assert pg.locator("h3#us-ny-criminal-record-relief").is_visible()
    pdf = pg.pdf(format="Letter", prefer_css_page_size=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "ny-print.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 4, pages


def test_home_shows_navigation_and_screener(open_page, site_url: str) -> None:
    pg = open_page(site_url + "/")
    nav = pg.locator(".md-sidebar--primary")
    assert nav.is_visible()
    labels = nav.locator(".md-nav__link").all_inner_texts()
    joined = " | ".join(labels)
    assert "Screener" in joined and "For contributors" in joined
    assert "CLI reference" in joined and "Performance" in joined  # under For contributors
    pg.locator("#kb-home-jurisdiction").select_option("US-TX")
    pg.get_by_role("button", name="Open the screener").click()
    pg.wait_for_url("**/screener/?jurisdiction=US-TX")
    assert pg.locator("#kb-sc-jurisdiction").input_value() == "US-TX"


def test_every_nav_page_has_content(open_page, site_url: str) -> None:
    pg = open_page(site_url + "/")
    hrefs = pg.eval_on_selector_all(
        ".md-sidebar--primary a.md-nav__link[href]", "els => els.map(e => e.href)"
    )
    assert len(hrefs) >= 15
    for href in dict.fromkeys(hrefs):
        pg.goto(href)
        text = pg.locator("article").inner_text()
        assert "No records of this type yet" not in text, href
        assert len(text) > 200, href


@pytest.mark.parametrize("path", EVERY_KIND)
def test_no_page_scrolls_sideways_on_a_phone(open_page, site_url: str, path: str) -> None:
    pg = open_page(site_url + path, PHONE)
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (path, width)


def test_phone_map_tiles_and_wide_tables(open_page, site_url: str) -> None:
    pg = open_page(site_url + "/", PHONE)
    tile = pg.locator('svg.kb-map a[data-code="US-NY"] rect').bounding_box()
    assert tile is not None and tile["width"] >= 44 and tile["height"] >= 44, tile
    pg = open_page(site_url + "/compare/?j=US-NY,US-CA,US-TX&type=criminal_record_relief", PHONE)
    wrap = pg.locator("#kb-compare-result")
    wrap.locator("table").wait_for()
    assert pg.evaluate("el => el.scrollWidth > el.clientWidth", wrap.element_handle())
    assert pg.locator(".kb-scroll-hint").first.is_visible()
    first = wrap.locator("tbody tr th").first
    before = first.bounding_box()
    wrap.evaluate("el => { el.scrollLeft = 300; }")
    after = first.bounding_box()
    assert before is not None and after is not None and abs(after["x"] - before["x"]) < 1
    _shot(pg, "compare-390.png")


def test_compare_picker_filters_as_you_type(open_page, site_url: str) -> None:
    pg = open_page(site_url + "/compare/?j=US-NY,US-CA&type=criminal_record_relief")
    table = pg.locator("#kb-compare-result table")
    table.wait_for()
    rows = table.locator("tbody th").all_inner_texts()
    assert rows[:4] == ["Record", "Available", "Title", "Law"] and rows[-1] == "Last verified"
    find = pg.locator("#kb-compare-find")
    find.fill("tex")
    visible = pg.locator(".kb-compare-controls label:not([hidden])").all_inner_texts()
    assert [v.strip() for v in visible] == ["California", "New York", "Texas"] or (
        "Texas" in " ".join(visible) and len(visible) <= 4
    )
    find.press("Enter")
    assert pg.locator('input[name="j"][value="US-TX"]').is_checked()
    assert (
        table.locator("thead th").count() == 4
        or pg.locator("#kb-compare-result table thead th").count() == 4
    )
    assert "US-TX" in pg.url


@pytest.mark.parametrize("how", ["button", "escape"])
def test_quick_exit_replaces_the_page(browser, site_url: str, how: str) -> None:
    context = browser.new_context(viewport=DESKTOP)
    seen: list[str] = []

    def neutral(route) -> None:  # never leaves the machine: answered here
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>Weather</title>")

    def local_only(route) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            seen.append("BLOCKED " + route.request.url)
            route.abort()

    context.route("**/*", local_only)
    context.route("https://www.weather.gov/**", neutral)
    pg = context.new_page()
    pg.goto(site_url + "/kb/jurisdictions/us-ny/")
    pg.goto(site_url + "/screener/")
    if how == "button":
        pg.get_by_role("button", name="Quick exit").click()
    else:
        pg.keyboard.press("Escape")
    pg.wait_for_url("https://www.weather.gov/**")
    assert seen == ["https://www.weather.gov/"]
    # replaced, not pushed: Back goes to the page before the screener, not to it
    pg.go_back()
    assert "/screener/" not in pg.url
    context.close()


def test_copy_citation_button(open_page, site_url: str) -> None:
    pg = open_page(
        site_url + "/kb/jurisdictions/us/",
        permissions=["clipboard-read", "clipboard-write"],
    )
    heading = pg.locator("h3#us-18-usc-1595")
    heading.scroll_into_view_if_needed()
    button = pg.locator("h3#us-18-usc-1595 + p button.kb-copy")
    assert button.is_visible()
    button.click()
    assert pg.evaluate("navigator.clipboard.readText()") == "18 U.S.C. § 1595"
    assert button.get_attribute("data-copied") == "1"


def test_dark_mode_follows_the_system_and_toggles(open_page, site_url: str) -> None:
    pg = open_page(site_url + "/", color_scheme="dark")
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    assert pg.evaluate(scheme) == "slate"
    pg.locator("label.md-header__button[for^='__palette']:visible").first.click()
    assert pg.evaluate(scheme) == "default"
    pg = open_page(site_url + "/", color_scheme="light")
    assert pg.evaluate(scheme) == "default"


def test_built_site_is_light(built_site: Path) -> None:
    assert not list(built_site.rglob("*.map"))
    lunr = built_site / "assets" / "javascripts" / "lunr"
    assert not [p.name for p in lunr.rglob("*.js")], "only English search: no language packs"
    for js in (built_site / "assets" / "javascripts").rglob("*.js"):
        assert b"sourceMappingURL" not in js.read_bytes(), js


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", EVERY_KIND)
def test_axe_no_serious_violations(open_page, site_url: str, path: str, scheme: str) -> None:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    pg = open_page(site_url + path, color_scheme=scheme)
    result = axe_module.Axe().run(pg)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad


def test_what_changed_links_to_a_record_and_its_history(page, site_url: str) -> None:
    """Works whether the checkout has full history, part of it, or none (the page says so)."""
    import xml.etree.ElementTree as ET
    from urllib.parse import urljoin

    page.goto(site_url + "/kb/changes/")
    assert page.locator("h1").inner_text().rstrip("¶").strip() == "What changed"
    feed = page.request.get(site_url + "/kb/changes.xml")
    assert feed.ok
    root = ET.fromstring(feed.body())
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    links = page.locator("table.kb-changes a[href*='#']")
    if links.count() == 0:
        assert page.locator(".admonition.note").count() == 1  # no or partial history
        return
    _shot(page, "changes.png")
    href = links.first.get_attribute("href")
    page.goto(urljoin(page.url, href))
    anchor = href.split("#", 1)[1]
    block = page.locator(f"div.kb-history[id='{anchor}']")
    assert block.count() == 1
    assert "Last changed" in block.inner_text()
    block.locator("summary").click()
    assert block.locator("details").get_attribute("open") is not None
    assert block.locator("details li").first.is_visible()


def test_bills_to_watch_page(page, site_url: str) -> None:
    page.goto(site_url + "/kb/bills/")
    assert page.locator("h1").inner_text().rstrip("¶").strip() == "Bills to watch"
    rows = page.locator("table.kb-bills tbody tr")
    if rows.count() == 0:
        assert page.get_by_text("No bills to watch are recorded yet.").is_visible()
        return
    first = rows.first.locator("td a").first
    first.click()
    page.wait_for_url("**/kb/jurisdictions/**")
    assert page.locator(".kb-bills .admonition-title").inner_text() == "Bills to watch"


def test_screener_input_checks_match_python(page, site_url: str) -> None:
    import datetime as dt
    import json

    from kbtool.screener import ScreenInput, check_input

    checks = json.loads(SCREENER_VECTORS.read_text("utf-8"))["input_checks"]
    page.goto(site_url + "/screener/")
    got = page.evaluate(
        "(cs) => cs.map((c) => window.KBScreener.checkInput(c.input, c.today))", checks
    )
    for case, found in zip(checks, got, strict=True):
        assert [x["code"] for x in found] == case["expected"], case["name"]
        query = ScreenInput.from_dict(case["input"])
        python = check_input(query, dt.date.fromisoformat(case["today"]))
        assert found == [{"code": r.code, "effect": r.effect, "text": r.text} for r in python]


def test_screener_memo_matches_python(page, site_url: str) -> None:
    """The site's memo is the CLI's memo, byte for byte, on the built site's own data."""
    import datetime as dt

    from kbtool.corpus import Corpus
    from kbtool.kb import KB
    from kbtool.screener import ScreenInput, memo, screen_corpus

    page.goto(site_url + "/screener/")
    data = page.evaluate("() => window.KB_SCREENER_DATA")
    given = {
        "jurisdiction": "US-NY",
        "record": "conviction",
        "offense": "Shoplifting",
        "convicted": "2012-05-01",
        "exited": "2014-01-01",
        "age": 24,
        "immigration_status": "lpr",
    }
    js = page.evaluate(
        """([rs, q, types]) => window.KBScreener.memo(
            window.KBScreener.answer(rs, q, '2026-11-28', {code: 'US-NY', name: 'New York'}),
            types)""",
        [data["remedies"], given, data["types"]],
    )
    corpus = Corpus(KB(REPO))
    query = ScreenInput.from_dict(given)
    answer = screen_corpus(corpus, query, dt.date(2026, 11, 28), "Shoplifting")
    types = {t: corpus.type_label(t) for t in corpus.remedy_types}
    assert js == memo(answer, types)
    assert "Offense: Shoplifting (counted as: Theft)" in js


def test_screener_form_immigration_errors_memo(page, site_url: str) -> None:
    page.goto(site_url + "/screener/?jurisdiction=US-NY&offense=shoplifting")
    assert page.locator("#kb-sc-offense").input_value() == "theft"
    page.locator("#kb-sc-immigration_status").select_option("citizen")
    page.locator("#kb-sc-convicted").fill("2099-01-01")
    page.get_by_role("button", name="Screen").click()
    alert = page.locator(".kb-sc-errors li[data-code='future_date']")
    alert.wait_for()
    assert "is after today" in alert.inner_text()
    assert page.locator("#kb-sc-results article").count() == 0
    page.locator("#kb-sc-convicted").fill("2012-05-01")
    page.get_by_role("button", name="Screen").click()
    visa = page.locator('#kb-sc-results article[data-id="us-t-visa"]')
    visa.wait_for()
    assert visa.locator(".kb-sc-badge").inner_text() == "not available"
    assert visa.locator('li[data-code="immigration_citizen"]').count() == 1
    rows = page.locator("table.kb-sc-summary-table tbody tr[data-id]")
    assert rows.count() == page.locator("#kb-sc-results article").count()
    assert "immigration_status=citizen" in page.url
    with page.expect_download() as info:
        page.locator("#kb-sc-memo").click()
    download = info.value
    assert download.suggested_filename.startswith("screening-memo-us-ny-")
    text = Path(download.path()).read_text("utf-8")
    assert text.startswith("# Remedy screening memo: New York (US-NY)")
    assert "- Immigration status: U.S. citizen" in text
    assert page.locator("#kb-sc-print").is_visible()


def test_every_search_result_address_exists_on_the_built_site(site_url: str) -> None:
    """Each record's address in the search index names a page and a heading id that the
    built site has (catches a page layout change that the index did not follow)."""
    import json
    import urllib.request

    def get(path: str) -> str:
        with urllib.request.urlopen(site_url + "/" + path) as response:  # 127.0.0.1 only
            return response.read().decode("utf-8")

    index = json.loads(get("kb/search/index.json"))
    pages: dict[str, str] = {}
    missing = []
    for row in index["docs"]:
        url = row[index["fields"].index("url")]
        page, _, anchor = url.partition("#")
        if page not in pages:
            pages[page] = get(page)
        if f'id="{anchor}"' not in pages[page]:
            missing.append(url)
    assert missing == []
    assert len(pages) >= 50
