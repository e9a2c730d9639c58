"""`kbtool index` and `kbtool search` on the fixture knowledge base, exact output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbtool.cli import main
from kbtool.index import default_dir
from kbtool.kb import KB

SEARCH_440_10 = """\
2 results for 440.10

1. us-ny-criminal-record-relief (remedy, US-NY)
   Vacatur for trafficking survivors
   N.Y. Crim. Proc. Law § 440.10(1)(i)
   Summary: A survivor may move to vacate convictions that resulted from being
   trafficked.

2. us-ny-cpl-440-10 (statute, US-NY)
   Motion to vacate judgment
   N.Y. Crim. Proc. Law § 440.10
   Summary: Lets a court vacate a judgment of conviction on listed grounds,
   including that the defendant's participation in the offense was a result of
   having been a trafficking victim.
"""


@pytest.fixture(autouse=True)
def _no_index_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KBTOOL_INDEX_DIR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def index_dir(root: Path) -> Path:
    """Where kbtool keeps the index of a checkout: a cache folder outside it."""
    return default_dir(KB(root.resolve()))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_index_then_up_to_date_then_update_then_rebuild(run, fixture_kb: Path) -> None:
    first = run("index")
    assert (first.exit_code, first.output) == (0, f"Indexed 5 records in {index_dir(fixture_kb)}\n")
    assert (index_dir(fixture_kb) / "CURRENT").is_file()
    assert not (fixture_kb / ".kbindex").exists()
    assert run("index").output == "Index up to date: 5 records\n"
    edit(fixture_kb / "statutes/us-ny/us-ny-cpl-440-10.yaml", "§ 440.10", "§ 440.11")
    assert run("index").output == (
        "Index updated: 0 added, 2 updated, 0 removed, 3 unchanged\n"
    )  # the statute and the remedy that cites it
    assert run("index", "--rebuild").output == f"Indexed 5 records in {index_dir(fixture_kb)}\n"


def test_index_dir_option_and_environment(
    run, fixture_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("index", "--index-dir", str(tmp_path / "a"))
    assert result.output == f"Indexed 5 records in {tmp_path / 'a'}\n"
    monkeypatch.setenv("KBTOOL_INDEX_DIR", str(tmp_path / "b"))
    assert run("search", "vacatur").exit_code == 0
    assert (tmp_path / "b" / "CURRENT").is_file()
    assert not (Path(os.environ["XDG_CACHE_HOME"]) / "kbtool").exists()


def test_index_reports_unreadable_files_and_exits_1(run, fixture_kb: Path) -> None:
    (fixture_kb / "remedies/us-ny/us-ny-broken.yaml").write_text("id: [x\n", "utf-8")
    result = run("index")
    assert result.exit_code == 1
    assert result.output == (
        f"Indexed 5 records in {index_dir(fixture_kb)}\n"
        "1 file could not be read and is not searchable (run `kbtool validate`): "
        "remedies/us-ny/us-ny-broken.yaml\n"
    )


def test_search_builds_the_index_on_first_use(run, fixture_kb: Path) -> None:
    result = run("search", "440.10")
    assert result.exit_code == 0
    assert result.stdout == SEARCH_440_10
    assert result.stderr == f"Indexed 5 records in {index_dir(fixture_kb)}\n"
    again = run("search", "440.10")
    assert (again.stdout, again.stderr) == (SEARCH_440_10, "")


def test_search_json(run) -> None:
    result = run("search", "440.10", "--json")
    data = json.loads(result.stdout)
    assert data["query"] == "440.10" and data["total"] == 2
    first = data["results"][0]
    assert first["id"] == "us-ny-criminal-record-relief"
    assert first["jurisdiction"] == "US-NY"
    assert first["citation"] == "N.Y. Crim. Proc. Law § 440.10(1)(i)"
    assert first["remedy_type"] == "criminal_record_relief"
    assert first["path"] == "remedies/us-ny/us-ny-criminal-record-relief.yaml"
    assert first["snippet"].startswith("Summary: A survivor may move")  # 440.10: citation only
    assert first["score"] > data["results"][1]["score"] > 0
    assert data["results"][1]["remedy_type"] is None


def test_search_words_join_into_one_query_and_limit(run) -> None:
    result = run("search", "knowingly", "benefits", "--limit", "1")
    assert result.stdout.splitlines()[0] == "1 of 2 results for knowingly benefits"
    assert result.stdout.count("\n1. ") == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("victim", "--jurisdiction", "US"), ["us-18-usc-1595", "us-civil-action-1595"]),
        (("victim", "-j", "federal", "--kind", "statute"), ["us-18-usc-1595"]),
        (
            ("trafficking", "--jurisdiction", "New York", "--type", "civil_action"),
            ["us-ny-civil-action"],
        ),
        (("vacatur", "--jurisdiction", "US"), []),
        (("civil", "--type", "civil_action"), ["us-civil-action-1595", "us-ny-civil-action"]),
        (('"vacate convictions"',), ["us-ny-criminal-record-relief"]),
        (("available:unknown",), ["us-ny-civil-action"]),
        (('"vacate convictions" AND vacatur',), ["us-ny-criminal-record-relief"]),
        (
            ('victim AND "knowingly benefits"', "-j", "US"),
            ["us-18-usc-1595", "us-civil-action-1595"],
        ),
    ],
)
def test_search_filters(run, args: tuple[str, ...], expected: list[str]) -> None:
    result = run("search", *args, "--json")
    assert result.exit_code == 0, result.output
    assert sorted(r["id"] for r in json.loads(result.stdout)["results"]) == sorted(expected)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (('"vacatur',), 'unbalanced quote in \'"vacatur\': a "phrase" needs a closing "'),
        (("bogus:x",), "unknown field 'bogus' in 'bogus:x'"),
        (("vacatur", "AND"), "'vacatur AND' starts or ends with an operator"),
        (("x", "--jurisdiction", "Narnia"), "unknown jurisdiction 'Narnia'"),
        (("x", "--type", "divorce"), "unknown remedy type 'divorce'"),
        (("x", "--kind", "treaty"), "Invalid value for '--kind'"),
        (("x", "--limit", "0"), "Invalid value for '--limit'"),
    ],
)
def test_bad_searches_exit_2_with_a_clear_message(
    run, fixture_kb: Path, args: tuple[str, ...], message: str
) -> None:
    result = run("search", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert not index_dir(fixture_kb).exists()  # refused before any indexing


def test_no_results(run) -> None:
    result = run("search", "zanzibar")
    assert (result.exit_code, result.stdout) == (0, "No results for zanzibar\n")


def test_record_edited_between_two_searches(run, fixture_kb: Path) -> None:
    assert run("search", "zanzibar").stdout == "No results for zanzibar\n"
    edit(
        fixture_kb / "remedies/us-ny/us-ny-civil-action.yaml",
        "title: Civil action for trafficking victims",
        "title: Civil action for trafficking victims in Zanzibar",
    )
    result = run("search", "zanzibar")
    assert result.stderr == "Index updated: 0 added, 1 updated, 0 removed, 4 unchanged\n"
    assert result.stdout.splitlines()[:4] == [
        "1 result for zanzibar",
        "",
        "1. us-ny-civil-action (remedy, US-NY)",
        "   Civil action for trafficking victims in Zanzibar",
    ]


def test_deleted_record_disappears_from_results(run, fixture_kb: Path) -> None:
    assert "us-ny-cpl-440-10" in run("search", "440.10").stdout
    (fixture_kb / "statutes/us-ny/us-ny-cpl-440-10.yaml").unlink()
    result = run("search", "440.10", "--json")
    assert result.stderr == "Index updated: 0 added, 1 updated, 1 removed, 3 unchanged\n"
    # the remedy stays (its file did not change) but no longer carries the citation
    # (and its sources, which name CPL 440.10, are not searched)
    assert json.loads(result.stdout)["results"] == []
    found = json.loads(run("search", "vacate", "--json").stdout)["results"]
    assert [(r["id"], r["citation"]) for r in found] == [("us-ny-criminal-record-relief", "")]


def test_no_update_answers_from_the_stale_index_and_says_so(run, fixture_kb: Path) -> None:
    run("index")
    edit(fixture_kb / "remedies/us-ny/us-ny-civil-action.yaml", "in the fixture", "in zanzibar")
    result = run("search", "zanzibar", "--no-update")
    assert result.exit_code == 0
    assert result.stdout == "No results for zanzibar\n"
    assert result.stderr == (
        "warning: the index is stale: 1 record file(s) changed and 0 removed since it was "
        "built; run `kbtool index`\n"
    )
    stale = json.loads(run("search", "fixture", "--no-update", "--json").stdout)
    assert stale["stale"] == {"changed": 1, "removed": 0}
    assert "us-ny-civil-action" in [r["id"] for r in stale["results"]]
    assert "us-ny-civil-action" in run("search", "zanzibar").stdout  # now brought up to date


def test_no_update_without_an_index_is_an_error(run, fixture_kb: Path) -> None:
    result = run("search", "x", "--no-update")
    assert result.exit_code == 1
    assert f"no search index in {index_dir(fixture_kb)} yet; run `kbtool index`" in result.stderr


def test_empty_corpus(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    (root / "schema").mkdir(parents=True)
    (root / "schema/jurisdictions.yaml").write_text("jurisdictions: []\n", "utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["--root", str(root), "index"])
    assert (result.exit_code, result.output) == (0, f"Indexed 0 records in {index_dir(root)}\n")
    result = runner.invoke(main, ["--root", str(root), "search", "vacatur"])
    assert (result.exit_code, result.stdout) == (0, "No results for vacatur\n")


def test_remedies_with_federal(run) -> None:
    plain = run("remedies", "NY").output
    both = run("remedies", "NY", "--with-federal").output
    state_part = plain.split("\nFederal remedies apply")[0]
    assert both.startswith(state_part)
    assert "Federal remedies apply in every state" not in both
    assert both[len(state_part) :].startswith(
        "\nUnited States (federal) (US): 1 remedy record\n\nCivil action\n"
        "  Federal civil action [available]\n    id: us-civil-action-1595\n"
    )
    assert both.count("Legal information, not legal advice") == 1
    items = json.loads(run("remedies", "NY", "--with-federal", "--json").output)
    assert [i["id"] for i in items] == [
        "us-ny-criminal-record-relief",
        "us-ny-civil-action",
        "us-civil-action-1595",
    ]
    typed = json.loads(
        run("remedies", "NY", "--with-federal", "--type", "civil_action", "--json").output
    )
    assert [i["id"] for i in typed] == ["us-ny-civil-action", "us-civil-action-1595"]
    assert run("remedies", "US", "--with-federal").output == run("remedies", "US").output


class FakeTerminal:
    """A stderr that says it is a terminal, to see the progress bar."""

    def __init__(self) -> None:
        import io

        self.buffer = io.StringIO()

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return self.buffer.write(text)

    def flush(self) -> None:
        pass


def test_progress_bar_only_on_a_terminal_and_after_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from kbtool.cli import _LazyProgress

    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with _LazyProgress("Indexing") as quick:  # done within the second: nothing shown
        for done in range(1, 11):
            quick(done, 10)
    assert terminal.buffer.getvalue() == ""
    with _LazyProgress("Indexing", delay=0) as slow:
        for done in range(1, 11):
            slow(done, 10)
    shown = terminal.buffer.getvalue()
    assert "Indexing" in shown and "100%" in shown
    monkeypatch.setattr(terminal, "isatty", lambda: False)
    terminal.buffer.truncate(0)
    with _LazyProgress("Indexing", delay=0) as piped:
        for done in range(1, 11):
            piped(done, 10)
    assert terminal.buffer.getvalue() == ""
