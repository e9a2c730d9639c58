"""Records shared by fixture cases built at test time (tests/fixtures/invalid/*/build.py)."""

from pathlib import Path

import yaml

# A valid remedy record (available: unknown) for New York, as a fixture case's starting point.
BASE_REMEDY = """\
id: us-ny-affirmative-defense
jurisdiction: US-NY
remedy_type: affirmative_defense
title: Affirmative defense for trafficking victims
summary: A defense to crimes committed as a result of being trafficked.
available: unknown
sources:
  - url: https://example.org/checked
    title: A page that was checked
    accessed: 2026-11-01
last_verified: 2026-11-01
verification: secondary_source
"""


def set_us_section_urls(root: Path, pattern: dict) -> None:
    """Give the fixture KB's first U.S. publisher one section address pattern."""
    path = root / "schema" / "publishers.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    us = next(e for e in data["jurisdictions"] if e["code"] == "US")
    us["publishers"][0]["section_urls"] = [pattern]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
