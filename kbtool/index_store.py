"""Where the search index lives, and how its generations are kept: engine-neutral
bookkeeping, apart from the engine and the queries (index.py).

An index is never trusted from the checkout: Whoosh unpickles an index's table of
contents when it opens it, so an index a pull request committed (`git add -f`) would
run code on the maintainer's machine. The default folder is a per-user cache outside
the tree, `${XDG_CACHE_HOME:-~/.cache}/kbtool/<checkout>-<hash of its real path>`
(or $KBTOOL_INDEX_DIR / `--index-dir`), and a folder inside the checkout, one git
tracks, one another user owns or may write, or a non-empty folder kbtool did not make,
is refused before anything in it is read.

The folder:

    KBTOOL-INDEX   marker: kbtool made this folder; holds the folder's token
    LOCK           writers hold it exclusively (fcntl): one writer at a time
    READERS        readers hold it shared while they read a generation
    CURRENT        the name of the live generation; replaced atomically
    g-<ns>-<pid>/  one complete index; KBTOOL-GENERATION in it holds the token
    tmp-<ns>-<pid>/ a generation being written; never read

A writer re-plans under LOCK (another writer may just have brought the index up to
date), writes a tmp- folder, renames it to g-, points CURRENT at it, and only then
removes older generations: the one before the live one always stays, and the rest go
only when no reader holds READERS (so a reader never sees its generation vanish). Only
folders carrying this folder's token are ever removed; leftovers of a killed writer
(`tmp-*`, `.CURRENT.*`) are swept by the next writer, under the lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .files import sweep
from .kb import KB, KBError, KBUsageError, is_inside, real

INDEX_ENV = "KBTOOL_INDEX_DIR"
CACHE_ENV = "XDG_CACHE_HOME"
MARKER = "KBTOOL-INDEX"
GEN_MARKER = "KBTOOL-GENERATION"
LOCK = "LOCK"
READERS = "READERS"
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
GEN_NAME = re.compile(r"g-[0-9]+-[0-9]+\Z")
TMP_NAME = re.compile(r"tmp-[0-9]+-[0-9]+\Z")
# What _write_atomic leaves when killed: `.CURRENT.<pid>.<ns>`, `.manifest.json.<pid>.<ns>`
ATOMIC_LEFTOVER = re.compile(r"\.(?:CURRENT|manifest\.json)\.[0-9]+\.[0-9]+")
OWN_FILES = frozenset({MARKER, LOCK, READERS, CURRENT})


def cache_home() -> Path:
    """$XDG_CACHE_HOME, or ~/.cache."""
    named = os.environ.get(CACHE_ENV)
    if named and os.path.isabs(named):
        return Path(named)
    return Path.home() / ".cache"


def default_dir(kb: KB, override: str | os.PathLike | None = None) -> Path:
    """The index folder: `override`, $KBTOOL_INDEX_DIR, or a per-user cache folder
    named after the checkout's real path (so two checkouts never share an index)."""
    named = override or os.environ.get(INDEX_ENV)
    if named:
        return Path(named).expanduser().absolute()
    where = str(real(kb.root) or kb.root.absolute())
    digest = hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    label = re.sub(r"[^A-Za-z0-9_-]+", "_", kb.root.name)[:40] or "kb"
    return cache_home() / "kbtool" / f"{label}-{digest}"


def _git_tracked(directory: Path) -> bool:
    """Whether git tracks anything in `directory` (only asked when a .git is above it)."""
    here = real(directory) or directory
    top = next((p for p in (here, *here.parents) if (p / ".git").exists()), None)
    if top is None:
        return False
    try:
        out = subprocess.run(
            ["git", "-C", str(top), "ls-files", "-z", "--", str(here)],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.stdout.strip(b"\0"))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


class IndexStore:
    """The generations of one index folder (see the module docstring)."""

    def __init__(self, kb: KB, directory: Path) -> None:
        self.kb = kb
        self.directory = Path(directory)
        self._reader: IO[str] | None = None

    # -- may this folder be used at all? ---------------------------------------------

    def check(self) -> None:
        """Refuse a folder whose contents anyone but this user could have written."""
        directory = self.directory
        root = real(self.kb.root) or self.kb.root
        target = real(directory)
        if target is None:
            raise KBUsageError(f"{directory}: a symbolic link loop; choose another index folder")
        if is_inside(target, root) or is_inside(root, target):
            raise KBUsageError(
                f"{directory} is inside the knowledge base: an index there could come from a "
                "pull request, and opening one can run code. Leave --index-dir and "
                f"${INDEX_ENV} unset (the default is a cache folder outside the checkout) "
                "or name a folder outside it"
            )
        if not directory.exists():
            return
        if not directory.is_dir():
            raise KBUsageError(f"{directory} is not a folder; choose another index folder")
        if _git_tracked(directory):
            raise KBUsageError(
                f"{directory} holds files tracked by git: an index there could come from a "
                "commit, and opening one can run code; choose a folder git does not track"
            )
        self._check_owner(directory)
        marker = directory / MARKER
        if not marker.is_file() or marker.is_symlink():
            if any(True for _ in directory.iterdir()):
                raise KBUsageError(
                    f"{directory} is not empty and is not a kbtool index folder (no {MARKER}); "
                    "choose an empty or new folder: kbtool deletes old index files in it"
                )
            return
        self._check_owner(marker)

    @staticmethod
    def _check_owner(path: Path) -> None:
        if not hasattr(os, "getuid"):  # pragma: no cover - not POSIX
            return
        info = path.stat()
        if info.st_uid != os.getuid():
            raise KBUsageError(
                f"{path} belongs to another user; kbtool only opens an index you made"
            )
        if info.st_mode & 0o022:
            raise KBUsageError(
                f"{path} can be written by other users; kbtool only opens an index nobody "
                f"else can change (chmod go-w {path}, or choose another folder)"
            )

    def token(self) -> str:
        try:
            return (self.directory / MARKER).read_text("utf-8").strip()
        except OSError:
            return ""

    def prepare(self) -> None:
        """Create the folder (private to this user) and its marker, if need be."""
        self.check()
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        marker = self.directory / MARKER
        if not marker.is_file():
            _write_atomic(marker, secrets.token_hex(16) + "\n")

    # -- locks ---------------------------------------------------------------------------

    def _lock(self, name: str, mode: int, blocking: bool = True) -> IO[str] | None:
        import fcntl

        handle = open(self.directory / name, "a", encoding="utf-8")  # noqa: SIM115 - kept open
        try:
            fcntl.flock(handle.fileno(), mode | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.close()
            return None
        except BaseException:
            handle.close()
            raise
        return handle

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the writer lock; sweep what killed writers left."""
        import fcntl

        self.prepare()
        handle = self._lock(LOCK, fcntl.LOCK_EX)
        try:
            self._sweep()
            yield
        finally:
            assert handle is not None
            handle.close()

    @contextlib.contextmanager
    def reading(self, hold: bool = False) -> Iterator[Path | None]:
        """The live generation, with the readers' lock held meanwhile (and, with `hold`,
        until release_reader(): for searchers kept open between searches)."""
        import fcntl

        if not self.directory.is_dir() or not (self.directory / MARKER).is_file():
            yield None
            return
        handle = self._reader
        if handle is None:
            try:
                handle = self._lock(READERS, fcntl.LOCK_SH)
            except OSError:  # a read-only index folder: read it without the lock
                handle = None
        try:
            yield self.current()
        finally:
            if hold and handle is not None:
                self._reader = handle
            elif handle is not None and handle is not self._reader:
                handle.close()

    def release_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    # -- generations --------------------------------------------------------------------

    def current(self) -> Path | None:
        """The live generation's folder, or None when there is no index yet."""
        try:
            name = (self.directory / CURRENT).read_text("utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        gen = self.directory / name
        if not GEN_NAME.match(name) or not (gen / MANIFEST).is_file():
            return None
        return gen

    def new_generation(self) -> Path:
        """A new, empty tmp- folder carrying this folder's token."""
        tmp = self.directory / f"tmp-{time.time_ns()}-{os.getpid()}"
        tmp.mkdir(mode=0o700)
        (tmp / GEN_MARKER).write_text(self.token() + "\n", encoding="utf-8")
        return tmp

    def ours(self, gen: Path) -> bool:
        """Whether a folder is a generation this index folder made (its token inside)."""
        if gen.is_symlink() or not gen.is_dir():
            return False
        try:
            return (gen / GEN_MARKER).read_text("utf-8").strip() == self.token() != ""
        except OSError:
            return False

    def swap(self, tmp: Path) -> Path:
        """Make a finished tmp- folder the live generation; prune older ones."""
        previous = self.current()
        gen = self.directory / f"g-{tmp.name[4:]}"
        os.replace(tmp, gen)
        _write_atomic(self.directory / CURRENT, gen.name + "\n")
        self.prune(keep={gen.name} | ({previous.name} if previous is not None else set()))
        return gen

    def prune(self, keep: set[str]) -> list[Path]:
        """Remove this folder's older generations, only while no reader reads any."""
        import fcntl

        handle = self._lock(READERS, fcntl.LOCK_EX, blocking=False)
        if handle is None:
            return []  # someone is reading: the next writer prunes
        removed = []
        try:
            for entry in sorted(self.directory.iterdir()):
                if GEN_NAME.match(entry.name) and entry.name not in keep and self.ours(entry):
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry)
        finally:
            handle.close()
        return removed

    def _sweep(self) -> None:
        """Under the writer lock every tmp- folder and atomic-write leftover is a dead
        writer's (only the lock holder writes): remove those of this folder's making."""
        for entry in sorted(self.directory.iterdir()):
            if TMP_NAME.match(entry.name) and not entry.is_symlink():
                empty = entry.is_dir() and not any(True for _ in entry.iterdir())
                if self.ours(entry) or empty:
                    shutil.rmtree(entry, ignore_errors=True)
        sweep(self.directory, ATOMIC_LEFTOVER, min_age=0)
        live = self.current()
        if live is not None:
            sweep(live, ATOMIC_LEFTOVER, min_age=0)


def check_writable(directory: Path, exc: OSError) -> KBError:
    """The error for a failed index write (read-only file system, full disk)."""
    from .files import write_error

    error = write_error(directory, exc)
    return KBError(
        f"{error}\n(the search index lives in {directory}; set {INDEX_ENV} or --index-dir "
        "to a writable folder)"
    )
