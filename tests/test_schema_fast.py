"""The validator's fast paths agree with the careful ones they stand in front of.

- schema: the compiled check may only say "valid" when jsonschema says so (anything
  else goes to jsonschema, which reports);
- loader: data read without positions equals the builder's, and positions worked out
  later are the builder's too.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

from kbtool import schema
from kbtool.loader import LoadedFile, _Builder, _compose, load_file

SCHEMA_DIR = REPO / "schema"
RECORDS = (
    sorted((FIXTURES / "kb").rglob("*.yaml"))
    + sorted(p for folder in ("statutes", "remedies") for p in (REPO / folder).glob("*/*.yaml"))[
        :80
    ]
)
VALUES = [
    None, True, False, 0, 1, 1.0, 1.5, -3, 101, "", "x", "unknown", "2026-02-30",
    "2026-13-01", "2026-01-01", "20260101", "http://a b", "https://ok.org/x", [],
    ["vacatur"], ["vacatur", "vacatur"], [1, 1.0], [True, 1], {}, {"rule": "none"},
    {"statute": "us-x"}, "US-NY", "US-XX", "us-ny-x", "Bad Id", "none", "fixed_period",
    "may", "a" * 20001, "2019", "2019-13", ["x"],
]  # fmt: skip


def kind_of(path: Path) -> str:
    return "statute" if "statutes" in path.parts else "remedy"


def paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from paths(v, (*prefix, i))


def mutate(data: dict, rng: random.Random) -> dict:
    data = copy.deepcopy(data)
    where = [p for p in paths(data) if p]
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(where)
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            roll = rng.random()
            if roll < 0.2 and isinstance(parent, dict):
                del parent[path[-1]]
            elif roll < 0.3 and isinstance(parent, dict):
                parent["zz_unknown"] = 1
            else:
                parent[path[-1]] = copy.deepcopy(rng.choice(VALUES))
        except (KeyError, IndexError, TypeError):
            pass
    return data


def test_the_real_schemas_compile_to_a_fast_check() -> None:
    fast = schema._fast_checks(SCHEMA_DIR, schema._stamp(SCHEMA_DIR))
    assert fast["statute"] is not None and fast["remedy"] is not None


def test_fast_check_never_passes_what_jsonschema_refuses() -> None:
    fast = schema._fast_checks(SCHEMA_DIR, schema._stamp(SCHEMA_DIR))
    full = schema.validators(SCHEMA_DIR)
    rng = random.Random(4)
    passed = refused = 0
    for path in RECORDS:
        data = load_file(path).data
        kind = kind_of(path)
        for i in range(25):
            candidate = data if i == 0 else mutate(data, rng)
            if fast[kind](candidate):
                assert not list(full[kind].iter_errors(candidate)), (path, candidate)
                passed += 1
            else:
                refused += 1
    assert passed > 50 and refused > 50  # both branches exercised


def test_fast_check_falls_back_for_keywords_it_does_not_know(tmp_path: Path) -> None:
    compiler = schema._FastCompiler({"x": {}})
    check = compiler.compile({"type": "object", "dependentRequired": {"a": ["b"]}}, "x")
    assert check({"a": 1}) is False  # unknown keyword: never "valid", jsonschema decides
    exact = compiler.compile({"type": "string", "minLength": 2, "pattern": "^a"}, "x")
    assert exact("ab") and not exact("a") and not exact("ba") and not exact(3)


@pytest.mark.parametrize("path", RECORDS[:20], ids=lambda p: p.name)
def test_lazy_positions_equal_the_builders(path: Path) -> None:
    loaded = load_file(path)
    reference = LoadedFile(path=path, display=str(path))
    builder = _Builder(reference)
    data = builder.build(_compose(path.read_text("utf-8").lstrip("\ufeff")), (), 0)
    assert loaded.data == data
    assert loaded.key_positions == builder.keys
    assert loaded.value_positions == builder.values
