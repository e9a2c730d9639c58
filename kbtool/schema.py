"""JSON Schema checks, with every error mapped back to the line of the offending key.

Only this module imports jsonschema (200-300 ms to import), so the lookup commands
stay fast.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource

from .findings import Finding, json_path_str
from .loader import LoadedFile

SCHEMA_FILES = {
    "statute": "statute.schema.json",
    "remedy": "remedy.schema.json",
    "jurisdictions": "jurisdictions.schema.json",
}


def load_schemas(schema_dir: Path) -> dict[str, dict]:
    """Every `*.schema.json` in the folder, by file name."""
    return {
        p.name: json.loads(p.read_text("utf-8")) for p in sorted(schema_dir.glob("*.schema.json"))
    }


@cache
def _validators(schema_dir: Path, stamp: tuple) -> dict[str, Draft202012Validator]:
    schemas = load_schemas(schema_dir)
    registry: Registry = Registry()
    for name, schema in schemas.items():
        registry = registry.with_resource(schema.get("$id", name), Resource.from_contents(schema))
    return {
        kind: Draft202012Validator(
            schemas[file],
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        for kind, file in SCHEMA_FILES.items()
        if file in schemas
    }


def validators(schema_dir: Path) -> dict[str, Draft202012Validator]:
    """Validators per record kind, cached until a schema file changes."""
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(schema_dir.glob("*.schema.json")))
    return _validators(schema_dir, stamp)


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
        }.get(title, f"must match {error.validator_value!r}" if v == "pattern" else "")
        return (
            f"{where}: {_describe(error.instance)} is not a valid {title.lower()}; {hint}".rstrip(
                "; "
            )
        )
    if v in ("oneOf", "anyOf") and error.context:
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
    return f"{where}: {error.message}"


def check(loaded: LoadedFile, kind: str, schema_dir: Path) -> list[Finding]:
    """Schema findings for one loaded record, each at the line of its key."""
    validator = validators(schema_dir)[kind]
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
        findings.append(
            Finding(
                loaded.display,
                line,
                col,
                _code_for(error),
                _message(error),
                json_path=json_path_str(path),
            )
        )
    return findings
