"""The site's bills to watch: a box on each jurisdiction page and a "Bills to watch" page.

Bills come from remedy records' `pending_bills` (see `bills`). Everything from a record
is escaped (`h()`), and a bill's address becomes a link only if it is a plain http(s)
URL (`link()`). A bill whose status is dated more than BILL_MAX_AGE_DAYS before the
build date is marked as due a re-check.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .bills import BILL_MAX_AGE_DAYS, Bill, bills_of, newest_first
from .site import h, link
from .site_changes import record_anchor

if TYPE_CHECKING:
    from .jurisdictions import Jurisdiction
    from .site import Site

PAGE_FILE = "bills.md"


def _as_of(site: Site) -> dt.date:
    """The build date (KBTOOL_TODAY fixes it): a bill's status ages with the calendar,
    not with the records' verification dates."""
    from .rules import today

    return today()


def jurisdiction_bills_list(site: Site, code: str) -> list[Bill]:
    """The bills listed by a jurisdiction's remedy records, newest status first."""
    out: list[Bill] = []
    for record in sorted(site.remedies.get(code, []), key=lambda r: r.id):
        out += bills_of(record.data, record.id)
    return newest_first(out)


def _status(site: Site, bill: Bill, with_date: bool = True) -> str:
    text = f"{h(bill.status)}"
    if bill.status_date and with_date:
        text += f' (<time datetime="{h(bill.status_date)}">{h(bill.status_date)}</time>)'
    if bill.is_stale(_as_of(site)):
        text += (
            f' <span class="kb-badge kb-unknown">status over {BILL_MAX_AGE_DAYS} days old: '
            "check for newer action</span>"
        )
    return text


def jurisdiction_bills(site: Site, j: Jurisdiction) -> list[str]:
    """The "Bills to watch" box on a jurisdiction page (nothing when there are none)."""
    bills = jurisdiction_bills_list(site, j.code)
    if not bills:
        return []
    items = "".join(
        f"<li><strong>{link(b.bill, b.url)}</strong> ({h(b.legislature)}): {_status(site, b)}. "
        f"{h(b.effect)} Remedy: "
        f'<a href="#{h(record_anchor(b.record_id))}">{h(b.record_title or b.record_id)}</a>'
        "</li>"
        for b in bills
    )
    return [
        '<div class="admonition note kb-bills"><p class="admonition-title">Bills to watch</p>'
        "<p>Bills that would create or change a remedy here, with their status when last "
        f"checked. A bill is not law: check its status at the source.</p><ul>{items}</ul>"
        '<p><a href="../../bills/">All bills to watch</a></p></div>',
        "",
    ]


def bills_page(site: Site) -> str:
    """Every bill to watch, by jurisdiction (registry order), newest status first."""
    rows = []
    places = 0
    total = 0
    for j in site.registry:
        bills = jurisdiction_bills_list(site, j.code)
        if not bills:
            continue
        places += 1
        total += len(bills)
        for b in bills:
            rows.append(
                "<tr>"
                f'<td><a href="../jurisdictions/{h(j.folder)}/">{h(j.name)}</a></td>'
                f"<td>{link(b.bill, b.url)}<br><small>{h(b.legislature)}</small></td>"
                f"<td>{_status(site, b, with_date=False)}</td>"
                f"<td>{h(b.status_date)}</td>"
                f"<td>{h(b.effect)}</td>"
                f'<td><a href="../jurisdictions/{h(j.folder)}/#{h(record_anchor(b.record_id))}">'
                f"{h(b.record_title or b.record_id)}</a></td>"
                "</tr>"
            )
    out = [
        "---",
        'title: "Bills to watch"',
        'description: "Bills that would create or change a survivor remedy, with their status."',
        "hide:",
        "  - toc",
        "---",
        "",
        "# Bills to watch",
        "",
        "Bills that would create or change a remedy for trafficking survivors, as recorded "
        "in the remedy records, with the status each had on its status date. A bill is not "
        f"law. Statuses dated more than {BILL_MAX_AGE_DAYS} days before this build "
        f"({h(_as_of(site).isoformat())}) are marked: check the legislature's page for newer "
        "action (`kbtool stale` lists them).",
        "",
    ]
    if not rows:
        out += ["*No bills to watch are recorded yet.*", ""]
        return "\n".join(out) + "\n"
    out += [
        f"{total} bill{'s' if total != 1 else ''} in {places} "
        f"jurisdiction{'s' if places != 1 else ''}.",
        "",
        '<div class="kb-table-wrap"><table class="kb-sortable kb-bills"><thead><tr>'
        "<th>Jurisdiction</th><th>Bill</th><th>Status</th><th>Status date</th><th>Effect</th>"
        "<th>Remedy</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>",
        "",
    ]
    return "\n".join(out) + "\n"


def site_files(site: Site) -> dict[str, str]:
    return {PAGE_FILE: bills_page(site)}
