"""Where the knowledge base is, and where its parts live inside it.

Like git, kbtool works on the knowledge base it finds from the current directory
upward, unless `--root` or the KBTOOL_ROOT environment variable names one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT_ENV = "KBTOOL_ROOT"
MARKER = Path("schema") / "jurisdictions.yaml"
KINDS = ("statute", "remedy")
FOLDERS = {"statute": "statutes", "remedy": "remedies"}
# What a record id may look like (as in schema/defs.schema.json): never a path.
RECORD_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


class KBError(Exception):
    """A failed operation (exit 1)."""


class KBUsageError(KBError):
    """The user asked for something that cannot be (exit 2): unknown name, no knowledge base."""


@dataclass(frozen=True)
class KB:
    """Paths of one knowledge base checkout."""

    root: Path

    @property
    def schema_dir(self) -> Path:
        return self.root / "schema"

    def folder(self, kind: str) -> Path:
        return self.root / FOLDERS[kind]

    def record_path(self, kind: str, jurisdiction_folder: str, record_id: str) -> Path:
        return self.folder(kind) / jurisdiction_folder / f"{record_id}.yaml"

    def find_record_path(self, record_id: str, kinds: tuple[str, ...] = KINDS) -> tuple[str, Path]:
        """The file of a record id, using the rule that ids start with their folder name.

        Returns (kind, path); raises KeyError when no such file exists, and for anything
        that is not an id (`../x`, `/etc/x`), so an id can never name a file elsewhere.
        """
        if not RECORD_ID.match(record_id):
            raise KeyError(record_id)
        parts = record_id.split("-")
        for kind in kinds:
            base = self.folder(kind)
            for n in range(len(parts) - 1, 0, -1):
                path = base / "-".join(parts[:n]) / f"{record_id}.yaml"
                if path.is_file() and self.inside(path):
                    return kind, path
        raise KeyError(record_id)

    def inside(self, path: Path) -> bool:
        """Whether `path`, every link followed, stays inside the knowledge base."""
        target = real(path)
        return target is not None and is_inside(target, real(self.root) or self.root)

    def record_files(self, kind: str) -> list[Path]:
        """All record files of a kind, sorted: <folder>/<jurisdiction>/<id>.yaml.

        Nothing outside the knowledge base (a linked folder or file) and nothing with a
        hidden name (leading dot) is listed: readers never see them, `validate` reports
        them (files.listing is the one rule).
        """
        from .files import listing

        return [
            path
            for folder in listing(self.folder(kind), self.root)
            if folder.is_dir()
            for path in listing(folder, self.root, ".yaml")
        ]


def lexical(path: Path) -> Path:
    """The absolute path with its folder resolved but its last part kept as named.

    A symbolic link keeps its own name (so findings name the link, not its target), and
    a link loop never raises.
    """
    path = Path(path)
    try:
        return path.absolute().parent.resolve() / path.name
    except (OSError, RuntimeError):  # a loop in the folders above: keep it as named
        return path.absolute()


def real(path: Path) -> Path | None:
    """Where a path really leads, following every link; None for a link loop."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):  # RuntimeError: symlink loop (Python < 3.13)
        return None


class Resolver:
    """`real` and `lexical` for many paths in a few folders: each folder is resolved once.

    Resolving walks every part of a path; over thousands of files in the same folders
    that is most of a validation run's system calls.
    """

    def __init__(self) -> None:
        self._folders: dict[Path, Path | None] = {}

    def folder(self, folder: Path) -> Path | None:
        if folder not in self._folders:
            self._folders[folder] = real(folder)
        return self._folders[folder]

    def lexical(self, path: Path) -> Path:
        path = Path(path)
        parent = self.folder(path.parent) if path.name not in ("", ".", "..") else None
        return parent / path.name if parent is not None else lexical(path)

    def real(self, path: Path) -> Path | None:
        path = Path(path)
        if path.name in ("", ".", "..") or path.is_symlink():
            return real(path)
        parent = self.folder(path.parent)
        return parent / path.name if parent is not None else None


def is_inside(path: Path, root: Path) -> bool:
    """Whether `path` is `root` or below it (both taken as they are, not resolved)."""
    here, base = str(path), str(root)
    return here == base or here.startswith(base if base.endswith(os.sep) else base + os.sep)


def find_root(explicit: str | os.PathLike | None = None, start: Path | None = None) -> KB:
    """The knowledge base named by `explicit`, $KBTOOL_ROOT, or found upward from `start`."""
    named = explicit or os.environ.get(ROOT_ENV)
    if named:
        root = Path(named).expanduser()
        if not (root / MARKER).is_file():
            raise KBUsageError(
                f"{root} is not a knowledge base (no {MARKER.as_posix()} there); "
                "pass the folder of a checkout with --root"
            )
        return KB(root.resolve())
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / MARKER).is_file():
            return KB(candidate)
    raise KBUsageError(
        f"no knowledge base found in {here} or any folder above it; run kbtool inside a "
        f"checkout, or pass --root (or set {ROOT_ENV})"
    )
