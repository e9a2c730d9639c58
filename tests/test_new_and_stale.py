"""`kbtool new` (records from the templates), `kbtool stale`, and atomic writes."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO

from kbtool import atomic, scaffold
from kbtool.kb import KB
from kbtool.stale import Age, find_stale
from kbtool.validate import validate


@pytest.fixture
def kb_with_templates(fixture_kb: Path) -> Path:
    shutil.copytree(REPO / "templates", fixture_kb / "templates")
    return fixture_kb


def codes(root: Path, rel: str) -> list[tuple[int, str]]:
    report = validate(KB(root.resolve()), [root / rel])
    return [(f.line, f.code) for f in report.findings]


# --- kbtool new ----------------------------------------------------------------------


def test_new_remedy_exact_output(run, kb_with_templates: Path) -> None:
    result = run("new", "remedy", "--jurisdiction", "New Mexico", "--type", "civil_action")
    assert result.exit_code == 0
    assert result.output == (
        "wrote remedies/us-nm/us-nm-civil-action.yaml\n"
        "Next: fill in every field (the comments say what goes there and where to find it), "
        "then check it with\n"
        "  kbtool validate remedies/us-nm/us-nm-civil-action.yaml\n"
    )
    text = (kb_with_templates / "remedies/us-nm/us-nm-civil-action.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schema/remedy.schema.json\n")
    for line in (
        "id: us-nm-civil-action",
        "jurisdiction: US-NM",
        "remedy_type: civil_action",
        "title: Civil action",
        "  - statute: us-nm-code-1-2-3",
        "civil_action:",
        "  who_may_sue: A victim of trafficking.",
        "    accessed: 2026-11-28",
        "last_verified: 2026-11-28",
    ):
        assert line + "\n" in text, line
    assert "record_relief:" not in text  # another type's block is left out


def test_validate_walks_a_new_record_to_clean(run, kb_with_templates: Path) -> None:
    """The paved path: each finding names what is left to do; fixing them gives a clean pass."""
    run("new", "remedy", "-j", "NY", "--type", "affirmative_defense")
    rel = "remedies/us-ny/us-ny-affirmative-defense.yaml"
    found = codes(kb_with_templates, rel)
    lines = (kb_with_templates / rel).read_text().splitlines()

    def line_of(text: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if text in line)

    assert (line_of("What the survivor can ask for") - 1, "placeholder") in found  # summary
    assert (line_of("us-ny-code-1-2-3"), "dangling-reference") in found
    assert (line_of("Who may apply") - 1, "placeholder") in found  # instructions in any field
    assert (line_of("example.org/page-you-read"), "placeholder") in found  # the address
    assert (line_of("type: official"), "official-host") in found  # example.org: no publisher
    assert {code for _, code in found} == {"placeholder", "dangling-reference", "official-host"}
    path = kb_with_templates / rel
    text = path.read_text()
    text = text.replace(
        "  What the survivor can ask for, from which court, and what it does to the record.",
        "  A defense for crimes committed as a result of being trafficked.",
    )
    text = text.replace("us-ny-code-1-2-3", "us-ny-cpl-440-10")
    text = text.replace("https://example.org/page-you-read", "https://www.nysenate.gov/x")
    text = text.replace("Title of the page", "CPL 440.10").replace(
        "Who publishes it", "New York State Senate"
    )
    # Optional fields still holding instructions are filled in or left out.
    for field in ("eligibility", "time_limits", "evidence", "effect", "confidentiality"):
        text = re.sub(rf"(?m)^{field}: .*\n(  .*\n)*", "", text)
    text = re.sub(r"(?m)^procedure:\n(  .*\n)+", "", text)
    text = re.sub(r"(?m)^notes: >-\n(  .*\n)+", "", text)
    path.write_text(text)
    assert codes(kb_with_templates, rel) == []


@pytest.mark.parametrize(
    "kind,rtype,rid",
    [("remedy", t, None) for t in scaffold.types(KB(REPO), "remedy")]
    + [("statute", k, "code-1") for k in scaffold.types(KB(REPO), "statute")],
)
def test_every_type_gives_a_record_that_only_needs_filling_in(
    kb_with_templates: Path, kind: str, rtype: str, rid: str | None
) -> None:
    created = scaffold.new_record(KB(kb_with_templates.resolve()), kind, "GU", rtype, rid)
    rel = created.relative(kb_with_templates.resolve())
    found = {code for _, code in codes(kb_with_templates, rel)}
    assert found <= {"placeholder", "dangling-reference", "official-host", "unlisted-source"}, found
    assert "placeholder" in found


def test_new_refuses_to_overwrite(run, kb_with_templates: Path) -> None:
    path = kb_with_templates / "remedies/us-ny/us-ny-civil-action.yaml"
    before = path.read_bytes()
    result = run("new", "remedy", "-j", "NY", "--type", "civil_action")
    assert result.exit_code == 1
    assert result.output == (
        "Error: remedies/us-ny/us-ny-civil-action.yaml already exists; edit it, or choose "
        "another id with --id\n"
    )
    assert path.read_bytes() == before
    result = run("new", "remedy", "-j", "NY", "--type", "civil_action", "--id", "civil-action-2")
    assert result.exit_code == 0
    assert "wrote remedies/us-ny/us-ny-civil-action-2.yaml" in result.output


@pytest.mark.parametrize(
    "args,message",
    [
        (["statute", "-j", "NY"], "Error: a statute needs --id"),
        (["remedy", "-j", "NY"], "Error: a remedy needs --type, one of: criminal_record_relief"),
        (["remedy", "-j", "NY", "--type", "vacatur"], "Error: unknown remedy type 'vacatur'"),
        (["statute", "-j", "NY", "--id", "x", "--type", "nope"], "Error: unknown statute type"),
        (["remedy", "-j", "Atlantis", "--type", "civil_action"], "Error: unknown jurisdiction"),
        (["statute", "-j", "NY", "--id", "../../../etc/x"], "Error: '../../../etc/x' is not a"),
        (["statute", "-j", "NY", "--id", "/tmp/x"], "Error: '/tmp/x' is not a valid id"),
        (["statute", "-j", "NY", "--id", "us-ny-\u0430"], "is not a valid id"),
        (["statute", "-j", "NY", "--id", "us-ca-penal-1"], "the folder of California (US-CA)"),
    ],
)
def test_new_usage_errors(run, kb_with_templates: Path, args: list[str], message: str) -> None:
    result = run("new", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not list((kb_with_templates).rglob(".*.tmp"))


def test_new_statute_id_gets_its_prefix(run, kb_with_templates: Path) -> None:
    result = run("new", "statute", "-j", "NY", "--id", "penal-230-34", "--type", "criminal")
    assert result.exit_code == 0
    text = (kb_with_templates / "statutes/us-ny/us-ny-penal-230-34.yaml").read_text()
    assert "id: us-ny-penal-230-34\n" in text and "kind: criminal\n" in text


def test_new_refuses_a_folder_that_leads_outside(run, kb_with_templates: Path, tmp_path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (kb_with_templates / "remedies/us-nj").symlink_to(outside, target_is_directory=True)
    result = run("new", "remedy", "-j", "NJ", "--type", "civil_action")
    assert result.exit_code == 1
    assert "leads outside the knowledge base" in result.output
    assert list(outside.iterdir()) == []


def test_new_without_templates_is_a_clear_error(run) -> None:
    result = run("new", "remedy", "-j", "NY", "--type", "restitution")
    assert result.exit_code == 1
    assert result.output == "Error: no template for a remedy at templates/remedy.yaml\n"


def test_type_blocks_come_from_the_schema() -> None:
    assert scaffold.type_blocks(KB(REPO)) == {
        "record_relief": "criminal_record_relief",
        "civil_action": "civil_action",
        "compensation": "victim_compensation",
    }


# --- atomic writes -------------------------------------------------------------------


def test_atomic_write_replaces_in_one_step(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("old")
    atomic.write_text(path, "new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_atomic_write_exclusive(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    atomic.write_text(path, "one", overwrite=False)
    with pytest.raises(FileExistsError):
        atomic.write_text(path, "two", overwrite=False)
    assert path.read_text() == "one"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


@pytest.mark.parametrize(
    "step,error",
    [
        ("fsync", KeyboardInterrupt),
        ("fsync", OSError),  # e.g. the disk is full
        ("link", KeyboardInterrupt),
        ("replace", KeyboardInterrupt),
        ("replace", OSError),
    ],
)
def test_interrupted_write_leaves_nothing_half_written(
    tmp_path: Path, monkeypatch, step: str, error: type[BaseException]
) -> None:
    """Ctrl-C (or a full disk) at any step: the old file or no file, and no temporary file."""
    old = tmp_path / "old.txt"
    old.write_text("old")

    def boom(*args, **kwargs):
        raise error("interrupted")

    monkeypatch.setattr(atomic.os, step, boom)
    with pytest.raises(error):
        atomic.write_text(old, "new", overwrite=(step != "link"))
    with pytest.raises(error):
        atomic.write_text(tmp_path / "fresh.txt", "new", overwrite=(step != "link"))
    monkeypatch.undo()
    assert old.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.txt"]


def test_file_system_without_hard_links(tmp_path: Path, monkeypatch) -> None:
    def unsupported(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(atomic.os, "link", unsupported)
    atomic.write_text(tmp_path / "a.txt", "one", overwrite=False)
    with pytest.raises(FileExistsError):
        atomic.write_text(tmp_path / "a.txt", "two", overwrite=False)
    assert (tmp_path / "a.txt").read_text() == "one"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_interrupted_new_leaves_no_file(run, kb_with_templates: Path, monkeypatch) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "link", interrupted)
    result = run("new", "remedy", "-j", "NM", "--type", "restitution")
    assert result.exit_code == 1 and "Aborted!" in result.output  # click's Ctrl-C
    folder = kb_with_templates / "remedies/us-nm"
    assert not folder.exists() or list(folder.iterdir()) == []


# --- kbtool stale --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,as_of,before",
    [
        ("12m", "2026-11-28", "2025-11-28"),
        ("1m", "2026-03-31", "2026-02-28"),
        ("2y", "2024-02-29", "2022-02-28"),
        ("90d", "2026-11-28", "2026-08-30"),
        ("2w", "2026-11-28", "2026-11-14"),
        ("0m", "2026-11-28", "2026-11-28"),
        ("9999y", "2026-11-28", "0001-11-28"),
        ("9999d", "0001-01-05", "0001-01-01"),
    ],
)
def test_age_before(text: str, as_of: str, before: str) -> None:
    assert Age.parse(text).before(dt.date.fromisoformat(as_of)).isoformat() == before


@pytest.mark.parametrize("text", ["", "12", "m", "12 months", "-1m", "1.5y", "12x"])
def test_bad_age_is_usage_error(run, text: str) -> None:
    result = run("stale", "--older-than", text)
    assert result.exit_code == 2
    assert "is not an age" in result.output


def _age(root: Path, rel: str, when: str) -> None:
    path = root / rel
    path.write_text(path.read_text().replace("last_verified: 2026-11-01", f"last_verified: {when}"))


def test_stale_none(run) -> None:
    result = run("stale")
    assert result.exit_code == 0
    assert result.output == (
        "No stale records: all 5 were verified on or after 2025-11-28 "
        "(12 months before 2026-11-28).\n"
    )


def test_stale_text_exact(run, fixture_kb: Path) -> None:
    _age(fixture_kb, "remedies/us-ny/us-ny-civil-action.yaml", "2024-05-01")
    _age(fixture_kb, "statutes/us-ny/us-ny-cpl-440-10.yaml", "2025-11-27")
    _age(fixture_kb, "remedies/us/us-civil-action-1595.yaml", "2019-01-01")
    _age(fixture_kb, "statutes/us/us-18-usc-1595.yaml", "2025-11-28")  # on the day: fresh
    result = run("stale")
    assert result.exit_code == 0
    assert result.output == (
        "Last verified more than 12 months before 2026-11-28 (before 2025-11-28):\n"
        "\n"
        "United States (federal) (US): 1 record\n"
        "  2019-01-01  remedies/us/us-civil-action-1595.yaml\n"
        "\n"
        "New York (US-NY): 2 records\n"
        "  2024-05-01  remedies/us-ny/us-ny-civil-action.yaml\n"
        "  2025-11-27  statutes/us-ny/us-ny-cpl-440-10.yaml\n"
        "\n"
        "3 stale records in 2 jurisdictions, of 5 checked\n"
    )


def test_stale_formats(run, fixture_kb: Path) -> None:
    _age(fixture_kb, "remedies/us-ny/us-ny-civil-action.yaml", "2024-05-01")
    (fixture_kb / "remedies/us-ny/us-ny-broken.yaml").write_text("a: [\n")
    data = json.loads(run("stale", "--older-than", "18m", "--format", "json").output)
    assert data["before"] == "2025-05-28" and data["stale"] == 1 and data["checked"] == 5
    assert data["jurisdictions"][0]["records"] == [
        {
            "id": "us-ny-civil-action",
            "kind": "remedy",
            "path": "remedies/us-ny/us-ny-civil-action.yaml",
            "last_verified": "2024-05-01",
        }
    ]
    assert data["unreadable"] == ["remedies/us-ny/us-ny-broken.yaml"]
    result = run("stale", "--format", "github")
    assert result.exit_code == 0  # warnings, never a failure
    assert result.output == (
        "::warning file=remedies/us-ny/us-ny-civil-action.yaml,line=12,col=16,title=stale"
        "::stale last verified 2024-05-01, more than 12 months before 2026-11-28: re-check its "
        "sources and update last_verified\n"
        "1 stale of 5 records\n"
    )


def test_stale_counts_a_missing_date(fixture_kb: Path) -> None:
    path = fixture_kb / "remedies/us-ny/us-ny-civil-action.yaml"
    path.write_text(path.read_text().replace("last_verified: 2026-11-01\n", ""))
    report = find_stale(KB(fixture_kb.resolve()), "12m")
    ((code, _, records),) = report.groups
    assert code == "US-NY" and records[0].last_verified is None
    assert "  none        remedies/us-ny/us-ny-civil-action.yaml" in report.text()
