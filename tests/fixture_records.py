"""Records shared by fixture cases built at test time (tests/fixtures/invalid/*/build.py)."""

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
