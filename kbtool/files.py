"""The one gate for the filesystem: what kbtool may read or write, and how.

Every file in a pull request is untrusted, so every reader and writer goes through here:

- **Reading** (`read_bytes`, `read_text`): the path, every link followed, stays inside
  the knowledge base; it is a regular file (never a pipe, socket or device, which could
  hang or flood the tool); its size is capped before it is read, on the open descriptor.
- **Hidden names** (a leading dot) are never read by the loader, the index, the site or
  the exports (`visible`, `listing`); the validator reports them (`hidden-file`), so a
  hidden record can neither shadow a real one nor slip past review.
- **Writing** (`check_write`, `write_text`): never through a symbolic link, and never to
  a path derived from data unless each part passes a strict pattern (`safe_part`).
- **Leftovers** of a killed run (`sweep`): only names this tool's own naming makes, and
  only once older than a safe age.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from .kb import KBError, is_inside, lexical, real

# Size caps, checked before reading.
MAX_RECORD_BYTES = 256 * 1024  # one record
MAX_SCHEMA_BYTES = 1024 * 1024  # one schema, the registry or a vocabulary
MAX_TEXT_BYTES = 1024 * 1024  # other text kbtool reads (templates, DATA-LICENSE.md, mkdocs.yml)

# A part of a path written from data (a vocabulary key, a jurisdiction folder, an id).
SAFE_PART = re.compile(r"[a-z0-9](?:[a-z0-9_.-]{0,98}[a-z0-9])?\Z")
# A whole path under a generated folder: safe parts joined by "/".
SAFE_REL = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9_.-]{0,99}/){0,4}[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\Z")

LEFTOVER_AGE = 600.0  # seconds: a temporary file this old belongs to a killed run


class Refused(KBError):
    """A path kbtool will not read or write; `code` is a stable finding code."""

    def __init__(self, code: str, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path


def hidden(name: str) -> bool:
    """Whether a file or folder name is hidden (leading dot): never read, always reported."""
    return name.startswith(".")


def visible(path: Path, root: Path | None = None) -> bool:
    """Whether no part of `path` (below `root`, when given) is hidden."""
    parts = Path(path).parts
    if root is not None:
        with contextlib.suppress(ValueError):
            parts = Path(path).relative_to(root).parts
    return not any(hidden(p) for p in parts if p not in (".", ".."))


def refusal(path: Path, root: Path | None) -> tuple[str, str] | None:
    """(code, message) when `path` must not be opened at all, else None.

    Checked before anything is opened, so a link pointing outside the knowledge base is
    refused without touching its target.
    """
    if root is None:
        return None  # a loop still fails safely: opening it raises ELOOP
    target = real(path)
    if target is None:
        return "unreadable", "is a symbolic link that loops back on itself"
    root = real(root) or root
    if is_inside(target, root):
        return None
    named = Path(os.path.normpath(Path(path).absolute()))
    if is_inside(lexical(path), root) or is_inside(named, root):
        return (
            "symlink-outside",
            "is a symbolic link to something outside the knowledge base; refused, not read "
            "(replace the link with the file itself)",
        )
    return "outside-root", "is outside the knowledge base; refused, not read"


def open_regular(path: Path, limit: int) -> tuple[bytes | None, str | None, int]:
    """The file's bytes (at most `limit` + 1), or why not: (data, problem, size).

    Opened without blocking and checked on the open descriptor, so a named pipe or a
    device never hangs the tool and a file that grows after the check cannot exhaust
    memory. `data` is None with no problem when the file is larger than `limit`.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            return None, "is a directory, not a file", 0
        if not stat.S_ISREG(info.st_mode):
            return None, "is not a regular file (a pipe, socket or device)", 0
        if info.st_size > limit:
            return None, None, info.st_size
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        return data, None, len(data)
    finally:
        os.close(fd)


def read_bytes(path: Path, root: Path, limit: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a file inside the knowledge base, or Refused saying why not."""
    path = Path(path)
    shown = _shown(path, root)
    if not visible(lexical(path), real(root) or root):
        raise Refused("hidden-file", f"{shown}: hidden name (leading dot); not read", path)
    problem = refusal(path, root)
    if problem is not None:
        raise Refused(problem[0], f"{shown}: {problem[1]}", path)
    try:
        data, why, size = open_regular(path, limit)
    except FileNotFoundError:
        raise Refused("missing", f"{shown}: no such file", path) from None
    except OSError as exc:
        raise Refused("unreadable", f"{shown}: cannot read: {exc.strerror or exc}", path) from None
    if why is not None:
        raise Refused("not-a-file", f"{shown}: {why}", path)
    if data is None or size > limit:
        raise Refused(
            "file-too-large", f"{shown}: more than {limit:,} bytes; refused, not read", path
        )
    return data


def read_text(path: Path, root: Path, limit: int = MAX_TEXT_BYTES) -> str:
    """A UTF-8 text file inside the knowledge base (see `read_bytes`)."""
    raw = read_bytes(path, root, limit)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("not-utf8", f"{_shown(path, root)}: not UTF-8 text", Path(path)) from None
    return text[1:] if text.startswith("\ufeff") else text


def _shown(path: Path, root: Path) -> str:
    base = real(root) or root
    for candidate in (lexical(path), Path(os.path.normpath(Path(path).absolute()))):
        if is_inside(candidate, base):
            return candidate.relative_to(base).as_posix()
    return Path(path).as_posix()


def listing(folder: Path, root: Path, suffix: str = "") -> list[Path]:
    """Visible entries of a folder inside the knowledge base (links out left out), sorted."""
    base = real(root) or root
    target = real(folder)
    if target is None or not is_inside(target, base) or not target.is_dir():
        return []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [
        Path(folder) / name
        for name in names
        if not hidden(name) and name.endswith(suffix) and _stays_inside(Path(folder) / name, base)
    ]


def _stays_inside(path: Path, base: Path) -> bool:
    target = real(path)
    return target is not None and is_inside(target, base)


# --- writing ----------------------------------------------------------------------------


def safe_part(text: str, what: str = "name") -> str:
    """`text` if it may be one part of a written path (`civil_action`, `us-ny`), else Refused."""
    if not isinstance(text, str) or not SAFE_PART.match(text) or ".." in text:
        raise Refused(
            "unsafe-name",
            f"{what} {text!r} cannot name a file: use lower-case letters, digits, '_' and '-'",
        )
    return text


def safe_rel(rel: str) -> str:
    """`rel` if it is a relative path of plain parts (no `..`, no hidden part), else Refused."""
    if not SAFE_REL.match(rel) or any(p in ("", ".", "..") for p in rel.split("/")):
        raise Refused("unsafe-name", f"{rel!r} cannot be written: not a plain relative path")
    return rel


def check_write(path: Path, root: Path | None) -> Path:
    """`path` if kbtool may write there: no part of it is a symbolic link.

    Inside the knowledge base, every folder from the root down to `path` is checked (a
    linked `docs/` or `docs/kb` would send writes, and deletions, elsewhere). Outside it
    (an explicit `--out` or `-o`), `path` and its folder must not be links either.
    """
    path = Path(os.path.normpath(Path(path).absolute()))
    base = Path(os.path.normpath(Path(root).absolute())) if root is not None else None
    resolved_base = real(base) if base is not None else None
    if base is not None and resolved_base is not None:
        for candidate in (base, resolved_base):
            if is_inside(path, candidate):
                here = candidate
                for part in path.relative_to(candidate).parts:
                    here = here / part
                    if here.is_symlink():
                        target = real(here)
                        out = target is None or not is_inside(target, resolved_base)
                        where = " that leads outside the knowledge base" if out else ""
                        raise Refused(
                            "symlink-write",
                            f"{here} is a symbolic link{where}; kbtool never writes through "
                            "a link (replace it with a real folder)",
                            here,
                        )
                return path
    for here in (path, path.parent):
        if here.is_symlink():
            raise Refused(
                "symlink-write", f"{here} is a symbolic link; kbtool never writes through a link"
            )
    return path


def write_error(path: Path, exc: OSError) -> KBError:
    """A clear message for a failed write (read-only checkout, full disk, permissions)."""
    import errno

    reason = exc.strerror or str(exc)
    hint = {
        errno.ENOSPC: "the disk is full: free some space and run it again",
        errno.EDQUOT: "the disk quota is used up: free some space and run it again",
        errno.EROFS: "the file system is read-only: run it in a writable checkout",
        errno.EACCES: "no permission to write there",
        errno.EPERM: "no permission to write there",
    }.get(exc.errno or 0, "")
    return KBError(f"cannot write {path}: {reason}" + (f"; {hint}" if hint else ""))


# --- leftovers --------------------------------------------------------------------------


def sweep(
    folder: Path, pattern: re.Pattern[str], min_age: float = LEFTOVER_AGE, now: float | None = None
) -> list[Path]:
    """Remove what a killed run left in `folder`: entries whose whole name matches
    `pattern` (this tool's own naming) and that are older than `min_age` seconds.
    Links are removed as links, never followed. Returns what was removed."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not pattern.fullmatch(name):
            continue
        path = Path(folder) / name
        try:
            info = path.lstat()
        except OSError:
            continue
        if now - info.st_mtime < min_age:
            continue
        with contextlib.suppress(OSError):
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


def walk_hidden(folders: Iterable[Path]) -> Iterator[Path]:
    """Every hidden entry below `folders` (not descending into hidden folders or links)."""
    for top in folders:
        if not top.is_dir() or top.is_symlink():
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            here = Path(dirpath)
            for name in sorted(dirnames + filenames):
                if hidden(name):
                    yield here / name
            dirnames[:] = sorted(d for d in dirnames if not hidden(d))
