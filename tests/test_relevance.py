"""Relevance: the queries of tests/relevance.yaml against `kbtool search` on the real data.

Each query names the records that must be in the top 3. The test reports success at 1
(the first hit is an expected record) and at 3 (the expected records are all in the top
3, or one of them for `any`), and asserts success at 3 of at least 95%, and success at 1
for every query marked `first: true` (a citation typed whole must find its statute). The same file
drives the site's search in tests/test_browser.py (the entries marked `site: true`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import REPO

from kbtool.index import SearchIndex
from kbtool.kb import KB

CASES_FILE = Path(__file__).resolve().parent / "relevance.yaml"
TARGET_AT_3 = 0.95


def load_cases() -> list[dict]:
    cases = yaml.safe_load(CASES_FILE.read_text("utf-8"))
    for case in cases:
        assert isinstance(case.get("query"), str) and case["query"].strip(), case
        assert bool(case.get("expect")) != bool(case.get("any")), case
    return cases


def success(case: dict, ranked: list[str]) -> tuple[bool, bool]:
    """(success at 1, success at 3) of one query's ranked ids."""
    wanted = case.get("expect") or case.get("any")
    at1 = bool(ranked) and ranked[0] in wanted
    top3 = ranked[:3]
    at3 = all(w in top3 for w in wanted) if case.get("expect") else any(w in top3 for w in wanted)
    return at1, at3


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    index = SearchIndex(KB(REPO), tmp_path_factory.mktemp("relevance") / "ix")
    index.update()
    return index


def test_the_set_is_large_and_varied() -> None:
    cases = load_cases()
    assert len(cases) >= 40
    assert sum(1 for c in cases if c.get("site")) >= 8
    corpus_ids = {
        p.stem for folder in ("statutes", "remedies") for p in REPO.glob(f"{folder}/*/*.yaml")
    }
    for case in cases:  # an expected id that is not a record is a typo in the test set
        assert set(case.get("expect") or case.get("any")) <= corpus_ids, case["query"]


def test_relevance_at_1_and_3(real_index: SearchIndex, record_property) -> None:
    cases = load_cases()
    at1 = at3 = 0
    failures = []
    firsts: list[str] = []
    notes: list[str] = []
    for case in cases:
        hits, _ = real_index.search(case["query"], limit=10, snippets=False)
        ranked = [h.id for h in hits]
        one, three = success(case, ranked)
        at1 += one
        at3 += three
        if not three:
            failures.append(f"{case['query']!r}: got {ranked[:3]}")
        if case.get("first") and not one:
            firsts.append(f"{case['query']!r} must come first: got {ranked[:3]}")
        elif not one:
            notes.append(f"\n  (not first) {case['query']!r}: got {ranked[:3]}")
    n = len(cases)
    report = f"relevance: success@1 {at1}/{n} ({at1 / n:.0%}), success@3 {at3}/{n} ({at3 / n:.0%})"
    RELEVANCE_REPORT.append(report + "".join(f"\n  missed {f}" for f in failures) + "".join(notes))
    record_property("relevance", report)
    assert at3 / n >= TARGET_AT_3, "\n".join([report, *failures])
    assert not firsts, "\n".join(firsts)


def test_typo_trafficing_finds_trafficking_records(real_index: SearchIndex) -> None:
    hits, total = real_index.search("trafficing", limit=3)
    assert total > 100
    for hit in hits:
        assert "traffick" in (hit.title + hit.snippet).lower(), hit.id
    assert real_index.last_query is not None
    assert real_index.last_query.corrections == {"trafficing": "trafficking"}


def test_stopwords_and_one_letter_words_do_not_empty_a_query(real_index: SearchIndex) -> None:
    for query, wanted in (
        ("T visa", "us-t-visa"),
        ("U visa", "us-u-visa"),
        ("statute of limitations", None),
        ("the T visa", "us-t-visa"),
    ):
        hits, total = real_index.search(query)
        assert total > 0, query
        if wanted:
            assert hits[0].id == wanted, query


def test_jurisdiction_words_keep_to_that_jurisdiction_and_federal_law(
    real_index: SearchIndex,
) -> None:
    hits, _ = real_index.search("vacatur NY", limit=10)
    assert hits[0].id == "us-ny-criminal-record-relief"
    assert {h.jurisdiction for h in hits} <= {"US-NY", "US"}
    # lower-case "in", "or", "me" are words, not Indiana, Oregon, Maine
    read = real_index.understand("vacatur in me or oh")
    assert read.jurisdictions == []
    assert real_index.understand("vacatur IN").jurisdictions == ["US-IN"]
    assert real_index.understand("vacatur N.Y.").jurisdictions == ["US-NY"]
    assert real_index.understand("Washington DC vacatur").jurisdictions == ["US-DC"]
    assert real_index.understand("West Virginia").jurisdictions == ["US-WV"]


def test_available_remedies_rank_above_undetermined_ones(real_index: SearchIndex) -> None:
    hits, _ = real_index.search("vacatur", limit=5, snippets=False)
    undetermined = {"us-mn-criminal-record-relief", "us-ak-criminal-record-relief"}
    assert not undetermined & {h.id for h in hits}
    assert all(h.kind == "remedy" for h in hits)


RELEVANCE_REPORT: list[str] = []
