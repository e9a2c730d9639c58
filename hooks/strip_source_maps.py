"""MkDocs hook: leave no source maps and no unused search languages in the built site.

Material ships `*.map` files (about 1.3 MB) beside its bundles and every search language
pack (about 900 KB); readers need neither. After the build this deletes the maps, the
`sourceMappingURL` comments that point to them, and the language packs of languages
not in `plugins: search: lang`. Touches only files under the build's own site_dir.
"""

from __future__ import annotations

import re
from pathlib import Path

_COMMENT = re.compile(rb"\n?/[/*][#@] sourceMappingURL=[^\n]*?(\*/)?\s*$")


def on_post_build(config, **kwargs) -> None:
    strip_unused_search_languages(config)
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


def _search_languages(config) -> list[str]:
    plugin = config["plugins"].get("material/search") or config["plugins"].get("search")
    langs = getattr(plugin, "config", {}).get("lang") if plugin is not None else None
    if isinstance(langs, str):
        return [langs]
    return list(langs or ["en"])


def strip_unused_search_languages(config) -> None:
    """Delete the language packs of Material's search that the site does not use."""
    lunr = Path(config["site_dir"]).resolve() / "assets" / "javascripts" / "lunr"
    if not lunr.is_dir():
        return
    langs = _search_languages(config)
    keep = {f"lunr.{lang}.min.js" for lang in langs if lang != "en"}
    if keep:
        keep |= {"lunr.stemmer.support.min.js", "lunr.multi.min.js"}
    for path in (lunr / "min").glob("*.js"):
        if path.name not in keep and path.is_file() and not path.is_symlink():
            path.unlink()
    if not {"ja", "jp"} & set(langs):
        (lunr / "tinyseg.js").unlink(missing_ok=True)
    if "th" not in langs:
        (lunr / "wordcut.js").unlink(missing_ok=True)
