"""Exact totals at a size where Whoosh's score-based skipping used to undercount.

Once the top ten are full of strong matches (the word in the title), Whoosh's collector
replaced the matcher with one that skips documents that cannot beat them, turning the
OR over fields into an AND and leaving out of the count every record that has the word
only in its body. At 10,000 records `vacatur` counted 597 of 2,199 matches. The corpus
here is synthetic: strong matches, body-only matches and records without the word.
"""

from __future__ import annotations

import pytest
import yaml
from conftest import make_kb

from kbtool.index import Filters, SearchIndex
from kbtool.kb import KB

STRONG, WEAK, OTHER = 40, 700, 200


def synthetic_remedy(n: int, title: str, eligibility: str) -> dict:
    return {
        "id": f"us-ny-synthetic-{n}",
        "jurisdiction": "US-NY",
        "remedy_type": "criminal_record_relief",
        "title": title,
        "summary": f"Synthetic record number {n} for counting.",
        "available": True,
        "eligibility": eligibility,
        "sources": [{"url": "https://example.org/", "title": "Example", "type": "other"}],
        "last_verified": "2026-11-01",
        "verification": "secondary_source",
    }


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    base = tmp_path_factory.mktemp("totals")
    root = make_kb(base / "kb")
    folder = root / "remedies" / "us-ny"
    for n in range(STRONG + WEAK + OTHER):
        if n < STRONG:
            data = synthetic_remedy(n, "Vacatur vacatur vacatur", "Anyone.")
        elif n < STRONG + WEAK:
            data = synthetic_remedy(
                n,
                "Relief for survivors",
                "A long eligibility text that mentions vacatur once among many other words "
                "about courts, motions, petitions, hearings and the records of the case.",
            )
        else:
            data = synthetic_remedy(n, "Something else", "Nothing to do with it.")
        (folder / f"{data['id']}.yaml").write_text(yaml.safe_dump(data), "utf-8")
    index = SearchIndex(KB(root.resolve()), base / "index")  # outside the checkout
    index.update()
    return index


def test_total_counts_every_match_not_only_the_strong_ones(big: SearchIndex) -> None:
    hits, total = big.search("vacatur", limit=10)
    fixture_matches = 2  # the fixture's New York vacatur remedy and statute
    assert total == STRONG + WEAK + fixture_matches
    assert len(hits) == 10
    assert all(h.title == "Vacatur vacatur vacatur" for h in hits)


def test_total_with_a_filter_and_a_phrase(big: SearchIndex) -> None:
    _, total = big.search("vacatur", Filters(jurisdiction="US-NY", kind="remedy"), limit=5)
    assert total == STRONG + WEAK + 1
    _, total = big.search('"mentions vacatur"', limit=3)
    assert total == WEAK
    _, total = big.search("vacatur OR survivors", limit=3)
    assert total == STRONG + WEAK + 2


def test_limit_does_not_change_the_total(big: SearchIndex) -> None:
    totals = {big.search("vacatur courts", limit=n)[1] for n in (1, 10, 100, 1000)}
    assert len(totals) == 1
