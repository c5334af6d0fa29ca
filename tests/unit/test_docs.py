"""Documentation that cannot drift: whatever a user can set, run or override must be documented.

Each list is read from the code (a regex over the source, the argparse parser, the classes
themselves), never written down here, so a new variable, command or hook fails this test until it
is documented in README.md or docs/*.md, in backticks (a code span or a line of a code block).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cardflow.cli import build_parser
from cardflow.crud import CrudApp
from cardflow.plugins import AppPlugin
from cardflow.workflow import Step, Workflow

ROOT = Path(__file__).resolve().parents[2]
ENV_VAR = re.compile(r"\bCARDFLOW_[A-Z][A-Z0-9_]*[A-Z0-9]\b")


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def code_spans(texts: list[str]) -> list[str]:
    """Every `code span`, and every line of every fenced code block, stripped."""
    spans: list[str] = []
    for text in texts:
        fenced = re.compile(r"^\s*```[^\n]*\n(.*?)^\s*```", re.M | re.S)
        for block in fenced.findall(text):
            spans += block.splitlines()
        spans += re.findall(r"`([^`\n]+)`", fenced.sub("", text))
    return [s.strip() for s in spans if s.strip()]


@pytest.fixture(scope="module")
def spans() -> list[str]:
    return code_spans([p.read_text(encoding="utf-8") for p in doc_files()])


# -- what the code offers --------------------------------------------------------------------

def env_vars(root: Path = ROOT / "cardflow") -> set[str]:
    """Every CARDFLOW_* name in the package source: a variable read anywhere is caught here."""
    return {m for path in root.rglob("*.py") for m in ENV_VAR.findall(path.read_text(encoding="utf-8"))}


def commands(parser: argparse.ArgumentParser, prefix: str = "cardflow") -> set[str]:
    """Every command line a user can type: subcommands, nested ones, and positional choices."""
    found: set[str] = set()
    for action in parser._actions:  # argparse offers no public way to walk its subparsers
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.add(f"{prefix} {name}")
                found |= commands(sub, f"{prefix} {name}")
        elif not action.option_strings and action.choices:
            found |= {f"{prefix} {choice}" for choice in action.choices}
    return found


def public_members(cls: type, below: type = object) -> set[str]:
    """Class attributes and methods a subclass may set or override: those defined (annotated or
    assigned) on `cls` or on the bases it adds above `below`, not private. Walking the MRO keeps
    a hook moved into a mixin or base class in the list."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass in below.__mro__:
            continue
        names |= set(vars(klass)) | set(vars(klass).get("__annotations__", {}))
    return {n for n in names if not n.startswith("_")}


def plugin_members() -> set[str]:
    return public_members(AppPlugin) | public_members(CrudApp, AppPlugin)


def workflow_members() -> set[str]:
    return public_members(Workflow, AppPlugin)


def step_fields() -> set[str]:
    return {f.name for f in dataclasses.fields(Step)}


# -- what counts as documented ----------------------------------------------------------------

def env_var_documented(name: str, spans: list[str]) -> bool:
    return any(re.search(rf"\b{name}\b", s) for s in spans)


def command_documented(command: str, spans: list[str]) -> bool:
    """`cardflow new workflow NAME` documents `cardflow new` and `cardflow new workflow`."""
    return any(re.search(rf"(^|[\s/]){re.escape(command)}(\s|$)", s) for s in spans)


def member_documented(name: str, spans: list[str]) -> bool:
    """`name`, `name(...)`, `name = ...`, `Class.name`, `self.name`, `def name(...)`, or
    `Step(..., name=...)` for a Step field."""
    own = re.compile(rf"^(async\s+)?(def\s+)?([\w.]+\.)?{re.escape(name)}\b")
    keyword = re.compile(rf"\bStep\(.*\b{re.escape(name)}=")
    return any(own.match(s) or keyword.search(s) for s in spans)


def missing(names: set[str], documented: Callable[[str, list[str]], bool], spans: list[str]) -> list[str]:
    return sorted(n for n in names if not documented(n, spans))


# -- the tests -----------------------------------------------------------------------------------

def test_every_environment_variable_is_documented(spans):
    found = env_vars()
    assert "CARDFLOW_DATA_DIR" in found, "the source scan finds nothing: check env_vars()"
    undocumented = missing(found, env_var_documented, spans)
    assert not undocumented, f"CARDFLOW_* variables read in cardflow/ but not documented (in backticks) " \
        f"in README.md or docs/*.md: {undocumented}. Add them to docs/reference.md."


def test_every_command_is_documented(spans):
    found = commands(build_parser())
    assert {"cardflow serve", "cardflow new workflow"} <= found, "the parser walk finds nothing"
    undocumented = missing(found, command_documented, spans)
    assert not undocumented, f"`cardflow` commands not documented (in backticks) in README.md or " \
        f"docs/*.md: {undocumented}. Add them to docs/reference.md."


def test_every_app_plugin_attribute_and_hook_is_documented(spans):
    found = plugin_members()
    assert {"name", "render", "before_delete"} <= found, "the class walk finds nothing"
    undocumented = missing(found, member_documented, spans)
    assert not undocumented, f"AppPlugin/CrudApp attributes or hooks not documented (in backticks) in " \
        f"README.md or docs/*.md: {undocumented}. Add them to docs/reference.md."


def test_every_workflow_hook_is_documented(spans):
    found = workflow_members() | step_fields()
    assert {"steps", "id", "title"} <= found, "the class walk finds nothing"
    undocumented = missing(found, member_documented, spans)
    assert not undocumented, f"Workflow attributes/hooks or Step fields not documented (in backticks) " \
        f"in README.md or docs/*.md: {undocumented}. Add them to docs/workflows.md."


def test_the_checks_catch_what_is_missing():
    spans = code_spans(["Set `CARDFLOW_HOST=0.0.0.0`.\n```sh\n.venv/bin/cardflow new workflow NAME\n```\n"
                        "Override `before_delete(item)`; `Step(\"a\", \"A\", render=show)`."])
    assert env_var_documented("CARDFLOW_HOST", spans)
    assert not env_var_documented("CARDFLOW_HOSTS", spans)
    assert command_documented("cardflow new", spans) and command_documented("cardflow new workflow", spans)
    assert not command_documented("cardflow serve", spans)
    assert member_documented("before_delete", spans) and member_documented("render", spans)
    assert not member_documented("delete", spans) and not member_documented("submit", spans)
