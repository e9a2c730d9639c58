"""The real dataset, as a whole: it must validate cleanly and keep its promises."""

from __future__ import annotations

from conftest import REPO

from kbtool import query
from kbtool.corpus import Corpus
from kbtool.kb import KB
from kbtool.validate import validate


def test_real_dataset_validates_cleanly() -> None:
    report = validate(KB(REPO))
    assert [f.format() for f in report.findings] == []
    assert report.files > 0


def test_every_record_has_sources_and_verification() -> None:
    corpus = Corpus(KB(REPO))
    for kind in ("statute", "remedy"):
        for record in corpus.all(kind):
            assert record.data.get("sources"), record.id
            assert all(
                s.get("url", "").startswith(("http://", "https://")) for s in record.data["sources"]
            )
            assert record.data.get("last_verified"), record.id
            assert record.data.get("verification") in (
                "official_text",
                "secondary_source",
                "unverified",
            )


def test_first_real_records_exist() -> None:
    """The foundation's promise: the federal core, Palermo, NY and CA are present."""
    corpus = Corpus(KB(REPO))
    for rid in (
        "us-18-usc-1595",
        "us-18-usc-1593",
        "us-civil-action-1595",
        "us-restitution-1593",
        "us-t-visa",
        "intl-palermo-protocol",
        "us-ny-criminal-record-relief",
        "us-ny-civil-action",
        "us-ca-criminal-record-relief",
        "us-ca-civil-action",
    ):
        assert corpus.get(rid) is not None, rid


def test_remedy_lists_of_every_jurisdiction_load() -> None:
    corpus = Corpus(KB(REPO))
    for j in corpus.registry:
        for item in query.remedies(corpus, j):
            assert all(ref["citation"] for ref in item["legal_basis"]), item["id"]
