"""Untrusted pull requests (issue 10): every file in a pull request is hostile.

Each numbered case of the issue has tests here (or a folder in fixtures/invalid/, named
in the comment); variants go beyond the cases as reported.
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, make_kb

from kbtool import files
from kbtool.cli import main
from kbtool.corpus import Corpus
from kbtool.index import SearchIndex, default_dir
from kbtool.kb import KB, KBError, KBUsageError

RECORD = "remedies/us-ny/us-ny-civil-action.yaml"


@pytest.fixture(autouse=True)
def _in_the_checkout(fixture_kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths on the command line are relative to the knowledge base, as in CI."""
    monkeypatch.chdir(fixture_kb)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), "utf-8")


def kbtool(*args: str, root: Path, env: dict | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kbtool", "--root", str(root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        **kw,
    )


def finish(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


# --- 1. code execution from a committed index --------------------------------------------


def plant_index(folder: Path, marker: Path) -> None:
    """What a pull request could force-add: a Whoosh-looking index whose TOC is a pickle
    that runs a command when unpickled."""
    gen = folder / "g-1-1"
    gen.mkdir(parents=True)
    payload = pickle.dumps((os.system, (f"touch {marker}",)))

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    (gen / "_MAIN_1.toc").write_bytes(pickle.dumps(Evil()) + payload)
    (gen / "manifest.json").write_text('{"format": 1, "engine": "x", "records": {}}')
    (folder / "CURRENT").write_text("g-1-1\n")


def test_a_committed_index_is_never_opened(run, fixture_kb: Path, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    plant_index(fixture_kb / ".kbindex", marker)
    result = run("search", "vacatur")
    assert result.exit_code == 0  # the checkout's .kbindex is not the index: it is ignored
    assert not marker.exists()
    assert not is_below(default_dir(KB(fixture_kb.resolve())), fixture_kb)


def is_below(path: Path, root: Path) -> bool:
    return str(path.resolve()).startswith(str(root.resolve()) + os.sep)


@pytest.mark.parametrize("where", [".kbindex", "docs/kb/ix", "statutes"])
def test_an_index_folder_inside_the_checkout_is_refused(
    run, fixture_kb: Path, tmp_path: Path, where: str
) -> None:
    marker = tmp_path / "PWNED"
    plant_index(fixture_kb / where, marker)
    for args in (("search", "vacatur"), ("index",), ("search", "x", "--no-update")):
        result = run(*args, "--index-dir", str(fixture_kb / where))
        assert result.exit_code == 2, args
        assert "is inside the knowledge base" in result.stderr
    assert not marker.exists()


def test_kbtool_index_dir_env_inside_the_checkout_is_refused(
    run, fixture_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "PWNED"
    plant_index(fixture_kb / ".kbindex", marker)
    monkeypatch.setenv("KBTOOL_INDEX_DIR", str(fixture_kb / ".kbindex"))
    result = run("search", "vacatur")
    assert result.exit_code == 2 and not marker.exists()


def test_a_link_to_the_checkout_is_refused_as_the_checkout(
    run, fixture_kb: Path, tmp_path: Path
) -> None:
    (tmp_path / "alias").symlink_to(fixture_kb / "docs", target_is_directory=True)
    (fixture_kb / "docs").mkdir(exist_ok=True)
    result = run("index", "--index-dir", str(tmp_path / "alias" / "ix"))
    assert result.exit_code == 2
    assert "inside the knowledge base" in result.stderr


def test_an_index_folder_git_tracks_is_refused(run, fixture_kb: Path, tmp_path: Path) -> None:
    other = tmp_path / "other-clone"
    plant_index(other / "ix", tmp_path / "PWNED")
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    subprocess.run(["git", "-C", str(other), "add", "-f", "ix"], check=True)
    result = run("search", "vacatur", "--index-dir", str(other / "ix"))
    assert result.exit_code == 2
    assert "tracked by git" in result.stderr
    assert not (tmp_path / "PWNED").exists()


def test_a_folder_kbtool_did_not_make_is_refused(run, fixture_kb: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    (mine / "g-1-1").mkdir(parents=True)  # someone's own files, named like a generation
    (mine / "tmp-5-5").mkdir()
    old = time.time() - 7200
    os.utime(mine / "tmp-5-5", (old, old))
    result = run("index", "--index-dir", str(mine))
    assert result.exit_code == 2
    assert "not a kbtool index folder" in result.stderr
    assert (mine / "g-1-1").is_dir() and (mine / "tmp-5-5").is_dir()


def test_an_index_others_can_write_is_refused(run, fixture_kb: Path, tmp_path: Path) -> None:
    assert run("index", "--index-dir", str(tmp_path / "ix")).exit_code == 0
    os.chmod(tmp_path / "ix", 0o777)
    result = run("search", "vacatur", "--index-dir", str(tmp_path / "ix"))
    assert result.exit_code == 2
    assert "can be written by other users" in result.stderr


def test_the_default_index_folder_is_private(run, fixture_kb: Path) -> None:
    assert run("index").exit_code == 0
    folder = default_dir(KB(fixture_kb.resolve()))
    assert folder.stat().st_mode & 0o077 == 0
    assert (folder / "KBTOOL-INDEX").is_file()


def test_two_checkouts_never_share_an_index(tmp_path: Path) -> None:
    a = make_kb(tmp_path / "a" / "kb")
    b = make_kb(tmp_path / "b" / "kb")
    assert default_dir(KB(a)) != default_dir(KB(b))


# --- 10. concurrent searches that each update the index ------------------------------------


def test_concurrent_searches_that_update_never_fail(fixture_kb: Path) -> None:
    assert finish(kbtool("index", root=fixture_kb))[0] == 0
    path = fixture_kb / RECORD
    for word in ("zanzibar", "kathmandu", "ulaanbaatar"):
        edit(path, "in the fixture", f"in the fixture {word}")
        procs = [kbtool("search", word, root=fixture_kb) for _ in range(6)]
        for proc in procs:
            code, out, err = finish(proc)
            assert code == 0, err
            assert "Traceback" not in err and "no search index" not in err
            assert "us-ny-civil-action" in out
    folder = default_dir(KB(fixture_kb.resolve()))
    assert len(list(folder.glob("g-*"))) <= 2
    assert list(folder.glob("tmp-*")) == []


def test_searches_during_rebuilds_never_fail(fixture_kb: Path, tmp_path: Path) -> None:
    """Rebuild after rebuild in one process, while searches run in others: every search
    answers (no 'no search index', no EmptyIndexError), whatever generation it meets."""
    assert finish(kbtool("index", root=fixture_kb))[0] == 0
    stop, rounds = tmp_path / "stop", tmp_path / "rounds"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nfrom pathlib import Path\nfrom kbtool.cli import main\n"
            f"stop, rounds = Path({str(stop)!r}), Path({str(rounds)!r})\n"
            "n = 0\n"
            "while not stop.exists() and n < 500:\n"
            "    try:\n"
            f"        main(['--root', {str(fixture_kb)!r}, 'index', '--rebuild'])\n"
            "    except SystemExit as e:\n"
            "        assert not e.code, e.code\n"
            "    n += 1\n"
            "    tmp = rounds.with_suffix('.tmp')\n"
            "    tmp.write_text(str(n))\n"
            "    tmp.replace(rounds)  # atomic: a reader never sees an empty count\n",
        ],
        stderr=subprocess.DEVNULL,
    )
    try:
        while not rounds.exists():
            time.sleep(0.05)
        started = int(rounds.read_text() or 0)
        results = [finish(kbtool("search", "vacatur", "--no-update", root=fixture_kb))]
        readers = [kbtool("search", "vacatur", "--no-update", root=fixture_kb) for _ in range(6)]
        results += [finish(p) for p in readers]
        assert int(rounds.read_text() or 0) > started  # rebuilds ran while they searched
    finally:
        stop.write_text("")
        code = writer.wait(timeout=300)  # never left running, whatever failed above
    assert code == 0
    for code, out, err in results:
        assert code == 0, err
        assert "us-ny-criminal-record-relief" in out


def test_a_reader_keeps_its_generation_until_it_is_done(kb_for_index: KB) -> None:
    reader = SearchIndex(kb_for_index, keep_open=True)
    reader.update()
    first = reader.current()
    assert reader.search("vacatur")[1] >= 1  # holds the readers' lock from now on
    for word in ("one", "two", "three"):
        edit(kb_for_index.root / RECORD, "in the fixture", f"in the fixture {word}")
        SearchIndex(kb_for_index).update()
    assert first is not None and first.is_dir()  # not pruned while read
    reader.close()
    edit(kb_for_index.root / RECORD, "in the fixture", "in the fixture four")
    SearchIndex(kb_for_index).update()
    assert not first.exists()  # pruned once nobody reads it


@pytest.fixture
def kb_for_index(fixture_kb: Path) -> KB:
    return KB(fixture_kb.resolve())


# --- 11. read-only checkout, full disk ---------------------------------------------------


def _failing_write(err: int):
    real_open = os.open

    def fake(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(err, os.strerror(err), str(path))
        return real_open(path, flags, *args, **kwargs)

    return fake


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS])
@pytest.mark.parametrize(
    "args",
    [
        ("search", "vacatur"),
        ("index",),
        ("site",),
        ("new", "remedy", "-j", "NY", "--type", "restitution"),
        ("export", "--format", "csv", "-o", "out.csv"),
    ],
    ids=["search", "index", "site", "new", "export"],
)
def test_a_full_or_read_only_disk_is_a_message_not_a_traceback(
    run, fixture_kb: Path, monkeypatch: pytest.MonkeyPatch, err: int, args: tuple
) -> None:
    if args[0] == "new":
        (fixture_kb / "templates").mkdir(exist_ok=True)
        for kind in ("statute", "remedy"):
            (fixture_kb / "templates" / f"{kind}.yaml").write_text(
                (REPO / "templates" / f"{kind}.yaml").read_text("utf-8"), "utf-8"
            )
    monkeypatch.chdir(fixture_kb)
    monkeypatch.setattr(os, "open", _failing_write(err))
    monkeypatch.setattr(os, "mkdir", _raise(err))
    real_builtin_open = open

    def failing_open(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wax+"):
            raise OSError(err, os.strerror(err), str(file))
        return real_builtin_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert os.strerror(err) in result.stderr
    assert result.stderr.startswith("Error: ")


def _raise(err: int):
    def fake(*args, **kwargs):
        raise OSError(err, os.strerror(err), str(args[0]) if args else "")

    return fake


def test_write_error_names_the_cause() -> None:
    message = str(files.write_error(Path("/x"), OSError(errno.ENOSPC, "No space left on device")))
    assert "disk is full" in message


# --- 6. writing and deleting outside --------------------------------------------------------


def test_site_refuses_a_linked_docs_folder(run, fixture_kb: Path, tmp_path: Path) -> None:
    target = tmp_path / "precious"
    (target / "kb").mkdir(parents=True)
    (target / "kb" / "keep.txt").write_text("mine")
    (fixture_kb / "docs").symlink_to(target, target_is_directory=True)
    result = run("site")
    assert result.exit_code == 1
    assert "symbolic link" in result.stderr
    assert (target / "kb" / "keep.txt").read_text() == "mine"
    assert [p.name for p in target.iterdir()] == ["kb"]


def test_site_refuses_a_linked_docs_kb_folder(run, fixture_kb: Path, tmp_path: Path) -> None:
    target = tmp_path / "precious"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    (fixture_kb / "docs").mkdir()
    (fixture_kb / "docs" / "kb").symlink_to(target, target_is_directory=True)
    result = run("site")
    assert result.exit_code == 1
    assert (target / "keep.txt").read_text() == "mine"
    assert (fixture_kb / "docs" / "kb").is_symlink()


def test_site_refuses_a_linked_out_folder(run, fixture_kb: Path, tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    result = run("site", "--out", str(tmp_path / "link"))
    assert result.exit_code == 1
    assert "symbolic link" in result.stderr


def test_a_vocabulary_key_never_becomes_a_path(run, fixture_kb: Path, tmp_path: Path) -> None:
    edit(fixture_kb / "schema/vocabulary.yaml", "  restitution:\n", "  ../../../../escaped:\n")
    result = run("site")
    assert result.exit_code == 1
    assert "not a plain id" in result.stderr
    assert not list(tmp_path.rglob("escaped*"))
    assert run("validate").exit_code == 1


def test_safe_part_and_safe_rel() -> None:
    for good in ("civil_action", "us-ny", "a1"):
        assert files.safe_part(good) == good
    for bad in ("../x", "..", ".hidden", "a/b", "A", "", "x\n", "a..b"):
        with pytest.raises(files.Refused):
            files.safe_part(bad)
    assert files.safe_rel("compare/civil_action.md")
    for bad in ("../x.md", "/etc/passwd", "a/../../b", ".git/config", "a//b", "x.md\n"):
        with pytest.raises(files.Refused):
            files.safe_rel(bad)


# --- 11. leftovers after a kill; a kill between the two renames of `kbtool site` ----------


def test_site_leftovers_are_swept_when_old(run, fixture_kb: Path) -> None:
    docs = fixture_kb / "docs"
    docs.mkdir()
    old = time.time() - 7200
    left = [docs / ".kb-site-abc123", docs / ".kb-old-.kb-site-x1"]
    for folder in left:
        (folder / "jurisdictions").mkdir(parents=True)
        os.utime(folder, (old, old))
    fresh = docs / ".kb-site-running"  # maybe another `kbtool site` right now: left alone
    fresh.mkdir()
    mine = docs / ".kb-notes"  # not this tool's naming: never touched
    mine.mkdir()
    os.utime(mine, (old, old))
    assert run("site").exit_code == 0
    assert not any(p.exists() for p in left)
    assert fresh.exists() and mine.exists()


def test_site_killed_between_the_renames_is_repaired(run, fixture_kb: Path) -> None:
    assert run("site").exit_code == 0
    docs = fixture_kb / "docs"
    # as a kill right after `docs/kb -> docs/.kb-old-...` and before the staging rename
    (docs / "kb").rename(docs / ".kb-old-.kb-site-killed")
    from kbtool.site import recover

    recover(docs / "kb")
    assert (docs / "kb" / "jurisdictions").is_dir()
    assert not (docs / ".kb-old-.kb-site-killed").exists()


def test_site_swap_is_one_step_when_the_system_can(
    run, fixture_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With renameat2(RENAME_EXCHANGE) there is no moment without docs/kb at all."""
    from kbtool import site

    assert run("site").exit_code == 0
    seen: list[bool] = []
    real_rename = Path.rename

    def watch(self: Path, target):
        seen.append((fixture_kb / "docs" / "kb").exists())
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", watch)
    assert run("site").exit_code == 0
    if site.exchange_supported(fixture_kb / "docs"):
        assert seen == []  # no rename at all: one exchange
    assert (fixture_kb / "docs" / "kb" / "jurisdictions").is_dir()


def test_export_and_new_sweep_their_temporary_files(run, fixture_kb: Path) -> None:
    out = fixture_kb.parent / "out"
    out.mkdir()
    old = time.time() - 7200
    left = out / ".kb.csv.123.456.tmp"
    left.write_text("partial")
    os.utime(left, (old, old))
    other = out / ".kb.csv.notes"
    other.write_text("mine")
    os.utime(other, (old, old))
    assert run("export", "--format", "csv", "-o", str(out / "kb.csv")).exit_code == 0
    assert not left.exists() and other.exists()


def test_index_sweeps_killed_writes(run, fixture_kb: Path) -> None:
    assert run("index").exit_code == 0
    folder = default_dir(KB(fixture_kb.resolve()))
    (folder / ".CURRENT.123.456").write_text("g-1-1\n")
    edit(fixture_kb / RECORD, "in the fixture", "in the fixture again")
    assert run("index").exit_code == 0
    assert not (folder / ".CURRENT.123.456").exists()


# --- 3. hidden records ---------------------------------------------------------------------


def test_hidden_records_are_read_by_nobody(run, fixture_kb: Path) -> None:
    shadow = (
        (fixture_kb / RECORD)
        .read_text("utf-8")
        .replace("Civil action for trafficking victims", "SHADOW TITLE")
    )
    (fixture_kb / "remedies/us-ny/.us-ny-civil-action.yaml").write_text(shadow, "utf-8")
    (fixture_kb / "remedies/.us-nj").mkdir()
    (fixture_kb / "remedies/.us-nj/us-nj-x.yaml").write_text(shadow, "utf-8")
    assert "SHADOW" not in run("remedies", "NY").output
    assert "SHADOW" not in run("search", "shadow", "--json").output
    assert "SHADOW" not in run("export", "--format", "jsonl").output
    assert "SHADOW" not in run("coverage", "--json").output
    assert run("site").exit_code == 0
    site_text = "".join(
        p.read_text("utf-8") for p in (fixture_kb / "docs/kb").rglob("*") if p.is_file()
    )
    assert "SHADOW" not in site_text
    result = run("validate")
    assert result.exit_code == 1
    assert "remedies/us-ny/.us-ny-civil-action.yaml:0:0: hidden-file" in result.output
    named = run("validate", "remedies/us-ny/.us-ny-civil-action.yaml")
    assert named.exit_code == 1 and "hidden-file" in named.output


def test_hidden_non_record_files_are_warnings(run, fixture_kb: Path) -> None:
    (fixture_kb / "remedies/.DS_Store").write_bytes(b"\0\1")
    result = run("validate")
    assert result.exit_code == 0
    assert "hidden-file" in result.output


# --- 4. a trailing newline passes id and reference checks (and other anchors) --------------


def test_every_schema_pattern_refuses_a_trailing_newline() -> None:
    """`$` in Python matches before a final newline: every pattern must end `(?!\\n)$`."""
    found = 0
    for path in sorted((REPO / "schema").glob("*.schema.json")):
        text = path.read_text("utf-8")
        for match in re.finditer(r'"pattern": "((?:[^"\\]|\\.)*)"', text):
            pattern = json.loads(f'"{match.group(1)}"')
            found += 1
            assert pattern.startswith("^") and pattern.endswith("(?!\\n)$"), (path.name, pattern)
    assert found >= 8


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("id", "us-ny-civil-action\n", "bad-id"),
        ("jurisdiction", "US-NY\n", "unknown-jurisdiction"),
        ("last_verified", "2026-11-01\n", "bad-date"),
    ],
)
def test_trailing_newline_values_are_findings(
    run, fixture_kb: Path, field: str, value: str, code: str
) -> None:
    path = fixture_kb / RECORD
    text = path.read_text("utf-8")
    text = re.sub(rf"(?m)^{field}: .*$", f"{field}: {json.dumps(value)}", text)
    path.write_text(text, "utf-8")
    result = run("validate", RECORD)
    assert result.exit_code == 1
    assert code in result.output


def test_trailing_newline_url_and_reference(run, fixture_kb: Path) -> None:
    path = fixture_kb / "remedies/us-ny/us-ny-criminal-record-relief.yaml"
    text = path.read_text("utf-8")
    text = text.replace("statute: us-ny-cpl-440-10", 'statute: "us-ny-cpl-440-10\\n"', 1)
    text = text.replace("url: https://", 'url: "https://', 1)
    text = re.sub(r'(url: "https://\S+)', r'\1\\n"', text, count=1)
    path.write_text(text, "utf-8")
    result = run("validate", "remedies/us-ny/us-ny-criminal-record-relief.yaml")
    assert result.exit_code == 1
    assert "bad-id" in result.output and "bad-url" in result.output


# --- 5. reading through links --------------------------------------------------------------


def test_index_and_search_never_read_through_links_out(
    run, fixture_kb: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text((fixture_kb / RECORD).read_text().replace("Civil action", "HUNTER2"))
    (fixture_kb / "remedies/us-ny/us-ny-secret.yaml").symlink_to(secret)
    (fixture_kb / "remedies/us-ny/us-ny-zero.yaml").symlink_to("/dev/zero")
    (fixture_kb / "remedies/us-ny/us-ny-stdin.yaml").symlink_to("/dev/stdin")
    os.mkfifo(fixture_kb / "remedies/us-ny/us-ny-fifo.yaml")
    (tmp_path / "outfolder").mkdir()
    (tmp_path / "outfolder" / "us-nj-x.yaml").write_text(secret.read_text())
    (fixture_kb / "remedies/us-nj").symlink_to(tmp_path / "outfolder")
    result = run("search", "hunter2", "--json")
    assert "HUNTER2" not in result.output
    assert json.loads(result.stdout)["total"] == 0


@pytest.mark.parametrize(
    "name", ["jurisdictions.yaml", "vocabulary.yaml", "remedy.schema.json", "defs.schema.json"]
)
def test_schema_files_are_never_read_through_links(run, fixture_kb: Path, name: str) -> None:
    (fixture_kb / "schema" / name).unlink()
    (fixture_kb / "schema" / name).symlink_to("/dev/zero")
    for args in (("remedies", "NY"), ("validate",), ("site",), ("export",)):
        result = run(*args)  # each refuses, or does not need the file at all
        assert result.exit_code in (0, 1, 2), (args, result.output)
        assert "Traceback" not in result.output
    assert run("validate").exit_code in (1, 2)
    assert run("site").exit_code in (1, 2)


def test_a_linked_data_license_is_not_copied(run, fixture_kb: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("HUNTER2")
    (fixture_kb / "DATA-LICENSE.md").symlink_to(tmp_path / "secret.txt")
    out = tmp_path / "x.csv"
    assert run("export", "--format", "csv", "-o", str(out)).exit_code == 0
    assert "HUNTER2" not in Path(str(out) + ".license.txt").read_text()
    assert run("site").exit_code == 0
    downloads = fixture_kb / "docs/kb/downloads"
    assert all("HUNTER2" not in p.read_text() for p in downloads.iterdir())


def test_a_linked_template_and_mkdocs_are_not_read(run, fixture_kb: Path, tmp_path: Path) -> None:
    (fixture_kb / "templates").mkdir()
    (fixture_kb / "templates/remedy.yaml").symlink_to("/dev/zero")
    result = run("new", "remedy", "-j", "NY", "--type", "restitution")
    assert result.exit_code == 1 and "no template" in result.stderr
    (tmp_path / "m.yml").write_text("repo_url: https://evil.example/x\n")
    (fixture_kb / "mkdocs.yml").symlink_to(tmp_path / "m.yml")
    assert run("site").exit_code == 0
    pages = (fixture_kb / "docs/kb/jurisdictions/us-ny.md").read_text()
    assert "evil.example" not in pages


def test_gate_refuses_devices_pipes_and_big_files(fixture_kb: Path) -> None:
    root = fixture_kb
    (root / "big.txt").write_bytes(b"x" * 2000)
    with pytest.raises(files.Refused) as caught:
        files.read_bytes(root / "big.txt", root, limit=1000)
    assert caught.value.code == "file-too-large"
    (root / "dev").symlink_to("/dev/zero")
    with pytest.raises(files.Refused):
        files.read_bytes(root / "dev", root)
    os.mkfifo(root / "fifo")
    with pytest.raises(files.Refused) as caught:
        files.read_bytes(root / "fifo", root)
    assert caught.value.code == "not-a-file"
    (root / ".hidden").write_text("x")
    with pytest.raises(files.Refused) as caught:
        files.read_bytes(root / ".hidden", root)
    assert caught.value.code == "hidden-file"


# --- 9. crashes instead of findings --------------------------------------------------------


@pytest.mark.parametrize(
    "value, code",
    [
        ('!!int "abc"', "bad-scalar"),
        ('!!float ""', "bad-scalar"),
        ('!!bool "maybe"', "bad-scalar"),
        ("9" * 4400, "bad-scalar"),
        (".nan", "not-a-number"),
        (".NaN", "not-a-number"),
        (".inf", "not-a-number"),
        ("-.Inf", "not-a-number"),
        ("1.0e+999", "not-a-number"),
        ("1:20", "ambiguous-number"),
        ("-1:20:30.5", "ambiguous-number"),
        ("017", "ambiguous-number"),
        ("0b101", "ambiguous-number"),
        ("1_000", "ambiguous-number"),
        ("yes", "ambiguous-boolean"),
        ("Off", "ambiguous-boolean"),
        ('!!timestamp "not a date"', None),  # read as text: the schema decides
        ("!!null x", "bad-scalar"),
        ("!!null ''", None),
    ],
)
def test_every_scalar_is_a_finding_not_a_traceback(
    run, fixture_kb: Path, value: str, code: str | None
) -> None:
    path = fixture_kb / RECORD
    path.write_text(path.read_text("utf-8") + f"notes: {value}\n", "utf-8")
    result = run("validate", RECORD)
    assert "Traceback" not in result.output
    if code is not None:
        assert result.exit_code == 1
        assert f"{RECORD}:14:8: {code}" in result.output
    for args in (("remedies", "NY"), ("show", "us-ny-civil-action"), ("export",)):
        other = run(*args)
        assert "Traceback" not in other.output
        assert other.exit_code in (0, 1)


@pytest.mark.parametrize("code", ["NO", "no", "Yes", "off", "123", "[US-XX]", "{a: 1}", "~"])
def test_registry_codes_of_any_type_are_findings(run, fixture_kb: Path, code: str) -> None:
    edit(fixture_kb / "schema/jurisdictions.yaml", "  - code: US-WY\n", f"  - code: {code}\n")
    result = run("validate")
    assert result.exit_code == 1
    assert "schema/jurisdictions.yaml:260:" in result.output
    lookup = run("remedies", "NY")
    assert "Traceback" not in lookup.output
    assert lookup.exit_code == 1
    assert "kbtool validate" in lookup.stderr


def test_nan_never_reaches_the_screener_or_json(run, fixture_kb: Path) -> None:
    path = fixture_kb / "remedies/us-ny/us-ny-criminal-record-relief.yaml"
    text = path.read_text("utf-8")
    path.write_text(text + "notes: .nan\n", "utf-8")
    for args in (("screen", "-j", "NY", "--json"), ("export",), ("show", path.stem, "--json")):
        result = run(*args)
        assert "Traceback" not in result.output
        assert "NaN" not in result.stdout


# --- 2. script injection through the registry: escaped where written -----------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</title><script>alert(1)</script>",
    "javascript:alert(1)",
    "[x](javascript:alert(1))",
    "{{ config }}",
    "{% raw %}",
    "<!--",
    "]]>",
    "*__bold__* `code` # heading",
    "'; alert(1); '",
    "\u202eevil",
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_registry_payloads_are_refused_and_escaped(
    run, fixture_kb: Path, payload: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(
        fixture_kb / "schema/jurisdictions.yaml",
        "    name: New York\n",
        f"    name: {json.dumps('New York ' + payload)}\n",
    )
    result = run("validate")
    special = set('<>&"`\\\u202e') & set(payload)
    if special:
        assert result.exit_code == 1
        assert "schema/jurisdictions.yaml:171:" in result.output
    # even when it is not refused, it is escaped where written
    from kbtool import jurisdictions

    monkeypatch.setattr(jurisdictions, "entry_problem", lambda entry: None)
    jurisdictions._load.cache_clear()
    if "\u202e" in payload:  # refused by the loader itself: no page is built at all
        assert run("site").exit_code == 1
        return
    assert run("site").exit_code == 0
    page = (fixture_kb / "docs/kb/jurisdictions/us-ny.md").read_text("utf-8")
    front, body = page.split("\n---\n", 1)
    for raw in ("<script", "<img", "</title", "<!--"):
        assert raw not in page
    title = re.search(r"^title: (.*)$", front, re.M)
    assert title is not None
    assert "<" not in title.group(1) and '\\"' not in title.group(1).strip('"')[:-1]
    jurisdictions._load.cache_clear()


def test_front_matter_values_are_escaped_html_in_quoted_yaml() -> None:
    from kbtool.site import front_matter_text

    text = front_matter_text("A</title><script>alert(1)</script> & 'x' \"y\"")
    assert text.startswith('"') and text.endswith('"')
    assert "<" not in text and ">" not in text
    assert json.loads(text) == (
        "A&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; 'x' &quot;y&quot;"
    )


# --- 7. terminal and annotation injection --------------------------------------------------

ESC = "\x1b[2J\x1b[H"


def test_validate_never_prints_control_characters(run, fixture_kb: Path) -> None:
    path = fixture_kb / RECORD
    path.write_text(path.read_text("utf-8") + '"\\e[2J\\e[Hno problems\\r\\x9b31m": x\n', "utf-8")
    for fmt in ("text", "github"):
        result = run("validate", "--format", fmt)
        assert result.exit_code == 1
        assert "\x1b" not in result.output and "\r" not in result.output
        assert "\x9b" not in result.output
        assert "\\x1b[2J" in result.output
    js = run("validate", "--format", "json")
    assert "\x1b" not in js.output and "\x9b" not in js.output
    json.loads(js.stdout)


def test_search_remedies_show_never_print_control_characters(run, fixture_kb: Path) -> None:
    edit(
        fixture_kb / RECORD,
        "title: Civil action for trafficking victims",
        'title: "Civil action\\rFAKE\\u009b2J\\u202e for trafficking victims"',
    )
    for args in (
        ("search", "trafficking"),
        ("search", "trafficking", "--json"),
        ("remedies", "NY"),
        ("remedies", "NY", "--json"),
        ("show", "us-ny-civil-action"),
        ("show", "us-ny-civil-action", "--json"),
        ("compare", "NY", "US"),
        ("compare", "NY", "US", "--format", "markdown"),
    ):
        result = run(*args)
        assert result.exit_code in (0, 1), args
        for ch in ("\r", "\x1b", "\x9b", "\u202e"):
            assert ch not in result.output, (args, ch)


def test_error_messages_never_print_control_characters(run) -> None:
    result = run("remedies", f"{ESC}NY")
    assert result.exit_code == 2
    assert "\x1b" not in result.output


def test_terminal_text_escapes_visibly() -> None:
    from kbtool.render import terminal_text

    shown = terminal_text("a\x1b[2Jb\r\x9b\u202e\x00\tc\nd")
    assert shown == "a\\x1b[2Jb\\r\\x9b\\u202e\\x00\tc\nd"
    assert terminal_text("line\nbreak", keep_newlines=False) == "line\\nbreak"


# --- 8. CSV export --------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_could_be_formulas_are_neutralised(start: str) -> None:
    from kbtool.export import _cell, to_csv

    assert _cell(f"{start}HYPERLINK(1)").startswith("'")
    text = to_csv(
        {"statutes": [{"title": f"{start}cmd|' /C calc'!A0", "id": "a"}], "remedies": []},
        [("id", ""), ("title", "")],
    )
    rows = list(__import__("csv").reader(text.splitlines(keepends=True)))
    assert rows[1][1].startswith("'")


def test_csv_control_characters_are_quoted_and_rows_never_split(run, fixture_kb: Path) -> None:
    edit(
        fixture_kb / RECORD,
        "title: Civil action for trafficking victims",
        'title: "=HYPERLINK(\\"http://evil\\")\\rINJECTED,ROW"',
    )
    result = run("export", "--format", "csv")
    import csv
    import io

    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert len(rows) == 1 + 5  # header and five records: the CR split nothing
    titles = [r[rows[0].index("title")] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil")\rINJECTED,ROW' in titles
    assert "\"'=HYPERLINK" in result.stdout
    assert run("site").exit_code == 0
    with open(fixture_kb / "docs/kb/downloads/trafficking-survivor-remedies.csv", newline="") as f:
        download = f.read()
    assert download == result.stdout.replace("\r\n", "\n") or "'=HYPERLINK" in download
    assert "\n=HYPERLINK" not in download and ",=HYPERLINK" not in download


def test_compare_csv_is_neutralised_too(run, fixture_kb: Path) -> None:
    edit(fixture_kb / RECORD, "title: Civil action for trafficking victims", "title: =1+1")
    result = run("compare", "NY", "US", "--format", "csv")
    assert ",=1+1" not in result.stdout


# --- 11. compare --format markdown; long queries ---------------------------------------------


def test_compare_markdown_escapes_html_and_pipes(run, fixture_kb: Path) -> None:
    edit(
        fixture_kb / "statutes/us-ny/us-ny-cpl-440-10.yaml",
        "citation: N.Y. Crim. Proc. Law § 440.10",
        'citation: "<script>alert(1)</script> | col"',
    )
    args = ("compare", "NY", "US", "--format", "markdown", "--type", "criminal_record_relief")
    result = run(*args)
    assert result.exit_code == 0
    assert "alert(1)" in result.stdout  # the citation is shown...
    assert "<script>" not in result.stdout  # ...inert
    for line in result.stdout.splitlines():
        if line.startswith("| "):
            assert line.count("|") - line.count("\\|") == 4  # field + two columns


def test_a_huge_query_is_a_usage_error(run) -> None:
    result = run("search", " ".join(["vacatur"] * 10_000))
    assert result.exit_code == 2
    assert "too long" in result.stderr


def test_a_long_query_within_the_limit_works(run) -> None:
    result = run("search", " OR ".join(["vacatur"] * 60))
    assert result.exit_code == 0, result.output


# --- the CI guards, as tests ------------------------------------------------------------------


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)


def test_no_ignored_or_generated_file_is_tracked() -> None:
    """What CI's `git ls-files -ci --exclude-standard` step checks on every pull request."""
    probe = _git("rev-parse", "--is-inside-work-tree")
    if probe.returncode != 0 or probe.stdout.strip() != "true":
        pytest.skip("not a git checkout")
    tracked = _git("ls-files", "-ci", "--exclude-standard").stdout.split()
    assert tracked == []


def test_ignored_paths_cover_what_kbtool_generates() -> None:
    ignored = (REPO / ".gitignore").read_text("utf-8").split()
    for generated in ("site/", "docs/kb/", ".kbindex/", "exports/"):
        assert generated in ignored


WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_actions_are_pinned_by_commit_sha(path: Path) -> None:
    uses = re.findall(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$", path.read_text("utf-8"), re.M)
    assert uses
    for ref, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), ref
        assert re.search(r"#\s*v\d+\.\d+\.\d+", comment), (ref, "say which version")


def test_records_job_checks_everything_when_build_files_change() -> None:
    text = (REPO / ".github/workflows/ci.yml").read_text("utf-8")
    line = next(x for x in text.splitlines() if "git diff --quiet" in x)
    for path in (
        "schema",
        "kbtool",
        "templates",
        "mkdocs.yml",
        "pyproject.toml",
        "Makefile",
        "docs",
        "CONTRIBUTING.md",
        ".github",
    ):
        assert f" {path}" in line, path
    assert "git ls-files -ci --exclude-standard" in text


def test_pages_build_installs_only_the_site_extras() -> None:
    text = (REPO / ".github/workflows/site.yml").read_text("utf-8")
    assert "dev" not in re.sub(r"(?m)^\s*#.*$", "", text).replace("deploy", "")
    assert "EXTRAS=site" in text


def test_mkdocs_config_runs_no_hooks() -> None:
    """mkdocs.yml can name Python hooks that run at build time: none, and a PR changing
    mkdocs.yml gets every record checked (above)."""
    text = (REPO / "mkdocs.yml").read_text("utf-8")
    assert not re.search(r"(?m)^hooks:", text)
    assert "!!python" not in text


# --- registry and vocabulary values reach the CLI safely --------------------------------------


def test_strict_registry_for_lookups(fixture_kb: Path) -> None:
    edit(fixture_kb / "schema/jurisdictions.yaml", "    name: New York\n", '    name: "N<Y"\n')
    from kbtool import jurisdictions

    jurisdictions._load.cache_clear()
    with pytest.raises(KBError):
        Corpus(KB(fixture_kb.resolve())).registry  # noqa: B018
    jurisdictions._load.cache_clear()


def test_usage_errors_stay_usage_errors() -> None:
    assert issubclass(KBUsageError, KBError)
    assert main.name == "main"


# --- 2 (variant). The site's own 12 payloads, over every registry text -----------------------


def test_site_payloads_over_registry_names_are_inert(
    fixture_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tests/test_site.py's payloads, in a registry name, official name and alias: what
    validation would refuse is still escaped where it is written."""
    from test_site import PAYLOADS, assert_inert, render

    from kbtool import jurisdictions
    from kbtool.site import SiteConfig, generate

    path = fixture_kb / "schema/jurisdictions.yaml"
    original = path.read_text("utf-8")
    monkeypatch.setattr(jurisdictions, "entry_problem", lambda entry: None)
    for payload in PAYLOADS:
        text = original.replace("    name: New York\n", f"    name: {json.dumps(payload)}\n", 1)
        text = text.replace(
            "official_name: State of New York", f"official_name: {json.dumps(payload)}", 1
        )
        text = text.replace('aliases: ["NY", ', f"aliases: [{json.dumps(payload)}, ", 1)
        path.write_text(text, "utf-8")
        jurisdictions._load.cache_clear()
        refused = validate_registry(fixture_kb)
        assert refused or not set('<>&"`\\\n') & set(payload), payload
        pages = generate(Corpus(KB(fixture_kb.resolve())), SiteConfig(as_of="2026-11-28"))
        for rel, page in pages.items():
            if not rel.endswith(".md"):
                continue
            front, _, body = page.partition("\n---\n") if page.startswith("---") else ("", "", page)
            assert "<" not in front and "\n" not in front.partition("title: ")[2].split("\n")[0]
            assert_inert(render(body))
        js = pages["data/compare-data.js"]
        assert "</" not in js and "<!--" not in js
    jurisdictions._load.cache_clear()


def validate_registry(root: Path) -> bool:
    from kbtool.validate import validate

    report = validate(KB(root.resolve()))
    return any(f.path == "schema/jurisdictions.yaml" for f in report.findings)


# --- variants: other files in schema/, other folders for the index -----------------------------


@pytest.mark.parametrize(
    "content", ["{", "[]", '{"$ref": "#/nowhere"}', '{"pattern": "("}', "x" * (2 * 1024 * 1024)]
)
def test_a_broken_schema_file_is_a_message_not_a_traceback(
    run, fixture_kb: Path, content: str
) -> None:
    (fixture_kb / "schema/remedy.schema.json").write_text(content, "utf-8")
    jsonschema_cache_clear()
    for args in (("validate",), ("site",)):
        result = run(*args)
        assert result.exit_code in (1, 2), (args, result.output)
        assert "Traceback" not in result.output
        assert result.stderr.startswith("Error: ") or "schema" in result.output
    result = run("compare", "NY", "US")  # does without the schema, or says why not
    assert result.exit_code in (0, 1) and "Traceback" not in result.output


def jsonschema_cache_clear() -> None:
    from kbtool import compare, schema

    schema._validators.cache_clear()
    schema._fast_checks.cache_clear()
    compare._schema.cache_clear()


def test_an_index_dir_that_is_a_file_is_refused(run, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = run("index", "--index-dir", str(tmp_path / "file"))
    assert result.exit_code == 2
    assert "is a file" in result.stderr or "not a folder" in result.stderr


def test_registry_entry_of_the_wrong_shape_never_crashes(run, fixture_kb: Path) -> None:
    path = fixture_kb / "schema/jurisdictions.yaml"
    for bad in (
        "  - 5\n",
        "  - [a, b]\n",
        "  - {code: US-ZZ}\n",
        "  - {code: US-ZZ, name: 7}\n",
        "  - {code: US-ZZ, name: Z, kind: state, aliases: 5, official_name: [x]}\n",
        "  - {code: US-ZZ, name: Z, kind: state, aliases: {a: b}}\n",
    ):
        path.write_text(path.read_text("utf-8") + bad, "utf-8")
        result = run("validate")
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "schema/jurisdictions.yaml" in result.output
        assert run("remedies", "NY").exit_code == 1
        path.write_text(path.read_text("utf-8").replace(bad, ""), "utf-8")
