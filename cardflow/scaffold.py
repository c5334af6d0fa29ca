"""`cardflow new workflow NAME`: write a workflow file that runs at once and shows in the menu."""

from __future__ import annotations

import json
import keyword
import re
import sys
from pathlib import Path

APPS_DIR = Path(__file__).parent / "apps"
NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")

TEMPLATE = '''"""{title}: a workflow made by `cardflow new workflow {name}`. Edit the steps below."""

from cardflow.datasteps import Chart, Markdown, Table, Upload  # noqa: F401 - the data steps below
from cardflow.workflow import Step, StepCall, Text, TextArea, Workflow


class {cls}(Workflow):
    name = "{name}"
    title = "{title}"
    description = "Describe what this workflow is for."
{hooks}
    steps = [
{steps}
    ]
'''

DEFAULT_STEPS = '''        Step("topic", "Topic", Text(required=True, placeholder="What is this run about?")),
        Step("notes", "Notes", TextArea(), suggest=lambda values: f"Notes about {values['topic']}"),
        # Data steps (docs/workflows.md, "Data steps"): uncomment to take a file, page it, chart it.
        # Step("data", "Your file", kind=Upload(accept=("csv", "csv.gz", "json", "parquet"), max_mb=100)),
        # Step("preview", "Preview", kind=Table(source="data")),
        # Step("chart", "Chart", kind=Chart(source="data")),
        # Step("summary", "Summary", kind=Markdown(text=lambda values: f"**{values['data']['rows']:,}** rows.")),'''
# A notebook cell that reads a data file becomes an upload step followed by its preview.
READS_DATA = re.compile(r"\bread_(csv|parquet|json)\b")


def class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_")) or "Flow"


def slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:30] or "step"
    if base[0].isdigit() or keyword.iskeyword(base):
        base = f"step_{base}"
    out, n = base, 2
    while out in taken:
        out, n = f"{base}_{n}", n + 1
    taken.add(out)
    return out


def steps_from_notebook(path: Path) -> tuple[str, str]:
    """One step per markdown heading; the code under a heading becomes a comment block in its submit hook.

    The hooks come before `steps` in the class body, which passes them by reference.
    """
    nb = json.loads(path.read_text())
    sections: list[tuple[str, list[str]]] = []
    for cell in nb.get("cells", []):
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown":
            for line in source.splitlines():
                if m := re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line):
                    sections.append((m.group(1).strip(), []))
        elif cell.get("cell_type") == "code" and sections and source.strip():
            sections[-1][1].append(source.rstrip())
    if not sections:
        raise ValueError(f"{path} has no markdown headings: each heading becomes a step.")
    taken: set[str] = set()
    step_lines, hook_blocks = [], []
    for title, code in sections:
        sid = slug(title, taken)
        if any(READS_DATA.search(block) for block in code):
            preview = slug(f"{sid}_preview", taken)
            step_lines.append(f'        Step({sid!r}, {title!r}, kind=Upload(accept=("csv", "csv.gz", "json", "parquet"))),')
            step_lines.append(f'        Step({preview!r}, "Preview", kind=Table(source={sid!r})),')
            continue
        hook = f", submit=submit_{sid}" if code else ""
        step_lines.append(f'        Step({sid!r}, {title!r}, Text(required=True){hook}),')
        if code:
            commented = "\n".join(f"        # {line}" if line else "        #" for block in code for line in block.splitlines())
            hook_blocks.append(
                f"\n    def submit_{sid}(self, call: StepCall) -> dict:\n"
                f"        # From the notebook, under “{title}”; adapt it, then return what to save\n"
                "        # (call.values holds the earlier steps' values, call.form what was typed):\n"
                f"{commented}\n"
                f"        return {{{sid!r}: Text(required=True).parse(call.form.get({sid!r}) if call.form else None)}}\n")
    return "\n".join(step_lines), "".join(hook_blocks)


def render_workflow(name: str, notebook: Path | None = None) -> str:
    title = name.replace("_", " ").capitalize()
    steps, hooks = steps_from_notebook(notebook) if notebook else (DEFAULT_STEPS, "")
    return TEMPLATE.format(name=name, title=title, cls=class_name(name), steps=steps, hooks=hooks)


def new_workflow(name: str, *, target_dir: Path | None = None, notebook: Path | None = None,
                 force: bool = False) -> int:
    if not NAME_RE.fullmatch(name):
        print(f"cardflow: {name!r} is not a usable name: use lowercase letters, digits and underscores, "
              "starting with a letter (at most 40).", file=sys.stderr)
        return 2
    folder = target_dir or APPS_DIR
    target = folder / f"{name}.py"
    if target.exists() and not force:
        print(f"cardflow: {target} already exists; pass --force to overwrite it.", file=sys.stderr)
        return 2
    try:
        text = render_workflow(name, notebook)
    except (OSError, ValueError, json.JSONDecodeError) as exc:
        print(f"cardflow: cannot read the notebook: {exc}", file=sys.stderr)
        return 2
    compile(text, str(target), "exec")  # never write a file that cannot import
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    print(f"Wrote {target}. It appears in the app menu at /{name} on the next start (or at once with --reload).")
    if target_dir is not None:
        print(f"Start the server with CARDFLOW_PLUGINS_DIR={folder} (or put it in <data dir>/plugins).")
    return 0
