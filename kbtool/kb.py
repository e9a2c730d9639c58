"""Where the knowledge base is, and where its parts live inside it.

Like git, kbtool works on the knowledge base it finds from the current directory
upward, unless `--root` or the KBTOOL_ROOT environment variable names one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT_ENV = "KBTOOL_ROOT"
MARKER = Path("schema") / "jurisdictions.yaml"
KINDS = ("statute", "remedy")
FOLDERS = {"statute": "statutes", "remedy": "remedies"}


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

        Returns (kind, path); raises KeyError when no such file exists.
        """
        parts = record_id.split("-")
        for kind in kinds:
            base = self.folder(kind)
            for n in range(len(parts) - 1, 0, -1):
                path = base / "-".join(parts[:n]) / f"{record_id}.yaml"
                if path.is_file():
                    return kind, path
        raise KeyError(record_id)

    def record_files(self, kind: str) -> list[Path]:
        """All record files of a kind, sorted: <folder>/<jurisdiction>/<id>.yaml."""
        base = self.folder(kind)
        if not base.is_dir():
            return []
        return sorted(base.glob("*/*.yaml"))


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
