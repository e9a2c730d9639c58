"""What changed in the records, and when: read from git, never executed.

`kbtool history ID` and `kbtool changes --since DATE` (and the site's "What changed"
page, feed and per-record history) come from here. Git is run as a subprocess with
argument lists (never a shell); its output is untrusted data like the records:

- only paths of the form `statutes|remedies/<folder>/<id>.yaml` are ever used, and
  only to name blobs for `git cat-file` (nothing is written, nothing checked out);
- each version is parsed with the project's strict loader (`loader.parse_text`): no
  tags, no aliases, no code; blobs over the loader's size limit are not parsed;
- commit messages, titles and keys pass through `printable()`: control characters and
  invisible direction marks become visible escapes, so printing them is always safe.

A clone without history (not a git checkout) raises HistoryUnavailable; a shallow clone
works, but the commits at its edge are left out (their diff against nothing would show
every record as added) and the results say the history is incomplete.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .findings import plural
from .kb import KB, RECORD_ID, KBError, KBUsageError
from .loader import MAX_FILE_BYTES, LoadedFile, decode, parse_text

DATA_FOLDERS = ("statutes", "remedies")
KIND_OF_FOLDER = {"statutes": "statute", "remedies": "remedy"}
GIT_TIMEOUT = 300  # seconds, for any one git command
MAX_DIFF_DEPTH = 3  # field paths are reported down to e.g. record_relief.time_limit.rule
MAX_SUMMARY = 200

_NAME = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_RECORD_PATH = re.compile(rf"(statutes|remedies)/({_NAME})/({_NAME})\.yaml\Z")
_HEADER = re.compile(r"([0-9a-f]{40}(?:[0-9a-f]{24})?)\x1f([0-9a-f \n]*)\x1f([^\x1f]*)\x1f")
_STATUS = re.compile(r"([ACDMRTUXB])[0-9]{0,3}\Z")
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?\Z")
# C0/C1 controls (incl. tab and newlines: output is one line), DEL, direction marks and
# embeddings, lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_LOG_FORMAT = "--format=%H%x1f%P%x1f%cI%x1f%B"


class HistoryUnavailable(KBError):
    """No usable git history: not a git checkout, git missing, or git refused (exit 1)."""


def printable(text: Any, limit: int | None = None) -> str:
    """Text safe to print anywhere: control and direction characters shown as escapes."""
    out = _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", str(text)).strip()
    if limit is not None and len(out) > limit:
        out = out[: limit - 1].rstrip() + "…"
    return out


def _value(value: Any) -> Any:
    """An `available` value fit for output: JSON scalars kept, anything else as text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return printable(value if isinstance(value, str) else repr(value), 80)


def record_path(path: str) -> tuple[str, str, str] | None:
    """(folder, jurisdiction folder, id) when `path` is a record file path, else None."""
    match = _RECORD_PATH.match(path)
    return (match.group(1), match.group(2), match.group(3)) if match else None


# --- running git ---------------------------------------------------------------------------


class Git:
    """git, run in one knowledge base's folder, with argument lists and a clean environment."""

    def __init__(self, root: Path) -> None:
        exe = shutil.which("git")
        if exe is None:
            raise HistoryUnavailable("git is not installed: the change history is read from git")
        self.exe = exe
        self.root = root
        # Variables such as GIT_DIR or GIT_CONFIG_* would point git somewhere else.
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
        self.env = env
        self.prefix = ""  # the knowledge base's folder inside the repository, e.g. "data/"
        self.shallow: frozenset[str] = frozenset()
        self.is_shallow = False

    def run(self, args: list[str], stdin: bytes | None = None) -> bytes:
        command = [
            self.exe,
            "--no-pager",
            "-c",
            "core.quotepath=off",
            "-c",
            "core.fsmonitor=false",
            "-c",
            "log.showSignature=false",
            "-C",
            str(self.root),
            *args,
        ]
        try:
            done = subprocess.run(
                command,
                input=stdin,
                capture_output=True,
                timeout=GIT_TIMEOUT,
                env=self.env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise HistoryUnavailable(f"git {args[0]} took over {GIT_TIMEOUT} s; gave up") from None
        except OSError as exc:
            raise HistoryUnavailable(f"could not run git: {exc.strerror or exc}") from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            first = printable(message[0] if message else f"exit status {done.returncode}", 300)
            if "not a git repository" in first:
                raise HistoryUnavailable(
                    f"{self.root} is not a git checkout, so there is no change history; "
                    "clone the repository with git to see it"
                )
            raise HistoryUnavailable(f"git {args[0]} failed: {first}")
        return done.stdout

    @classmethod
    def open(cls, kb: KB) -> Git:
        """git for this knowledge base, after checking it is a checkout (and how deep)."""
        git = cls(kb.root)
        out = git.run(
            [
                "rev-parse",
                "--is-inside-work-tree",
                "--is-shallow-repository",
                "--show-prefix",
                "--git-path",
                "shallow",
            ]
        )
        lines = out.decode("utf-8", "replace").split("\n")
        if len(lines) < 4 or lines[0] != "true":
            raise HistoryUnavailable(f"{kb.root} is not inside a git work tree")
        git.is_shallow = lines[1] == "true"
        git.prefix = lines[2]
        if git.is_shallow:
            shallow_file = Path(lines[3])
            if not shallow_file.is_absolute():
                shallow_file = kb.root / shallow_file
            try:
                text = shallow_file.read_text("ascii", "replace")
            except OSError:
                text = ""
            git.shallow = frozenset(s for s in text.split() if _SHA.match(s))
        return git

    def full(self, path: str) -> str:
        """A path relative to the knowledge base as git names it (from the repository top)."""
        return self.prefix + path

    def local(self, path: str) -> str | None:
        """A path from git output relative to the knowledge base, or None if outside it."""
        if not path.startswith(self.prefix):
            return None
        return path[len(self.prefix) :]

    def read_blobs(self, specs: list[str]) -> dict[str, tuple[str, bytes] | None]:
        """(object id, contents) of `rev:path` blobs: two git processes for any number.

        None for a blob that is missing, not a blob, or over the record size limit. The
        same version of a file is one object, read once, however many specs name it.
        """
        # Built from validated shas and record paths; a line break (from an odd folder
        # name above the knowledge base) would split a request: such a blob is not read.
        specs = [s for s in dict.fromkeys(specs) if "\n" not in s and "\r" not in s]
        if not specs:
            return {}
        check = self.run(
            ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
            stdin="".join(f"{s}\n" for s in specs).encode("utf-8"),
        )
        wanted: dict[str, str] = {}
        for spec, line in zip(specs, check.decode("utf-8", "replace").splitlines(), strict=False):
            parts = line.split(" ")
            ok = len(parts) == 3 and parts[1] == "blob" and _SHA.match(parts[0])
            if ok and parts[2].isdigit() and int(parts[2]) <= MAX_FILE_BYTES:
                wanted[spec] = parts[0]
        out: dict[str, tuple[str, bytes] | None] = dict.fromkeys(specs)
        oids = list(dict.fromkeys(wanted.values()))
        if not oids:
            return out
        raw = self.run(["cat-file", "--batch"], stdin="".join(f"{o}\n" for o in oids).encode())
        contents: dict[str, bytes] = {}
        pos = 0
        try:
            while pos < len(raw):
                end = raw.index(b"\n", pos)
                oid, _, size = raw[pos:end].decode("ascii", "replace").split(" ")
                start = end + 1
                contents[oid] = raw[start : start + int(size)]
                pos = start + int(size) + 1
        except ValueError:
            raise HistoryUnavailable("unexpected output from git cat-file") from None
        for spec, oid in wanted.items():
            if oid in contents:
                out[spec] = (oid, contents[oid])
        return out


# --- the changes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One commit's change to one record file."""

    commit: str
    date: str  # ISO 8601 committer date, as git gives it (with the committer's offset)
    summary: str  # the commit message's first line, made printable
    action: str  # added, changed, renamed, removed
    kind: str  # statute or remedy
    record_id: str
    jurisdiction: str  # folder name, e.g. us-ny
    path: str  # relative to the knowledge base (the old path for a removal)
    old_path: str | None = None  # for renames
    title: str | None = None  # printable title (statutes: citation and title)
    fields: tuple[str, ...] | None = ()  # top-level fields that changed; None: unreadable
    paths: tuple[str, ...] | None = ()  # the same, down to nested fields
    available_before: Any = None
    available_after: Any = None

    @property
    def when(self) -> dt.datetime:
        return _parse_date(self.date)

    @property
    def day(self) -> str:
        """The UTC date of the commit, YYYY-MM-DD."""
        return self.when.astimezone(dt.UTC).date().isoformat()

    @property
    def substantive(self) -> bool:
        """False for a change of formatting only (the parsed record is the same)."""
        return self.action != "changed" or self.fields is None or bool(self.fields)

    @property
    def available_changed(self) -> bool:
        return self.available_before != self.available_after and self.kind == "remedy"

    def describe(self) -> str:
        """What changed, in one line of plain text."""
        if self.action == "added":
            text = "added"
            if self.kind == "remedy":
                text += f"; available: {_fmt_available(self.available_after)}"
            return text
        if self.action == "removed":
            text = "removed"
            if self.kind == "remedy":
                text += f"; was available: {_fmt_available(self.available_before)}"
            return text
        parts = []
        if self.action == "renamed":
            old = (record_path(self.old_path or "") or ("", "", "?"))[2]
            parts.append(f"renamed from {old} ({self.old_path})")
        if self.fields is None:
            parts.append("a version could not be read, fields unknown")
        else:
            paths = [p for p in (self.paths or ()) if not (self.action == "renamed" and p == "id")]
            if paths:
                parts.append("fields: " + ", ".join(paths))
            elif self.action == "changed":
                parts.append("formatting only: no field changed")
        if self.available_changed:
            before = _fmt_available(self.available_before)
            parts.append(f"available: {before} -> {_fmt_available(self.available_after)}")
        return "; ".join(parts)

    def as_dict(self) -> dict:
        return {
            "commit": self.commit,
            "date": self.date,
            "summary": self.summary,
            "action": self.action,
            "kind": self.kind,
            "id": self.record_id,
            "jurisdiction": self.jurisdiction.upper(),  # the registry code: folder upper-cased
            "jurisdiction_folder": self.jurisdiction,
            "path": self.path,
            "old_path": self.old_path,
            "title": self.title,
            "fields": list(self.fields) if self.fields is not None else None,
            "field_paths": list(self.paths) if self.paths is not None else None,
            "available": {"before": self.available_before, "after": self.available_after},
            "formatting_only": not self.substantive,
        }


def _fmt_available(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse_date(text: str) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


@dataclass
class ChangeLog:
    """Changes to records, newest first, and how complete the history behind them is."""

    changes: list[Change] = field(default_factory=list)
    shallow: bool = False  # the clone is shallow: older history is missing
    since: dt.date | None = None
    until: dt.date | None = None

    def as_dict(self, include_formatting: bool = True) -> dict:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "shallow": self.shallow,
            "changes": [c.as_dict() for c in self.changes if include_formatting or c.substantive],
        }


@dataclass
class _Commit:
    sha: str
    parents: list[str]
    date: str
    summary: str
    entries: list[tuple[str, str | None, str | None]] = field(default_factory=list)


def _parse_log(raw: bytes) -> list[_Commit]:
    """`git log -z --name-status` output with our format: commits and their file entries.

    Tokens are NUL-separated: a header (sha, parents, date, message), then for each file
    a status and one path (two for renames and copies).
    """
    tokens = raw.decode("utf-8", "replace").split("\0")
    commits: list[_Commit] = []
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip("\n")
        i += 1
        if not token:
            continue
        header = _HEADER.match(token)
        if header:
            message = token[header.end() :]
            first = message.strip("\n").split("\n", 1)[0] if message.strip() else ""
            commits.append(
                _Commit(
                    sha=header.group(1),
                    parents=header.group(2).split(),
                    date=header.group(3),
                    summary=printable(first, MAX_SUMMARY),
                )
            )
            continue
        status = _STATUS.match(token)
        if status is None or not commits:
            raise HistoryUnavailable("unexpected output from git log; cannot read the history")
        letter = status.group(1)
        count = 2 if letter in "RC" else 1
        names = tokens[i : i + count]
        i += count
        if len(names) != count:
            raise HistoryUnavailable("git log output ended early; cannot read the history")
        old, new = (names[0], names[1]) if count == 2 else (names[0], names[0])
        if letter == "A" or letter == "C":
            commits[-1].entries.append(("A", None, new))
        elif letter == "D":
            commits[-1].entries.append(("D", old, None))
        elif letter in "MT":
            commits[-1].entries.append(("M", old, new))
        elif letter == "R":
            commits[-1].entries.append(("R", old, new))
    return commits


def diff_paths(before: Any, after: Any, prefix: str = "", depth: int = 0) -> list[str]:
    """Dotted paths of the fields that differ, descending into mappings (not lists)."""
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict) and depth < MAX_DIFF_DEPTH:
        out: list[str] = []
        keys = list(after) + [k for k in before if k not in after]
        for key in keys:
            name = printable(key, 80)
            out += diff_paths(
                before.get(key, _MISSING),
                after.get(key, _MISSING),
                f"{prefix}.{name}" if prefix else name,
                depth + 1,
            )
        return out
    return [prefix or "(whole record)"]


_MISSING = object()


def _parse_blob(raw: bytes | None, display: str) -> dict | None:
    """A record version's data through the strict loader, or None if it cannot be read."""
    if raw is None:
        return None
    text, problem = decode(raw, display)
    if problem is not None or text is None:
        return None
    loaded = parse_text(text, LoadedFile(path=Path(display), display=display))
    return loaded.data if isinstance(loaded.data, dict) else None


def _title(kind: str, data: dict | None) -> str | None:
    if not data:
        return None
    title = data.get("title")
    if kind == "statute" and data.get("citation"):
        title = f"{data['citation']}: {title}" if title else data["citation"]
    return printable(title, 300) if title else None


def _build(git: Git, commits: list[_Commit]) -> tuple[list[Change], bool]:
    """Changes from parsed commits, reading each record version once. (changes, truncated)"""
    plans: list[tuple[_Commit, str, str | None, str | None, str | None, str | None]] = []
    specs: list[str] = []
    truncated = False
    for commit in commits:
        if commit.sha in git.shallow:
            truncated = True  # its diff is against nothing: every file would look added
            continue
        parent = commit.parents[0] if commit.parents else None
        for status, old, new in commit.entries:
            old_local = git.local(old) if old else None
            new_local = git.local(new) if new else None
            if (old and (old_local is None or not record_path(old_local))) or (
                new and (new_local is None or not record_path(new_local))
            ):
                continue  # not a record file: README, a stray file, a path outside
            old_spec = f"{parent}:{old}" if old and parent else None
            new_spec = f"{commit.sha}:{new}" if new else None
            if status != "A" and old_spec is None:
                continue  # a change with no parent to compare with
            plans.append((commit, status, old_local, new_local, old_spec, new_spec))
            specs += [s for s in (old_spec, new_spec) if s]
    blobs = git.read_blobs(specs)
    parsed: dict[str, dict | None] = {}  # by object id: each version is parsed once

    def data(spec: str | None, display: str | None) -> dict | None:
        blob = blobs.get(spec) if spec else None
        if blob is None or display is None:
            return None
        oid, raw = blob
        if oid not in parsed:
            parsed[oid] = _parse_blob(raw, display)
        return parsed[oid]

    changes = []
    for commit, status, old_local, new_local, old_spec, new_spec in plans:
        path = new_local or old_local
        assert path is not None
        folder, jfolder, rid = record_path(path) or ("", "", "")
        kind = KIND_OF_FOLDER[folder]
        before = data(old_spec, old_local)
        after = data(new_spec, new_local)
        action = {"A": "added", "D": "removed", "M": "changed", "R": "renamed"}[status]
        fields: tuple[str, ...] | None = ()
        paths: tuple[str, ...] | None = ()
        if action in ("changed", "renamed"):
            if before is None or after is None:
                fields = paths = None
            else:
                keys = list(after) + [k for k in before if k not in after]
                fields = tuple(
                    printable(k, 80)
                    for k in keys
                    if before.get(k, _MISSING) != after.get(k, _MISSING)
                )
                paths = tuple(diff_paths(before, after))
        changes.append(
            Change(
                commit=commit.sha,
                date=commit.date,
                summary=commit.summary,
                action=action,
                kind=kind,
                record_id=rid,
                jurisdiction=jfolder,
                path=path,
                old_path=old_local if action == "renamed" else None,
                title=_title(kind, after if after is not None else before),
                fields=fields,
                paths=paths,
                available_before=_value(before.get("available")) if before else None,
                available_after=_value(after.get("available")) if after else None,
            )
        )
    return changes, truncated


def _newest_first(changes: list[Change]) -> list[Change]:
    """By commit date, newest first; ties keep git's order (sorting is stable)."""
    return sorted(changes, key=lambda c: c.when, reverse=True)


def _log_args() -> list[str]:
    return ["log", "-z", "--name-status", "--no-ext-diff", "--no-textconv", _LOG_FORMAT]


def changes(
    kb: KB,
    since: dt.date | None = None,
    until: dt.date | None = None,
    jurisdiction_folder: str | None = None,
) -> ChangeLog:
    """Records added, changed, renamed or removed between two dates (inclusive, UTC).

    One `git log --name-status` pass over statutes/ and remedies/, then the two versions
    of each changed file read in one batch.
    """
    if since and until and until < since:
        raise KBUsageError(
            f"--until {until.isoformat()} is before --since {since.isoformat()}; "
            "swap them or widen the range"
        )
    git = Git.open(kb)
    args = [*_log_args(), "-M"]
    # git filters with a margin (its date parsing keeps the time of day); exact below.
    if since:
        args.append(f"--since={(since - dt.timedelta(days=2)).isoformat()}")
    if until:
        args.append(f"--until={(until + dt.timedelta(days=2)).isoformat()}")
    args += ["--", *DATA_FOLDERS]
    commits = _parse_log(git.run(args))
    built, truncated = _build(git, commits)
    out = []
    for c in built:
        if since and c.day < since.isoformat():
            continue
        if until and c.day > until.isoformat():
            continue
        if jurisdiction_folder and jurisdiction_folder not in (
            c.jurisdiction,
            (record_path(c.old_path) or ("", ""))[1] if c.old_path else None,
        ):
            continue
        out.append(c)
    return ChangeLog(_newest_first(out), shallow=git.is_shallow, since=since, until=until)


@dataclass
class RecordHistory:
    """The dated changes to one record, newest first."""

    record_id: str
    path: str
    exists: bool  # the record is in the checkout now
    changes: list[Change]
    shallow: bool

    def as_dict(self) -> dict:
        return {
            "id": self.record_id,
            "path": self.path,
            "exists": self.exists,
            "shallow": self.shallow,
            "changes": [c.as_dict() for c in self.changes],
        }


def history(kb: KB, record_id: str) -> RecordHistory:
    """Every commit that touched a record's file, renames followed (`git log --follow`)."""
    if not RECORD_ID.match(record_id):
        raise KBUsageError(
            f"{printable(record_id, 100)!r} is not a record id; ids are file names without "
            ".yaml, e.g. us-ny-criminal-record-relief"
        )
    git = Git.open(kb)
    exists = True
    try:
        _, found = kb.find_record_path(record_id)
        path = found.relative_to(kb.root).as_posix()
    except (KeyError, ValueError):
        exists = False
        path = _removed_path(git, record_id)
    if record_path(path) is None:
        raise KBUsageError(f"{path} is not a record file path")
    raw = git.run([*_log_args(), "--follow", "--", path])
    built, _ = _build(git, _parse_log(raw))
    return RecordHistory(record_id, path, exists, _newest_first(built), git.is_shallow)


def _removed_path(git: Git, record_id: str) -> str:
    """Where a record that is no longer in the checkout was last, from its removal."""
    patterns = [f"{folder}/*/{record_id}.yaml" for folder in DATA_FOLDERS]
    raw = git.run(["log", "-z", "--format=", "--name-only", "--diff-filter=D", "--", *patterns])
    for name in raw.decode("utf-8", "replace").split("\0"):
        local = git.local(name.strip("\n"))
        parts = record_path(local) if local else None
        if local and parts and parts[2] == record_id:
            return local
    hint = " (this clone is shallow: `git fetch --unshallow` fetches the rest)"
    raise KBUsageError(
        f"no record with id {record_id!r}, now or in the git history"
        + (hint if git.is_shallow else "")
    )


def by_record(log: ChangeLog) -> dict[str, list[Change]]:
    """Each record path's changes, newest first, with renames followed to the newest path."""
    lists: dict[str, list[Change]] = {}
    for change in reversed(log.changes):  # oldest first
        if change.action == "renamed" and change.old_path in lists:
            lists[change.path] = lists.pop(change.old_path)
        lists.setdefault(change.path, []).append(change)
    return {path: list(reversed(items)) for path, items in lists.items()}


# --- plain text ------------------------------------------------------------------------------

SHALLOW_NOTE = (
    "This clone is shallow: older history is missing here (`git fetch --unshallow` fetches it)."
)


def history_text(record: RecordHistory) -> str:
    """`kbtool history` for people."""
    state = "" if record.exists else "; removed, no longer in the checkout"
    lines = [
        f"History of {record.record_id} ({record.path}{state}), newest first: "
        f"{plural(len(record.changes), 'change')}"
    ]
    for c in record.changes:
        lines.append(f"{c.day}  {c.commit[:10]}  {c.summary}")
        lines.append(f"    {c.describe()}")
    if not record.changes:
        lines.append("No commit touched this record's file in the history available here.")
    if record.shallow:
        lines.append(SHALLOW_NOTE)
    return "\n".join(lines)


def changes_text(
    log: ChangeLog, names: dict[str, str] | None = None, include_formatting: bool = False
) -> str:
    """`kbtool changes` for people: commits newest first, each with the records it changed."""
    names = names or {}
    shown = [c for c in log.changes if include_formatting or c.substantive]
    hidden = len(log.changes) - len(shown)
    span = (
        f"from {log.since.isoformat() if log.since else 'the start'} "
        f"to {log.until.isoformat() if log.until else 'now'}"
    )
    records = len({c.path for c in shown})
    lines = [
        f"Changes to the records {span} (UTC dates), newest first: "
        f"{plural(len(shown), 'change')} to {plural(records, 'record')}"
    ]
    current = None
    for c in shown:
        if c.commit != current:
            current = c.commit
            lines += ["", f"{c.day}  {c.commit[:10]}  {c.summary}"]
        where = names.get(c.jurisdiction, c.jurisdiction)
        lines.append(f"  {c.action:<8} {c.record_id} ({where})")
        lines.append(f"           {c.describe()}")
    if hidden:
        lines += ["", f"{plural(hidden, 'formatting-only change')} not shown (--all shows them)."]
    if log.shallow:
        lines += ["", SHALLOW_NOTE]
    return "\n".join(lines)
