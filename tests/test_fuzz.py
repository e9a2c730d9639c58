"""Property-based tests: random and mutated YAML and random bytes never break the tool.

Whatever a file holds, loading and validating it gives findings or a clean pass: never a
traceback, a hang or runaway memory (files are capped at MAX_FILE_BYTES before they are
read, and nothing is ever expanded). Example counts are modest so CI stays fast; the
examples are derived, so a failure reproduces (hypothesis prints it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, make_kb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbtool.kb import KB
from kbtool.loader import LoadedFile, load_file, parse_text
from kbtool.validate import validate

CODE = re.compile(r"[a-z]+(-[a-z0-9]+)*\Z")
TARGET = "remedies/us-ny/us-ny-civil-action.yaml"
SEEDS = [
    (FIXTURES / "kb" / TARGET).read_text("utf-8"),
    (FIXTURES / "kb/remedies/us-ny/us-ny-criminal-record-relief.yaml").read_text("utf-8"),
    (FIXTURES / "kb/statutes/us-ny/us-ny-cpl-440-10.yaml").read_text("utf-8"),
]
# Pieces that mean something to YAML or to us: likely to reach odd corners.
TOKENS = [
    "\n",
    "  ",
    "\t",
    ": ",
    "- ",
    "#",
    "---\n",
    "...\n",
    "&a ",
    "*a",
    "<<: *a\n",
    "!!python/object:os.system ",
    "!custom ",
    "!!binary ",
    "[",
    "]",
    "{",
    "}",
    "'",
    '"',
    "\\",
    '"\\e"',
    '"\\u202e"',
    "|",
    ">-",
    "?",
    "%YAML 1.1\n",
    "\x00",
    "\ufeff",
    "\u202e",
    "\u0430",
    "\ud800",
    "2026-02-30",
    "https://u:p@x.org/",
    "null",
    "~",
    ".nan",
    "-.inf",
    "0x1F",
    "1e999",
    "9" * 5000,
    "available: maybe\n",
    "sources: 5\n",
    "legal_basis: 5\n",
    "amendments: {a: 1}\n",
    "id: ../../etc/passwd\n",
]
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def check_findings(findings) -> None:
    for f in findings:
        assert CODE.match(f.code), f
        assert f.line >= 0 and f.column >= 0, f
        assert f.severity in ("error", "warning"), f
        assert isinstance(f.message, str) and f.message and len(f.message) < 2000, f
        f.format().encode("utf-8")  # always printable as UTF-8 (no lone surrogates)
        f.github().encode("utf-8")


@st.composite
def mutated(draw) -> str:
    """A real record with a few insertions, deletions, swaps and duplications."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "swap", "dup", "replace"]))
        pos = draw(st.integers(0, len(text)))
        if op == "insert":
            piece = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)))
            text = text[:pos] + piece + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 40)) :]
        elif op == "replace":
            text = text[:pos] + draw(st.characters()) + text[pos + 1 :]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if op == "swap":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines.insert(j, lines[i])
            text = "\n".join(lines)
    return text


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["unknown", "2026-11-01", "us-ny-cpl-440-10", "https://x.org/"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def kb_root(tmp_path_factory) -> Path:
    return make_kb(tmp_path_factory.mktemp("fuzz") / "kb").resolve()


def validate_replaced(root: Path, content: bytes):
    """Validate the whole knowledge base with `content` in one record's place."""
    path = root / TARGET
    original = path.read_bytes()
    path.write_bytes(content)
    try:
        return validate(KB(root))
    finally:
        path.write_bytes(original)


def validate_with(root: Path, content: bytes) -> None:
    """Put `content` in one record's place: findings, or a clean pass for a real record."""
    report = validate_replaced(root, content)
    check_findings(report.findings)
    assert report.files == 5
    if report.ok:  # a clean pass only for something that really is a record
        try:
            data = yaml.safe_load(content)
        except (yaml.YAMLError, ValueError):  # e.g. a date PyYAML cannot build: not ours
            return
        assert isinstance(data, dict)


@FUZZ
@given(text=st.text(max_size=400))
def test_random_text_parses_to_data_or_findings(text: str) -> None:
    loaded = parse_text(text, LoadedFile(path=Path("x.yaml"), display="x.yaml"))
    check_findings(loaded.findings)
    assert loaded.data is not None or loaded.findings or yaml.safe_load(text) is None


@pytest.mark.parametrize("text", ["~\n", "null\n", "--- ~\n", "'x'\n", "5\n", "[]\n"])
def test_a_file_that_is_not_a_mapping_is_never_clean(kb_root: Path, text: str) -> None:
    """Found by the test above: a bare `~` parsed to nothing and passed as a clean record."""
    report = validate_replaced(kb_root, text.encode())
    assert [(f.path, f.code) for f in report.findings] == [(TARGET, "wrong-type")]


@FUZZ
@given(text=mutated())
def test_mutated_records_validate_to_findings(kb_root: Path, text: str) -> None:
    validate_with(kb_root, text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(raw=st.binary(max_size=600))
def test_random_bytes_validate_to_findings(kb_root: Path, raw: bytes) -> None:
    validate_with(kb_root, raw)


@FUZZ
@given(field=st.sampled_from(sorted(yaml.safe_load(SEEDS[1]))), value=values)
def test_any_value_in_any_field(kb_root: Path, field: str, value) -> None:
    """Well-formed YAML with the wrong shapes: the schema and rules layers hold up."""
    record = yaml.safe_load(SEEDS[1])
    record[field] = value
    validate_with(kb_root, yaml.safe_dump(record, allow_unicode=True).encode("utf-8"))


SHAPES = [5, True, None, "x", [], {}, [None], [{"a": [1]}]]


@pytest.mark.parametrize("value", SHAPES, ids=[repr(v) for v in SHAPES])
def test_every_field_with_every_shape(kb_root: Path, value) -> None:
    """The table version of the above: each field of a record given each wrong shape."""
    for seed in (SEEDS[1], SEEDS[2]):
        record = yaml.safe_load(seed)
        target = TARGET if "remedy_type" in record else "statutes/us-ny/us-ny-cpl-440-10.yaml"
        for field in list(record):
            changed = {**record, field: value}
            path = kb_root / target
            original = path.read_bytes()
            path.write_text(yaml.safe_dump(changed), "utf-8")
            try:
                report = validate(KB(kb_root))
            finally:
                path.write_bytes(original)
            check_findings(report.findings)


@FUZZ
@given(depth=st.integers(1, 20_000), opener=st.sampled_from(["[", "{a: ", "- "]))
def test_nesting_of_any_depth(depth: int, opener: str) -> None:
    if opener == "- ":
        text = "".join("  " * i + "- \n" for i in range(min(depth, 2_000)))
    else:
        closer = "]" if opener == "[" else "}"
        text = "a: " + opener * depth + closer * depth + "\n"
    loaded = parse_text(text, LoadedFile(path=Path("x.yaml"), display="x.yaml"))
    check_findings(loaded.findings)


@settings(max_examples=30, deadline=None)
@given(raw=st.binary(min_size=1, max_size=300))
def test_load_file_on_any_bytes(tmp_path_factory, raw: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "r.yaml"
    path.write_bytes(raw)
    loaded = load_file(path)
    check_findings(loaded.findings)
