"""The remedy screener: the shared vectors, the rule tables against the schema, the CLI.

The same vectors run in the browser against docs/assets/screener.js (test_browser.py), so
the two evaluators cannot drift.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

from kbtool import DISCLAIMER
from kbtool.corpus import Corpus
from kbtool.kb import KB
from kbtool.loader import load_plain
from kbtool.screener import (
    CATEGORY_TREATMENT,
    DETAILS,
    OFFENSE_CATEGORIES,
    REASONS,
    RECORD_KINDS,
    RUNS_FROM,
    TIME_LIMIT_RULES,
    TYPE_RULES,
    VALUE_LABELS,
    VERDICTS,
    ScreenInput,
    rules,
    screen,
    screen_view,
)

VECTORS = json.loads((FIXTURES / "screener" / "vectors.json").read_text("utf-8"))
CASES = VECTORS["cases"]


def summary(results) -> list[dict]:
    """What a vector pins down: verdict, reason codes in order, deadline window."""
    return [
        {
            "id": r.id,
            "verdict": r.verdict,
            "reasons": [x.code for x in r.reasons],
            "deadline": r.deadline,
        }
        for r in results
    ]


def run_case(case: dict):
    query = ScreenInput.from_dict(case["input"])
    return screen(case["remedies"], query, dt.date.fromisoformat(case["today"]))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vector(case: dict) -> None:
    assert summary(run_case(case)) == case["expected"]


def test_vectors_cover_every_verdict_and_reason() -> None:
    assert len(CASES) >= 40
    assert len({c["name"] for c in CASES}) == len(CASES), "case names must be unique"
    expected = [e for c in CASES for e in c["expected"]]
    assert {e["verdict"] for e in expected} == set(VERDICTS)
    assert {code for e in expected for code in e["reasons"]} == set(REASONS)


def test_reason_wording_is_filled_in() -> None:
    for case in CASES:
        for result in run_case(case):
            for reason in result.reasons:
                assert "{" not in reason.text, (case["name"], reason)
                assert reason.effect == REASONS[reason.code]["effect"]


def test_never_overstates() -> None:
    """`likely` only when every reason is met or a caution; any `uncertain` caps it."""
    for case in CASES:
        for result in run_case(case):
            effects = {x.effect for x in result.reasons}
            if "rules_out" in effects:
                assert result.verdict == "not available"
            elif "uncertain" in effects:
                assert result.verdict == "possibly available"
            else:
                assert result.verdict == "likely available"


# --- the tables agree with the schema and the vocabulary --------------------------------------

REMEDY_SCHEMA = json.loads((REPO / "schema" / "remedy.schema.json").read_text("utf-8"))
RECORD_RELIEF = REMEDY_SCHEMA["$defs"]["record_relief"]["properties"]


def test_offense_categories_match_vocabulary_and_schema() -> None:
    vocabulary = load_plain(REPO / "schema" / "vocabulary.yaml")["offense_categories"]
    assert list(OFFENSE_CATEGORIES) == list(vocabulary)
    assert {k: v["label"] for k, v in vocabulary.items()} == OFFENSE_CATEGORIES
    props = RECORD_RELIEF["offense_categories"]["properties"]
    assert list(props) == list(OFFENSE_CATEGORIES)
    for prop in props.values():
        assert set(prop["enum"]) == set(CATEGORY_TREATMENT)


def test_time_limit_tables_match_schema() -> None:
    time_limit = RECORD_RELIEF["time_limit"]["properties"]
    assert set(TIME_LIMIT_RULES) == set(time_limit["rule"]["enum"])
    assert set(RUNS_FROM) == set(time_limit["runs_from"]["enum"])


def test_record_kinds_and_details_point_at_schema_fields() -> None:
    for kind in RECORD_KINDS.values():
        assert kind["covers"] in RECORD_RELIEF
    for rows in DETAILS.values():
        for _label, path, _kind in rows:
            node = REMEDY_SCHEMA
            for part in path.split("."):
                props = node.get("properties") or {}
                node = props.get(part) or {}
                if "$ref" in node and node["$ref"].startswith("#/$defs/"):
                    node = REMEDY_SCHEMA["$defs"][node["$ref"].split("/")[-1]]
            assert node, path
    for field, labels in VALUE_LABELS.items():
        assert set(labels) == set(RECORD_RELIEF[field]["enum"]), field
    remedy_types = REMEDY_SCHEMA["properties"]["remedy_type"]["enum"]
    assert set(TYPE_RULES) <= set(remedy_types)


def test_rules_export_is_json() -> None:
    data = rules()
    assert json.loads(json.dumps(data)) == data
    assert data["disclaimer"] == DISCLAIMER
    assert set(data["reasons"]) == set(REASONS)


def test_input_is_checked() -> None:
    with pytest.raises(ValueError, match="record must be one of"):
        ScreenInput("US-NY", record="parking ticket")
    query = ScreenInput.from_dict({"jurisdiction": "US-NY", "age": "17", "exited": "2014-01-01"})
    assert query.age == 17 and query.exited == dt.date(2014, 1, 1)
    assert query.as_dict()["exited"] == "2014-01-01"


def test_site_export_holds_everything_the_evaluator_reads() -> None:
    """Screening the exported fields gives the same answer as the full records."""
    corpus = Corpus(KB(REPO))
    today = dt.date(2026, 11, 28)
    from kbtool import query as lookups

    for code in ("US-NY", "US-CA", "US-TX", "US-MO", "US"):
        j = corpus.registry.get(code)
        records = lookups.remedies(corpus, j) + lookups.remedies(corpus, corpus.registry.get("US"))
        for given in (
            {"jurisdiction": code},
            {
                "jurisdiction": code,
                "record": "conviction",
                "offense": "prostitution",
                "convicted": "2012-05-01",
                "exited": "2014-01-01",
                "age": 17,
                "trafficking": "sex",
            },
        ):
            query = ScreenInput.from_dict(given)
            full = [r.as_dict() for r in screen(records, query, today)]
            views = [r.as_dict() for r in screen([screen_view(r) for r in records], query, today)]
            assert full == views


# --- the command line -----------------------------------------------------------------------

SCREEN_NY = f"""\
Screener: New York (US-NY), as of 2026-11-28
Client: kind of record: conviction · offense: Prostitution and related offenses
· convicted or disposed: 2012-05-01 · left trafficking: 2014-01-01 · age at
offense: 30
Not given: offense date, trafficking
Key: + met · x rules it out · ? unknown · ! note

New York

  Vacatur for trafficking survivors [possibly available]
    Criminal record relief · id: us-ny-criminal-record-relief
    Law: N.Y. Crim. Proc. Law § 440.10(1)(i)
    + The law covers convictions.
    ? Prostitution and related offenses: the record does not settle whether this
      category qualifies.
    ? The record does not settle which kinds of trafficking the law covers.
    ! Deadline: with due diligence, not a fixed date; file promptly and be ready
      to explain any delay.
    Establish
      Nexus to trafficking: the offense was a result of being trafficked
      Burden of proof: not specified in the law
      Official documentation: not required; official documentation creates a
      presumption
    Procedure
      Forms of relief: vacatur
      Hearing: at the court's discretion
      Court's discretion: the court may grant relief
      Confidential filing: unknown
    Verified 2026-11-01 (official text)

  Civil action for trafficking victims [possibly available]
    Civil action · id: us-ny-civil-action
    ? Research could not settle whether this law exists; read the record's
      notes.
    Verified 2026-11-01 (secondary source)

Federal remedies (they can apply whatever the state)

  Federal civil action [not available]
    Civil action · id: us-civil-action-1595
    Law: 18 U.S.C. § 1595(a)
    x Too late: the limitation period (10 years), counted from leaving the
      trafficking situation, ended on 2024-01-01.
    ? Its conditions are described in words only: read the eligibility.
    Verified 2026-11-01 (unofficial text)

Summary: 0 likely available, 2 possibly available, 1 not available
{DISCLAIMER}
"""

NY_ARGS = (
    "screen",
    "--jurisdiction",
    "NY",
    "--record",
    "conviction",
    "--offense",
    "prostitution",
    "--convicted",
    "2012-05-01",
    "--exited",
    "2014-01-01",
    "--age",
    "30",
)


def test_screen_text_exact(run) -> None:
    result = run(*NY_ARGS)
    assert result.exit_code == 0, result.output
    assert result.output == SCREEN_NY


@pytest.mark.parametrize("age", [("--age", "16"), ()], ids=["minor", "age not given"])
def test_screen_limitation_may_be_tolled_unless_known_adult(run, age) -> None:
    result = run(*NY_ARGS[:-2], *age)
    assert "Federal civil action [possibly available]" in result.output
    assert "unless it is tolled or starts later" in result.output


def test_screen_json(run) -> None:
    result = run(*NY_ARGS, "--trafficking", "sex", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["as_of"] == "2026-11-28"
    assert data["jurisdiction"] == {"code": "US-NY", "name": "New York"}
    assert data["input"] == {
        "jurisdiction": "US-NY",
        "record": "conviction",
        "offense": "prostitution",
        "offense_date": None,
        "convicted": "2012-05-01",
        "exited": "2014-01-01",
        "age": 30,
        "trafficking": "sex",
    }
    assert data["disclaimer"] == DISCLAIMER
    ids = [(r["id"], r["verdict"], r["federal"]) for r in data["results"]]
    assert ids == [
        ("us-ny-criminal-record-relief", "possibly available", False),
        ("us-ny-civil-action", "possibly available", False),
        ("us-civil-action-1595", "not available", True),
    ]
    vacatur = data["results"][0]
    assert [x["code"] for x in vacatur["reasons"]] == [
        "record_kind_covered",
        "offense_coverage_unknown",
        "trafficking_type_coverage_unknown",
        "deadline_not_a_date",
    ]
    assert vacatur["law"] == [{"citation": "N.Y. Crim. Proc. Law § 440.10(1)(i)", "url": None}]
    assert vacatur["last_verified"] == "2026-11-01"
    assert ["Burden of proof", "not specified in the law"] in vacatur["establish"]
    federal = data["results"][2]
    assert federal["deadline"] == {"earliest": "2024-01-01", "latest": "2024-01-01"}
    assert federal["law"][0]["url"] == "https://www.law.cornell.edu/uscode/text/18/1595"


def test_screen_federal_record(run) -> None:
    result = run("screen", "-j", "US", "--json")
    data = json.loads(result.output)
    assert [r["id"] for r in data["results"]] == ["us-civil-action-1595"]
    assert data["results"][0]["federal"] is False
    assert [x["code"] for x in data["results"][0]["reasons"]] == [
        "exit_date_not_given",
        "eligibility_in_words",
    ]


def test_screen_unresearched_jurisdiction_lists_federal_remedies(run) -> None:
    result = run("screen", "-j", "Guam")
    assert result.exit_code == 0
    assert "No remedies recorded yet for this jurisdiction (not researched)." in result.output
    assert "Federal civil action [possibly available]" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-j", "New Yrok"), "unknown jurisdiction 'New Yrok'. Did you mean New York (US-NY)?"),
        (("-j", "INTL"), "the screener takes a state, DC, a territory or US (federal)"),
        (("-j", "NY", "--record", "ticket"), "Invalid value for '--record'"),
        (("-j", "NY", "--offense", "jaywalking"), "Invalid value for '--offense'"),
        (("-j", "NY", "--convicted", "2012-13-01"), "Invalid value for '--convicted'"),
        (("-j", "NY", "--age", "-1"), "Invalid value for '--age'"),
        ((), "Missing option '--jurisdiction'"),
    ],
)
def test_screen_usage_errors(run, args, message) -> None:
    result = run("screen", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


# --- the site --------------------------------------------------------------------------------


def test_site_writes_rules_and_data(fixture_kb: Path) -> None:
    from kbtool.site import SiteConfig, generate

    pages = generate(Corpus(KB(fixture_kb)), SiteConfig(as_of="2026-11-28"))
    rules_js = pages["data/screener-rules.js"]
    assert rules_js.startswith("window.KB_SCREENER_RULES = ")
    assert json.loads(rules_js[len("window.KB_SCREENER_RULES = ") : -2]) == rules()
    data_js = pages["data/screener-data.js"]
    data = json.loads(data_js[len("window.KB_SCREENER_DATA = ") : -2])
    assert [r["id"] for r in data["remedies"]] == [
        "us-ny-criminal-record-relief",
        "us-ny-civil-action",
        "us-civil-action-1595",
    ]
    assert data["jurisdictions"][-1]["code"] == "US"
    assert "INTL" not in [j["code"] for j in data["jurisdictions"]]
    assert "sources" not in data["remedies"][0]
    ny = pages["jurisdictions/us-ny.md"]
    assert 'href="../../../screener/?jurisdiction=US-NY"' in ny
    assert "screener/?jurisdiction=INTL" not in pages["jurisdictions/intl.md"]


def test_site_data_cannot_close_its_script() -> None:
    from kbtool.screener import as_script

    text = as_script("KB_X", {"title": "</script><script>alert(1)</script><!--"})
    assert "</" not in text and "<!--" not in text
    assert json.loads(text[len("window.KB_X = ") : -2])["title"].startswith("</script>")
