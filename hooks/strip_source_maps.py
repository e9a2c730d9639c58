"""MkDocs hook: leave no source maps in the built site.

Material ships `*.map` files (about 1.3 MB) beside its bundles; readers never need them.
After the build this deletes them and the `sourceMappingURL` comments that point to them.
Touches only files under the build's own site_dir.
"""

from __future__ import annotations

import re
from pathlib import Path

_COMMENT = re.compile(rb"\n?/[/*][#@] sourceMappingURL=[^\n]*?(\*/)?\s*$")


def on_post_build(config, **kwargs) -> None:
    site = Path(config["site_dir"]).resolve()
    for path in site.rglob("*.map"):
        if path.is_file() and not path.is_symlink():
            path.unlink()
    for pattern in ("*.js", "*.css"):
        for path in site.rglob(pattern):
            if not path.is_file() or path.is_symlink():
                continue
            data = path.read_bytes()
            if b"sourceMappingURL" not in data:
                continue
            stripped = _COMMENT.sub(b"\n", data)
            if stripped != data:
                path.write_bytes(stripped)
