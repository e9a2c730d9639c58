"""The strict YAML loader: positions, dates as strings, refusals as findings."""

from __future__ import annotations

from pathlib import Path

import yaml

from kbtool import loader
from kbtool.loader import LoadedFile, load_file, parse_text


def parse(text: str) -> LoadedFile:
    return parse_text(text, LoadedFile(path=Path("x.yaml"), display="x.yaml"))


def test_uses_the_c_loader_when_present() -> None:
    if hasattr(yaml, "CSafeLoader"):
        assert loader._Loader is yaml.CSafeLoader


def test_dates_stay_strings_and_scalars_keep_types() -> None:
    loaded = parse("a: 2026-11-28\nb: 10\nc: true\nd: unknown\ne: 1.5\nf: null\n")
    assert loaded.data == {
        "a": "2026-11-28",
        "b": 10,
        "c": True,
        "d": "unknown",
        "e": 1.5,
        "f": None,
    }


def test_positions_of_keys_and_values() -> None:
    loaded = parse("id: x\nsources:\n  - url: https://a\n    title: t\n")
    assert loaded.key_positions[("sources",)] == (2, 1)
    assert loaded.key_positions[("sources", 0, "title")] == (4, 5)
    assert loaded.value_positions[("sources", 0)] == (3, 5)
    assert loaded.position(("sources", 0, "missing")) == (3, 5)


def test_duplicate_key_reports_both_lines() -> None:
    loaded = parse("a: 1\nb: 2\na: 3\n")
    (finding,) = loaded.findings
    assert (finding.line, finding.code) == (3, "duplicate-key")
    assert "first at line 1" in finding.message
    assert loaded.data is None or loaded.data["a"] == 1


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes(b"\xef\xbb\xbfid: x\n")
    assert load_file(path).data == {"id": "x"}


def test_directory_is_a_finding(tmp_path: Path) -> None:
    (finding,) = load_file(tmp_path).findings
    assert finding.code == "not-a-file"


def test_alias_bomb_is_refused_without_expansion() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 20):  # 10**20 nodes if expanded
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    loaded = parse("\n".join(levels) + "\n")
    assert loaded.data is None
    assert [f.code for f in loaded.findings] == ["yaml-alias"]


def test_recursive_alias_is_refused() -> None:
    loaded = parse("a: &a [*a]\n")
    assert [f.code for f in loaded.findings] == ["yaml-alias"]


def test_merge_key_is_refused() -> None:
    loaded = parse("base: &b {x: 1}\nrecord:\n  <<: *b\n")
    assert [f.code for f in loaded.findings] == ["yaml-alias"]


def test_custom_tags_are_refused() -> None:
    for text in ("a: !!python/name:os.system ''\n", "a: !custom x\n", "a: !!binary aGk=\n"):
        loaded = parse(text)
        assert [f.code for f in loaded.findings] == ["yaml-tag"], text


def test_flow_nesting_bomb_is_refused() -> None:
    loaded = parse("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert [f.code for f in loaded.findings] == ["too-deep"]
