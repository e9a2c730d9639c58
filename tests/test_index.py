"""The search index as a library: documents, incremental updates, atomic swaps, queries."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

from kbtool.index import (
    CURRENT,
    MANIFEST,
    DocumentMaker,
    Filters,
    QueryError,
    SearchIndex,
    WhooshEngine,
    check_query,
    default_dir,
)
from kbtool.kb import KB, KBError, is_inside

NY_STATUTE = "statutes/us-ny/us-ny-cpl-440-10.yaml"
NY_VACATUR = "remedies/us-ny/us-ny-criminal-record-relief.yaml"


@pytest.fixture(autouse=True)
def _no_index_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KBTOOL_INDEX_DIR", raising=False)


class RecordingEngine(WhooshEngine):
    """Whoosh, noting which documents each build or update writes."""

    def __init__(self) -> None:
        super().__init__()
        self.built: list[str] = []
        self.added: list[str] = []
        self.removed: list[str] = []

    def build(self, directory, docs):
        def note():
            for doc in docs:
                self.built.append(doc.path)
                yield doc

        super().build(directory, note())

    def update(self, directory, remove, add):
        remove = list(remove)
        self.removed.extend(remove)

        def note():
            for doc in add:
                self.added.append(doc.path)
                yield doc

        super().update(directory, remove, note())


def ids(hits) -> list[str]:
    return [h.id for h in hits]


@pytest.fixture
def kb(fixture_kb: Path) -> KB:
    return KB(fixture_kb.resolve())


@pytest.fixture
def built(kb: KB) -> SearchIndex:
    index = SearchIndex(kb)
    index.update()
    return index


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_default_dir_and_overrides(kb: KB, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert default_dir(kb).parent == Path(os.environ["XDG_CACHE_HOME"]) / "kbtool"
    assert not is_inside(default_dir(kb), kb.root)
    assert default_dir(kb, tmp_path / "x") == tmp_path / "x"
    monkeypatch.setenv("KBTOOL_INDEX_DIR", str(tmp_path / "env"))
    assert default_dir(kb) == tmp_path / "env"


def test_remedy_document_carries_resolved_citations(kb: KB) -> None:
    from kbtool.loader import load_plain

    doc = DocumentMaker(kb).make("remedy", NY_VACATUR, load_plain(kb.root / NY_VACATUR))
    assert doc.citation == "N.Y. Crim. Proc. Law § 440.10(1)(i)"
    assert doc.deps == ("us-ny-cpl-440-10",)
    assert doc.kind == "remedy" and doc.jurisdiction == "US-NY"
    assert doc.remedy_type == "criminal_record_relief"
    assert "prostitution related" in doc.text  # codes read as words
    assert "https://" not in doc.text  # addresses are not prose


def test_section_number_finds_the_remedy_that_cites_it_first(built: SearchIndex) -> None:
    hits, total = built.search("440.10")
    assert ids(hits) == ["us-ny-criminal-record-relief", "us-ny-cpl-440-10"]
    assert total == 2
    assert hits[0].citation == "N.Y. Crim. Proc. Law § 440.10(1)(i)"
    assert hits[1].snippet.startswith("Summary: Lets a court vacate")  # no match in its text
    assert set(ids(built.search("1595")[0])) == {"us-civil-action-1595", "us-18-usc-1595"}


def test_stemming_phrases_fields_and_filters(built: SearchIndex) -> None:
    assert "us-ny-criminal-record-relief" in ids(built.search("vacating")[0])
    assert set(ids(built.search('"knowingly benefits"')[0])) == {
        "us-civil-action-1595",
        "us-18-usc-1595",
    }
    assert ids(built.search('"benefits knowingly"')[0]) == []  # a phrase keeps its order
    assert ids(built.search("jurisdiction:ny AND type:civil_action")[0]) == ["us-ny-civil-action"]
    assert ids(built.search("remedy_type:civil_action", Filters(jurisdiction="US"))[0]) == [
        "us-civil-action-1595"
    ]
    assert set(ids(built.search("victim", Filters(kind="statute"))[0])) <= {
        "us-18-usc-1595",
        "us-ny-cpl-440-10",
    }
    assert set(ids(built.search("trafficking NOT jurisdiction:us", Filters(kind="remedy"))[0])) == {
        "us-ny-criminal-record-relief",
        "us-ny-civil-action",
    }


def test_snippet_marks_matched_words(built: SearchIndex) -> None:
    hit = built.search("sue", Filters(kind="remedy"))[0][0]
    assert hit.snippet == (
        "Summary: A victim may **sue** in federal court for damages and attorney's fees."
    )
    hit = built.search("perpetrator", Filters(kind="remedy"))[0][0]
    assert hit.snippet == "Defendants: The **perpetrator** and whoever knowingly benefits."


def test_second_update_changes_nothing(built: SearchIndex) -> None:
    before = (built.directory / CURRENT).read_text()
    stats = built.update()
    assert (stats.added, stats.updated, stats.removed, stats.records) == (0, 0, 0, 5)
    assert (built.directory / CURRENT).read_text() == before


def test_edit_reindexes_only_that_record(kb: KB) -> None:
    engine = RecordingEngine()
    index = SearchIndex(kb, engine=engine)
    index.update()
    assert len(engine.built) == 5
    edit(kb.root / "remedies/us-ny/us-ny-civil-action.yaml", "in the fixture", "in zanzibar")
    stats = index.update()
    assert engine.added == ["remedies/us-ny/us-ny-civil-action.yaml"]
    assert (stats.added, stats.updated, stats.removed, stats.unchanged) == (0, 1, 0, 4)
    assert ids(index.search("zanzibar")[0]) == ["us-ny-civil-action"]


def test_statute_change_reindexes_the_remedies_citing_it(kb: KB) -> None:
    engine = RecordingEngine()
    index = SearchIndex(kb, engine=engine)
    index.update()
    edit(kb.root / NY_STATUTE, "§ 440.10", "§ 440.99")
    stats = index.update()
    assert sorted(engine.added) == [NY_VACATUR, NY_STATUTE]
    assert stats.updated == 2
    hits = index.search("440.99")[0]
    assert ids(hits) == ["us-ny-criminal-record-relief", "us-ny-cpl-440-10"]
    assert hits[0].citation == "N.Y. Crim. Proc. Law § 440.99(1)(i)"


def test_a_touch_is_not_a_change(kb: KB, built: SearchIndex) -> None:
    path = kb.root / NY_VACATUR
    os.utime(path, (time.time() - 60, time.time() - 60))
    gen = built.current()
    plan = built.plan()
    assert list(plan.refresh) == [NY_VACATUR] and not plan.changed and not plan.stale
    assert built.update().updated == 0
    assert built.current() == gen  # same generation; the manifest just learned the new stat
    assert not built.plan().refresh


def test_same_size_edit_in_the_same_second_as_the_build_is_caught(kb: KB) -> None:
    """A file written just before a build has an untrustworthy stat (an edit in the same
    clock tick keeps size and mtime), so it is hashed again next time."""
    path = kb.root / "remedies/us/us-civil-action-1595.yaml"
    os.utime(path)  # written "now"
    index = SearchIndex(kb)
    index.update()
    st = path.stat()
    edit(path, "federal court", "federal CourT")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    assert list(index.plan().changed) == ["remedies/us/us-civil-action-1595.yaml"]


def test_deleted_and_added_records(kb: KB, built: SearchIndex) -> None:
    (kb.root / NY_VACATUR).unlink()
    copy = kb.root / "remedies/us-ny/us-ny-civil-action.yaml"
    new = kb.root / "remedies/us-ny/us-ny-protective-order.yaml"
    new.write_text(
        copy.read_text("utf-8")
        .replace("us-ny-civil-action", "us-ny-protective-order")
        .replace("civil_action", "protective_order"),
        "utf-8",
    )
    plan = built.plan()
    assert plan.removed == [NY_VACATUR]
    assert list(plan.changed) == ["remedies/us-ny/us-ny-protective-order.yaml"]
    stats = built.update()
    assert (stats.added, stats.removed, stats.records) == (1, 1, 5)
    assert ids(built.search("440.10")[0]) == ["us-ny-cpl-440-10"]
    assert "us-ny-protective-order" in ids(built.search("type:protective_order")[0])


def test_unreadable_record_is_left_out_and_reported(kb: KB) -> None:
    (kb.root / "remedies/us-ny/us-ny-broken.yaml").write_text("id: [unclosed\n", "utf-8")
    stats = SearchIndex(kb).update()
    assert stats.skipped == ["remedies/us-ny/us-ny-broken.yaml"]
    assert stats.records == 5


def test_empty_corpus(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    (root / "schema").mkdir(parents=True)
    (root / "schema/jurisdictions.yaml").write_text("jurisdictions: []\n", "utf-8")
    index = SearchIndex(KB(root))
    assert index.update().records == 0
    assert index.search("anything") == ([], 0)


def test_crash_mid_build_keeps_the_old_index(kb: KB) -> None:
    class Crashing(WhooshEngine):
        def build(self, directory, docs):
            def crash():
                yield next(iter(docs))
                raise KeyboardInterrupt

            super().build(directory, crash())

    SearchIndex(kb).update()
    live = (default_dir(kb) / CURRENT).read_text()
    with pytest.raises(KeyboardInterrupt):
        SearchIndex(kb, engine=Crashing()).update(rebuild=True)
    assert (default_dir(kb) / CURRENT).read_text() == live
    assert not list(default_dir(kb).glob("tmp-*"))
    assert ids(SearchIndex(kb).search("440.10")[0])[0] == "us-ny-criminal-record-relief"


def test_search_during_a_rebuild_answers_from_the_old_index(kb: KB, built: SearchIndex) -> None:
    edit(kb.root / "remedies/us-ny/us-ny-civil-action.yaml", "in the fixture", "in zanzibar")
    seen: list[list[str]] = []

    def progress(done: int, total: int) -> None:
        if done == 3:  # halfway through writing the new generation
            seen.append(ids(SearchIndex(kb).search("zanzibar OR fixture")[0]))

    built.update(rebuild=True, progress=progress)
    assert seen == [["us-ny-civil-action"]]  # found by the old word, from the old index
    assert ids(built.search("zanzibar")[0]) == ["us-ny-civil-action"]
    assert ids(built.search("fixture")[0]) == []


def test_update_never_touches_the_files_of_the_live_generation(kb: KB, built: SearchIndex) -> None:
    old = built.current()
    assert old is not None

    def digest(folder: Path) -> dict[str, str]:
        return {p.name: hashlib.sha1(p.read_bytes()).hexdigest() for p in folder.iterdir()}

    before = digest(old)
    edit(kb.root / NY_STATUTE, "§ 440.10", "§ 440.99")
    built.update()
    assert built.current() != old
    assert digest(old) == before  # kept (for readers still on it) and unchanged


def test_only_two_generations_are_kept_and_crashed_builds_are_swept(
    kb: KB, built: SearchIndex
) -> None:
    token = (built.directory / "KBTOOL-INDEX").read_text()
    crashed = built.directory / "tmp-1-1"  # a killed build of this folder: its token inside
    crashed.mkdir()
    (crashed / "KBTOOL-GENERATION").write_text(token)
    empty = built.directory / "tmp-3-3"  # killed before it was marked
    empty.mkdir()
    foreign = built.directory / "tmp-2-2"  # not made by this index folder: left alone
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    not_ours = built.directory / "g-9-9"
    not_ours.mkdir()
    (not_ours / "KBTOOL-GENERATION").write_text("another token\n")
    for word in ("one", "two", "three"):
        edit(kb.root / "remedies/us-ny/us-ny-civil-action.yaml", "fixture", f"fixture {word}")
        built.update()
    ours = [g for g in built.directory.glob("g-*") if g != not_ours]
    assert len(ours) == 2
    assert not crashed.exists() and not empty.exists()
    assert foreign.exists() and not_ours.exists()


def test_new_index_format_means_a_full_rebuild(built: SearchIndex) -> None:
    gen = built.current()
    manifest = json.loads((gen / MANIFEST).read_text())
    manifest["format"] = -1
    (gen / MANIFEST).write_text(json.dumps(manifest))
    plan = built.plan()
    assert plan.full and plan.reason == "index format changed"
    assert built.update().full


def test_search_without_index_is_an_error(kb: KB) -> None:
    with pytest.raises(KBError, match="run `kbtool index`"):
        SearchIndex(kb).search("x")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty query"),
        ("   ", "empty query"),
        ('"open phrase', "unbalanced quote"),
        ("(vacatur", "unbalanced brackets"),
        ("vacatur)", "unbalanced ')'"),
        ("last_verified:[2026 TO", "unbalanced brackets"),
        ("bogus:x", "unknown field 'bogus'"),
        ("title: x", "needs a value"),
        ("vacatur AND", "starts or ends with an operator"),
        ("OR vacatur", "starts or ends with an operator"),
        ("a AND OR b", "put a word between operators"),
    ],
)
def test_malformed_queries_are_refused(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        check_query(query)


@pytest.mark.parametrize(
    "query",
    [
        "440.10",
        '"knowingly benefits"',
        "jurisdiction:US-NY",
        "state:ny type:civil_action",
        "vacat*",
        "a AND NOT b",
        "last_verified:[2026-01-01 TO 2026-12-31]",
        '"note: inside quotes"',
    ],
)
def test_good_queries_pass(query: str) -> None:
    check_query(query)


def test_only_the_index_module_imports_whoosh() -> None:
    offenders = [
        p.name
        for p in (REPO / "kbtool").glob("*.py")
        if p.name != "index.py" and re.search(r"^\s*(from|import) whoosh", p.read_text(), re.M)
    ]
    assert offenders == []


def test_lookups_import_neither_jsonschema_nor_whoosh(fixture_kb: Path) -> None:
    code = (
        "import sys\n"
        "from kbtool.cli import main\n"
        f"root = {str(fixture_kb)!r}\n"
        "for args in (['remedies', 'NY', '--with-federal'], ['show', 'us-18-usc-1595'],\n"
        "             ['compare', 'NY', 'US'], ['export', '--format', 'csv']):\n"
        "    try:\n"
        "        main(['--root', root, *args])\n"
        "    except SystemExit as e:\n"
        "        assert not e.code, args\n"
        "heavy = sorted(m for m in ('jsonschema', 'whoosh') if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
    assert out.strip().endswith("HEAVY []")


def test_real_data_440_10_finds_new_york_vacatur_first(tmp_path: Path) -> None:
    kb = KB(REPO)
    if not (REPO / NY_VACATUR).is_file() or not (REPO / NY_STATUTE).is_file():
        pytest.skip("the New York vacatur records are not in the dataset yet")
    index = SearchIndex(kb, tmp_path / "ix")
    index.update()
    hits, _ = index.search("440.10")
    assert hits[0].id == "us-ny-criminal-record-relief"
    assert "N.Y. Crim. Proc. Law § 440.10" in hits[0].citation
    assert "us-ny-cpl-440-10" in ids(hits)
