"""Record history, changes and the Atom feed, from temporary git repositories.

Each test builds its own small repository (never the real one's history, which CI may
clone shallow or full) with dated commits that add, change (flipping `available`),
rename and remove records, touch code, and carry hostile messages and blobs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, make_kb

from kbtool import history
from kbtool.cli import main
from kbtool.corpus import Corpus
from kbtool.kb import KB, KBUsageError
from kbtool.site import SiteConfig, generate

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ATOM = "{http://www.w3.org/2005/Atom}"
NY_CIVIL = "remedies/us-ny/us-ny-civil-action.yaml"
NY_CIVIL_NEW = "remedies/us-ny/us-ny-civil-action-statutory.yaml"
NY_RELIEF = "remedies/us-ny/us-ny-criminal-record-relief.yaml"
US_CIVIL = "remedies/us/us-civil-action-1595.yaml"
NY_STATUTE = "statutes/us-ny/us-ny-cpl-440-10.yaml"
ESC_MESSAGE = "Flip NY civil action \x1b[31mred\x1b[0m \u202eevil to available"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("GIT_"):
            del env[key]
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    done = subprocess.run(
        [
            "git",
            "-c",
            "user.name=Test Author",
            "-c",
            "user.email=test@example.org",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            "-C",
            str(repo),
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def commit(repo: Path, message: str, date: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, date=date)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


def build_repo(root: Path) -> Path:
    """The fixture knowledge base with six dated commits (see the module docstring)."""
    make_kb(root)
    (root / "kbtool").mkdir()
    (root / "kbtool/code.py").write_text("print('code')\n")
    git(root, "init", "-q")
    commit(root, "Add the records", "2026-01-10T12:00:00+00:00")
    # 2: available unknown -> true, a nested field, a hostile message; 23:30 at UTC-5 is
    # the next day in UTC.
    edit(root / NY_CIVIL, "available: unknown", "available: true")
    edit(root / NY_CIVIL, "Research could not settle this", "Settled")
    edit(root / NY_RELIEF, "rule: due_diligence", "rule: none")
    commit(
        root, ESC_MESSAGE + "\n\nBody line that is not the summary.", "2026-02-15T23:30:00-05:00"
    )
    # 3: rename (id changes with the file name); code changes are never listed
    git(root, "mv", NY_CIVIL, NY_CIVIL_NEW)
    edit(root / NY_CIVIL_NEW, "id: us-ny-civil-action", "id: us-ny-civil-action-statutory")
    (root / "kbtool/code.py").write_text("print('more code')\n")
    commit(root, "Rename the NY civil action record", "2026-03-20T09:00:00+00:00")
    # 4: removal, and a title with markup (escaped in pages and feed)
    (root / US_CIVIL).unlink()
    edit(
        root / NY_RELIEF,
        "title: Vacatur for trafficking survivors",
        'title: "<script>alert(1)</script> & Vacatur for trafficking survivors"',
    )
    commit(root, "Remove the federal civil action; retitle NY vacatur", "2026-04-25T10:00:00+00:00")
    # 5: formatting only (a comment), plus non-record files in the data folders
    edit(root / NY_STATUTE, "id: us-ny-cpl-440-10", "# a comment\nid: us-ny-cpl-440-10")
    (root / "remedies/us-ny/notes.txt").write_text("not a record\n")
    (root / "remedies/us-ny/Bad Name.yaml").write_text("id: x\n")
    commit(root, "Formatting and stray files", "2026-05-05T10:00:00+00:00")
    # 6: hostile blobs: a python tag, an alias bomb start, an oversized file
    (root / "remedies/us-ny/us-ny-evil.yaml").write_text(
        "id: !!python/object/apply:os.system ['touch PWNED']\ntitle: evil\n"
    )
    (root / "remedies/us-ny/us-ny-huge.yaml").write_text("title: huge\nsummary: " + "x" * 300_000)
    (root / "remedies/us-ny/us-ny-link.yaml").symlink_to("/etc/passwd")
    commit(root, "Hostile blobs", "2026-06-01T10:00:00+00:00")
    # 7: they go again, so that the site can be built from the checkout
    for name in (
        "us-ny-evil.yaml",
        "us-ny-huge.yaml",
        "us-ny-link.yaml",
        "Bad Name.yaml",
        "notes.txt",
    ):
        (root / "remedies/us-ny" / name).unlink()
    commit(root, "Remove the hostile blobs", "2026-06-02T10:00:00+00:00")
    return root


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repo(tmp_path_factory.mktemp("hist") / "kb")


def run_cli(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False)


# --- history ---------------------------------------------------------------------------------


def test_history_follows_a_rename_and_reports_fields_and_available(repo: Path) -> None:
    result = history.history(KB(repo), "us-ny-civil-action-statutory")
    assert result.exists and result.path == NY_CIVIL_NEW and not result.shallow
    assert [c.action for c in result.changes] == ["renamed", "changed", "added"]
    assert [c.day for c in result.changes] == ["2026-03-20", "2026-02-16", "2026-01-10"]
    renamed, changed, added = result.changes
    assert renamed.old_path == NY_CIVIL and renamed.fields == ("id",)
    assert changed.fields == ("summary", "available")
    assert (changed.available_before, changed.available_after) == ("unknown", True)
    assert "available: unknown -> true" in changed.describe()
    assert (added.available_before, added.available_after) == (None, "unknown")


def test_history_names_nested_fields(repo: Path) -> None:
    result = history.history(KB(repo), "us-ny-criminal-record-relief")
    assert [c.action for c in result.changes] == ["changed", "changed", "added"]
    retitled, nested, _ = result.changes
    assert retitled.fields == ("title",)
    assert nested.fields == ("record_relief",)
    assert nested.paths == ("record_relief.time_limit.rule",)
    assert nested.available_before is True and nested.available_after is True
    assert "available" not in nested.describe()


def test_history_of_a_removed_record(repo: Path) -> None:
    result = history.history(KB(repo), "us-civil-action-1595")
    assert not result.exists and result.path == US_CIVIL
    assert [(c.action, c.day) for c in result.changes] == [
        ("removed", "2026-04-25"),
        ("added", "2026-01-10"),
    ]
    assert result.changes[0].available_before is True
    assert result.changes[0].available_after is None


def test_history_formatting_only_change_is_marked(repo: Path) -> None:
    result = history.history(KB(repo), "us-ny-cpl-440-10")
    latest = result.changes[0]
    assert latest.action == "changed" and latest.fields == () and not latest.substantive
    assert latest.describe() == "formatting only: no field changed"


@pytest.mark.parametrize("bad", ["../etc/passwd", "US-NY-X", "us-ny/../x", "-rf", "a b"])
def test_history_refuses_what_is_not_an_id(repo: Path, bad: str) -> None:
    with pytest.raises(KBUsageError):
        history.history(KB(repo), bad)


def test_history_of_an_unknown_id(repo: Path) -> None:
    with pytest.raises(KBUsageError, match="no record with id"):
        history.history(KB(repo), "us-ny-never-existed")


def test_commit_messages_are_escaped(repo: Path) -> None:
    result = history.history(KB(repo), "us-ny-civil-action-statutory")
    summary = result.changes[1].summary
    assert summary == (
        "Flip NY civil action \\u001b[31mred\\u001b[0m \\u202eevil to available"
    )  # first line only, every control character visible
    out = run_cli(repo, "history", "us-ny-civil-action-statutory")
    assert out.exit_code == 0
    assert not CONTROL.search(out.output)
    assert "\\u001b[31mred" in out.output


# --- changes ---------------------------------------------------------------------------------


def test_changes_lists_records_newest_first_without_code(repo: Path) -> None:
    log = history.changes(KB(repo))
    paths = {c.path for c in log.changes}
    assert not any(p.startswith("kbtool") for p in paths)
    assert "remedies/us-ny/notes.txt" not in paths and not any("Bad Name" in p for p in paths)
    days = [c.day for c in log.changes]
    assert days == sorted(days, reverse=True)
    assert days[0] == "2026-06-02" and days[-1] == "2026-01-10"


def test_changes_since_and_until(repo: Path) -> None:
    log = history.changes(KB(repo), dt.date(2026, 2, 16), dt.date(2026, 3, 31))
    assert [(c.action, c.record_id) for c in log.changes] == [
        ("renamed", "us-ny-civil-action-statutory"),
        ("changed", "us-ny-civil-action"),
        ("changed", "us-ny-criminal-record-relief"),
    ]
    # 2026-02-15 23:30 at UTC-5 is 2026-02-16 in UTC: not on the 15th
    assert history.changes(KB(repo), dt.date(2026, 2, 15), dt.date(2026, 2, 15)).changes == []


def test_changes_for_one_jurisdiction(repo: Path) -> None:
    log = history.changes(KB(repo), dt.date(2026, 1, 1), jurisdiction_folder="us")
    assert [(c.action, c.record_id) for c in log.changes] == [
        ("removed", "us-civil-action-1595"),
        ("added", "us-civil-action-1595"),
        ("added", "us-18-usc-1595"),
    ]


def test_changes_until_before_since_is_a_usage_error(repo: Path) -> None:
    with pytest.raises(KBUsageError, match="before --since"):
        history.changes(KB(repo), dt.date(2026, 5, 1), dt.date(2026, 4, 1))


def test_hostile_blobs_are_parsed_never_run(repo: Path) -> None:
    log = history.changes(KB(repo), dt.date(2026, 6, 1), dt.date(2026, 6, 1))
    by_id = {c.record_id: c for c in log.changes}
    assert set(by_id) == {"us-ny-evil", "us-ny-huge", "us-ny-link"}
    assert by_id["us-ny-evil"].title is None  # the tag is refused: no data
    assert by_id["us-ny-huge"].title is None  # over the size limit: not parsed
    assert by_id["us-ny-link"].title is None  # a link's blob is its target's name, not followed
    assert not (repo / "PWNED").exists() and not Path("PWNED").exists()


def test_cli_changes_text_and_json(repo: Path) -> None:
    out = run_cli(repo, "changes", "--since", "2026-02-01", "--until", "2026-05-31", "-j", "NY")
    assert out.exit_code == 0, out.output
    assert "us-ny-civil-action-statutory (New York)" in out.output
    # only the id changed with the file name
    assert (
        "renamed from us-ny-civil-action (remedies/us-ny/us-ny-civil-action.yaml)\n" in out.output
    )
    assert "1 formatting-only change not shown (--all shows them)." in out.output
    assert not CONTROL.search(out.output)
    data = json.loads(
        run_cli(repo, "changes", "--since", "2026-02-16", "--until", "2026-02-16", "--json").output
    )
    assert data["since"] == data["until"] == "2026-02-16" and data["shallow"] is False
    civil = next(c for c in data["changes"] if c["id"] == "us-ny-civil-action")
    assert civil["available"] == {"before": "unknown", "after": True}
    assert civil["jurisdiction"] == "US-NY" and civil["jurisdiction_folder"] == "us-ny"
    assert civil["fields"] == ["summary", "available"]
    assert civil["date"] == "2026-02-15T23:30:00-05:00"
    everything = json.loads(
        run_cli(repo, "changes", "--since", "2026-05-05", "--all", "--json").output
    )
    assert any(c["formatting_only"] for c in everything["changes"])


@pytest.mark.parametrize(
    "args",
    [
        ["changes"],
        ["changes", "--since", "2026-13-01"],
        ["changes", "--since", "2026-05-01", "--until", "2026-04-01"],
        ["changes", "--since", "2026-01-01", "-j", "Atlantis"],
        ["history", "../x"],
        ["history", "us-ny-never-existed"],
    ],
)
def test_cli_usage_errors_exit_2(repo: Path, args: list[str]) -> None:
    out = run_cli(repo, *args)
    assert out.exit_code == 2, out.output
    assert "Traceback" not in out.output


def test_cli_history_json(repo: Path) -> None:
    out = run_cli(repo, "history", "us-civil-action-1595", "--json")
    data = json.loads(out.output)
    assert data["exists"] is False and data["path"] == US_CIVIL
    assert [c["action"] for c in data["changes"]] == ["removed", "added"]


# --- without history, or with part of it -------------------------------------------------------


def test_knowledge_base_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    kb = make_kb(outer / "data")
    git(outer, "init", "-q")
    commit(outer, "Add", "2026-01-10T12:00:00+00:00")
    edit(kb / NY_CIVIL, "available: unknown", "available: false")
    commit(outer, "Researched: none", "2026-01-11T12:00:00+00:00")
    result = history.history(KB(kb), "us-ny-civil-action")
    assert result.path == NY_CIVIL
    assert [(c.action, c.available_after) for c in result.changes] == [
        ("changed", False),
        ("added", "unknown"),
    ]
    log = history.changes(KB(kb), dt.date(2026, 1, 11))
    assert [(c.path, c.fields) for c in log.changes] == [(NY_CIVIL, ("available",))]


def test_not_a_git_checkout(fixture_kb: Path) -> None:
    with pytest.raises(history.HistoryUnavailable, match="not a git checkout"):
        history.changes(KB(fixture_kb))
    out = run_cli(fixture_kb, "history", "us-ny-civil-action")
    assert out.exit_code == 1 and "not a git checkout" in out.output
    pages = generate(Corpus(KB(fixture_kb)), SiteConfig(as_of="unknown"))
    assert "No history in this build" in pages["changes.md"]
    feed = ET.fromstring(pages["changes.xml"])
    assert feed.findall(f"{ATOM}entry") == []
    # no change to date it by: the build date (KBTOOL_TODAY in tests), a valid timestamp
    assert feed.findtext(f"{ATOM}updated") == "2026-11-28T00:00:00+00:00"
    assert 'id="history-us-ny-civil-action"' in pages["jurisdictions/us-ny.md"]  # anchors stay


def test_shallow_clone_leaves_out_its_edge(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", repo.as_uri(), str(clone)],
        check=True,
        capture_output=True,
    )
    log = history.changes(KB(clone))
    assert log.shallow
    # the edge commit (2026-06-01) would list every record as added: left out
    assert [(c.action, c.day) for c in log.changes] == [("removed", "2026-06-02")] * 3
    assert "shallow" in run_cli(clone, "changes", "--since", "2026-01-01").output
    pages = generate(Corpus(KB(clone)), SiteConfig(as_of="2026-11-28"))
    assert "Part of the history only" in pages["changes.md"]


# --- the site: record cards, What changed, the feed ---------------------------------------------


@pytest.fixture(scope="module")
def pages(repo: Path) -> dict[str, str]:
    return generate(Corpus(KB(repo)), SiteConfig(as_of="2026-11-28"))


def test_record_card_shows_last_change_and_folded_history(pages: dict[str, str]) -> None:
    page = pages["jurisdictions/us-ny.md"]
    block = page[page.index('<div class="kb-history" id="history-us-ny-civil-action-statutory">') :]
    block = block[: block.index("</div>")]
    assert "Last changed <time" in block and "2026-03-20" in block
    assert "<details><summary>History: 3 changes</summary>" in block
    assert "available: unknown -&gt; true" in block
    assert "\\u001b[31mred" in block and "\x1b" not in block
    statute = page[page.index('id="history-us-ny-cpl-440-10"') :]
    assert "Plus 1 formatting-only change." in statute[: statute.index("</div>")]


def test_changes_page_newest_first_and_escaped(pages: dict[str, str]) -> None:
    page = pages["changes.md"]
    days = re.findall(r'<time datetime="[^"]+">(\d{4}-\d\d-\d\d)</time>', page)
    assert days and days == sorted(days, reverse=True)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Vacatur" in page
    assert '<a href="../jurisdictions/us-ny/#history-us-ny-criminal-record-relief">' in page
    assert "No history in this build" not in page


def test_feed_is_valid_atom(pages: dict[str, str], repo: Path) -> None:
    text = pages["changes.xml"]
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    feed = ET.fromstring(text)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{tag}") or "").strip(), tag
    assert feed.findtext(f"{ATOM}author/{ATOM}name")
    entries = feed.findall(f"{ATOM}entry")
    expected = [c for c in history.changes(KB(repo)).changes if c.substantive]
    assert len(entries) == len(expected)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
    for entry, change in zip(entries, expected, strict=True):
        assert entry.findtext(f"{ATOM}title")
        updated = dt.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        assert updated.tzinfo is not None and updated == change.when
        href = entry.find(f"{ATOM}link").get("href")
        assert not href.startswith(("http:", "https:", "/"))  # no invented address
        if change.action != "removed":
            assert href == f"jurisdictions/{change.jurisdiction}/#history-{change.record_id}"
    assert feed.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert (
        "New York: <script>alert(1)</script> & Vacatur for trafficking survivors (changed)"
        in titles
    )
    assert "<script>" not in text and not CONTROL.search(text)


def test_feed_uses_site_url_when_set(repo: Path, tmp_path: Path) -> None:
    from kbtool.site_changes import site_url_from

    (tmp_path / "mkdocs.yml").write_text("site_name: X\nsite_url: http://127.0.0.1:8000/kb-site\n")
    url = site_url_from(tmp_path)
    assert url == "http://127.0.0.1:8000/kb-site/"
    (tmp_path / "mkdocs.yml").write_text("site_url: javascript:alert(1)\n")
    assert site_url_from(tmp_path) == ""
    pages = generate(Corpus(KB(repo)), SiteConfig(as_of="2026-11-28", site_url=url))
    feed = ET.fromstring(pages["changes.xml"])
    assert feed.findtext(f"{ATOM}id") == url + "kb/changes.xml"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"alternate": url + "kb/changes/", "self": url + "kb/changes.xml"}
    first = feed.find(f"{ATOM}entry/{ATOM}link").get("href")
    assert first.startswith(url + "kb/jurisdictions/")


# --- the real repository ------------------------------------------------------------------------


def test_real_repository_history_when_it_is_a_checkout() -> None:
    """Works on this checkout whether CI cloned it shallow or full."""
    kb = KB(REPO)
    path = kb.record_files("remedy")[0]
    try:
        result = history.history(kb, path.stem)
    except history.HistoryUnavailable:
        pytest.skip("the tests run outside a git checkout")
    assert result.exists and result.path == path.relative_to(REPO).as_posix()
    assert result.changes or result.shallow
    assert all(c.path.startswith("remedies/") for c in result.changes)
