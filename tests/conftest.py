"""Shared fixtures: a temporary knowledge base built from tests/fixtures, and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = "2026-11-28"


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Date-dependent rules see a fixed today; no test depends on the real date. Search
    indexes go to a cache folder of the test's own, never the user's ~/.cache."""
    monkeypatch.setenv("KBTOOL_TODAY", TODAY)
    monkeypatch.delenv("KBTOOL_ROOT", raising=False)
    monkeypatch.delenv("KBTOOL_INDEX_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


def make_kb(dest: Path, *overlays: Path) -> Path:
    """A knowledge base in `dest`: the real schema/ plus the fixture records and overlays."""
    shutil.copytree(REPO / "schema", dest / "schema")
    _without_section_urls(dest / "schema" / "publishers.yaml")
    shutil.copytree(FIXTURES / "kb", dest, dirs_exist_ok=True)
    for overlay in overlays:
        shutil.copytree(
            overlay,
            dest,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("expected.txt", "build.py"),
        )
    return dest


def _without_section_urls(path: Path) -> None:
    """The real registry's section patterns name real statutes as their evidence, which a
    fixture knowledge base does not hold: tests that need a pattern add their own."""
    import yaml

    data = yaml.safe_load(path.read_text("utf-8"))
    for entry in data["jurisdictions"]:
        for pub in entry.get("publishers") or []:
            pub.pop("section_urls", None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


@pytest.fixture
def fixture_kb(tmp_path: Path) -> Path:
    return make_kb(tmp_path / "kb")


@pytest.fixture
def run(fixture_kb: Path) -> Callable[..., object]:
    """Run kbtool against the fixture knowledge base; returns click's Result."""
    from kbtool.cli import main

    runner = CliRunner()

    def _run(*args: str, root: Path | None = None):
        return runner.invoke(
            main, ["--root", str(root or fixture_kb), *args], catch_exceptions=False
        )

    return _run


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    """Print the relevance figures measured by tests/test_relevance.py, when it ran."""
    import sys

    module = sys.modules.get("test_relevance")
    for line in getattr(module, "RELEVANCE_REPORT", []):
        terminalreporter.write_line(line)
