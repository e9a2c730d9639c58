"""Record and corpus rules: what JSON Schema cannot say.

Record layer: one file on its own (id matches file name, folder matches jurisdiction,
dates in order). Corpus layer: all files together (ids unique, references resolve,
jurisdiction codes registered). Date checks take an explicit `as_of` date so they
are reproducible (set KBTOOL_TODAY to override today's date).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass

from .findings import Finding
from .jurisdictions import Registry
from .loader import LoadedFile

TODAY_ENV = "KBTOOL_TODAY"


def today() -> dt.date:
    """Today, or the date in $KBTOOL_TODAY (YYYY-MM-DD) for reproducible checks."""
    value = os.environ.get(TODAY_ENV)
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return dt.date.today()


def _partial(value: object) -> tuple[int, int, int] | None:
    """A sortable (year, month, day) for YYYY, YYYY-MM or YYYY-MM-DD; None if not a date."""
    if not isinstance(value, str):
        return None
    parts = value.split("-")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        return None
    if not 1 <= len(nums) <= 3:
        return None
    while len(nums) < 3:
        nums.append(0)
    return (nums[0], nums[1], nums[2])


def _is_real_date(value: object) -> bool:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


@dataclass
class RecordContext:
    """A loaded record and where it sits: kind and jurisdiction folder from its path."""

    loaded: LoadedFile
    kind: str | None  # statute / remedy, from the top folder; None when misplaced
    folder: str | None  # the jurisdiction folder name

    @property
    def data(self) -> dict:
        return self.loaded.data if isinstance(self.loaded.data, dict) else {}

    @property
    def record_id(self) -> str | None:
        rid = self.data.get("id")
        return rid if isinstance(rid, str) else None

    def finding(self, path: tuple, code: str, message: str, severity: str = "error") -> Finding:
        line, col = self.loaded.position(path, prefer_value=True)
        return Finding(self.loaded.display, line, col, code, message, severity)


def check_record(ctx: RecordContext, registry: Registry, as_of: dt.date) -> list[Finding]:
    """Rules for one record on its own."""
    out: list[Finding] = []
    data = ctx.data
    stem = ctx.loaded.path.stem
    rid = ctx.record_id
    if rid is not None and rid != stem:
        out.append(
            ctx.finding(
                ("id",),
                "id-mismatch",
                f"id {rid!r} does not match the file name {stem + '.yaml'!r}; "
                f"rename the file to {rid + '.yaml'!r} or fix the id",
            )
        )
    code = data.get("jurisdiction")
    if isinstance(code, str):
        if registry.get(code) is None:
            hints = registry.suggest(code)
            hint = f"; did you mean {hints[0].code}?" if hints else ""
            out.append(
                ctx.finding(
                    ("jurisdiction",),
                    "unknown-jurisdiction",
                    f"jurisdiction {code!r} is not in schema/jurisdictions.yaml{hint}",
                )
            )
        if ctx.folder is not None and ctx.folder != code.lower():
            out.append(
                ctx.finding(
                    ("jurisdiction",),
                    "folder-mismatch",
                    f"jurisdiction {code!r} belongs in folder {code.lower()!r}, "
                    f"but the file is in {ctx.folder!r}",
                )
            )
    if rid is not None and ctx.folder is not None and not rid.startswith(ctx.folder + "-"):
        out.append(
            ctx.finding(
                ("id",),
                "id-prefix",
                f"id {rid!r} must start with its folder name {ctx.folder + '-'!r}",
            )
        )
    out.extend(_check_dates(ctx, as_of))
    if data.get("verification") == "unverified" and not data.get("notes"):
        out.append(
            ctx.finding(
                ("verification",),
                "unverified-without-note",
                "an unverified record must say in `notes` why it could not be verified",
            )
        )
    return out


def _check_dates(ctx: RecordContext, as_of: dt.date) -> Iterable[Finding]:
    data = ctx.data
    limit = (as_of.year, as_of.month, as_of.day)
    checks: list[tuple[tuple, object]] = [(("last_verified",), data.get("last_verified"))]
    for i, src in enumerate(data.get("sources") or []):
        if isinstance(src, dict):
            checks.append((("sources", i, "accessed"), src.get("accessed")))
    for path, value in checks:
        when = _partial(value)
        if when and when > limit and _is_real_date(value):
            yield ctx.finding(
                path, "future-date", f"{path[-1]} {value} is after today ({as_of.isoformat()})"
            )
    enacted, effective = _partial(data.get("enacted")), _partial(data.get("effective"))
    if enacted and effective and effective[0] < enacted[0]:
        yield ctx.finding(
            ("effective",),
            "date-order",
            f"effective {data.get('effective')} is before enacted {data.get('enacted')}",
        )
    previous = None
    for i, amendment in enumerate(data.get("amendments") or []):
        if not isinstance(amendment, dict):
            continue
        when = _partial(amendment.get("date"))
        if when and enacted and when[0] < enacted[0]:
            yield ctx.finding(
                ("amendments", i, "date"),
                "date-order",
                f"amendment of {amendment.get('date')} is before enactment ({data.get('enacted')})",
            )
        if when and previous and when < previous:
            yield ctx.finding(
                ("amendments", i, "date"),
                "date-order",
                "amendments must be listed oldest first",
            )
        previous = when or previous


def references(ctx: RecordContext) -> Iterable[tuple[tuple, str, str]]:
    """(json path, referenced id, expected kind) for every cross-reference in a record."""
    data = ctx.data
    for i, ref in enumerate(data.get("legal_basis") or []):
        if isinstance(ref, dict) and isinstance(ref.get("statute"), str):
            yield ("legal_basis", i, "statute"), ref["statute"], "statute"
    for i, rid in enumerate(data.get("related_statutes") or []):
        if isinstance(rid, str):
            yield ("related_statutes", i), rid, "statute"
    for i, rid in enumerate(data.get("related_remedies") or []):
        if isinstance(rid, str):
            yield ("related_remedies", i), rid, "remedy"


def check_corpus(
    selected: list[RecordContext], everything: dict[str, list[RecordContext]]
) -> list[Finding]:
    """Rules across files: unique ids and resolvable references, reported on `selected`.

    `everything` maps each id in the whole tree to the records that carry it.
    """
    out: list[Finding] = []
    for ctx in selected:
        rid = ctx.record_id
        if rid is not None:
            holders = everything.get(rid, [])
            if len(holders) > 1:
                others = [h.loaded.display for h in holders if h.loaded.path != ctx.loaded.path]
                if others:
                    out.append(
                        ctx.finding(
                            ("id",),
                            "duplicate-id",
                            f"id {rid!r} is also used by {', '.join(sorted(others))}",
                        )
                    )
        for path, target, expected in references(ctx):
            holders = everything.get(target, [])
            if not holders:
                folder = "statutes" if expected == "statute" else "remedies"
                out.append(
                    ctx.finding(
                        path,
                        "dangling-reference",
                        f"{expected} {target!r} does not exist (no {folder}/*/{target}.yaml)",
                    )
                )
            elif all(h.kind != expected for h in holders):
                out.append(
                    ctx.finding(
                        path,
                        "wrong-reference-kind",
                        f"{target!r} is a {holders[0].kind} record; a {expected} is expected here",
                    )
                )
            elif target == rid:
                out.append(ctx.finding(path, "self-reference", "a record cannot refer to itself"))
    return out
