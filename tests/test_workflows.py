"""The pull-request machinery: the CI workflow passes actionlint and zizmor and
does what it claims; pre-commit, Read the Docs, the issue form and the PR
template are well-formed and consistent with the project."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kb import paths
from kb.sphinxext import site

GITHUB = paths.ROOT / ".github"
WORKFLOWS = GITHUB / "workflows"
CI = WORKFLOWS / "ci.yml"
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert found, f"{name} is not installed (it is in the test extra)"
    return found


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def ci_steps() -> list[dict]:
    return [step for job in load(CI)["jobs"].values() for step in job["steps"]]


def test_actionlint_is_clean():
    result = subprocess.run(
        [tool("actionlint"), "-no-color", *sorted(map(str, WORKFLOWS.glob("*.yml")))],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_is_clean():
    result = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", "--color", "never", str(WORKFLOWS)],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_permissions_are_minimal():
    workflow = load(CI)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert job["permissions"] == {"contents": "read"}, name


def test_actions_are_pinned_by_commit_sha_with_their_version():
    text = CI.read_text(encoding="utf-8")
    uses = re.findall(r"uses:\s*(\S+)(.*)", text)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"\s*# v\d+(\.\d+)*", comment), f"{action}: no version comment"


def test_checkout_keeps_no_credentials():
    checkouts = [s for s in ci_steps() if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)


def test_ci_runs_what_it_claims():
    runs = "\n".join(s.get("run", "") for s in ci_steps())
    for command in (
        "scripts/kb/system.py ensure test",
        "make lint",
        'kb check --format github --today "$(git log -1 --format=%cs)"',
        "kb build all",
        "python -m pytest",
    ):
        assert command in runs, command
    uploads = {
        s["with"]["name"]: s["with"]["path"]
        for s in ci_steps()
        if s.get("uses", "").startswith("actions/upload-artifact@")
    }
    assert uploads["html"].startswith("docs/_build/html")
    assert uploads["pdf"].startswith("docs/_build/pdf")
    # The builds are strict: kb build passes -n -W.
    from kb.build import STRICT

    assert {"-n", "-W"} <= set(STRICT)


def test_pre_commit_config_has_the_hooks_and_a_valid_schema():
    config = load(paths.ROOT / ".pre-commit-config.yaml")
    hooks = {hook["id"]: (repo["repo"], hook) for repo in config["repos"] for hook in repo["hooks"]}
    assert hooks["ruff-check"][0] == "https://github.com/astral-sh/ruff-pre-commit"
    assert "ruff-format" in hooks
    repo, codespell = hooks["codespell"]
    assert repo == "https://github.com/codespell-project/codespell"
    assert codespell["args"] == ["--ignore-words", ".codespell-words.txt"]
    _, kb_check = hooks["kb-check"]
    assert kb_check["entry"] == ".venv/bin/kb check"
    assert re.search(kb_check["files"], "docs/articles/new-page.md")
    assert not re.search(kb_check["files"], "scripts/kb/cli.py")
    # Each rev matches the locked version, so pre-commit and CI agree.
    lock = (paths.ROOT / "requirements.lock").read_text(encoding="utf-8")
    for repo in config["repos"]:
        name = repo["repo"].rsplit("/", 1)[-1].removesuffix("-pre-commit")
        if repo["repo"] != "local":
            assert f"{name}=={repo['rev'].lstrip('v')}\n" in lock, repo["repo"]
    result = subprocess.run(
        [tool("pre-commit"), "validate-config", ".pre-commit-config.yaml"],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_codespell_is_clean_with_the_medical_word_list():
    result = subprocess.run(
        [tool("codespell"), "--ignore-words", ".codespell-words.txt"],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_read_the_docs_builds_html_and_pdf_strictly():
    config = load(paths.ROOT / ".readthedocs.yaml")
    assert config["version"] == 2
    assert config["sphinx"] == {"configuration": "docs/conf.py", "fail_on_warning": True}
    assert "pdf" in config["formats"]
    assert config["build"]["tools"]["python"] == "3.11"
    installs = config["python"]["install"]
    assert {"requirements": "requirements.lock"} in installs
    assert {"method": "pip", "path": "."} in installs


def test_issue_form_takes_the_fields_the_site_fills_in():
    form = load(GITHUB / "ISSUE_TEMPLATE" / site.ISSUE_TEMPLATE)
    ids = {item.get("id") for item in form["body"]}
    assert {"page", "version"} <= ids  # pre-filled from each page's "Report a problem" link
    assert form["name"] and form["description"]
    assert load(GITHUB / "ISSUE_TEMPLATE" / "config.yml")["blank_issues_enabled"] is True


def test_pull_request_template_has_a_content_checklist():
    text = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    items = re.findall(r"^- \[ \] (.+)$", text, re.M)
    assert len(items) >= 8
    for needle in ("kb check", "cite", "clinically-reviewed", "grade 8"):
        assert any(needle in item for item in items), needle


@pytest.mark.parametrize(
    "command", ["kb new", "kb import", "kb check", "make serve", "clinically-reviewed"]
)
def test_contributing_explains(command):
    text = (paths.ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert command in text


# -- Untrusted pull requests (SECURITY.md) ----------------------------------------------------


def _triggers(workflow: dict) -> set[str]:
    # YAML reads the key `on` as True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on}
    return set(on or ())


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.y*ml")), ids=lambda p: p.name)
def test_no_workflow_runs_pull_requests_with_secrets(path: Path):
    """A pull request's content is untrusted: no workflow may build it with the
    base repository's token and secrets."""
    triggers = _triggers(load(path))
    assert not triggers & {"pull_request_target", "workflow_run"}, path.name


def test_ci_says_why_it_uses_pull_request():
    assert "pull_request" in _triggers(load(CI))
    comments = "\n".join(
        line for line in CI.read_text(encoding="utf-8").splitlines() if line.strip().startswith("#")
    )
    assert "never `pull_request_target`" in comments
    assert "secrets" in comments


def test_read_the_docs_previews_build_without_secrets():
    path = paths.ROOT / ".readthedocs.yaml"
    config = load(path)
    # No environment of its own and no custom commands that could use one.
    build = config.get("build", {})
    assert not {"jobs", "commands"} & set(build), build
    text = path.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"secret|token|password|api[_-]?key|\$\{", body, re.I)
    assert "Pull-request previews build untrusted content" in text
