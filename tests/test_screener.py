"""The remedy screener: the shared vectors, the rule tables against the schema, the CLI.

The same vectors run in the browser against docs/assets/screener.js (test_browser.py), so
the two evaluators cannot drift.
"""

from __future__ import annotations

import datetime as dt
import json
import re
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
    INPUT_ERRORS,
    OFFENSE_ALIASES,
    OFFENSE_CATEGORIES,
    REASONS,
    RECORD_KINDS,
    RUNS_FROM,
    TIME_LIMIT_RULES,
    TYPE_RULES,
    VALUE_LABELS,
    VERDICTS,
    ScreenInput,
    check_input,
    memo,
    resolve_offense,
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
            "deadline_summary": r.deadline_summary,
            "minors_only": r.minors_only,
        }
        for r in results
    ]


def run_case(case: dict):
    query = ScreenInput.from_dict(case["input"])
    return screen(case["remedies"], query, dt.date.fromisoformat(case["today"]))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vector(case: dict) -> None:
    assert summary(run_case(case)) == case["expected"]


CHECKS = VECTORS["input_checks"]


@pytest.mark.parametrize("case", CHECKS, ids=[c["name"] for c in CHECKS])
def test_input_check_vector(case: dict) -> None:
    query = ScreenInput.from_dict(case["input"])
    found = check_input(query, dt.date.fromisoformat(case["today"]))
    assert [r.code for r in found] == case["expected"]
    for reason in found:
        assert "{" not in reason.text and reason.effect == "refused"


def test_vectors_cover_every_input_error() -> None:
    assert {code for c in CHECKS for code in c["expected"]} == set(INPUT_ERRORS)
    assert any(not c["expected"] for c in CHECKS)


def test_vectors_cover_every_verdict_and_reason() -> None:
    assert len(CASES) >= 90
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
            elif "time_bars" in effects:
                assert result.verdict == "time-barred"
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
                "immigration_status": "lpr",
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
Not given: offense date, trafficking, immigration status

Summary: 0 likely available, 2 possibly available, 1 time-barred, 0 not available

New York
 1. possibly available   Vacatur for trafficking survivors
                         deadline: with due diligence · law: N.Y. Crim. Proc.
                         Law § 440.10(1)(i)
 2. possibly available   Civil action for trafficking victims

Federal remedies (they can apply whatever the state)
 3. time-barred          Federal civil action
                         deadline: ended on 2024-01-01 · law: 18 U.S.C. §
                         1595(a)

Key: + met · x rules it out · ? unknown · ! note

1. Vacatur for trafficking survivors [possibly available]
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

2. Civil action for trafficking victims [possibly available]
    Civil action · id: us-ny-civil-action
    ? Research could not settle whether this law exists; read the record's
      notes.
    Verified 2026-11-01 (secondary source)

3. Federal civil action [time-barred]
    Civil action · id: us-civil-action-1595
    Law: 18 U.S.C. § 1595(a)
    x Too late: the limitation period (10 years), counted from leaving the
      trafficking situation, ended on 2024-01-01.
    ! The record names no tolling rule; check the statute and case law for one.
    Verified 2026-11-01 (unofficial text)

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
        "immigration_status": None,
    }
    assert data["offense_entered"] == "prostitution"
    assert data["disclaimer"] == DISCLAIMER
    ids = [(r["id"], r["verdict"], r["federal"]) for r in data["results"]]
    assert ids == [
        ("us-ny-criminal-record-relief", "possibly available", False),
        ("us-ny-civil-action", "possibly available", False),
        ("us-civil-action-1595", "time-barred", True),
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
    assert federal["law"][0]["url"] == (
        "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title18-section1595"
        "&num=0&edition=prelim"
    )


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
        (("-j", "NY", "--offense", "jaywalking"), "unknown offense 'jaywalking': give a category"),
        (("-j", "NY", "--offense", "jaywalking"), "loitering: Loitering"),
        (
            ("-j", "NY", "--convicted", "2030-01-01"),
            "the conviction or disposition date (2030-01-01)",
        ),
        (("-j", "NY", "--exited", "2026-11-29"), "is after today (2026-11-28)"),
        (
            ("-j", "NY", "--offense-date", "2012-05-02", "--convicted", "2012-05-01"),
            "is before the offense date (2012-05-02)",
        ),
        (
            ("-j", "NY", "--immigration-status", "martian"),
            "Invalid value for '--immigration-status'",
        ),
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


# --- the new rules on the command line and the memo -------------------------------------------


def test_offense_charge_names_resolve() -> None:
    assert resolve_offense("Shoplifting") == "theft"
    assert resolve_offense("loitering for prostitution") == "loitering"
    assert resolve_offense("possession of a controlled substance") == "drug_possession"
    assert resolve_offense("trespass") == "other"
    assert resolve_offense("False identification") == "fraud"
    assert resolve_offense("solicitation") == "prostitution"
    assert resolve_offense("violent_felony") == "violent_felony"
    assert resolve_offense("Immigration-related") == "immigration"
    assert resolve_offense("jaywalking") is None
    assert set(OFFENSE_ALIASES.values()) <= set(OFFENSE_CATEGORIES)


def test_screen_says_which_category_a_charge_name_used(run) -> None:
    result = run("screen", "-j", "NY", "--offense", "shoplifting")
    assert result.exit_code == 0, result.output
    assert "offense: shoplifting (counted as: Theft)" in result.output


def test_screen_citizen_needs_no_immigration_relief(run, fixture_kb: Path) -> None:
    record = (REPO / "remedies" / "us" / "us-t-visa.yaml").read_text("utf-8")
    (fixture_kb / "remedies" / "us" / "us-t-visa.yaml").write_text(record, "utf-8")
    results = {}
    for status in ("citizen", "lpr", "noncitizen", "unknown"):
        data = json.loads(
            run("screen", "-j", "NY", "--immigration-status", status, "--json").output
        )
        results[status] = {r["id"]: r["verdict"] for r in data["results"]}["us-t-visa"]
    assert results == {
        "citizen": "not available",
        "lpr": "possibly available",
        "noncitizen": "possibly available",
        "unknown": "possibly available",
    }


def test_details_say_the_deadline_once() -> None:
    case = next(c for c in CASES if c["name"].startswith("civil action, one deadline row"))
    (result,) = run_case(case)
    assert [label for label, _ in result.procedure].count("Deadline") == 1
    assert ["Deadline", "Three years."] in result.procedure
    assert not any(x.code == "eligibility_in_words" for x in result.reasons)


def test_words_only_caution_said_once_not_on_ruled_out_cards(run, fixture_kb: Path) -> None:
    for name in ("us-t-visa.yaml", "us-u-visa.yaml", "us-continued-presence.yaml"):
        text = (REPO / "remedies" / "us" / name).read_text("utf-8")
        (fixture_kb / "remedies" / "us" / name).write_text(text, "utf-8")
    out = run(*NY_ARGS).output
    assert out.count("described in words only") == 1
    out = run(*NY_ARGS, "--immigration-status", "citizen").output
    assert "described in words only" not in out
    assert out.index("Summary:") < out.index("Key:") < out.index("1. Vacatur")


def test_screen_memo(run) -> None:
    result = run(*NY_ARGS, "--format", "memo")
    assert result.exit_code == 0, result.output
    memo_text = result.output
    assert memo_text.startswith("# Remedy screening memo: New York (US-NY)\n")
    for part in (
        "## Client facts as entered",
        "- Kind of record: conviction",
        "- Offense: Prostitution and related offenses",
        "- Immigration status: not given",
        "| Remedy | Verdict | Deadline | Law |",
        "| Federal civil action | time-barred | ended on 2024-01-01 | 18 U.S.C. § 1595(a) |",
        "### 3. Federal civil action",
        "- Law: 18 U.S.C. § 1595(a) (<https://www.law.cornell.edu/uscode/text/18/1595>)",
        "- Verified 2026-11-01 (official text).",
        "Requirements:",
        "- Burden of proof: not specified in the law",
    ):
        assert part in memo_text, part
    assert memo_text.rstrip().endswith(DISCLAIMER)


def test_memo_escapes_record_text() -> None:
    answer = {
        "as_of": "2026-11-28",
        "jurisdiction": {"code": "US-NY", "name": "New York"},
        "input": {"jurisdiction": "US-NY", "offense": "other"},
        "offense_entered": "<img src=x onerror=alert(1)>",
        "results": [
            {
                "id": "x",
                "title": "A | B <script>alert(1)</script> [link](javascript:x)",
                "verdict": "likely available",
                "remedy_type": "civil_action",
                "deadline_summary": None,
                "law": [{"citation": "§ 1 *bold*", "url": "javascript:alert(1)"}],
                "last_verified": "2026-11-01",
                "verification": "official_text",
                "reasons": [{"code": "no_deadline", "effect": "ok", "text": "`code` # h"}],
                "establish": [["Eligibility", "line one\n# not a heading"]],
                "procedure": [],
            }
        ],
        "disclaimer": DISCLAIMER,
    }
    text = memo(answer, {})
    for raw in ("<script", "<img", "[link]", "*bold", "`code", "# h", "| B"):
        assert re.search(r"(?<!\\)" + re.escape(raw), text) is None, raw
    assert "\\<img src=x onerror=alert(1)\\>" in text
    assert "A \\| B \\<script\\>" in text
    assert "javascript:alert" not in text
    assert "\n# not a heading" not in text
