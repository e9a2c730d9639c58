"""Atomic file writes: a file is either there in full or not there at all.

The text goes to a hidden temporary file in the same folder, is flushed to disk, and
is then renamed (or linked) into place in one step. An error or Ctrl-C at any moment
leaves the old file (or no file) and no temporary file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text(path: Path, text: str, *, overwrite: bool = True) -> None:
    """Write `text` (UTF-8) to `path` atomically.

    With `overwrite=False` an existing file (or link) is never replaced: FileExistsError,
    decided atomically by the file system, so two writers cannot both win.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        if overwrite:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # after a link or on any error; gone after a replace


def _link_new(tmp: Path, path: Path) -> None:
    """Put `tmp` at `path` only if nothing is there yet."""
    try:
        os.link(tmp, path)  # fails with FileExistsError if anything (even a link) is there
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if path.exists() or path.is_symlink():
            raise FileExistsError(path) from None
        os.replace(tmp, path)
