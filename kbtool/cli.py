"""The kbtool command line: thin commands over the library.

Each command parses options, calls one library function and renders its result.
Exit codes: 0 clean, 1 data errors or a failed operation, 2 usage error.
"""

from __future__ import annotations

import json
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
        try:
            return func(*args, **kwargs)
        except KBUsageError as exc:
            raise UsageFailure(str(exc)) from None
        except KBError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def _kb(ctx: click.Context) -> KB:
    obj = ctx.ensure_object(dict)
    if "kb" not in obj:
        try:
            obj["kb"] = find_root(obj.get("root"))
        except KBUsageError as exc:
            raise UsageFailure(str(exc)) from None
    return obj["kb"]


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


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
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Findings as `path:line:col: CODE message` lines, or as JSON.",
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
    """
    from .render import findings_text
    from .validate import validate as run

    report = run(_kb(ctx), list(paths) if paths else None)
    if output_format == "json":
        _print_json(report.as_dict())
    else:
        click.echo(findings_text(report.findings, report.files))
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
        click.echo(record_text(data, corpus.type_label))


@main.command()
@click.argument("state")
@click.option(
    "--type", "remedy_type", metavar="TYPE", help="Only this remedy type, e.g. civil_action."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of remedy objects.")
@click.pass_context
@_errors_to_click
def remedies(ctx: click.Context, state: str, remedy_type: str | None, as_json: bool) -> None:
    """What a survivor can seek in one jurisdiction.

    STATE may be a code or a name: NY, ny, US-NY, "New York", DC, PR; US for federal law,
    INTL for international instruments.

    \b
    Examples:
      kbtool remedies NY
      kbtool remedies "New York" --json
      kbtool remedies CA --type civil_action
    """
    from . import query
    from .corpus import Corpus
    from .render import remedies_text

    corpus = Corpus(_kb(ctx))
    jurisdiction = corpus.registry.resolve(state)
    items = query.remedies(corpus, jurisdiction, remedy_type)
    if as_json:
        _print_json(items)
    else:
        click.echo(
            remedies_text(
                jurisdiction.label,
                items,
                corpus.type_label,
                federal_hint=jurisdiction.kind in ("state", "district", "territory"),
            )
        )


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
        click.echo(jurisdictions_text(rows))


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
        click.echo(coverage_markdown(cov))
    elif as_json:
        _print_json({"as_of": as_of, **cov})
    else:
        click.echo(coverage_text(cov, corpus.type_label, as_of, list(corpus.remedy_types)))


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
    from .rules import today
    from .site import SiteConfig, write_site

    kb = _kb(ctx)
    target = Path(out) if out else kb.root / "docs" / "kb"
    config = SiteConfig(repo_url=repo_url or _mkdocs_repo_url(kb.root), as_of=today().isoformat())
    files = write_site(Corpus(kb), config, target, cli_reference=cli_reference())
    click.echo(f"wrote {files} files to {target}")


def _mkdocs_repo_url(root) -> str:
    """`repo_url` from mkdocs.yml, if set (edit links point there)."""
    import re

    path = root / "mkdocs.yml"
    if not path.is_file():
        return ""
    match = re.search(r"^repo_url:\s*(\S+)\s*$", path.read_text("utf-8"), re.MULTILINE)
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


def run() -> None:  # pragma: no cover - console entry point alias
    main(prog_name="kbtool")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
