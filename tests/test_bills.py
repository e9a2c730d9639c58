"""Bills to watch: `pending_bills` on remedies, in `kbtool stale` and on the site.

The bills below are test fixtures (invented numbers on example.org), not research.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml

from kbtool.corpus import Corpus
from kbtool.kb import KB
from kbtool.site import SiteConfig, generate
from kbtool.stale import find_stale

RELIEF = "remedies/us-ny/us-ny-criminal-record-relief.yaml"
BILLS = [
    {
        "bill": "A.0001 (fixture)",
        "legislature": "Test Legislature, 2025-2026",
        "status": "passed one chamber",
        "status_date": "2026-10-01",
        "url": "https://example.org/bills/a1",
        "effect": "Would extend vacatur to arrests.",
    },
    {
        "bill": "S.0002 (fixture)",
        "legislature": "Test Legislature, 2025-2026",
        "status": "referred to committee",
        "status_date": "2026-06-01",
        "url": "javascript:alert(1)",
        "effect": "<script>alert(1)</script> & would remove the deadline.",
    },
]


def add_bills(kb: Path, bills: list[dict]) -> None:
    path = kb / RELIEF
    text = path.read_text("utf-8")
    path.write_text(text + yaml.safe_dump({"pending_bills": bills}, sort_keys=False), "utf-8")


def test_stale_lists_bills_older_than_90_days(fixture_kb: Path, run) -> None:
    add_bills(fixture_kb, BILLS)
    report = find_stale(KB(fixture_kb.resolve()), "12m", as_of=dt.date(2026, 11, 28))
    assert report.bills_checked == 2
    assert [b.bill for _, b, _, _ in report.stale_bills] == ["S.0002 (fixture)"]
    text = run("stale").output  # KBTOOL_TODAY is 2026-11-28 in tests
    assert (
        "Bills to watch whose status was last checked more than 90 days before 2026-11-28 "
        "(before 2026-08-30):\n"
        "  2026-06-01  S.0002 (fixture) (US-NY, status of 2026-06-01)  "
        "remedies/us-ny/us-ny-criminal-record-relief.yaml\n"
        "1 bill to re-check, of 2 listed\n"
    ) in text
    data = json.loads(run("stale", "--format", "json").output)
    assert data["bills_checked"] == 2 and data["bills_before"] == "2026-08-30"
    assert [b["bill"] for b in data["stale_bills"]] == ["S.0002 (fixture)"]
    assert data["stale_bills"][0]["path"] == RELIEF
    github = run("stale", "--format", "github").output
    lines = (fixture_kb / RELIEF).read_text("utf-8").splitlines()
    line = next(i for i, t in enumerate(lines, 1) if "status_date: '2026-06-01'" in t)
    assert f"::warning file={RELIEF},line={line}," in github
    assert (
        "title=stale-bill::stale-bill the status of bill S.0002 (fixture) was last checked"
        in github
    )
    assert github.endswith("0 stale of 5 records; 1 stale of 2 bills to watch\n")


def test_stale_bill_age_uses_the_injected_today(fixture_kb: Path) -> None:
    add_bills(fixture_kb, BILLS)
    kb = KB(fixture_kb.resolve())
    assert find_stale(kb, as_of=dt.date(2026, 8, 1)).stale_bills == []
    # exactly 90 days is still fresh; 91 is not
    assert find_stale(kb, as_of=dt.date(2026, 8, 30)).stale_bills == []
    assert len(find_stale(kb, as_of=dt.date(2026, 8, 31)).stale_bills) == 1
    fresh = find_stale(kb, as_of=dt.date(2026, 8, 1)).text()
    assert "Bills to watch: the status of all 2 was checked on or after 2026-05-03" in fresh


def test_a_bill_is_due_when_its_page_was_last_read_not_when_it_last_moved(
    fixture_kb: Path,
) -> None:
    """A bill that has not moved since June but whose page was read this week is current."""
    add_bills(fixture_kb, BILLS[:1])
    path = fixture_kb / RELIEF
    data = yaml.safe_load(path.read_text("utf-8"))
    data["pending_bills"][0]["status_date"] = "2026-01-15"
    data["sources"].append(
        {"url": "https://example.org/bills/a1", "title": "A.0001", "accessed": "2026-11-25"}
    )
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    kb = KB(fixture_kb.resolve())
    assert find_stale(kb, as_of=dt.date(2026, 11, 28)).stale_bills == []
    stale = find_stale(kb, as_of=dt.date(2027, 3, 1)).stale_bills
    assert [b.checked for _, b, _, _ in stale] == ["2026-11-25"]


def test_stale_without_bills_says_nothing_about_them(fixture_kb: Path, run) -> None:
    assert "ill" not in run("stale").output


def test_jurisdiction_page_and_bills_page(fixture_kb: Path) -> None:
    add_bills(fixture_kb, BILLS)
    pages = generate(Corpus(KB(fixture_kb)), SiteConfig(as_of="2026-11-28"))
    page = pages["jurisdictions/us-ny.md"]
    box = page[page.index('<div class="admonition note kb-bills">') :]
    box = box[: box.index("</div>")]
    assert '<a href="https://example.org/bills/a1" rel="noopener">A.0001 (fixture)</a>' in box
    assert box.index("A.0001") < box.index("S.0002")  # newest status first
    assert "<script>" not in box and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in box
    assert "javascript:" not in box  # not a link: shown as text only
    assert '<a href="#history-us-ny-criminal-record-relief">' in box
    assert "status over 90 days old" in box
    assert "kb-bills" not in pages["jurisdictions/us.md"]
    bills = pages["bills.md"]
    assert "2 bills in 1 jurisdiction." in bills
    assert '<a href="../jurisdictions/us-ny/#history-us-ny-criminal-record-relief">' in bills
    assert "<script>" not in bills and "javascript:" not in bills
    assert bills.count("status over 90 days old") == 1


def test_bills_page_without_bills(fixture_kb: Path) -> None:
    pages = generate(Corpus(KB(fixture_kb)), SiteConfig(as_of="2026-11-28"))
    assert "*No bills to watch are recorded yet.*" in pages["bills.md"]
    assert "kb-bills" not in pages["jurisdictions/us-ny.md"]
