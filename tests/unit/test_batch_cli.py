"""`cardflow call <app>.batch file=...` as docs/workflows.md ("Batches") shows it, run as a user would."""

from __future__ import annotations

import json
import re
from pathlib import Path

from cardflow.db import Database
from tests.unit.test_cli_actions import cardflow

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "workflows.md"


def batches_section() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    return text[text.index("## Batches"):text.index("## The hand-written pattern")]


def doc_csv() -> str:
    blocks = re.findall(r"```csv\n(.*?)```", batches_section(), re.S)
    assert len(blocks) == 1, "the Batches section shows one CSV example"
    return blocks[0]


def doc_commands() -> list[list[str]]:
    block = re.search(r"```sh\n(.*?)```", batches_section(), re.S)
    assert block is not None
    return [line.split("#")[0].split() for line in block.group(1).splitlines() if line.strip()]


def test_the_guide_example_runs_from_the_cli_and_prints_each_row(data_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "hello-batch.csv").write_text(doc_csv(), encoding="utf-8")
    commands = doc_commands()
    assert commands[0] == ["cardflow", "call", "hello.batch", "file=hello-batch.csv"]
    first = cardflow(data_dir, *commands[0][1:-1], f"file={tmp_path / 'hello-batch.csv'}")
    assert first.returncode == 0, first.stderr
    lines = [line for line in first.stderr.splitlines() if line.startswith("line ")]
    assert sorted(lines) == sorted([
        "line 2  ada  done", "line 3  grace  done",
        "line 4  alan  stopped at name: No value for “Your name” in the file: finish it by hand."])
    out = json.loads(first.stdout)
    assert out["summary"] == "Started batch 1 of Hello workflow: 3 rows."
    values = {r["key"]: r["values"] for r in out["result"]["rows"]}
    assert values["ada"] == {"name": "Ada Lovelace", "greeting": "Hello, Ada Lovelace!"}
    db = Database(data_dir / "cardflow.db")
    assert {r["key"] for r in db.query("SELECT key FROM pipeline WHERE data LIKE '%finalized%'")} == {"ada", "grace"}
    assert {r["actor"] for r in db.query("SELECT actor FROM action_log")} == {"cli"}

    status = cardflow(data_dir, *commands[1][1:])
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["result"]["counts"] == {"done": 2, "stopped": 1}
    export = cardflow(data_dir, *commands[2][1:])
    assert json.loads(export.stdout)["result"]["csv"].splitlines()[1] == \
        'ada,done,,Finalized.,Ada Lovelace,"Hello, Ada Lovelace!"'
    retry = cardflow(data_dir, *commands[3][1:])
    assert retry.returncode == 2 and "has no failed or cancelled rows" in retry.stderr
    cancel = cardflow(data_dir, *commands[4][1:])
    assert cancel.returncode == 2 and "Batch 1 is not running (done)." in cancel.stderr


def test_a_refused_file_exits_2_and_says_why(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("key,name,age\nada,Ada,36\n", encoding="utf-8")
    done = cardflow(data_dir, "call", "hello.batch", f"file={bad}")
    assert done.returncode == 2 and done.stdout == ""
    assert "Unknown column “age”. The columns are “key” and the step ids: name, greeting." in done.stderr
    missing = cardflow(data_dir, "call", "hello.batch", f"file={tmp_path / 'nope.csv'}")
    assert missing.returncode == 2 and "There is no file" in missing.stderr
    assert Database(data_dir / "cardflow.db").query("SELECT count(*) AS n FROM batch")[0]["n"] == 0


def test_rows_refused_in_a_file_exit_2_after_the_others_ran(data_dir: Path, tmp_path: Path) -> None:
    rows = tmp_path / "dup.csv"
    rows.write_text("key,name\nada,Ada\nada,Ada again\n", encoding="utf-8")
    done = cardflow(data_dir, "call", "hello.batch", f"file={rows}")
    assert done.returncode == 2
    assert "line 3  ada  refused: The key “ada” is already on line 2; each key runs once." in done.stderr
    assert "line 2  ada  done" in done.stderr and "Batch 1 ended with 1 refused of 2 rows" in done.stderr
