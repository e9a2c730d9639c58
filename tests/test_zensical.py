"""The site builds with Zensical too (Material for MkDocs' successor reads mkdocs.yml).

Builds the real pages with `zensical build` into a temporary folder and checks the key
pages. Skipped, saying why, where Zensical is not installed (`make install` installs it
with the dev extras). No browser: the Chromium tests cover the MkDocs build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

BIN = Path(sys.executable).parent


def _zensical() -> str | None:
    local = BIN / "zensical"
    return str(local) if local.exists() else shutil.which("zensical")


ZENSICAL = _zensical()
pytestmark = pytest.mark.skipif(
    ZENSICAL is None,
    reason="zensical is not installed (pip install zensical, or make install for the dev extras)",
)


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("zensical")
    shutil.copytree(REPO / "docs", work / "docs", ignore=shutil.ignore_patterns("kb"))
    for name in ("mkdocs.yml", "CONTRIBUTING.md"):
        shutil.copy(REPO / name, work / name)
    env = {**os.environ, "KBTOOL_ROOT": str(REPO)}
    subprocess.run(
        [str(BIN / "kbtool"), "site", "--out", str(work / "docs" / "kb")], check=True, env=env
    )
    done = subprocess.run(
        [str(ZENSICAL), "build", "-f", "mkdocs.yml"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return work / "site"


def test_zensical_builds_the_key_pages(zensical_site: Path) -> None:
    home = (zensical_site / "index.html").read_text("utf-8")
    assert 'class="kb-map"' in home and 'class="kb-home-screener"' in home  # snippets work
    assert "assets/kb.js" in home and "assets/kb.css" in home
    ny = (zensical_site / "kb/jurisdictions/us-ny/index.html").read_text("utf-8")
    assert '<table class="kb-glance">' in ny
    assert 'id="us-ny-cpl-440-10"' in ny and 'id="us-ny-criminal-record-relief"' in ny
    assert ny.index('class="kb-glance"') < ny.index('id="us-ny-criminal-record-relief"')
    for page in (
        "kb/jurisdictions/us/index.html",
        "kb/compare/criminal_record_relief/index.html",
        "compare/index.html",
        "screener/index.html",
        "kb/statutes/index.html",
        "kb/downloads/index.html",
    ):
        assert (zensical_site / page).is_file(), page
    assert (zensical_site / "kb/downloads/trafficking-survivor-remedies.csv").is_file()
    assert "kb-compare-app" in (zensical_site / "compare/index.html").read_text("utf-8")
    assert not list(zensical_site.rglob("*.map"))
