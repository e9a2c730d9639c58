"""`kbtool compare` and `kbtool export`: tables that fit, open data with its licence."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import REPO, TODAY

from kbtool.cli import main
from kbtool.compare import structured_fields
from kbtool.export import columns

COMPARE_CIVIL = """\
New York (US-NY) vs United States (federal) (US)
* = the values differ

Civil action
============
  US-NY: us-ny-civil-action
  US: us-civil-action-1595

                          US-NY                       US
* Available               undetermined                available
  Title                   Civil action for            Federal civil action
                          trafficking victims

* Law                     -                           18 U.S.C. § 1595(a)
* Who may sue             -                           A victim.
* Defendants              -                           The perpetrator and
                                                      whoever knowingly
                                                      benefits.

* Reaches knowing         -                           yes
  beneficiaries

* Damages                 -                           actual, punitive
* Attorney's fees         -                           yes
* Limitation period       -                           10 years
  Limitation, in words    -                           -
  Tolling                 -                           -
  Last verified           2026-11-01                  2026-11-01

Legal information, not legal advice: verify against the official text before
relying on it.
"""


def test_compare_text_exact(run) -> None:
    result = run("compare", "NY", "US", "--type", "civil_action")
    assert result.exit_code == 0
    assert result.output == COMPARE_CIVIL


def test_compare_shows_every_structured_field_for_both_sides(run, fixture_kb: Path) -> None:
    data = json.loads(run("compare", "NY", "US", "--json").output)
    assert [j["code"] for j in data["jurisdictions"]] == ["US-NY", "US"]
    tables = {t["remedy_type"]: t for t in data["tables"]}
    assert list(tables) == ["criminal_record_relief", "civil_action"]
    relief = tables["criminal_record_relief"]
    assert [c["record"] for c in relief["columns"]] == ["us-ny-criminal-record-relief", None]
    holder, fields = structured_fields(fixture_kb / "schema")["criminal_record_relief"]
    wanted = [".".join((holder, *path)) for path, _ in fields]
    rows = {r["field"]: r for r in relief["rows"]}
    assert [f for f in rows if f.startswith("record_relief.")] == wanted
    assert rows["record_relief.discretion"]["values"] == ["may", None]
    assert rows["record_relief.discretion"]["display"] == ["may", "-"]
    assert rows["available"]["display"] == ["available", "not researched"]
    assert rows["available"]["differs"] is True
    assert rows["record_relief.discretion"]["differs"] is False  # only one side has a record
    civil = {r["field"]: r for r in tables["civil_action"]["rows"]}
    assert civil["civil_action.limitation_period"]["values"] == [None, 10]
    assert civil["legal_basis"]["values"] == [None, ["18 U.S.C. § 1595(a)"]]


def test_compare_markdown_and_csv(run) -> None:
    md = run("compare", "NY", "US", "--type", "civil_action", "--format", "markdown").output
    lines = md.splitlines()
    assert lines[0] == "# New York (US-NY) vs United States (federal) (US)"
    assert "| Field | US-NY | US |" in lines
    assert "| **Available** | undetermined | available |" in lines
    assert "| **Damages** | - | actual, punitive |" in lines
    assert "| Tolling | - | - |" in lines
    rows = list(csv.reader(io.StringIO(run("compare", "NY", "US", "--format", "csv").output)))
    assert rows[0] == ["remedy_type", "field", "label", "differs", "US-NY", "US"]
    assert ["civil_action", "available", "Available", "yes", "undetermined", "available"] in rows
    assert {r[0] for r in rows[1:]} == {"criminal_record_relief", "civil_action"}


def test_compare_several_records_of_a_type_get_a_column_each(run, fixture_kb: Path) -> None:
    src = fixture_kb / "remedies/us-ny/us-ny-civil-action.yaml"
    (fixture_kb / "remedies/us-ny/us-ny-civil-action-2.yaml").write_text(
        src.read_text("utf-8").replace("id: us-ny-civil-action", "id: us-ny-civil-action-2"),
        "utf-8",
    )
    data = json.loads(run("compare", "NY", "US", "--type", "civil_action", "--json").output)
    cols = data["tables"][0]["columns"]
    assert [c["record"] for c in cols] == [
        "us-ny-civil-action",
        "us-ny-civil-action-2",
        "us-civil-action-1595",
    ]
    text = run("compare", "NY", "US", "--type", "civil_action").output
    assert "US-NY (1)" in text and "US-NY (2)" in text


@pytest.mark.parametrize("states", [("NY", "US"), ("NY", "US", "CA"), ("NY", "US", "CA", "DC")])
def test_compare_fits_80_columns(run, states: tuple[str, ...]) -> None:
    text = run("compare", *states).output
    assert max(len(line) for line in text.splitlines()) <= 80


def test_compare_never_breaks_a_word_and_shows_labels(tmp_path: Path) -> None:
    """On the real data: every word of the values appears whole in the text table (ids
    listed above the table), offense categories by their labels, lists one item a line."""
    from click.testing import CliRunner

    runner = CliRunner()
    args = ["--root", str(REPO), "compare", "NY", "CA", "CO", "--type", "criminal_record_relief"]
    text = runner.invoke(main, args).stdout
    data = json.loads(runner.invoke(main, [*args, "--json"]).stdout)
    words = set(text.split())
    assert "us-co-criminal-record-relief-sealing" in words
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "- Loitering: covered" in text and "prostitution: covered" not in text
    assert "- crimes defined in C.R.S. §" in text
    assert data  # the JSON keeps the keys


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("NY",), "compare needs at least two different jurisdictions"),
        (("NY", "ny"), "compare needs at least two different jurisdictions"),
        (("NY", "Atlantis"), "unknown jurisdiction 'Atlantis'"),
        (("NY", "US", "--type", "divorce"), "unknown remedy type 'divorce'"),
    ],
)
def test_compare_usage_errors(run, args: tuple[str, ...], message: str) -> None:
    result = run("compare", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_compare_with_no_records(run) -> None:
    result = run("compare", "TX", "FL")
    assert result.output == (
        "Texas (US-TX) vs Florida (US-FL)\n\n"
        "No remedy records for these jurisdictions yet (not researched).\n"
    )
    typed = json.loads(run("compare", "TX", "FL", "--type", "civil_action", "--json").output)
    rows = {r["field"]: r for r in typed["tables"][0]["rows"]}
    assert rows["available"]["display"] == ["not researched", "not researched"]


def test_real_data_compare_ny_ca_shows_both_sides_of_every_field() -> None:
    from click.testing import CliRunner

    for rid in ("us-ny/us-ny-criminal-record-relief", "us-ca/us-ca-criminal-record-relief"):
        if not (REPO / "remedies" / f"{rid}.yaml").is_file():
            pytest.skip(f"{rid} is not in the dataset yet")
    runner = CliRunner()
    args = ["--root", str(REPO), "compare", "NY", "CA", "--type", "criminal_record_relief"]
    data = json.loads(runner.invoke(main, [*args, "--json"]).output)
    (table,) = data["tables"]
    assert [c["jurisdiction"] for c in table["columns"]][:1] == ["US-NY"]
    assert "US-CA" in [c["jurisdiction"] for c in table["columns"]]
    assert all(c["record"] for c in table["columns"])
    holder, fields = structured_fields(REPO / "schema")["criminal_record_relief"]
    got = [r["field"] for r in table["rows"]]
    for path, _ in fields:
        assert ".".join((holder, *path)) in got
    text = runner.invoke(main, args).output
    assert max(len(line) for line in text.splitlines()) <= 80


# --- export -----------------------------------------------------------------------------


def test_export_json_to_stdout(run) -> None:
    result = run("export")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["license"]["id"] == "CC0-1.0"
    assert data["license"]["url"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert data["exported_at"] == TODAY
    assert data["counts"] == {"statutes": 2, "remedies": 3}
    assert [s["id"] for s in data["statutes"]] == ["us-18-usc-1595", "us-ny-cpl-440-10"]
    vacatur = next(r for r in data["remedies"] if r["id"] == "us-ny-criminal-record-relief")
    assert vacatur["legal_basis"][0]["citation"] == "N.Y. Crim. Proc. Law § 440.10(1)(i)"
    assert vacatur["sources"][0]["url"].startswith("https://")
    assert vacatur["jurisdiction_name"] == "New York"
    assert result.stderr == ""


def test_export_json_file_is_written_atomically(run, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "kb.json"
    out.write_text("old", "utf-8")
    result = run("export", "-o", str(out))
    assert result.output == f"wrote 2 statutes and 3 remedies to {out}\n"
    assert json.loads(out.read_text("utf-8"))["counts"]["remedies"] == 3
    assert sorted(p.name for p in out.parent.iterdir()) == ["kb.json"]  # no temp file or licence


def test_export_jsonl_with_companion_licence(run, tmp_path: Path) -> None:
    out = tmp_path / "kb.jsonl"
    result = run("export", "--format", "jsonl", "-o", str(out))
    assert result.exit_code == 0
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["record_type"] for r in lines] == ["statute"] * 2 + ["remedy"] * 3
    notice = (tmp_path / "kb.jsonl.license.txt").read_text("utf-8")
    assert notice.startswith(
        f"kb.jsonl: trafficking survivor remedies knowledge base, exported {TODAY}"
    )
    assert "CC0 1.0" in notice and "https://creativecommons.org/publicdomain/zero/1.0/" in notice
    assert "Columns" not in notice


def test_export_csv_flattens_and_documents_every_column(
    run, fixture_kb: Path, tmp_path: Path
) -> None:
    out = tmp_path / "kb.csv"
    assert run("export", "--format", "csv", "-o", str(out)).exit_code == 0
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cols = columns(fixture_kb / "schema")
    assert list(rows[0]) == [name for name, _ in cols]
    assert len(rows) == 5
    by_id = {r["id"]: r for r in rows}
    vacatur = by_id["us-ny-criminal-record-relief"]
    assert vacatur["record_type"] == "remedy"
    assert vacatur["legal_basis.statute"] == "us-ny-cpl-440-10"
    assert vacatur["legal_basis.citation"] == "N.Y. Crim. Proc. Law § 440.10(1)(i)"
    assert vacatur["record_relief.relief_forms"] == "vacatur"
    assert vacatur["record_relief.time_limit.rule"] == "due_diligence"
    assert vacatur["record_relief.covers_convictions"] == "true"
    assert vacatur["record_relief.covers_juvenile_adjudications"] == "unknown"
    assert vacatur["related_remedies"] == "us-ny-civil-action"
    assert by_id["us-civil-action-1595"]["civil_action.damages"] == "actual | punitive"
    assert by_id["us-ny-cpl-440-10"]["key_provisions.pinpoint"] == "(1)(i)"
    assert by_id["us-ny-civil-action"]["legal_basis.statute"] == ""
    notice = (tmp_path / "kb.csv.license.txt").read_text("utf-8")
    assert "CC0 1.0" in notice and f"exported {TODAY}" in notice
    for name, _ in cols:
        assert f"\n{name}\n    " in notice, name


def test_export_csv_to_stdout_notes_the_licence_on_stderr(run) -> None:
    result = run("export", "--format", "csv")
    assert result.stdout.startswith("record_type,id,jurisdiction,jurisdiction_name,")
    assert "Licence: Creative Commons CC0 1.0" in result.stderr
    assert f"exported {TODAY}" in result.stderr


def test_export_into_a_missing_folder_is_a_usage_error(run, tmp_path: Path) -> None:
    result = run("export", "-o", str(tmp_path / "nope" / "kb.json"))
    assert result.exit_code == 2
    assert "no such folder" in result.output


def test_export_of_an_empty_corpus(tmp_path: Path) -> None:
    from click.testing import CliRunner

    root = tmp_path / "empty"
    (root / "schema").mkdir(parents=True)
    for name in ("jurisdictions.yaml", "vocabulary.yaml"):
        (root / "schema" / name).write_text((REPO / "schema" / name).read_text("utf-8"))
    for p in (REPO / "schema").glob("*.schema.json"):
        (root / "schema" / p.name).write_text(p.read_text("utf-8"))
    runner = CliRunner()
    data = json.loads(runner.invoke(main, ["--root", str(root), "export"]).stdout)
    assert data["counts"] == {"statutes": 0, "remedies": 0}
    text = runner.invoke(main, ["--root", str(root), "export", "--format", "csv"]).stdout
    assert text.count("\n") == 1  # the header only


def test_export_help_explains_the_csv_layout() -> None:
    from click.testing import CliRunner

    help_text = CliRunner().invoke(main, ["export", "--help"]).output
    for phrase in ("one row per record", "flattened with dots", "' | '", "license.txt"):
        assert phrase in " ".join(help_text.split()), phrase
