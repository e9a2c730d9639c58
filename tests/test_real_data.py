"""The real dataset, as a whole: it must validate cleanly and keep its promises."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from kbtool import query
from kbtool.corpus import Corpus
from kbtool.kb import KB
from kbtool.validate import validate


def test_real_dataset_validates_cleanly(monkeypatch) -> None:
    monkeypatch.delenv("KBTOOL_TODAY")  # the real data is checked against the real date
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
                "unofficial_text",
                "secondary_source",
                "unverified",
            )


def test_addresses_are_written_on_their_own_line() -> None:
    """`url: >-` folds an address onto the next line, where a reviewer reading the diff
    (or a check that looks for `url:` lines) does not see it: write it on one line."""
    import re

    folded = re.compile(r"^[ -]*(url|official_text_url|official_page|source): [>|]", re.M)
    files = [*REPO.glob("statutes/*/*.yaml"), *REPO.glob("remedies/*/*.yaml")]
    files.append(REPO / "help" / "help.yaml")
    offending = [p.relative_to(REPO).as_posix() for p in files if folded.search(p.read_text())]
    assert offending == []


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
    """Every list loads, and every citation it shows (a statute's citation with the
    record's pinpoint) names each subsection once: the validator checks the two fields
    apart, so `§ 647(b)` + `(b)(5)` is caught only here."""
    from kbtool.rules import _REPEATED_SUBSECTION

    corpus = Corpus(KB(REPO))
    shown = 0
    for j in corpus.registry:
        for item in query.remedies(corpus, j):
            for ref in item["legal_basis"]:
                assert ref["citation"], item["id"]
                assert not _REPEATED_SUBSECTION.search(ref["citation"]), (item["id"], ref)
                shown += 1
    assert shown > 300


def test_readme_coverage_summary_is_current() -> None:
    """README quotes numbers computed from the data; `make readme` refreshes them."""
    from kbtool.render import README_END, README_START, coverage_markdown

    readme = (REPO / "README.md").read_text("utf-8")
    block = readme[readme.index(README_START) : readme.index(README_END) + len(README_END)]
    assert block == coverage_markdown(query.coverage(Corpus(KB(REPO)))), "run `make readme`"


def test_every_jurisdiction_is_researched_for_every_remedy_type_in_scope() -> None:
    cov = query.coverage(Corpus(KB(REPO)))
    assert cov["totals"]["not researched"] == 0
    codes = {row["code"] for row in cov["jurisdictions"]}
    assert len(codes) == 58
    for row in cov["jurisdictions"]:
        assert row["crime_statute"], f"{row['code']} has no crime statute (or treaty) record"


def test_every_us_jurisdiction_has_a_record_relief_record() -> None:
    corpus = Corpus(KB(REPO))
    for j in corpus.registry:
        if j.kind in ("state", "district", "territory", "federal"):
            items = query.remedies(corpus, j, "criminal_record_relief")
            assert items, j.code
            for item in items:
                assert item["sources"][0]["url"] and item["last_verified"]


def test_readme_example_matches_the_real_output() -> None:
    """The README's `kbtool remedies NY` example is real output, not a mock-up."""
    from click.testing import CliRunner

    from kbtool.cli import main

    readme = (REPO / "README.md").read_text("utf-8")
    example = readme.split("$ .venv/bin/kbtool remedies NY\n", 1)[1].split("```", 1)[0]
    shown = [line for line in example.splitlines() if line and line != "    ..."]
    output = CliRunner().invoke(main, ["--root", str(REPO), "remedies", "NY"]).output
    for line in shown:
        assert line in output.splitlines(), line


def _contributor_examples() -> list[tuple[str, list[str], str | None]]:
    """(file, args, file it says it writes) for each runnable `kbtool new` example in the
    README and CONTRIBUTING (placeholders such as <code> are not runnable)."""
    import re
    import shlex

    out = []
    readme = (REPO / "README.md").read_text("utf-8")
    for command in re.findall(r"`(kbtool new [^`]+)`", readme):
        if not re.search(r"[<|\[]", command):  # the command table's synopsis is not an example
            out.append(("README.md", shlex.split(command)[1:], None))
    lines = (REPO / "CONTRIBUTING.md").read_text("utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("kbtool new ") and "<" not in line:
            following = lines[i + 1] if i + 1 < len(lines) else ""
            wrote = following[len("# wrote ") :] if following.startswith("# wrote ") else None
            out.append(("CONTRIBUTING.md", shlex.split(line)[1:], wrote))
    assert [x for x in out if x[0] == "README.md"], "the README's contributor example"
    return out


@pytest.mark.parametrize("where,args,wrote", _contributor_examples())
def test_contributor_example_works_as_written(tmp_path: Path, where, args, wrote) -> None:
    """The `kbtool new` examples run on a copy of the current data and write a new file
    (they fail when the data gains that record: then pick another example)."""
    import shutil

    from click.testing import CliRunner

    from kbtool.cli import main

    for folder in ("schema", "templates", "statutes", "remedies"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    result = CliRunner().invoke(main, ["--root", str(tmp_path), *args])
    assert result.exit_code == 0, (where, result.output)
    written = result.output.splitlines()[0].removeprefix("wrote ")
    assert (tmp_path / written).is_file()
    assert not (REPO / written).exists()
    if wrote:
        assert written == wrote
