"""Reading records for lookups: fast, lazy, no jsonschema.

Lookups (`remedies`, `show`, `compare`) read only the files they need: a
jurisdiction's folder and the statutes its remedies cite, found by id (ids start
with their folder name and equal their file name). Nothing here validates; a
record that cannot be read raises KBError pointing at `kbtool validate`.
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import parallel
from .files import SAFE_PART, hidden
from .jurisdictions import Jurisdiction, Registry, load_registry
from .kb import KB, KINDS, RECORD_ID, KBError
from .loader import load_file, load_plain

if TYPE_CHECKING:
    from .provenance import Publishers

# From this many record files, a whole-corpus read is shared with a second process.
PARALLEL_READ = 2000


@dataclass(frozen=True)
class Record:
    """One record as read from its file."""

    kind: str  # "statute" or "remedy"
    path: Path
    data: dict

    @property
    def id(self) -> str:
        rid = self.data.get("id")
        return str(rid) if rid is not None else self.path.stem

    @cached_property
    def provenance(self) -> dict[str, Any]:
        """provenance.provenance of the record's data, worked out once (pages, exports and
        comparisons ask for it many times). Read-only: copy it before changing it."""
        from .provenance import provenance

        return provenance(self.data)

    @property
    def jurisdiction(self) -> str:
        return str(self.data.get("jurisdiction", ""))


def load_vocabulary(kb: KB) -> dict[str, Any]:
    """schema/vocabulary.yaml, read through the gate; KBError when it has errors.

    Its keys become file names (`compare/<type>.md`) and option values: a key that is
    not a plain id (`../../x`) refuses the whole file (`kbtool validate` says where).
    """
    path = kb.schema_dir / "vocabulary.yaml"
    if not path.is_file() and not path.is_symlink():
        return {}
    try:
        data = load_plain(path, root=kb.root)
    except ValueError as exc:
        raise KBError(f"cannot read the vocabulary: {exc}\nRun `kbtool validate`.") from None
    if not isinstance(data, dict):
        raise KBError("schema/vocabulary.yaml is not a mapping; run `kbtool validate`")
    for group in data.values():
        for key in group if isinstance(group, dict) else ():
            if not isinstance(key, str) or not SAFE_PART.match(key) or "." in key:
                raise KBError(
                    f"schema/vocabulary.yaml: key {key!r} is not a plain id; run `kbtool validate`"
                )
    return data


class Corpus:
    """The records of one knowledge base, read on demand and cached."""

    def __init__(self, kb: KB) -> None:
        self.kb = kb
        self._by_path: dict[Path, Record] = {}
        # Whole-corpus readers (site, export) look the same ids up many times: each id's
        # file is found once per corpus (find_record_path stats up to a few paths).
        self._found: dict[tuple[str, tuple[str, ...]], tuple[str, Path] | None] = {}
        self._listed: dict[str, list[Record]] = {}
        # (jurisdiction folder, id) -> file, per kind, once a kind has been listed
        self._files: dict[str, dict[tuple[str, str], Path]] = {}
        self._shown: dict[Path, str] = {}
        self._built: dict[Path, str | None] = {}

    @cached_property
    def registry(self) -> Registry:
        return load_registry(self.kb.schema_dir)

    @cached_property
    def publishers(self) -> Publishers:
        from .provenance import load_publishers

        return load_publishers(self.kb.schema_dir)

    def official_url(self, record: Record) -> tuple[str | None, bool]:
        """(address of a statute's official text, whether it was built from its publisher's
        section pattern in schema/publishers.yaml because the record gives none)."""
        url = record.data.get("official_text_url")
        if isinstance(url, str) and url:
            return url, False
        built = self._built.get(record.path, "")
        if built == "":
            built = self.publishers.section_url(record.jurisdiction, record.data.get("citation"))
            self._built[record.path] = built
        return built, built is not None

    @cached_property
    def vocabulary(self) -> dict[str, Any]:
        return load_vocabulary(self.kb)

    @cached_property
    def remedy_types(self) -> dict[str, dict]:
        """Remedy types in display order, with label and description."""
        return dict(self.vocabulary.get("remedy_types") or {})

    def type_rank(self, remedy_type: object) -> int:
        """Position of a remedy type in the vocabulary (display order); unknown types last."""
        ranks = self._type_ranks
        return ranks.get(remedy_type, len(ranks)) if isinstance(remedy_type, str) else len(ranks)

    @cached_property
    def _type_ranks(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.remedy_types)}

    def type_label(self, remedy_type: str) -> str:
        entry = self.remedy_types.get(remedy_type) or {}
        return str(entry.get("label") or remedy_type.replace("_", " ").capitalize())

    def _read(self, kind: str, path: Path, listed: bool = False) -> Record:
        cached = self._by_path.get(path)
        if cached is not None:
            return cached
        # Links out are refused. A file that `record_files` listed sits in a folder already
        # checked to be inside the knowledge base: unless it is itself a link, it is inside
        # too, and the loader need not resolve its path again.
        inside = listed and not path.is_symlink()
        loaded = load_file(path, self._display(path), root=None if inside else self.kb.root)
        if not loaded.ok or not isinstance(loaded.data, dict):  # e.g. hidden characters
            errors = [f for f in loaded.findings if f.severity == "error"]
            first = errors[0].format() if errors else str(path)
            raise KBError(f"cannot read a record: {first}\nRun `kbtool validate` for details.")
        record = Record(kind, path, loaded.data)
        self._by_path[path] = record
        return record

    def _display(self, path: Path) -> str:
        shown = self._shown.get(path)
        if shown is None:
            try:
                shown = path.relative_to(self.kb.root).as_posix()
            except ValueError:
                shown = path.as_posix()
            self._shown[path] = shown
        return shown

    def get(self, record_id: str, kinds: tuple[str, ...] = KINDS) -> Record | None:
        """The record with this id, or None."""
        key = (record_id, kinds)
        if key not in self._found:
            if all(kind in self._files for kind in kinds):
                self._found[key] = self._find_listed(record_id, kinds)
            else:
                try:
                    self._found[key] = self.kb.find_record_path(record_id, kinds)
                except KeyError:
                    self._found[key] = None
        found = self._found[key]
        return None if found is None else self._read(*found)

    def _find_listed(self, record_id: str, kinds: tuple[str, ...]) -> tuple[str, Path] | None:
        """`KB.find_record_path` over the files already listed (the listing kept only
        files inside the knowledge base): the same rule, without a `stat` per guess."""
        if not RECORD_ID.match(record_id):
            return None
        parts = record_id.split("-")
        for kind in kinds:
            files = self._files[kind]
            for n in range(len(parts) - 1, 0, -1):
                path = files.get(("-".join(parts[:n]), record_id))
                if path is not None:
                    return kind, path
        return None

    def of_jurisdiction(self, kind: str, jurisdiction: Jurisdiction) -> list[Record]:
        folder = self.kb.folder(kind) / jurisdiction.folder
        if not self.kb.inside(folder):
            raise KBError(
                f"{self._display(folder)} leads outside the knowledge base; refused, not read.\n"
                "Run `kbtool validate` for details."
            )
        if not folder.is_dir():
            return []
        # Hidden names are never read; a link out is refused loudly by _read.
        return [self._read(kind, p) for p in sorted(folder.glob("*.yaml")) if not hidden(p.name)]

    def all(self, kind: str) -> list[Record]:
        """Every record of a kind, in file order (listed and read once per corpus)."""
        listed = self._listed.get(kind)
        if listed is None:
            self._read_all()
            listed = self._listed[kind]
        return list(listed)

    def _read_all(self) -> None:
        """List and read every record of both kinds (whole-corpus readers need both).

        On a large corpus with a second processor, a forked child parses the last 40% of
        the files and hands their data back as JSON (kbtool.parallel: the same data,
        nothing pickled); a file the child cannot read makes the parent read that part
        itself, so errors are the same either way. The collector is paused
        meanwhile: records are many small objects that live as long as the corpus.
        """
        paths = {k: self.kb.record_files(k) for k in KINDS if k not in self._listed}
        todo = [(k, p) for k, ps in paths.items() for p in ps if p not in self._by_path]
        collecting = gc.isenabled()
        gc.disable()
        try:
            if len(todo) > 1 and parallel.worth_it(len(todo), PARALLEL_READ):
                cut = len(todo) * 3 // 5  # the child also encodes its half: give it less
                mine, theirs = todo[:cut], todo[cut:]
                pending = parallel.start(lambda: {"records": self._as_json(theirs)}, True)
                try:
                    for k, p in mine:
                        self._read(k, p, listed=True)
                except BaseException:
                    pending.cancel()
                    raise
                self._adopt(theirs, pending.result()["records"])
            for k, ps in paths.items():
                self._listed[k] = [self._read(k, p, listed=True) for p in ps]
                self._files[k] = {(p.parent.name, p.stem): p for p in ps}
        finally:
            if collecting:
                gc.enable()

    def _as_json(self, files: list[tuple[str, Path]]) -> str:
        return json.dumps([self._read(k, p, listed=True).data for k, p in files])

    def _adopt(self, files: list[tuple[str, Path]], text: str) -> None:
        """Records read by the child, in the order of `files` (anything else is ignored
        and those files are read here)."""
        try:
            data = json.loads(text)
        except ValueError:
            return
        if not isinstance(data, list) or len(data) != len(files):
            return
        for (kind, path), item in zip(files, data, strict=True):
            if isinstance(item, dict) and path not in self._by_path:
                self._by_path[path] = Record(kind, path, item)

    def count_files(self) -> dict[str, dict[str, int]]:
        """Number of record files per jurisdiction folder and kind, without reading them."""
        counts: dict[str, dict[str, int]] = {}
        for kind in KINDS:
            for path in self.kb.record_files(kind):
                counts.setdefault(path.parent.name, {k: 0 for k in KINDS})[kind] += 1
        return counts
