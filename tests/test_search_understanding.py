"""How queries are read (kbtool.understand) and what `kbtool search` says about it."""

from __future__ import annotations

import json

import pytest
from conftest import REPO

from kbtool.jurisdictions import load_registry
from kbtool.understand import normalize, tables, understand

REGISTRY = load_registry(REPO / "schema")


@pytest.fixture(autouse=True)
def _no_index_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KBTOOL_INDEX_DIR", raising=False)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("vacatur New York", ["US-NY"]),
        ("vacatur NY", ["US-NY"]),
        ("vacatur ny", ["US-NY"]),  # not an English word: a state in any case
        ("vacatur N.Y.", ["US-NY"]),
        ("Texas and Georgia civil action", ["US-TX", "US-GA"]),
        ("federal civil action", ["US"]),
        ("vacatur in Indiana", ["US-IN"]),
        ("vacatur IN", ["US-IN"]),
        ("vacatur in", []),
        ("what can or should me oh hi do", []),
        ("OH expungement", ["US-OH"]),
        ("Washington DC vacatur", ["US-DC"]),
        ("Washington vacatur", ["US-WA"]),
        ("West Virginia", ["US-WV"]),
        ("I feel ill", []),  # "Ill." with its dot only
        ("Ill. vacatur", ["US-IL"]),
    ],
)
def test_jurisdictions_named_in_a_query(query: str, codes: list[str]) -> None:
    assert understand(query, REGISTRY).jurisdictions == codes


def test_words_remedy_types_phrases_and_ignored_words() -> None:
    q = understand('can a minor be "charged with prostitution" in Georgia', REGISTRY)
    assert q.jurisdictions == ["US-GA"]
    assert q.words == ["minor"]
    assert q.phrases == ["charged with prostitution"]
    assert "safe_harbor_minors" in q.remedy_types
    assert {"can", "a", "be", "in"} <= set(q.ignored)
    assert understand("sue", REGISTRY).remedy_types == ["civil_action"]
    assert understand("expunge", REGISTRY).remedy_types == ["criminal_record_relief"]
    assert understand("T visa", REGISTRY).words == ["tvisa"]
    assert "immigration_relief" in understand("U-visa", REGISTRY).remedy_types
    assert understand("440.10", REGISTRY).words == ["440.10"]
    assert understand("the", REGISTRY).empty


def test_advanced_queries_go_to_the_parser_as_typed() -> None:
    for text in ("type:civil_action AND attorney", "vacatur OR expungement", "vacat*", "a NOT b"):
        assert understand(text, REGISTRY).advanced, text
    for text in ('"knowingly benefits"', "236.14", "§ 1595", "2C:44-1.1"):
        assert not understand(text, REGISTRY).advanced, text


def test_compounds_and_tables() -> None:
    assert normalize("a T visa, U-visas and t visa") == "a tvisa visa, uvisa visas and tvisa visa"
    assert normalize("T visa or U-visas", query=True) == "tvisa or uvisa"
    data = tables()
    assert data["remedy_words"]["vacatur"] == ["criminal_record_relief"]
    assert "the" in data["stopwords"] and "in" in data["ambiguous_codes"]


def test_search_of_only_common_words_says_so(run) -> None:
    result = run("search", "the")
    assert result.exit_code == 2
    assert "very common words and single letters ('the') are ignored" in result.output
    assert "No results" not in result.output


def test_stopwords_do_not_empty_a_query(run) -> None:
    result = run("search", "the", "civil", "action", "--json")
    assert [r["id"] for r in json.loads(result.stdout)["results"]][:1] == ["us-civil-action-1595"]


def test_did_you_mean_and_correction(run) -> None:
    result = run("search", "knowinlgy")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "No record contains 'knowinlgy'; showing results for 'knowingly'."
    )
    data = json.loads(run("search", "knowinlgy", "--json").stdout)
    assert data["understood"]["corrected"] == {"knowinlgy": "knowingly"}
    assert data["total"] == 2


def test_jurisdiction_in_the_query_keeps_to_it_and_federal_law(run) -> None:
    data = json.loads(run("search", "trafficking", "New", "York", "--json").stdout)
    assert data["understood"]["jurisdictions"] == ["US-NY"]
    found = [r["jurisdiction"] for r in data["results"]]
    assert found[0] == "US-NY" and set(found) <= {"US-NY", "US"}


def test_snippets_come_from_one_labelled_field(run) -> None:
    data = json.loads(run("search", "perpetrator", "--json").stdout)
    assert data["results"][0]["snippet"] == (
        "Defendants: The **perpetrator** and whoever knowingly benefits."
    )


def test_statutes_come_after_the_remedy_that_applies_them() -> None:
    from kbtool.index import _statutes_after_remedies

    def hit(kind: str, rid: str, deps: tuple[str, ...] = ()) -> tuple[dict, float, set[str]]:
        return ({"kind": kind, "id": rid, "deps": list(deps)}, 1.0, set())

    ranked = [
        hit("statute", "s-1"),
        hit("statute", "s-2"),
        hit("remedy", "r-a", ("s-1",)),
        hit("remedy", "r-b", ("s-3",)),
    ]
    assert [h[0]["id"] for h in _statutes_after_remedies(ranked)] == ["s-2", "r-a", "s-1", "r-b"]


def test_a_misspelt_state_name_is_read_as_that_state(tmp_path) -> None:
    from kbtool.index import SearchIndex
    from kbtool.kb import KB

    index = SearchIndex(KB(REPO), tmp_path / "ix")
    index.update()
    hits, _ = index.search("Tennesee expunction", limit=3)
    assert hits[0].id == "us-tn-criminal-record-relief"
    assert {h.jurisdiction for h in hits} <= {"US-TN", "US"}
    assert index.last_query is not None
    assert index.last_query.corrections == {"tennesee": "tennessee"}
    assert index.last_query.jurisdictions == ["US-TN"]


def test_nothing_in_the_named_jurisdiction_widens_the_search_and_says_so(run) -> None:
    result = run("search", "perpetrator", "New", "York")  # only the federal fixture has it
    assert result.exit_code == 0
    assert "us-civil-action-1595" in result.stdout  # federal law is kept anyway
    result = run("search", "440.10", "Texas")  # New York's section
    assert result.stdout.splitlines()[0] == (
        "Nothing matches in US-TX or federal law; showing every jurisdiction."
    )
    assert "us-ny-cpl-440-10" in result.stdout
