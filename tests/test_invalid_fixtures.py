"""Each folder in fixtures/invalid is one broken case and the findings it must produce.

A case folder holds files laid out as in the knowledge base (e.g.
`remedies/us-ny/x.yaml`), an `expected.txt` listing `path:line CODE` per finding, and
optionally `build.py` for files too large or odd to commit. The case is laid over the
valid fixture knowledge base and validated; the findings must be exactly those listed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, make_kb

from kbtool.kb import KB
from kbtool.validate import validate

CASES = sorted(p for p in (FIXTURES / "invalid").iterdir() if p.is_dir())


def expected(case: Path) -> set[tuple[str, int, str]]:
    out = set()
    for line in (case / "expected.txt").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        where, code = line.rsplit(" ", 1)
        path, lineno = where.rsplit(":", 1)
        out.add((path, int(lineno), code))
    return out


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_case(case: Path, tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", case)
    if (case / "build.py").exists():
        spec = importlib.util.spec_from_file_location("build", case / "build.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.build(root)
    report = validate(KB(root.resolve()))
    got = {(f.path, f.line, f.code) for f in report.findings}
    assert got == expected(case)
    assert not report.ok


def test_fixture_kb_is_clean(fixture_kb: Path) -> None:
    report = validate(KB(fixture_kb.resolve()))
    assert report.findings == []
    assert report.files == 5


def test_every_code_a_case_produces_is_explained_to_contributors() -> None:
    """CONTRIBUTING.md's table of finding codes says what each one means and what to do;
    a code that a broken case produces but the table does not explain leaves a
    contributor with a message and no guide."""
    guide = (REPO / "CONTRIBUTING.md").read_text("utf-8")
    codes = {code for case in CASES for _, _, code in expected(case)}
    assert len(codes) > 40
    assert sorted(c for c in codes if f"`{c}`" not in guide) == []
