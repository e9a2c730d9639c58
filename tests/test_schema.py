"""The schemas themselves: valid JSON Schema, documented, consistent with the vocabularies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from jsonschema import Draft202012Validator

from kbtool.jurisdictions import load_registry
from kbtool.loader import load_file, load_plain

SCHEMAS = sorted((REPO / "schema").glob("*.schema.json"))


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_schema_is_valid_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text("utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    # no relative `$id`: references then resolve against the file's own location, so
    # standard tools (check-jsonschema, editors) work from any folder
    assert "$id" not in schema


def _objects(node, where="#"):
    """Every object schema (with `properties`) in a schema document."""
    if isinstance(node, dict):
        if "properties" in node:
            yield where, node
        for key, value in node.items():
            yield from _objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _objects(value, f"{where}/{i}")


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_every_property_has_title_and_description(path: Path) -> None:
    schema = json.loads(path.read_text("utf-8"))
    missing = []
    for where, obj in _objects(schema):
        if where.startswith("#/allOf"):
            continue  # conditional constraints restate properties without documenting them
        for name, prop in obj["properties"].items():
            if not (prop.get("title") and prop.get("description")):
                missing.append(f"{where}/properties/{name}")
    assert missing == []


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_objects_are_closed(path: Path) -> None:
    schema = json.loads(path.read_text("utf-8"))
    open_objects = [
        where
        for where, obj in _objects(schema)
        if not where.startswith("#/allOf") and obj.get("additionalProperties") is not False
    ]
    assert open_objects == []


def test_remedy_types_match_vocabulary() -> None:
    schema = json.loads((REPO / "schema/remedy.schema.json").read_text("utf-8"))
    vocabulary = load_plain(REPO / "schema/vocabulary.yaml")
    assert schema["properties"]["remedy_type"]["enum"] == list(vocabulary["remedy_types"])
    for entry in vocabulary["remedy_types"].values():
        assert entry["label"] and entry["description"]


def test_registry_is_complete() -> None:
    registry = load_registry(REPO / "schema")
    codes = {j.code for j in registry}
    states = {c for c in codes if registry.get(c).kind == "state"}
    assert len(states) == 50
    assert {"US", "INTL", "US-DC", "US-PR", "US-GU", "US-VI", "US-AS", "US-MP"} <= codes
    assert len(codes) == len(registry) == 58


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("NY", "US-NY"),
        ("ny", "US-NY"),
        ("New York", "US-NY"),
        ("N.Y.", "US-NY"),
        ("us-ny", "US-NY"),
        ("US NY", "US-NY"),
        ("CA", "US-CA"),
        ("Calif.", "US-CA"),
        ("DC", "US-DC"),
        ("Washington, D.C.", "US-DC"),
        ("Washington", "US-WA"),
        ("PR", "US-PR"),
        ("CNMI", "US-MP"),
        ("US", "US"),
        ("federal", "US"),
        ("INTL", "INTL"),
    ],
)
def test_registry_resolves_aliases(typed: str, code: str) -> None:
    assert load_registry(REPO / "schema").resolve(typed).code == code


def test_registry_aliases_are_unambiguous() -> None:
    from kbtool.jurisdictions import _norm

    seen: dict[str, str] = {}
    for j in load_registry(REPO / "schema"):
        for alias in {j.code, j.name, *j.aliases}:
            key = _norm(alias)
            assert seen.setdefault(key, j.code) == j.code, f"{alias!r} names two places"


@pytest.mark.parametrize("kind", ["remedy", "statute"])
def test_templates_are_valid_records_once_filled(kind: str, tmp_path: Path) -> None:
    """The annotated templates pass the schema once the placeholders are replaced."""
    from kbtool import schema

    text = (REPO / "templates" / f"{kind}.yaml").read_text("utf-8")
    filled = tmp_path / "record.yaml"
    filled.write_text(text.replace("US-XX", "US-NY").replace("us-xx", "us-ny"), "utf-8")
    loaded = load_file(filled)
    assert loaded.findings == []
    assert schema.check(loaded, kind, REPO / "schema") == []


def test_offense_categories_match_vocabulary_and_screener() -> None:
    from kbtool import screener

    schema = json.loads((REPO / "schema/remedy.schema.json").read_text("utf-8"))
    vocabulary = load_plain(REPO / "schema/vocabulary.yaml")
    keys = list(schema["$defs"]["record_relief"]["properties"]["offense_categories"]["properties"])
    assert keys == list(vocabulary["offense_categories"])
    assert set(screener.OFFENSE_CATEGORIES) == set(keys)


CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")


@pytest.mark.skipif(not CHECK_JSONSCHEMA.exists(), reason="check-jsonschema (dev extra) missing")
@pytest.mark.parametrize("where", ["root", "elsewhere"])
def test_standard_tool_resolves_the_references(where: str, tmp_path: Path) -> None:
    """check-jsonschema finds defs.schema.json from the repository root and from any
    other folder (no relative `$id` tying references to the working folder), and still
    rejects a bad record."""
    cwd = REPO if where == "root" else tmp_path
    schema = (
        "schema/remedy.schema.json" if where == "root" else str(REPO / "schema/remedy.schema.json")
    )
    record = REPO / "remedies/us-ny/us-ny-civil-action.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text(record.read_text("utf-8").replace("jurisdiction: US-NY", "jurisdiction: ny"))
    env = {**os.environ, "NO_PROXY": "*", "HTTPS_PROXY": "http://127.0.0.1:9"}
    for path, code in ((record, 0), (bad, 1)):
        done = subprocess.run(
            [str(CHECK_JSONSCHEMA), "--schemafile", schema, str(path)],
            cwd=cwd,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.returncode == code, done.stdout + done.stderr
        assert "FileNotFoundError" not in done.stdout + done.stderr
