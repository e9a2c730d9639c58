"""After the site engine's build: leave no source maps in the built site.

Material ships `*.map` files (about 1.3 MB) beside its bundles, and the search language
packs when its search plugin is on; readers need neither. `make site` runs this after
`mkdocs build` (mkdocs.yml names no hooks: a hook is code run from a file a pull request
can change). Deletes only regular files under the given folder, never through a link.

    python -m kbtool.site_postbuild site
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_COMMENT = re.compile(rb"\n?/[/*][#@] sourceMappingURL=[^\n]*?(\*/)?\s*$")


def _files(site: Path, pattern: str) -> list[Path]:
    return [p for p in site.rglob(pattern) if p.is_file() and not p.is_symlink()]


def strip_source_maps(site: Path) -> int:
    """Delete `*.map`, the comments pointing to them and unused search language packs
    (Material's lunr folder: our own search needs none). Returns the bytes removed."""
    site = Path(site)
    if not site.is_dir() or site.is_symlink():
        return 0
    removed = 0
    lunr = site / "assets" / "javascripts" / "lunr"
    doomed = _files(site, "*.map") + (_files(lunr, "*.js") if lunr.is_dir() else [])
    for path in doomed:
        removed += path.stat().st_size
        path.unlink()
    for pattern in ("*.js", "*.css"):
        for path in _files(site, pattern):
            data = path.read_bytes()
            if b"sourceMappingURL" not in data:
                continue
            stripped = _COMMENT.sub(b"\n", data)
            if stripped != data:
                removed += len(data) - len(stripped)
                path.write_bytes(stripped)
    return removed


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m kbtool.site_postbuild SITE_DIR", file=sys.stderr)
        return 2
    removed = strip_source_maps(Path(args[0]))
    print(f"removed {removed / 1024:,.0f} KB of source maps and unused search languages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
