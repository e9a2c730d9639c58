"""The site's search index (kbtool.sitesearch): small, and only what readers search."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import REPO

from kbtool import sitesearch
from kbtool.corpus import Corpus
from kbtool.kb import KB


def test_real_index_is_small_and_holds_no_sources_or_notes() -> None:
    corpus = Corpus(KB(REPO))
    text = sitesearch.render(corpus)
    assert len(text.encode("utf-8")) <= sitesearch.MAX_BYTES
    data = json.loads(text)
    assert len(data["docs"]) == len(corpus.all("remedy")) + len(corpus.all("statute"))
    ny = corpus.get("us-ny-criminal-record-relief")
    assert ny is not None
    for source in ny.data["sources"]:
        assert source["url"] not in text
    assert "People v A.W., 2025 NY Slip Op 25085" not in text  # a source title
    assert "Second pass (2026-11-28)" not in text  # from the research notes
    row = dict(zip(data["fields"], next(d for d in data["docs"] if d[1] == ny.id), strict=True))
    assert row["url"] == "kb/jurisdictions/us-ny/#us-ny-criminal-record-relief"
    assert row["citation"].startswith("N.Y. Crim. Proc. Law § 440.10(1)(i)")
    assert row["eligibility"].startswith("A person convicted in New York")
    assert row["deadline"].startswith("No fixed deadline")
    assert "vacatur" in row["keywords"] and row["available"] == 1


def test_index_is_written_with_the_site_and_script_safe(fixture_kb: Path, run) -> None:
    (fixture_kb / "remedies/us-ny/us-ny-civil-action.yaml").write_text(
        (fixture_kb / "remedies/us-ny/us-ny-civil-action.yaml")
        .read_text("utf-8")
        .replace("title: ", "title: </script><script>alert(1)</script> ", 1),
        "utf-8",
    )
    out = fixture_kb / "out"
    result = run("site", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = (out / sitesearch.INDEX_PATH).read_text("utf-8")
    assert "</script>" not in text
    titles = [d[6] for d in json.loads(text)["docs"]]
    assert any(t.startswith("</script><script>") for t in titles)  # kept as text


def test_material_search_plugin_is_off_and_our_script_is_on() -> None:
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text("utf-8"))
    assert config["plugins"] == []
    assert "assets/kb-search.js" in config["extra_javascript"]
    script = (REPO / "docs/assets/kb-search.js").read_text("utf-8")
    assert "innerHTML" not in script  # results are inserted as text
