"""The three output forms of ``kb check``: text, JSON and GitHub annotations."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from kb.lint.rules import ERROR, INFO, WARNING, Finding


def text(findings: Sequence[Finding], pages: int) -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.severity} {f.code} {f.message}" for f in findings]
    lines.append(summary(findings, pages))
    return "\n".join(lines) + "\n"


def summary(findings: Sequence[Finding], pages: int) -> str:
    counts = Counter(f.severity for f in findings)

    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    checked = n(pages, "page")
    if not counts[ERROR] and not counts[WARNING]:
        return f"kb check: {checked} checked, no problems found"
    problems = f"{n(counts[ERROR], 'error')}, {n(counts[WARNING], 'warning')}"
    return f"kb check: {checked} checked, {problems}"


def json_list(findings: Sequence[Finding]) -> str:
    return json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False) + "\n"


_GITHUB_LEVEL = {ERROR: "error", WARNING: "warning", INFO: "notice"}


def _escape_data(value: str) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[Finding]) -> str:
    """Workflow commands: GitHub shows each as an annotation on the pull request."""
    out = []
    for f in findings:
        props = ",".join(
            [
                f"file={_escape_property(f.path)}",
                f"line={f.line}",
                f"col={f.column}",
                f"title={_escape_property(f.code)}",
            ]
        )
        out.append(f"::{_GITHUB_LEVEL[f.severity]} {props}::{_escape_data(f.message)}")
    return "".join(line + "\n" for line in out)
