"""The contributors' paved path: GitHub workflows and forms, pre-commit hooks, templates.

The workflows and the issue form are checked against their published JSON Schemas, as
vendored in check-jsonschema (offline: nothing is downloaded).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from kbtool.cli import main

GITHUB = REPO / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_workflows_match_the_github_workflow_schema() -> None:
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "site.yml"]
    result = check_jsonschema("vendor.github-workflows", *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    """The check above is real: a broken workflow is caught."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    step: []\n")
    assert check_jsonschema("vendor.github-workflows", bad).returncode == 1


def test_issue_form_matches_its_schema() -> None:
    forms = sorted((GITHUB / "ISSUE_TEMPLATE").glob("*.yml"))
    form = [p for p in forms if p.name != "config.yml"]
    result = check_jsonschema("vendor.github-issue-forms", *form)
    assert result.returncode == 0, result.stdout + result.stderr
    result = check_jsonschema("vendor.github-issue-config", GITHUB / "ISSUE_TEMPLATE/config.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_outdated_law_form_requires_what_we_need() -> None:
    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE/outdated-law.yml").read_text())
    required = {
        item["id"]
        for item in form["body"]
        if item["type"] != "markdown" and item.get("validations", {}).get("required")
    }
    assert {"jurisdiction", "record", "problem", "source", "checked"} <= required


def test_pull_request_template_checklist() -> None:
    text = (GITHUB / "pull_request_template.md").read_text()
    for phrase in ("Source URL", "Date checked", "- [ ]", "kbtool validate", "unknown"):
        assert phrase in text, phrase


def _steps(workflow: Path) -> list[dict]:
    data = yaml.load(workflow.read_text(), Loader=yaml.BaseLoader)  # `on:` stays a string
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def test_workflows_pin_actions_and_limit_permissions() -> None:
    for workflow in WORKFLOWS:
        data = yaml.load(workflow.read_text(), Loader=yaml.BaseLoader)
        assert data["permissions"] == {"contents": "read"}, workflow.name
        for job in data["jobs"].values():
            assert "timeout-minutes" in job
        for step in _steps(workflow):
            if "uses" in step:
                assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
            run = step.get("run", "")
            assert "${{" not in run, f"{workflow.name}: pass expressions through env, not run"


def test_ci_validates_changed_records_inline_and_reports_stale_as_warnings() -> None:
    steps = _steps(GITHUB / "workflows/ci.yml")
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "kbtool validate --format github" in runs
    assert "--diff-filter=d" in runs
    stale = next(step for step in steps if "kbtool stale" in step.get("run", ""))
    assert stale["continue-on-error"] == "true"
    assert "make test" in runs


def test_commands_in_workflows_and_hooks_exist(run) -> None:
    """Every `kbtool ...` line our CI and hooks run parses and runs (here: fixture data)."""
    texts = [p.read_text() for p in WORKFLOWS]
    texts += [
        (REPO / name).read_text() for name in (".pre-commit-hooks.yaml", ".pre-commit-config.yaml")
    ]
    commands = set()
    for text in texts:
        for match in re.finditer(
            r"kbtool ((?:validate|stale)(?: --?[a-z-]+(?: [a-z0-9]+)?)*)", text
        ):
            commands.add(match.group(1))
    assert {"validate --format github", "stale --older-than 12m --format github"} <= commands
    for command in sorted(commands):
        result = run(*command.split())
        assert result.exit_code == 0, (command, result.output)


def test_pre_commit_hook_definitions() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    by_id = {hook["id"]: hook for hook in hooks}
    validate = by_id["kbtool-validate"]
    assert validate["entry"] == "kbtool validate" and validate["language"] == "python"
    files = re.compile(validate["files"])
    assert files.search("remedies/us-ny/us-ny-civil-action.yaml")
    assert files.search("statutes/us/us-18-usc-1595.yaml")
    assert not files.search("kbtool/cli.py") and not files.search("docs/remedies/x.md")
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook), hook
        assert hook["entry"].split()[1] in main.commands, hook["entry"]


def test_pre_commit_config_uses_this_repositorys_tools() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert [h["id"] for h in hooks] == ["ruff-check", "ruff-format", "kbtool-validate"]
    for hook in hooks:
        assert hook["entry"].startswith(".venv/bin/"), hook


@pytest.mark.parametrize("kind", ["remedy", "statute"])
def test_templates_point_editors_at_the_schema(kind: str) -> None:
    first = (REPO / "templates" / f"{kind}.yaml").read_text().splitlines()[0]
    assert first == f"# yaml-language-server: $schema=../../schema/{kind}.schema.json"
    record_folder = REPO / ("remedies" if kind == "remedy" else "statutes") / "us-ny"
    schema = (record_folder / first.split("=", 1)[1]).resolve()
    assert schema.is_file()
    assert json.loads(schema.read_text())["title"]


def test_make_serve_names_port_when_the_port_is_taken() -> None:
    """`make serve` checks the port before building and says how to choose another."""
    import shutil
    import socket

    if shutil.which("make") is None:
        pytest.skip("make not installed")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            ["make", "-s", "check-port", f"PORT={port}", f"PYTHON={sys.executable}"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in done.stderr
    assert "make serve PORT=" in done.stderr
    readme = (REPO / "README.md").read_text("utf-8")
    assert "make serve PORT=" in readme
