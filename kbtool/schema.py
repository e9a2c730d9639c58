"""JSON Schema checks, with every error mapped back to the line of the offending key.

Only this module imports jsonschema (200-300 ms to import), so the lookup commands
stay fast. Most records are valid, so each is first run through a small compiled
check of the same schemas (`_FastCompiler`): it only ever says "valid" when jsonschema
would, and anything else, or any keyword it does not know, goes to jsonschema for the
exact findings. jsonschema itself is imported only when some record needs it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .files import MAX_SCHEMA_BYTES, Refused, hidden, read_text
from .findings import Finding, json_path_str
from .kb import KBError
from .loader import LoadedFile

if TYPE_CHECKING:  # pragma: no cover
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_FILES = {
    "statute": "statute.schema.json",
    "remedy": "remedy.schema.json",
    "jurisdictions": "jurisdictions.schema.json",
    "publishers": "publishers.schema.json",
    "help": "help.schema.json",
    "vocabulary": "vocabulary.schema.json",
}


def schema_files(schema_dir: Path) -> list[Path]:
    """The `*.schema.json` files of the folder, hidden names left out (links are listed:
    reading one that leads out is refused, loudly)."""
    try:
        names = sorted(os.listdir(schema_dir))
    except OSError:
        return []
    return [schema_dir / n for n in names if n.endswith(".schema.json") and not hidden(n)]


def load_schemas(schema_dir: Path) -> dict[str, dict]:
    """Every `*.schema.json` in the folder, by file name, read through the gate (size
    capped, no link out); a file that is not JSON is a KBError, not a traceback."""
    out: dict[str, dict] = {}
    for p in schema_files(schema_dir):
        try:
            text = read_text(p, schema_dir.parent, MAX_SCHEMA_BYTES)
        except Refused as exc:
            raise KBError(f"cannot read a schema: {exc.message}") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise KBError(f"schema/{p.name} is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise KBError(f"schema/{p.name} is not a JSON Schema (not an object)")
        out[p.name] = data
    return out


@cache
def _validators(schema_dir: Path, stamp: tuple) -> dict[str, Draft202012Validator]:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schemas = load_schemas(schema_dir)
    registry: Registry = Registry()
    for name, schema in schemas.items():
        try:
            resource = Resource.from_contents(schema)
        except Exception as exc:  # noqa: BLE001 - e.g. no $schema: the file's fault
            raise KBError(f"schema/{name} is not a usable JSON Schema: {exc}") from None
        registry = registry.with_resource(schema.get("$id", name), resource)
    return {
        kind: Draft202012Validator(
            schemas[file],
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        for kind, file in SCHEMA_FILES.items()
        if file in schemas
    }


def _stamp(schema_dir: Path) -> tuple:
    return tuple((p.name, p.stat().st_mtime_ns) for p in schema_files(schema_dir))


def validators(schema_dir: Path) -> dict[str, Draft202012Validator]:
    """Validators per record kind, cached until a schema file changes."""
    return _validators(schema_dir, _stamp(schema_dir))


# --- The fast path: a compiled "is it valid?" for the JSON Schema subset our schemas use.

Check = Callable[[Any], bool]
_ANNOTATIONS = frozenset(
    {"title", "description", "$schema", "$id", "$defs", "$comment", "default", "examples"}
)
_RE_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Unsupported(Exception):
    """A schema this compiler cannot prove things about: use jsonschema for everything."""


def _never(_: Any) -> bool:
    return False


def _always(_: Any) -> bool:
    return True


def _key(value: Any) -> tuple | None:
    """A hashable key under JSON Schema equality (1 == 1.0, but true != 1), or None."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if value is None:
        return ("null", None)
    return None


def _is_type(value: Any, name: str) -> bool:
    if name == "string":
        return isinstance(value, str)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "integer":  # 1.0 counts for jsonschema: leave that rare case to it
        return isinstance(value, int) and not isinstance(value, bool)
    return False


class _FastCompiler:
    """Compiles a schema into a function that returns True only for valid instances.

    It errs one way only: False may be wrong (jsonschema then decides), True never is.
    """

    def __init__(self, documents: dict[str, dict]) -> None:
        self.documents = documents
        self.compiled: dict[tuple[str, str], Check] = {}

    def resolve(self, base: str, ref: str) -> tuple[str, str, Any]:
        doc_id, _, pointer = ref.partition("#")
        doc_id = doc_id or base
        if doc_id not in self.documents:
            raise _Unsupported(ref)
        node: Any = self.documents[doc_id]
        for part in [p for p in pointer.split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise _Unsupported(ref)
            node = node[part]
        return doc_id, pointer, node

    def ref(self, base: str, ref: str) -> Check:
        doc_id, pointer, node = self.resolve(base, ref)
        key = (doc_id, pointer)
        if key not in self.compiled:
            cell: list[Check] = []
            self.compiled[key] = lambda value: cell[0](value)  # recursion-safe forward
            cell.append(self.compile(node, doc_id))
            self.compiled[key] = cell[0]
        return self.compiled[key]

    def compile(self, schema: Any, base: str) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise _Unsupported(repr(schema))
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in ("then", "else", "additionalProperties"):
                continue
            if keyword in ("properties", "required"):
                if keyword == "properties" or "properties" not in schema:
                    checks.append(self.object_check(schema, base))
                continue
            checks.append(self.keyword(keyword, value, schema, base))
        if "additionalProperties" in schema and not (
            "properties" in schema or "required" in schema
        ):
            checks.append(self.object_check(schema, base))
        if not checks:
            return _always
        if len(checks) == 1:
            return checks[0]

        return lambda value: all(check(value) for check in checks)

    def object_check(self, schema: dict, base: str) -> Check:
        properties = {
            name: self.compile(sub, base) for name, sub in (schema.get("properties") or {}).items()
        }
        required = tuple(schema.get("required") or ())
        extra = schema.get("additionalProperties", True)
        extra_check = None if extra is False else self.compile(extra, base)

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name in required:
                if name not in value:
                    return False
            for name, item in value.items():
                sub = properties.get(name)
                if sub is None:
                    if extra_check is None or not extra_check(item):
                        return False
                elif not sub(item):
                    return False
            return True

        return check

    def keyword(self, keyword: str, value: Any, schema: dict, base: str) -> Check:  # noqa: C901
        if keyword == "$ref":
            return self.ref(base, value)
        if keyword == "type":
            names = tuple(value) if isinstance(value, list) else (value,)
            return lambda x: any(_is_type(x, n) for n in names)
        if keyword in ("enum", "const"):
            options = value if keyword == "enum" else [value]
            keys = {_key(v) for v in options}
            if None in keys:
                return _never
            return lambda x: _key(x) in keys
        if keyword == "pattern":
            regex = re.compile(value)
            return lambda x: not isinstance(x, str) or regex.search(x) is not None
        if keyword == "format":
            if value != "date":
                return _never
            return lambda x: not isinstance(x, str) or _is_date(x)
        if keyword == "minLength":
            return lambda x: not isinstance(x, str) or len(x) >= value
        if keyword == "maxLength":
            return lambda x: not isinstance(x, str) or len(x) <= value
        if keyword == "minItems":
            return lambda x: not isinstance(x, list) or len(x) >= value
        if keyword == "maxItems":
            return lambda x: not isinstance(x, list) or len(x) <= value
        if keyword == "uniqueItems":
            return _unique if value else _always
        if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            test = {
                "minimum": lambda x: x >= value,
                "maximum": lambda x: x <= value,
                "exclusiveMinimum": lambda x: x > value,
                "exclusiveMaximum": lambda x: x < value,
            }[keyword]
            return lambda x: not _is_type(x, "number") or test(x)
        if keyword == "items":
            sub = self.compile(value, base)
            return lambda x: not isinstance(x, list) or all(sub(i) for i in x)
        if keyword in ("allOf", "anyOf", "oneOf"):
            subs = [self.compile(v, base) for v in value]
            if keyword == "allOf":
                return lambda x: all(s(x) for s in subs)
            if keyword == "anyOf":
                return lambda x: any(s(x) for s in subs)
            return lambda x: sum(1 for s in subs if s(x)) == 1
        if keyword == "not":
            # "not valid" cannot be proved by a check that may wrongly say False: only
            # trust it when the inner schema is simple enough to be exact.
            try:
                sub = self.exact(value)
            except _Unsupported:
                return _never
            return lambda x: not sub(x)
        if keyword == "if":
            try:
                cond = self.exact(value)
            except _Unsupported:
                return _never
            then = self.compile(schema.get("then", True), base)
            otherwise = self.compile(schema.get("else", True), base)
            return lambda x: then(x) if cond(x) else otherwise(x)
        return _never  # a keyword we do not know: jsonschema decides

    def exact(self, schema: Any) -> Check:
        """A check that is exact both ways (for `not` and `if`): properties with
        `const`/`enum` of scalars, `required`, and `not` of those."""
        if schema is True or schema is False:
            return _always if schema else _never
        if not isinstance(schema, dict):
            raise _Unsupported(repr(schema))
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            if keyword == "required":
                names = tuple(value)
                checks.append(lambda x, n=names: not isinstance(x, dict) or all(k in x for k in n))
            elif keyword == "properties":
                subs = {name: self.exact(sub) for name, sub in value.items()}
                checks.append(
                    lambda x, s=subs: (
                        not isinstance(x, dict) or all(c(x[k]) for k, c in s.items() if k in x)
                    )
                )
            elif keyword in ("const", "enum"):
                options = value if keyword == "enum" else [value]
                keys = {_key(v) for v in options}
                if None in keys:
                    raise _Unsupported(keyword)
                checks.append(lambda x, k=keys: _key(x) in k)
            elif keyword == "not":
                inner = self.exact(value)
                checks.append(lambda x, i=inner: not i(x))
            else:
                raise _Unsupported(keyword)
        return lambda x: all(c(x) for c in checks)


def _is_date(value: str) -> bool:
    if not _RE_DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _unique(value: Any) -> bool:
    if not isinstance(value, list):
        return True
    keys = [_key(v) for v in value]
    if None in keys:
        return False  # lists of objects: jsonschema decides
    return len(set(keys)) == len(keys)


@cache
def _fast_checks(schema_dir: Path, stamp: tuple) -> dict[str, Check | None]:
    schemas = load_schemas(schema_dir)
    documents = {schema.get("$id", name): schema for name, schema in schemas.items()}
    out: dict[str, Check | None] = {}
    for kind, file in SCHEMA_FILES.items():
        if file not in schemas:
            continue
        try:
            out[kind] = _FastCompiler(documents).compile(
                schemas[file], schemas[file].get("$id", file)
            )
        except (_Unsupported, re.error):
            out[kind] = None
    return out


def checker(schema_dir: Path) -> Callable[[LoadedFile, str], list[Finding]]:
    """A `check` for many records: the schema files are looked at once."""
    stamp = _stamp(schema_dir)
    fast = _fast_checks(schema_dir, stamp)

    def run(loaded: LoadedFile, kind: str) -> list[Finding]:
        quick = fast.get(kind)
        if quick is not None and quick(loaded.data):
            return []
        validator = _validators(schema_dir, stamp).get(kind)
        if validator is None:
            raise KBError(f"schema/{SCHEMA_FILES[kind]} is missing; it checks every {kind}")
        try:
            return _findings(loaded, validator)
        except Exception as exc:  # noqa: BLE001 - a broken schema (bad $ref, bad pattern)
            raise KBError(
                f"the schemas in schema/ cannot check a {kind}: {exc.__class__.__name__}: "
                f"{str(exc).splitlines()[0][:200]}"
            ) from None

    return run


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _code_for(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    title = schema.get("title", "")
    if error.validator in ("pattern", "format"):
        if title in ("Date", "Year or date", "Date accessed", "Last verified"):
            return "bad-date"
        if title in ("Web address",):
            return "bad-url"
        if title == "Record id":
            return "bad-id"
        if title == "Jurisdiction code":
            return "unknown-jurisdiction"
        if title in _PLAIN_NAMES:
            return "bad-name"
        if "propertyNames" in error.relative_schema_path:
            return "bad-key"
        return "bad-format"
    return {
        "type": "wrong-type",
        "enum": "bad-value",
        "const": "bad-value",
        "required": "missing-field",
        "additionalProperties": "unknown-field",
        "minItems": "too-few",
        "maxItems": "too-many",
        "minLength": "too-short",
        "maxLength": "too-long",
        "uniqueItems": "duplicate-item",
        "oneOf": "bad-value",
        "anyOf": "bad-value",
        "not": "not-allowed",
    }.get(str(error.validator), "schema")


def _message(error: ValidationError) -> str:
    where = json_path_str(tuple(error.absolute_path)) or "record"
    v = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    if v == "type":
        want = error.validator_value
        want = " or ".join(want) if isinstance(want, list) else want
        return f"{where}: expected {want}, got {_describe(error.instance)}"
    if v == "enum":
        allowed = ", ".join(json.dumps(x) for x in error.validator_value)
        return f"{where}: {_describe(error.instance)} is not one of: {allowed}"
    if v in ("pattern", "format"):
        title = schema.get("title", "value")
        hint = {
            "Date": "use YYYY-MM-DD",
            "Year or date": "use YYYY, YYYY-MM or YYYY-MM-DD",
            "Web address": "use an http:// or https:// address without user names or passwords",
            "Record id": "lower-case letters, digits and single hyphens",
            "Jurisdiction code": "use a code from schema/jurisdictions.yaml, e.g. US-NY",
            **dict.fromkeys(
                _PLAIN_NAMES,
                'plain text only: no < > & " ` \\ and no control characters '
                "(it is shown in page titles and headers)",
            ),
        }.get(title, f"must match {error.validator_value!r}" if v == "pattern" else "")
        shown = _describe(error.instance)
        if title == "Web address" and isinstance(error.instance, str):
            redacted = _redact_userinfo(error.instance)
            if redacted != error.instance:
                shown = _describe(redacted)
                hint = "it carries a user name or password (before @): remove them"
        return f"{where}: {shown} is not a valid {title.lower()}; {hint}".rstrip("; ")
    if v in ("oneOf", "anyOf") and error.context:
        from jsonschema.exceptions import best_match

        inner = best_match(error.context)
        alternatives = []
        for sub in error.validator_value:
            if "const" in sub:
                alternatives.append(json.dumps(sub["const"]))
            elif "enum" in sub:
                alternatives.extend(json.dumps(x) for x in sub["enum"])
        extra = f" (or {', '.join(alternatives)})" if alternatives else ""
        return f"{where}: {_describe(error.instance)} is not valid: {inner.message}{extra}"
    if v == "not" and isinstance(error.validator_value, dict):
        required = error.validator_value.get("required")
        if required:
            return f"{where}: field {required[0]!r} is not allowed for this remedy_type"
    if v == "minItems":
        return f"{where}: needs at least {error.validator_value} item(s)"
    if v == "minLength":
        return f"{where}: must not be empty"
    if v == "maxLength" and isinstance(error.instance, str):
        return (
            f"{where}: {len(error.instance):,} characters; at most {error.validator_value:,} "
            "are allowed (summarise, and link to the full text in sources)"
        )
    message = error.message  # may quote the whole offending value: keep it short
    return f"{where}: {message if len(message) <= 200 else message[:197] + '...'}"


_PLAIN_NAMES = ("Name", "Official name", "Alias", "Label")


def _redact_userinfo(url: str) -> str:
    """A URL with any `user:password@` part masked, so findings never repeat a secret."""
    scheme, sep, rest = url.partition("://")
    authority = rest.split("/", 1)[0]
    if not sep or "@" not in authority:
        return url
    return f"{scheme}://***@{rest[authority.rindex('@') + 1 :]}"


def check(loaded: LoadedFile, kind: str, schema_dir: Path) -> list[Finding]:
    """Schema findings for one loaded record, each at the line of its key."""
    return checker(schema_dir)(loaded, kind)


def _findings(loaded: LoadedFile, validator: Draft202012Validator) -> list[Finding]:
    findings: list[Finding] = []
    for error in validator.iter_errors(loaded.data):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = list((error.schema or {}).get("properties", {}))
            known = set(allowed)
            for key in error.instance:
                if key in known:
                    continue
                line, col = loaded.position((*path, key))
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                findings.append(
                    Finding(
                        loaded.display,
                        line,
                        col,
                        "unknown-field",
                        f"{json_path_str((*path, key))}: unknown field {key!r}{hint}",
                        json_path=json_path_str((*path, key)),
                    )
                )
            continue
        if error.validator == "required":
            missing = [m for m in error.validator_value if m not in (error.instance or {})]
            line, col = loaded.position(path)
            where = json_path_str(path)
            for name in missing:
                findings.append(
                    Finding(
                        loaded.display,
                        line,
                        col,
                        "missing-field",
                        f"{where + ': ' if where else ''}missing required field {name!r}",
                        json_path=json_path_str((*path, name)),
                    )
                )
            continue
        line, col = loaded.position(path, prefer_value=True)
        message = _message(error)
        if "propertyNames" in error.relative_schema_path and isinstance(error.instance, str):
            line, col = loaded.position((*path, error.instance))  # point at the key itself
            message = (
                f"{json_path_str(path)}: key {_describe(error.instance)} is not a plain id; "
                "use lower-case letters, digits and underscores (it becomes a file name)"
            )
        findings.append(
            Finding(
                loaded.display,
                line,
                col,
                _code_for(error),
                message,
                json_path=json_path_str(path),
            )
        )
    return findings
