"""Adversarial input beyond the invalid fixtures: whatever is in the tree, the tool answers
with findings (or refuses), never a traceback or a hang, and reads nothing outside the
knowledge base. Cases that fit the fixture shape live in fixtures/invalid/."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import make_kb

from kbtool import files, loader
from kbtool.corpus import Corpus
from kbtool.findings import Finding
from kbtool.kb import KB
from kbtool.loader import MAX_FILE_BYTES, LoadedFile, load_file, parse_text
from kbtool.validate import validate

RECORD = "remedies/us-ny/us-ny-civil-action.yaml"

# --- an audit hook that sees every file and folder the process opens or lists -------

_watch: list[tuple[str, str]] | None = None


def _audit(event: str, args: tuple) -> None:
    if _watch is None:
        return
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        _watch.append(("open", os.fsdecode(args[0])))
    elif event in ("os.listdir", "os.scandir") and args:
        _watch.append(("list", os.fsdecode(args[0]) if args[0] is not None else "."))


sys.addaudithook(_audit)  # cannot be removed: it does nothing unless a test is watching


@contextlib.contextmanager
def watching() -> Iterator[list[tuple[str, str]]]:
    global _watch
    _watch = []
    try:
        yield _watch
    finally:
        _watch = None


def touched_under(events: list[tuple[str, str]], folder: Path) -> list[tuple[str, str]]:
    base = os.path.realpath(folder)
    return [
        (what, p)
        for what, p in events
        if os.path.realpath(p) == base or os.path.realpath(p).startswith(base + os.sep)
    ]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the knowledge base, holding things that must never be read."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.yaml").write_text("id: us-ny-secret\npassword: hunter2\n")
    (folder / "us-nj-secret.yaml").write_text("id: us-nj-secret\n")
    return folder


def test_links_out_of_the_tree_are_refused_unread(fixture_kb: Path, outside: Path) -> None:
    (fixture_kb / "remedies/us-ny/us-ny-link.yaml").symlink_to(outside / "secret.yaml")
    (fixture_kb / "remedies/us-nj").symlink_to(outside, target_is_directory=True)
    (fixture_kb / "statutes/us-ny/us-ny-dev.yaml").symlink_to("/dev/zero")
    with watching() as events:
        report = validate(KB(fixture_kb.resolve()))
    assert touched_under(events, outside) == []
    assert [(f.path, f.code) for f in report.findings] == [
        ("remedies/us-nj", "symlink-outside"),
        ("remedies/us-ny/us-ny-link.yaml", "symlink-outside"),
        ("statutes/us-ny/us-ny-dev.yaml", "symlink-outside"),
    ]


def test_lookups_refuse_links_out_of_the_tree(run, fixture_kb: Path, outside: Path) -> None:
    (fixture_kb / "remedies/us-nj").symlink_to(outside, target_is_directory=True)
    (fixture_kb / "remedies/us-ny/us-ny-link.yaml").symlink_to(outside / "secret.yaml")
    with watching() as events:
        nj = run("remedies", "NJ")
        ny = run("remedies", "NY")
        everything = run("coverage", "--json")
    assert touched_under(events, outside) == []
    assert nj.exit_code == 1
    assert nj.output.startswith("Error: remedies/us-nj leads outside the knowledge base")
    assert ny.exit_code == 1
    assert "remedies/us-ny/us-ny-link.yaml:0:0: symlink-outside" in ny.output
    assert "hunter2" not in nj.output + ny.output + everything.output


def test_ids_never_name_files_elsewhere(run, fixture_kb: Path, tmp_path: Path) -> None:
    """`show` builds a path from an id: an id that is really a path finds nothing."""
    (tmp_path / "evil-x.yaml").write_text("id: evil-x\ncitation: stolen\n")
    for rid in (str(tmp_path / "evil-x"), "../../../evil-x", "us-ny-../../../evil-x", "us\x00ny"):
        with watching() as events:
            result = run("show", rid)
        assert result.exit_code == 2, rid
        assert "no record with id" in result.output
        assert touched_under(events, tmp_path / "evil-x.yaml") == []


def test_validate_refuses_paths_outside_the_tree(run, fixture_kb: Path, outside: Path) -> None:
    for path in (str(outside), str(outside / "secret.yaml"), str(fixture_kb / ".." / "outside")):
        with watching() as events:
            result = run("validate", path)
        assert result.exit_code == 2, path
        assert "is outside the knowledge base" in result.output
        assert touched_under(events, outside) == []


def test_unreadable_file_is_a_finding(fixture_kb: Path, monkeypatch) -> None:
    """Root can read anything, so the refusal of the open() is simulated."""
    target = (fixture_kb / RECORD).resolve()
    real_open = os.open

    def deny(path, *args, **kwargs):
        if os.fspath(path) == str(target):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(files.os, "open", deny)
    report = validate(KB(fixture_kb.resolve()))
    assert [f.format() for f in report.findings] == [
        f"{RECORD}:0:0: unreadable cannot read file: Permission denied"
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_for_real(fixture_kb: Path) -> None:  # pragma: no cover - as root
    path = fixture_kb / RECORD
    path.chmod(0)
    try:
        report = validate(KB(fixture_kb.resolve()))
    finally:
        path.chmod(0o644)
    assert [f.code for f in report.findings] == ["unreadable"]


def test_huge_sparse_file_is_refused_before_reading(tmp_path: Path) -> None:
    """10 GB on paper: reading it would exhaust memory; the size is checked first."""
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(10 * 1024**3)
    (finding,) = load_file(path).findings
    assert finding.code == "file-too-large"
    assert "10,737,418,240 bytes" in finding.message


def test_file_that_grows_after_the_check_is_cut_off(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("a: " + "x" * (MAX_FILE_BYTES + 10))
    real_fstat = os.fstat

    def small(fd: int) -> os.stat_result:  # the size as it was when checked
        fields = list(real_fstat(fd))
        fields[6] = 10
        return os.stat_result(fields)

    monkeypatch.setattr(files.os, "fstat", small)
    (finding,) = load_file(path).findings
    assert finding.code == "file-too-large"
    assert f"{MAX_FILE_BYTES + 1:,} bytes or more" in finding.message


def test_named_pipe_never_blocks(fixture_kb: Path) -> None:
    os.mkfifo(fixture_kb / "remedies/us-ny/us-ny-pipe.yaml")
    signal.alarm(60)  # a watchdog, not a timing assertion: a blocking read would hang CI
    try:
        report = validate(KB(fixture_kb.resolve()), [fixture_kb / "remedies/us-ny/us-ny-pipe.yaml"])
    finally:
        signal.alarm(0)
    assert [f.code for f in report.findings] == ["not-a-file"]


def test_ten_thousand_files_at_once(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    folder = root / "remedies/us-ny"
    for i in range(10_000):
        (folder / f"us-ny-r{i:05d}.yaml").write_bytes(b"")
    report = validate(KB(root.resolve()))
    assert report.files == 10_005
    assert {f.code for f in report.findings} == {"empty-file"}
    assert report.errors == 10_000


def test_pure_python_parser_survives_deep_nesting(monkeypatch) -> None:
    monkeypatch.setattr(loader, "_Loader", yaml.SafeLoader)
    text = "a: " + "[" * 2_000 + "]" * 2_000 + "\n"
    loaded = parse_text(text, LoadedFile(path=Path("x.yaml"), display="x.yaml"))
    assert [f.code for f in loaded.findings] == ["too-deep"]


def test_credentials_never_echoed(run, fixture_kb: Path) -> None:
    path = fixture_kb / RECORD
    text = path.read_text().replace("https://", "https://alice:s3cr3t@", 1)
    path.write_text(text)
    result = run("validate", "--format", "json")
    assert result.exit_code == 1
    assert "s3cr3t" not in result.output and "alice" not in result.output
    (finding,) = json.loads(result.output)["findings"]
    assert finding["code"] == "bad-url"
    assert "'https://***@" in finding["message"]


def test_long_values_never_flood_the_output(run, fixture_kb: Path) -> None:
    path = fixture_kb / RECORD
    path.write_text(path.read_text() + "notes: [" + ", ".join(["x"] * 30_000) + "]\n")
    result = run("validate")
    assert result.exit_code == 1
    assert max(len(line) for line in result.output.splitlines()) < 400


def test_lookups_refuse_hidden_characters_too(run, fixture_kb: Path) -> None:
    """The lookups read with the same loader, so a spoofed text never reaches a terminal."""
    path = fixture_kb / RECORD
    lines = path.read_text().splitlines()
    lines = ['title: "\\e[2J\\e[31mCivil action"' if x.startswith("title:") else x for x in lines]
    path.write_text("\n".join(lines) + "\n")
    checked = run("validate")
    assert f"{RECORD}:5:8: control-character" in checked.output
    shown = run("remedies", "NY")
    assert shown.exit_code == 1
    assert "control-character" in shown.output
    assert "\x1b" not in checked.output + shown.output


# --- GitHub annotations ----------------------------------------------------------------


def test_github_annotation_format() -> None:
    finding = Finding("remedies/us-ny/x.yaml", 7, 12, "bad-value", "available: 'maybe' is bad")
    assert finding.github() == (
        "::error file=remedies/us-ny/x.yaml,line=7,col=12,title=bad-value"
        "::bad-value available: 'maybe' is bad"
    )
    warning = Finding("a,b:c.yaml", 0, 0, "stale", "old", severity="warning")
    assert warning.github() == "::warning file=a%2Cb%3Ac.yaml,title=stale::stale old"


def test_github_annotation_cannot_inject_commands() -> None:
    evil = Finding("x.yaml", 1, 1, "yaml-syntax", "bad\n::add-mask::x\r\n::error::100%")
    line = evil.github()
    assert "\n" not in line and "\r" not in line
    assert line.endswith("::yaml-syntax bad%0A::add-mask::x%0D%0A::error::100%25")


def test_validate_format_github(run, fixture_kb: Path) -> None:
    bad = fixture_kb / RECORD
    bad.write_text(bad.read_text().replace("available: unknown", "available: maybe"))
    result = run("validate", "--format", "github")
    assert result.exit_code == 1
    assert result.output == (
        f"::error file={RECORD},line=7,col=12,title=bad-value::bad-value available: 'maybe' "
        'is not one of: true, false, "unknown"\n'
        "1 error, 0 warnings in 5 files\n"
    )


def test_validate_format_github_clean(run) -> None:
    result = run("validate", "--format", "github")
    assert result.exit_code == 0
    assert result.output == "5 files checked, no problems\n"


def test_corpus_lists_nothing_outside(fixture_kb: Path, outside: Path) -> None:
    (fixture_kb / "statutes/us-nj").symlink_to(outside, target_is_directory=True)
    corpus = Corpus(KB(fixture_kb.resolve()))
    with watching() as events:
        ids = [r.id for r in corpus.all("statute")]
    assert ids == ["us-18-usc-1595", "us-ny-cpl-440-10"]
    assert touched_under(events, outside) == []
