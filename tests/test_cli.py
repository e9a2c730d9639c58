"""The CLI on the fixture knowledge base, with exact expected output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from kbtool import DISCLAIMER
from kbtool.cli import main

REMEDIES_NY = f"""\
New York (US-NY): 2 remedy records

Criminal record relief
  Vacatur for trafficking survivors [available]
    id: us-ny-criminal-record-relief
    Law: N.Y. Crim. Proc. Law § 440.10(1)(i)
    Relief: vacatur · Records: convictions · Offenses: prostitution related
    Exclusions: none · Court: may · Nexus: as a result of
    Deadline: due diligence · Hearing: court discretion · Burden: not specified
    Documentation: creates presumption
    Law as of 2026-10-15 · checked on 2026-11-01 · Official text: checked
    against the text of the law from its official publisher

Civil action
  Civil action for trafficking victims [undetermined]
    id: us-ny-civil-action
    Research could not settle this in the fixture. `kbtool show
    us-ny-civil-action` has what was read and the sources.
    Law as of unknown · checked on 2026-11-01 · Secondary sources: checked
    against guides or reports that describe the law, not against its text

Federal remedies apply in every state: kbtool remedies US
{DISCLAIMER}
"""


def test_remedies_text_exact(run) -> None:
    result = run("remedies", "ny")
    assert result.exit_code == 0
    assert result.output == REMEDIES_NY


def test_remedies_accepts_every_spelling(run) -> None:
    for spelling in ("NY", "ny", "US-NY", "us-ny", "New York", "new york", "N.Y."):
        result = run("remedies", spelling)
        assert result.exit_code == 0, spelling
        assert result.output == REMEDIES_NY, spelling


def test_remedies_json(run) -> None:
    result = run("remedies", "New York", "--json")
    assert result.exit_code == 0
    items = json.loads(result.output)
    assert [i["id"] for i in items] == ["us-ny-criminal-record-relief", "us-ny-civil-action"]
    vacatur = items[0]
    for key in (
        "id",
        "jurisdiction",
        "remedy_type",
        "title",
        "available",
        "legal_basis",
        "sources",
        "last_verified",
        "record_relief",
    ):
        assert key in vacatur, key
    assert vacatur["legal_basis"] == [
        {
            "statute": "us-ny-cpl-440-10",
            "pinpoint": "(1)(i)",
            "citation": "N.Y. Crim. Proc. Law § 440.10(1)(i)",
        }
    ]
    assert vacatur["sources"][0]["url"].startswith("https://")
    assert vacatur["record_relief"]["discretion"] == "may"
    assert items[1]["available"] == "unknown"


def test_remedies_type_filter(run) -> None:
    result = run("remedies", "NY", "--type", "civil_action", "--json")
    assert [i["id"] for i in json.loads(result.output)] == ["us-ny-civil-action"]


def test_remedies_unknown_type_is_usage_error(run) -> None:
    result = run("remedies", "NY", "--type", "divorce")
    assert result.exit_code == 2
    assert "unknown remedy type 'divorce'" in result.output
    assert "criminal_record_relief (Criminal record relief)" in result.output
    assert "vacatur, expungement, sealing" in result.output


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("vacatur", "criminal_record_relief"),
        ("expungement", "criminal_record_relief"),
        ("Sealing", "criminal_record_relief"),
        ("civil", "civil_action"),
        ("defense", "affirmative_defense"),
        ("Criminal record relief", "criminal_record_relief"),
    ],
)
def test_type_in_peoples_words(run, word: str, key: str) -> None:
    result = run("remedies", "NY", "--type", word, "--json")
    assert result.exit_code == 0, result.output
    assert {i["remedy_type"] for i in json.loads(result.stdout)} <= {key}
    assert f"type: {word} -> {key}" in result.stderr


def test_remedies_typo_suggests(run) -> None:
    result = run("remedies", "New Yrok")
    assert result.exit_code == 2
    assert result.output.startswith(
        "Error: unknown jurisdiction 'New Yrok'. Did you mean New York (US-NY)?"
    )
    assert "Traceback" not in result.output


def test_remedies_federal_has_no_federal_hint(run) -> None:
    result = run("remedies", "US")
    assert result.exit_code == 0
    assert "Federal civil action [available]" in result.output
    assert "Law: 18 U.S.C. § 1595(a)" in result.output
    assert "Limitation: 10 years" in result.output
    assert "kbtool remedies US" not in result.output


def test_remedies_of_unresearched_jurisdiction(run) -> None:
    result = run("remedies", "Guam")
    assert result.exit_code == 0
    assert result.output.startswith("Guam (US-GU): 0 remedy records\n")
    assert "not researched" in result.output


def test_show_statute(run) -> None:
    result = run("show", "us-ny-cpl-440-10")
    assert result.exit_code == 0
    assert result.output.splitlines()[:3] == [
        "N.Y. Crim. Proc. Law § 440.10: Motion to vacate judgment",
        "  id: us-ny-cpl-440-10 · statute · US-NY",
        "  Kind: record relief · Status: in force · Enacted: 2010",
    ]
    assert "    https://www.nysenate.gov/legislation/laws/CPL/440.10" in result.output
    assert result.output.rstrip().endswith(DISCLAIMER)


def test_show_remedy_json_resolves_citation(run) -> None:
    result = run("show", "us-civil-action-1595", "--json")
    data = json.loads(result.output)
    assert data["legal_basis"][0]["citation"] == "18 U.S.C. § 1595(a)"
    assert data["legal_basis"][0]["official_text_url"] == (
        "https://uscode.house.gov/view.xhtml?req=granuleid:USC-prelim-title18-section1595"
        "&num=0&edition=prelim"
    )
    assert data["path"] == "remedies/us/us-civil-action-1595.yaml"


def test_show_unknown_id(run) -> None:
    result = run("show", "us-ny-nothing")
    assert result.exit_code == 2
    assert "no record with id 'us-ny-nothing'" in result.output


def test_jurisdictions(run) -> None:
    result = run("jurisdictions")
    lines = result.output.splitlines()
    assert lines[0] == "CODE   NAME                       KIND          STATUTES REMEDIES"
    assert lines[1] == "US     United States (federal)    federal              1        1"
    assert "US-NY  New York                   state                1        2" in lines
    assert lines[-1] == "58 jurisdictions, 2 statute records, 3 remedy records"


def test_jurisdictions_json(run) -> None:
    rows = json.loads(run("jurisdictions", "--json").output)
    assert len(rows) == 58
    pr = next(r for r in rows if r["code"] == "US-PR")
    assert pr["kind"] == "territory" and pr["remedies"] == 0


def test_validate_clean(run) -> None:
    result = run("validate")
    assert result.exit_code == 0
    assert result.output == "5 files checked, no problems\n"


def test_validate_reports_and_exits_1(run, fixture_kb: Path) -> None:
    bad = fixture_kb / "remedies/us-ny/us-ny-civil-action.yaml"
    bad.write_text(bad.read_text().replace("available: unknown", "available: maybe"))
    result = run("validate")
    assert result.exit_code == 1
    assert result.output == (
        "remedies/us-ny/us-ny-civil-action.yaml:7:12: bad-value available: 'maybe' is not one of: "
        'true, false, "unknown"\n'
        "1 error, 0 warnings in 5 files\n"
    )


def test_validate_paths_only_checks_those(run, fixture_kb: Path) -> None:
    bad = fixture_kb / "remedies/us-ny/us-ny-civil-action.yaml"
    bad.write_text(bad.read_text().replace("available: unknown", "available: maybe"))
    result = run("validate", str(fixture_kb / "statutes/us-ny"))
    assert result.exit_code == 0
    assert result.output == "1 file checked, no problems\n"
    result = run("validate", str(fixture_kb / "remedies/us-ny/us-ny-criminal-record-relief.yaml"))
    assert result.exit_code == 0  # its legal_basis resolves against the whole tree


def test_validate_json(run, fixture_kb: Path) -> None:
    (fixture_kb / "remedies/us-ny/us-ny-civil-action.yaml").write_text("a: [\n")
    result = run("validate", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["errors"] == 1
    (finding,) = data["findings"]
    assert finding["code"] == "yaml-syntax"
    assert finding["path"] == "remedies/us-ny/us-ny-civil-action.yaml"
    assert finding["line"] == 2  # where the parser ran out of input


def test_validate_missing_path_is_usage_error(run) -> None:
    result = run("validate", "no/such/file.yaml")
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_validate_folder_without_records_says_so(run, fixture_kb: Path) -> None:
    empty = fixture_kb / "remedies" / "us-zz"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a record")
    result = run("validate", str(empty))
    assert result.exit_code == 2
    assert "this folder holds no records" in result.output


def test_root_found_upward_from_cwd(fixture_kb: Path, monkeypatch) -> None:
    monkeypatch.chdir(fixture_kb / "remedies/us-ny")
    result = CliRunner().invoke(main, ["remedies", "NY", "--json"])
    assert result.exit_code == 0
    assert len(json.loads(result.output)) == 2


def test_root_from_environment(fixture_kb: Path, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KBTOOL_ROOT", str(fixture_kb))
    result = CliRunner().invoke(main, ["jurisdictions", "--json"])
    assert result.exit_code == 0


def test_no_knowledge_base_is_usage_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["remedies", "NY"])
    assert result.exit_code == 2
    assert "no knowledge base found" in result.output


def test_broken_record_in_lookup_is_a_clear_error(run, fixture_kb: Path) -> None:
    (fixture_kb / "remedies/us-ny/us-ny-civil-action.yaml").write_text("a: [\n")
    result = run("remedies", "NY")
    assert result.exit_code == 1
    assert "cannot read a record: remedies/us-ny/us-ny-civil-action.yaml:2:1:" in result.output
    assert "kbtool validate" in result.output


def test_coverage(run) -> None:
    result = run("coverage", "--json")
    data = json.loads(result.output)
    ny = next(r for r in data["jurisdictions"] if r["code"] == "US-NY")
    assert ny["remedies"] == {
        "criminal_record_relief": "available",
        "civil_action": "undetermined",
        "affirmative_defense": "not researched",
        "safe_harbor_minors": "not researched",
    }
    assert data["as_of"] == "2026-11-28"
    text = run("coverage").output
    assert "US-NY  yes     -       -       ?" in text


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example" in result.output, f"{name} --help has no example"
        assert command.help, name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("440.10", ["Close ids: us-ny-cpl-440-10", "run `kbtool search 440.10`"]),
        ("US-NY", ["US-NY is a jurisdiction: run `kbtool remedies US-NY`"]),
        ("New York", ["run `kbtool remedies US-NY`"]),
        ("us-ny-civil-acton", ["Close ids: us-ny-civil-action"]),
        ("zzz", ["Ids are file names without .yaml"]),
    ],
)
def test_show_unknown_suggests(run, text: str, expected: list[str]) -> None:
    result = run("show", text)
    assert result.exit_code == 2
    for part in expected:
        assert part in result.output, part
    assert "Traceback" not in result.output


def test_coverage_legend_explains_every_column() -> None:
    result = CliRunner().invoke(main, ["--root", str(REPO), "coverage"])
    assert result.exit_code == 0
    header = next(line for line in result.output.splitlines() if line.startswith("CODE"))
    legend = " ".join(result.output.split("Legend:", 1)[1].split())
    for column in header.split():
        assert f"{column} =" in legend, column
