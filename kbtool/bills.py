"""Bills to watch: the `pending_bills` of remedy records, and which are due a re-check.

A remedy may list bills that would create or change it (`pending_bills`, defined in
schema/defs.schema.json: bill, legislature, status, status_date, url, effect). The
site shows them on jurisdiction pages and on a "Bills to watch" page; `kbtool stale`
lists those whose status was last checked more than BILL_MAX_AGE_DAYS before today
(the `accessed` date of the bill's page among the record's sources; the status date when
the page is not listed), since a bill's status goes out of date much faster than a
statute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

BILL_MAX_AGE_DAYS = 90
FIELDS = ("bill", "legislature", "status", "status_date", "url", "effect")


@dataclass(frozen=True)
class Bill:
    """One pending bill, with the remedy record that lists it."""

    record_id: str
    jurisdiction: str  # code, e.g. US-NY (from the record)
    remedy_type: str
    record_title: str
    index: int  # position in the record's pending_bills (for findings)
    bill: str
    legislature: str
    status: str
    status_date: str  # YYYY-MM-DD as recorded; '' if missing
    url: str
    effect: str
    checked: str = ""  # when the bill's page was read (its source's `accessed`); '' if unknown

    @property
    def status_day(self) -> dt.date | None:
        try:
            return dt.date.fromisoformat(self.status_date)
        except ValueError:
            return None

    @property
    def checked_day(self) -> dt.date | None:
        """When the status was last checked: the page's `accessed` date, else the status
        date itself (a status cannot have been checked before it happened)."""
        try:
            return dt.date.fromisoformat(self.checked)
        except ValueError:
            return self.status_day

    def is_stale(self, as_of: dt.date, days: int = BILL_MAX_AGE_DAYS) -> bool:
        """Whether its status was last checked more than `days` before `as_of` (or no
        date says when)."""
        day = self.checked_day
        return day is None or day < as_of - dt.timedelta(days=days)

    def as_dict(self) -> dict:
        return {
            "record": self.record_id,
            "jurisdiction": self.jurisdiction,
            "remedy_type": self.remedy_type,
            **{name: getattr(self, name) for name in FIELDS},
            "checked": self.checked or None,
        }


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def bills_of(data: dict, record_id: str) -> list[Bill]:
    """The well-formed entries of one remedy record's `pending_bills` (others skipped:
    validation reports them)."""
    items = data.get("pending_bills")
    if not isinstance(items, list):
        return []
    read = {
        s.get("url"): _text(s.get("accessed"))
        for s in data.get("sources") or []
        if isinstance(s, dict) and isinstance(s.get("url"), str)
    }
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("bill"):
            continue
        out.append(
            Bill(
                record_id=record_id,
                jurisdiction=_text(data.get("jurisdiction")),
                remedy_type=_text(data.get("remedy_type")),
                record_title=_text(data.get("title")),
                index=i,
                **{name: _text(item.get(name)) for name in FIELDS},
                checked=read.get(item.get("url"), ""),
            )
        )
    return out


def newest_first(bills: list[Bill]) -> list[Bill]:
    """By status date, newest first (undated last), then bill number."""
    return sorted(bills, key=lambda b: (b.status_day or dt.date.min, b.bill), reverse=True)
