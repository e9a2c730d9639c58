"""The validation pipeline: discover files, load them, then check in three layers.

1. file: YAML parse (loader) and JSON Schema (schema);
2. record: rules.check_record;
3. corpus: rules.check_corpus (unique ids, references resolve).

Every file is checked and every finding reported in one run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import files
from .findings import Finding, display_path
from .jurisdictions import Registry, load_registry
from .kb import FOLDERS, KB, KBUsageError, Resolver, is_inside
from .kb import real as real_path
from .loader import LoadedFile, load_file
from .provenance import load_publishers
from .rules import (
    Placeholders,
    RecordContext,
    check_corpus,
    check_provenance,
    check_record,
    today,
)

KIND_OF_FOLDER = {folder: kind for kind, folder in FOLDERS.items()}
RECORD_SUFFIXES = (".yaml", ".yml")


def _candidate(p: Path) -> bool:
    """Whether a tree entry gets checked: files, links, pipes, and folders named like records."""
    return p.is_symlink() or not p.is_dir() or p.suffix in RECORD_SUFFIXES


@dataclass
class Report:
    """What a validation run found."""

    findings: list[Finding] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity != "error")

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "errors": self.errors,
            "warnings": self.warnings,
            "findings": [f.as_dict() for f in self.findings],
        }


def _placement(
    kb: KB, path: Path, real: Path | None = None
) -> tuple[str | None, str | None, str | None]:
    """(kind, jurisdiction folder, problem) of a file from where it sits in the tree.

    `real` is the resolved path when the caller already has it (resolving costs a
    system call per folder level, which adds up over thousands of files)."""
    try:
        rel = (real or path.resolve()).relative_to(kb.root)
    except ValueError:
        return None, None, "is outside the knowledge base"
    parts = rel.parts
    if len(parts) >= 1 and parts[0] in KIND_OF_FOLDER:
        kind = KIND_OF_FOLDER[parts[0]]
        if len(parts) == 3 and path.suffix == ".yaml":
            return kind, parts[1], None
        if path.suffix == ".yml":
            return (
                kind,
                parts[1] if len(parts) == 3 else None,
                "record files end in .yaml, not .yml",
            )
        return (
            kind,
            None,
            f"record files live at {parts[0]}/<jurisdiction>/<id>.yaml (e.g. {parts[0]}/us-ny/...)",
        )
    return None, None, "record files live in statutes/<jurisdiction>/ or remedies/<jurisdiction>/"


def discover(kb: KB) -> list[Path]:
    """Every file under statutes/ and remedies/ (misplaced ones too, so they get a finding)."""
    out: list[Path] = []
    for folder in FOLDERS.values():
        base = kb.root / folder
        if base.is_dir():
            out.extend(
                p
                for p in base.rglob("*")
                if _candidate(p) and files.visible(p, base) and p.name != "README.md"
            )
    return sorted(out)


def expand(kb: KB, paths: Iterable[str | Path], resolver: Resolver | None = None) -> list[Path]:
    """Files named on the command line; folders stand for the record files below them.

    Paths outside the knowledge base are refused before anything there is read.
    """
    out: list[Path] = []
    root = real_path(kb.root) or kb.root
    resolver = resolver or Resolver()
    for raw in paths:
        p = Path(raw)
        if not p.exists() and not p.is_symlink():
            raise KBUsageError(f"{raw}: no such file or folder")
        if not is_inside(resolver.lexical(p), root):
            raise KBUsageError(
                f"{raw}: is outside the knowledge base ({root}); kbtool reads only files inside it"
            )
        if p.is_dir() and not p.is_symlink():
            found = sorted(x for x in p.rglob("*.y*ml") if _candidate(x))
            if not found:
                raise KBUsageError(
                    f"{raw}: this folder holds no records (no .yaml file below it); give a "
                    "record file or a folder of records such as remedies/us-ny"
                )
            out.extend(found)
        else:
            out.append(p)
    return sorted(dict.fromkeys(out))


def _load(
    kb: KB, path: Path, real: Path | None = None, root: Path | None = None
) -> tuple[RecordContext, list[Finding]]:
    root = root or real_path(kb.root) or kb.root
    if real is None or not is_inside(real, root):
        # A link that loops or leads outside: refused by the loader, never opened.
        display = display_path(path, root)
        loaded = load_file(path, display, root=root)
        return RecordContext(loaded, None, None), list(loaded.findings)
    display = real.relative_to(root).as_posix()  # display_path, with the path resolved
    shown = display_path(path, root)
    if not files.visible(Path(shown)):  # named on the command line: reported, never read
        loaded = LoadedFile(path=path, display=shown)
        loaded.findings.append(hidden_finding(shown, path))
        return RecordContext(loaded, None, None), list(loaded.findings)
    kind, folder, problem = _placement(kb, path, real)
    findings: list[Finding] = []
    if problem:
        findings.append(Finding(display, 0, 0, "misplaced-file", f"{problem}"))
    loaded = load_file(path, display)
    findings.extend(loaded.findings)
    return RecordContext(loaded, kind, folder), findings


def validate(
    kb: KB, paths: Iterable[str | Path] | None = None, as_of: dt.date | None = None
) -> Report:
    """Validate the whole knowledge base, or only `paths` (references still resolve against all)."""
    from . import schema  # jsonschema is imported only when a record needs it

    as_of = as_of or today()
    registry = load_registry(kb.schema_dir, strict=False)  # its findings come below
    report = Report()
    all_files = discover(kb)
    resolver = Resolver()
    selected_files = all_files if paths is None else expand(kb, paths, resolver)
    real = {p: resolver.real(p) for p in selected_files}
    selected_set = set(real.values())
    root = kb.root.resolve()
    check_schema = schema.checker(kb.schema_dir)
    templates = _templates(kb, root)
    placeholders = {kind: Placeholders.of(t) for kind, t in templates.items()}
    publishers = load_publishers(kb.schema_dir)

    selected: list[RecordContext] = []
    for path in selected_files:
        ctx, findings = _load(kb, path, real[path], root)
        report.files += 1
        report.findings.extend(findings)
        if ctx.loaded.data is None and findings:
            selected.append(ctx)
            continue
        if not isinstance(ctx.loaded.data, dict):  # a list, a text, or a bare `~` (null)
            report.findings.append(
                Finding(
                    ctx.loaded.display, 1, 1, "wrong-type", "a record must be a mapping of fields"
                )
            )
            selected.append(ctx)
            continue
        if ctx.kind is not None:
            report.findings.extend(check_schema(ctx.loaded, ctx.kind))
        kind_placeholders = placeholders.get(ctx.kind or "")
        report.findings.extend(check_record(ctx, registry, as_of, kind_placeholders))
        report.findings.extend(check_provenance(ctx, publishers))
        selected.append(ctx)

    # Corpus layer: ids of everything. Unselected files count by file name (ids equal
    # file names once valid), so checking a few files does not parse the whole tree.
    everything: dict[str, list[RecordContext]] = defaultdict(list)
    for ctx in selected:
        if ctx.kind is None:
            continue
        rid = ctx.record_id or ctx.loaded.path.stem
        everything[rid].append(ctx)
    for path in all_files if paths is not None else ():  # with no paths, all are selected
        resolved = resolver.real(path) if path.suffix == ".yaml" else None
        if resolved is None or resolved in selected_set:
            continue
        kind, folder, problem = _placement(kb, path, resolved)
        if kind is None or problem:
            continue
        stub = LoadedFile(path=path, display=display_path(path, kb.root))
        everything[path.stem].append(RecordContext(stub, kind, folder))
    report.findings.extend(check_corpus([c for c in selected if c.kind], everything))

    if paths is None:
        report.findings.extend(_check_schema_files(kb))
        registry_findings = _check_registry(kb)
        report.findings.extend(registry_findings)
        # Codes are checked against the registry only when it is sound: a broken entry
        # there is reported once, not again wherever its code is used.
        known = registry if not any(f.severity == "error" for f in registry_findings) else None
        report.findings.extend(_check_publishers(kb, known))
        report.findings.extend(_check_help(kb, known, as_of))
        report.findings.extend(_check_vocabulary(kb))
        report.findings.extend(_check_hidden(kb, root))
    report.findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
    return report


def _templates(kb: KB, root: Path) -> dict[str, dict]:
    """The annotated templates by kind, for spotting placeholder text left in records."""
    out: dict[str, dict] = {}
    for kind in FOLDERS:
        path = kb.root / "templates" / f"{kind}.yaml"
        if path.is_file():
            data = load_file(path, root=root).data
            if isinstance(data, dict):
                out[kind] = data
    return out


def hidden_finding(display: str, path: Path) -> Finding:
    """A hidden name in the data folders: readers never read it, so review must see it.

    A hidden record (`.us-ny-x.yaml`) or folder is an error: it could shadow a real one
    for a tool that did read it. Other hidden files (`.DS_Store`) are warnings."""
    recordlike = path.suffix in (*RECORD_SUFFIXES, ".json") or (
        path.is_dir() and not path.is_symlink()
    )
    return Finding(
        display,
        0,
        0,
        "hidden-file",
        "hidden name (leading dot): kbtool never reads it; rename it without the dot or delete it",
        severity="error" if recordlike else "warning",
    )


def _check_hidden(kb: KB, root: Path) -> list[Finding]:
    """Every hidden file or folder under statutes/, remedies/ and schema/."""
    folders = [kb.root / f for f in FOLDERS.values()] + [kb.schema_dir]
    return [
        hidden_finding(display_path(path, root), path)
        for path in files.walk_hidden(folders)
        if kb.inside(path.parent)
    ]


def _check_schema_files(kb: KB) -> list[Finding]:
    """Each `*.schema.json` must itself be a valid JSON Schema (2020-12)."""
    import json

    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    from . import schema

    out = []
    for path in schema.schema_files(kb.schema_dir):
        display = display_path(path, kb.root)
        try:
            document = json.loads(files.read_text(path, kb.root, files.MAX_SCHEMA_BYTES))
            Draft202012Validator.check_schema(document)
        except files.Refused as exc:
            out.append(Finding(display, 0, 0, exc.code, exc.message.split(": ", 1)[-1]))
        except ValueError as exc:
            out.append(Finding(display, 1, 1, "bad-schema", f"not valid JSON: {exc}"))
        except SchemaError as exc:
            out.append(
                Finding(display, 1, 1, "bad-schema", f"not a valid JSON Schema: {exc.message}")
            )
    return out


def _load_checked(kb: KB, path: Path, kind: str) -> tuple[LoadedFile | None, list[Finding]]:
    """A data file of the knowledge base (registry, publishers, vocabulary, help) read
    through the gate and checked against its schema: (the file, or None when it could
    not be parsed, and its findings so far)."""
    from . import schema

    loaded = load_file(path, display_path(path, kb.root), root=real_path(kb.root))
    if loaded.data is None:
        return None, loaded.findings
    return loaded, loaded.findings + schema.check(loaded, kind, kb.schema_dir)


def _entries(loaded: LoadedFile, key: str) -> list[tuple[int, dict]]:
    """(index, entry) of the mappings listed under `key` (others: the schema says so)."""
    items = loaded.data.get(key) if isinstance(loaded.data, dict) else None
    return [
        (i, e)
        for i, e in enumerate(items if isinstance(items, list) else [])
        if isinstance(e, dict)
    ]


def _at(loaded: LoadedFile, path: tuple, code: str, message: str) -> Finding:
    line, col = loaded.position(path, prefer_value=True)
    return Finding(loaded.display, line, col, code, message)


def _unknown_code(loaded: LoadedFile, path: tuple, code: str) -> Finding:
    return _at(
        loaded,
        path,
        "unknown-jurisdiction",
        f"jurisdiction {code!r} is not in schema/jurisdictions.yaml",
    )


def _check_vocabulary(kb: KB) -> list[Finding]:
    """schema/vocabulary.yaml against its schema: keys become file names and options."""
    from . import schema

    path = kb.schema_dir / "vocabulary.yaml"
    if not path.exists() and not path.is_symlink():
        return []
    if not (kb.schema_dir / schema.SCHEMA_FILES["vocabulary"]).exists():
        # an older checkout without vocabulary.schema.json: parse it only
        return load_file(path, display_path(path, kb.root), root=real_path(kb.root)).findings
    return _load_checked(kb, path, "vocabulary")[1]


def _check_registry(kb: KB) -> list[Finding]:
    """The jurisdiction registry itself must pass its schema and have unique codes."""
    loaded, findings = _load_checked(kb, kb.schema_dir / "jurisdictions.yaml", "jurisdictions")
    if loaded is None:
        return findings
    return findings + _listed_twice(loaded, "jurisdictions", "code")[0]


def _listed_twice(loaded: LoadedFile, key: str, field: str) -> tuple[list[Finding], set[int]]:
    """`duplicate-id` for each entry under `key` whose `field` an earlier entry already
    has, and the indexes of those entries (values that are not text: the schema says)."""
    findings: list[Finding] = []
    repeated: set[int] = set()
    seen: set[str] = set()
    for i, entry in _entries(loaded, key):
        value = entry.get(field)
        if not isinstance(value, str):
            continue
        if value in seen:
            repeated.add(i)
            findings.append(
                _at(loaded, (key, i, field), "duplicate-id", f"{field} {value!r} is listed twice")
            )
        seen.add(value)
    return findings, repeated


def _check_publishers(kb: KB, registry: Registry | None) -> list[Finding]:
    """The official publishers registry: its schema, and one entry per known code."""
    path = kb.schema_dir / "publishers.yaml"
    if not path.exists():
        return [
            Finding(
                display_path(path, kb.root),
                0,
                0,
                "missing-file",
                "schema/publishers.yaml is missing: no source can be labelled official",
            )
        ]
    loaded, findings = _load_checked(kb, path, "publishers")
    if loaded is None:
        return findings
    twice, repeated = _listed_twice(loaded, "jurisdictions", "code")
    findings += twice
    for i, entry in _entries(loaded, "jurisdictions"):
        code = entry.get("code")
        if not isinstance(code, str):
            continue
        if i not in repeated and registry is not None and registry.get(code) is None:
            findings.append(_unknown_code(loaded, ("jurisdictions", i, "code"), code))
        findings += _check_section_urls(kb, loaded, i, entry)
    return findings


def _check_section_urls(kb: KB, loaded: LoadedFile, i: int, entry: dict) -> list[Finding]:
    """Each publisher's section address pattern: usable, on that publisher's own hosts,
    and evidenced (it reproduces the official_text_url of its example statute)."""
    from .loader import load_file
    from .provenance import SectionUrl, host_of

    findings: list[Finding] = []
    pubs = entry.get("publishers")
    for p, pub in enumerate(pubs if isinstance(pubs, list) else []):
        if not isinstance(pub, dict) or not isinstance(pub.get("section_urls"), list):
            continue
        hosts = [h for h in pub.get("hosts") or [] if isinstance(h, str)]
        for k, item in enumerate(pub["section_urls"]):
            if not isinstance(item, dict) or not all(
                isinstance(item.get(x), str) for x in ("citation", "url", "example")
            ):
                continue  # the schema says what is wrong
            where = ("jurisdictions", i, "publishers", p, "section_urls", k)
            pattern = SectionUrl(item["citation"], item["url"], item["example"])
            host = host_of(item["url"].replace("{", "").replace("}", ""))
            if not any(host == h or (h.startswith(".") and host.endswith(h)) for h in hosts):
                findings.append(
                    _at(
                        loaded,
                        (*where, "url"),
                        "section-url-host",
                        f"{host or item['url']!r} is not one of this publisher's hosts",
                    )
                )
                continue
            if pattern.pattern is None:
                findings.append(
                    _at(
                        loaded,
                        (*where, "citation"),
                        "section-url-pattern",
                        "the citation template needs 1 to 3 {placeholders}, each once, with text "
                        "between them",
                    )
                )
                continue
            try:
                _, path = kb.find_record_path(item["example"], ("statute",))
            except KeyError:
                path = None
            data = load_file(path, root=kb.root).data if path is not None else None
            recorded = data.get("official_text_url") if isinstance(data, dict) else None
            built = pattern.build(data.get("citation")) if isinstance(data, dict) else None
            if not recorded or built != recorded:
                findings.append(
                    _at(
                        loaded,
                        (*where, "example"),
                        "section-url-example",
                        f"the pattern must reproduce the official_text_url of statute "
                        f"{item['example']!r} (the page it was taken from); it gives "
                        f"{built or 'nothing'} for that statute's citation",
                    )
                )
    return findings


HELP_FILE = Path("help") / "help.yaml"


def _check_help(kb: KB, registry: Registry | None, as_of: dt.date) -> list[Finding]:
    """The "where to get help" directory: its schema, unique ids, known codes, no date
    in the future. Optional: a knowledge base without one has no help section."""
    path = kb.root / HELP_FILE
    if not path.exists() and not path.is_symlink():
        return []
    loaded, findings = _load_checked(kb, path, "help")
    if loaded is None:
        return findings
    findings += _listed_twice(loaded, "entries", "id")[0]
    for i, entry in _entries(loaded, "entries"):
        scope = entry.get("scope")
        for k, code in enumerate(scope if isinstance(scope, list) else []):
            if isinstance(code, str) and registry is not None and registry.get(code) is None:
                findings.append(_unknown_code(loaded, ("entries", i, "scope", k), code))
        accessed = entry.get("accessed")
        if isinstance(accessed, str) and accessed > as_of.isoformat():
            message = f"accessed {accessed} is after today ({as_of.isoformat()})"
            findings.append(_at(loaded, ("entries", i, "accessed"), "future-date", message))
    return findings
