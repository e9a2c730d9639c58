"""Records due for re-checking: `kbtool stale`.

Laws change; a record is only as good as its last check. A record is stale when its
`last_verified` date (or, with `by="law"`, the date the law it states is current to) is
older than a limit (12 months unless told otherwise) before "today" (KBTOOL_TODAY fixes
it); a record whose law-as-of date is unknown is always stale by that measure. Stale
records are warnings, never errors: CI shows them on the pull request but does not fail.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from .bills import BILL_MAX_AGE_DAYS, Bill, bills_of
from .findings import Finding, plural
from .jurisdictions import load_registry
from .kb import KB, KINDS, KBUsageError, real
from .loader import LoadedFile, load_file

_AGE = re.compile(r"(\d{1,4})\s*([dwmy])", re.IGNORECASE)
_UNITS = {"d": "day", "w": "week", "m": "month", "y": "year"}


@dataclass(frozen=True)
class Age:
    """A limit such as `12m`: a number of days, weeks, months or years."""

    amount: int
    unit: str  # d, w, m or y

    @classmethod
    def parse(cls, text: str) -> Age:
        match = _AGE.fullmatch(text.strip())
        if not match:
            raise KBUsageError(
                f"{text!r} is not an age: use a number and d, w, m or y, e.g. 12m, 18m, 2y, 90d"
            )
        return cls(int(match.group(1)), match.group(2).lower())

    def __str__(self) -> str:
        word = _UNITS[self.unit]
        return f"{self.amount} {word}{'s' if self.amount != 1 else ''}"

    def before(self, as_of: dt.date) -> dt.date:
        """The date this long before `as_of` (month ends clamp: Mar 31 - 1m = Feb 28)."""
        if self.unit in ("d", "w"):
            days = self.amount * (7 if self.unit == "w" else 1)
            return as_of - dt.timedelta(days=min(days, (as_of - dt.date.min).days))
        months = self.amount * (12 if self.unit == "y" else 1)
        total = as_of.year * 12 + (as_of.month - 1) - months
        year, month = max(total // 12, 1), total % 12 + 1
        day = min(as_of.day, calendar.monthrange(year, month)[1])
        return dt.date(year, month, day)


@dataclass(frozen=True)
class StaleRecord:
    """One record verified before the cutoff (or with no valid date at all)."""

    path: str
    kind: str
    record_id: str
    last_verified: str | None  # None: missing or not a date
    line: int
    column: int


@dataclass
class StaleReport:
    """Stale records grouped by jurisdiction, in registry order."""

    as_of: dt.date
    age: Age
    before: dt.date
    by: str = "checked"  # "checked": last_verified; "law": the law-as-of date
    checked: int = 0
    groups: list[tuple[str, str, list[StaleRecord]]] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    # Bills to watch whose status date is more than BILL_MAX_AGE_DAYS before as_of:
    # (path, bill, line, column), newest status first.
    bills_checked: int = 0
    stale_bills: list[tuple[str, Bill, int, int]] = field(default_factory=list)

    @property
    def bills_before(self) -> dt.date:
        return self.as_of - dt.timedelta(days=BILL_MAX_AGE_DAYS)

    @property
    def count(self) -> int:
        return sum(len(records) for _, _, records in self.groups)

    def findings(self) -> list[Finding]:
        """Each stale record as a warning at its `last_verified` line."""
        out = []
        todo = (
            "look for newer sources and record their current_to dates"
            if self.by == "law"
            else "re-check its sources and update last_verified"
        )
        for _, _, records in self.groups:
            for r in records:
                if self.by == "law":
                    when = f"law as of {r.last_verified or 'unknown'}"
                else:
                    when = (
                        f"last verified {r.last_verified}" if r.last_verified else "never verified"
                    )
                out.append(
                    Finding(
                        r.path,
                        r.line,
                        r.column,
                        "stale",
                        f"{when}, more than {self.age} before {self.as_of.isoformat()}: {todo}",
                        severity="warning",
                        json_path="sources" if self.by == "law" else "last_verified",
                    )
                )
        for path, bill, line, col in self.stale_bills:
            day = bill.checked_day
            when = f"last checked {day.isoformat()}" if day else "never checked"
            out.append(
                Finding(
                    path,
                    line,
                    col,
                    "stale-bill",
                    f"the status of bill {bill.bill} was {when}, more than {BILL_MAX_AGE_DAYS} "
                    f"days before {self.as_of.isoformat()}: check it and update status, "
                    "status_date and the page's accessed date",
                    severity="warning",
                    json_path=f"pending_bills[{bill.index}].status_date",
                )
            )
        return out

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "older_than": str(self.age),
            "by": self.by,
            "before": self.before.isoformat(),
            "checked": self.checked,
            "stale": self.count,
            "jurisdictions": [
                {
                    "code": code,
                    "name": name,
                    "records": [
                        {
                            "id": r.record_id,
                            "kind": r.kind,
                            "path": r.path,
                            "last_verified": r.last_verified,
                        }
                        for r in records
                    ],
                }
                for code, name, records in self.groups
            ],
            "unreadable": self.unreadable,
            "bills_checked": self.bills_checked,
            "bills_before": self.bills_before.isoformat(),
            "stale_bills": [{**b.as_dict(), "path": path} for path, b, _, _ in self.stale_bills],
        }

    def text(self) -> str:
        what = "Law stated as of a date" if self.by == "law" else "Last verified"
        head = (
            f"{what} more than {self.age} before {self.as_of.isoformat()} "
            f"(before {self.before.isoformat()}), or unknown:"
            if self.by == "law"
            else f"{what} more than {self.age} before {self.as_of.isoformat()} "
            f"(before {self.before.isoformat()}):"
        )
        if not self.groups:
            done = "state the law as of" if self.by == "law" else "were verified on or after"
            lines = [
                f"No stale records: all {self.checked} {done} "
                f"{self.before.isoformat()} ({self.age} before {self.as_of.isoformat()})."
            ]
        else:
            lines = [head]
            for code, name, records in self.groups:
                lines += ["", f"{name} ({code}): {plural(len(records), 'record')}"]
                for r in records:
                    empty = "unknown" if self.by == "law" else "none"
                    lines.append(f"  {r.last_verified or empty:<10}  {r.path}")
            places = plural(len(self.groups), "jurisdiction")
            lines += [
                "",
                f"{plural(self.count, 'stale record')} in {places}, of {self.checked} checked",
            ]
        if self.unreadable:
            lines.append(
                f"{plural(len(self.unreadable), 'file')} could not be read: "
                "run `kbtool validate` for details"
            )
        lines += self._bills_text()
        return "\n".join(lines)

    def _bills_text(self) -> list[str]:
        """Bills to watch due a re-check (nothing when no record lists a bill)."""
        if not self.bills_checked:
            return []
        before = self.bills_before.isoformat()
        if not self.stale_bills:
            return [
                "",
                f"Bills to watch: the status of all {self.bills_checked} was checked on or "
                f"after {before} ({BILL_MAX_AGE_DAYS} days before {self.as_of.isoformat()}).",
            ]
        lines = [
            "",
            f"Bills to watch whose status was last checked more than {BILL_MAX_AGE_DAYS} "
            f"days before {self.as_of.isoformat()} (before {before}):",
        ]
        for path, bill, _, _ in self.stale_bills:
            day = bill.checked_day
            lines.append(
                f"  {day.isoformat() if day else 'never':<10}  {bill.bill} "
                f"({bill.jurisdiction}, status of {bill.status_date or 'no date'})  {path}"
            )
        lines.append(
            f"{plural(len(self.stale_bills), 'bill')} to re-check, of {self.bills_checked} listed"
        )
        return lines


def _law_date(data: dict) -> tuple[dt.date | None, str | None]:
    """The law-as-of date of a record, as the first day of the period it names."""
    from .provenance import law_as_of, partial_date_key

    text = law_as_of(data)
    key = partial_date_key(text)  # None for "unknown"
    if key is None:
        return None, None
    year, month, day = key
    try:
        return dt.date(year, month or 1, day or 1), text
    except ValueError:
        return None, None


def find_stale(
    kb: KB, age: Age | str = "12m", as_of: dt.date | None = None, by: str = "checked"
) -> StaleReport:
    """Every record whose `last_verified` (by="checked") or law-as-of date (by="law") is
    older than `age` before `as_of` (today)."""
    from .rules import today

    if by not in ("checked", "law"):
        raise KBUsageError(f"--by takes checked or law, not {by!r}")
    age = Age.parse(age) if isinstance(age, str) else age
    as_of = as_of or today()
    report = StaleReport(as_of=as_of, age=age, before=age.before(as_of), by=by)
    registry = load_registry(kb.schema_dir)
    root = real(kb.root) or kb.root
    by_folder: dict[str, list[StaleRecord]] = {}
    for kind in KINDS:
        for path in kb.record_files(kind):
            display = path.relative_to(kb.root).as_posix()
            loaded = load_file(path, display, root=root)
            if not isinstance(loaded.data, dict):
                report.unreadable.append(display)
                continue
            report.checked += 1
            if kind == "remedy":
                _check_bills(report, loaded, display, path.stem)
            shown: str | None
            if by == "law":
                verified, shown = _law_date(loaded.data)
            else:
                value = loaded.data.get("last_verified")
                try:
                    verified = dt.date.fromisoformat(value) if isinstance(value, str) else None
                except ValueError:
                    verified = None
                shown = verified.isoformat() if verified else None
            if verified is not None and verified >= report.before:
                continue
            field = "sources" if by == "law" else "last_verified"
            line, col = loaded.position((field,), prefer_value=by != "law")
            rid = loaded.data.get("id")
            by_folder.setdefault(path.parent.name, []).append(
                StaleRecord(
                    display,
                    kind,
                    rid if isinstance(rid, str) else path.stem,
                    shown,
                    line,
                    col,
                )
            )
    report.stale_bills.sort(key=lambda item: (item[1].status_date, item[0]), reverse=True)
    order = {j.folder: i for i, j in enumerate(registry)}
    for folder in sorted(by_folder, key=lambda f: (order.get(f, len(order)), f)):
        records = sorted(by_folder[folder], key=lambda r: (r.last_verified or "", r.path))
        known = next((j for j in registry if j.folder == folder), None)
        code, name = (known.code, known.name) if known else (folder.upper(), folder)
        report.groups.append((code, name, records))
    return report


def _check_bills(report: StaleReport, loaded: LoadedFile, display: str, stem: str) -> None:
    """Count a remedy's pending bills; keep those whose status is too old to trust."""
    rid = loaded.data.get("id")
    for bill in bills_of(loaded.data, rid if isinstance(rid, str) else stem):
        report.bills_checked += 1
        if bill.is_stale(report.as_of):
            where = ("pending_bills", bill.index, "status_date")
            line, col = loaded.position(where, prefer_value=True)
            report.stale_bills.append((display, bill, line, col))
