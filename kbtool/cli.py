"""The kbtool command line: thin commands over the library.

Each command parses options, calls one library function and renders its result.
Exit codes: 0 clean, 1 data errors or a failed operation, 2 usage error.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from .kb import KB, KBError, KBUsageError, find_root

EPILOG_DISCLAIMER = "Legal information, not legal advice: verify against the official text."


class UsageFailure(click.ClickException):
    """A user's mistake: message, no traceback, exit 2."""

    exit_code = 2


def _errors_to_click(func: Callable[..., Any]) -> Callable[..., Any]:
    """Domain exceptions become click exceptions with the right exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .findings import terminal_text

        try:
            return func(*args, **kwargs)
        except KBUsageError as exc:
            raise UsageFailure(terminal_text(str(exc))) from None
        except KBError as exc:
            raise click.ClickException(terminal_text(str(exc))) from None
        except OSError as exc:  # a full disk, a read-only checkout: a message, exit 1
            from .files import write_error

            where = exc.filename or "a file"
            raise click.ClickException(terminal_text(str(write_error(where, exc)))) from None

    return wrapper


def _safe_hit(hit: Any) -> Any:
    """A search hit with every text field safe for a terminal."""
    import dataclasses

    from .findings import terminal_text

    changes = {
        f.name: terminal_text(getattr(hit, f.name), keep_newlines=False)
        for f in dataclasses.fields(hit)
        if isinstance(getattr(hit, f.name), str)
    }
    return dataclasses.replace(hit, **changes)


def _kb(ctx: click.Context) -> KB:
    obj = ctx.ensure_object(dict)
    if "kb" not in obj:
        try:
            obj["kb"] = find_root(obj.get("root"))
        except KBUsageError as exc:
            raise UsageFailure(str(exc)) from None
    return obj["kb"]


def _remedy_type(corpus: Any, text: str | None) -> str | None:
    """--type in people's words: the type key, said on stderr when it was not given as is."""
    from .query import resolve_type

    if text is None:
        return None
    key = resolve_type(corpus, text)
    if key != text:
        _echo(f"type: {text} -> {key} ({corpus.type_label(key)})", err=True)
    return key


def _print_json(data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False)  # escapes C0 controls only
    click.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


# Raw in json.dumps(ensure_ascii=False) output, and unsafe on a terminal: C1 controls,
# separators and bidirectional controls (only ever inside strings, so \\u escapes are
# valid JSON for them).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
MAX_QUERY_CHARS = 1000


def _echo(message: Any = None, **kwargs: Any) -> None:
    """click.echo for text that carries data: control characters shown as escapes."""
    from .findings import terminal_text

    if isinstance(message, str):
        message = terminal_text(message)
    click.echo(message, **kwargs)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EPILOG_DISCLAIMER,
)
@click.option(
    "--root",
    type=click.Path(file_okay=False),
    envvar="KBTOOL_ROOT",
    help="Knowledge base folder (default: found from the current folder upward; env KBTOOL_ROOT).",
)
@click.version_option(package_name="kbtool")
@click.pass_context
def main(ctx: click.Context, root: str | None) -> None:
    """Human-trafficking statutes and survivor remedies, by jurisdiction.

    \b
    Examples:
      kbtool remedies NY            what a survivor can seek in New York
      kbtool remedies US            federal remedies, available everywhere
      kbtool show us-18-usc-1595    one record in full
      kbtool validate               check every record
    """
    ctx.ensure_object(dict)["root"] = root


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="Findings as `path:line:col: CODE message` lines, as JSON, or as GitHub Actions "
    "annotations (shown inline on a pull request's diff).",
)
@click.pass_context
@_errors_to_click
def validate(ctx: click.Context, paths: tuple[str, ...], output_format: str) -> None:
    """Check records against the schemas and the rules.

    With no PATH, checks the whole knowledge base; with PATHs (files or folders), checks
    just those, resolving references against the whole tree. Exit 0 when clean, 1 when
    anything is found.

    \b
    Examples:
      kbtool validate
      kbtool validate remedies/us-ny/us-ny-criminal-record-relief.yaml
      kbtool validate --format json statutes/us-ca
      kbtool validate --format github remedies/us-ny   (in a GitHub workflow)
    """
    from .render import findings_text
    from .validate import validate as run

    report = run(_kb(ctx), list(paths) if paths else None)
    if output_format == "json":
        _print_json(report.as_dict())
    elif output_format == "github":
        summary = findings_text(report.findings, report.files).splitlines()[-1]
        _echo("\n".join([*(f.github() for f in report.findings), summary]))
    else:
        _echo(findings_text(report.findings, report.files))
    ctx.exit(0 if report.ok else 1)


@main.command()
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.pass_context
@_errors_to_click
def show(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """Show one record, with its statutes' citations resolved.

    \b
    Example:
      kbtool show us-ny-criminal-record-relief
    """
    from . import query
    from .corpus import Corpus
    from .render import record_text

    corpus = Corpus(_kb(ctx))
    data = query.show(corpus, record_id)
    if as_json:
        _print_json(data)
    else:
        _echo(record_text(data, corpus.type_label))


@main.command()
@click.argument("state")
@click.option(
    "--type",
    "remedy_type",
    metavar="TYPE",
    help="Only this remedy type: civil_action, or words such as vacatur, expungement, civil.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of remedy objects.")
@click.option(
    "--with-federal", is_flag=True, help="Add the federal remedies, which apply in every state."
)
@click.pass_context
@_errors_to_click
def remedies(
    ctx: click.Context, state: str, remedy_type: str | None, as_json: bool, with_federal: bool
) -> None:
    """What a survivor can seek in one jurisdiction.

    STATE may be a code or a name: NY, ny, US-NY, "New York", DC, PR; US for federal law,
    INTL for international instruments.

    \b
    Examples:
      kbtool remedies NY
      kbtool remedies "New York" --json
      kbtool remedies CA --type civil_action
      kbtool remedies NY --with-federal
    """
    from . import query
    from .corpus import Corpus
    from .render import remedies_text

    corpus = Corpus(_kb(ctx))
    jurisdiction = corpus.registry.resolve(state)
    remedy_type = _remedy_type(corpus, remedy_type)
    items = query.remedies(corpus, jurisdiction, remedy_type)
    in_a_state = jurisdiction.kind in ("state", "district", "territory")
    federal = corpus.registry.get("US") if with_federal and in_a_state else None
    federal_items = query.remedies(corpus, federal, remedy_type) if federal else []
    if as_json:
        _print_json(items + federal_items)
    else:
        text = remedies_text(
            jurisdiction.label,
            items,
            corpus.type_label,
            federal_hint=in_a_state and federal is None,
            disclaimer=federal is None,
        )
        if federal is not None:
            text += "\n" + remedies_text(federal.label, federal_items, corpus.type_label, False)
        _echo(text)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the registry as JSON.")
@click.pass_context
@_errors_to_click
def jurisdictions(ctx: click.Context, as_json: bool) -> None:
    """List jurisdiction codes, names and how many records each has.

    \b
    Example:
      kbtool jurisdictions
    """
    from . import query
    from .corpus import Corpus
    from .render import jurisdictions_text

    rows = query.jurisdictions(Corpus(_kb(ctx)))
    if as_json:
        _print_json(rows)
    else:
        _echo(jurisdictions_text(rows))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the matrix as JSON.")
@click.option("--markdown", is_flag=True, help="Print the summary quoted in the README.")
@click.pass_context
@_errors_to_click
def coverage(ctx: click.Context, as_json: bool, markdown: bool) -> None:
    """Which remedy types are researched for each jurisdiction.

    Each cell is `available`, `none` (researched: no such law), `undetermined`
    (researched, sources could not settle it) or `not researched`. Also shows whether a
    crime statute is recorded and the oldest verification date per jurisdiction.

    \b
    Example:
      kbtool coverage --json
    """
    from . import query
    from .corpus import Corpus
    from .render import coverage_markdown, coverage_text
    from .rules import today

    corpus = Corpus(_kb(ctx))
    cov = query.coverage(corpus)
    as_of = today().isoformat()
    if markdown:
        _echo(coverage_markdown(cov))
    elif as_json:
        _print_json({"as_of": as_of, **cov})
    else:
        _echo(coverage_text(cov, corpus.type_label, as_of, list(corpus.remedy_types)))


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the generated pages (default: docs/kb in the knowledge base).",
)
@click.option(
    "--repo-url", envvar="KBTOOL_REPO_URL", default="", help="Repository URL for edit links."
)
@click.pass_context
@_errors_to_click
def site(ctx: click.Context, out: str | None, repo_url: str) -> None:
    """Generate the site's pages from the records (then run `mkdocs build`).

    Writes Markdown, data and downloads into a git-ignored folder under docs/, replacing
    it as a whole; hand-written pages stay in docs/. `make site` runs this and mkdocs.

    \b
    Example:
      kbtool site && mkdocs build --strict
    """
    from pathlib import Path

    from .corpus import Corpus
    from .site import GENERATED_DIR, SiteConfig, write_site

    kb = _kb(ctx)
    target = Path(out) if out else kb.root / "docs" / GENERATED_DIR
    from .site_changes import mkdocs_setting, site_url_from

    # as_of left empty: the site says "data as of" the latest verification date in the records
    config = SiteConfig(
        repo_url=repo_url or _mkdocs_repo_url(kb.root),
        site_url=site_url_from(kb.root),
        site_name=mkdocs_setting(kb.root, "site_name"),
    )
    try:
        files = write_site(Corpus(kb), config, target, cli_reference=cli_reference())
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        # schema/ (untrusted, like every file) lacks what the pages are built from
        raise KBError(
            f"cannot build the pages from schema/ and the records ({exc.__class__.__name__}: "
            f"{exc}); run `kbtool validate`"
        ) from None
    _echo(f"wrote {files} files to {target}")


def _mkdocs_repo_url(root) -> str:
    """`repo_url` from mkdocs.yml, if set (edit links point there)."""
    import re

    from .files import Refused, read_text

    try:
        text = read_text(root / "mkdocs.yml", root)  # through the gate: no link out, capped
    except Refused:
        return ""
    match = re.search(r"^repo_url:\s*(\S+)\s*$", text, re.MULTILINE)
    return match.group(1).strip("'\"") if match else ""


def cli_reference() -> str:
    """The CLI reference page, generated from every command's --help."""
    lines = [
        "# Command-line reference",
        "",
        "Generated from `kbtool --help` and each command's help; install with `make test` "
        "or `pip install -e .`.",
        "",
    ]
    ctx = click.Context(main, info_name="kbtool")
    lines += ["## kbtool", "", "```text", main.get_help(ctx), "```", ""]
    for name in sorted(main.commands):
        command = main.commands[name]
        sub = click.Context(command, info_name=name, parent=ctx)
        lines += [f"## kbtool {name}", "", "```text", command.get_help(sub), "```", ""]
    return "\n".join(lines)


class _LazyProgress:
    """click's progress bar on stderr: only on a terminal, and only once a build has
    taken a second (short updates stay silent)."""

    def __init__(self, label: str, delay: float = 1.0) -> None:
        import time

        self.label = label
        self.due = time.monotonic() + delay
        self.enabled = sys.stderr.isatty()
        self.bar: Any = None
        self.pos = 0

    def __call__(self, done: int, total: int) -> None:
        import time

        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() < self.due or done >= total:
                return
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.pos)
        self.pos = done

    def __enter__(self) -> _LazyProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _index_dir_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--index-dir",
        type=click.Path(file_okay=False),
        envvar="KBTOOL_INDEX_DIR",
        help="Search index folder, outside the knowledge base (default: a folder under "
        "$XDG_CACHE_HOME/kbtool or ~/.cache/kbtool).",
    )(func)


def _shown(path: Any, kb: KB) -> str:
    try:
        return path.relative_to(kb.root).as_posix()
    except ValueError:
        return str(path)


@main.command("index")
@click.option("--rebuild", is_flag=True, help="Build from scratch instead of updating.")
@_index_dir_option
@click.pass_context
@_errors_to_click
def index_command(ctx: click.Context, rebuild: bool, index_dir: str | None) -> None:
    """Build or update the search index used by `kbtool search`.

    Re-indexes only records whose content changed since the last run (and remedies
    citing a statute that changed) and drops records whose files were deleted. The new
    index is written beside the old one and swapped in at the end, so an interrupted
    build leaves the old index working. `kbtool search` also updates it by itself.
    Exit 1 when some file could not be read (it is left out; see `kbtool validate`).

    \b
    Examples:
      kbtool index
      kbtool index --rebuild
      kbtool index --index-dir /tmp/kbindex
    """
    from .index import SearchIndex, default_dir, stats_text

    kb = _kb(ctx)
    ix = SearchIndex(kb, default_dir(kb, index_dir))
    with _LazyProgress("Indexing") as progress:
        stats = ix.update(rebuild=rebuild, progress=progress)
    _echo(stats_text(stats, _shown(ix.directory, kb)))
    ctx.exit(1 if stats.skipped else 0)


@main.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--jurisdiction", "-j", metavar="STATE", help="Only this jurisdiction (NY, US...).")
@click.option("--type", "remedy_type", metavar="TYPE", help="Only this remedy type.")
@click.option("--kind", type=click.Choice(["statute", "remedy"]), help="Only statutes or remedies.")
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(1, 1000),
    default=10,
    show_default=True,
    help="How many results to show.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--no-update",
    is_flag=True,
    help="Search the index as it is; if records changed since it was built, say so.",
)
@_index_dir_option
@click.pass_context
@_errors_to_click
def search(
    ctx: click.Context,
    query: tuple[str, ...],
    jurisdiction: str | None,
    remedy_type: str | None,
    kind: str | None,
    limit: int,
    as_json: bool,
    no_update: bool,
    index_dir: str | None,
) -> None:
    """Full-text search of statutes and remedies, best matches first.

    QUERY is words, as you would ask: stemmed (`vacate` finds `vacatur` and
    `vacating`), common words ignored, a word no record contains replaced by the
    closest one that does ("did you mean"). A jurisdiction named in the query (New
    York, NY, Texas, federal) keeps the results to it and federal law; remedy words
    (vacate, expunge, seal, sue, visa, defense, restitution) favour those remedies.
    Remedies rank over statutes, available ones over undetermined ones. "Exact
    phrases" must match. Field syntax and AND, OR, NOT, prefix* also work (fields: id,
    kind, jurisdiction, type, citation, title, summary, text, notes, available,
    status, verification, last_verified, enacted, effective). A section number finds
    the statute and the remedies that cite it. Snippets come from one field, labelled;
    matched words are shown **like this**. The total counts every match. The index is
    brought up to date first when records changed (unless --no-update). Exit 2 for a
    malformed query or one made only of common words.

    \b
    Examples:
      kbtool search 440.10
      kbtool search vacatur New York
      kbtool search can a minor be charged with prostitution in Georgia
      kbtool search '"knowingly benefits"' --kind statute
      kbtool search 'type:civil_action AND attorney' --json
    """
    import os

    from .corpus import Corpus
    from .findings import terminal_text
    from .index import Filters, Results, SearchIndex, check_query, default_dir, hits_text
    from .index import stats_text as index_stats

    kb = _kb(ctx)
    text = " ".join(query)
    if len(text) > MAX_QUERY_CHARS:
        raise UsageFailure(
            f"the query is too long ({len(text):,} characters; at most {MAX_QUERY_CHARS:,}): "
            "search for a few words or a phrase"
        )
    check_query(text)
    corpus = Corpus(kb)
    code = corpus.registry.resolve(jurisdiction).code if jurisdiction else None
    remedy_type = _remedy_type(corpus, remedy_type)
    ix = SearchIndex(kb, default_dir(kb, index_dir))
    plan = ix.plan()
    results = Results(query=text, hits=[], total=0)
    if plan.stale and no_update:
        if ix.current() is None:
            raise KBError(
                f"no search index in {_shown(ix.directory, kb)} yet; run `kbtool index` "
                "(or search without --no-update)"
            )
        results.stale = plan
        _echo(
            f"warning: the index is stale: {len(plan.changed)} record file(s) changed and "
            f"{len(plan.removed)} removed since it was built; run `kbtool index`",
            err=True,
        )
    elif plan.stale or plan.refresh:
        with _LazyProgress("Updating the index") as progress:
            results.updated = ix.update(plan=plan, progress=progress)
        if plan.stale:
            _echo(index_stats(results.updated, _shown(ix.directory, kb)), err=True)
    results.hits, results.total = ix.search(text, Filters(code, remedy_type, kind), limit)
    results.understood = ix.last_query
    if as_json:
        _print_json(results.as_dict())
        return
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    # the data is made safe before styling adds its own escape sequences
    results.hits = [_safe_hit(hit) for hit in results.hits]
    results.query = terminal_text(results.query, keep_newlines=False)
    click.echo(hits_text(results, (lambda s: click.style(s, bold=True)) if color else None))


@main.command()
@click.argument("states", nargs=-1, required=True, metavar="STATE STATE [STATE...]")
@click.option("--type", "remedy_type", metavar="TYPE", help="Only this remedy type.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "csv", "json"]),
    default="text",
    show_default=True,
    help="A table wrapped to 80 columns, Markdown tables, CSV or JSON.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.pass_context
@_errors_to_click
def compare(
    ctx: click.Context,
    states: tuple[str, ...],
    remedy_type: str | None,
    output_format: str,
    as_json: bool,
) -> None:
    """Compare jurisdictions field by field, one column each.

    For each remedy type (or only --type): availability, the law, every structured
    comparison field of that type and the date last verified. `*` marks rows whose
    values differ; a jurisdiction with no record of a type shows `not researched`.

    \b
    Examples:
      kbtool compare NY CA --type criminal_record_relief
      kbtool compare NY CA FL --format markdown
      kbtool compare NY US --type civil_action --json
    """
    from . import compare as comparison
    from .corpus import Corpus

    corpus = Corpus(_kb(ctx))
    chosen = list(dict.fromkeys(corpus.registry.resolve(s) for s in states))
    remedy_type = _remedy_type(corpus, remedy_type)
    data = comparison.compare(corpus, chosen, remedy_type)
    output_format = "json" if as_json else output_format
    if output_format == "json":
        _print_json(comparison.as_json(data))
    elif output_format == "markdown":
        _echo(comparison.table_markdown(data))
    elif output_format == "csv":
        _echo(comparison.table_csv(data))
    else:
        _echo(comparison.table_text(data))


@main.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "jsonl", "csv"]),
    default="json",
    show_default=True,
    help="JSON (one document), JSON Lines (one record a line) or CSV (one row a record).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="File to write, atomically (default: standard output).",
)
@click.pass_context
@_errors_to_click
def export(ctx: click.Context, output_format: str, output: str | None) -> None:
    """Export every statute and remedy as open data (CC0 1.0).

    Records come as `kbtool show --json` prints them, with the citations of the
    statutes a remedy rests on resolved, and their sources. JSON holds the licence and
    the export date; for JSON Lines and CSV they go in FILE.license.txt beside the file
    (on standard output, a note on standard error). CSV: one row per record, statutes
    first; nested fields flattened with dots (procedure.forum,
    record_relief.time_limit.rule); a list gives one column per part of its items with
    values joined by ' | ' in list order (sources.url, sources.title); true, false and
    unknown as words. FILE.license.txt describes every column.

    \b
    Examples:
      kbtool export -o kb.json
      kbtool export --format csv -o kb.csv
      kbtool export --format jsonl | jq -r .id
    """
    from pathlib import Path

    from . import export as exporting
    from .corpus import Corpus
    from .rules import today

    corpus = Corpus(_kb(ctx))
    exported_at = today().isoformat()
    target = Path(output) if output and output != "-" else None
    text, written, counts = exporting.export(corpus, output_format, target, exported_at)
    if text is not None:
        # data for a file or a pipe goes out as it is; on a terminal, escapes are shown
        (_echo if sys.stdout.isatty() else click.echo)(text, nl=False)
        if output_format != "json":
            _echo(
                f"Licence: {exporting.LICENSE['name']} ({exporting.LICENSE['url']}); "
                f"exported {exported_at}. Use -o FILE to get FILE.license.txt with the "
                "licence" + (" and the column descriptions." if output_format == "csv" else "."),
                err=True,
            )
        return
    _echo(
        f"wrote {counts['statutes']} statutes and {counts['remedies']} remedies to "
        + ", ".join(str(p) for p in written)
    )


@main.command("new")
@click.argument("kind", type=click.Choice(["statute", "remedy"]))
@click.option(
    "--jurisdiction",
    "-j",
    required=True,
    metavar="STATE",
    help="Where the law applies: NY, New York, US-NY; US for federal, INTL for treaties.",
)
@click.option(
    "--type",
    "record_type",
    metavar="TYPE",
    help="Remedy type (required for a remedy, e.g. civil_action) or statute kind (e.g. criminal).",
)
@click.option(
    "--id",
    "record_id",
    metavar="ID",
    help="Record id; the jurisdiction prefix is added if missing. Required for a statute; "
    "a remedy defaults to <jurisdiction>-<type>.",
)
@click.pass_context
@_errors_to_click
def new(
    ctx: click.Context,
    kind: str,
    jurisdiction: str,
    record_type: str | None,
    record_id: str | None,
) -> None:
    """Start a new record from the annotated template, in the right folder.

    Writes statutes/<jurisdiction>/<id>.yaml or remedies/<jurisdiction>/<id>.yaml with
    every field and a comment saying what goes there; the id, jurisdiction, type and
    dates are filled in. Never overwrites an existing file. Then fill it in and run
    `kbtool validate` on it until it prints `no problems`.

    \b
    Examples:
      kbtool new remedy --jurisdiction NY --type civil_action
      kbtool new remedy -j "New Mexico" --type criminal_record_relief
      kbtool new statute -j NY --id penal-230-34 --type criminal
    """
    from .scaffold import new_record

    kb = _kb(ctx)
    created = new_record(kb, kind, jurisdiction, record_type, record_id)
    rel = created.relative(kb.root)
    _echo(f"wrote {rel}")
    _echo(
        "Next: fill in every field (the comments say what goes there and where to find it), "
        "then check it with"
    )
    _echo(f"  kbtool validate {rel}")


@main.command()
@click.option(
    "--older-than",
    "older_than",
    default="12m",
    show_default=True,
    metavar="AGE",
    help="How old a verification may be: a number and d, w, m or y (90d, 18m, 2y).",
)
@click.option(
    "--by",
    "by",
    type=click.Choice(["checked", "law"]),
    default="checked",
    show_default=True,
    help="Which date: when the record was last checked, or the date the law it states is "
    "current to (unknown counts as stale).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="A list by jurisdiction, JSON, or GitHub Actions warnings.",
)
@click.pass_context
@_errors_to_click
def stale(ctx: click.Context, older_than: str, by: str, output_format: str) -> None:
    """Records whose last_verified (or law-as-of) date is older than AGE, by jurisdiction;
    bills to watch whose status date is more than 90 days old.

    Laws change: these records are due for a fresh check against their sources. Stale
    records are warnings, not errors: the exit code is 0 whatever is found (1 only if
    the knowledge base cannot be read). KBTOOL_TODAY fixes "today".

    \b
    Examples:
      kbtool stale
      kbtool stale --older-than 18m --format json
      kbtool stale --by law --older-than 3y   (the law stated as of a date over 3 years old)
      kbtool stale --format github   (in CI: warnings on the pull request)
    """
    from .stale import Age, find_stale

    report = find_stale(_kb(ctx), Age.parse(older_than), by=by)
    if output_format == "json":
        _print_json(report.as_dict())
    elif output_format == "github":
        lines = [f.github() for f in report.findings()]
        summary = f"{report.count} stale of {report.checked} records"
        if report.bills_checked:
            summary += f"; {len(report.stale_bills)} stale of {report.bills_checked} bills to watch"
        _echo("\n".join([*lines, summary]))
    else:
        _echo(report.text())


_DATE_OPTION = click.DateTime(formats=["%Y-%m-%d"])


@main.command()
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@click.pass_context
@_errors_to_click
def history(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """The dated changes to one record, from git, newest first.

    Each change: date, commit, the first line of its message, the fields that changed
    and, for remedies, `available` before and after. Renames are followed; a removed
    record's history is found too. Needs a git checkout (a shallow clone shows less).

    \b
    Example:
      kbtool history us-ny-criminal-record-relief
    """
    from .history import history as record_history
    from .history import history_text

    result = record_history(_kb(ctx), record_id)
    if as_json:
        _print_json(result.as_dict())
    else:
        _echo(history_text(result))


@main.command()
@click.option(
    "--since",
    type=_DATE_OPTION,
    required=True,
    metavar="YYYY-MM-DD",
    help="First day (UTC) to include.",
)
@click.option(
    "--until",
    type=_DATE_OPTION,
    metavar="YYYY-MM-DD",
    help="Last day (UTC) to include (default: no limit).",
)
@click.option("--jurisdiction", "-j", metavar="STATE", help="Only this jurisdiction (NY, US...).")
@click.option("--all", "include_all", is_flag=True, help="Also list formatting-only changes.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@click.pass_context
@_errors_to_click
def changes(
    ctx: click.Context,
    since: Any,
    until: Any,
    jurisdiction: str | None,
    include_all: bool,
    as_json: bool,
) -> None:
    """Records added, changed, renamed or removed between two dates, newest first.

    Reads the git history of statutes/ and remedies/ (code changes are not listed), with
    the fields each commit changed. Needs a git checkout (a shallow clone shows less).

    \b
    Examples:
      kbtool changes --since 2026-01-01
      kbtool changes --since 2026-06-01 --until 2026-06-30 -j NY --json
    """
    from .history import changes as find_changes
    from .history import changes_text
    from .jurisdictions import load_registry

    kb = _kb(ctx)
    registry = load_registry(kb.schema_dir)
    folder = registry.resolve(jurisdiction).folder if jurisdiction else None
    log = find_changes(
        kb, since.date(), until.date() if until else None, jurisdiction_folder=folder
    )
    if as_json:
        _print_json(log.as_dict(include_formatting=include_all))
    else:
        names = {j.folder: j.name for j in registry}
        _echo(changes_text(log, names, include_formatting=include_all))


class _ScreenChoice(click.Choice):
    """Choices from the screener's own tables (one definition for the CLI and the site),
    read only when an option is used, so other commands do not import the screener."""

    def __init__(self, table: str) -> None:
        self._table = table
        self.case_sensitive = True

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        from . import screener

        return tuple(getattr(screener, self._table))


def _screen_choice(table: str) -> click.Choice:
    return _ScreenChoice(table)


_DATE = click.DateTime(formats=["%Y-%m-%d"])


@main.command()
@click.option(
    "--jurisdiction",
    "-j",
    required=True,
    metavar="STATE",
    help="Where the record is: NY, US-NY, New York, DC, PR; US for a federal record.",
)
@click.option(
    "--record",
    type=_screen_choice("RECORD_KINDS"),
    help="Kind of record (dismissed: charge dismissed; juvenile: juvenile adjudication).",
)
@click.option(
    "--offense",
    metavar="NAME",
    help="Offense category (prostitution, loitering, drug_possession, theft, fraud, weapons, "
    "violent_felony, immigration, other) or a common charge name (shoplifting, "
    "solicitation, trespass...): the category used is shown.",
)
@click.option("--offense-date", type=_DATE, metavar="YYYY-MM-DD", help="Date of the offense.")
@click.option(
    "--convicted", type=_DATE, metavar="YYYY-MM-DD", help="Date of the conviction or disposition."
)
@click.option(
    "--exited",
    type=_DATE,
    metavar="YYYY-MM-DD",
    help="Date the client left the trafficking situation.",
)
@click.option("--age", type=click.IntRange(0, 120), help="Age at the time of the offense.")
@click.option(
    "--trafficking", type=_screen_choice("TRAFFICKING_KINDS"), help="Kind of trafficking."
)
@click.option(
    "--immigration-status",
    type=_screen_choice("IMMIGRATION_STATUSES"),
    help="The client's status (lpr: lawful permanent resident); immigration relief is for "
    "noncitizens only.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "memo"]),
    default="text",
    show_default=True,
    help="memo: a Markdown memo for the case file.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.pass_context
@_errors_to_click
def screen(
    ctx: click.Context,
    jurisdiction: str,
    record: str | None,
    offense: str | None,
    offense_date: Any,
    convicted: Any,
    exited: Any,
    age: int | None,
    trafficking: str | None,
    immigration_status: str | None,
    output_format: str,
    as_json: bool,
) -> None:
    """Which remedies to look at for a client's record, what each requires, and by when.

    Screens the remedies of the jurisdiction of the record and the federal remedies that
    can apply. Each gets a verdict that never overstates: `likely available`, `possibly
    available` (something is unknown, in the records or in what you gave), or `not
    available`, with the reasons, deadlines computed from the dates given, what must be
    established, where to file, the law and the record's verification date. Only
    --jurisdiction is required; every missing input makes answers less certain, never
    wrong. A remedy whose deadline has passed is `time-barred`. Dates after today, or a
    conviction before the offense, are refused. KBTOOL_TODAY fixes "today".

    \b
    Examples:
      kbtool screen -j NY --record conviction --offense prostitution \\
        --convicted 2012-05-01 --exited 2014-01-01
      kbtool screen -j MO --record juvenile --offense prostitution --age 17 --json
      kbtool screen -j NY --offense shoplifting --immigration-status citizen --format memo
    """
    from .corpus import Corpus
    from .render import screen_text
    from .rules import today
    from .screener import OFFENSE_CATEGORIES, ScreenInput, memo, resolve_offense, screen_corpus

    offense_entered = offense
    if offense is not None:
        offense = resolve_offense(offense)
        if offense is None:
            raise UsageFailure(
                f"unknown offense {offense_entered!r}: give a category ("
                + ", ".join(f"{k}: {v}" for k, v in OFFENSE_CATEGORIES.items())
                + ") or a common charge name such as shoplifting, solicitation, trespass"
            )

    def day(value: Any) -> Any:
        return value.date() if value is not None else None

    query = ScreenInput(
        jurisdiction=jurisdiction,
        record=record,
        offense=offense,
        offense_date=day(offense_date),
        convicted=day(convicted),
        exited=day(exited),
        age=age,
        trafficking=trafficking,
        immigration_status=immigration_status,
    )
    corpus = Corpus(_kb(ctx))
    answer = screen_corpus(corpus, query, today(), offense_entered)
    if as_json or output_format == "json":
        _print_json(answer)
    elif output_format == "memo":
        types = {t: corpus.type_label(t) for t in corpus.remedy_types}
        _echo(memo(answer, types), nl=False)
    else:
        _echo(screen_text(answer, corpus.type_label))


def run() -> None:  # pragma: no cover - console entry point alias
    main(prog_name="kbtool")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
